//! Playback: 48 kHz mono -> resampler -> ring (mono, device rate) -> device callback.

use std::sync::Arc;

use ::cpal::Stream;
use rtrb::Producer;

use super::health::{retire, Failure, Watch};
use super::rt::Shared;
use super::stream;
use super::{
    find_device, ms_to_samples, DeviceNotice, DeviceStats, Direction, Link, LowWater, Recovery,
};
use crate::device::{AudioSink, OUTPUT_RATE};
use crate::error::MediaError;
use crate::resample::StreamResampler;

/// Resampler block, at [`OUTPUT_RATE`].
const CHUNK_MS: u32 = 10;
/// More than this queued for the device (bursty writes, or our clock faster than the device's)
/// and new audio is dropped until the queue is back down to [`TARGET_FILL_MS`].
const MAX_FILL_MS: u32 = 100;
const TARGET_FILL_MS: u32 = 40;
/// What must stay queued just before each write so the device does not run dry until the next
/// one: put in as silence (with two device periods more, which the device takes at once to fill
/// its own buffer) when a write finds the queue empty, at the start or after the far end paused.
/// A standing level above it is dropped (see [`LowWater`]).
const KEEP_MS: u32 = 10;

/// Playback to a sound device; takes mono audio at [`OUTPUT_RATE`].
pub struct CpalSink {
    link: Option<PlaybackLink>,
    recovery: Recovery,
    finished: bool,
}

struct PlaybackLink {
    /// `None` only while being dropped.
    stream: Option<Stream>,
    watch: Watch,
    ring: Producer<f32>,
    shared: Arc<Shared>,
    resampler: StreamResampler,
    device_rate: u32,
    max_fill: usize,
    target_fill: usize,
    /// Dropping new audio until the queue is down to `target_fill`.
    draining: bool,
    keep: usize,
    period: usize,
    low_water: LowWater,
    /// Samples still to drop from the next audio, to shed standing delay.
    skip: usize,
    name: String,
}

impl Drop for PlaybackLink {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            retire(stream);
        }
    }
}

impl Link for PlaybackLink {
    fn failure(&mut self) -> Option<Failure> {
        self.watch.check(&self.shared)
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl PlaybackLink {
    fn open(name: Option<&str>) -> Result<Self, MediaError> {
        let (device, label) = find_device(name, Direction::Output)?;
        let built = stream::build_output(&device, &label)?;
        let device_rate = built.rate;
        let resampler = StreamResampler::new(
            OUTPUT_RATE,
            device_rate,
            ms_to_samples(OUTPUT_RATE, CHUNK_MS),
        )?;
        Ok(Self {
            stream: Some(built.stream),
            watch: Watch::new(),
            ring: built.ring,
            shared: built.shared,
            resampler,
            device_rate,
            max_fill: ms_to_samples(device_rate, MAX_FILL_MS),
            target_fill: ms_to_samples(device_rate, TARGET_FILL_MS),
            draining: false,
            keep: ms_to_samples(device_rate, KEEP_MS),
            period: built.period,
            low_water: LowWater::new(),
            skip: 0,
            name: label,
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), MediaError> {
        let Self {
            ring,
            shared,
            resampler,
            max_fill,
            target_fill,
            draining,
            keep,
            period,
            low_water,
            skip,
            ..
        } = self;
        let capacity = ring.buffer().capacity();
        let queued = capacity - ring.slots();
        if queued == 0 {
            if let Ok(chunk) = ring.write_chunk_uninit(*keep + 2 * *period) {
                chunk.fill_from_iter(std::iter::repeat(0.0));
            }
        }
        let excess = low_water.observe(queued.max(*keep), *keep);
        if excess > 0 {
            *skip += excess;
            Shared::bump(&shared.overruns);
        }
        resampler.process(samples, &mut |mut block| {
            let dropped = (*skip).min(block.len());
            *skip -= dropped;
            block = &block[dropped..];
            let queued = capacity - ring.slots();
            if *draining && queued > *target_fill {
                return;
            }
            *draining = false;
            if queued + block.len() > *max_fill {
                *draining = true;
                Shared::bump(&shared.overruns);
                return;
            }
            let (_, rest) = ring.push_partial_slice(block);
            if !rest.is_empty() {
                Shared::bump(&shared.overruns);
            }
        })
    }
}

impl CpalSink {
    /// Opens the playback device `name` (`None`: the default) and starts it (silence until
    /// audio is written).
    pub fn open(name: Option<&str>) -> Result<Self, MediaError> {
        Ok(Self {
            link: Some(PlaybackLink::open(name)?),
            recovery: Recovery::default(),
            finished: false,
        })
    }

    /// The next thing that happened to the device (fell back to the default, or lost), oldest
    /// first. Poll it after `write`; `None` when nothing new happened.
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
            .map(|l| {
                let queued = l.ring.buffer().capacity() - l.ring.slots();
                DeviceStats::read(&l.shared, l.device_rate, queued)
            })
            .unwrap_or_default()
    }
}

impl AudioSink for CpalSink {
    fn take_notice(&mut self) -> Option<DeviceNotice> {
        CpalSink::take_notice(self)
    }

    fn write(&mut self, samples: &[f32]) -> Result<(), MediaError> {
        if self.finished {
            return Ok(());
        }
        self.recovery
            .check(&mut self.link, || PlaybackLink::open(None));
        match self.link.as_mut() {
            Some(link) => link.push(samples),
            None => Ok(()),
        }
    }

    /// Stops the stream; whatever is still queued (tens of ms) is not played.
    fn finish(&mut self) -> Result<(), MediaError> {
        self.finished = true;
        self.link = None;
        Ok(())
    }
}
