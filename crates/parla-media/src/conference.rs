//! A local conference: one mixer thread that owns the person's microphone and speaker, and a
//! place ([`ConferencePort`]) per call. A call joins by switching its session's devices to its
//! port (`AudioEndpoint::Conference`): its sink feeds the mixer what the far end says, its
//! source takes from the mixer what that far end should hear (the microphone and every other
//! participant). Each call keeps its own codec, rate and media thread; the mixer works at
//! [`crate::device::OUTPUT_RATE`] in 20 ms frames and allocates nothing per frame.
//!
//! - Rings: a port endpoint makes its SPSC ring when it is opened (on the opening thread) and
//!   hands the mixer its half through a command ring. Each ring keeps a standing fill of one
//!   to two frames (see `mix.rs`), so the conference adds about 20-40 ms per direction.
//! - Places: [`Conference::port`] hands out a free place. It is free again once every handle to
//!   it is gone, or once a session has used it and no endpoint holds it any more (the call
//!   ended or was split off). Opening a handle whose place went to another call is an error;
//!   reopening it after a session restart (same place, fresh rings) works.
//! - Ring halves the mixer lets go of come back through a ring and are freed by whichever
//!   non-real-time thread touches the conference next.

mod mix;
mod port;
#[cfg(test)]
mod tests;
mod thread;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rtrb::{Consumer, Producer, RingBuffer};

use crate::device::{self, AudioEndpoint, OUTPUT_RATE};
use crate::error::MediaError;
use crate::events::MediaEventSink;
use crate::processing::{CaptureProcessor, ProcessingConfig};
use crate::session::switch::{await_handover, DeviceSwap};

pub(crate) use port::{open_sink, open_source};

/// Most participants a conference mixes (the engine's setting is at most this).
pub const MAX_PARTICIPANTS: usize = 10;
/// The mixer's frame: 20 ms at [`OUTPUT_RATE`].
pub(crate) const FRAME: usize = (OUTPUT_RATE / 50) as usize;
/// Commands waiting for the mixer (attachments and device switches) at most.
const COMMANDS: usize = 4 * MAX_PARTICIPANTS;

/// What the handles tell the mixer thread.
pub(crate) enum Command {
    /// The far end's audio of the call at `slot`, for the mix.
    Input { slot: usize, ring: Consumer<f32> },
    /// Where the mix for the call at `slot` goes.
    Output { slot: usize, ring: Producer<f32> },
    /// The conference's own microphone and speaker.
    Devices(DeviceSwap),
}

/// Ring halves the mixer stopped using, to be freed off its thread.
pub(crate) enum Retired {
    Input(#[allow(dead_code, reason = "held only to be dropped elsewhere")] Consumer<f32>),
    Output(#[allow(dead_code, reason = "held only to be dropped elsewhere")] Producer<f32>),
}

/// One place's bookkeeping (on the handles' side, under a lock).
#[derive(Default, Clone, Copy)]
struct Place {
    /// Counts the times the place was handed out; a port names one of them.
    generation: u64,
    /// Handles of this generation exist.
    leased: bool,
    /// A session opened an endpoint on it.
    used: bool,
    /// Endpoints open now.
    endpoints: usize,
}

impl Place {
    fn is_free(&self) -> bool {
        self.endpoints == 0 && (!self.leased || self.used)
    }
}

/// What the handles, the ports' endpoints and the mixer thread share.
pub(crate) struct Shared {
    pub muted: [AtomicBool; MAX_PARTICIPANTS],
    pub mic_muted: AtomicBool,
    pub stop: AtomicBool,
    /// Samples the mixer padded with silence, and dropped to keep delay down (all rings).
    pub underruns: AtomicU64,
    pub dropped: AtomicU64,
    places: Mutex<Vec<Place>>,
    commands: Mutex<Producer<Command>>,
    retired: Mutex<Consumer<Retired>>,
}

impl Shared {
    /// The shared state for `max_participants` places, with the mixer's ends of the command
    /// ring and of the ring that gives ring halves back.
    fn new(max_participants: usize) -> (Arc<Self>, Consumer<Command>, Producer<Retired>) {
        let (commands, commands_in) = RingBuffer::new(COMMANDS);
        let (retire, retired) = RingBuffer::new(4 * MAX_PARTICIPANTS + COMMANDS);
        let shared = Arc::new(Shared {
            muted: Default::default(),
            mic_muted: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            underruns: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            places: Mutex::new(vec![Place::default(); max_participants]),
            commands: Mutex::new(commands),
            retired: Mutex::new(retired),
        });
        (shared, commands_in, retire)
    }

    fn places(&self) -> std::sync::MutexGuard<'_, Vec<Place>> {
        self.places.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Frees the ring halves the mixer gave back.
    fn drain_retired(&self) {
        let mut retired = self.retired.lock().unwrap_or_else(PoisonError::into_inner);
        while let Ok(old) = retired.pop() {
            drop(old);
        }
    }

    fn send(&self, command: Command) -> Result<(), MediaError> {
        let pushed = self
            .commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(command);
        pushed.map_err(|_| {
            MediaError::InvalidConfig("conference: the mixer is not keeping up".into())
        })
    }

    /// An endpoint of `port` opens: the place must still be this port's.
    fn enter(&self, port: &ConferencePort) -> Result<(), MediaError> {
        self.drain_retired();
        if self.stop.load(Relaxed) {
            return Err(MediaError::InvalidConfig("the conference has ended".into()));
        }
        let mut places = self.places();
        let place = places
            .get_mut(port.slot)
            .filter(|p| p.generation == port.lease.generation)
            .ok_or_else(|| {
                MediaError::InvalidConfig(format!("{port} was given to another call"))
            })?;
        place.used = true;
        place.endpoints += 1;
        Ok(())
    }

    /// An endpoint of `slot`/`generation` closed.
    fn leave(&self, slot: usize, generation: u64) {
        if let Some(place) = self.places().get_mut(slot) {
            if place.generation == generation {
                place.endpoints = place.endpoints.saturating_sub(1);
            }
        }
        self.drain_retired();
    }
}

/// The running mixer. Dropping it stops the mixer thread and closes its devices; ports still
/// held by sessions then give silence and discard what they are given.
pub struct Conference {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// One device switch at a time.
    switching: Mutex<()>,
}

impl fmt::Debug for Conference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conference")
            .field("places", &self.shared.places().len())
            .field("participants", &self.participants())
            .finish()
    }
}

