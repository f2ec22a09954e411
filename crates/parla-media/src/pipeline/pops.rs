//! When a call's media loop plays its next frame: at an offset after each tick (the microphone's
//! frame), which the jitter buffer's lead brings forward (`JitterBuffer::take_lead`). A packet
//! then waits for its pop only as long as the jitter needs, not for the next tick: in the echo
//! test, where a packet comes back within the tick that sent it, that was a whole frame.
//!
//! The pops stay anchored to the ticks, so they keep the microphone's clock (and, with it, the
//! sound card's). When they come earlier the speaker's queue drops as much of what comes next
//! (`AudioSink::come_forward`, crossfaded), and the recording and the echo canceller's
//! reference skip it too (see `Pipeline::playout`): else it would stay queued as delay.

use std::time::{Duration, Instant};

pub(super) struct PopSchedule {
    ptime: Duration,
    /// How long after each tick its pop comes: below a ptime.
    offset: Duration,
    /// When the current tick started.
    tick: Instant,
    /// The pop still to come, if any.
    due: Option<Instant>,
}

impl PopSchedule {
    /// Pops in the tick itself until a lead says otherwise.
    pub fn new(ptime: Duration) -> Self {
        Self {
            ptime,
            offset: Duration::ZERO,
            tick: Instant::now(),
            due: None,
        }
    }

    /// A tick starts at `now`: its pop is due `offset` later. A pop of the previous tick that
    /// is still to come (the tick came a little early) is to be played before this.
    pub fn start_tick(&mut self, now: Instant) {
        self.tick = now;
        self.due = Some(now + self.offset);
    }

    /// When the next pop is due, if one is still to come.
    pub fn next(&self) -> Option<Instant> {
        self.due
    }

    pub fn is_due(&self, now: Instant) -> bool {
        self.due.is_some_and(|due| due <= now)
    }

    /// A pop was played; the following ones come `lead` earlier (less than a ptime). One that
    /// falls before the next tick comes in this one.
    pub fn popped(&mut self, lead: Duration) {
        self.due = None;
        let lead = lead.min(self.ptime);
        match self.offset.checked_sub(lead) {
            Some(offset) => self.offset = offset,
            None => {
                self.offset = self.offset + self.ptime - lead;
                self.due = Some(self.tick + self.offset);
            }
        }
    }

    /// How long after each tick the pops come.
    #[cfg(test)]
    pub fn offset(&self) -> Duration {
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PTIME: Duration = Duration::from_millis(20);
    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn pops_start_in_the_tick_and_move_earlier_by_each_lead() {
        let mut pops = PopSchedule::new(PTIME);
        let t0 = Instant::now();
        pops.start_tick(t0);
        assert!(pops.is_due(t0), "in the tick itself");
        // A 5 ms lead from offset 0: the next pop falls 15 ms into this tick.
        pops.popped(5 * MS);
        assert_eq!(pops.offset(), 15 * MS);
        assert_eq!(pops.next(), Some(t0 + 15 * MS));
        assert!(!pops.is_due(t0 + 14 * MS));
        assert!(pops.is_due(t0 + 15 * MS));
        pops.popped(Duration::ZERO);
        // The next tick's pop is 15 ms after it, then 3 ms earlier.
        let t1 = t0 + PTIME;
        pops.start_tick(t1);
        assert_eq!(pops.next(), Some(t1 + 15 * MS));
        pops.popped(3 * MS);
        assert_eq!(pops.offset(), 12 * MS);
        assert_eq!(pops.next(), None);
    }

    #[test]
    fn a_pop_that_falls_before_the_next_tick_comes_in_this_one() {
        let mut pops = PopSchedule::new(PTIME);
        let t0 = Instant::now();
        pops.start_tick(t0);
        pops.popped(PTIME - MS);
        assert_eq!(pops.offset(), MS);
        pops.popped(2 * MS);
        assert_eq!(pops.offset(), 19 * MS);
        // The next tick comes 18 ms later, before this tick's pop at 19 ms: that one is still
        // to come when it starts.
        assert_eq!(pops.next(), Some(t0 + 19 * MS));
        pops.popped(Duration::ZERO);
        pops.start_tick(t0 + 18 * MS);
        assert_eq!(pops.next(), Some(t0 + 37 * MS));
    }
}
