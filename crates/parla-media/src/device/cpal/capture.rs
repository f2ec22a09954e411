//! Capture: device callback -> ring (mono, device rate) -> resampler -> frames at the codec rate.

use std::collections::VecDeque;
use std::sync::Arc;

use ::cpal::Stream;
use rtrb::Consumer;

use super::health::{retire, Failure, Watch};
use super::rt::Shared;
use super::stream;
use super::{
    find_device, ms_to_samples, DeviceNotice, DeviceStats, Direction, Link, LowWater, Recovery,
};
use crate::device::AudioSource;
use crate::error::MediaError;
use crate::resample::StreamResampler;

/// Resampler block: what one pass converts, at the device rate.
const CHUNK_MS: u32 = 10;
/// Audio held in the ring beyond the next frame before reading starts (and after an underrun):
/// slack for callbacks that arrive late or in bursts.
const CUSHION_MS: u32 = 10;
/// More than this in the ring (the stream ran before the first read, or the media thread
/// stalled) and the oldest audio is dropped at once, down to the cushion plus one frame. Smaller
/// standing excess goes through [`LowWater`].
const MAX_FILL_MS: u32 = 80;

/// Capture from a sound device, as mono frames at the rate it was opened for.
pub struct CpalSource {
    rate: u32,
    frame: usize,
    link: Option<CaptureLink>,
    recovery: Recovery,
    /// Resampled audio not yet read, at `rate`.
    fifo: VecDeque<f32>,
    /// One chunk taken from the ring, at the device rate.
    block: Vec<f32>,
    primed: bool,
}

struct CaptureLink {
    /// `None` only while being dropped.
    stream: Option<Stream>,
    watch: Watch,
    ring: Consumer<f32>,
    shared: Arc<Shared>,
    resampler: StreamResampler,
    device_rate: u32,
    chunk: usize,
    cushion: usize,
    /// One frame's worth of input at the device rate.
    frame_in: usize,
    max_fill: usize,
    low_water: LowWater,
    name: String,
}

impl Drop for CaptureLink {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            retire(stream);
        }
    }
}

impl Link for CaptureLink {
    fn failure(&mut self) -> Option<Failure> {
        self.watch.check(&self.shared)
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl CaptureLink {
    fn open(name: Option<&str>, rate: u32, frame: usize) -> Result<Self, MediaError> {
        let (device, label) = find_device(name, Direction::Input)?;
        let built = stream::build_input(&device, &label)?;
        let device_rate = built.rate;
        let chunk = ms_to_samples(device_rate, CHUNK_MS);
        let resampler = StreamResampler::new(device_rate, rate, chunk)?;
        let frame_in = (frame as u64 * u64::from(device_rate)).div_ceil(u64::from(rate)) as usize;
        Ok(Self {
            stream: Some(built.stream),
            watch: Watch::new(),
            ring: built.ring,
            shared: built.shared,
            resampler,
            device_rate,
            chunk,
            cushion: ms_to_samples(device_rate, CUSHION_MS),
            frame_in,
            max_fill: ms_to_samples(device_rate, MAX_FILL_MS).max(frame_in + chunk),
            low_water: LowWater::new(),
            name: label,
        })
    }

    /// Drops the oldest audio when too much has piled up. `primed`: reading is under way, so
    /// the level counts for the low-water mark.
    fn trim(&mut self, primed: bool) {
        let queued = self.ring.slots();
        let keep = self.cushion + self.frame_in;
        let excess = if queued > self.max_fill {
            self.low_water = LowWater::new();
            queued - keep
        } else if primed {
            self.low_water.observe(queued, keep)
        } else {
            0
        };
        if excess > 0 {
            if let Ok(chunk) = self.ring.read_chunk(excess) {
                chunk.commit_all();
            }
            Shared::bump(&self.shared.overruns);
        }
    }
}

impl CpalSource {
    /// Opens the capture device `name` (`None`: the default) and starts it. Frames of `frame`
    /// samples at `rate` are what [`AudioSource::read`] will usually be asked for.
    pub fn open(name: Option<&str>, rate: u32, frame: usize) -> Result<Self, MediaError> {
        let link = CaptureLink::open(name, rate, frame)?;
        let fifo = VecDeque::with_capacity(frame + 2 * link.resampler.output_max());
        let block = Vec::with_capacity(link.chunk);
        Ok(Self {
            rate,
            frame,
            link: Some(link),
            recovery: Recovery::default(),
            fifo,
            block,
            primed: false,
        })
    }

    /// The next thing that happened to the device (fell back to the default, or lost), oldest
    /// first. Poll it after `read`; `None` when nothing new happened.
    pub fn take_notice(&mut self) -> Option<DeviceNotice> {
        self.recovery.take()
    }

    /// Name of the device in use (`"default"` for the default), `None` while none is open.
    pub fn device_name(&self) -> Option<&str> {
        self.link.as_ref().map(|l| l.name.as_str())
    }

    /// Counters of the current device stream.
    pub fn stats(&self) -> DeviceStats {
        self.link
            .as_ref()
            .map(|l| DeviceStats::read(&l.shared, l.device_rate, l.ring.slots()))
            .unwrap_or_default()
    }

    fn fill(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let Some(link) = self.link.as_mut() else {
            out.fill(0.0);
            return Ok(());
        };
        link.trim(self.primed);
        if !self.primed {
            let missing = out.len().saturating_sub(self.fifo.len()) as u64;
            let need = missing * u64::from(link.device_rate) / u64::from(self.rate);
            let wanted = need as usize + link.cushion;
            let queued = link.ring.slots();
            if queued < wanted {
                out.fill(0.0);
                return Ok(());
            }
            // Start from the newest audio: what piled up before the first read is only delay.
            if let Ok(stale) = link.ring.read_chunk(queued - wanted) {
                stale.commit_all();
            }
            self.primed = true;
        }
        while self.fifo.len() < out.len() && link.ring.slots() >= link.chunk {
            self.block.clear();
            if let Ok(chunk) = link.ring.read_chunk(link.chunk) {
                let (a, b) = chunk.as_slices();
                self.block.extend_from_slice(a);
                self.block.extend_from_slice(b);
                chunk.commit_all();
            }
            let fifo = &mut self.fifo;
            if let Err(e) = link.resampler.process(&self.block, &mut |s| fifo.extend(s)) {
                out.fill(0.0);
                return Err(e);
            }
        }
        let got = self.fifo.len().min(out.len());
        for (o, s) in out.iter_mut().zip(self.fifo.drain(..got)) {
            *o = s;
        }
        if got < out.len() {
            out[got..].fill(0.0);
            Shared::bump(&link.shared.underruns);
            self.primed = false;
        }
        Ok(())
    }
}

impl AudioSource for CpalSource {
    fn acoustic(&self) -> bool {
        true
    }

    fn take_notice(&mut self) -> Option<DeviceNotice> {
        CpalSource::take_notice(self)
    }

    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let (rate, frame) = (self.rate, self.frame);
        let replaced = self
            .recovery
            .check(&mut self.link, || CaptureLink::open(None, rate, frame));
        if replaced {
            self.fifo.clear();
            self.primed = false;
        }
        self.fill(out)
    }
}
