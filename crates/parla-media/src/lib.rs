//! Parla's media engine: RTP in and out, codecs, resampling and audio endpoints.
//!
//! No SIP, tokio or GUI types live here. The SIP engine builds a [`MediaConfig`] from the negotiated
//! SDP, calls [`MediaSession::start`], and steers the running call with the session's methods.
//! Each session runs one `parla-media` thread that is paced by `ptime` deadlines.

// Unit tests run under `assert_no_alloc`'s allocator, so a test can prove a code path allocates
// nothing (it counts only inside `assert_no_alloc`, and exists in debug builds only).
#[cfg(all(test, debug_assertions))]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

mod arrival;
pub mod clip;
pub mod codec;
pub mod conference;
pub mod device;
pub mod dtmf;
pub mod error;
pub mod events;
pub mod jitter;
pub mod level;
pub mod machine;
pub mod moh;
mod ogg_opus;
mod pacing;
pub mod peer;
mod pipeline;
pub mod processing;
pub mod realtime;
pub mod record;
pub mod resample;
pub mod rtcp;
pub mod rtp;
pub mod sample;
pub mod session;
pub mod srtp;
pub mod stats;
pub mod tone;

pub use codec::{CodecKind, CodecParams};
pub use conference::{Conference, ConferencePort};
pub use device::AudioEndpoint;
pub use error::{CodecError, MediaError, RtpError};
pub use events::{MediaEvent, MediaEventSink};
pub use level::InputLevel;
pub use machine::{AnsweringMachine, Greeting, MachineEnd, MachinePhase, MachineStatus};
pub use moh::{MusicOnHold, MusicOnHoldFallback};
pub use processing::{CaptureProcessor, ProcessingConfig, ProcessingStats};
pub use record::{RecordChannels, RecordFormat, RecordingSummary};
pub use session::{MediaConfig, MediaSession, DEFAULT_OPUS_BITRATE, DEFAULT_OPUS_COMPLEXITY};
pub use srtp::{SrtpKeys, SrtpSuite};
pub use stats::{MediaStats, Quality};
pub use tone::{Tone, TonePlayer};
