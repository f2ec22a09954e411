//! Draining the sockets each tick: RTP from the peer only (DTMF digits reported, voice decoded
//! and played), RTCP reports from the far end.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use super::Pipeline;
use crate::arrival::StampedReceiver;
use crate::events::MediaEvent;
use crate::jitter::Playout;
use crate::peer::PeerVerdict;
use crate::rtp;
use crate::stats::Counters;

/// Cap on datagrams handled per drain of the socket (a tick drains it once, and so does each pop
/// between ticks), so a flood cannot stall sending; the rest waits in the socket buffer (and
/// the kernel drops what does not fit).
const MAX_DATAGRAMS_PER_DRAIN: usize = 64;

/// `recv_from` on a non-blocking socket: `None` when there is nothing more to read now.
fn next_datagram(
    socket: &std::net::UdpSocket,
    receiver: &mut StampedReceiver,
    buf: &mut [u8],
    counters: &Counters,
) -> Option<(usize, SocketAddr, Instant)> {
    loop {
        match receiver.recv_from(socket, buf) {
            Ok(got) => return Some(got),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return None,
            // ICMP errors from earlier sends surface here on some systems; not fatal.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
                ) => {}
            Err(e) => {
                if Counters::bump(&counters.receive_errors) {
                    tracing::warn!("receiving failed: {e}");
                }
                return None;
            }
        }
    }
}

impl Pipeline {
    pub(super) fn receive(&mut self) {
        for _ in 0..MAX_DATAGRAMS_PER_DRAIN {
            let Some((n, from, arrival)) = next_datagram(
                &self.s.socket,
                &mut self.stamps,
                &mut self.datagram,
                &self.s.counters,
            ) else {
                return;
            };
            self.handle_datagram(n, from, arrival);
        }
    }

    pub(super) fn receive_rtcp(&mut self) {
        let (Some(socket), Some(stamps)) = (self.s.rtcp_socket.as_ref(), self.rtcp_stamps.as_mut())
        else {
            return;
        };
        for _ in 0..MAX_DATAGRAMS_PER_DRAIN {
            let Some((n, _from, arrival)) =
                next_datagram(socket, stamps, &mut self.datagram, &self.s.counters)
            else {
                return;
            };
            let n = match self.s.srtp.as_mut() {
                None => n,
                Some(srtp) => match srtp.unprotect_rtcp(&mut self.datagram, n) {
                    Ok(plain) => plain,
                    Err(e) => {
                        if Counters::bump(&self.s.counters.srtp_rejected) {
                            tracing::debug!("SRTCP packet dropped: {e}");
                        }
                        continue;
                    }
                },
            };
            match self.rtcp.on_rtcp_received(&self.datagram[..n], arrival) {
                Ok(Some(report)) => {
                    tracing::trace!(?report, "RTCP report");
                    if report.bye {
                        continue;
                    }
                    if let Some(percent) = self.loss.on_report(report.fraction_lost) {
                        tracing::debug!(percent, "the encoder now expects this much loss");
                        self.s.encoder.expect_loss(percent);
                    }
                }
                Ok(None) => {}
                Err(_) => {
                    Counters::bump(&self.s.counters.malformed_received);
                }
            }
        }
    }

