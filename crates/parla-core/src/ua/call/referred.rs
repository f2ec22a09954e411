//! Being transferred (RFC 3515 as the transferee): whether a REFER from the far end is taken,
//! the call the line places for it, and how that call's progress becomes the NOTIFYs the
//! transferor reads. No I/O here: [`super::confirmed`] answers the REFER, sends the NOTIFYs
//! and ends the call once the new one is connected.

use crate::api::CallId;
use crate::config::TransferPolicy;
use tokio::sync::mpsc::UnboundedSender;

/// How the call placed for a REFER goes, told to the call that got the REFER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A provisional response (180, 183).
    Ringing(u16),
    /// The target answered.
    Connected,
    /// The call ended before it connected; the SIP code of its failure, if one.
    Ended(Option<u16>),
}

/// A line's part of being transferred: place a call to `target` for call `from`.
#[derive(Debug)]
pub struct ReferredCall {
    pub from: CallId,
    pub target: String,
    /// The REFER's `Replaces` (decoded), for the new INVITE.
    pub replaces: Option<String>,
    pub referred_by: Option<String>,
    pub progress: UnboundedSender<Progress>,
}

/// Requests a call makes of its line.
#[derive(Debug)]
pub enum LineRequest {
    PlaceReferred(ReferredCall),
}

/// Why a REFER is not taken: the status to answer it with, and the reason for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub why: &'static str,
}

/// Whether the far end may send us to `target` (the Refer-To URI) on a line of `domain`.
pub fn check(target: &str, policy: TransferPolicy, domain: &str) -> Result<(), Refusal> {
    let uri = rsipstack::sip::Uri::try_from(target).map_err(|_| Refusal {
        code: 400,
        why: "the Refer-To is not a SIP URI",
    })?;
    if !matches!(
        uri.scheme,
        Some(rsipstack::sip::Scheme::Sip | rsipstack::sip::Scheme::Sips)
    ) {
        return Err(Refusal {
            code: 416,
            why: "the Refer-To is not a SIP URI",
        });
    }
    match policy {
        TransferPolicy::Any => Ok(()),
        TransferPolicy::Never => Err(Refusal {
            code: 603,
            why: "this line takes no transfers",
        }),
        TransferPolicy::Domain => {
            let host = uri.host_with_port.host.to_string();
            if host.eq_ignore_ascii_case(domain) {
                Ok(())
            } else {
                Err(Refusal {
                    code: 603,
                    why: "this line takes transfers to its own domain only",
                })
            }
        }
    }
}

/// The NOTIFY that tells the transferor about `progress`: the sipfrag status and whether it
/// is the last one. `None`: nothing to say.
pub fn notify_for(progress: Progress) -> (u16, bool) {
    match progress {
        Progress::Ringing(code) => (code, false),
        Progress::Connected => (200, true),
        // Ended with no final response of its own (cancelled, no answer at all).
        Progress::Ended(code) => (code.filter(|c| *c >= 300).unwrap_or(487), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_decides_where_the_far_end_may_send_us() {
        assert_eq!(
            check("sip:carol@example.com", TransferPolicy::Any, "pbx.net"),
            Ok(())
        );
        assert_eq!(
            check("sip:2002@pbx.net:5060", TransferPolicy::Domain, "PBX.net"),
            Ok(())
        );
        assert_eq!(
            check("sip:carol@example.com", TransferPolicy::Domain, "pbx.net").map_err(|r| r.code),
            Err(603)
        );
        assert_eq!(
            check("sip:2002@pbx.net", TransferPolicy::Never, "pbx.net").map_err(|r| r.code),
            Err(603)
        );
        assert_eq!(
            check("tel:+31201234567", TransferPolicy::Any, "pbx.net").map_err(|r| r.code),
            Err(416)
        );
        assert!(check("not a uri", TransferPolicy::Any, "pbx.net").is_err());
    }

    #[test]
    fn progress_becomes_sipfrag_statuses() {
        assert_eq!(notify_for(Progress::Ringing(180)), (180, false));
        assert_eq!(notify_for(Progress::Connected), (200, true));
        assert_eq!(notify_for(Progress::Ended(Some(486))), (486, true));
        assert_eq!(notify_for(Progress::Ended(None)), (487, true));
    }
}
