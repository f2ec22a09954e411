//! The microphone's processing inside a call: what the speaker plays (48 kHz, as written to the
//! sink) goes to the canceller at the capture rate, and each captured frame is processed before
//! it is metered, recorded and encoded. Only while the input is a sound device: a file or the
//! conference mixer has no room to echo in.

use crate::device::OUTPUT_RATE;
use crate::error::MediaError;
use crate::processing::{CaptureProcessor, ProcessingConfig, FRAME_MS};
use crate::resample::StreamResampler;
use crate::sample::frame_samples;

pub(crate) struct Processing {
    processor: CaptureProcessor,
    /// The speaker's audio from [`OUTPUT_RATE`] to the capture rate.
    render_resampler: StreamResampler,
}

impl Processing {
    /// `None` when every stage is off.
    pub fn open(config: ProcessingConfig, capture_rate: u32) -> Result<Option<Self>, MediaError> {
        if config.is_off() {
            return Ok(None);
        }
        Ok(Some(Self {
            processor: CaptureProcessor::new(config, capture_rate)?,
            render_resampler: StreamResampler::new(
                OUTPUT_RATE,
                capture_rate,
                frame_samples(OUTPUT_RATE, FRAME_MS),
            )?,
        }))
    }

    /// Audio at [`OUTPUT_RATE`] that is going to the speaker now.
    pub fn render(&mut self, played: &[f32]) -> Result<(), MediaError> {
        let processor = &mut self.processor;
        self.render_resampler
            .process(played, &mut |pcm| processor.render(pcm))
    }

    /// One captured frame, in place.
    pub fn capture(&mut self, frame: &mut [f32]) {
        self.processor.capture(frame);
    }
}
