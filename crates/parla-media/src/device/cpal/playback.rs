//! Playback: 48 kHz mono -> [`PlaybackDrift`] (adaptive resampler steered to keep the ring's
//! fill small and steady) -> ring (mono, device rate) -> device callback.

use std::sync::Arc;

use ::cpal::Stream;

use super::health::{retire, Failure, Watch};
use super::rt::Shared;
use super::stream;
use super::{find_device, DeviceNotice, DeviceStats, Direction, Link, Recovery};
use crate::device::{AudioSink, OUTPUT_RATE};
use crate::error::MediaError;
use crate::resample::drift::PlaybackDrift;

/// Ring fill kept just before each write, beyond one device period: what a callback that
/// comes a little early, when it is due right at the write, needs so it does not run dry.
const MARGIN_MS: f64 = 3.0;
/// More than this above the target (bursty writes after a stall) and the excess is dropped
/// from the next audio at once.
const CAP_MS: f64 = 60.0;
/// The frame size writes usually come in.
const FRAME_MS: u32 = 20;

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
    drift: PlaybackDrift,
    shared: Arc<Shared>,
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
        let period_ms = built.period as f64 * 1000.0 / f64::from(built.rate.max(1));
        // When the ring runs dry the device takes about two periods at once to refill its own
        // buffer: put that in as silence besides the target.
        let drift = PlaybackDrift::new(
            built.ring,
            OUTPUT_RATE,
            built.rate,
            (OUTPUT_RATE * FRAME_MS / 1000) as usize,
            period_ms + MARGIN_MS,
            CAP_MS,
            2 * built.period,
        )?;
        Ok(Self {
            stream: Some(built.stream),
            watch: Watch::new(),
            drift,
            shared: built.shared,
            name: label,
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), MediaError> {
        let outcome = self.drift.write(samples)?;
        if outcome.dropped > 0 {
            Shared::bump(&self.shared.overruns);
        }
        Ok(())
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
            .map(|l| DeviceStats::read(&l.shared, l.drift.device_rate(), l.drift.queued()))
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
