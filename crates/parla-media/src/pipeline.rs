//! The media thread's loop: every ptime, capture -> encode (or a DTMF event) -> send, then drain
//! the socket: accept RTP only from the peer, DTMF digits out; RTCP reports on their own
//! schedule. Paced by deadlines from one start instant, so it does not drift; a microphone that
//! can say when its frame is there moves the deadlines with it. Once a ptime, at an offset
//! after the tick that the jitter buffer chooses ([`pops`]), the socket is drained again and a
//! frame played: decode -> resample -> speaker.

mod devices;
mod loss;
mod pops;
mod processing;
mod receive;
mod send;

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::arrival::StampedReceiver;
use crate::codec::{CodecParams, Decoder, Encoder, MAX_DECODED_SAMPLES};
use crate::device::{AudioSink, AudioSource};
use crate::dtmf::{DtmfReceiver, DtmfSender};
use crate::events::{MediaEvent, MediaEventSink};
use crate::jitter::{JitterBuffer, JitterConfig};
use crate::level::LevelMeter;
use crate::moh::HoldMusic;
use crate::pacing::{Pacer, Wake};
use crate::peer::{PeerFilter, RtpTimeout};
use crate::record::Tap;
use crate::resample::StreamResampler;
use crate::rtcp::{RtcpSession, MAX_REPORT_LEN};
use crate::rtp::{RtpSender, MAX_DATAGRAM};
use crate::sample::{frame_samples, OUTPUT_RATE};
use crate::session::switch::DeviceSwap;
use crate::session::Control;
use crate::stats::{Counters, Quality};
use loss::LossExpectation;
use pops::PopSchedule;
pub(crate) use processing::Processing;

/// No RTP for this long while both directions are active ends the call.
pub(crate) const RTP_TIMEOUT: Duration = Duration::from_secs(30);
const QUALITY_EVERY: Duration = Duration::from_secs(1);

/// Everything the thread owns, built by `MediaSession::start`.
pub(crate) struct Setup {
    pub socket: UdpSocket,
    /// The RTCP socket (our RTP port + 1), when the engine bound one.
    pub rtcp_socket: Option<UdpSocket>,
    pub remote: SocketAddr,
    pub remote_rtcp: Option<SocketAddr>,
    pub codec: CodecParams,
    pub telephone_event_pt: Option<u8>,
    pub telephone_event_clock_rate: u32,
    pub ptime_ms: u32,
    pub encoder: Box<dyn Encoder>,
    pub decoder: Box<dyn Decoder>,
    pub source: Box<dyn AudioSource>,
    pub sink: Box<dyn AudioSink>,
    pub resampler: StreamResampler,
    /// What we send while we hold the far end.
    pub music: HoldMusic,
    pub control: Arc<Control>,
    pub counters: Arc<Counters>,
    pub events: Option<MediaEventSink>,
    /// Device switches from the handle.
    pub swaps: rtrb::Consumer<DeviceSwap>,
    pub level: LevelMeter,
    /// The microphone's processing, when any stage is on.
    pub processing: Option<Processing>,
    /// SRTP/SRTCP both ways, when negotiated.
    pub srtp: Option<crate::srtp::Srtp>,
}

pub(crate) struct Pipeline {
    s: Setup,
    rtp: RtpSender,
    ptime: Duration,
    timestamp_step: u32,
    peer: PeerFilter,
    timeout: RtpTimeout,
    timed_out: bool,
    next_quality: Instant,
    rtcp: RtcpSession,
    /// The loss the encoder prepares for, from the far end's reports.
    loss: LossExpectation,
    dtmf_out: DtmfSender,
    dtmf_in: DtmfReceiver,
    jitter: JitterBuffer,
    capture: Vec<f32>,
    /// One frame of hold music (at the encoder's rate).
    music_frame: Vec<f32>,
    /// Whether the last frame sent was hold music, to mark the switch in RTP.
    sending_music: bool,
    payload: Vec<u8>,
    packet: Vec<u8>,
    datagram: Vec<u8>,
    /// Arrival times of RTP and RTCP datagrams (the kernel's, where it gives them).
    stamps: StampedReceiver,
    rtcp_stamps: Option<StampedReceiver>,
    decoded: Vec<f32>,
    /// The running recording's rings, if any.
    record: Option<Tap>,
    /// When the next frame plays.
    pops: PopSchedule,
    /// Samples (at the output rate) of the next frame played that the sink drops: the pops
    /// came that much earlier. The recording and the echo canceller's reference skip them too.
    skip_next: usize,
}

