//! The chain itself: WebRTC's audio processing module as ported to Rust by `sonora` (high-pass
//! filter, AEC3 with its own delay estimation, noise suppression), fed in 10 ms frames, then
//! AGC2's adaptive digital gain around a cheaper voice detector (processing/gain.rs). Chosen
//! over `aec3` 0.4 (the same AEC3 figures in benches/echo.rs, but its graph runtime allocates
//! about twice as often per frame and it does not take 8 kHz) and `speexdsp` (no delay
//! estimation; its bindings need libclang to build).

use sonora::config::{EchoCanceller, HighPassFilter, NoiseSuppression, NoiseSuppressionLevel};
use sonora::{AudioProcessing, Config, StreamConfig};

use super::gain::AutoGain;
use super::{ProcessingConfig, ProcessingStats, FRAME_MS};
use crate::error::MediaError;

/// Render frames accepted between two capture calls; beyond this the capture side has
/// stalled and further speaker audio is dropped rather than queued.
pub(super) const MAX_RENDER_BACKLOG: usize = 8;

pub(super) struct Chain {
    apm: AudioProcessing,
    frame: usize,
    /// Speaker audio until a whole 10 ms frame is there.
    render_pending: Vec<f32>,
    /// Where the module writes its (unused) render output.
    render_out: Vec<f32>,
    capture_out: Vec<f32>,
    render_since_capture: usize,
    gain: Option<AutoGain>,
}

fn module_config(config: &ProcessingConfig) -> Config {
    Config {
        high_pass_filter: config.high_pass.then(HighPassFilter::default),
        echo_canceller: config.echo_cancellation.then(|| EchoCanceller {
            enforce_high_pass_filtering: config.high_pass,
            ..EchoCanceller::default()
        }),
        noise_suppression: config.noise_suppression.then(|| NoiseSuppression {
            level: NoiseSuppressionLevel::Moderate,
            ..NoiseSuppression::default()
        }),
        ..Config::default()
    }
}

impl Chain {
    pub fn new(config: &ProcessingConfig, rate: u32) -> Result<Self, MediaError> {
        if ![8000, 16000, 32000, 48000].contains(&rate) {
            return Err(MediaError::InvalidConfig(format!(
                "audio processing runs at 8, 16, 32 or 48 kHz, not {rate} Hz"
            )));
        }
        let stream = StreamConfig::new(rate, 1);
        let apm = AudioProcessing::builder()
            .config(module_config(config))
            .capture_config(stream)
            .render_config(stream)
            .build();
        let frame = (rate * FRAME_MS / 1000) as usize;
        Ok(Self {
            apm,
            frame,
            render_pending: Vec::with_capacity(frame),
            render_out: vec![0.0; frame],
            capture_out: vec![0.0; frame],
            render_since_capture: 0,
            gain: config.auto_gain.then(|| AutoGain::new(rate, frame)),
        })
    }

    pub fn render(&mut self, mut played: &[f32]) {
        while !played.is_empty() {
            let take = (self.frame - self.render_pending.len()).min(played.len());
            self.render_pending.extend_from_slice(&played[..take]);
            played = &played[take..];
            if self.render_pending.len() < self.frame {
                break;
            }
            if self.render_since_capture < MAX_RENDER_BACKLOG {
                self.render_since_capture += 1;
                // Only fails on a format mismatch, which `new` rules out.
                let _ = self.apm.process_render_f32(
                    &[&self.render_pending[..]],
                    &mut [&mut self.render_out[..]],
                );
            }
            self.render_pending.clear();
        }
    }

    pub fn capture(&mut self, frame: &mut [f32]) {
        self.render_since_capture = 0;
        for chunk in frame.chunks_exact_mut(self.frame) {
            // AEC3 finds the delay itself; the module still wants a value each frame.
            let _ = self.apm.set_stream_delay_ms(0);
            if self
                .apm
                .process_capture_f32(&[&chunk[..]], &mut [&mut self.capture_out[..]])
                .is_ok()
            {
                chunk.copy_from_slice(&self.capture_out);
                if let Some(gain) = self.gain.as_mut() {
                    gain.process(chunk);
                }
            }
        }
    }

    #[cfg(test)]
    pub fn render_backlog(&self) -> usize {
        self.render_since_capture
    }

    pub fn stats(&self) -> ProcessingStats {
        let stats = self.apm.statistics();
        ProcessingStats {
            erle_db: stats.echo_return_loss_enhancement.map(|v| v as f32),
            echo_delay_ms: stats
                .delay_ms
                .or(stats.delay_median_ms)
                .and_then(|d| u32::try_from(d).ok()),
        }
    }
}
