//! Pacing a real-time loop (a call's media thread, the conference mixer) by deadlines from one
//! start instant, so it does not drift; a loop that falls far behind (suspend, debugger) skips
//! ahead instead of running the missed ticks in a burst.
//!
//! A call's loop can instead follow its microphone ([`Pacer::wait_ready`]): each tick runs when
//! the capture has a whole frame, so the frame does not wait in the ring for a clock whose
//! phase has nothing to do with the device's (that wait used to be a device period and a
//! margin, 8 ms). The deadlines move with the device; if it stays silent the clock takes over.
//!
//! Between two ticks the loop may have something else to do at a time of its own (a call plays
//! its frame when the jitter buffer wants it, see [`Pacer::wait_or`]).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Falling further behind than this many ticks skips ahead.
const MAX_LAG_TICKS: u64 = 5;
/// How much sooner than its deadline a tick may follow a ready source: the pace at which a
/// backlog drains (2 ms per 20 ms tick), and a device clock faster than ours is followed.
const READY_EARLY: Duration = Duration::from_millis(2);
/// How long past its deadline a tick waits for a source that is not ready: a device period
/// that comes late is waited for; a device that went quiet does not stop the call's clock.
const READY_LATE: Duration = Duration::from_millis(10);

pub(crate) struct Pacer {
    start: Instant,
    period: Duration,
    tick: u64,
    /// The next tick's deadline and the ticks skipped to it, while the loop waits for it.
    pending: Option<(Instant, u64)>,
    /// [`READY_LATE`], but for tests.
    late: Duration,
}

/// Why [`Pacer::wait_or`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake {
    /// The tick is due (or `stop` was set); so many ticks were skipped before it.
    Tick { skipped: u64 },
    /// The alarm came first; the tick is still to come.
    Alarm,
}

impl Pacer {
    /// Ticks every `period` from now.
    pub fn new(period: Duration) -> Self {
        Self {
            start: Instant::now(),
            period,
            tick: 0,
            pending: None,
            late: READY_LATE,
        }
    }

