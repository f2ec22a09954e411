//! Automatic gain control: WebRTC's AGC2 adaptive digital controller, assembled from the parts
//! `sonora-agc2` publishes (speech level, noise level, saturation protection, the gain itself
//! and the limiter), with `earshot` (processing/speech.rs) in place of AGC2's RNN voice
//! detector. sonora builds AGC2 with that detector and no way to swap it; the detector was about
//! two thirds of the stage's 29 µs per 10 ms frame (now 11, `benches/echo.rs`), and the whole
//! chain has to stay within 1.5 times baresip's CPU in a call. Working here also avoids the
//! copies sonora's AGC2 allocates per frame. Left out from sonora's AGC2: the fixed gain (0 dB
//! here), the resets on an analog volume change (none is set) and the detector's reset every
//! 1.5 s (a cure for WebRTC's RNN detector, which earshot does not share).

use sonora_agc2::adaptive_digital_gain_controller::{AdaptiveDigitalGainController, FrameInfo};
use sonora_agc2::common::{
    float_s16_to_dbfs, ADJACENT_SPEECH_FRAMES_THRESHOLD, MAX_ABS_FLOAT_S16_VALUE,
    SATURATION_PROTECTOR_INITIAL_HEADROOM_DB,
};
use sonora_agc2::limiter::Limiter;
use sonora_agc2::noise_level_estimator::NoiseLevelEstimator;
use sonora_agc2::saturation_protector::SaturationProtector;
use sonora_agc2::speech_level_estimator::{AdaptiveDigitalConfig, SpeechLevelEstimator};

use super::speech::SpeechDetector;
use crate::sample::zero_non_finite;

/// Kept gentle: a small start gain and a slow slew, so a steady signal barely moves.
const CONFIG: AdaptiveDigitalConfig = AdaptiveDigitalConfig {
    headroom_db: 5.0,
    max_gain_db: 30.0,
    initial_gain_db: 6.0,
    max_gain_change_db_per_second: 3.0,
    max_output_noise_level_dbfs: -50.0,
};

pub(super) struct AutoGain {
    speech: SpeechDetector,
    speech_level: SpeechLevelEstimator,
    noise_level: NoiseLevelEstimator,
    saturation: SaturationProtector,
    gain: AdaptiveDigitalGainController,
    limiter: Limiter,
    /// The frame in AGC2's scale (16-bit sample values as floats).
    scaled: Vec<f32>,
}

impl AutoGain {
    /// For 10 ms frames of `frame_len` samples (at most 480) at `rate`.
    pub fn new(rate: u32, frame_len: usize) -> Self {
        Self {
            speech: SpeechDetector::new(rate, frame_len),
            speech_level: SpeechLevelEstimator::new(&CONFIG, ADJACENT_SPEECH_FRAMES_THRESHOLD),
            noise_level: NoiseLevelEstimator::default(),
            saturation: SaturationProtector::new(
                SATURATION_PROTECTOR_INITIAL_HEADROOM_DB,
                ADJACENT_SPEECH_FRAMES_THRESHOLD,
            ),
            gain: AdaptiveDigitalGainController::new(CONFIG, ADJACENT_SPEECH_FRAMES_THRESHOLD),
            limiter: Limiter::new(frame_len),
            scaled: vec![0.0; frame_len],
        }
    }

    /// Applies the gain to one 10 ms frame in place (samples in -1..1).
    pub fn process(&mut self, frame: &mut [f32]) {
        // One NaN would stay in the speech level estimate for the rest of the call.
        zero_non_finite(frame);
        let speech_probability = if self.speech.analyze(frame) { 1.0 } else { 0.0 };
        let (mut peak, mut energy) = (0.0f32, 0.0f32);
        for (scaled, &s) in self.scaled.iter_mut().zip(frame.iter()) {
            *scaled = s * MAX_ABS_FLOAT_S16_VALUE;
            peak = peak.max(scaled.abs());
            energy += *scaled * *scaled;
        }
        let rms_dbfs = float_s16_to_dbfs((energy / self.scaled.len() as f32).sqrt());
        let noise_rms_dbfs = self.noise_level.analyze(&[&self.scaled[..]]);
        self.speech_level.update(rms_dbfs, speech_probability);
        let speech_level_dbfs = self.speech_level.level_dbfs();
        self.saturation.analyze(
            speech_probability,
            float_s16_to_dbfs(peak),
            speech_level_dbfs,
        );
        let info = FrameInfo {
            speech_probability,
            speech_level_dbfs,
            speech_level_reliable: self.speech_level.is_confident(),
            noise_rms_dbfs,
            headroom_db: self.saturation.headroom_db(),
            limiter_envelope_dbfs: float_s16_to_dbfs(self.limiter.last_audio_level()),
        };
        self.gain.process(&info, &mut [&mut self.scaled[..]]);
        self.limiter.process(&mut [&mut self.scaled[..]]);
        for (s, &scaled) in frame.iter_mut().zip(&self.scaled) {
            *s = scaled / MAX_ABS_FLOAT_S16_VALUE;
        }
    }
}
