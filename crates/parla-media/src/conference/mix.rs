//! The mixer's tick and the rings' fill control. Nothing here allocates after `new`.
//!
//! Each tick, with `s_j` the far end of call j (left out while muted) and `m` the microphone
//! (left out while muted): the speaker gets `Σ s_j`, call i gets `m + Σ_{j≠i} s_j`. Inputs are
//! cleaned (NaN to 0, clamped to ±1) before they are summed and every output is clamped, so a
//! loud or broken leg cannot wrap or poison the others.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use rtrb::{Consumer, Producer};

use super::{Retired, Shared, FRAME, MAX_PARTICIPANTS};

/// Reads over which the smallest fill is watched: a ring that never dipped below
/// [`EXCESS_FRAMES`] in that time holds a frame of delay it does not need.
const WINDOW: u32 = 50;
/// A fill that stays this many frames ahead of the reader is trimmed by one frame.
const EXCESS_FRAMES: usize = 3;
/// A fill above this many frames is cut back to two at once (a burst, a stalled reader).
const OVERFILL_FRAMES: usize = 4;

/// Reads fixed frames from a ring that another thread fills at its own pace. It starts once two
/// frames are there (one in use, one to absorb the two threads' scheduling jitter), pads
/// silence and starts over when the writer falls behind, and drops the oldest audio when the
/// fill grows, so the delay stays one to two frames and no drift builds up.
pub(crate) struct FrameReader {
    ring: Consumer<f32>,
    primed: bool,
    reads: u32,
    min_fill: usize,
}

/// What one read did, for the counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadOutcome {
    /// Samples of silence put in place of audio that was not there.
    pub padded: usize,
    /// Samples thrown away to keep the delay down.
    pub dropped: usize,
}

impl FrameReader {
    pub fn new(ring: Consumer<f32>) -> Self {
        Self {
            ring,
            primed: false,
            reads: 0,
            min_fill: usize::MAX,
        }
    }

    pub fn is_abandoned(&self) -> bool {
        self.ring.is_abandoned()
    }

    pub fn into_ring(self) -> Consumer<f32> {
        self.ring
    }

    /// Audio waiting in the ring.
    #[cfg(test)]
    pub fn fill(&self) -> usize {
        self.ring.slots()
    }

    fn skip(&mut self, n: usize) {
        if let Ok(chunk) = self.ring.read_chunk(n) {
            chunk.commit_all();
        }
    }

    /// Fills `out` (one frame) with the next audio, or silence.
    pub fn read(&mut self, out: &mut [f32]) -> ReadOutcome {
        let n = out.len();
        let mut outcome = ReadOutcome::default();
        let mut avail = self.ring.slots();
        if !self.primed {
            if avail < 2 * n {
                out.fill(0.0);
                return outcome;
            }
            self.primed = true;
            self.reads = 0;
            self.min_fill = usize::MAX;
        }
        if avail > OVERFILL_FRAMES * n {
            let extra = avail - 2 * n;
            self.skip(extra);
            outcome.dropped += extra;
            avail -= extra;
        }
        self.min_fill = self.min_fill.min(avail);
        self.reads += 1;
        if self.reads >= WINDOW {
            if self.min_fill >= EXCESS_FRAMES * n {
                self.skip(n);
                outcome.dropped += n;
            }
            self.reads = 0;
            self.min_fill = usize::MAX;
        }
        let (got, missing) = self.ring.pop_partial_slice(out);
        let got = got.len();
        if !missing.is_empty() {
            missing.fill(0.0);
            outcome.padded = n - got;
            self.primed = false;
        }
        outcome
    }
}

/// One call's place in the mixer.
#[derive(Default)]
struct Leg {
    /// The far end's audio (48 kHz).
    input: Option<FrameReader>,
    /// What this call hears, for its port source.
    output: Option<Producer<f32>>,
    /// This tick's frame from `input`.
    said: Vec<f32>,
    /// `said` is in this tick's sum.
    in_mix: bool,
}

/// The mixing state the mixer thread owns: the legs' rings and the frame buffers.
pub(crate) struct Mixer {
    shared: Arc<Shared>,
    legs: Vec<Leg>,
    /// The microphone's frame; the thread fills it before each tick.
    pub mic: Vec<f32>,
    sum: Vec<f32>,
    speaker: Vec<f32>,
    out: Vec<f32>,
    retire: Producer<Retired>,
}

