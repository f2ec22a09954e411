//! Each tick's outgoing packet: a DTMF event while one is playing, else a voice frame.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::PoisonError;
use std::time::Instant;

use super::Pipeline;
use crate::stats::Counters;

impl Pipeline {
    /// Moves digits queued by the handle into the RFC 4733 sender.
    pub(super) fn take_queued_digits(&mut self) {
        let mut queued = self
            .s
            .control
            .dtmf
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if queued.is_empty() {
            return;
        }
        if let Err(e) = self.dtmf_out.queue(&queued) {
            tracing::warn!("DTMF digits dropped: {e}");
        }
        queued.clear();
    }

    pub(super) fn send_frame(&mut self) {
        let counters = &self.s.counters;
        // Capture runs even when not sending, so a live device keeps being drained.
        if let Err(e) = self.s.source.read(&mut self.capture) {
            if Counters::bump(&counters.input_errors) {
                tracing::warn!("audio input failed, sending silence: {e}");
            }
        }
        // Before mute: the meter shows the microphone works even while nothing is sent.
        self.s.level.observe(&self.capture);
        if !self.s.control.send.load(Relaxed) {
            self.dtmf_out.clear();
            self.rtp.skip(self.timestamp_step);
            return;
        }
        if let (true, Some(pt)) = (self.dtmf_out.is_active(), self.s.telephone_event_pt) {
            return self.send_dtmf(pt);
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
        let timestamp = self.rtp.next_timestamp();
        match self
            .rtp
            .write(&self.payload[..len], self.timestamp_step, &mut self.packet)
        {
            Ok(n) => self.transmit(n, len, timestamp),
            Err(e) => {
                if Counters::bump(&counters.encode_errors) {
                    tracing::warn!("packetising failed: {e}");
                }
                self.rtp.skip(self.timestamp_step);
            }
        }
    }

    fn send_dtmf(&mut self, payload_type: u8) {
        let timestamp = self.rtp.next_timestamp();
        if let Some(event) = self.dtmf_out.next_packet(timestamp) {
            match self.rtp.write_event(
                payload_type,
                event.marker,
                event.timestamp,
                &event.payload,
                &mut self.packet,
            ) {
                Ok(n) => self.transmit(n, event.payload.len(), timestamp),
                Err(e) => tracing::warn!("packetising DTMF failed: {e}"),
            }
        }
        self.rtp.skip(self.timestamp_step);
    }

    fn transmit(&mut self, n: usize, payload_len: usize, timestamp: u32) {
        let counters = &self.s.counters;
        let to = self.peer.current();
        match self.s.socket.send_to(&self.packet[..n], to) {
            Ok(_) => {
                Counters::bump(&counters.packets_sent);
                Counters::add(&counters.bytes_sent, n);
                self.rtcp
                    .on_rtp_sent(payload_len, timestamp, Instant::now());
            }
            Err(e) => {
                if Counters::bump(&counters.send_errors) {
                    tracing::warn!(remote = %to, "sending RTP failed: {e}");
                }
            }
        }
    }
}
