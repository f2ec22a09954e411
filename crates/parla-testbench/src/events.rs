//! A thread-safe log of JSON events that tests can wait on.
//!
//! Every event ever received is kept (`all()`), so a test can assert that something did NOT
//! happen. `wait_for` hands out each event at most once: it returns the oldest matching event
//! not returned before, so waiting twice for "CALL_ESTABLISHED" waits for two calls.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

#[derive(Debug, Default)]
struct Inner {
    /// Each event, whether `wait_for` returned it, and when it arrived.
    events: Vec<(Value, bool, Instant)>,
    closed: bool,
}

/// Shared between the reader thread (which pushes) and the test (which waits).
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    inner: Arc<(Mutex<Inner>, Condvar)>,
}

/// Why `wait_for` returned without an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFailure {
    TimedOut,
    /// The stream ended (peer closed the connection or exited) and nothing matched.
    Closed,
}

impl EventLog {
    pub fn new() -> EventLog {
        EventLog::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn push(&self, event: Value) {
        self.lock().events.push((event, false, Instant::now()));
        self.inner.1.notify_all();
    }

    /// Marks the stream as ended; waiters stop waiting once nothing more can come.
    pub fn close(&self) {
        self.lock().closed = true;
        self.inner.1.notify_all();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Every event received so far, in order.
    pub fn all(&self) -> Vec<Value> {
        self.lock().events.iter().map(|(e, ..)| e.clone()).collect()
    }

    /// True if any event received so far matches (whether or not it was already returned).
    pub fn any(&self, pred: impl Fn(&Value) -> bool) -> bool {
        self.lock().events.iter().any(|(e, ..)| pred(e))
    }

    /// Waits for the oldest not-yet-returned event that matches `pred`.
    pub fn wait_for(
        &self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Result<Value, WaitFailure> {
        self.wait_for_timed(pred, timeout).map(|(event, _)| event)
    }

    /// As [`EventLog::wait_for`], with the time the event arrived (read off its stream): for
    /// latencies between two peers' events, whichever the test waits for first.
    pub fn wait_for_timed(
        &self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Result<(Value, Instant), WaitFailure> {
        let deadline = Instant::now() + timeout;
        let mut inner = self.lock();
        loop {
            if let Some((event, taken, at)) =
                inner.events.iter_mut().find(|(e, t, _)| !*t && pred(e))
            {
                *taken = true;
                return Ok((event.clone(), *at));
            }
            if inner.closed {
                return Err(WaitFailure::Closed);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitFailure::TimedOut);
            }
            inner = self
                .inner
                .1
                .wait_timeout(inner, deadline - now)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_event_is_returned_once_and_all_are_kept() {
        let log = EventLog::new();
        log.push(json!({"type": "A"}));
        log.push(json!({"type": "B"}));
        log.push(json!({"type": "A", "n": 2}));
        let is_a = |v: &Value| v["type"] == "A";
        let short = Duration::from_millis(10);
        assert_eq!(log.wait_for(is_a, short), Ok(json!({"type": "A"})));
        assert_eq!(log.wait_for(is_a, short), Ok(json!({"type": "A", "n": 2})));
        assert_eq!(log.wait_for(is_a, short), Err(WaitFailure::TimedOut));
        assert_eq!(log.all().len(), 3);
        log.close();
        assert_eq!(log.wait_for(is_a, short), Err(WaitFailure::Closed));
    }

    #[test]
    fn a_waiter_wakes_on_a_later_push() {
        let log = EventLog::new();
        let pusher = log.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            pusher.push(json!({"type": "late"}));
        });
        let got = log.wait_for(|v| v["type"] == "late", Duration::from_secs(5));
        assert!(got.is_ok());
        assert!(t.join().is_ok());
    }
}