/// `x` cleaned for summing: NaN and infinities become 0, the rest is clamped to ±1.
#[inline]
fn clean(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

impl Mixer {
    pub fn new(shared: Arc<Shared>, retire: Producer<Retired>) -> Self {
        let legs = (0..MAX_PARTICIPANTS)
            .map(|_| Leg {
                said: vec![0.0; FRAME],
                ..Leg::default()
            })
            .collect();
        Self {
            shared,
            legs,
            mic: vec![0.0; FRAME],
            sum: vec![0.0; FRAME],
            speaker: vec![0.0; FRAME],
            out: vec![0.0; FRAME],
            retire,
        }
    }

    fn retire(to: &mut Producer<Retired>, old: Retired) {
        if let Err(rtrb::PushError::Full(old)) = to.push(old) {
            // Nobody has drained the ring for a long while: free it here, once in a blue moon.
            drop(old);
        }
    }

    /// Takes the far end's ring of the call at `slot` (a previous one is retired).
    pub fn attach_input(&mut self, slot: usize, ring: Consumer<f32>) {
        let Some(leg) = self.legs.get_mut(slot) else {
            return;
        };
        if let Some(old) = leg.input.replace(FrameReader::new(ring)) {
            Self::retire(&mut self.retire, Retired::Input(old.into_ring()));
        }
    }

    /// Takes the ring the call at `slot` hears from (a previous one is retired).
    pub fn attach_output(&mut self, slot: usize, ring: Producer<f32>) {
        let Some(leg) = self.legs.get_mut(slot) else {
            return;
        };
        if let Some(old) = leg.output.replace(ring) {
            Self::retire(&mut self.retire, Retired::Output(old));
        }
    }

    pub fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    /// What the person hears after the last tick.
    pub fn speaker(&self) -> &[f32] {
        &self.speaker
    }

    /// Legs with a ring attached in either direction.
    #[cfg(test)]
    pub fn attached(&self) -> usize {
        self.legs
            .iter()
            .filter(|l| l.input.is_some() || l.output.is_some())
            .count()
    }

    /// Mixes one frame: reads every call's input, writes every call's output and the speaker.
    pub fn tick(&mut self) {
        let Self {
            shared,
            legs,
            mic,
            sum,
            speaker,
            out,
            retire,
        } = self;
        sum.fill(0.0);
        let (mut padded, mut dropped) = (0usize, 0usize);
        for (i, leg) in legs.iter_mut().enumerate() {
            leg.in_mix = false;
            let Some(reader) = leg.input.as_mut() else {
                continue;
            };
            if reader.is_abandoned() {
                if let Some(old) = leg.input.take() {
                    Self::retire(retire, Retired::Input(old.into_ring()));
                }
                continue;
            }
            let outcome = reader.read(&mut leg.said);
            padded += outcome.padded;
            dropped += outcome.dropped;
            for s in leg.said.iter_mut() {
                *s = clean(*s);
            }
            if !shared.muted[i].load(Relaxed) {
                leg.in_mix = true;
                for (acc, s) in sum.iter_mut().zip(&leg.said) {
                    *acc += s;
                }
            }
        }
        for (o, s) in speaker.iter_mut().zip(sum.iter()) {
            *o = s.clamp(-1.0, 1.0);
        }
        let mic_on = !shared.mic_muted.load(Relaxed);
        for leg in legs.iter_mut() {
            let Some(ring) = leg.output.as_mut() else {
                continue;
            };
            if ring.is_abandoned() {
                if let Some(old) = leg.output.take() {
                    Self::retire(retire, Retired::Output(old));
                }
                continue;
            }
            for (k, o) in out.iter_mut().enumerate() {
                let mut v = sum[k];
                if leg.in_mix {
                    v -= leg.said[k];
                }
                if mic_on {
                    v += clean(mic[k]);
                }
                *o = v.clamp(-1.0, 1.0);
            }
            // The port source trims what piles up; a full ring means it stopped reading.
            let (_, lost) = ring.push_partial_slice(out);
            dropped += lost.len();
        }
        if padded > 0 {
            shared.underruns.fetch_add(padded as u64, Relaxed);
        }
        if dropped > 0 {
            shared.dropped.fetch_add(dropped as u64, Relaxed);
        }
    }
}
