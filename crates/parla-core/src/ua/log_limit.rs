//! Counts instead of lines for what a flood repeats: a scanner sending thousands of datagrams a
//! second must not write a log line for each (that would fill the disk). The first drop is
//! logged at once; after that at most one line per interval says how many were dropped, from
//! how many addresses.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How often a summary line may be written while drops go on.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(10);

/// Distinct addresses remembered per interval; beyond it the count is a lower bound.
const MAX_ADDRESSES: usize = 64;

/// SIP datagrams (and TCP/TLS connections) dropped because they came from an address other
/// than the line's server.
pub static SIP_DROPS: DropLog = DropLog::new(
    "SIP datagrams from addresses other than the line's server",
    SUMMARY_EVERY,
);

/// Direct SIP to a line that does not register from outside the local network (a line
/// set to take direct calls from the local network only).
pub static DIRECT_DROPS: DropLog = DropLog::new(
    "direct SIP datagrams from outside the local network",
    SUMMARY_EVERY,
);

/// Requests refused because the queue from the SIP stack to the line was full (a flood
/// through the server): answered 503 at once instead of waiting.
pub static INBOX_OVERFLOW: DropLog = DropLog::new(
    "SIP requests with 503 (the line's request queue was full)",
    SUMMARY_EVERY,
);

/// INVITEs refused with 486 because the phone already has as many calls as it takes.
pub static TOO_MANY_CALLS: DropLog = DropLog::new(
    "incoming calls with 486 (as many calls as the phone takes already)",
    SUMMARY_EVERY,
);

/// What one summary line reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub what: &'static str,
    pub dropped: u64,
    pub addresses: usize,
    /// True when more distinct addresses were seen than are remembered.
    pub more_addresses: bool,
    /// The time the count covers (zero for the first drop, logged at once).
    pub over: Duration,
}

impl Summary {
    fn log(&self) {
        let more = if self.more_addresses { "+" } else { "" };
        let noun = if self.addresses == 1 && !self.more_addresses {
            "address"
        } else {
            "addresses"
        };
        tracing::info!(
            dropped = self.dropped,
            addresses = self.addresses,
            "dropped {} {} in the last {} s (from {}{more} {noun})",
            self.dropped,
            self.what,
            self.over.as_secs(),
            self.addresses,
        );
    }
}

struct Window {
    /// When the last line was written; `None` before the first drop.
    logged_at: Option<Instant>,
    dropped: u64,
    addresses: Vec<IpAddr>,
    more_addresses: bool,
    /// A task will write what is counted when the interval is over.
    flush_pending: bool,
}

/// A rate-limited "dropped" counter.
pub struct DropLog {
    what: &'static str,
    every: Duration,
    window: Mutex<Window>,
}