    /// `now`: when the datagram arrived.
    fn handle_datagram(&mut self, n: usize, from: SocketAddr, now: Instant) {
        let counters = &self.s.counters;
        // Authenticated before anything else looks at it: a forged packet neither plays nor
        // moves the peer filter.
        let n = match self.s.srtp.as_mut() {
            None => n,
            Some(srtp) => match srtp.unprotect_rtp(&mut self.datagram, n) {
                Ok(plain) => plain,
                Err(e) => {
                    if Counters::bump(&counters.srtp_rejected) {
                        tracing::debug!(%from, "SRTP packet dropped: {e}");
                    }
                    return;
                }
            },
        };
        let Ok(packet) = rtp::parse(&self.datagram[..n]) else {
            Counters::bump(&counters.malformed_received);
            return;
        };
        let pt = packet.header.payload_type;
        let is_event = Some(pt) == self.s.telephone_event_pt;
        if pt != self.s.codec.payload_type && !is_event {
            Counters::bump(&counters.packets_ignored);
            return;
        }
        let (ssrc, seq, timestamp) = (
            packet.header.ssrc,
            packet.header.sequence_number,
            packet.header.timestamp,
        );
        match self.peer.accept(from, ssrc, seq, now) {
            PeerVerdict::Drop => {
                Counters::bump(&counters.packets_ignored);
                return;
            }
            PeerVerdict::AcceptNewSource => {
                self.dtmf_in.reset();
                self.jitter.reset();
            }
            PeerVerdict::Accept => {}
        }
        counters.mark_packet(now);
        self.timeout.on_packet(now);
        self.rtcp.on_rtp_received(ssrc, seq, timestamp, now);
        if is_event {
            self.jitter.push_other(seq);
            Counters::bump(&counters.telephone_events_received);
            if let Some(digit) = self.dtmf_in.on_packet(timestamp, packet.payload) {
                tracing::debug!(%digit, "DTMF received");
                self.emit(MediaEvent::Dtmf(digit));
            }
            return;
        }
        Counters::bump(&counters.packets_received);
        Counters::add(&counters.bytes_received, n);
        self.jitter.push(seq, timestamp, packet.payload, now);
    }

    /// Plays one frame: the packet due now, a concealed frame, or silence.
    pub(super) fn playout(&mut self, now: Instant) {
        let Self {
            jitter,
            s,
            decoded,
            record,
            skip_next,
            ..
        } = self;
        let frame =
            crate::sample::frame_samples(s.decoder.sample_rate(), s.ptime_ms).min(decoded.len());
        let decoded_len = match jitter.pop(now) {
            Playout::Packet { payload, .. } => s.decoder.decode(payload, decoded).or_else(|e| {
                if Counters::bump(&s.counters.decode_errors) {
                    tracing::debug!("decoding RTP failed: {e}");
                }
                s.decoder.conceal(decoded)
            }),
            Playout::Conceal { next: Some(next) } => s.decoder.conceal_from(next, decoded),
            Playout::Conceal { next: None } => s.decoder.conceal(decoded),
            Playout::Silence => {
                decoded[..frame].fill(0.0);
                Ok(frame)
            }
        };
        let samples = decoded_len.unwrap_or_else(|_| {
            decoded[..frame].fill(0.0);
            frame
        });
        if !s.control.receive.load(Relaxed) {
            // On hold: keep the output's clock running with silence.
            decoded[..samples].fill(0.0);
        }
        // This pop came early by the last lead and the sink drops as much of it (told at the
        // lead): the recording and the canceller's reference, which follow what the speaker
        // plays, skip it as well.
        let mut skip = std::mem::take(skip_next);
        let sink = &mut s.sink;
        // The canceller's reference is needed only while a microphone can hear the speaker.
        let mut processing = s.processing.as_mut().filter(|_| s.source.acoustic());
        let mut write_error = None;
        let resampled = s.resampler.process(&decoded[..samples], &mut |pcm| {
            let played = &pcm[skip.min(pcm.len())..];
            skip -= pcm.len() - played.len();
            if let Some(tap) = record.as_mut() {
                tap.remote(played);
            }
            if let Some(processing) = processing.as_deref_mut() {
                if let Err(e) = processing.render(played) {
                    write_error.get_or_insert(e);
                }
            }
            if write_error.is_none() {
                write_error = sink.write(pcm).err();
            }
        });
        if let Some(e) = resampled.err().or(write_error) {
            if Counters::bump(&s.counters.output_errors) {
                tracing::warn!("audio output failed: {e}");
            }
        }
    }
}
