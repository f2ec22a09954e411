//! A call's audio: the RTP socket whose port goes into our SDP, and the parla-media session
//! started, moved or restarted as offer/answer settles. The call logic sees it through
//! [`MediaBackend`] and [`CallAudio`], so its tests open no socket and no sound device.

use super::conference::Seat;
use crate::config::AudioConfig;
use crate::sdp::{Codec, Direction, LocalMedia, NegotiatedMedia};
use parla_media::{
    AnsweringMachine, AudioEndpoint, CodecParams, ConferencePort, MachineStatus, MediaConfig,
    MediaError, MediaEvent, MediaEventSink, MediaSession, MediaStats, MusicOnHold, RecordChannels,
    RecordFormat, RecordingSummary, TonePlayer,
};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::Path;

/// No RTP port could be opened for a call.
#[derive(Debug, thiserror::Error)]
#[error("no RTP port: {0}")]
pub struct BindError(#[source] pub std::io::Error);

/// Why the audio of a negotiated call did not start; the call goes on without it.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("RTP socket: {0}")]
    Socket(#[source] std::io::Error),
    /// The configured input or output cannot be used.
    #[error(transparent)]
    Endpoint(MediaError),
    #[error(transparent)]
    Start(MediaError),
}

/// Why the audio did not move to other devices; it goes on where it was.
#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    #[error("the call has no audio")]
    NoAudio,
    /// A device name that is not one.
    #[error(transparent)]
    Endpoint(MediaError),
    #[error(transparent)]
    Switch(MediaError),
}

/// Why a recording did not start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the call has no audio")]
    NoAudio,
    #[error(transparent)]
    Media(MediaError),
}

/// Why keys were not sent.
#[derive(Debug, thiserror::Error)]
pub enum DtmfError {
    #[error("the call has no audio")]
    NoAudio,
    /// Not a DTMF digit, or the session could not take them.
    #[error(transparent)]
    Media(MediaError),
}

/// One call's audio as the call logic drives it; [`CallMedia`] is the real one.
pub trait CallAudio: Send + 'static {
    /// Our side of the SDP: the RTP address and the codecs.
    fn local_media(&self, codecs: &[Codec], direction: Direction) -> LocalMedia;
    /// Starts or adjusts the audio for what offer/answer settled.
    fn apply(&mut self, negotiated: &NegotiatedMedia) -> Result<(), ApplyError>;
    /// We hold the call: nothing is sent or played, whatever the SDP allows.
    fn set_local_hold(&mut self, held: bool);
    fn set_muted(&mut self, muted: bool);
    /// The local address moved from `from` to `to`: new RTP ports for the next offer (the
    /// audio moves to them once it is answered), and an SDP naming `from` names `to` from now
    /// on (one naming a NAT's outside address keeps it). Whether the ports are new.
    fn readdress(&mut self, from: IpAddr, to: IpAddr) -> bool {
        let _ = (from, to);
        false
    }
    /// Returns the devices now in use, input and output.
    fn switch_devices(
        &mut self,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(String, String), SwitchError>;
    fn send_dtmf(&self, digits: &str) -> Result<(), DtmfError>;
    fn stats(&self) -> Option<MediaStats>;
    /// Whether audio flows (started by an answer or early media).
    fn is_running(&self) -> bool;
    /// The answering machine takes the call: the audio started next plays the greeting and
    /// records the caller instead of using the devices.
    fn set_machine(&mut self, machine: AnsweringMachine);
    /// Where the answering machine stands; none when it did not take the call.
    fn machine_status(&self) -> Option<MachineStatus>;
    /// The person picks up a call the machine took: the devices replace the machine (its
    /// recording stops and its file is closed).
    fn pick_up(&mut self) -> Result<(), SwitchError>;
    /// Stops the audio (the machine's file is complete afterwards) and says where the
    /// machine stood at the end.
    fn finish_machine(&mut self) -> Option<MachineStatus>;
    /// Joins the local conference: the audio goes to `seat` instead of the devices (also
    /// after a restart for a new codec), unmuted (the conference mutes the microphone).
    fn join_conference(&mut self, seat: Seat) -> Result<(), SwitchError>;
    /// Leaves the conference: back to these devices, muted again if the call was.
    fn leave_conference(&mut self, input: String, output: String) -> Result<(), SwitchError>;
    /// Records both directions into `path` (created) until stopped or the audio stops.
    fn start_recording(
        &mut self,
        path: &Path,
        format: RecordFormat,
        channels: RecordChannels,
    ) -> Result<(), RecordError>;
    /// Stops the recording (its file complete); `None` when none ran.
    fn stop_recording(&mut self) -> Option<RecordingSummary>;
}

