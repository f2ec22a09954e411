//! A call's endpoints on its conference place, used on the call's media thread: the sink hands
//! the mixer what the far end says, the source gives the encoder what the mixer made for it.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;

use rtrb::{Producer, RingBuffer};

use super::mix::FrameReader;
use super::{Command, ConferencePort, FRAME};
use crate::device::{AudioSink, AudioSource, OUTPUT_RATE};
use crate::error::MediaError;
use crate::resample::StreamResampler;

/// Capacity of each ring between a call and the mixer: far more than the fill the readers keep
/// (one to two frames), so a writer's burst is trimmed by the reader rather than cut here.
const RING_FRAMES: usize = 8;

/// Holds the place while the endpoint is open.
struct Seat {
    port: ConferencePort,
}

impl Seat {
    fn take(port: &ConferencePort) -> Result<Self, MediaError> {
        port.shared.enter(port)?;
        Ok(Self { port: port.clone() })
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.port
            .shared
            .leave(self.port.slot, self.port.lease.generation);
    }
}

/// The far end's decoded audio (48 kHz) into the mixer.
pub(crate) struct PortSink {
    ring: Producer<f32>,
    _seat: Seat,
}

/// The mixer's frames for this call, resampled to the encoder's rate.
pub(crate) struct PortSource {
    reader: FrameReader,
    resampler: StreamResampler,
    mixed: Vec<f32>,
    fifo: VecDeque<f32>,
    seat: Seat,
}

/// Opens the source side of `port` for an encoder at `rate` taking frames of `frame` samples.
pub(crate) fn open_source(
    port: &ConferencePort,
    rate: u32,
    frame: usize,
) -> Result<Box<dyn AudioSource>, MediaError> {
    let resampler = StreamResampler::new(OUTPUT_RATE, rate, FRAME)?;
    let seat = Seat::take(port)?;
    let (ring, reader) = RingBuffer::new(RING_FRAMES * FRAME);
    port.shared.send(Command::Output {
        slot: port.slot,
        ring,
    })?;
    let fifo = VecDeque::with_capacity(frame + 2 * resampler.output_max());
    Ok(Box::new(PortSource {
        reader: FrameReader::new(reader),
        resampler,
        mixed: vec![0.0; FRAME],
        fifo,
        seat,
    }))
}

/// Opens the sink side of `port`.
pub(crate) fn open_sink(port: &ConferencePort) -> Result<Box<dyn AudioSink>, MediaError> {
    let seat = Seat::take(port)?;
    let (ring, consumer) = RingBuffer::new(RING_FRAMES * FRAME);
    port.shared.send(Command::Input {
        slot: port.slot,
        ring: consumer,
    })?;
    Ok(Box::new(PortSink { ring, _seat: seat }))
}

impl AudioSink for PortSink {
    fn write(&mut self, samples: &[f32]) -> Result<(), MediaError> {
        // A full ring means the mixer is gone or stalled: what does not fit is dropped.
        let _ = self.ring.push_partial_slice(samples);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), MediaError> {
        Ok(())
    }
}

impl AudioSource for PortSource {
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let mut result = Ok(());
        // Each mixer frame adds at least one sample at any rate the codecs use; the bound only
        // guards against a resampler that produced nothing.
        let mut rounds = out.len() / 8 + 4;
        while self.fifo.len() < out.len() && rounds > 0 {
            rounds -= 1;
            let outcome = self.reader.read(&mut self.mixed);
            let shared = &self.seat.port.shared;
            if outcome.padded > 0 {
                shared.underruns.fetch_add(outcome.padded as u64, Relaxed);
            }
            if outcome.dropped > 0 {
                shared.dropped.fetch_add(outcome.dropped as u64, Relaxed);
            }
            let fifo = &mut self.fifo;
            let room = fifo.capacity();
            if let Err(e) = self.resampler.process(&self.mixed, &mut |s| {
                let fits = room.saturating_sub(fifo.len()).min(s.len());
                fifo.extend(&s[..fits]);
            }) {
                result = Err(e);
                break;
            }
        }
        for o in out.iter_mut() {
            *o = self.fifo.pop_front().unwrap_or(0.0);
        }
        result
    }
}
