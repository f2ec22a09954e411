//! The media thread's loop: every ptime, capture -> encode -> send, then drain the socket and
//! decode -> resample -> play. Paced by deadlines from one start instant, so it does not drift.

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::codec::{CodecParams, Decoder, Encoder, MAX_DECODED_SAMPLES};
use crate::device::{AudioSink, AudioSource};
use crate::resample::StreamResampler;
use crate::rtp::{self, RtpSender, MAX_DATAGRAM};
use crate::sample::frame_samples;
use crate::session::Control;
use crate::stats::Counters;

/// Cap on datagrams handled per tick, so a flood cannot stall sending; the rest waits in the
/// socket buffer (and the kernel drops what does not fit).
const MAX_DATAGRAMS_PER_TICK: usize = 64;
/// Falling further behind than this many ticks (suspend, debugger) skips ahead instead of
/// bursting the missed packets.
const MAX_LAG_TICKS: u64 = 5;

/// Everything the thread owns, built by `MediaSession::start`.
pub(crate) struct Setup {
    pub socket: UdpSocket,
    pub remote: SocketAddr,
    pub codec: CodecParams,
    pub telephone_event_pt: Option<u8>,
    pub ptime_ms: u32,
    pub encoder: Box<dyn Encoder>,
    pub decoder: Box<dyn Decoder>,
    pub source: Box<dyn AudioSource>,
    pub sink: Box<dyn AudioSink>,
    pub resampler: StreamResampler,
    pub control: Arc<Control>,
    pub counters: Arc<Counters>,
}

pub(crate) struct Pipeline {
    s: Setup,
    rtp: RtpSender,
    ptime: Duration,
    timestamp_step: u32,
    capture: Vec<f32>,
    payload: Vec<u8>,
    packet: Vec<u8>,
    datagram: Vec<u8>,
    decoded: Vec<f32>,
}

impl Pipeline {
    pub fn new(s: Setup) -> Self {
        let capture = vec![0.0; frame_samples(s.encoder.sample_rate(), s.ptime_ms)];
        Self {
            rtp: RtpSender::new(s.codec.payload_type),
            ptime: Duration::from_millis(u64::from(s.ptime_ms)),
            timestamp_step: s.codec.timestamp_step(s.ptime_ms),
            capture,
            payload: vec![0; MAX_DATAGRAM],
            packet: vec![0; MAX_DATAGRAM],
            datagram: vec![0; MAX_DATAGRAM],
            decoded: vec![0.0; MAX_DECODED_SAMPLES],
            s,
        }
    }

    /// Runs until stopped, then finalises the output and returns the socket.
    pub fn run(mut self) -> UdpSocket {
        let start = Instant::now();
        let mut tick: u64 = 0;
        while !self.s.control.stop.load(Relaxed) {
            if let Some(remote) = self.s.control.take_remote() {
                tracing::debug!(%remote, "media remote changed");
                self.s.remote = remote;
            }
            self.send_frame();
            self.receive();

            tick += 1;
            let mut deadline = start + self.span(tick);
            let now = Instant::now();
            if now > deadline + self.span(MAX_LAG_TICKS) {
                let behind = ((now - deadline).as_nanos() / self.ptime.as_nanos().max(1)) as u64;
                tick += behind;
                self.rtp
                    .skip(self.timestamp_step.wrapping_mul(behind as u32));
                Counters::add(&self.s.counters.ticks_skipped, behind as usize);
                deadline = start + self.span(tick);
            }
            self.wait_until(deadline);
        }
        if let Err(e) = self.s.sink.finish() {
            Counters::bump(&self.s.counters.output_errors);
            tracing::warn!("closing the audio output failed: {e}");
        }
        if let Err(e) = self.s.socket.set_nonblocking(false) {
            tracing::warn!("cannot make the RTP socket blocking again: {e}");
        }
        self.s.socket
    }

