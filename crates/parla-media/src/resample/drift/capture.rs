//! Capture: ring at the device rate -> adaptive resampler -> frames at the codec rate.

use std::collections::VecDeque;

use rtrb::Consumer;

use super::{ms, report, Outcome, Settle};
use crate::error::MediaError;
use crate::resample::adaptive::{AdaptiveResampler, Fixed};
use crate::resample::control::DriftControl;
use crate::sample::copy_finite;

/// Output block of the resampler, at the codec rate.
const BLOCK_MS: f64 = 10.0;

/// Reads a capture ring; see the module docs.
pub struct CaptureDrift {
    ring: Consumer<f32>,
    resampler: AdaptiveResampler,
    control: DriftControl,
    device_rate: u32,
    rate: u32,
    /// Above this the excess is dropped at once.
    cap: usize,
    settle: Settle,
    ticks: u32,
    /// Resampled audio not yet read.
    fifo: VecDeque<f32>,
    /// One block of input, at the device rate.
    block: Vec<f32>,
    primed: bool,
    /// Reads happen when the ring holds a frame (see [`CaptureDrift::follow_device`]).
    paced_by_device: bool,
}

impl CaptureDrift {
    /// `frame`: samples per read at `rate`. `target_ms`: ring fill kept just after each read;
    /// `cap_ms`: fill above the target that is dropped at once.
    pub fn new(
        ring: Consumer<f32>,
        device_rate: u32,
        rate: u32,
        frame: usize,
        target_ms: f64,
        cap_ms: f64,
    ) -> Result<Self, MediaError> {
        let resampler =
            AdaptiveResampler::new(device_rate, rate, ms(rate, BLOCK_MS), Fixed::Output)?;
        let tick_s = frame as f64 / f64::from(rate.max(1));
        let target = ms(device_rate, target_ms);
        Ok(Self {
            fifo: VecDeque::with_capacity(frame + 2 * resampler.output_max()),
            block: vec![0.0; resampler.input_max()],
            resampler,
            control: DriftControl::new(target, device_rate, tick_s),
            cap: target + ms(device_rate, cap_ms),
            settle: Settle::new(device_rate, target),
            ticks: 0,
            device_rate,
            rate,
            ring,
            primed: false,
            paced_by_device: false,
        })
    }

    /// From now on the reader runs when the ring holds [`CaptureDrift::ready_at`]: the
    /// device's clock is the reader's, so there is no drift to steer, and the ratio goes back
    /// to nominal. `target_ms` then only covers the resampler's rounding.
    ///
    /// What stays in the ring after a read is not dropped (only a backlog past the cap is):
    /// the reader's clock is the device's, so every sample dropped would make every later
    /// frame that much later, and the far end would take its packets for late and hold more
    /// delay (in the latency bench, runs that dropped 5 ms at a time ended 30 ms slower).
    /// Audio the device hands over in chunks a little longer than a frame (PulseAudio's
    /// fragments do not divide 20 ms) builds up to a frame and is then read by a tick that
    /// comes early (see `pacing.rs`).
    pub fn follow_device(&mut self, target_ms: f64) {
        self.paced_by_device = true;
        let target = ms(self.device_rate, target_ms);
        self.control = DriftControl::new(target, self.device_rate, self.control.tick_s());
        self.resampler.set_ratio(1.0);
    }

    pub fn follows_device(&self) -> bool {
        self.paced_by_device
    }

    /// Samples at the codec rate by which the audio `outcome` dropped makes every later frame
    /// later: a reader paced by the device waits for what was dropped (see
    /// [`CaptureDrift::follow_device`]); one on a clock does not.
    pub fn delay_from_drop(&self, outcome: Outcome) -> usize {
        if !self.paced_by_device {
            return 0;
        }
        let at_rate = outcome.dropped as u64 * u64::from(self.rate);
        (at_rate / u64::from(self.device_rate.max(1))) as usize
    }

    /// Ring fill at which a read of `out` samples finds all it needs: plus the target for a
    /// reader on a clock. One paced by the device keeps the target standing from its first read
    /// on (see [`CaptureDrift::read`]), so each period the device hands over completes the next
    /// frame; asking for the target on top would miss that by the resampler's rounding, and the
    /// read would wait for a second period, leaving one standing in the ring for the rest of the
    /// call (20 ms more delay on every G.711 and G.722 call).
    pub fn ready_at(&self, out: usize) -> usize {
        if self.copies() {
            return out;
        }
        if self.paced_by_device {
            return self.input_for(out);
        }
        self.keep_for(out)
    }

    /// Ring fill a read of `out` samples starts from when it drops what piled up before.
    fn keep_for(&self, out: usize) -> usize {
        self.input_for(out) + self.control.target()
    }

