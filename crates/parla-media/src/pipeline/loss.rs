//! How much packet loss the encoder prepares for (Opus: its in-band FEC), from what the far end
//! reports about our stream in RTCP.
//!
//! An expected loss makes the encoder predict less from past frames, which costs quality on a
//! clean path (wideband PESQ 3.73 at 5 % against 3.82 at 0 on `benches/opus_complexity.rs`'s
//! speech), so a path that loses nothing gets 0. One that loses gets what it loses: libopus
//! then decides on FEC by its own rate test (`decide_fec` in opus_encoder.c). At 32 kbit/s full
//! band that gives FEC at 1 % and from 6 % up (above 5 % it narrows the band until FEC fits),
//! not from 2 to 5 %. Asking for 6 % there would force FEC in, but the narrower, thinner main
//! layer then costs a far end that does not decode FEC (baresip 1.0 as packaged) more than
//! FEC gives the ones that do. Which kind the far end is, its SDP's `useinbandfec` says: without
//! it the encoder is built with FEC off (`OpusSettings::inband_fec`), and the expected loss
//! still makes it predict less from past frames but adds no FEC.

/// Reports looked back over: a clean path turns FEC off after this many clean reports (about
/// 15 s at RTCP's 5 s interval); a lossy one turns it on at its first report.
const WINDOW: usize = 3;
/// A loss share below this counts as none: one packet in a 5 s report is 0.4 %.
const NONE_BELOW: f32 = 0.005;
/// libopus's FEC rate test does not look further.
const MAX_PERCENT: u8 = 25;

pub(super) struct LossExpectation {
    /// The far end's latest loss shares (0.0-1.0), oldest first.
    recent: [f32; WINDOW],
    current: u8,
}

impl LossExpectation {
    /// No loss expected until a report says otherwise.
    pub fn new() -> Self {
        Self {
            recent: [0.0; WINDOW],
            current: 0,
        }
    }

    /// A report's loss share (RTCP's fraction lost); the new expectation in percent when it
    /// changes.
    pub fn on_report(&mut self, fraction_lost: f32) -> Option<u8> {
        self.recent.rotate_left(1);
        self.recent[WINDOW - 1] = if fraction_lost.is_finite() {
            fraction_lost.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let worst = self.recent.iter().copied().fold(0.0, f32::max);
        let percent = if worst < NONE_BELOW {
            0
        } else {
            ((worst * 100.0).ceil() as u8).clamp(1, MAX_PERCENT)
        };
        (percent != self.current).then(|| {
            self.current = percent;
            percent
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_path_expects_nothing_and_a_stray_packet_changes_nothing() {
        let mut loss = LossExpectation::new();
        assert_eq!(loss.on_report(0.0), None);
        assert_eq!(loss.on_report(1.0 / 256.0), None);
    }

    #[test]
    fn loss_is_expected_from_the_first_report_that_shows_it() {
        let mut loss = LossExpectation::new();
        assert_eq!(loss.on_report(3.0 / 256.0), Some(2));
        assert_eq!(loss.on_report(30.0 / 256.0), Some(12));
        assert_eq!(loss.on_report(1.0), Some(MAX_PERCENT));
    }

    #[test]
    fn fec_goes_off_only_after_a_window_of_clean_reports() {
        let mut loss = LossExpectation::new();
        assert_eq!(loss.on_report(0.1), Some(10));
        assert_eq!(loss.on_report(0.0), None);
        assert_eq!(loss.on_report(0.0), None);
        assert_eq!(loss.on_report(0.0), Some(0));
    }

    #[test]
    fn a_nonsense_share_counts_as_no_loss() {
        let mut loss = LossExpectation::new();
        assert_eq!(loss.on_report(f32::NAN), None);
        assert_eq!(loss.on_report(-1.0), None);
    }
}
