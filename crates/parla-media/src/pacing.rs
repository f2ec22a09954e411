//! Pacing a real-time loop (a call's media thread, the conference mixer) by deadlines from one
//! start instant, so it does not drift; a loop that falls far behind (suspend, debugger) skips
//! ahead instead of running the missed ticks in a burst.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Falling further behind than this many ticks skips ahead.
const MAX_LAG_TICKS: u64 = 5;

pub(crate) struct Pacer {
    start: Instant,
    period: Duration,
    tick: u64,
}

impl Pacer {
    /// Ticks every `period` from now.
    pub fn new(period: Duration) -> Self {
        Self {
            start: Instant::now(),
            period,
            tick: 0,
        }
    }

    fn span(&self, ticks: u64) -> Duration {
        let nanos = u64::try_from(self.period.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(nanos.saturating_mul(ticks))
    }

    /// Sleeps until the next tick is due (or `stop` is set) and returns how many ticks were
    /// skipped because the loop fell too far behind (0 nearly always).
    pub fn wait_next(&mut self, stop: &AtomicBool) -> u64 {
        self.tick += 1;
        let mut deadline = self.start + self.span(self.tick);
        let now = Instant::now();
        let mut skipped = 0;
        if now > deadline + self.span(MAX_LAG_TICKS) {
            skipped = ((now - deadline).as_nanos() / self.period.as_nanos().max(1)) as u64;
            self.tick += skipped;
            deadline = self.start + self.span(self.tick);
        }
        // park_timeout may wake early (spuriously, or from `stop`): re-check both.
        while !stop.load(Relaxed) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            std::thread::park_timeout(deadline - now);
        }
        skipped
    }
}
