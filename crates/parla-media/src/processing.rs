//! Microphone processing on the media thread, never in a device callback: a high-pass filter
//! against hum, acoustic echo cancellation fed with what the speaker is about to play, noise
//! suppression and automatic gain. Works in 10 ms frames at the capture rate (8, 16, 32 or 48 kHz)
//! with `sonora` (WebRTC's audio processing module in Rust; chosen by `benches/echo.rs`, see
//! processing/chain.rs) and `sonora-agc2`'s gain control around `earshot`'s voice detector
//! (processing/gain.rs). Our buffers are allocated in [`CaptureProcessor::new`]; sonora 0.2 still
//! allocates small buffers inside AEC3 and AGC2's limiter each frame (processing/tests.rs pins
//! the rest).
//! The chain delays the microphone by about 8 ms (AEC alone) to 15 ms (all stages).

use crate::error::MediaError;

mod chain;
mod gain;
mod speech;
#[cfg(test)]
mod tests;

use chain::Chain;

/// The unit the processor works in.
pub const FRAME_MS: u32 = 10;

/// Which stages run. The app's default is all on; [`ProcessingConfig::OFF`] for files and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessingConfig {
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub auto_gain: bool,
    pub high_pass: bool,
}

impl ProcessingConfig {
    pub const OFF: Self = Self {
        echo_cancellation: false,
        noise_suppression: false,
        auto_gain: false,
        high_pass: false,
    };

    pub fn is_off(&self) -> bool {
        *self == Self::OFF
    }
}

impl Default for ProcessingConfig {
    fn default() -> Self {
        Self {
            echo_cancellation: true,
            noise_suppression: true,
            auto_gain: true,
            high_pass: true,
        }
    }
}

/// What the processor reports about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessingStats {
    /// Echo return loss enhancement the canceller estimates, dB.
    pub erle_db: Option<f32>,
    /// The echo path's delay the canceller found, ms.
    pub echo_delay_ms: Option<u32>,
}

/// The microphone's processing chain for one call's capture stream.
pub struct CaptureProcessor {
    config: ProcessingConfig,
    rate: u32,
    /// `None` when every stage is off: audio passes untouched.
    chain: Option<Chain>,
}

impl CaptureProcessor {
    /// A chain for mono audio at `rate` (8000, 16000, 32000 or 48000).
    pub fn new(config: ProcessingConfig, rate: u32) -> Result<Self, MediaError> {
        let chain = if config.is_off() {
            None
        } else {
            Some(Chain::new(&config, rate)?)
        };
        Ok(Self {
            config,
            rate,
            chain,
        })
    }

    pub fn config(&self) -> ProcessingConfig {
        self.config
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// What the speaker is about to play, at the processor's rate, in any amount: handed to the
    /// canceller a 10 ms frame at a time, at most a few frames between two capture calls.
    pub fn render(&mut self, played: &[f32]) {
        if let Some(chain) = self.chain.as_mut() {
            chain.render(played);
        }
    }

    /// Processes one capture frame in place: a whole number of 10 ms frames at the rate.
    /// A trailing partial frame is left as it is.
    pub fn capture(&mut self, frame: &mut [f32]) {
        if let Some(chain) = self.chain.as_mut() {
            chain.capture(frame);
        }
    }

    pub fn stats(&self) -> ProcessingStats {
        self.chain
            .as_ref()
            .map_or_else(ProcessingStats::default, Chain::stats)
    }
}
