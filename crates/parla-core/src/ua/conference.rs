//! The local conference: who is in it, the mixer (parla-media's [`Conference`], which owns
//! the microphone and speaker while it runs) and who is muted. The calls stay their own
//! tasks: joining switches a call's audio to its place in the mixer ([`Seat`]), leaving
//! switches it back. [`merge`] carries out `conference`: it checks the calls, holds the
//! calls left out, resumes the held ones (their re-INVITE answered before they join) and
//! seats the new ones. A conference left with one call is over: that call goes back to the
//! devices (the mixer, and with it the devices it holds, is closed), so what plays and what
//! `mute` and `set_call_devices` mean is the same as for any lone call.

use super::calls::{CallCommand, CallRegistry, HOLD_OTHERS_WAIT};
use crate::api::{CallId, CallState, Event};
use crate::config::AudioConfig;
use parla_media::{AudioEndpoint, Conference, ConferencePort, MediaError, MediaEventSink};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc::UnboundedSender;

#[cfg(test)]
mod tests;

/// A call's place in the mixer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    Port(ConferencePort),
    /// A place in a unit test's mixer.
    #[cfg(test)]
    Test(usize),
}

impl Seat {
    /// The mixer's port; none for a test's seat.
    pub fn into_port(self) -> Option<ConferencePort> {
        match self {
            Seat::Port(port) => Some(port),
            #[cfg(test)]
            Seat::Test(_) => None,
        }
    }
}

/// Why a conference could not be made or changed (`conference_failed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConferenceError {
    #[error("there is no call {0}")]
    NoSuchCall(CallId),
    #[error("call {0} is neither connected nor on hold")]
    NotConnected(CallId),
    #[error("a conference needs at least two calls")]
    TooFew,
    #[error("{0} calls: a conference takes at most {1} (`[audio] conference_size`)")]
    TooMany(usize, usize),
    #[error("call {0} is not in the conference")]
    NotAMember(CallId),
    #[error("call {0} could not be resumed")]
    NotResumed(CallId),
    #[error("no audio to mix: {0}")]
    Mixer(String),
}

/// The mixer as the hub drives it; parla-media's [`Conference`] is the real one.
pub trait Mixer: Send {
    fn seat(&self) -> Result<Seat, MediaError>;
    fn set_participant_muted(&self, seat: &Seat, muted: bool);
    fn set_microphone_muted(&self, muted: bool);
    fn switch_devices(&self, input: Option<&str>, output: Option<&str>) -> Result<(), MediaError>;
}

impl Mixer for Conference {
    fn seat(&self) -> Result<Seat, MediaError> {
        self.port().map(Seat::Port)
    }

    fn set_participant_muted(&self, seat: &Seat, muted: bool) {
        match seat {
            Seat::Port(port) => Conference::set_participant_muted(self, port, muted),
            #[cfg(test)]
            Seat::Test(_) => {}
        }
    }

    fn set_microphone_muted(&self, muted: bool) {
        Conference::set_microphone_muted(self, muted);
    }

    fn switch_devices(&self, input: Option<&str>, output: Option<&str>) -> Result<(), MediaError> {
        let parse = |name: Option<&str>| name.map(AudioEndpoint::parse).transpose();
        Conference::switch_devices(self, parse(input)?, parse(output)?)
    }
}

/// Starts a mixer on the devices of an [`AudioConfig`] for at most this many calls.
type StartMixer = dyn Fn(&AudioConfig, usize) -> Result<Box<dyn Mixer>, MediaError> + Send + Sync;

fn start_real(
    audio: &AudioConfig,
    size: usize,
    events: Option<MediaEventSink>,
) -> Result<Box<dyn Mixer>, MediaError> {
    let input = AudioEndpoint::parse(&audio.input)?;
    let output = AudioEndpoint::parse(&audio.output)?;
    let size = size.min(parla_media::conference::MAX_PARTICIPANTS);
    let mixer = Conference::start(&input, &output, size, events, audio.processing())?;
    Ok(Box::new(mixer))
}

struct Member {
    call: CallId,
    seat: Seat,
    muted: bool,
}

#[derive(Default)]
struct Inner {
    mixer: Option<Box<dyn Mixer>>,
    members: Vec<Member>,
    microphone_muted: bool,
    /// The conference's devices (those of the config when it started; `set_call_devices`).
    input: String,
    output: String,
}

/// The one local conference; cloning shares it.
#[derive(Clone)]
pub struct ConferenceHub {
    inner: Arc<Mutex<Inner>>,
    start: Arc<StartMixer>,
}

impl Default for ConferenceHub {
    fn default() -> Self {
        Self::with_mixer(|audio, size| start_real(audio, size, None))
    }
}

