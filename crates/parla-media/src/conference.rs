//! A local conference: one mixer thread that owns the person's microphone and speaker, and a
//! place ([`ConferencePort`]) per call. A call joins by switching its session's devices to its
//! port (`AudioEndpoint::Conference`): its sink feeds the mixer what the far end says, its
//! source takes from the mixer what that far end should hear (the microphone and every other
//! participant). Each call keeps its own codec, rate and media thread; the mixer works at
//! [`crate::device::OUTPUT_RATE`] in 20 ms frames and allocates nothing per frame.
//!
//! STUB: the interface the engine is written against; the mixer is being built.

use std::fmt;
use std::sync::Arc;

use crate::device::AudioEndpoint;
use crate::error::MediaError;
use crate::events::MediaEventSink;

/// Most participants a conference mixes (the engine's setting is at most this).
pub const MAX_PARTICIPANTS: usize = 10;

/// The running mixer. Dropping it stops the mixer thread and closes its devices; ports still
/// held by sessions then give silence and discard what they are given.
pub struct Conference {
    _shared: Arc<()>,
}

/// One participant's place in a conference. Cloning names the same place; two ports are equal
/// when they name the same place of the same conference.
#[derive(Clone)]
pub struct ConferencePort {
    shared: Arc<()>,
    slot: usize,
}

impl PartialEq for ConferencePort {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared) && self.slot == other.slot
    }
}

impl Eq for ConferencePort {}

impl fmt::Debug for ConferencePort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConferencePort({})", self.slot)
    }
}

impl fmt::Display for ConferencePort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conference:{}", self.slot)
    }
}

impl Conference {
    /// Opens the microphone `input` and the speaker `output` (a `file:` output receives what
    /// the person hears: the mix of every participant) and starts the mixer thread for at most
    /// `max_participants` calls. `events` hears device changes.
    pub fn start(
        _input: &AudioEndpoint,
        _output: &AudioEndpoint,
        _max_participants: usize,
        _events: Option<MediaEventSink>,
    ) -> Result<Conference, MediaError> {
        Err(MediaError::InvalidConfig(
            "conference: not built yet".into(),
        ))
    }

    /// A free place for one more call; an error when the conference is full.
    pub fn port(&self) -> Result<ConferencePort, MediaError> {
        Err(MediaError::InvalidConfig(
            "conference: not built yet".into(),
        ))
    }

    /// Leaves a participant out of the mix (nobody hears them), or lets them back in.
    pub fn set_participant_muted(&self, _port: &ConferencePort, _muted: bool) {}

    /// Mutes the person's microphone for every participant.
    pub fn set_microphone_muted(&self, _muted: bool) {}

    /// Moves the conference's microphone and speaker to other devices (`None` keeps one).
    pub fn switch_devices(
        &self,
        _input: Option<AudioEndpoint>,
        _output: Option<AudioEndpoint>,
    ) -> Result<(), MediaError> {
        Err(MediaError::InvalidConfig(
            "conference: not built yet".into(),
        ))
    }

    /// How many ports are held by a running session now.
    pub fn participants(&self) -> usize {
        0
    }
}
