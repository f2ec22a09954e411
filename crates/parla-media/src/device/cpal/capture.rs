//! Capture: device callback -> ring (mono, device rate) -> [`CaptureDrift`] (adaptive resampler
//! steered to keep the ring's fill small and steady) -> frames at the codec rate.

use std::sync::Arc;

use super::health::{Failure, Watch};
#[cfg(target_os = "linux")]
use super::no_such_device;
use super::rt::Shared;
use super::stream;
use super::{
    find_device, server_device, DeviceNotice, DevicePath, DeviceStats, Direction, Link, Recovery,
};
use crate::device::AudioSource;
use crate::error::MediaError;
use crate::resample::drift::CaptureDrift;

/// Ring fill kept just after each read, beyond one device period: what a callback that comes
/// a little late, when it is due right at the read, needs so the read still finds a frame.
const MARGIN_MS: f64 = 3.0;
/// Ring fill kept just after each read when the reader is woken by the device (see
/// `FrameWake`): the read runs as soon as a frame is there, so only the resampler's rounding.
const WOKEN_MARGIN_MS: f64 = 0.5;
/// More than this above the target (the stream ran before the first read, or the media thread
/// stalled) and the oldest audio is dropped at once, down to the target.
const CAP_MS: f64 = 60.0;

/// Capture from a sound device, as mono frames at the rate it was opened for.
pub struct CpalSource {
    rate: u32,
    frame: usize,
    link: Option<CaptureLink>,
    recovery: Recovery,
    /// Dropped by a device-paced read, not yet taken (at `rate`).
    skipped: usize,
}

struct CaptureLink {
    /// `None` only while being dropped.
    stream: Option<stream::Capture>,
    watch: Watch,
    drift: CaptureDrift,
    shared: Arc<Shared>,
    name: String,
    /// What delivers the audio; all but cpal's wake the reader when a frame is there.
    path: DevicePath,
}

impl Drop for CaptureLink {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            stream.retire();
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
        let (built, label) = match server_device(name) {
            #[cfg(target_os = "linux")]
            Some((name, source)) => (
                stream::build_server_input(source)
                    .map_err(|e| no_such_device(name, Direction::Input, e))?,
                name.to_owned(),
            ),
            _ => {
                let (device, label) = find_device(name, Direction::Input)?;
                (stream::build_input(&device, &label)?, label)
            }
        };
        let period_ms = built.period as f64 * 1000.0 / f64::from(built.rate.max(1));
        let drift = CaptureDrift::new(
            built.ring,
            built.rate,
            rate,
            frame,
            period_ms + MARGIN_MS,
            CAP_MS,
        )?;
        Ok(Self {
            path: built.stream.path(),
            stream: Some(built.stream),
            watch: Watch::new(),
            drift,
            shared: built.shared,
            name: label,
        })
    }
}

impl CpalSource {
    /// Opens the capture device `name` (`None`: the default) and starts it. Frames of `frame`
    /// samples at `rate` are what [`AudioSource::read`] will usually be asked for.
    pub fn open(name: Option<&str>, rate: u32, frame: usize) -> Result<Self, MediaError> {
        let link = CaptureLink::open(name, rate, frame)?;
        Ok(Self {
            rate,
            frame,
            link: Some(link),
            recovery: Recovery::default(),
            skipped: 0,
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
            .map(|l| DeviceStats::read(l.path, &l.shared, l.drift.device_rate(), l.drift.queued()))
            .unwrap_or_default()
    }

    fn fill(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let Some(link) = self.link.as_mut() else {
            out.fill(0.0);
            return Ok(());
        };
        let outcome = link.drift.read(out)?;
        if outcome.dropped > 0 {
            Shared::bump(&link.shared.overruns);
            let delay = link.drift.delay_from_drop(outcome);
            self.skipped = self.skipped.saturating_add(delay);
        }
        if outcome.padded > 0 {
            Shared::bump(&link.shared.underruns);
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

    /// A reader that asks is one that waits for the frame: from then on the ring is read as
    /// the device fills it (a reader on a clock keeps the steered ring with its margin).
    fn frame_ready(&mut self) -> Option<bool> {
        let link = self.link.as_mut().filter(|l| l.path != DevicePath::Cpal)?;
        if !link.drift.follows_device() {
            link.drift.follow_device(WOKEN_MARGIN_MS);
        }
        let at = link.drift.ready_at(self.frame);
        let wake = &link.shared.frame_wake;
        if link.drift.queued() < at {
            wake.arm(at);
            // The reader may have delivered between the look and the arming.
            if link.drift.queued() < at {
                return Some(false);
            }
        }
        wake.disarm();
        Some(true)
    }

    fn take_skipped(&mut self) -> usize {
        std::mem::take(&mut self.skipped)
    }

    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let (rate, frame) = (self.rate, self.frame);
        self.recovery
            .check(&mut self.link, || CaptureLink::open(None, rate, frame));
        self.fill(out)
    }
}
