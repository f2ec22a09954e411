//! Recorded audio outside a call: playing a message or greeting on the output device
//! ([`ClipPlayer`]), recording a greeting from the microphone ([`ClipRecorder`]), and writing a
//! message out as WAV or Ogg Opus ([`export`]).
//!
//! Messages and greetings are WAV files (any rate; Parla writes 16 kHz mono 16-bit).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::device::AudioEndpoint;
use crate::error::MediaError;

/// Why [`export`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot export to {}: the file name must end in .wav, .ogg or .opus", .0.display())]
    UnsupportedFormat(PathBuf),
    #[error("cannot read the message {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// Writes the WAV message `source` to `output`: `.wav` as WAV, `.ogg` or `.opus` as Ogg Opus
/// (RFC 7845). On error nothing is left at `output`.
pub fn export(source: &Path, output: &Path) -> Result<(), ExportError> {
    let _ = source;
    Err(ExportError::UnsupportedFormat(output.to_path_buf()))
}

/// The length of a WAV file's audio.
pub fn wav_duration_ms(path: &Path) -> Result<u64, MediaError> {
    let reader = hound::WavReader::open(path).map_err(|source| MediaError::Wav {
        path: path.to_owned(),
        source,
    })?;
    let spec = reader.spec();
    Ok(u64::from(reader.duration()) * 1000 / u64::from(spec.sample_rate.max(1)))
}

/// Plays one WAV file on an output endpoint, on its own thread; pause, seek, position.
pub struct ClipPlayer {
    _private: (),
}

impl ClipPlayer {
    /// Opens `path` and `output` and starts playing from `position_ms`.
    pub fn start(path: &Path, output: &AudioEndpoint, position_ms: u64) -> Result<Self, MediaError> {
        let _ = (path, output, position_ms);
        Err(MediaError::InvalidConfig("not built yet".into()))
    }
    pub fn duration_ms(&self) -> u64 {
        0
    }
    /// Where playback is now (what has been handed to the device).
    pub fn position_ms(&self) -> u64 {
        0
    }
    pub fn pause(&self) {}
    pub fn resume(&self) {}
    pub fn is_paused(&self) -> bool {
        false
    }
    pub fn seek(&self, position_ms: u64) {
        let _ = position_ms;
    }
    /// Played to the end (the thread has stopped by itself).
    pub fn is_finished(&self) -> bool {
        true
    }
    /// Stops and joins the thread.
    pub fn stop(self) {}
}

/// Records the microphone into a WAV file (16 kHz mono) on its own thread, at most `max`.
pub struct ClipRecorder {
    _private: (),
}

impl ClipRecorder {
    pub fn start(input: &AudioEndpoint, path: &Path, max: Duration) -> Result<Self, MediaError> {
        let _ = (input, path, max);
        Err(MediaError::InvalidConfig("not built yet".into()))
    }
    /// How much has been recorded.
    pub fn elapsed_ms(&self) -> u64 {
        0
    }
    /// Reached `max` and stopped by itself.
    pub fn is_finished(&self) -> bool {
        true
    }
    /// Stops, finalises the file and returns its length.
    pub fn stop(self) -> Result<u64, MediaError> {
        Ok(0)
    }
}
