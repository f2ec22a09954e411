//! A call's quality as the `quality` events and the history show it: an E-model MOS for each
//! stretch between two reports (the loss of that stretch, not of the whole call), and for the
//! whole call the mean of those, weighted by the packets each expected. When a call with audio
//! ends, one `call quality` line in the log gives its final figures (the diagnostics bundle
//! gathers these lines).

use super::emodel::{self, CodecProfile, Conditions};
use crate::api::CallId;
use parla_media::MediaStats;

/// The counters at the last report.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counts {
    received: u64,
    lost: u64,
    late: u64,
}

impl Counts {
    fn of(stats: &MediaStats) -> Self {
        Self {
            received: stats.packets_received,
            lost: stats.quality.lost,
            late: stats.quality.late,
        }
    }
}

/// Kept by a call from the start of its audio: the codec, the counters at the last report
/// and the interval scores so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct QualityTally {
    codec: CodecProfile,
    last: Counts,
    last_mos: Option<f32>,
    /// Sum of interval score x packets expected, and of the packets expected.
    weighted: f64,
    expected: u64,
}

impl QualityTally {
    /// The codec the audio uses from now on (its `a=rtpmap` encoding name).
    pub fn set_codec(&mut self, encoding: &str) {
        self.codec = emodel::profile(encoding);
    }

    /// The MOS of the stretch since the last call; the last one again when nothing was
    /// expected in it (on hold), `None` before anything was received.
    pub fn interval(&mut self, stats: &MediaStats) -> Option<f32> {
        let now = Counts::of(stats);
        // A restarted audio session counts from zero again.
        let since = if now.received < self.last.received || now.lost < self.last.lost {
            Counts::default()
        } else {
            self.last
        };
        self.last = now;
        let received = now.received - since.received;
        let lost = now.lost - since.lost;
        let late = now.late.saturating_sub(since.late);
        let expected = received + lost;
        if expected == 0 {
            return self.last_mos;
        }
        let loss_percent = ((lost + late) as f64 * 100.0 / expected as f64).min(100.0) as f32;
        let mos = emodel::mos(
            &self.codec,
            &Conditions {
                rtt_ms: stats.quality.rtt_ms,
                jitter_buffer_ms: stats.quality.buffer_delay_ms as f32,
                loss_percent,
            },
        );
        self.weighted += f64::from(mos) * expected as f64;
        self.expected += expected;
        self.last_mos = Some(mos);
        Some(mos)
    }

    /// The whole call's MOS, the stretch since the last report included; `None` when nothing
    /// was received.
    pub fn call_mos(&mut self, stats: &MediaStats) -> Option<f32> {
        self.interval(stats);
        (self.expected > 0).then(|| (self.weighted / self.expected as f64) as f32)
    }
}

/// Logs the call's final figures at `info`, with the whole call's `mos`.
pub(crate) fn log(call: CallId, stats: &MediaStats, mos: Option<f32>) {
    let q = stats.quality;
    let loss_percent = loss_percent(stats);
    tracing::info!(
        call = %call,
        packets_received = stats.packets_received,
        packets_sent = stats.packets_sent,
        jitter_ms = format_args!("{:.1}", q.jitter_ms),
        jitter_target_ms = q.target_delay_ms,
        jitter_buffer_ms = q.buffer_delay_ms,
        lost = q.lost,
        late = q.late,
        concealed = q.concealed,
        loss_percent = format_args!("{loss_percent:.2}"),
        remote_loss_percent = %shown(q.remote_fraction_lost.map(|f| f * 100.0), 1),
        rtt_ms = %shown(q.rtt_ms, 0),
        mos = %shown(mos, 2),
        srtp_rejected = stats.srtp_rejected,
        "call quality"
    );
}

fn loss_percent(stats: &MediaStats) -> f32 {
    let lost = stats.quality.lost;
    let expected = stats.packets_received + lost;
    if expected == 0 {
        0.0
    } else {
        lost as f32 * 100.0 / expected as f32
    }
}

/// A figure with `decimals`, or `none` when there is none.
fn shown(value: Option<f32>, decimals: usize) -> String {
    value.map_or_else(|| "none".to_owned(), |v| format!("{v:.decimals$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(received: u64, lost: u64, late: u64) -> MediaStats {
        let mut s = MediaStats {
            packets_received: received,
            ..MediaStats::default()
        };
        s.quality.lost = lost;
        s.quality.late = late;
        s.quality.buffer_delay_ms = 40;
        s.quality.rtt_ms = Some(20.0);
        s
    }

    #[test]
    fn nothing_received_is_no_score() {
        let mut tally = QualityTally::default();
        assert_eq!(tally.interval(&stats(0, 0, 0)), None);
        assert_eq!(tally.call_mos(&stats(0, 0, 0)), None);
    }

    #[test]
    fn each_report_scores_its_own_stretch() {
        let mut tally = QualityTally::default();
        tally.set_codec("PCMU");
        let clean = tally.interval(&stats(100, 0, 0)).unwrap();
        assert!(clean > 4.4, "{clean}");
        // 10 of the next 100 lost: that stretch is poor...
        let lossy = tally.interval(&stats(190, 10, 0)).unwrap();
        assert!(lossy < 3.7, "{lossy}");
        // ...and the next clean one is good again, whatever the call's total.
        let again = tally.interval(&stats(290, 10, 0)).unwrap();
        assert_eq!(again, clean);
        // Late packets count as lost.
        let late = tally.interval(&stats(390, 10, 10)).unwrap();
        assert_eq!(late, lossy);
        // On hold nothing is expected: the last score stands and weighs nothing.
        assert_eq!(tally.interval(&stats(390, 10, 10)), Some(late));
        let whole = tally.call_mos(&stats(390, 10, 10)).unwrap();
        let mean = (2.0 * clean + 2.0 * lossy) / 4.0;
        assert!((whole - mean).abs() < 1e-4, "{whole} vs {mean}");
    }

    #[test]
    fn a_restarted_session_counts_afresh() {
        let mut tally = QualityTally::default();
        tally.interval(&stats(500, 0, 0));
        let m = tally.interval(&stats(100, 0, 0)).unwrap();
        assert!(m > 4.4, "{m}");
    }

    #[test]
    fn a_short_call_is_scored_at_its_end() {
        let mut tally = QualityTally::default();
        let m = tally.call_mos(&stats(50, 0, 0)).unwrap();
        assert!(m > 4.4, "{m}");
    }
}
