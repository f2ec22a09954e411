//! The answering machine's audio: in place of the microphone the caller hears the greeting,
//! then a short beep at [`BEEP_HZ`], then silence; in place of the speaker what the caller
//! says after the beep is recorded into a WAV file (16 kHz mono 16-bit).
//!
//! The recording stops by itself after `max_message` or after `silence_limit` of silence
//! (trailing silence is not kept), and when the file cannot be written. The engine reads
//! where it stands with [`crate::MediaSession::machine_status`]; picking the call up is a
//! device switch to the real devices, which closes the file.
//!
//! - `greeting.rs`: the source the media thread reads in place of the microphone: the
//!   greeting once (a file, or a short tone sequence made here), a short pause, the beep, then
//!   silence. When the beep has been read out it moves the phase to Recording.
//! - `recorder.rs`: the sink in place of the speaker: discards until Recording, then writes
//!   the caller at [`MESSAGE_RATE`], keeping trailing silence aside until the caller speaks
//!   again.
//! - Both are built on the session's setup thread and share a `MachineState` (atomics, and a
//!   mutex for the error text) with the session handle; nothing on the media thread allocates
//!   except on the one write failure that ends the message.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::MediaError;

mod greeting;
mod recorder;

pub(crate) use greeting::GreetingSource;
pub use greeting::{BEEP_MS, MAX_GREETING_BYTES, MAX_GREETING_SECONDS};
pub(crate) use recorder::MessageRecorder;
pub use recorder::SILENCE_DBFS;

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

impl fmt::Display for Greeting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

/// How the machine answers one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweringMachine {
    pub greeting: Greeting,
    /// The message file to write (created; its folder must exist).
    pub recording: PathBuf,
    /// The longest message kept; the recording stops there.
    pub max_message: Duration,
    /// This much silence after the beep ends the message (it is not kept). Counted in 20 ms
    /// blocks; at most [`MAX_SILENCE_LIMIT`] is used.
    pub silence_limit: Duration,
}

/// The longest `silence_limit` honoured (the silence is held in memory until the caller speaks
/// again, so it is bounded).
pub const MAX_SILENCE_LIMIT: Duration = Duration::from_secs(600);

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

const GREETING: u8 = 0;
const RECORDING: u8 = 1;
const MAX_LENGTH: u8 = 2;
const SILENCE: u8 = 3;
const WRITE_FAILED: u8 = 4;

/// What the machine's source, its recorder and the session handle share.
pub(crate) struct MachineState {
    phase: AtomicU8,
    /// Samples at [`MESSAGE_RATE`] written to the file.
    recorded: AtomicU64,
    /// Set once, on the media thread, when the file cannot be written.
    error: Mutex<Option<String>>,
    greeting_fallback: Option<String>,
}

impl MachineState {
    pub fn new(greeting_fallback: Option<String>) -> Self {
        Self {
            phase: AtomicU8::new(GREETING),
            recorded: AtomicU64::new(0),
            error: Mutex::new(None),
            greeting_fallback,
        }
    }

    pub fn phase(&self) -> MachinePhase {
        match self.phase.load(Ordering::Acquire) {
            GREETING => MachinePhase::Greeting,
            RECORDING => MachinePhase::Recording,
            MAX_LENGTH => MachinePhase::Done(MachineEnd::MaxLength),
            SILENCE => MachinePhase::Done(MachineEnd::Silence),
            _ => MachinePhase::Done(MachineEnd::WriteFailed),
        }
    }

    /// The beep is over: Greeting -> Recording (from no other phase).
    pub fn start_recording(&self) {
        let _ =
            self.phase
                .compare_exchange(GREETING, RECORDING, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Recording -> Done(`end`); `error` is kept if none was before. Returns whether the phase
    /// changed.
    pub fn end(&self, end: MachineEnd, error: Option<String>) -> bool {
        if let Some(error) = error {
            self.set_error(error);
        }
        let to = match end {
            MachineEnd::MaxLength => MAX_LENGTH,
            MachineEnd::Silence => SILENCE,
            MachineEnd::WriteFailed => WRITE_FAILED,
        };
        self.phase
            .compare_exchange(RECORDING, to, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Keeps the first error text only.
    pub fn set_error(&self, error: String) {
        let mut slot = self.error.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(error);
        }
    }

    /// Samples at [`MESSAGE_RATE`] written so far.
    pub fn set_recorded(&self, samples: u64) {
        self.recorded.store(samples, Ordering::Relaxed);
    }

    pub fn status(&self) -> MachineStatus {
        let phase = self.phase();
        let samples = self.recorded.load(Ordering::Relaxed);
        MachineStatus {
            phase,
            recorded_ms: samples * 1000 / u64::from(MESSAGE_RATE),
            error: self
                .error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            greeting_fallback: self.greeting_fallback.clone(),
        }
    }
}

/// The machine's endpoints for one call and the state they share with the session handle,
/// built on the setup thread.
pub(crate) struct MachineAudio {
    pub source: GreetingSource,
    pub sink: MessageRecorder,
    pub state: Arc<MachineState>,
}

impl MachineAudio {
    /// `rate` and `frame` are the encoder's, as for a microphone. A greeting file that cannot
    /// be used gives the default greeting (the status says why); a recording that cannot be
    /// created ends in `Done(WriteFailed)` after the beep. Errors only if a resampler cannot
    /// be built.
    pub fn open(machine: &AnsweringMachine, rate: u32, frame: usize) -> Result<Self, MediaError> {
        let (greeting, fallback) = greeting::open(&machine.greeting, rate, frame);
        let state = Arc::new(MachineState::new(fallback));
        let sink = MessageRecorder::create(machine, Arc::clone(&state))?;
        let source = GreetingSource::new(greeting, rate, Arc::clone(&state));
        Ok(Self {
            source,
            sink,
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeting_settings_round_trip() {
        assert_eq!(Greeting::parse(" default ").ok(), Some(Greeting::Default));
        assert_eq!(Greeting::parse("").ok(), Some(Greeting::Default));
        let file = Greeting::parse("file:/tmp/hello.wav").expect("file");
        assert_eq!(file, Greeting::File("/tmp/hello.wav".into()));
        assert_eq!(file.to_string(), "file:/tmp/hello.wav");
        assert_eq!(Greeting::Default.to_string(), "default");
        assert!(Greeting::parse("file:").is_err());
        assert!(Greeting::parse("beep").is_err());
    }

    #[test]
    fn phases_move_forward_only() {
        let state = MachineState::new(Some("why".into()));
        assert!(!state.end(MachineEnd::Silence, None), "not while greeting");
        assert_eq!(state.phase(), MachinePhase::Greeting);
        state.start_recording();
        assert_eq!(state.phase(), MachinePhase::Recording);
        state.set_recorded(24_000);
        assert!(state.end(MachineEnd::WriteFailed, Some("disk full".into())));
        assert!(!state.end(MachineEnd::MaxLength, Some("later".into())));
        state.start_recording();
        let status = state.status();
        assert_eq!(status.phase, MachinePhase::Done(MachineEnd::WriteFailed));
        assert_eq!(status.recorded_ms, 1500);
        assert_eq!(status.error.as_deref(), Some("disk full"));
        assert_eq!(status.greeting_fallback.as_deref(), Some("why"));
    }
}
