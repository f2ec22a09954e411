//! Each tick's outgoing packet: a DTMF event while one is playing, else a voice frame: the
//! microphone, or the hold music while we hold the far end.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::PoisonError;
use std::time::Instant;

use super::Pipeline;
use crate::record::tap;
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
        // Hold music chosen by `MediaSession::set_music_on_hold`; the old one goes back.
        self.s.control.take_music(&mut self.s.music);
        let counters = &self.s.counters;
        // Dropped after the last frame was read: this frame's audio was taken that much later.
        let skipped = self.s.source.take_skipped();
        if skipped > 0 {
            let frame = self.capture.len().max(1) as u64;
            let ticks = skipped as u64 * u64::from(self.timestamp_step) / frame;
            self.rtp.advance(u32::try_from(ticks).unwrap_or(u32::MAX));
        }
        // Capture runs even when not sending, so a live device keeps being drained.
        if let Err(e) = self.s.source.read(&mut self.capture) {
            if Counters::bump(&counters.input_errors) {
                tracing::warn!("audio input failed, sending silence: {e}");
            }
        }
        if let (Some(processing), true) = (self.s.processing.as_mut(), self.s.source.acoustic()) {
            processing.capture(&mut self.capture);
        }
        // Before mute: the meter shows the microphone works even while nothing is sent.
        self.s.level.observe(&self.capture);
        if let Some(tap) = self.record.as_mut() {
            tap.begin_tick(self.capture.len());
        }
        if !self.s.control.send.load(Relaxed) {
            tap::local(&mut self.record, None, self.capture.len());
            self.dtmf_out.clear();
            self.rtp.skip(self.timestamp_step);
            return;
        }
        let music = self.s.control.music.load(Relaxed);
        if music != self.sending_music {
            // Another sound starts: a new talkspurt for the far end's jitter buffer.
            self.sending_music = music;
            self.rtp.mark();
        }
        if let (true, Some(pt)) = (self.dtmf_out.is_active(), self.s.telephone_event_pt) {
            tap::local(&mut self.record, None, self.capture.len());
            return self.send_dtmf(pt);
        }
        let pcm = if music {
            match self.s.music.0.as_mut() {
                Some(source) => {
                    if let Err(e) = source.read(&mut self.music_frame) {
                        if Counters::bump(&counters.input_errors) {
                            tracing::warn!("hold music failed, sending silence: {e}");
                        }
                    }
                }
                None => self.music_frame.fill(0.0),
            }
            &self.music_frame
        } else {
            if self.s.control.muted.load(Relaxed) {
                self.capture.fill(0.0);
            }
            &self.capture
        };
        tap::local(&mut self.record, Some(pcm), pcm.len());
        let len = match self.s.encoder.encode(pcm, &mut self.payload) {
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
        let n = match self
            .s
            .srtp
            .as_mut()
            .map(|s| s.protect_rtp(&mut self.packet, n))
        {
            None => n,
            Some(Ok(sealed)) => sealed,
            Some(Err(e)) => {
                if Counters::bump(&counters.encode_errors) {
                    tracing::warn!("protecting RTP failed: {e}");
                }
                return;
            }
        };
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

// Debug only: `assert_no_alloc` counts violations only there.
#[cfg(all(test, debug_assertions))]
#[allow(
    clippy::expect_used,
    reason = "a test module (clippy sees `cfg(all(test, ..))` as not one): a failed step is a failed test"
)]
mod tests {
    use std::net::UdpSocket;
    use std::sync::atomic::Ordering::Relaxed;
    use std::sync::Arc;

    use crate::codec::{self, CodecParams, OpusSettings};
    use crate::device::{null, OUTPUT_RATE};
    use crate::level::{InputLevel, LevelMeter};
    use crate::moh::{HoldMusic, MusicOnHold};
    use crate::pipeline::{Pipeline, Setup};
    use crate::resample::StreamResampler;
    use crate::session::Control;
    use crate::stats::Counters;

    fn pipeline(codec: CodecParams, far: &UdpSocket) -> (Pipeline, Arc<Control>) {
        pipeline_reading(codec, far, Box::new(null::NullSource))
    }

    fn pipeline_reading(
        codec: CodecParams,
        far: &UdpSocket,
        source: Box<dyn crate::device::AudioSource>,
    ) -> (Pipeline, Arc<Control>) {
        let remote = far.local_addr().expect("addr");
        let encoder = codec::new_encoder(&codec, 20, OpusSettings::default()).expect("encoder");
        let decoder = codec::new_decoder(&codec, 20).expect("decoder");
        let rate = encoder.sample_rate();
        let control = Arc::new(Control::new(remote));
        let (_swaps, swaps_in) = rtrb::RingBuffer::new(1);
        let setup = Setup {
            socket: UdpSocket::bind("127.0.0.1:0").expect("bind"),
            rtcp_socket: None,
            remote,
            remote_rtcp: None,
            codec,
            telephone_event_pt: Some(101),
            telephone_event_clock_rate: codec.clock_rate,
            ptime_ms: 20,
            resampler: StreamResampler::new(decoder.sample_rate(), OUTPUT_RATE, rate as usize / 50)
                .expect("resampler"),
            encoder,
            decoder,
            source,
            sink: Box::new(null::NullSink),
            music: HoldMusic::open(&MusicOnHold::BuiltIn, rate, rate as usize / 50).0,
            control: Arc::clone(&control),
            counters: Arc::new(Counters::new()),
            events: None,
            swaps: swaps_in,
            level: LevelMeter::new(InputLevel::default(), 20),
            processing: None,
            srtp: None,
        };
        (Pipeline::new(setup), control)
    }

