//! Bounds on the work the network can start on a line: the tasks that take new INVITEs and
//! MESSAGEs, the tasks that hand in-dialog requests to their calls, and the queues of
//! `message-summary` and `dialog` NOTIFYs. Beyond a bound a request is answered at once
//! (486 or 503), counted, and logged once per interval; the line's request loop never waits.

use super::log_limit::{DropLog, SUMMARY_EVERY};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// New INVITEs and MESSAGEs a line may be working on at once (an answered call keeps its
/// INVITE's slot until it ends; the phone takes far fewer calls than this).
pub const NEW_REQUESTS: usize = 32;

/// In-dialog requests a line may have waiting for their calls' answers at once.
pub const IN_DIALOG: usize = 32;

/// `message-summary` NOTIFYs waiting for the message-waiting task.
pub const MWI_QUEUE: usize = 16;

/// `dialog`/`presence` NOTIFYs waiting for the busy-lamp task.
pub const LAMP_QUEUE: usize = 64;

pub static NEW_REQUESTS_REFUSED: DropLog = DropLog::new(
    "new INVITEs (486) and MESSAGEs (503) refused (as many as a line works on at once)",
    SUMMARY_EVERY,
);

pub static IN_DIALOG_REFUSED: DropLog = DropLog::new(
    "in-dialog requests with 503 (as many waiting for their calls as a line takes)",
    SUMMARY_EVERY,
);

pub static REFER_PROGRESS_SKIPPED: DropLog = DropLog::new(
    "provisional NOTIFYs of a REFER not sent (beyond 8 for one REFER)",
    SUMMARY_EVERY,
);

pub static NOTIFY_QUEUE_FULL: DropLog = DropLog::new(
    "NOTIFYs with 503 (the message-waiting or busy-lamp queue was full)",
    SUMMARY_EVERY,
);

/// What a call's media may have waiting for the call task.
pub const MEDIA_EVENTS: usize = 64;

/// DTMF digits a far end may report per second (and in a burst): far above what a person or
/// an IVR sends, low enough that telephone-event packets with a new timestamp each cannot
/// turn into an event per datagram.
pub const DIGITS_PER_SECOND: u32 = 25;

pub static MEDIA_EVENTS_DROPPED: DropLog = DropLog::new(
    "media events of a call (DTMF digits beyond 25 a second, or its queue was full)",
    SUMMARY_EVERY,
);

/// A token bucket: `per_second` a second, as many in a burst. Takes the time from its caller
/// (the media thread has no tokio clock).
#[derive(Debug)]
pub struct Rate {
    per_second: u32,
    tokens: f64,
    at: Option<std::time::Instant>,
}

impl Rate {
    pub fn new(per_second: u32) -> Self {
        Rate {
            per_second: per_second.max(1),
            tokens: f64::from(per_second.max(1)),
            at: None,
        }
    }

    /// Whether one more may go at `now` (and counts it when it may).
    pub fn allow(&mut self, now: std::time::Instant) -> bool {
        let cap = f64::from(self.per_second);
        if let Some(at) = self.at {
            let refill = now.saturating_duration_since(at).as_secs_f64() * cap;
            self.tokens = (self.tokens + refill).min(cap);
        }
        self.at = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A cap on tasks in flight; a started task holds its permit until it ends.
#[derive(Clone)]
pub struct InFlight {
    slots: Arc<Semaphore>,
    refused: &'static DropLog,
}

impl InFlight {
    pub fn new(cap: usize, refused: &'static DropLog) -> Self {
        InFlight {
            slots: Arc::new(Semaphore::new(cap.max(1))),
            refused,
        }
    }

    /// A slot, or `None` (counted) when all are taken: never waits.
    pub fn try_start(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.slots.clone().try_acquire_owned().ok();
        if permit.is_none() {
            self.refused.note(None);
        }
        permit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    static TEST_REFUSED: DropLog = DropLog::new("test", SUMMARY_EVERY);

    #[tokio::test(start_paused = true)]
    async fn beyond_the_cap_requests_are_refused_at_once_until_a_task_ends() {
        let cap = InFlight::new(NEW_REQUESTS, &TEST_REFUSED);
        let mut tasks = Vec::new();
        for i in 0..NEW_REQUESTS {
            let permit = cap.try_start().expect("a free slot");
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1 + i as u64)).await;
                drop(permit);
            }));
        }
        let refused = (0..1000).filter(|_| cap.try_start().is_none()).count();
        assert_eq!(refused, 1000);
        assert_eq!(
            TEST_REFUSED
                .flush(tokio::time::Instant::now())
                .map(|s| s.dropped),
            Some(999)
        );
        // The first task ends after 1 s: one slot is free again, and only one.
        tasks.remove(0).await.expect("task ran");
        let again = cap.try_start();
        assert!(again.is_some());
        assert!(cap.try_start().is_none());
    }

    #[test]
    fn a_digit_per_datagram_is_cut_to_the_rate_and_a_person_is_not() {
        let start = std::time::Instant::now();
        let mut rate = Rate::new(DIGITS_PER_SECOND);
        // 1000 telephone-event packets a second, each a new event, for 2 s.
        let passed = (0..2000)
            .filter(|i| rate.allow(start + Duration::from_millis(*i)))
            .count();
        assert!((50..=76).contains(&passed), "{passed} passed");
        // An IVR sending a digit every 100 ms (50 ms tone, 50 ms gap) loses none.
        let later = start + Duration::from_secs(10);
        let mut rate = Rate::new(DIGITS_PER_SECOND);
        assert!((0..100).all(|i| rate.allow(later + Duration::from_millis(100 * i))));
    }
}
