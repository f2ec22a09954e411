//! Blind transfer (RFC 3515) as the transferor: what the REFER's response and the NOTIFYs of
//! its implicit subscription mean for the call. No I/O here: [`super::confirmed`] sends the
//! REFER, answers every NOTIFY with 200 and carries out the [`Outcome`]s.
//!
//! - 202 (or any 2xx) -> `trying`; a refusal (>= 300) -> `failed` with its code, call kept.
//! - NOTIFY sipfrag 100 -> `trying`, 18x -> `ringing`, 2xx -> `succeeded` (the call then says
//!   BYE and ends `transferred`), >= 300 -> `failed` with that code, call kept.
//! - No NOTIFY within 32 s of the 202 -> `failed` 408. After a provisional NOTIFY, the final
//!   one must come within [`FINAL_WAIT`] (the target may ring for a while), else `failed` 408.
//! - A NOTIFY with `Subscription-State: terminated` but no final status -> `failed` 487.
//! - A NOTIFY before the 202 (they can cross) counts as the acceptance.

use crate::api::TransferState;
use std::time::Duration;
use tokio::time::Instant;

/// How long the first NOTIFY may take after the 202 (64 * T1, as a transaction's timeout).
pub const NOTIFY_WAIT: Duration = Duration::from_secs(32);
/// How long the final NOTIFY may take after a provisional one: the target rings meanwhile.
pub const FINAL_WAIT: Duration = Duration::from_secs(180);

/// What the call does about a step of the transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Report progress; the transfer goes on.
    Progress(TransferState, u16),
    /// The transferee reached the target: report, BYE, end the call as `transferred`.
    Succeeded(u16),
    /// The transfer is over and the call stays: report with `code`; `why` in English.
    Failed { code: u16, why: String },
}

/// One blind transfer under way.
#[derive(Debug)]
pub struct Transfer {
    target: String,
    /// When to give up waiting for a NOTIFY; none until the REFER is accepted.
    deadline: Option<Instant>,
    /// A NOTIFY has come.
    notified: bool,
}

impl Transfer {
    /// A REFER to `target` was just sent.
    pub fn new(target: String) -> Self {
        Self {
            target,
            deadline: None,
            notified: false,
        }
    }

    /// When [`Self::timed_out`] is due.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The final response to the REFER.
    pub fn answered(&mut self, code: u16) -> Option<Outcome> {
        match code {
            200..=299 => {
                if self.notified {
                    // The NOTIFY crossed the 202: it has said more already.
                    return None;
                }
                self.deadline = Some(Instant::now() + NOTIFY_WAIT);
                Some(Outcome::Progress(TransferState::Trying, code))
            }
            300.. => Some(Outcome::Failed {
                code,
                why: format!(
                    "the far end refused the transfer to {} ({code})",
                    self.target
                ),
            }),
            _ => None,
        }
    }

    /// The REFER got no response, or could not be sent.
    pub fn not_sent(&self, error: &str) -> Outcome {
        Outcome::Failed {
            code: 408,
            why: format!("the transfer to {} got no answer: {error}", self.target),
        }
    }

    /// A NOTIFY: the sipfrag status and whether the subscription ended.
    pub fn notified(&mut self, status: Option<u16>, terminated: bool) -> Option<Outcome> {
        self.notified = true;
        let outcome = match status {
            Some(code @ 200..=299) => Some(Outcome::Succeeded(code)),
            Some(code @ 300..) => Some(Outcome::Failed {
                code,
                why: format!("the call to {} failed ({code})", self.target),
            }),
            Some(code @ 100..=199) if !terminated => {
                self.deadline = Some(Instant::now() + FINAL_WAIT);
                let state = if code == 100 {
                    TransferState::Trying
                } else {
                    TransferState::Ringing
                };
                Some(Outcome::Progress(state, code))
            }
            _ if terminated => Some(Outcome::Failed {
                code: 487,
                why: format!(
                    "the transfer to {} ended with no final answer from it",
                    self.target
                ),
            }),
            _ => None,
        };
        if outcome.is_none() {
            // Unreadable, but the transferee is alive: give it the final wait.
            self.deadline = Some(Instant::now() + FINAL_WAIT);
        }
        outcome
    }

    /// The deadline passed with no (final) NOTIFY.
    pub fn timed_out(&self) -> Outcome {
        let why = if self.notified {
            "no final word on it in time"
        } else {
            "no NOTIFY came in time"
        };
        Outcome::Failed {
            code: 408,
            why: format!("the transfer to {}: {why}", self.target),
        }
    }
}

/// The status code of a `message/sipfrag` body's status line (`SIP/2.0 180 Ringing`).
pub fn sipfrag_status(body: &str) -> Option<u16> {
    let line = body.lines().find(|l| !l.trim().is_empty())?;
    let mut words = line.split_whitespace();
    if !words.next()?.to_ascii_uppercase().starts_with("SIP/") {
        return None;
    }
    words
        .next()?
        .parse()
        .ok()
        .filter(|c| (100..700).contains(c))
}

/// How much of a sipfrag is read for an orbit.
const SIPFRAG_READ: usize = 4096;
/// The longest orbit taken.
const ORBIT_CHARS: usize = 32;

