//! The `null` endpoint: silence in, discard out.

use super::{AudioSink, AudioSource};
use crate::error::MediaError;

pub struct NullSource;

impl AudioSource for NullSource {
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        out.fill(0.0);
        Ok(())
    }
}

pub struct NullSink;

impl AudioSink for NullSink {
    fn write(&mut self, _samples: &[f32]) -> Result<(), MediaError> {
        Ok(())
    }

    fn finish(&mut self) -> Result<(), MediaError> {
        Ok(())
    }
}
