//! The lowest headroom of recent pops: what a frame dropped now would take from every one of
//! them, not just from the packet at hand.

/// Pops per window: half a second of 20 ms frames.
const WINDOW_POPS: u32 = 25;

/// The lowest headroom over the current and the previous window of pops.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecentLow {
    current: f64,
    previous: f64,
    pops: u32,
}

impl RecentLow {
    pub fn new() -> Self {
        Self {
            current: f64::INFINITY,
            previous: f64::INFINITY,
            pops: 0,
        }
    }

    /// Records the headroom of the packet due at this pop.
    pub fn observe(&mut self, headroom_ms: f64) {
        self.current = self.current.min(headroom_ms);
        self.pops += 1;
        if self.pops >= WINDOW_POPS {
            self.previous = self.current;
            self.current = f64::INFINITY;
            self.pops = 0;
        }
    }

    /// The lowest headroom seen over the last one to two windows (infinite before any).
    pub fn get(&self) -> f64 {
        self.current.min(self.previous)
    }

    /// Whether a whole window has been seen (before that the low says too little).
    pub fn is_full(&self) -> bool {
        self.previous.is_finite()
    }

    /// Less headroom by `ms` from now on (a frame was dropped).
    pub fn lower(&mut self, ms: f64) {
        self.current -= ms;
        self.previous -= ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_low_covers_the_last_window_and_more() {
        let mut low = RecentLow::new();
        assert_eq!(low.get(), f64::INFINITY);
        low.observe(30.0);
        assert!(!low.is_full());
        for _ in 1..WINDOW_POPS {
            low.observe(50.0);
        }
        assert_eq!(low.get(), 30.0, "a full window keeps its lowest");
        assert!(low.is_full());
        for _ in 0..WINDOW_POPS {
            low.observe(50.0);
        }
        assert_eq!(low.get(), 50.0, "two windows later the dip is forgotten");
        low.lower(20.0);
        assert_eq!(low.get(), 30.0);
    }
}
