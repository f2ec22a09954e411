//! The answering machine's audio: in place of the microphone the caller hears the greeting,
//! then a short beep at [`BEEP_HZ`], then silence; in place of the speaker what the caller
//! says after the beep is recorded into a WAV file (16 kHz mono 16-bit).
//!
//! The recording stops by itself after `max_message` or after `silence_limit` of silence
//! (trailing silence is not kept), and when the file cannot be written. The engine reads
//! where it stands with [`crate::MediaSession::machine_status`]; picking the call up is a
//! device switch to the real devices, which closes the file.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::MediaError;

/// The beep's pitch: about 1.4 kHz, so it is not mistaken for a common test tone.
pub const BEEP_HZ: f32 = 1400.0;
/// The rate messages are recorded at.
pub const MESSAGE_RATE: u32 = 16_000;

/// What the caller hears before the beep.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Greeting {
    /// A short tone sequence made here (no third-party audio, no speech).
    #[default]
    Default,
    /// The user's WAV file (any rate and channels). One that cannot be used falls back to the
    /// default, and [`MachineStatus::greeting_fallback`] says why.
    File(PathBuf),
}

impl Greeting {
    /// `"default"` or `"file:/path.wav"`, as written in settings.
    pub fn parse(s: &str) -> Result<Self, MediaError> {
        let s = s.trim();
        match s.strip_prefix("file:") {
            Some(path) if !path.is_empty() => Ok(Self::File(PathBuf::from(path))),
            _ if s == "default" || s.is_empty() => Ok(Self::Default),
            _ => Err(MediaError::InvalidConfig(format!(
                "greeting {s:?}: expected \"default\" or \"file:/path.wav\""
            ))),
        }
    }
}

/// How the machine answers one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweringMachine {
    pub greeting: Greeting,
    /// The message file to write (created; its folder must exist).
    pub recording: PathBuf,
    pub max_message: Duration,
    pub silence_limit: Duration,
}

/// Where the machine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachinePhase {
    /// Playing the greeting or the beep.
    Greeting,
    /// Recording the caller.
    Recording,
    /// Stopped recording by itself: the engine hangs up.
    Done(MachineEnd),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineEnd {
    /// `max_message` reached.
    MaxLength,
    /// `silence_limit` of silence.
    Silence,
    /// The file could not be created or written: the caller heard the beep, then nothing.
    WriteFailed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineStatus {
    pub phase: MachinePhase,
    /// The message recorded so far, without trailing silence.
    pub recorded_ms: u64,
    /// Why the file could not be written (with [`MachineEnd::WriteFailed`]).
    pub error: Option<String>,
    /// Why the greeting file was not used (the default played instead).
    pub greeting_fallback: Option<String>,
}
