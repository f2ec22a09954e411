//! Playback: 48 kHz (or any rate) -> adaptive resampler -> ring at the device rate.

use rtrb::Producer;

use super::splice::Splice;
use super::{in_ms, ms, report, Outcome, Settle};
use crate::error::MediaError;
use crate::resample::adaptive::{AdaptiveResampler, Fixed};
use crate::resample::control::DriftControl;

/// Input block of the resampler.
const BLOCK_MS: f64 = 10.0;
/// Crossfade over a cut in the playback.
const SPLICE_MS: f64 = 3.0;
/// A stream's first writes (half a second at 20 ms) are its start: they come at uneven times
/// (in the latency bench a G.711 call's second write came 28-31 ms after its first), so a
/// device found low or dry then does not grow the target.
const START_WRITES: u32 = 25;

/// Where playback audio is queued: a ring drained by a device callback, or a device buffer
/// written directly.
pub trait PlaybackQueue {
    /// Samples queued and not yet played.
    fn queued(&self) -> usize;
    /// Queues as much of `samples` as fits; how many were taken.
    fn push(&mut self, samples: &[f32]) -> usize;
    /// Queues up to `n` samples of silence; how many were taken.
    fn push_silence(&mut self, n: usize) -> usize;
    /// Whether the device ran out of audio (or has not started), so the next write restarts it.
    fn ran_dry(&mut self) -> bool {
        self.queued() == 0
    }
}

impl PlaybackQueue for Producer<f32> {
    fn queued(&self) -> usize {
        self.buffer().capacity() - self.slots()
    }
    fn push(&mut self, samples: &[f32]) -> usize {
        let (taken, _) = self.push_partial_slice(samples);
        taken.len()
    }
    fn push_silence(&mut self, n: usize) -> usize {
        self.write_chunk_uninit(n.min(self.slots()))
            .map_or(0, |chunk| chunk.fill_from_iter(std::iter::repeat(0.0)))
    }
}

/// Fills a playback ring; see the module docs.
pub struct PlaybackDrift<Q: PlaybackQueue = Producer<f32>> {
    ring: Q,
    resampler: AdaptiveResampler,
    control: DriftControl,
    device_rate: u32,
    /// Input waiting for a whole block.
    pending: Vec<f32>,
    block: usize,
    /// What one write resampled, queued in one push: straight to a device each push is a
    /// device call (with PulseAudio's plugin, a lock and a wake-up of its thread).
    out: Vec<f32>,
    /// Above this (before a write) the excess is dropped from what comes next.
    cap: usize,
    /// Drops resampled samples, crossfading over each cut.
    splice: Splice,
    settle: Settle,
    ticks: u32,
    /// Silence put in when a write finds the ring empty, besides the target.
    restart_pad: usize,
    /// See [`PlaybackDrift::repeat_when_low`]: the share of the target.
    low_share: Option<f64>,
    /// See [`PlaybackDrift::grow_when_low`].
    growth: Option<Growth>,
    /// Writes so far, up to [`START_WRITES`].
    writes: u32,
    /// How much earlier the next write comes (see [`PlaybackDrift::come_forward`]): the fill
    /// it finds is that much higher, and as much of what it brings is dropped.
    forward: usize,
}

/// How the target grows each time the device ran low or dry, in device samples.
#[derive(Debug, Clone, Copy)]
struct Growth {
    step: usize,
    most: usize,
}

impl<Q: PlaybackQueue> PlaybackDrift<Q> {
    /// `frame`: samples per write at `rate`. `target_ms`: ring fill kept just before each
    /// write; `cap_ms`: fill above the target that is dropped at once; `pad`: silence (device
    /// samples) put in besides the target when a write finds the ring empty (the device takes
    /// about two periods at once to fill its own buffer).
    pub fn new(
        ring: Q,
        rate: u32,
        device_rate: u32,
        frame: usize,
        target_ms: f64,
        cap_ms: f64,
        pad: usize,
    ) -> Result<Self, MediaError> {
        let block = ms(rate, BLOCK_MS);
        let resampler = AdaptiveResampler::new(rate, device_rate, block, Fixed::Input)?;
        // A frame's blocks, one of them lengthened by a repeat: grown once if a frame is longer.
        let out = (frame.div_ceil(block.max(1)) + 1) * resampler.output_max();
        let tick_s = frame as f64 / f64::from(rate.max(1));
        let target = ms(device_rate, target_ms);
        Ok(Self {
            ring,
            resampler,
            control: DriftControl::new(target, device_rate, tick_s),
            device_rate,
            pending: Vec::with_capacity(block),
            block,
            out: Vec::with_capacity(out),
            cap: target + ms(device_rate, cap_ms),
            settle: Settle::new(device_rate, target),
            ticks: 0,
            splice: Splice::new(ms(device_rate, SPLICE_MS)),
            restart_pad: pad,
            low_share: None,
            growth: None,
            writes: 0,
            forward: 0,
        })
    }