    /// Microphone, hold music (built-in and a file), silence, mute and DTMF: no frame allocates.
    #[test]
    fn sending_allocates_nothing_per_frame() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("music.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&file, spec).expect("wav");
        for i in 0..44_100 {
            w.write_sample(((i % 100) * 100) as i16).expect("sample");
            w.write_sample(0i16).expect("sample");
        }
        w.finalize().expect("finalize");

        for codec in [
            CodecParams::pcmu(),
            CodecParams::g722(),
            CodecParams::opus(111),
        ] {
            let far = UdpSocket::bind("127.0.0.1:0").expect("bind");
            let (mut p, control) = pipeline(codec, &far);
            let rate = p.s.encoder.sample_rate();
            let file_music =
                HoldMusic::open(&MusicOnHold::File(file.clone()), rate, rate as usize / 50);
            assert!(file_music.1.is_none());
            // Warm up: the first frames may set things up lazily.
            for _ in 0..5 {
                p.send_frame();
            }
            control.dtmf.lock().expect("dtmf").push('5');
            let mut file_music = Some(file_music.0);
            // A recording runs too: its tap copies every frame.
            let (local, mut local_out) = rtrb::RingBuffer::new(rate as usize);
            let (remote, _remote_out) = rtrb::RingBuffer::new(48_000);
            let state = Arc::new(crate::record::tap::RecordState::default());
            p.record = Some(crate::record::Tap::new(local, remote, state, 1920));
            let before = assert_no_alloc::violation_count();
            for frame in 0..300 {
                match frame {
                    20 => control.music.store(true, Relaxed),
                    // 1.5 s from a 1 s file: it loops (rewinds) too.
                    80 => {
                        if let Some(music) = file_music.take() {
                            control.next_music.offer(music);
                        }
                    }
                    200 => control.music.store(false, Relaxed),
                    220 => control.muted.store(true, Relaxed),
                    _ => {}
                }
                if frame == 10 {
                    assert_no_alloc::assert_no_alloc(|| p.take_queued_digits());
                }
                // At frame 80 the built-in music is replaced and handed back, not freed.
                assert_no_alloc::assert_no_alloc(|| p.send_frame());
            }
            assert_eq!(
                assert_no_alloc::violation_count(),
                before,
                "{:?}: the send path allocated",
                codec.kind
            );
            assert!(
                local_out.slots() >= rate as usize / 2,
                "the recording got what was sent"
            );
            while local_out.pop().is_ok() {}
            assert!(
                control.next_music.has_retired(),
                "the file music replaced the built-in one"
            );
            let stats = p.s.counters.snapshot();
            assert_eq!(
                stats.input_errors + stats.encode_errors + stats.send_errors,
                0
            );
            assert!(stats.packets_sent >= 290, "{stats:?}");
        }
    }

    /// A device-paced microphone that dropped `skips[n]` samples after its n-th frame.
    struct DroppingSource {
        skips: Vec<usize>,
        reads: usize,
    }

    impl crate::device::AudioSource for DroppingSource {
        fn read(&mut self, out: &mut [f32]) -> Result<(), crate::error::MediaError> {
            out.fill(0.1);
            self.reads += 1;
            Ok(())
        }

        fn take_skipped(&mut self) -> usize {
            self.reads
                .checked_sub(1)
                .and_then(|n| self.skips.get(n))
                .copied()
                .unwrap_or(0)
        }
    }

    /// Audio the microphone dropped between two frames moves the next packet's timestamp by
    /// as much (at the codec's clock: G.722 stamps 16 kHz audio at 8 kHz), with no new
    /// talkspurt: the far end sees when the audio was taken, not a packet that came late.
    #[test]
    fn audio_dropped_between_frames_moves_the_timestamp() {
        for (codec, dropped, moved) in [
            (CodecParams::opus(111), 240, 240),
            (CodecParams::g722(), 80, 40),
            (CodecParams::pcmu(), 40, 40),
        ] {
            let far = UdpSocket::bind("127.0.0.1:0").expect("bind");
            far.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .expect("timeout");
            let source = DroppingSource {
                skips: vec![0, dropped, 0],
                reads: 0,
            };
            let (mut p, _control) = pipeline_reading(codec, &far, Box::new(source));
            let step = p.timestamp_step;
            let mut stamps = Vec::new();
            let mut buf = [0u8; 1500];
            for _ in 0..4 {
                p.send_frame();
                let n = far.recv(&mut buf).expect("a packet");
                let packet = crate::rtp::parse(&buf[..n]).expect("rtp");
                assert!(
                    !packet.header.marker || stamps.is_empty(),
                    "{:?}",
                    codec.kind
                );
                stamps.push(packet.header.timestamp);
            }
            let steps: Vec<u32> = stamps.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
            assert_eq!(steps, [step, step + moved, step], "{:?}", codec.kind);
        }
    }
}