/// Keeps a place handed out while any handle of it exists.
struct Lease {
    shared: Arc<Shared>,
    slot: usize,
    generation: u64,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(place) = self.shared.places().get_mut(self.slot) {
            if place.generation == self.generation {
                place.leased = false;
            }
        }
    }
}

/// One participant's place in a conference. Cloning names the same place; two ports are equal
/// when they name the same place of the same conference.
#[derive(Clone)]
pub struct ConferencePort {
    shared: Arc<Shared>,
    slot: usize,
    lease: Arc<Lease>,
}

impl PartialEq for ConferencePort {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
            && self.slot == other.slot
            && self.lease.generation == other.lease.generation
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

impl ConferencePort {
    /// The place's number in its conference (0-based).
    pub fn slot(&self) -> usize {
        self.slot
    }
}

fn not_a_device(endpoint: &AudioEndpoint) -> Result<(), MediaError> {
    match endpoint {
        AudioEndpoint::Conference(_) => Err(MediaError::InvalidConfig(
            "a conference cannot use a conference place as its own device".into(),
        )),
        _ => Ok(()),
    }
}

impl Conference {
    /// Opens the microphone `input` and the speaker `output` (a `file:` output receives what
    /// the person hears: the mix of every participant) and starts the mixer thread for at most
    /// `max_participants` calls. `events` hears device changes. `processing` treats the
    /// microphone (echo of the mix, noise, level) while it is a sound device.
    pub fn start(
        input: &AudioEndpoint,
        output: &AudioEndpoint,
        max_participants: usize,
        events: Option<MediaEventSink>,
        processing: ProcessingConfig,
    ) -> Result<Conference, MediaError> {
        if !(1..=MAX_PARTICIPANTS).contains(&max_participants) {
            return Err(MediaError::InvalidConfig(format!(
                "a conference mixes 1 to {MAX_PARTICIPANTS} calls, not {max_participants}"
            )));
        }
        not_a_device(input)?;
        not_a_device(output)?;
        let source = device::open_source(input, OUTPUT_RATE, FRAME)?;
        let sink = device::open_sink(output)?;
        let processor = (!processing.is_off())
            .then(|| CaptureProcessor::new(processing, OUTPUT_RATE))
            .transpose()?;
        let (shared, commands_in, retire) = Shared::new(max_participants);
        let mixer = mix::Mixer::new(Arc::clone(&shared), retire);
        let job = thread::MixerThread {
            mixer,
            source,
            sink,
            commands: commands_in,
            events,
            processor,
        };
        let handle = std::thread::Builder::new()
            .name("parla-mixer".into())
            .spawn(move || job.run())
            .map_err(MediaError::Spawn)?;
        tracing::debug!(%input, %output, max_participants, "conference started");
        Ok(Conference {
            shared,
            thread: Some(handle),
            switching: Mutex::new(()),
        })
    }

