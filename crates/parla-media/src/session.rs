//! One call's media: the public handle the SIP engine holds, and the thread behind it.
//!
//! - Threads: `start` builds everything on the caller's thread, then spawns one std thread named
//!   `parla-media`. The handle's setters only store atomics; `stop`/`Drop` join the thread, which
//!   takes at most one ptime plus closing the output file (call it off the async runtime's
//!   worker threads, e.g. `spawn_blocking`, if that matters).
//! - Socket: the session owns the socket it is given and sends from it (symmetric RTP). It
//!   accepts datagrams from any address for now. `stop_with_socket` hands it back for a restart
//!   with another codec; if `start` fails the socket is dropped, so keep a `try_clone` if you
//!   want to retry on the same port.
//! - Errors: setup problems are returned by `start`. Once running, nothing from the network or a
//!   file ends the session: failures are counted in [`MediaStats`] and logged once per kind.
//! - Hold: [`MediaSession::set_hold`] follows RFC 3264's directions; while we hold, RTP carries
//!   the music chosen with [`MediaSession::set_music_on_hold`] (the built-in loop by default) in
//!   place of the microphone. See `moh.rs`.
//! - Devices: [`MediaSession::switch_devices`] moves a running call to other devices (see
//!   `session/switch.rs`); [`MediaSession::input_level`] reads the microphone's level.
//! - Answering machine: with [`MediaConfig::machine`] the greeting and beep stand in for the
//!   input and the message recorder for the output (see `machine.rs`);
//!   [`MediaSession::machine_status`] says where it stands. Picking up is a device switch.
//! - Recording: [`MediaSession::start_recording`] copies what we send and what we play to a
//!   writer thread each tick (see `record.rs`); stopping the session completes the file.
//! - Conference: a session joins a [`crate::Conference`] by using its place as both devices
//!   (`AudioEndpoint::Conference`, at start or through `switch_devices`).

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rtrb::{Producer, RingBuffer};

use crate::codec::{self, CodecParams, OpusSettings};
use crate::device::{self, AudioEndpoint, AudioSink, AudioSource, OUTPUT_RATE};
use crate::error::MediaError;
use crate::events::MediaEventSink;
use crate::level::{InputLevel, LevelMeter};
use crate::machine::{MachineAudio, MachineState, MachineStatus};
use crate::moh::{HoldMusic, MusicOnHold, MusicOnHoldFallback};
use crate::pipeline::{Pipeline, Processing, Setup};
use crate::processing::ProcessingConfig;
use crate::record::{ActiveRecording, Tap};
use crate::resample::StreamResampler;
use crate::sample::frame_samples;
use crate::stats::{Counters, MediaStats};
use handover::Handover;
use switch::DeviceSwap;

mod handover;
pub(crate) mod switch;

pub const DEFAULT_OPUS_BITRATE: i32 = codec::opus::DEFAULT_BITRATE;
pub const DEFAULT_OPUS_COMPLEXITY: u8 = codec::opus::DEFAULT_COMPLEXITY;
/// Most DTMF digits waiting to be sent at once.
pub const MAX_QUEUED_DIGITS: usize = 64;

/// Everything a call's media needs, from the negotiated SDP and the user's settings.
#[derive(Debug)]
pub struct MediaConfig {
    /// Bound by the engine (its port is in our SDP). We send from it too (symmetric RTP). The
    /// session switches it to non-blocking and hands it back blocking from
    /// [`MediaSession::stop_with_socket`].
    pub socket: UdpSocket,
    pub remote: SocketAddr,
    pub codec: CodecParams,
    pub telephone_event_pt: Option<u8>,
    pub ptime_ms: u32,
    pub input: AudioEndpoint,
    pub output: AudioEndpoint,
    pub opus_bitrate: i32,
    pub opus_complexity: u8,
    /// Let the Opus encoder add in-band FEC under loss: set it from the far end's
    /// `useinbandfec` (RFC 7587 §6.1). `new` sets it, as for a far end that decodes FEC.
    pub opus_inband_fec: bool,
    /// Where digits, device changes and timeouts are reported; `None` drops them.
    pub events: Option<MediaEventSink>,
    /// Our RTCP socket (RTP port + 1), and where the far end wants RTCP (its `a=rtcp`); with no
    /// socket no RTCP is sent or read.
    pub rtcp_socket: Option<UdpSocket>,
    pub remote_rtcp: Option<SocketAddr>,
    /// The telephone-event clock (its `a=rtpmap` rate) when it differs from the codec's, as with
    /// Opus at 48 kHz and telephone-event/8000: event durations are counted in it.
    pub telephone_event_clock_rate: Option<u32>,
    /// Answer as the answering machine: the greeting and beep in place of `input`, the
    /// caller recorded in place of `output` (see `machine.rs`).
    pub machine: Option<crate::machine::AnsweringMachine>,
    /// The microphone's processing (echo cancellation, noise suppression, gain); it runs only
    /// while the input is a sound device.
    pub processing: ProcessingConfig,
    /// SRTP and SRTCP with these keys (SDES); `None` is plain RTP.
    pub srtp: Option<crate::srtp::SrtpKeys>,
}

