//! One `call quality` line in the log when a call with audio ends: the figures the last
//! `quality` event showed, the loss over the whole call and an estimated MOS (`none` when
//! nothing was received). The diagnostics bundle gathers these lines.

use crate::api::CallId;
use parla_media::MediaStats;

/// Logs the call's final figures at `info`.
pub(crate) fn log(call: CallId, stats: &MediaStats) {
    let q = stats.quality;
    let loss_percent = loss_percent(stats);
    let mos = estimated_mos(stats);
    tracing::info!(
        call = %call,
        packets_received = stats.packets_received,
        packets_sent = stats.packets_sent,
        jitter_ms = format_args!("{:.1}", q.jitter_ms),
        lost = q.lost,
        late = q.late,
        concealed = q.concealed,
        loss_percent = format_args!("{loss_percent:.2}"),
        remote_loss_percent = %shown(q.remote_fraction_lost.map(|f| f * 100.0), 1),
        rtt_ms = %shown(q.rtt_ms, 0),
        mos = %shown(mos, 2),
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

/// The call's MOS so far; `None` while nothing was received (nothing to judge).
pub(crate) fn estimated_mos(stats: &MediaStats) -> Option<f32> {
    let q = stats.quality;
    (stats.packets_received > 0).then(|| mos(loss_percent(stats), q.jitter_ms, q.rtt_ms))
}

/// A figure with `decimals`, or `none` when there is none.
fn shown(value: Option<f32>, decimals: usize) -> String {
    value.map_or_else(|| "none".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The ITU-T G.107 E-model, simplified as is common for VoIP monitoring (after Cole and
/// Rosenbluth): R = 93.2 - Id - Ie with the one-way delay taken as RTT/2 (20 ms when unknown)
/// plus twice the jitter plus 10 ms of codec delay, Id = d/40 below 160 ms else (d-120)/10,
/// Ie = 2.5 per percent of loss; MOS = 1 + 0.035R + 7e-6 R(R-60)(100-R), 1 to 4.5.
pub(crate) fn mos(loss_percent: f32, jitter_ms: f32, rtt_ms: Option<f32>) -> f32 {
    let delay = rtt_ms.map_or(20.0, |r| r / 2.0) + 2.0 * jitter_ms + 10.0;
    let id = if delay < 160.0 {
        delay / 40.0
    } else {
        (delay - 120.0) / 10.0
    };
    let r = (93.2 - id - 2.5 * loss_percent).clamp(0.0, 100.0);
    (1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r)).clamp(1.0, 4.5)
}

#[cfg(test)]
mod tests {
    use super::mos;

    #[test]
    fn mos_falls_with_loss_and_delay() {
        let clean = mos(0.0, 2.0, Some(40.0));
        assert!(clean > 4.3 && clean <= 4.5, "{clean}");
        let lossy = mos(5.0, 2.0, Some(40.0));
        assert!(lossy < clean && lossy > 3.5, "{lossy}");
        let far = mos(0.0, 30.0, Some(600.0));
        assert!(far < clean, "{far}");
        assert_eq!(mos(100.0, 0.0, None), 1.0);
    }
}