    /// From now on a fill below `share` of the target before a write is topped up to the
    /// target at once, by playing a few ms of the next block twice (crossfaded). For a queue
    /// whose fill, read before each write, is the device's own delay: there a low reading is
    /// margin lost. The media thread's ticks follow the microphone's hand-overs, and one that
    /// comes late moves every later write closer to the moment the device needs it; the ratio
    /// wins that back at half a ms a second, long enough for the device to run dry, which
    /// costs a gap and more delay than the repeat. (A ring drained by callbacks swings by a
    /// callback period between writes, so a low reading there says little.)
    pub fn repeat_when_low(&mut self, share: f64) {
        self.low_share = Some(share.clamp(0.0, 1.0));
    }

    /// From now on the target grows by `step_ms`, up to `most_ms`, each time a write finds the
    /// device low (see [`PlaybackDrift::repeat_when_low`]) or run dry after its start: the
    /// target can start small, and a machine whose writes come late gets the margin it shows
    /// it needs. It does not shrink again: each growth cost a repeat or a gap, and a target that
    /// came back down would meet the same late write again.
    pub fn grow_when_low(&mut self, step_ms: f64, most_ms: f64) {
        self.growth = Some(Growth {
            step: ms(self.device_rate, step_ms),
            most: ms(self.device_rate, most_ms),
        });
    }

    /// The fill kept just before each write, in device samples.
    pub fn target(&self) -> usize {
        self.control.target()
    }

    /// Grows the target, where asked for, once the stream is past its start.
    fn grow_target(&mut self) {
        let Some(growth) = self.growth.filter(|_| self.writes >= START_WRITES) else {
            return;
        };
        let target = self.control.target();
        let grown = (target + growth.step).min(growth.most.max(target));
        if grown > target {
            self.control.set_target(grown);
            self.cap += grown - target;
            tracing::debug!(
                target: "parla_media::drift",
                target_ms = in_ms(self.device_rate, grown),
                "playback target grown after the device ran low"
            );
        }
    }

    /// The writes come `ms` earlier from now on: the next `ms` of audio are dropped
    /// (crossfaded), so that the ring holds no more than before.
    pub fn come_forward(&mut self, ms_ahead: f64) {
        let n = ms(self.device_rate, ms_ahead);
        self.splice.drop_more(n);
        self.forward += n;
    }

    /// Samples waiting in the ring.
    pub fn queued(&self) -> usize {
        self.ring.queued()
    }

    /// The ratio correction in use, relative (1.0: none).
    pub fn ratio(&self) -> f64 {
        self.control.ratio()
    }

    /// The device's clock offset learnt so far, in ppm (positive: the device is slow).
    pub fn drift_ppm(&self) -> f64 {
        self.control.drift_ppm()
    }

    /// The device's rate.
    pub fn device_rate(&self) -> u32 {
        self.device_rate
    }

    /// Queues `samples` for the device.
    pub fn write(&mut self, samples: &[f32]) -> Result<Outcome, MediaError> {
        let mut outcome = Outcome::default();
        let dry = self.ring.ran_dry();
        let queued = self
            .queued()
            .saturating_sub(std::mem::take(&mut self.forward));
        let low = self
            .low_share
            .map(|share| (self.control.target() as f64 * share) as usize);
        if dry {
            self.grow_target();
            outcome.padded = self
                .ring
                .push_silence(self.control.target() + self.restart_pad);
            self.control.relevel();
            self.settle.start_again();
        } else if queued > self.cap {
            outcome.dropped = queued - self.control.target();
            self.splice.drop_next(outcome.dropped);
            self.control.relevel();
            self.settle.restart();
        } else if low.is_some_and(|low| queued < low) {
            self.grow_target();
            // What one block can repeat beside its fade.
            let most = ms(self.device_rate, BLOCK_MS - SPLICE_MS);
            outcome.repeated = (self.control.target() - queued).min(most);
            self.splice.repeat_next(outcome.repeated);
            self.control.relevel();
            self.settle.restart();
        } else {
            let excess = self.settle.observe(queued, self.control.target());
            if excess > 0 {
                self.splice.drop_next(excess);
                outcome.dropped = excess;
                self.control.relevel();
            }
            let ratio = self.control.update(queued - excess);
            self.resampler.set_ratio(ratio);
        }
        self.writes = (self.writes + 1).min(START_WRITES);
        let resampled = self.resample(samples);
        if !self.out.is_empty() {
            let taken = self.ring.push(&self.out);
            outcome.dropped += self.out.len() - taken;
        }
        resampled?;
        let ratio = self.control.ratio();
        report(
            "playback",
            &mut self.ticks,
            outcome,
            queued,
            self.device_rate,
            ratio,
        );
        Ok(outcome)
    }

    /// Resamples the whole blocks `samples` completes into `out` (what came before an error
    /// stays there), keeping the rest for the next write.
    fn resample(&mut self, mut samples: &[f32]) -> Result<(), MediaError> {
        self.out.clear();
        while !samples.is_empty() {
            let take = (self.block - self.pending.len()).min(samples.len());
            self.pending.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.pending.len() < self.block {
                break;
            }
            let resampled = self.resampler.process(&self.pending);
            self.pending.clear();
            for part in self.splice.cut(resampled?) {
                self.out.extend_from_slice(part);
            }
        }
        Ok(())
    }
}