/// Where a call gets its audio and its tones.
pub trait MediaBackend: Send + 'static {
    type Audio: CallAudio;
    /// A tone that plays until dropped.
    type Tone: Send + 'static;
    /// Opens the call's RTP socket; `events` hears DTMF, device changes and RTP timeouts.
    fn bind(&self, events: MediaEventSink) -> Result<Self::Audio, BindError>;
    /// The ringback tone while an outgoing call rings without early media.
    fn ringback(&self) -> Option<Self::Tone>;
    /// The ringtone of an incoming call.
    fn ringtone(&self) -> Option<Self::Tone>;
    /// The call-waiting beeps in the earpiece, for a call that arrives during another.
    fn call_waiting(&self) -> Option<Self::Tone>;
    /// The busy tone, played for a few seconds on its own after the call has ended.
    fn busy(&self);
}

/// The real backend: RTP sockets on `local_ip`, the devices (and tones) of `audio`.
pub struct DeviceMedia {
    pub local_ip: IpAddr,
    /// The address written in the SDP instead of `local_ip`: the one the server saw us at
    /// (behind a NAT). The RTP port stays ours: a NAT that keeps ports maps it as is.
    pub advertised_ip: Option<IpAddr>,
    pub audio: AudioConfig,
}

impl MediaBackend for DeviceMedia {
    type Audio = CallMedia;
    type Tone = TonePlayer;

    fn bind(&self, events: MediaEventSink) -> Result<CallMedia, BindError> {
        // On every address, so the call's audio outlives a change of the local one (the SDP
        // names the address: `readdress` moves it).
        let any = super::stack::unspecified_like(self.local_ip);
        let mut media = CallMedia::bind(any, self.audio.clone(), events).map_err(BindError)?;
        media.advertised = Some(self.advertised_ip.unwrap_or(self.local_ip));
        Ok(media)
    }

    fn ringback(&self) -> Option<TonePlayer> {
        super::tones::ringback(&self.audio)
    }

    fn ringtone(&self) -> Option<TonePlayer> {
        super::tones::ringtone(&self.audio)
    }

    fn call_waiting(&self) -> Option<TonePlayer> {
        super::tones::call_waiting(&self.audio)
    }

    fn busy(&self) {
        super::tones::busy(&self.audio)
    }
}

/// RTP ports are taken from this range, even numbers only (RTCP sits on the odd one above).
const RTP_PORTS: std::ops::Range<u16> = 16_384..32_768;
const BIND_ATTEMPTS: usize = 64;

/// Opening a sound device (tens of ms, more with PulseAudio) and joining the media thread
/// block: on a multi-threaded runtime the worker hands its other tasks over first.
pub(crate) fn off_the_async_workers<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