/// Where a final 2xx sipfrag says the call went (a park server's orbit): the number in its
/// reason phrase (`SIP/2.0 200 Parked at 701`), else the user of its Contact
/// (`Contact: <sip:701@pbx>`). Bounded: the first few KB, a short orbit.
pub fn sipfrag_orbit(body: &str) -> Option<String> {
    let end = (0..=body.len().min(SIPFRAG_READ))
        .rev()
        .find(|&i| body.is_char_boundary(i))
        .unwrap_or(0);
    let body = &body[..end];
    let mut lines = body.lines().filter(|l| !l.trim().is_empty());
    let status = lines.next()?;
    if !(200..300).contains(&sipfrag_status(status)?) {
        return None;
    }
    let reason = status.split_whitespace().skip(2).collect::<Vec<_>>();
    let in_reason = reason.iter().find_map(|word| {
        let digits: String = word
            .trim_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take(ORBIT_CHARS + 1)
            .collect();
        (!digits.is_empty()
            && digits.len() <= ORBIT_CHARS
            && digits.chars().all(|c| c.is_ascii_digit()))
        .then_some(digits)
    });
    if in_reason.is_some() {
        return in_reason;
    }
    lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        if !(name.eq_ignore_ascii_case("contact") || name.eq_ignore_ascii_case("m")) {
            return None;
        }
        let value = value.trim();
        let uri = value
            .split_once('<')
            .map_or(value, |(_, rest)| rest.split('>').next().unwrap_or(rest));
        let (scheme, rest) = uri.split_once(':')?;
        if !["sip", "sips", "tel"]
            .iter()
            .any(|s| scheme.trim().eq_ignore_ascii_case(s))
        {
            return None;
        }
        let user = rest.split(['@', ';', '?', '>']).next()?;
        let ok = !user.is_empty()
            && user.len() <= ORBIT_CHARS
            && user.chars().any(|c| c.is_ascii_digit())
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '#' | '+' | '-' | '_'));
        ok.then(|| user.to_string())
    })
}

/// Whether a `Subscription-State` value ends the subscription (`terminated;reason=noresource`).
pub fn subscription_terminated(value: &str) -> bool {
    value
        .split(';')
        .next()
        .is_some_and(|state| state.trim().eq_ignore_ascii_case("terminated"))
}

/// Whether an `Event` value names `package` (`refer`, `refer;id=93809824`).
pub fn is_event_package(value: &str, package: &str) -> bool {
    value
        .split(';')
        .next()
        .is_some_and(|name| name.trim().eq_ignore_ascii_case(package))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipfrag_status_lines_are_read() {
        assert_eq!(sipfrag_status("SIP/2.0 100 Trying\r\n"), Some(100));
        assert_eq!(sipfrag_status("SIP/2.0 486 BusyHere"), Some(486));
        assert_eq!(
            sipfrag_status("\r\nSIP/2.0 200 OK\r\nContact: <sip:x@y>\r\n"),
            Some(200)
        );
        assert_eq!(sipfrag_status(""), None);
        assert_eq!(sipfrag_status("INVITE sip:carol@x SIP/2.0"), None);
        assert_eq!(sipfrag_status("SIP/2.0 abc"), None);
        assert_eq!(sipfrag_status("SIP/2.0 99 Low"), None);
    }

    #[test]
    fn the_orbit_comes_from_the_reason_phrase_or_the_contact() {
        assert_eq!(
            sipfrag_orbit("SIP/2.0 200 Parked at 701\r\n").as_deref(),
            Some("701")
        );
        assert_eq!(
            sipfrag_orbit("SIP/2.0 200 OK\r\nContact: <sip:702@pbx.example;transport=udp>\r\n")
                .as_deref(),
            Some("702")
        );
        assert_eq!(
            sipfrag_orbit("SIP/2.0 200 OK\r\nm: sip:703@pbx\r\n").as_deref(),
            Some("703")
        );
        assert_eq!(sipfrag_orbit("SIP/2.0 200 OK\r\n"), None);
        assert_eq!(sipfrag_orbit("SIP/2.0 100 Trying at 701"), None);
        assert_eq!(sipfrag_orbit("SIP/2.0 486 Busy 701"), None);
        assert_eq!(
            sipfrag_orbit("SIP/2.0 200 OK\r\nContact: <sip:park@pbx>\r\n"),
            None
        );
        let long = format!("SIP/2.0 200 Parked at {}", "7".repeat(100_000));
        assert_eq!(sipfrag_orbit(&long), None);
        assert_eq!(sipfrag_orbit("SIP/2.0 200 é\u{1F600}"), None);
        let cut = format!("SIP/2.0 200 OK\r\n{}", "é".repeat(5000));
        assert_eq!(sipfrag_orbit(&cut), None);
    }

    #[test]
    fn subscription_state_and_event_values() {
        assert!(subscription_terminated("terminated;reason=noresource"));
        assert!(subscription_terminated("Terminated"));
        assert!(!subscription_terminated("active;expires=60"));
        assert!(is_event_package("refer", "refer"));
        assert!(is_event_package("refer;id=93809824", "refer"));
        assert!(!is_event_package("message-summary", "refer"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_notify_before_the_202_counts_and_the_202_says_nothing_more() {
        let mut t = Transfer::new("sip:carol@example.com".into());
        assert_eq!(
            t.notified(Some(180), false),
            Some(Outcome::Progress(TransferState::Ringing, 180))
        );
        assert_eq!(t.answered(202), None);
        assert_eq!(t.deadline(), Some(Instant::now() + FINAL_WAIT));
    }

    #[tokio::test(start_paused = true)]
    async fn a_terminated_subscription_without_a_final_status_fails_with_487() {
        let mut t = Transfer::new("sip:carol@example.com".into());
        t.answered(202);
        assert!(matches!(
            t.notified(Some(100), true),
            Some(Outcome::Failed { code: 487, .. })
        ));
    }
}
