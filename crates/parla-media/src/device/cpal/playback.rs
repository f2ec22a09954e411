//! Playback: 48 kHz mono -> [`PlaybackDrift`] (adaptive resampler steered to keep the queue's
//! fill small and steady) -> on Linux the ALSA device's buffer, written right here (see
//! `alsa_playback.rs`); elsewhere, or for a device it cannot open, a ring (mono, device rate)
//! drained by cpal's callback.

use std::sync::Arc;

use ::cpal::Stream;
use rtrb::Producer;

#[cfg(target_os = "linux")]
use super::alsa_playback::AlsaPlayback;
use super::health::{retire, Failure, Watch};
#[cfg(target_os = "linux")]
use super::pulse_sink_watch::SinkWatch;
use super::rt::Shared;
use super::stream;
#[cfg(target_os = "linux")]
use super::{device_error, no_such_device, server_device};
use super::{find_device, DeviceNotice, DevicePath, DeviceStats, Direction, Link, Recovery};
use crate::device::{AudioSink, OUTPUT_RATE};
use crate::error::MediaError;
use crate::resample::drift::{PlaybackDrift, PlaybackQueue};

/// Ring fill kept just before each write, beyond one device period: what a callback that
/// comes a little early, when it is due right at the write, needs so it does not run dry.
const MARGIN_MS: f64 = 3.0;
/// More than this above the target (bursty writes after a stall) and the excess is dropped
/// from the next audio at once.
const CAP_MS: f64 = 60.0;
/// Written straight to the device (Linux): the delay to keep ahead of the speaker, as the
/// device reports it, before each write, to start with. PulseAudio's plugin counts the sink's
/// share in it too, up to a device period. In the latency bench (4 runs of 30 s each) 9 ms
/// needed no repeat and saved 2.5 ms of delay against 12; 8 ms ran low twice.
#[cfg(target_os = "linux")]
const DIRECT_TARGET_MS: f64 = 9.0;
/// Written straight to the device: each time the device runs low or dry the target grows by
/// this, up to [`DIRECT_MOST_TARGET_MS`] (see [`PlaybackDrift::grow_when_low`]).
#[cfg(target_os = "linux")]
const DIRECT_GROW_MS: f64 = 3.0;
#[cfg(target_os = "linux")]
const DIRECT_MOST_TARGET_MS: f64 = 24.0;
/// With longer device periods (a device that would not take ours) the target grows with
/// them, less this.
#[cfg(target_os = "linux")]
const DIRECT_SINK_SHARE_MS: f64 = 2.0;
/// Written straight to the device: a delay below this share of the target before a write is
/// topped up at once (see [`PlaybackDrift::repeat_when_low`]). In the latency bench (with a
/// 12 ms target), 0 of 200 s of playback ran dry with it, 12 without (ten 20 s runs each).
#[cfg(target_os = "linux")]
const DIRECT_LOW_SHARE: f64 = 0.5;
/// The frame size writes usually come in.
const FRAME_MS: u32 = 20;

/// Playback to a sound device; takes mono audio at [`OUTPUT_RATE`].
pub struct CpalSink {
    link: Option<PlaybackLink>,
    recovery: Recovery,
    finished: bool,
}

struct PlaybackLink {
    /// cpal's stream; `None` when written straight to ALSA, and while being dropped.
    stream: Option<Stream>,
    /// For a sink of the sound server picked by name: its removal is this link's failure.
    #[cfg(target_os = "linux")]
    _sink_watch: Option<SinkWatch>,
    watch: Watch,
    drift: PlaybackDrift<Queue>,
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

/// Where the resampled audio goes: a ring drained by cpal's callback, or (Linux) the device
/// buffer itself.
enum Queue {
    Ring(Producer<f32>),
    #[cfg(target_os = "linux")]
    Alsa(AlsaPlayback),
}

impl PlaybackQueue for Queue {
    fn queued(&self) -> usize {
        match self {
            Queue::Ring(ring) => ring.queued(),
            #[cfg(target_os = "linux")]
            Queue::Alsa(device) => device.queued(),
        }
    }

    fn push(&mut self, samples: &[f32]) -> usize {
        match self {
            Queue::Ring(ring) => PlaybackQueue::push(ring, samples),
            #[cfg(target_os = "linux")]
            Queue::Alsa(device) => device.push(samples),
        }
    }

