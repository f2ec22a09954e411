//! `take_lead`: bringing the pops forward by less than a frame.
//!
//! The buffer adapts its delay a whole frame at a time, but when the packets come just after
//! the media loop's tick (as in the echo test, where a packet is sent and received in the same
//! tick), a whole frame is what the jitter costs however small it is. The caller chooses when
//! to pop: when every recent pop found its packet with more headroom than the target needs,
//! the pops may come that much earlier, and each packet then plays that much sooner.

use super::{JitterBuffer, GROW_TOLERANCE_MS};

/// Headroom kept above what a pop needs: the pops' own timing wobbles (the loop follows the
/// microphone, and a wake-up comes a fraction of a ms late).
const LEAD_MARGIN_MS: f64 = 2.5;
/// Smaller leads are not taken: each one is a cut in what the speaker plays (crossfaded), not
/// worth it for less.
const MIN_LEAD_MS: f64 = 1.0;
/// Pops between two leads: the recent low must have seen the pops at their new time.
const LEAD_SPACING_POPS: u32 = 25;

impl JitterBuffer {
    /// How much earlier (ms, below a frame; 0 nearly always) the pops may come from now on.
    /// Called after each pop; what it returns is taken as done: the recent headrooms are
    /// lowered by it. A frame or more to spare is the shrink's, in `pop`.
    pub fn take_lead(&mut self) -> f64 {
        if self.lead_wait > 0 {
            self.lead_wait -= 1;
            return 0.0;
        }
        let playing = self.stream.is_some_and(|st| st.start_at_ms.is_none());
        if !playing || !self.low.is_full() {
            return 0.0;
        }
        // While packets are being lost the frame the target keeps is there so that the packet
        // after a loss is at hand when the loss plays (Opus FEC): that packet's usual jitter
        // comes on top.
        let for_fec = self.floor_ms + self.est.jitter_ms();
        let needed = (self.target_ms() - GROW_TOLERANCE_MS).max(for_fec);
        let frame = f64::from(self.cfg.ptime_ms);
        let spare = self.low.get() - needed - LEAD_MARGIN_MS;
        if spare < MIN_LEAD_MS {
            return 0.0;
        }
        let lead = spare.min(frame - MIN_LEAD_MS);
        self.low.lower(lead);
        self.lead_wait = LEAD_SPACING_POPS;
        lead
    }
}