    fn span(&self, ticks: u64) -> Duration {
        let nanos = u64::try_from(self.period.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(nanos.saturating_mul(ticks))
    }

    /// Sleeps until the next tick is due (or `stop` is set) and returns how many ticks were
    /// skipped because the loop fell too far behind (0 nearly always). The tick follows
    /// `ready` (see `AudioSource::frame_ready`): it runs once `ready` says so, from
    /// [`READY_EARLY`] before its deadline to [`READY_LATE`] after it, and the next deadline is
    /// a period from then. `ready` returning `None` is the plain clock.
    pub fn wait_ready(&mut self, stop: &AtomicBool, ready: impl FnMut() -> Option<bool>) -> u64 {
        match self.wait_or(stop, ready, None) {
            Wake::Tick { skipped } => skipped,
            // No alarm was set.
            Wake::Alarm => 0,
        }
    }

    /// [`Pacer::wait_ready`], but returns at `alarm` if that comes before the tick; the next
    /// call waits for the same tick.
    pub fn wait_or(
        &mut self,
        stop: &AtomicBool,
        mut ready: impl FnMut() -> Option<bool>,
        alarm: Option<Instant>,
    ) -> Wake {
        let (deadline, skipped) = match self.pending {
            Some(pending) => pending,
            None => {
                let next = self.next_deadline();
                self.pending = Some(next);
                next
            }
        };
        let earliest = deadline.checked_sub(READY_EARLY).unwrap_or(deadline);
        let latest = deadline + self.late;
        // park_timeout may wake early (spuriously, or from `stop`): re-check everything.
        while !stop.load(Relaxed) {
            let now = Instant::now();
            let until = match ready() {
                None => deadline,
                Some(true) if now >= earliest => {
                    self.follow(now);
                    break;
                }
                Some(true) => earliest,
                Some(false) => latest,
            };
            if now >= until {
                break;
            }
            let until = match alarm {
                Some(alarm) if now >= alarm => return Wake::Alarm,
                Some(alarm) => until.min(alarm),
                None => until,
            };
            std::thread::park_timeout(until - now);
        }
        self.pending = None;
        Wake::Tick { skipped }
    }

    /// The next tick's deadline, after skipping ahead if the loop fell far behind, and the
    /// ticks skipped.
    fn next_deadline(&mut self) -> (Instant, u64) {
        self.tick += 1;
        let deadline = self.start + self.span(self.tick);
        let now = Instant::now();
        if now <= deadline + self.span(MAX_LAG_TICKS) {
            return (deadline, 0);
        }
        let skipped = ((now - deadline).as_nanos() / self.period.as_nanos().max(1)) as u64;
        self.tick += skipped;
        (self.start + self.span(self.tick), skipped)
    }

    /// Moves the deadlines so that the current tick's is `now`.
    fn follow(&mut self, now: Instant) {
        if let Some(start) = now.checked_sub(self.span(self.tick)) {
            self.start = start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    /// A source that becomes ready on another thread, past the deadline: the tick runs when
    /// it is woken (the slack is made far longer than the test), and the next deadline is a
    /// period from then.
    #[test]
    fn a_tick_follows_a_ready_source() {
        let stop = AtomicBool::new(false);
        let period = Duration::from_millis(20);
        let mut pacer = Pacer::new(period);
        pacer.late = Duration::from_secs(60);
        let ready = Arc::new(AtomicBool::new(false));
        let waiter = std::thread::current();
        let flag = Arc::clone(&ready);
        let notifier = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(25));
            flag.store(true, Relaxed);
            waiter.unpark();
        });
        let begun = Instant::now();
        let skipped = pacer.wait_ready(&stop, || Some(ready.load(Relaxed)));
        let ticked = Instant::now();
        assert!(ready.load(Relaxed), "ticked before the source was ready");
        assert!(ticked < begun + Duration::from_secs(30), "not woken");
        assert_eq!(skipped, 0);
        notifier.join().expect("notifier");
        let next = pacer.start + pacer.span(pacer.tick + 1);
        assert!(
            next >= ticked + period - Duration::from_millis(1),
            "deadlines moved with the source"
        );
    }

    /// An alarm before the tick returns first, and the tick that follows is the same one.
    #[test]
    fn an_alarm_before_the_tick_comes_first() {
        let stop = AtomicBool::new(false);
        let period = Duration::from_millis(30);
        let mut pacer = Pacer::new(period);
        let begun = pacer.start;
        let alarm = begun + Duration::from_millis(5);
        assert_eq!(pacer.wait_or(&stop, || None, Some(alarm)), Wake::Alarm);
        let woke = Instant::now();
        assert!(woke >= alarm && woke < begun + period, "{:?}", woke - begun);
        assert_eq!(
            pacer.wait_or(&stop, || None, None),
            Wake::Tick { skipped: 0 }
        );
        assert!(Instant::now() >= begun + period);
        assert_eq!(pacer.tick, 1, "one tick, not two");
        // An alarm after the tick does not hold it up.
        let late_alarm = Instant::now() + Duration::from_secs(60);
        assert_eq!(
            pacer.wait_or(&stop, || None, Some(late_alarm)),
            Wake::Tick { skipped: 0 }
        );
        assert!(Instant::now() < late_alarm);
    }

    /// A source never ready: the tick still comes (the call's clock goes on) and the deadlines
    /// stay on the clock's grid.
    #[test]
    fn a_silent_source_does_not_stop_the_clock() {
        let stop = AtomicBool::new(false);
        let mut pacer = Pacer::new(Duration::from_millis(5));
        let start = pacer.start;
        for _ in 0..3 {
            assert_eq!(pacer.wait_ready(&stop, || Some(false)), 0);
        }
        assert_eq!(pacer.start, start);
        assert!(Instant::now() >= start + Duration::from_millis(15));
    }
}
