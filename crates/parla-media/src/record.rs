//! Call recording: both directions of a running call, what we send (left) and what we hear
//! from the far end (right), or both mixed into one channel, written by a thread of its own
//! into Ogg Opus or WAV. A recording that cannot be written stops and says why
//! ([`crate::MediaEvent::RecordingFailed`]); the call goes on.
//!
//! STUB: the interface the engine is written against; the recorder is being built.

use std::path::{Path, PathBuf};

use crate::error::MediaError;
use crate::session::MediaSession;

/// The file format of a call recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordFormat {
    /// Opus in Ogg.
    #[default]
    Ogg,
    /// 16-bit PCM WAV.
    Wav,
}

/// How the two directions are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordChannels {
    /// What we send on the left, what the far end sends on the right.
    #[default]
    Stereo,
    /// Both mixed into one channel.
    Mono,
}

/// What a finished recording holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingSummary {
    pub path: PathBuf,
    pub duration_ms: u64,
}

impl MediaSession {
    /// Starts recording the call into `path` (created, or an error saying why not; a recording
    /// already running is an error). The file is written off the media thread.
    pub fn start_recording(
        &self,
        _path: &Path,
        _format: RecordFormat,
        _channels: RecordChannels,
    ) -> Result<(), MediaError> {
        Err(MediaError::InvalidConfig("recording: not built yet".into()))
    }

    /// Stops the recording and completes its file; `None` when none was running.
    pub fn stop_recording(&self) -> Option<RecordingSummary> {
        None
    }

    /// Whether a recording is running (false once it failed or was stopped).
    pub fn is_recording(&self) -> bool {
        false
    }
}