    /// Paced by the device at the codec's rate: nothing to resample or steer, the ring's audio
    /// is copied out as it is. Also exact: the read needs a frame, not a frame and a margin
    /// for the resampler's rounding, which would wait for one more device period.
    fn copies(&self) -> bool {
        self.paced_by_device && self.device_rate == self.rate
    }

    fn read_copy(&mut self, out: &mut [f32]) -> Outcome {
        let mut outcome = Outcome::default();
        let queued = self.ring.slots();
        let behind = !self.primed || queued > out.len() + self.cap;
        if behind && queued > out.len() {
            // Start from the newest audio: what piled up before is only delay.
            outcome.dropped = if self.primed { queued - out.len() } else { 0 };
            self.skip(queued - out.len());
        }
        self.primed = true;
        let got = out.len().min(self.ring.slots());
        if let Ok(chunk) = self.ring.read_chunk(got) {
            let (a, b) = chunk.as_slices();
            copy_finite(&mut out[..a.len()], a);
            copy_finite(&mut out[a.len()..got], b);
            chunk.commit_all();
        }
        if got < out.len() {
            out[got..].fill(0.0);
            outcome.padded = out.len() - got;
            self.primed = false;
        }
        self.report(outcome, self.ring.slots());
        outcome
    }

    /// Samples waiting in the ring.
    pub fn queued(&self) -> usize {
        self.ring.slots()
    }

    /// The ratio correction in use, relative (1.0: none).
    pub fn ratio(&self) -> f64 {
        self.control.ratio()
    }

    /// The device's clock offset learnt so far, in ppm.
    pub fn drift_ppm(&self) -> f64 {
        self.control.drift_ppm()
    }

    /// The device's rate.
    pub fn device_rate(&self) -> u32 {
        self.device_rate
    }

    /// Device-rate samples the next `out` samples need from the ring (a sample or two more
    /// than the ratio says: the blocks' input sizes round).
    fn input_for(&self, out: usize) -> usize {
        let missing = out.saturating_sub(self.fifo.len());
        (missing as u64 * u64::from(self.device_rate)).div_ceil(u64::from(self.rate)) as usize + 2
    }

    /// The fill and ratio, now and then (see the module's `report`).
    fn report(&mut self, outcome: Outcome, level: usize) {
        let ratio = self.control.ratio();
        report(
            "capture",
            &mut self.ticks,
            outcome,
            level,
            self.device_rate,
            ratio,
        );
    }

    fn skip(&mut self, n: usize) {
        if let Ok(chunk) = self.ring.read_chunk(n.min(self.ring.slots())) {
            chunk.commit_all();
        }
    }

    /// Fills `out` with the next audio; silence (counted in the outcome) when there is none.
    pub fn read(&mut self, out: &mut [f32]) -> Result<Outcome, MediaError> {
        if self.copies() {
            return Ok(self.read_copy(out));
        }
        let mut outcome = Outcome::default();
        let queued = self.ring.slots();
        let keep = self.keep_for(out.len());
        if !self.primed {
            if queued < keep {
                out.fill(0.0);
                return Ok(outcome);
            }
            // Start from the newest audio: what piled up before is only delay.
            self.skip(queued - keep);
            self.primed = true;
            self.control.relevel();
            self.settle.restart();
        } else if queued > keep + self.cap {
            outcome.dropped = queued - keep;
            self.skip(queued - keep);
            self.control.relevel();
            self.settle.restart();
        }
        while self.fifo.len() < out.len() {
            let n = self.resampler.input_next();
            let Ok(chunk) = self.ring.read_chunk(n) else {
                break;
            };
            let (a, b) = chunk.as_slices();
            copy_finite(&mut self.block[..a.len()], a);
            copy_finite(&mut self.block[a.len()..n], b);
            chunk.commit_all();
            match self.resampler.process(&self.block[..n]) {
                Ok(samples) => self.fifo.extend(samples),
                Err(e) => {
                    out.fill(0.0);
                    return Err(e);
                }
            }
        }
        let got = self.fifo.len().min(out.len());
        for (o, s) in out.iter_mut().zip(self.fifo.drain(..got)) {
            *o = s;
        }
        if got < out.len() {
            out[got..].fill(0.0);
            outcome.padded = out.len() - got;
            self.primed = false;
            self.report(outcome, 0);
            return Ok(outcome);
        }
        let pending = self.fifo.len() as u64 * u64::from(self.device_rate) / u64::from(self.rate);
        let mut level = self.ring.slots() + pending as usize;
        if !self.paced_by_device {
            let excess = self.settle.observe(level, self.control.target());
            if excess > 0 {
                self.skip(excess);
                outcome.dropped = excess;
                level -= excess.min(level);
                self.control.relevel();
            }
            let ratio = self.control.update(level);
            self.resampler.set_ratio(ratio);
        }
        self.report(outcome, level);
        Ok(outcome)
    }
}
