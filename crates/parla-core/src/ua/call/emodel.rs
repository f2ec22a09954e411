//! The ITU-T G.107 E-model, simplified to what a softphone measures of the audio it hears:
//! R = (R0 - Is) - Idd - Ie,eff, with R0 - Is = 93.2 (G.107's default values), the delay
//! impairment Idd from the one-way mouth-to-ear delay, and the effective equipment impairment
//! Ie,eff from the codec and the packet loss. Echo (Idte) is left out: the echo canceller and
//! headsets keep it near zero, and we cannot measure the far end's echo loss. The advantage
//! factor A is 0 (wired access). The scale is narrowband: R tops at 93.2, MOS at 4.41, also
//! for wideband codecs (G.107.1's wideband scale would need wideband Ie values for each).

/// R0 - Is with G.107's default values.
const R_DEFAULTS: f32 = 93.2;
/// The network's one-way delay when RTCP has not measured a round trip yet.
const DEFAULT_NETWORK_MS: f32 = 20.0;
/// Capture and playout buffering of the sound device (DESIGN.md's budget: 10 ms each).
const DEVICE_MS: f32 = 20.0;
/// Audio per packet.
const FRAME_MS: f32 = 20.0;
/// Delays are capped here (the score is at its floor long before).
const MAX_DELAY_MS: f32 = 10_000.0;

/// What a codec adds to the impairment: G.113's equipment impairment Ie and packet-loss
/// robustness Bpl, and its own delay beyond the frame (lookahead).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CodecProfile {
    pub ie: f32,
    pub bpl: f32,
    pub lookahead_ms: f32,
}

/// G.711 with packet-loss concealment: G.113 Appendix I (Ie 0, Bpl 25.1 for random loss).
const G711: CodecProfile = CodecProfile {
    ie: 0.0,
    bpl: 25.1,
    lookahead_ms: 0.0,
};

/// The profile of a codec by its `a=rtpmap` encoding name (any case).
///
/// ITU-T gives no narrowband Ie/Bpl for Opus, and G.722's are on the wideband scale (G.113
/// Appendix IV). Both sound at least as good as G.711 without loss, so Ie is 0 here; for Bpl
/// G.711's value with concealment is taken, a conservative choice: Opus conceals with its own
/// model and in-band FEC, and G.722's Appendix III/IV concealment works like G.711's Appendix I.
/// The lookaheads are Opus's 6.5 ms (RFC 6716) and G.722's 1.5 ms QMF delay.
pub(crate) fn profile(encoding: &str) -> CodecProfile {
    if encoding.eq_ignore_ascii_case("opus") {
        CodecProfile {
            lookahead_ms: 6.5,
            ..G711
        }
    } else if encoding.eq_ignore_ascii_case("G722") {
        CodecProfile {
            lookahead_ms: 1.5,
            ..G711
        }
    } else {
        G711
    }
}

impl Default for CodecProfile {
    fn default() -> Self {
        G711
    }
}

/// What one stretch of a call was like on the receiving side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Conditions {
    /// The round trip RTCP measured; half of it is the network's one-way delay.
    pub rtt_ms: Option<f32>,
    /// The jitter buffer's target delay: how jitter is paid for in delay.
    pub jitter_buffer_ms: f32,
    /// Packets lost or too late to play, percent of those expected.
    pub loss_percent: f32,
}

impl Conditions {
    /// The one-way mouth-to-ear delay Ta, ms.
    pub fn mouth_to_ear_ms(&self, codec: &CodecProfile) -> f32 {
        let network = self
            .rtt_ms
            .map_or(DEFAULT_NETWORK_MS, |rtt| rtt.max(0.0) / 2.0);
        let ta =
            network + self.jitter_buffer_ms.max(0.0) + FRAME_MS + codec.lookahead_ms + DEVICE_MS;
        // Past a few seconds the score is at its floor anyway; NaN (no figure) counts as none.
        if ta.is_nan() {
            0.0
        } else {
            ta.min(MAX_DELAY_MS)
        }
    }
}

/// G.107's delay impairment Idd for a mouth-to-ear delay of `ta_ms` (0 up to 100 ms).
pub(crate) fn idd(ta_ms: f32) -> f32 {
    if ta_ms.is_nan() || ta_ms <= 100.0 {
        return 0.0;
    }
    let x = (ta_ms / 100.0).log2();
    let sixth = 1.0 / 6.0;
    25.0 * ((1.0 + x.powi(6)).powf(sixth) - 3.0 * (1.0 + (x / 3.0).powi(6)).powf(sixth) + 2.0)
}