pub struct CallMedia {
    socket: UdpSocket,
    /// RTP port + 1 (RFC 3550); the SDP leaves it implicit.
    rtcp_socket: UdpSocket,
    local: SocketAddr,
    /// Written in the SDP instead of `local`'s address (see [`DeviceMedia::advertised_ip`]).
    advertised: Option<IpAddr>,
    audio: AudioConfig,
    session: Option<MediaSession>,
    current: Option<NegotiatedMedia>,
    events: MediaEventSink,
    muted: bool,
    /// We put the call on hold: the far end gets the music on hold (or nothing, when it holds
    /// us too), and nothing of theirs is played.
    local_hold: bool,
    /// The answering machine took the call (until it is picked up).
    machine: Option<AnsweringMachine>,
    /// The machine's last status, kept once its session has stopped.
    machine_end: Option<MachineStatus>,
    /// The call's place in the conference while it is in one: its input and output.
    conference: Option<ConferencePort>,
    /// New sockets since the session started (`readdress`): the next `apply` starts another.
    rebound: bool,
}

/// An RTP socket on an even port of [`RTP_PORTS`] and its RTCP one on the next.
fn bind_pair(ip: IpAddr) -> std::io::Result<(UdpSocket, UdpSocket)> {
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let port = rand::random_range(RTP_PORTS.start / 2..RTP_PORTS.end / 2) * 2;
        let pair = UdpSocket::bind(SocketAddr::new(ip, port))
            .and_then(|rtp| Ok((rtp, UdpSocket::bind(SocketAddr::new(ip, port + 1))?)));
        match pair {
            Ok(pair) => return Ok(pair),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free RTP port")))
}

impl CallMedia {
    pub fn bind(ip: IpAddr, audio: AudioConfig, events: MediaEventSink) -> std::io::Result<Self> {
        let (socket, rtcp_socket) = bind_pair(ip)?;
        let local = socket.local_addr()?;
        Ok(Self {
            socket,
            rtcp_socket,
            local,
            advertised: None,
            audio,
            session: None,
            current: None,
            events,
            muted: false,
            local_hold: false,
            machine: None,
            machine_end: None,
            conference: None,
            rebound: false,
        })
    }

    pub fn stop(&mut self) {
        if let Some(session) = self.session.take() {
            // Read just before the stop: the last tick adds at most one frame.
            if let Some(status) = session.machine_status() {
                self.machine_end = Some(status);
            }
            let stats = off_the_async_workers(|| session.stop());
            tracing::debug!(?stats, "media stopped");
        }
    }

    /// The parla-media configuration for `negotiated`, on a clone of our RTP socket.
    fn media_config(&self, negotiated: &NegotiatedMedia) -> Result<MediaConfig, ApplyError> {
        let socket = self.socket.try_clone().map_err(ApplyError::Socket)?;
        Ok(MediaConfig {
            socket,
            remote: negotiated.remote_rtp,
            codec: CodecParams {
                kind: negotiated.codec.into(),
                payload_type: negotiated.payload_type,
                clock_rate: negotiated.clock_rate,
                channels: negotiated.channels,
            },
            telephone_event_pt: negotiated.telephone_event_pt,
            ptime_ms: negotiated.ptime_ms,
            input: match &self.conference {
                Some(port) => AudioEndpoint::Conference(port.clone()),
                None => AudioEndpoint::parse(&self.audio.input).map_err(ApplyError::Endpoint)?,
            },
            output: match &self.conference {
                Some(port) => AudioEndpoint::Conference(port.clone()),
                None => AudioEndpoint::parse(&self.audio.output).map_err(ApplyError::Endpoint)?,
            },
            opus_bitrate: self.audio.opus_bitrate,
            opus_complexity: self.audio.opus_complexity,
            opus_inband_fec: negotiated.opus_inband_fec,
            events: Some(self.events.clone()),
            rtcp_socket: self.rtcp_socket.try_clone().ok(),
            remote_rtcp: Some(negotiated.remote_rtcp),
            telephone_event_clock_rate: negotiated.telephone_event_clock_rate,
            machine: self.machine.clone(),
            processing: self.audio.processing(),
            srtp: negotiated.srtp.as_ref().map(|s| s.keys.clone()),
        })
    }

    fn apply_direction(&self) {
        let (Some(session), Some(current)) = (&self.session, &self.current) else {
            return;
        };
        if self.local_hold {
            // Our hold: the held caller hears the music unless they hold us too (inactive).
            // The first hold may render the built-in music: off the async workers.
            let remote_hold = !current.direction.sends();
            off_the_async_workers(|| session.set_hold(true, remote_hold));
        } else {
            session.set_direction(current.direction.sends(), current.direction.receives());
        }
    }
}

impl CallAudio for CallMedia {
    fn local_media(&self, codecs: &[Codec], direction: Direction) -> LocalMedia {
        LocalMedia {
            address: self.advertised.unwrap_or(self.local.ip()),
            port: self.local.port(),
            codecs: codecs.to_vec(),
            direction,
            ptime_ms: 20,
            srtp: Default::default(),
        }
    }

    /// Starts the audio for `negotiated`, or adjusts the running session. An error leaves the
    /// call up without audio; the message says why.
    fn apply(&mut self, negotiated: &NegotiatedMedia) -> Result<(), ApplyError> {
        // New keys (or encryption turned on or off) need a new session too. A far end that
        // changes its mind on FEC (useinbandfec) does not: it is a preference (RFC 7587), and
        // a restart would cut the audio and a recording for it.
        let same_codec = !std::mem::take(&mut self.rebound)
            && self.current.as_ref().is_some_and(|c| {
                c.codec == negotiated.codec
                    && c.payload_type == negotiated.payload_type
                    && c.srtp == negotiated.srtp
            });
        self.current = Some(negotiated.clone());
        if let (Some(session), true) = (&self.session, same_codec) {
            session.set_remote(negotiated.remote_rtp);
            self.apply_direction();
            return Ok(());
        }
        let was_recording = self
            .session
            .as_ref()
            .is_some_and(MediaSession::is_recording);
        // Stopping the session completes its recording's file.
        self.stop();
        if was_recording {
            self.events.emit(MediaEvent::RecordingFailed {
                message: "the call changed codec: the recording stopped (what was recorded is \
                          kept; record again to go on)"
                    .into(),
            });
        }
        let config = self.media_config(negotiated)?;
        let music = MusicOnHold::parse(&self.audio.music_on_hold).unwrap_or_default();
        let (session, music_notice) = off_the_async_workers(|| {
            let session = MediaSession::start(config)?;
            // Reading a user's file may block: here, off the async workers, like the start.
            let notice = match music {
                MusicOnHold::BuiltIn => None,
                other => session.set_music_on_hold(&other).err(),
            };
            Ok::<_, MediaError>((session, notice))
        })
        .map_err(ApplyError::Start)?;
        if let Some(fallback) = session.machine_status().and_then(|s| s.greeting_fallback) {
            tracing::warn!("answering machine: {fallback}");
            self.events.emit(MediaEvent::DeviceChanged {
                message: format!("answering machine greeting: {fallback}"),
            });
        }
        if let Some(notice) = music_notice {
            tracing::warn!("{notice}");
            self.events.emit(MediaEvent::DeviceChanged {
                message: notice.to_string(),
            });
        }
        session.set_muted(self.muted && self.conference.is_none());
        self.session = Some(session);
        self.apply_direction();
        Ok(())
    }

    fn set_local_hold(&mut self, held: bool) {
        self.local_hold = held;
        self.apply_direction();
    }

    fn readdress(&mut self, from: IpAddr, to: IpAddr) -> bool {
        // New ports too: a NAT keeps the old ones mapped to the address that is gone (and
        // would give our packets from the new one other outside ports than the SDP names).
        match bind_pair(self.local.ip()).and_then(|(rtp, rtcp)| Ok((rtp.local_addr()?, rtp, rtcp)))
        {
            Ok((local, rtp, rtcp)) => {
                (self.local, self.socket, self.rtcp_socket) = (local, rtp, rtcp);
                self.rebound = true;
            }
            Err(e) => tracing::warn!(error = %e, "no new RTP ports: the old ones go on"),
        }
        if self.advertised.unwrap_or(self.local.ip()) == from {
            self.advertised = Some(to);
        }
        self.rebound
    }

    fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
        if let Some(session) = &self.session {
            session.set_muted(muted);
        }
    }

    /// Moves the running audio to other devices (a direction not given stays) and returns the
    /// devices now in use, input and output. They also serve a restart for a new codec. On
    /// error nothing changes.
    fn switch_devices(
        &mut self,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(String, String), SwitchError> {
        let session = self.session.as_ref().ok_or(SwitchError::NoAudio)?;
        let parse = |name: Option<String>| {
            name.map(|n| AudioEndpoint::parse(&n))
                .transpose()
                .map_err(SwitchError::Endpoint)
        };
        let (input, output) = (parse(input)?, parse(output)?);
        let (new_input, new_output) = (
            input.as_ref().map(ToString::to_string),
            output.as_ref().map(ToString::to_string),
        );
        off_the_async_workers(|| session.switch_devices(input, output))
            .map_err(SwitchError::Switch)?;
        if let Some(name) = new_input {
            self.audio.input = name;
        }
        if let Some(name) = new_output {
            self.audio.output = name;
        }
        Ok((self.audio.input.clone(), self.audio.output.clone()))
    }

    fn send_dtmf(&self, digits: &str) -> Result<(), DtmfError> {
        let session = self.session.as_ref().ok_or(DtmfError::NoAudio)?;
        session.send_dtmf(digits).map_err(DtmfError::Media)
    }

    fn stats(&self) -> Option<MediaStats> {
        self.session.as_ref().map(|s| s.stats())
    }

    fn is_running(&self) -> bool {
        self.session.is_some()
    }

    fn set_machine(&mut self, machine: AnsweringMachine) {
        self.machine = Some(machine);
    }

    fn machine_status(&self) -> Option<MachineStatus> {
        self.machine.as_ref()?;
        self.session
            .as_ref()
            .and_then(MediaSession::machine_status)
            .or_else(|| self.machine_end.clone())
    }

    fn pick_up(&mut self) -> Result<(), SwitchError> {
        let (input, output) = (self.audio.input.clone(), self.audio.output.clone());
        self.switch_devices(Some(input), Some(output))?;
        // A restart for a new codec now opens the devices, not the machine.
        self.machine = None;
        Ok(())
    }

    fn finish_machine(&mut self) -> Option<MachineStatus> {
        self.machine.as_ref()?;
        self.stop();
        self.machine_end.clone()
    }

    fn join_conference(&mut self, seat: Seat) -> Result<(), SwitchError> {
        let port = seat.into_port().ok_or(SwitchError::NoAudio)?;
        if let Some(session) = &self.session {
            let endpoint = || Some(AudioEndpoint::Conference(port.clone()));
            off_the_async_workers(|| session.switch_devices(endpoint(), endpoint()))
                .map_err(SwitchError::Switch)?;
            session.set_muted(false);
        }
        self.conference = Some(port);
        Ok(())
    }

    fn leave_conference(&mut self, input: String, output: String) -> Result<(), SwitchError> {
        if self.conference.take().is_none() {
            return Ok(());
        }
        if self.session.is_some() {
            self.switch_devices(Some(input), Some(output))?;
        } else {
            (self.audio.input, self.audio.output) = (input, output);
        }
        if let Some(session) = &self.session {
            session.set_muted(self.muted);
        }
        Ok(())
    }

    fn start_recording(
        &mut self,
        path: &Path,
        format: RecordFormat,
        channels: RecordChannels,
    ) -> Result<(), RecordError> {
        let session = self.session.as_ref().ok_or(RecordError::NoAudio)?;
        off_the_async_workers(|| session.start_recording(path, format, channels))
            .map_err(RecordError::Media)
    }

    fn stop_recording(&mut self) -> Option<RecordingSummary> {
        let session = self.session.as_ref()?;
        off_the_async_workers(|| session.stop_recording())
    }
}

impl Drop for CallMedia {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests;