impl Pipeline {
    pub fn new(s: Setup) -> Self {
        let capture = vec![0.0; frame_samples(s.encoder.sample_rate(), s.ptime_ms)];
        let ptime = Duration::from_millis(u64::from(s.ptime_ms));
        let rtp = RtpSender::new(s.codec.payload_type);
        let cname = format!(
            "parla-{:08x}@{}",
            rtp.ssrc(),
            s.socket
                .local_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        );
        Self {
            rtcp: RtcpSession::new(rtp.ssrc(), &cname, s.codec.clock_rate),
            loss: LossExpectation::new(),
            rtp,
            ptime,
            timestamp_step: s.codec.timestamp_step(s.ptime_ms),
            peer: PeerFilter::new(s.remote),
            timeout: RtpTimeout::new(RTP_TIMEOUT),
            timed_out: false,
            next_quality: Instant::now(),
            dtmf_out: DtmfSender::new(s.telephone_event_clock_rate, s.ptime_ms),
            dtmf_in: DtmfReceiver::new(),
            jitter: JitterBuffer::new(JitterConfig::new(s.codec.clock_rate, s.ptime_ms)),
            music_frame: capture.clone(),
            sending_music: false,
            capture,
            payload: vec![0; MAX_DATAGRAM],
            packet: vec![0; MAX_DATAGRAM],
            datagram: vec![0; MAX_DATAGRAM],
            stamps: StampedReceiver::new(&s.socket),
            rtcp_stamps: s.rtcp_socket.as_ref().map(StampedReceiver::new),
            decoded: vec![0.0; MAX_DECODED_SAMPLES],
            record: None,
            pops: PopSchedule::new(ptime),
            skip_next: 0,
            s,
        }
    }

    fn emit(&self, event: MediaEvent) {
        if let Some(events) = &self.s.events {
            events.emit(event);
        }
    }

    /// Runs until stopped, then finalises the output and returns the socket.
    pub fn run(mut self) -> UdpSocket {
        let frame = u32::try_from(self.capture.len()).unwrap_or(u32::MAX);
        let _realtime = crate::realtime::promote("media", frame, self.s.encoder.sample_rate());
        let mut pacer = Pacer::new(self.ptime);
        tracing::debug!(
            kernel_stamps = self.stamps.kernel_stamped(),
            "media loop started"
        );
        while !self.s.control.stop.load(Relaxed) {
            if let Some(remote) = self.s.control.take_remote() {
                tracing::debug!(%remote, "media remote changed");
                self.s.remote = remote;
                self.peer.set_negotiated(remote);
            }
            self.take_device_swap();
            self.s.control.take_recording(&mut self.record);
            self.take_queued_digits();
            let tick = Instant::now();
            self.play_left_over();
            self.pops.start_tick(tick);
            self.send_frame();
            self.receive();
            if self.pops.is_due(Instant::now()) {
                self.play_next();
            }
            self.receive_rtcp();
            self.housekeeping(Instant::now());

            let behind = loop {
                let alarm = self.pops.next();
                let source = &mut self.s.source;
                match pacer.wait_or(&self.s.control.stop, || source.frame_ready(), alarm) {
                    Wake::Tick { skipped } => break skipped,
                    Wake::Alarm => self.receive_and_play(),
                }
            };
            if behind > 0 {
                self.rtp
                    .skip(self.timestamp_step.wrapping_mul(behind as u32));
                Counters::add(&self.s.counters.ticks_skipped, behind as usize);
            }
        }
        self.send_rtcp(true);
        if let Err(e) = self.s.sink.finish() {
            Counters::bump(&self.s.counters.output_errors);
            tracing::warn!("closing the audio output failed: {e}");
        }
        if let Err(e) = self.s.socket.set_nonblocking(false) {
            tracing::warn!("cannot make the RTP socket blocking again: {e}");
        }
        self.s.socket
    }