impl DropLog {
    pub const fn new(what: &'static str, every: Duration) -> Self {
        Self {
            what,
            every,
            window: Mutex::new(Window {
                logged_at: None,
                dropped: 0,
                addresses: Vec::new(),
                more_addresses: false,
                flush_pending: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        match self.window.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Counts a drop from `ip` (if known), and logs a summary when one is due. What is counted
    /// after the last line is written when the interval ends, so the end of a flood is told
    /// too (by a task on the current tokio runtime, if there is one).
    pub fn note(&'static self, ip: impl Into<Option<IpAddr>>) {
        if let Some(summary) = self.count(ip, Instant::now()) {
            summary.log();
            return;
        }
        let due = {
            let mut w = self.lock();
            if w.flush_pending {
                return;
            }
            let Some(at) = w.logged_at else { return };
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            w.flush_pending = true;
            drop(w);
            (runtime, at + self.every)
        };
        let (runtime, due) = due;
        runtime.spawn(async move {
            tokio::time::sleep_until(due).await;
            if let Some(summary) = self.flush(Instant::now()) {
                summary.log();
            }
        });
    }

    /// Counts a drop from `ip` (if known) at `now`; the summary to log, when one is due (the
    /// first drop, or the first after an interval has passed since the last line).
    pub fn count(&self, ip: impl Into<Option<IpAddr>>, now: Instant) -> Option<Summary> {
        let ip = ip.into();
        let mut w = self.lock();
        w.dropped = w.dropped.saturating_add(1);
        if let Some(ip) = ip.filter(|ip| !w.addresses.contains(ip)) {
            if w.addresses.len() < MAX_ADDRESSES {
                w.addresses.push(ip);
            } else {
                w.more_addresses = true;
            }
        }
        let due = w
            .logged_at
            .is_none_or(|at| now.saturating_duration_since(at) >= self.every);
        due.then(|| self.take(&mut w, now))
    }

    /// What was counted since the last line, at `now` (the interval's end); `None` when
    /// nothing was.
    pub fn flush(&self, now: Instant) -> Option<Summary> {
        let mut w = self.lock();
        w.flush_pending = false;
        (w.dropped > 0).then(|| self.take(&mut w, now))
    }

    /// The summary of the window, which starts over at `now`.
    fn take(&self, w: &mut Window, now: Instant) -> Summary {
        let over = w
            .logged_at
            .map_or(Duration::ZERO, |at| now.saturating_duration_since(at));
        let summary = Summary {
            what: self.what,
            dropped: w.dropped,
            addresses: w.addresses.len(),
            more_addresses: w.more_addresses,
            over,
        };
        w.logged_at = Some(now);
        w.dropped = 0;
        w.addresses.clear();
        w.more_addresses = false;
        summary
    }

    #[cfg(test)]
    fn counted(&self) -> u64 {
        self.lock().dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_drop_is_logged_at_once_then_one_line_per_interval() {
        let log = DropLog::new("SIP datagrams", Duration::from_secs(10));
        let first = log.count(ip(2), Instant::now()).unwrap();
        assert_eq!(
            (first.dropped, first.addresses, first.over),
            (1, 1, Duration::ZERO)
        );
        let mut lines = vec![];
        // 1000 datagrams a second from three addresses for 35 s.
        for ms in 1..35_000u64 {
            tokio::time::advance(Duration::from_millis(1)).await;
            if let Some(s) = log.count(ip(2 + (ms % 3) as u8), Instant::now()) {
                lines.push(s);
            }
        }
        assert_eq!(lines.len(), 3, "{lines:?}");
        for s in &lines {
            assert_eq!(s.dropped, 10_000);
            assert_eq!(s.addresses, 3);
            assert_eq!(s.over, Duration::from_secs(10));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_drop_after_a_quiet_spell_is_logged_with_what_came_before() {
        let log = DropLog::new("SIP datagrams", Duration::from_secs(10));
        assert!(log.count(ip(2), Instant::now()).is_some());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(log.count(ip(3), Instant::now()).is_none());
        tokio::time::advance(Duration::from_secs(60)).await;
        let s = log.count(ip(3), Instant::now()).unwrap();
        assert_eq!((s.dropped, s.addresses), (2, 1));
        assert_eq!(s.over, Duration::from_secs(61));
    }

    #[tokio::test(start_paused = true)]
    async fn addresses_are_remembered_up_to_a_bound() {
        let log = DropLog::new("SIP datagrams", Duration::from_secs(10));
        assert!(log.count(ip(1), Instant::now()).is_some());
        for i in 0..1000u32 {
            let addr = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
            assert!(log.count(addr, Instant::now()).is_none());
        }
        tokio::time::advance(Duration::from_secs(10)).await;
        let s = log.count(ip(1), Instant::now()).unwrap();
        assert_eq!(s.dropped, 1001);
        assert_eq!(s.addresses, MAX_ADDRESSES);
        assert!(s.more_addresses);
    }

    #[tokio::test(start_paused = true)]
    async fn what_is_counted_after_the_last_line_is_written_when_the_interval_ends() {
        let log: &'static DropLog = Box::leak(Box::new(DropLog::new(
            "SIP datagrams",
            Duration::from_secs(10),
        )));
        log.note(ip(2));
        tokio::time::advance(Duration::from_secs(1)).await;
        for _ in 0..500 {
            log.note(ip(2));
        }
        assert_eq!(log.counted(), 500);
        // The flood stops; at the end of the interval the count is written and starts over.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(log.counted(), 0);
        assert!(log.flush(Instant::now()).is_none());
        // And a flush of something counted says how long it covers: since that line (at 10 s).
        tokio::time::advance(Duration::from_secs(3)).await;
        assert!(log.count(ip(4), Instant::now()).is_none());
        let s = log.flush(Instant::now()).unwrap();
        assert_eq!((s.dropped, s.over), (1, Duration::from_secs(4)));
    }
}