    fn push_silence(&mut self, n: usize) -> usize {
        match self {
            Queue::Ring(ring) => ring.push_silence(n),
            #[cfg(target_os = "linux")]
            Queue::Alsa(device) => device.push_silence(n),
        }
    }

    fn ran_dry(&mut self) -> bool {
        match self {
            Queue::Ring(ring) => ring.ran_dry(),
            #[cfg(target_os = "linux")]
            Queue::Alsa(device) => device.ran_dry(),
        }
    }
}

impl PlaybackLink {
    fn open(name: Option<&str>) -> Result<Self, MediaError> {
        #[cfg(target_os = "linux")]
        if let Some((name, sink)) = server_device(name) {
            let shared = Arc::new(Shared::default());
            let pcm = super::pulse_devices::alsa_pcm(sink);
            let alsa = AlsaPlayback::open(&pcm, Arc::clone(&shared)).map_err(|e| {
                tracing::debug!("{e}");
                let why = "the sound server has no such sink, or ALSA's pulse plugin is missing";
                no_such_device(name, Direction::Output, device_error(why.into()))
            })?;
            let watch = super::pulse_sink_watch::watch(sink, Arc::clone(&shared))
                .map_err(|e| tracing::debug!("{e}; the sink's removal will go unseen"))
                .ok();
            return Self::direct(alsa, shared, name.to_owned(), watch);
        }
        let (device, label) = find_device(name, Direction::Output)?;
        #[cfg(target_os = "linux")]
        {
            let pcm = super::device_name(&device).unwrap_or_else(|| label.clone());
            let shared = Arc::new(Shared::default());
            match AlsaPlayback::open(&pcm, Arc::clone(&shared)) {
                Ok(alsa) => return Self::direct(alsa, shared, label, None),
                Err(e) => tracing::debug!("{e}; playing through cpal instead"),
            }
        }
        let built = stream::build_output(&device, &label)?;
        let period_ms = built.period as f64 * 1000.0 / f64::from(built.rate.max(1));
        // When the ring runs dry the device takes about two periods at once to refill its own
        // buffer: put that in as silence besides the target.
        let drift = PlaybackDrift::new(
            Queue::Ring(built.ring),
            OUTPUT_RATE,
            built.rate,
            (OUTPUT_RATE * FRAME_MS / 1000) as usize,
            period_ms + MARGIN_MS,
            CAP_MS,
            2 * built.period,
        )?;
        Ok(Self {
            stream: Some(built.stream),
            #[cfg(target_os = "linux")]
            _sink_watch: None,
            watch: Watch::new(),
            drift,
            shared: built.shared,
            name: label,
        })
    }

    /// Plays through `alsa`, written from the media thread; `sink_watch` for a sink of the
    /// sound server picked by name.
    #[cfg(target_os = "linux")]
    fn direct(
        alsa: AlsaPlayback,
        shared: Arc<Shared>,
        name: String,
        sink_watch: Option<SinkWatch>,
    ) -> Result<Self, MediaError> {
        let rate = alsa.rate();
        let period_ms = alsa.period() as f64 * 1000.0 / f64::from(rate.max(1));
        let mut drift = PlaybackDrift::new(
            Queue::Alsa(alsa),
            OUTPUT_RATE,
            rate,
            (OUTPUT_RATE * FRAME_MS / 1000) as usize,
            DIRECT_TARGET_MS.max(period_ms - DIRECT_SINK_SHARE_MS),
            CAP_MS,
            0,
        )?;
        drift.repeat_when_low(DIRECT_LOW_SHARE);
        drift.grow_when_low(DIRECT_GROW_MS, DIRECT_MOST_TARGET_MS);
        Ok(Self {
            stream: None,
            _sink_watch: sink_watch,
            watch: Watch::new(),
            drift,
            shared,
            name,
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
            .map(|l| {
                let path = if l.stream.is_some() {
                    DevicePath::Cpal
                } else {
                    DevicePath::Alsa
                };
                DeviceStats::read(path, &l.shared, l.drift.device_rate(), l.drift.queued())
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

    fn come_forward(&mut self, ms: f64) -> bool {
        let Some(link) = self.link.as_mut() else {
            return false;
        };
        link.drift.come_forward(ms);
        true
    }

    /// Stops the stream; whatever is still queued (tens of ms) is not played.
    fn finish(&mut self) -> Result<(), MediaError> {
        self.finished = true;
        self.link = None;
        Ok(())
    }
}