/// G.107's effective equipment impairment for random loss (BurstR 1) of `loss_percent`.
pub(crate) fn ie_eff(codec: &CodecProfile, loss_percent: f32) -> f32 {
    let ppl = if loss_percent.is_finite() {
        loss_percent.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let burst_ratio = 1.0;
    codec.ie + (95.0 - codec.ie) * ppl / (ppl / burst_ratio + codec.bpl)
}

/// The rating R, 0 to 93.2.
pub(crate) fn r_factor(codec: &CodecProfile, conditions: &Conditions) -> f32 {
    let ta = conditions.mouth_to_ear_ms(codec);
    let r = R_DEFAULTS - idd(ta) - ie_eff(codec, conditions.loss_percent);
    if r.is_finite() {
        r.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// G.107's mapping of R to the mean opinion score, 1 to 4.5.
pub(crate) fn mos_from_r(r: f32) -> f32 {
    let r = r.clamp(0.0, 100.0);
    (1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r)).clamp(1.0, 4.5)
}

/// The estimated MOS of what we hear under `conditions` with `codec`.
pub(crate) fn mos(codec: &CodecProfile, conditions: &Conditions) -> f32 {
    mos_from_r(r_factor(codec, conditions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Conditions {
        Conditions {
            rtt_ms: Some(20.0),
            jitter_buffer_ms: 40.0,
            loss_percent: 0.0,
        }
    }

    fn g711(conditions: Conditions) -> f32 {
        mos(&profile("PCMU"), &conditions)
    }

    #[test]
    fn the_top_of_the_narrowband_scale_is_4_41() {
        assert!(
            (mos_from_r(93.2) - 4.41).abs() < 0.005,
            "{}",
            mos_from_r(93.2)
        );
        assert!((g711(clean()) - 4.41).abs() < 0.005, "{}", g711(clean()));
        assert_eq!(mos_from_r(0.0), 1.0);
        assert_eq!(mos_from_r(100.0), 4.5);
    }

    #[test]
    fn one_percent_loss_on_g711_costs_about_a_tenth() {
        let mos = g711(Conditions {
            loss_percent: 1.0,
            ..clean()
        });
        // Ie,eff = 95 / 26.1 = 3.64, R = 89.6.
        assert!((4.25..4.36).contains(&mos), "{mos}");
        let five = g711(Conditions {
            loss_percent: 5.0,
            ..clean()
        });
        assert!((3.6..4.0).contains(&five), "{five}");
    }

    #[test]
    fn idd_follows_g107() {
        assert_eq!(idd(100.0), 0.0);
        assert_eq!(idd(50.0), 0.0);
        // Worked by hand from G.107's formula: 3.0 at 200 ms, 14.7 at 300 ms, 24.1 at 400 ms.
        assert!((2.9..3.2).contains(&idd(200.0)), "{}", idd(200.0));
        assert!((14.5..15.0).contains(&idd(300.0)), "{}", idd(300.0));
        assert!((23.8..24.4).contains(&idd(400.0)), "{}", idd(400.0));
    }

    #[test]
    fn a_300_ms_delay_lowers_the_score() {
        // Ta = 220 + 40 + 20 + 20 = 300 ms: Idd 14.7, R 78.5.
        let far = g711(Conditions {
            rtt_ms: Some(440.0),
            ..clean()
        });
        assert!((3.9..4.05).contains(&far), "{far}");
    }

    #[test]
    fn monotonic_in_each_input() {
        let mut last = f32::INFINITY;
        for loss in [0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0] {
            let m = g711(Conditions {
                loss_percent: loss,
                ..clean()
            });
            assert!(m <= last, "loss {loss}: {m} after {last}");
            last = m;
        }
        let mut last = f32::INFINITY;
        for rtt in [0.0, 100.0, 200.0, 400.0, 600.0, 1000.0, 2000.0] {
            let m = g711(Conditions {
                rtt_ms: Some(rtt),
                ..clean()
            });
            assert!(m <= last, "rtt {rtt}: {m} after {last}");
            last = m;
        }
        let mut last = f32::INFINITY;
        for buffer in [0.0, 40.0, 100.0, 200.0, 400.0] {
            let m = g711(Conditions {
                jitter_buffer_ms: buffer,
                ..clean()
            });
            assert!(m <= last, "buffer {buffer}: {m} after {last}");
            last = m;
        }
        assert!(
            g711(Conditions {
                rtt_ms: Some(600.0),
                ..clean()
            }) < g711(clean())
        );
    }

    #[test]
    fn opus_pays_for_its_lookahead_only_past_100_ms() {
        let opus = profile("opus");
        assert_eq!(mos(&opus, &clean()), g711(clean()));
        let long = Conditions {
            jitter_buffer_ms: 200.0,
            ..clean()
        };
        assert!(mos(&opus, &long) < g711(long));
        assert_eq!(profile("unknown"), profile("pcma"));
    }

    #[test]
    fn nonsense_figures_give_a_score_in_range() {
        for loss in [f32::NAN, f32::INFINITY, -5.0, 1e9] {
            let m = g711(Conditions {
                loss_percent: loss,
                rtt_ms: Some(f32::NAN),
                jitter_buffer_ms: f32::INFINITY,
            });
            assert!((1.0..=4.5).contains(&m), "{loss}: {m}");
        }
    }
}