    /// Plays what the last tick's schedule still had to play: the tick came before its pop.
    fn play_left_over(&mut self) {
        // Two at most: a lead can put a second pop into the last tick, and the jitter buffer
        // spaces its leads (a bound all the same, so nothing here can spin).
        for _ in 0..2 {
            if self.pops.next().is_none() {
                return;
            }
            self.receive_and_play();
        }
    }

    /// Drains the socket, then plays the next frame: a pop between ticks.
    fn receive_and_play(&mut self) {
        self.receive();
        self.play_next();
    }

    /// Plays the next frame, and brings the following pops forward by the jitter buffer's lead.
    fn play_next(&mut self) {
        self.playout(Instant::now());
        let lead_ms = self.jitter.take_lead();
        if lead_ms > 0.0 && self.s.sink.come_forward(lead_ms) {
            self.skip_next = (lead_ms * f64::from(OUTPUT_RATE) / 1000.0).round() as usize;
        }
        let lead = Duration::try_from_secs_f64(lead_ms / 1000.0).unwrap_or_default();
        self.pops.popped(lead);
    }

    /// Device notices, RTCP reports when due, the quality figures once a second, and the far
    /// end's silence.
    fn housekeeping(&mut self, now: Instant) {
        self.report_device_notices();
        if now >= self.next_quality {
            self.next_quality = now + QUALITY_EVERY;
            self.publish_quality();
        }
        if now >= self.rtcp.next_report_due() {
            self.send_rtcp(false);
        }
        let expecting = self.s.control.send.load(Relaxed) && self.s.control.receive.load(Relaxed);
        if !self.timed_out && self.timeout.expired(now, expecting) {
            self.timed_out = true;
            tracing::info!("no RTP from the far end for {} s", RTP_TIMEOUT.as_secs());
            self.emit(MediaEvent::RtpTimeout);
        }
    }

    fn publish_quality(&self) {
        let buffer = self.jitter.stats();
        let remote = self.rtcp.remote_report();
        self.s.counters.set_quality(Quality {
            jitter_ms: buffer.jitter_ms,
            target_delay_ms: buffer.target_delay_ms,
            buffer_delay_ms: buffer.current_delay_ms,
            lost: buffer.lost,
            late: buffer.late,
            concealed: buffer.concealed,
            remote_fraction_lost: remote.map(|r| r.fraction_lost),
            rtt_ms: remote.and_then(|r| r.rtt_ms),
        });
    }

    fn send_rtcp(&mut self, bye: bool) {
        let (Some(socket), Some(to)) = (&self.s.rtcp_socket, self.rtcp_destination()) else {
            return;
        };
        // Room for the SRTCP index and tag.
        let mut report = [0u8; MAX_REPORT_LEN + 32];
        let now = Instant::now();
        let built = if bye {
            self.rtcp.build_bye(now, SystemTime::now(), &mut report)
        } else {
            self.rtcp.build_report(now, SystemTime::now(), &mut report)
        };
        let n = match built {
            Ok(n) => n,
            Err(e) => {
                tracing::debug!("building RTCP failed: {e}");
                return;
            }
        };
        let n = match self.s.srtp.as_mut().map(|s| s.protect_rtcp(&mut report, n)) {
            None => n,
            Some(Ok(sealed)) => sealed,
            Some(Err(e)) => {
                tracing::debug!("protecting RTCP failed: {e}");
                return;
            }
        };
        if let Err(e) = socket.send_to(&report[..n], to) {
            tracing::debug!("sending RTCP failed: {e}");
        }
    }

    /// RTCP goes to the SDP's `a=rtcp` address, else the RTP address (latched) with port + 1.
    fn rtcp_destination(&self) -> Option<SocketAddr> {
        if let Some(addr) = self.s.remote_rtcp {
            if !self.peer.is_latched() {
                return Some(addr);
            }
        }
        let rtp = self.peer.current();
        Some(SocketAddr::new(rtp.ip(), rtp.port().checked_add(1)?))
    }
}