impl MediaConfig {
    /// 20 ms packets, `null` in and out, default Opus settings (in-band FEC allowed).
    pub fn new(socket: UdpSocket, remote: SocketAddr, codec: CodecParams) -> Self {
        Self {
            socket,
            remote,
            codec,
            telephone_event_pt: None,
            ptime_ms: 20,
            input: AudioEndpoint::Null,
            output: AudioEndpoint::Null,
            opus_bitrate: DEFAULT_OPUS_BITRATE,
            opus_complexity: DEFAULT_OPUS_COMPLEXITY,
            opus_inband_fec: true,
            events: None,
            rtcp_socket: None,
            remote_rtcp: None,
            telephone_event_clock_rate: None,
            machine: None,
            processing: ProcessingConfig::OFF,
            srtp: None,
        }
    }
}

/// What the handle tells the media thread. Read by the thread once per tick.
pub(crate) struct Control {
    pub stop: AtomicBool,
    pub send: AtomicBool,
    pub receive: AtomicBool,
    pub muted: AtomicBool,
    /// While sending, send the hold music instead of the microphone.
    pub music: AtomicBool,
    /// Other hold music from [`MediaSession::set_music_on_hold`].
    pub next_music: Handover<HoldMusic>,
    pub remote_changed: AtomicBool,
    pub remote: Mutex<SocketAddr>,
    /// Digits waiting to be sent as RFC 4733 events, oldest first.
    pub dtmf: Mutex<String>,
    /// A recording's tap from [`MediaSession::start_recording`].
    pub next_recording: Handover<Tap>,
}

impl Control {
    /// Sending and receiving the microphone, unmuted.
    pub fn new(remote: SocketAddr) -> Self {
        Self {
            stop: AtomicBool::new(false),
            send: AtomicBool::new(true),
            receive: AtomicBool::new(true),
            muted: AtomicBool::new(false),
            music: AtomicBool::new(false),
            next_music: Handover::default(),
            remote_changed: AtomicBool::new(false),
            remote: Mutex::new(remote),
            dtmf: Mutex::new(String::new()),
            next_recording: Handover::default(),
        }
    }