    /// A free place for one more call; an error when the conference is full.
    pub fn port(&self) -> Result<ConferencePort, MediaError> {
        self.shared.drain_retired();
        let mut places = self.shared.places();
        let limit = places.len();
        let (slot, place) = places
            .iter_mut()
            .enumerate()
            .find(|(_, p)| p.is_free())
            .ok_or_else(|| {
                MediaError::InvalidConfig(format!("the conference is full ({limit} calls)"))
            })?;
        *place = Place {
            generation: place.generation + 1,
            leased: true,
            used: false,
            endpoints: 0,
        };
        let generation = place.generation;
        drop(places);
        self.shared.muted[slot].store(false, Relaxed);
        Ok(ConferencePort {
            shared: Arc::clone(&self.shared),
            slot,
            lease: Arc::new(Lease {
                shared: Arc::clone(&self.shared),
                slot,
                generation,
            }),
        })
    }

    fn owns(&self, port: &ConferencePort) -> bool {
        Arc::ptr_eq(&self.shared, &port.shared)
    }

    /// Leaves a participant out of the mix (nobody hears them), or lets them back in.
    pub fn set_participant_muted(&self, port: &ConferencePort, muted: bool) {
        if self.owns(port) {
            if let Some(flag) = self.shared.muted.get(port.slot) {
                flag.store(muted, Relaxed);
            }
        }
    }

    /// Mutes the person's microphone for every participant.
    pub fn set_microphone_muted(&self, muted: bool) {
        self.shared.mic_muted.store(muted, Relaxed);
    }

    /// Moves the conference's microphone and speaker to other devices (`None` keeps one).
    /// Opening blocks as long as the device takes; the old devices are closed on this thread.
    pub fn switch_devices(
        &self,
        input: Option<AudioEndpoint>,
        output: Option<AudioEndpoint>,
    ) -> Result<(), MediaError> {
        if input.is_none() && output.is_none() {
            return Ok(());
        }
        for endpoint in input.iter().chain(output.iter()) {
            not_a_device(endpoint)?;
        }
        let _one = self
            .switching
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (swap, back) = DeviceSwap::open(input.as_ref(), output.as_ref(), OUTPUT_RATE, FRAME)?;
        self.shared.send(Command::Devices(swap))?;
        let result = await_handover(
            &back,
            "the mixer did not take the new device in time",
            "the conference has stopped",
        );
        if result.is_ok() {
            tracing::info!(?input, ?output, "conference devices switched");
        }
        self.shared.drain_retired();
        result
    }

    /// How many ports are held by a running session now.
    pub fn participants(&self) -> usize {
        self.shared.drain_retired();
        self.shared
            .places()
            .iter()
            .filter(|p| p.endpoints > 0)
            .count()
    }

    /// Samples padded with silence (a call's audio came late) and dropped (it came early, or
    /// piled up) across the conference's rings so far.
    pub fn ring_counts(&self) -> (u64, u64) {
        (
            self.shared.underruns.load(Relaxed),
            self.shared.dropped.load(Relaxed),
        )
    }
}

/// The mixer's tick alone, for the benchmark (not part of the API).
#[doc(hidden)]
pub struct TickBench {
    mixer: mix::Mixer,
    says: Vec<Producer<f32>>,
    hears: Vec<Consumer<f32>>,
    frame: Vec<f32>,
}

#[doc(hidden)]
impl TickBench {
    /// A mixer with `legs` calls attached, each saying a quiet noise-like signal.
    pub fn new(legs: usize) -> Self {
        let legs = legs.clamp(1, MAX_PARTICIPANTS);
        let (shared, _commands, retire) = Shared::new(legs);
        let mut mixer = mix::Mixer::new(shared, retire);
        let (mut says, mut hears) = (Vec::new(), Vec::new());
        for slot in 0..legs {
            let (tx, rx) = RingBuffer::new(8 * FRAME);
            mixer.attach_input(slot, rx);
            says.push(tx);
            let (tx, rx) = RingBuffer::new(8 * FRAME);
            mixer.attach_output(slot, tx);
            hears.push(rx);
        }
        let frame = (0..FRAME)
            .map(|i| ((i * 7919) % 1000) as f32 / 4000.0 - 0.125)
            .collect();
        Self {
            mixer,
            says,
            hears,
            frame,
        }
    }

    /// One 20 ms frame: every call says a frame, the mixer mixes, every call hears a frame.
    pub fn tick(&mut self) -> f32 {
        for tx in &mut self.says {
            let _ = tx.push_partial_slice(&self.frame);
        }
        self.mixer.mic.copy_from_slice(&self.frame);
        self.mixer.tick();
        for rx in &mut self.hears {
            if let Ok(chunk) = rx.read_chunk(rx.slots()) {
                chunk.commit_all();
            }
        }
        self.mixer.speaker()[0]
    }
}

impl Drop for Conference {
    fn drop(&mut self) {
        self.shared.stop.store(true, Relaxed);
        if let Some(handle) = self.thread.take() {
            handle.thread().unpark();
            if handle.join().is_err() {
                tracing::error!("the conference mixer thread panicked");
            }
        }
        self.shared.drain_retired();
    }
}
