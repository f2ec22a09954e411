//! What the call history keeps of a call, and how the way it ended becomes a [`CallResult`].

use crate::api::AccountId;
use crate::store::{CallRecord, CallResult, Direction};
use std::time::SystemTime;

/// Kept by a call task from its start, turned into a [`CallRecord`] when it ends.
#[derive(Debug, Clone)]
pub(crate) struct CallLog {
    pub direction: Direction,
    /// The far end's URI: the From of an incoming call, the dialled target of an outgoing one.
    pub remote_uri: String,
    /// The display name the far end sent, if any.
    pub display_name: String,
    pub started: SystemTime,
    /// When the call was answered: our 200 OK sent (incoming), the far end's 200 OK taken
    /// (outgoing).
    pub answered: Option<SystemTime>,
    /// Outgoing: we hung up (CANCEL) before the answer.
    pub cancelled: bool,
    /// Incoming, answered by the answering machine (and not picked up): a missed call.
    pub by_machine: bool,
}

impl CallLog {
    pub fn new(direction: Direction, remote_uri: String, display_name: Option<String>) -> Self {
        Self {
            direction,
            remote_uri,
            display_name: display_name.unwrap_or_default(),
            started: SystemTime::now(),
            answered: None,
            cancelled: false,
            by_machine: false,
        }
    }

    /// The history row of a call that ends now with this reason (and SIP code).
    pub fn finish(&self, account: &AccountId, reason: &str, code: Option<u16>) -> CallRecord {
        CallRecord {
            direction: self.direction,
            account: account.to_string(),
            remote_uri: self.remote_uri.clone(),
            number: String::new(),
            display_name: self.display_name.clone(),
            started: self.started,
            answered: self.answered,
            ended: SystemTime::now(),
            result: if self.by_machine {
                CallResult::Missed
            } else {
                call_result(
                    self.direction,
                    self.answered.is_some(),
                    self.cancelled,
                    code,
                )
            },
            reason: reason_text(reason, code),
        }
    }
}

/// A call that never became a call task (refused at once: blocked, do not disturb).
pub(crate) fn refused(
    account: &AccountId,
    remote_uri: &str,
    display_name: Option<&str>,
    result: CallResult,
    reason: &str,
    code: u16,
) -> CallRecord {
    let now = SystemTime::now();
    CallRecord {
        direction: Direction::Incoming,
        account: account.to_string(),
        remote_uri: remote_uri.to_string(),
        number: String::new(),
        display_name: display_name.unwrap_or_default().to_string(),
        started: now,
        answered: None,
        ended: now,
        result,
        reason: reason_text(reason, Some(code)),
    }
}

/// `486 busy`, or the plain reason when no SIP code ended the call.
fn reason_text(reason: &str, code: Option<u16>) -> String {
    match code {
        Some(code) => format!("{code} {reason}"),
        None => reason.to_string(),
    }
}