    pub fn take_remote(&self) -> Option<SocketAddr> {
        self.remote_changed
            .swap(false, Relaxed)
            .then(|| *self.remote.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// On the media thread: puts new music from the handle in `current` and hands the old one
    /// back.
    pub fn take_music(&self, current: &mut HoldMusic) {
        if let Some(new) = self.next_music.take() {
            self.next_music.retire(std::mem::replace(current, new));
        }
    }

    /// On the media thread: puts a new recording's tap in `current` and hands the old one back.
    pub fn take_recording(&self, current: &mut Option<Tap>) {
        if let Some(new) = self.next_recording.take() {
            if let Some(old) = current.replace(new) {
                self.next_recording.retire(old);
            }
        }
    }
}

/// A running call's media. Dropping it stops the thread too.
pub struct MediaSession {
    pub(crate) control: Arc<Control>,
    telephone_event_pt: Option<u8>,
    counters: Arc<Counters>,
    thread: Option<JoinHandle<UdpSocket>>,
    local_addr: Option<SocketAddr>,
    /// Device switches for the media thread (one at a time).
    swaps: Mutex<Producer<DeviceSwap>>,
    /// What a new input device is opened for: the encoder's rate and frame.
    pub(crate) capture_rate: u32,
    pub(crate) capture_frame: usize,
    level: InputLevel,
    /// What the answering machine's endpoints report, when the session answers as one.
    machine: Option<Arc<MachineState>>,
    pub(crate) ptime_ms: u32,
    /// The engine's callback, for the recording's writer too.
    pub(crate) events: Option<MediaEventSink>,
    pub(crate) recording: Mutex<Option<ActiveRecording>>,
    /// The built-in hold music is still to be prepared: it is rendered at the first hold, not
    /// at the start (2.3 MB at 48 kHz, kept for the process, and about 45 ms of CPU once),
    /// unless other music was chosen before.
    builtin_music_pending: AtomicBool,
}

impl MediaSession {
    /// Builds codecs, endpoints and buffers on the calling thread (so every setup error is
    /// returned here), then spawns the `parla-media` thread.
    pub fn start(cfg: MediaConfig) -> Result<MediaSession, MediaError> {
        let opus = OpusSettings {
            bitrate: cfg.opus_bitrate,
            complexity: cfg.opus_complexity,
            inband_fec: cfg.opus_inband_fec,
            ..OpusSettings::default()
        };
        let encoder = codec::new_encoder(&cfg.codec, cfg.ptime_ms, opus)?;
        let decoder = codec::new_decoder(&cfg.codec, cfg.ptime_ms)?;
        if let Some(pt) = cfg.telephone_event_pt {
            if pt > 127 || pt == cfg.codec.payload_type {
                return Err(MediaError::InvalidConfig(format!(
                    "telephone-event payload type {pt} is invalid or clashes with the codec"
                )));
            }
        }
        let encoder_rate = encoder.sample_rate();
        let capture_frame = frame_samples(encoder_rate, cfg.ptime_ms);
        // The answering machine stands in for both devices; a pick-up switches to real ones.
        let (source, sink, machine): (Box<dyn AudioSource>, Box<dyn AudioSink>, _) =
            match &cfg.machine {
                Some(machine) => {
                    let m = MachineAudio::open(machine, encoder_rate, capture_frame)?;
                    (Box::new(m.source), Box::new(m.sink), Some(m.state))
                }
                None => (
                    device::open_source(&cfg.input, encoder_rate, capture_frame)?,
                    device::open_sink(&cfg.output)?,
                    None,
                ),
            };
        let playback_frame = frame_samples(decoder.sample_rate(), cfg.ptime_ms);
        let resampler =
            StreamResampler::low_delay(decoder.sample_rate(), OUTPUT_RATE, playback_frame)?;
        // The built-in music comes with the first hold (`set_hold`).
        let music = HoldMusic(None);
        let processing = Processing::open(cfg.processing, encoder_rate)?;
        let srtp = cfg
            .srtp
            .as_ref()
            .map(crate::srtp::Srtp::new)
            .transpose()
            .map_err(|e| MediaError::InvalidConfig(e.to_string()))?;

        cfg.socket
            .set_nonblocking(true)
            .map_err(MediaError::Socket)?;
        let local_addr = cfg.socket.local_addr().ok();
        let control = Arc::new(Control::new(cfg.remote));
        let counters = Arc::new(Counters::new());
        let (swaps, swaps_in) = RingBuffer::new(1);
        let level = InputLevel::default();
        if let Some(rtcp) = &cfg.rtcp_socket {
            rtcp.set_nonblocking(true).map_err(MediaError::Socket)?;
        }
        let pipeline = Pipeline::new(Setup {
            socket: cfg.socket,
            rtcp_socket: cfg.rtcp_socket,
            remote: cfg.remote,
            remote_rtcp: cfg.remote_rtcp,
            telephone_event_clock_rate: cfg
                .telephone_event_clock_rate
                .unwrap_or(cfg.codec.clock_rate),
            events: cfg.events.clone(),
            codec: cfg.codec,
            telephone_event_pt: cfg.telephone_event_pt,
            ptime_ms: cfg.ptime_ms,
            encoder,
            decoder,
            source,
            sink,
            resampler,
            music,
            control: Arc::clone(&control),
            counters: Arc::clone(&counters),
            swaps: swaps_in,
            level: LevelMeter::new(level.clone(), cfg.ptime_ms),
            processing,
            srtp,
        });
        let ptime_ms = cfg.ptime_ms;
        let thread = std::thread::Builder::new()
            .name("parla-media".into())
            .spawn(move || pipeline.run())
            .map_err(MediaError::Spawn)?;
        tracing::debug!(local = ?local_addr, remote = %cfg.remote, codec = ?cfg.codec.kind, srtp = ?cfg.srtp.as_ref().map(|k| k.suite), "media started");
        Ok(MediaSession {
            control,
            telephone_event_pt: cfg.telephone_event_pt,
            counters,
            thread: Some(thread),
            local_addr,
            swaps: Mutex::new(swaps),
            capture_rate: encoder_rate,
            capture_frame,
            level,
            machine,
            ptime_ms,
            events: cfg.events,
            recording: Mutex::new(None),
            builtin_music_pending: AtomicBool::new(true),
        })
    }

    /// Where the answering machine stands; `None` when the session did not start as one.
    /// Still answers after a device switch (the pick-up) has closed the message file.
    pub fn machine_status(&self) -> Option<MachineStatus> {
        self.machine.as_ref().map(|m| m.status())
    }

    /// The local RTP address (the socket's).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    /// The far end moved its media (re-INVITE). Takes effect on the next packet.
    pub fn set_remote(&self, remote: SocketAddr) {
        *self
            .control
            .remote
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = remote;
        self.control.remote_changed.store(true, Relaxed);
    }

    /// The raw direction, without hold music: `send = false` stops RTP out; `receive = false`
    /// stops playing what arrives (packets are still drained and counted). When sending, the
    /// microphone is sent (this ends hold music started by [`MediaSession::set_hold`]).
    pub fn set_direction(&self, send: bool, receive: bool) {
        self.control.music.store(false, Relaxed);
        self.control.send.store(send, Relaxed);
        self.control.receive.store(receive, Relaxed);
    }

    /// Hold and resume as negotiated (RFC 3264 section 8.4); call it after every offer/answer.
    /// `local_hold`: we hold the far end (we offered `sendonly`, or `inactive`); `remote_hold`:
    /// the far end holds us (its SDP says `sendonly` or `inactive`, so we do not send).
    ///
    /// | local | remote | direction | RTP out                    | played here   |
    /// |-------|--------|-----------|----------------------------|---------------|
    /// | no    | no     | sendrecv  | microphone                 | the far end   |
    /// | yes   | no     | sendonly  | hold music (or silence)    | nothing       |
    /// | no    | yes    | recvonly  | none                       | the far end   |
    /// | yes   | yes    | inactive  | none                       | nothing       |
    ///
    /// The music is encoded with the call's codec in the same RTP stream (sequence numbers and
    /// timestamps continue); the first packet of music, and the first microphone packet after
    /// resuming, carry the marker bit. Mute affects only the microphone; DTMF can be sent
    /// while the music plays. With [`MusicOnHold::Off`] RTP keeps flowing with encoded silence
    /// (the stream is `sendonly`, so the far end, its SBC and NAT bindings still see packets);
    /// `inactive` sends nothing, as [`MediaSession::set_direction`] with `send = false` does.
    ///
    /// The first local hold of a session that kept the built-in music renders it here, on the
    /// caller's thread (about 45 ms once per process at 48 kHz; later sessions share it).
    pub fn set_hold(&self, local_hold: bool, remote_hold: bool) {
        if local_hold && self.builtin_music_pending.swap(false, Relaxed) {
            let (music, _) =
                HoldMusic::open(&MusicOnHold::BuiltIn, self.capture_rate, self.capture_frame);
            self.control.next_music.offer(music);
        }
        self.control.music.store(local_hold, Relaxed);
        self.control.send.store(!remote_hold, Relaxed);
        self.control.receive.store(!local_hold, Relaxed);
    }

    /// Chooses what the held party hears from now on (the session starts with
    /// [`MusicOnHold::BuiltIn`]). The music is prepared here, on the caller's thread (a file is
    /// opened and checked: at most [`crate::moh::MAX_FILE_BYTES`] and
    /// [`crate::moh::MAX_FILE_SECONDS`]). A file that cannot be used is replaced by the built-in
    /// music and the `Err` says why: the change still happened, show the notice to the user.
    pub fn set_music_on_hold(&self, music: &MusicOnHold) -> Result<(), MusicOnHoldFallback> {
        self.builtin_music_pending.store(false, Relaxed);
        let (music, fallback) = HoldMusic::open(music, self.capture_rate, self.capture_frame);
        // Music replaced earlier, and any the media thread has not picked up yet, are closed
        // here, not there.
        self.control.next_music.offer(music);
        fallback.map_or(Ok(()), Err)
    }

    /// Queues digits (`0-9 * # A-D`) to send as RFC 4733 telephone-events. The whole string is
    /// refused if any character is not a DTMF digit, if the call negotiated no telephone-event,
    /// or if more than [`MAX_QUEUED_DIGITS`] would be waiting.
    pub fn send_dtmf(&self, digits: &str) -> Result<(), MediaError> {
        if self.telephone_event_pt.is_none() {
            return Err(MediaError::InvalidConfig(
                "the far end accepts no DTMF events (telephone-event)".into(),
            ));
        }
        if let Some(bad) = digits
            .chars()
            .find(|c| !matches!(c.to_ascii_uppercase(), '0'..='9' | '*' | '#' | 'A'..='D'))
        {
            return Err(MediaError::InvalidConfig(format!(
                "{bad:?} is not a DTMF digit"
            )));
        }
        let mut queue = self
            .control
            .dtmf
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if queue.len() + digits.len() > MAX_QUEUED_DIGITS {
            return Err(MediaError::InvalidConfig(format!(
                "more than {MAX_QUEUED_DIGITS} digits waiting"
            )));
        }
        queue.extend(digits.chars().map(|c| c.to_ascii_uppercase()));
        Ok(())
    }

    /// While muted, encoded silence is sent in place of the input.
    pub fn set_muted(&self, muted: bool) {
        self.control.muted.store(muted, Relaxed);
    }

    pub fn stats(&self) -> MediaStats {
        self.counters.snapshot()
    }

    /// The microphone's peak level over the last ~100 ms, 0.0 to 1.0, measured before mute.
    pub fn input_level(&self) -> f32 {
        self.level.get()
    }

    /// A reader of [`MediaSession::input_level`] that another thread or task can keep.
    pub fn input_level_meter(&self) -> InputLevel {
        self.level.clone()
    }

    /// Stops and joins the thread and finalises output files.
    pub fn stop(mut self) -> MediaStats {
        self.shutdown().0
    }

    /// Like [`MediaSession::stop`], and hands the socket back (blocking again) so a new session
    /// can reuse it, e.g. when a re-INVITE changes the codec. `None` only if the media thread
    /// panicked.
    pub fn stop_with_socket(mut self) -> (MediaStats, Option<UdpSocket>) {
        self.shutdown()
    }

    fn shutdown(&mut self) -> (MediaStats, Option<UdpSocket>) {
        self.control.stop.store(true, Relaxed);
        let socket = self.thread.take().and_then(|handle| {
            handle.thread().unpark();
            handle
                .join()
                .map_err(|_| tracing::error!("the media thread panicked"))
                .ok()
        });
        let recording = self
            .recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(summary) = recording.and_then(ActiveRecording::finish) {
            tracing::info!(path = %summary.path.display(), ms = summary.duration_ms, "recording completed at the end of the call");
        }
        (self.counters.snapshot(), socket)
    }
}

impl Drop for MediaSession {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::CodecParams;

    fn start() -> MediaSession {
        let far = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        // Null devices unless told otherwise.
        let cfg = MediaConfig::new(socket, far.local_addr().expect("addr"), CodecParams::pcmu());
        MediaSession::start(cfg).expect("start")
    }

    /// The built-in music waits for our first hold: not at the start, not for the far end's
    /// hold; music chosen before (here none) is not replaced by it at the hold.
    #[test]
    fn the_builtin_music_is_prepared_at_the_first_local_hold_only() {
        let session = start();
        assert!(
            session.builtin_music_pending.load(Relaxed),
            "not at the start"
        );
        session.set_hold(false, true);
        assert!(
            session.builtin_music_pending.load(Relaxed),
            "not for a remote hold"
        );
        session.set_hold(true, false);
        assert!(!session.builtin_music_pending.load(Relaxed), "at our hold");
        session.stop();

        let chosen = start();
        assert!(chosen.set_music_on_hold(&MusicOnHold::Off).is_ok());
        assert!(
            !chosen.builtin_music_pending.load(Relaxed),
            "chosen: no built-in"
        );
        chosen.set_hold(true, false);
        assert!(!chosen.builtin_music_pending.load(Relaxed));
        chosen.stop();
    }
}