    /// `ticks` packet times as a duration.
    fn span(&self, ticks: u64) -> Duration {
        let nanos = u64::try_from(self.ptime.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(nanos.saturating_mul(ticks))
    }

    fn wait_until(&self, deadline: Instant) {
        // park_timeout may wake early (spuriously, or from `stop`): re-check both.
        while !self.s.control.stop.load(Relaxed) {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            std::thread::park_timeout(deadline - now);
        }
    }

    fn send_frame(&mut self) {
        let counters = &self.s.counters;
        // Capture runs even when not sending, so a live device keeps being drained.
        if let Err(e) = self.s.source.read(&mut self.capture) {
            if Counters::bump(&counters.input_errors) {
                tracing::warn!("audio input failed, sending silence: {e}");
            }
        }
        if !self.s.control.send.load(Relaxed) {
            self.rtp.skip(self.timestamp_step);
            return;
        }
        if self.s.control.muted.load(Relaxed) {
            self.capture.fill(0.0);
        }
        let len = match self.s.encoder.encode(&self.capture, &mut self.payload) {
            Ok(len) => len,
            Err(e) => {
                if Counters::bump(&counters.encode_errors) {
                    tracing::warn!("encoding failed: {e}");
                }
                self.rtp.skip(self.timestamp_step);
                return;
            }
        };
        let n = match self
            .rtp
            .write(&self.payload[..len], self.timestamp_step, &mut self.packet)
        {
            Ok(n) => n,
            Err(e) => {
                if Counters::bump(&counters.encode_errors) {
                    tracing::warn!("packetising failed: {e}");
                }
                self.rtp.skip(self.timestamp_step);
                return;
            }
        };
        match self.s.socket.send_to(&self.packet[..n], self.s.remote) {
            Ok(_) => {
                Counters::bump(&counters.packets_sent);
                Counters::add(&counters.bytes_sent, n);
            }
            Err(e) => {
                if Counters::bump(&counters.send_errors) {
                    tracing::warn!(remote = %self.s.remote, "sending RTP failed: {e}");
                }
            }
        }
    }

    fn receive(&mut self) {
        for _ in 0..MAX_DATAGRAMS_PER_TICK {
            match self.s.socket.recv_from(&mut self.datagram) {
                Ok((n, _from)) => self.handle_datagram(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                // ICMP errors from earlier sends surface here on some systems; not fatal.
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
                    ) => {}
                Err(e) => {
                    if Counters::bump(&self.s.counters.receive_errors) {
                        tracing::warn!("receiving RTP failed: {e}");
                    }
                    return;
                }
            }
        }
    }

    fn handle_datagram(&mut self, n: usize) {
        let Self {
            s,
            datagram,
            decoded,
            ..
        } = self;
        let counters = &s.counters;
        let Ok(packet) = rtp::parse(&datagram[..n]) else {
            Counters::bump(&counters.malformed_received);
            return;
        };
        counters.mark_packet(Instant::now());
        let pt = packet.header.payload_type;
        if pt != s.codec.payload_type {
            if Some(pt) == s.telephone_event_pt {
                Counters::bump(&counters.telephone_events_received);
            } else {
                Counters::bump(&counters.packets_ignored);
            }
            return;
        }
        Counters::bump(&counters.packets_received);
        Counters::add(&counters.bytes_received, n);
        if !s.control.receive.load(Relaxed) {
            return;
        }
        let samples = match s.decoder.decode(packet.payload, decoded) {
            Ok(k) => k,
            Err(e) => {
                if Counters::bump(&counters.decode_errors) {
                    tracing::debug!("decoding RTP failed: {e}");
                }
                return;
            }
        };
        let sink = &mut s.sink;
        let mut write_error = None;
        let resampled = s.resampler.process(&decoded[..samples], &mut |pcm| {
            if write_error.is_none() {
                write_error = sink.write(pcm).err();
            }
        });
        if let Some(e) = resampled.err().or(write_error) {
            if Counters::bump(&counters.output_errors) {
                tracing::warn!("audio output failed: {e}");
            }
        }
    }
}