/// A member left: what the conference is now.
#[derive(Debug, PartialEq, Eq)]
pub struct Left {
    /// The members now; empty when the conference is over.
    pub calls: Vec<CallId>,
    /// The last call when the conference is over: it goes back to these devices.
    pub last: Option<(CallId, String, String)>,
    /// The microphone was muted for the conference (the last call keeps it so).
    pub microphone_muted: bool,
}

impl ConferenceHub {
    /// The real mixer, whose device changes (a headset unplugged mid-conference) are told as
    /// `device` events.
    pub fn reporting_to(events: UnboundedSender<Event>) -> Self {
        Self::with_mixer(move |audio, size| {
            let sink = super::devices::device_notices_to(events.clone());
            start_real(audio, size, Some(sink))
        })
    }

    pub fn with_mixer(
        start: impl Fn(&AudioConfig, usize) -> Result<Box<dyn Mixer>, MediaError>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        Self {
            inner: Arc::default(),
            start: Arc::new(start),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn members(&self) -> Vec<CallId> {
        self.with(|i| i.members.iter().map(|m| m.call).collect())
    }

    pub fn is_member(&self, call: CallId) -> bool {
        self.with(|i| i.members.iter().any(|m| m.call == call))
    }

    /// The `conference` event for what the conference is now.
    pub fn event(&self) -> Event {
        self.with(|i| Event::Conference {
            calls: i.members.iter().map(|m| m.call).collect(),
            muted: i
                .members
                .iter()
                .filter(|m| m.muted)
                .map(|m| m.call)
                .collect(),
        })
    }

    /// The conference's microphone and speaker: where a call leaving it goes back to.
    pub fn devices(&self) -> (String, String) {
        self.with(|i| (i.input.clone(), i.output.clone()))
    }

    /// Starts the mixer unless it runs. Blocks (it opens the devices): call it off the async
    /// workers.
    pub fn ensure_mixer(&self, audio: &AudioConfig, size: usize) -> Result<(), ConferenceError> {
        if self.with(|i| i.mixer.is_some()) {
            return Ok(());
        }
        let mixer = (self.start)(audio, size).map_err(|e| ConferenceError::Mixer(e.to_string()))?;
        self.with(|i| {
            if i.mixer.is_none() {
                i.mixer = Some(mixer);
                i.input = audio.input.clone();
                i.output = audio.output.clone();
                i.microphone_muted = false;
            }
        });
        Ok(())
    }

    /// A place in the mixer for `call`, which becomes a member.
    pub fn seat(&self, call: CallId) -> Result<Seat, ConferenceError> {
        self.with(|i| {
            if let Some(member) = i.members.iter().find(|m| m.call == call) {
                return Ok(member.seat.clone());
            }
            let mixer = i
                .mixer
                .as_ref()
                .ok_or_else(|| ConferenceError::Mixer("the mixer is not running".into()))?;
            let seat = mixer
                .seat()
                .map_err(|e| ConferenceError::Mixer(e.to_string()))?;
            i.members.push(Member {
                call,
                seat: seat.clone(),
                muted: false,
            });
            Ok(seat)
        })
    }

    /// Takes `call` out. `None` when it was no member. With one call left the conference is
    /// over: the mixer is closed (off the async workers).
    pub fn leave(&self, call: CallId) -> Option<Left> {
        let (left, mixer) = self.with(|i| {
            let at = i.members.iter().position(|m| m.call == call)?;
            i.members.remove(at);
            if i.members.len() > 1 {
                let calls = i.members.iter().map(|m| m.call).collect();
                return Some((
                    Left {
                        calls,
                        last: None,
                        microphone_muted: i.microphone_muted,
                    },
                    None,
                ));
            }
            let last = i
                .members
                .pop()
                .map(|m| (m.call, i.input.clone(), i.output.clone()));
            let left = Left {
                calls: Vec::new(),
                last,
                microphone_muted: std::mem::take(&mut i.microphone_muted),
            };
            Some((left, i.mixer.take()))
        })?;
        if let Some(mixer) = mixer {
            close(mixer);
        }
        Some(left)
    }

    /// Closes a mixer that nobody joined.
    pub fn close_if_empty(&self) {
        let mixer = self.with(|i| {
            if i.members.is_empty() {
                i.mixer.take()
            } else {
                None
            }
        });
        if let Some(mixer) = mixer {
            close(mixer);
        }
    }

    /// Leaves one participant out of the mix (nobody hears them), or lets them back in.
    pub fn set_participant_muted(&self, call: CallId, muted: bool) -> Result<(), ConferenceError> {
        self.with(|i| {
            let Inner { mixer, members, .. } = i;
            let member = members
                .iter_mut()
                .find(|m| m.call == call)
                .ok_or(ConferenceError::NotAMember(call))?;
            member.muted = muted;
            if let Some(mixer) = mixer {
                mixer.set_participant_muted(&member.seat, muted);
            }
            Ok(())
        })
    }

    /// Mutes our microphone for every participant.
    pub fn set_microphone_muted(&self, muted: bool) {
        self.with(|i| {
            i.microphone_muted = muted;
            if let Some(mixer) = &i.mixer {
                mixer.set_microphone_muted(muted);
            }
        });
    }

    /// Moves the conference's microphone and speaker; returns the devices now in use.
    pub fn switch_devices(
        &self,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(String, String), MediaError> {
        self.with(|i| {
            let mixer = i
                .mixer
                .as_ref()
                .ok_or(MediaError::DeviceSwitch("the conference has ended"))?;
            mixer.switch_devices(input.as_deref(), output.as_deref())?;
            if let Some(input) = input {
                i.input = input;
            }
            if let Some(output) = output {
                i.output = output;
            }
            Ok((i.input.clone(), i.output.clone()))
        })
    }
}

/// Closing the mixer joins its thread and closes devices: not on an async worker.
fn close(mixer: Box<dyn Mixer>) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => drop(handle.spawn_blocking(move || drop(mixer))),
        Err(_) => drop(mixer),
    }
}

impl CallRegistry {
    /// Takes `call` out of the conference (split, hung up, ended); the last call goes back to
    /// the devices. The `conference` event to report, `None` when it was no member.
    pub fn leave_conference(&self, call: CallId) -> Option<Event> {
        let left = self.conference().leave(call)?;
        if let Some((last, input, output)) = left.last {
            self.send(last, CallCommand::LeaveConference { input, output });
            if left.microphone_muted {
                self.send(last, CallCommand::Mute(true));
            }
        }
        Some(self.conference().event())
    }
}

/// Carries out `conference` with `wanted`: see the module's doc. Returns the members.
pub async fn merge(
    calls: &CallRegistry,
    wanted: &[CallId],
    audio: AudioConfig,
) -> Result<Vec<CallId>, ConferenceError> {
    let hub = calls.conference().clone();
    let size = audio
        .conference_size
        .clamp(2, parla_media::conference::MAX_PARTICIPANTS);
    let mut all = hub.members();
    for &call in wanted {
        let status = calls
            .status(call)
            .ok_or(ConferenceError::NoSuchCall(call))?;
        if !matches!(
            status.state,
            CallState::Connected | CallState::OnHold | CallState::Held
        ) {
            return Err(ConferenceError::NotConnected(call));
        }
        if !all.contains(&call) {
            all.push(call);
        }
    }
    if all.len() < 2 {
        return Err(ConferenceError::TooFew);
    }
    if all.len() > size {
        return Err(ConferenceError::TooMany(all.len(), size));
    }
    let starting = {
        let hub = hub.clone();
        tokio::task::spawn_blocking(move || hub.ensure_mixer(&audio, size))
    };
    starting
        .await
        .map_err(|e| ConferenceError::Mixer(e.to_string()))??;
    let deadline = tokio::time::Instant::now() + HOLD_OTHERS_WAIT;
    calls.hold_all_but(&all, deadline).await;
    // Held calls are resumed first: a call joins once its far end sends again.
    let held: Vec<CallId> = all
        .iter()
        .copied()
        .filter(|c| {
            calls
                .status(*c)
                .is_some_and(|s| s.state == CallState::OnHold)
        })
        .collect();
    for &call in &held {
        calls.send(call, CallCommand::Resume);
    }
    let mut failed = None;
    for &call in &held {
        let resumed = calls
            .wait_out_of(call, &[CallState::OnHold], deadline)
            .await
            && calls.status(call).is_some();
        if !resumed && failed.is_none() {
            failed = Some(ConferenceError::NotResumed(call));
        }
    }
    for &call in &all {
        let still_held = calls
            .status(call)
            .is_none_or(|s| s.state == CallState::OnHold);
        if still_held || hub.is_member(call) {
            continue;
        }
        let seat = hub.seat(call)?;
        if !calls.send(call, CallCommand::JoinConference(seat)) {
            hub.leave(call);
        }
    }
    if hub.members().len() < 2 {
        for call in hub.members() {
            calls.leave_conference(call);
        }
        hub.close_if_empty();
        return Err(failed.unwrap_or(ConferenceError::TooFew));
    }
    if let Some(why) = failed {
        tracing::warn!(%why, "a call stays out of the conference");
    }
    Ok(hub.members())
}