/// How a call ended, for the history, from what the call tasks know when they end it:
///
/// - answered (a 200 OK went either way and its answer was usable): `Answered`, however it
///   ended afterwards;
/// - outgoing that we hung up before the answer: `Cancelled` (even when the far end's answer or
///   refusal crossed our CANCEL);
/// - 486 Busy Here or 600 Busy Everywhere, either way: `Busy`;
/// - 603 Decline: `Declined` (our decline, or hang-up while ringing, of an incoming call; the
///   callee's refusal of an outgoing one);
/// - incoming that the caller gave up on (487 after CANCEL) or that timed out (408, 480):
///   `Missed`;
/// - anything else (404, 5xx, no RTP port, an unusable SDP, no response at all): `Failed`.
///
/// Blocked callers and do-not-disturb refusals never reach a call task; see [`refused`].
pub(crate) fn call_result(
    direction: Direction,
    answered: bool,
    cancelled: bool,
    code: Option<u16>,
) -> CallResult {
    if answered {
        return CallResult::Answered;
    }
    if direction == Direction::Outgoing && cancelled {
        return CallResult::Cancelled;
    }
    match (direction, code) {
        (_, Some(486 | 600)) => CallResult::Busy,
        (_, Some(603)) => CallResult::Declined,
        (Direction::Incoming, Some(487 | 408 | 480)) => CallResult::Missed,
        (Direction::Incoming, Some(302)) => CallResult::Forwarded,
        _ => CallResult::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ua::call::dialog::EndReason;
    use crate::ua::call::failure_reason;
    use CallResult::*;
    use Direction::*;

    /// Every way `incoming.rs` ends a call that was not answered, with the code it passes.
    #[test]
    fn incoming_end_reasons() {
        let cases: &[(&str, Option<u16>, CallResult)] = &[
            ("cannot take the call: x", Some(500), Failed),
            ("no RTP port: x", Some(503), Failed),
            ("the caller's SDP is unusable: x", Some(488), Failed),
            ("busy", Some(486), Busy), // our decline with reason busy
            ("declined", Some(603), Declined), // our decline, or hang-up while ringing
            ("dialog lost", None, Failed),
            ("cannot answer: x", None, Failed),
        ];
        for (reason, code, want) in cases {
            assert_eq!(
                call_result(Incoming, false, false, *code),
                *want,
                "{reason}"
            );
        }
        let (text, code) = EndReason::CallerCancelled.describe();
        assert_eq!(call_result(Incoming, false, false, code), Missed, "{text}");
        let (text, code) = EndReason::Timeout.describe();
        assert_eq!(call_result(Incoming, false, false, code), Missed, "{text}");
        let (text, code) = EndReason::AuthFailed.describe();
        assert_eq!(call_result(Incoming, false, false, code), Failed, "{text}");
    }

    /// Every final response `outgoing.rs` can end on, and its local ends.
    #[test]
    fn outgoing_end_reasons() {
        for (code, want) in [
            (486, Busy),
            (600, Busy),
            (603, Declined),
            (404, Failed),
            (408, Failed),
            (480, Failed),
            (487, Failed), // not ours: someone else cancelled it
            (488, Failed),
            (503, Failed),
        ] {
            assert_eq!(
                call_result(Outgoing, false, false, Some(code)),
                want,
                "{code} {}",
                failure_reason(code)
            );
        }
        // We hung up while it rang: the 487 for our CANCEL, or no final response at all, or
        // a refusal or answer that crossed the CANCEL.
        for code in [Some(487), None, Some(486), Some(603)] {
            assert_eq!(call_result(Outgoing, false, true, code), Cancelled);
        }
        assert_eq!(call_result(Outgoing, false, false, None), Failed); // no answer, no audio port
    }

    /// Once answered, any end is an answered call.
    #[test]
    fn answered_calls_stay_answered() {
        for reason in [
            EndReason::RemoteHangup,
            EndReason::Timeout,
            EndReason::Busy,
            EndReason::Network(500),
        ] {
            let (_, code) = reason.describe();
            for direction in [Incoming, Outgoing] {
                assert_eq!(call_result(direction, true, false, code), Answered);
            }
        }
        assert_eq!(call_result(Incoming, true, false, None), Answered); // local hangup
    }

    #[test]
    fn records_carry_times_result_and_reason() {
        let mut log = CallLog::new(
            Incoming,
            "sip:2002@pbx".into(),
            Some("Bob from the INVITE".into()),
        );
        let not_answered = log.finish(&AccountId::new("work"), "cancelled by caller", Some(487));
        assert_eq!(not_answered.result, Missed);
        assert_eq!(not_answered.reason, "487 cancelled by caller");
        assert_eq!(not_answered.display_name, "Bob from the INVITE");
        assert_eq!(not_answered.account, "work");
        assert!(not_answered.ended >= not_answered.started);
        log.answered = Some(SystemTime::now());
        let answered = log.finish(&AccountId::new("work"), "remote hangup", None);
        assert_eq!(answered.result, Answered);
        assert_eq!(answered.reason, "remote hangup");
        assert!(answered.answered.is_some());
        let blocked = refused(
            &AccountId::new("work"),
            "sip:2003@pbx",
            None,
            Blocked,
            "blocked",
            603,
        );
        assert_eq!(
            (blocked.result, blocked.reason.as_str()),
            (Blocked, "603 blocked")
        );
        assert_eq!(blocked.direction, Incoming);
    }
}
