//! Sound devices through cpal: [`CpalSource`] (capture) and [`CpalSink`] (playback).
//!
//! Each endpoint owns one cpal stream. The device's callback runs on cpal's own thread and only
//! moves samples through a lock-free rtrb ring (see `rt.rs`); resampling, latency control and
//! device recovery happen on the media side, in `read`/`write`, on the thread that calls them.
//!
//! - Opening (`open_source`/`open_sink`) blocks for as long as the backend takes to start a
//!   stream (tens of ms; more for a sound server): do it off async worker threads.
//! - Rings hold at most [`RING_MS`]; the media side keeps their fill at about one device period
//!   plus a few ms by resampling a few hundred ppm faster or slower (it follows the device's
//!   clock, see `crate::resample::drift`), and drops audio (counted in
//!   [`DeviceStats::overruns`]) only when a stall piles up far more than that.
//! - A device that fails mid-call (unplugged, sound server gone) does not end the call: the next
//!   `read`/`write` reopens the default device, or keeps trying every [`RETRY`] while none can be
//!   opened, and meanwhile reads silence / discards. What happened is queued as a
//!   [`DeviceNotice`] for [`CpalSource::take_notice`] / [`CpalSink::take_notice`].

#[cfg(target_os = "linux")]
mod alsa_capture;
#[cfg(target_os = "linux")]
mod alsa_playback;
mod capture;
mod health;
mod playback;
#[cfg(target_os = "linux")]
mod pulse_capture;
#[cfg(target_os = "linux")]
mod pulse_connection;
#[cfg(target_os = "linux")]
mod pulse_devices;
#[cfg(target_os = "linux")]
mod pulse_sink_watch;
mod rt;
mod stream;

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use ::cpal::traits::{DeviceTrait, HostTrait};
use ::cpal::Device;

pub use capture::CpalSource;
pub use playback::CpalSink;

use crate::error::MediaError;
use health::Failure;
use rt::Shared;

/// Capacity of each ring between a device callback and the media side.
pub const RING_MS: u32 = 200;
/// How often a lost endpoint tries the default device again while none opens.
pub const RETRY: Duration = Duration::from_secs(2);
/// The name notices use for the system default device.
pub const DEFAULT_NAME: &str = "default";
/// Notices kept for the session; older ones are dropped first.
const MAX_NOTICES: usize = 8;

/// Something that happened to an endpoint's device mid-call, for the user to be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceNotice {
    /// Device `from` failed; audio now goes through `to` (the default device). `from == to`
    /// when the default device itself failed and was reopened.
    FellBack { from: String, to: String },
    /// Device `device` failed and no device could be opened: silence until one can (retried
    /// every [`RETRY`]; success is reported as `FellBack`).
    Lost { device: String, reason: String },
}

impl fmt::Display for DeviceNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceNotice::FellBack { from, to } if from == to => {
                write!(f, "audio device \"{from}\" failed and was reopened")
            }
            DeviceNotice::FellBack { from, to } => {
                write!(f, "audio device \"{from}\" failed; now using \"{to}\"")
            }
            DeviceNotice::Lost { device, reason } => {
                write!(
                    f,
                    "audio device \"{device}\" failed and none is available: {reason}"
                )
            }
        }
    }
}

/// What moves the audio between the device and the media thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DevicePath {
    /// cpal's stream, through a ring its callback fills or drains.
    #[default]
    Cpal,
    /// ALSA, without cpal (Linux): capture read by a thread of Parla's, playback written by
    /// the media thread itself.
    Alsa,
    /// Capture from the sound server through libpulse (Linux, the default input), delivered
    /// by its client thread.
    Pulse,
}

/// Counters of the current device stream (they restart when the device is reopened).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceStats {
    pub path: DevicePath,
    /// Device callbacks run (playback written by the media thread on Linux: writes after which
    /// the device had played more).
    pub callbacks: u64,
    /// Capture: reads that found too little audio (silence filled in). Playback: callbacks that
    /// ran dry, or (written by the media thread) times the device ran out.
    pub underruns: u64,
    /// Times audio was dropped because a ring was full or held more than the delay cap.
    pub overruns: u64,
    /// Over/underruns the device itself reported.
    pub xruns: u64,
    /// Capture on Linux: times the device thread woke up, about one per callback (many more
    /// would mean it spins); from the sound server, fragments it delivered (any size, so
    /// several per callback). 0 where cpal runs the device thread.
    pub wakeups: u64,
    /// Other errors the device reported (a stream that also stops calling back is replaced).
    pub errors: u64,
    /// Callbacks that allocated (counted only in `rt-check` builds with debug assertions).
    pub alloc_violations: u64,
    /// The device's sample rate.
    pub device_rate: u32,
    /// Audio waiting in the ring right now, in ms: the delay the ring adds at this moment.
    pub queued_ms: u32,
}

impl DeviceStats {
    fn read(path: DevicePath, shared: &Shared, device_rate: u32, queued: usize) -> Self {
        Self {
            path,
            callbacks: shared.callbacks.load(Relaxed),
            underruns: shared.underruns.load(Relaxed),
            overruns: shared.overruns.load(Relaxed),
            xruns: shared.xruns.load(Relaxed),
            wakeups: shared.wakeups.load(Relaxed),
            errors: shared.errors.load(Relaxed),
            alloc_violations: shared.alloc_violations.load(Relaxed),
            device_rate,
            queued_ms: (queued as u64 * 1000 / u64::from(device_rate.max(1))) as u32,
        }
    }
}

/// Names of the capture and the playback devices, as accepted by `AudioEndpoint::Device`.
/// On Linux these are ALSA PCM names (`default`, `pulse`, `hw:CARD=PCH,DEV=0`, as `aplay -L`
/// lists them) and, under a sound server, its own sources and sinks as `pulse:NAME` (NAME as
/// `pactl list short sinks` shows it), right after `default`. Empty lists if the audio system
/// cannot be queried.
pub fn list_devices() -> (Vec<String>, Vec<String>) {
    let (inputs, outputs) = list_devices_labelled();
    let names = |list: Labelled| list.into_iter().map(|(name, _)| name).collect();
    (names(inputs), names(outputs))
}

/// Device names, each with its label, as [`list_devices_labelled`] lists them.
pub type Labelled = Vec<(String, String)>;

/// As [`list_devices`], each name paired with a label a person knows the device by
/// ("HDA Intel PCH, ALC3246 Analog" for `hw:CARD=PCH,DEV=0`; see [`device_label`]). Labels
/// need not be unique: on ALSA `hw:`, `plughw:` and `front:` of one card share theirs.
pub fn list_devices_labelled() -> (Labelled, Labelled) {
    let host = ::cpal::default_host();
    let inputs: Labelled = host
        .input_devices()
        .map(|it| it.filter_map(|d| labelled(&d)).collect())
        .unwrap_or_default();
    let outputs: Labelled = host
        .output_devices()
        .map(|it| it.filter_map(|d| labelled(&d)).collect())
        .unwrap_or_default();
    #[cfg(target_os = "linux")]
    {
        let server = pulse_devices::list();
        // The server's sinks are written through ALSA's pulse plugin: listed only where ALSA
        // has it (a desktop with PipeWire's ALSA plugin alone does not).
        let plugin = outputs.iter().any(|(name, _)| name == "pulse");
        let outputs = if plugin {
            after_default(outputs, server.sinks)
        } else {
            outputs
        };
        (after_default(inputs, server.sources), outputs)
    }
    #[cfg(not(target_os = "linux"))]
    (inputs, outputs)
}

/// `listed` with `more` put in after its `default` (at the start when it has none).
#[cfg(target_os = "linux")]
fn after_default(mut listed: Labelled, more: Labelled) -> Labelled {
    let at = listed
        .iter()
        .position(|(name, _)| name == DEFAULT_NAME)
        .map_or(0, |i| i + 1);
    listed.splice(at..at, more);
    listed
}

fn labelled(device: &Device) -> Option<(String, String)> {
    let name = device_name(device)?;
    let description = device.description().ok();
    let label = device_label(&name, description.as_ref().map(|d| d.name()));
    Some((name, label))
}

/// A device's label from its description: the first line that has any text, trimmed, with runs
/// of white space made one space; `name` when there is no such line or no description.
pub fn device_label(name: &str, description: Option<&str>) -> String {
    description
        .and_then(|d| d.lines().find(|line| !line.trim().is_empty()))
        .map_or_else(
            || name.to_owned(),
            |line| line.split_whitespace().collect::<Vec<_>>().join(" "),
        )
}

/// The name a device is listed and looked up by.
fn device_name(device: &Device) -> Option<String> {
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd"
    )) {
        // ALSA PCM names are unique; the descriptions are not (hw: and plughw: share one).
        device.id().ok().map(|id| id.id().to_owned())
    } else {
        Some(device.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Input,
    Output,
}

impl Direction {
    fn noun(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// `name` and the server's own name in it, when it names one of the sound server's devices
/// (`pulse:NAME`, Linux; see `pulse_devices.rs`).
fn server_device(name: Option<&str>) -> Option<(&str, &str)> {
    #[cfg(target_os = "linux")]
    {
        let name = name?;
        pulse_devices::server_name(name).map(|server| (name, server))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = name;
        None
    }
}

/// The error for a device of the sound server's that would not open (`why`): most often it is
/// not there (any more).
#[cfg(target_os = "linux")]
fn no_such_device(name: &str, dir: Direction, why: MediaError) -> MediaError {
    let why = match why {
        MediaError::InvalidConfig(message) => message,
        other => other.to_string(),
    };
    device_error(format!(
        "no audio {} device named \"{name}\" could be opened: {why}",
        dir.noun()
    ))
}

/// Finds the device called `name` (exact name, else exact description), or the default.
/// Returns it with the name notices use.
fn find_device(name: Option<&str>, dir: Direction) -> Result<(Device, String), MediaError> {
    let host = ::cpal::default_host();
    let Some(name) = name else {
        let device = match dir {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        };
        return device
            .map(|d| (d, DEFAULT_NAME.to_owned()))
            .ok_or_else(|| device_error(format!("there is no default audio {}", dir.noun())));
    };
    let devices: Vec<Device> = match dir {
        Direction::Input => host.input_devices().map(|d| d.collect()),
        Direction::Output => host.output_devices().map(|d| d.collect()),
    }
    .map_err(|e| device_error(format!("cannot list audio devices: {e}")))?;
    let by_name = devices
        .iter()
        .position(|d| device_name(d).as_deref() == Some(name));
    let found = by_name.or_else(|| devices.iter().position(|d| d.to_string() == name));
    match found {
        Some(i) => Ok((devices[i].clone(), name.to_owned())),
        None => {
            let known: Vec<String> = devices.iter().filter_map(device_name).collect();
            Err(device_error(format!(
                "no audio {} device named \"{name}\"; available: {}",
                dir.noun(),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )))
        }
    }
}

/// Every device problem becomes this error (one place to change if the error type grows a
/// dedicated variant).
pub(crate) fn device_error(message: String) -> MediaError {
    MediaError::InvalidConfig(message)
}

/// Samples in `ms` milliseconds at `rate` (at least 1).
pub(crate) fn ms_to_samples(rate: u32, ms: u32) -> usize {
    ((u64::from(rate) * u64::from(ms) / 1000) as usize).max(1)
}

/// A live device stream as the recovery logic sees it.
trait Link {
    /// Checks the stream's health; called once per read or write.
    fn failure(&mut self) -> Option<Failure>;
    fn name(&self) -> &str;
}

/// Watches an endpoint's stream and replaces it with the default device after a failure.
/// Runs on the media thread only.
#[derive(Debug, Default)]
struct Recovery {
    /// Name of the device that failed, while no replacement is open.
    lost: Option<String>,
    lost_reported: bool,
    retry_at: Option<Instant>,
    notices: VecDeque<DeviceNotice>,
}

impl Recovery {
    /// Checks `link`; after a failure drops it (its stream is closed on a thread of its own)
    /// and reopens the default device with `open`, now or at the next retry time. True when a
    /// new stream was put in place.
    fn check<L: Link>(
        &mut self,
        link: &mut Option<L>,
        open: impl FnOnce() -> Result<L, MediaError>,
    ) -> bool {
        if let Some(failure) = link.as_mut().and_then(Link::failure) {
            let from = link
                .as_ref()
                .map(|l| l.name().to_owned())
                .unwrap_or_default();
            tracing::warn!(device = %from, "audio device failed: {}", failure.describe());
            *link = None;
            self.lost = Some(from);
            self.lost_reported = false;
            self.retry_at = None;
        }
        let Some(from) = self.lost.as_ref() else {
            return false;
        };
        let now = Instant::now();
        if self.retry_at.is_some_and(|at| now < at) {
            return false;
        }
        match open() {
            Ok(new) => {
                tracing::info!(from = %from, to = %new.name(), "audio device replaced");
                let notice = DeviceNotice::FellBack {
                    from: from.clone(),
                    to: new.name().to_owned(),
                };
                *link = Some(new);
                self.lost = None;
                self.push(notice);
                true
            }
            Err(e) => {
                self.retry_at = Some(now + RETRY);
                if !self.lost_reported {
                    self.lost_reported = true;
                    tracing::warn!(device = %from, "no audio device to fall back to: {e}");
                    let notice = DeviceNotice::Lost {
                        device: from.clone(),
                        reason: e.to_string(),
                    };
                    self.push(notice);
                }
                false
            }
        }
    }

    fn push(&mut self, notice: DeviceNotice) {
        if self.notices.len() == MAX_NOTICES {
            self.notices.pop_front();
        }
        self.notices.push_back(notice);
    }

    fn take(&mut self) -> Option<DeviceNotice> {
        self.notices.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_first_line_of_the_description_or_the_name() {
        let label = |d| device_label("hw:CARD=PCH,DEV=0", d);
        assert_eq!(
            label(Some(
                "HDA Intel PCH, ALC3246 Analog\nDirect hardware device without any conversions"
            )),
            "HDA Intel PCH, ALC3246 Analog"
        );
        assert_eq!(
            label(Some("  \n\t USB  Headset\t\r\nFront output")),
            "USB Headset"
        );
        assert_eq!(
            label(Some(
                "Default ALSA Output (currently PulseAudio Sound Server)"
            )),
            "Default ALSA Output (currently PulseAudio Sound Server)"
        );
        assert_eq!(label(Some("")), "hw:CARD=PCH,DEV=0");
        assert_eq!(label(Some(" \n \t\n")), "hw:CARD=PCH,DEV=0");
        assert_eq!(label(None), "hw:CARD=PCH,DEV=0");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn server_devices_come_right_after_default() {
        let pair = |n: &str| (n.to_owned(), n.to_owned());
        let alsa = vec![pair("pulse"), pair("default"), pair("hw:CARD=PCH,DEV=0")];
        let server = vec![pair("pulse:a"), pair("pulse:b")];
        let names = |l: Labelled| l.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(after_default(alsa, server.clone())),
            [
                "pulse",
                "default",
                "pulse:a",
                "pulse:b",
                "hw:CARD=PCH,DEV=0"
            ]
        );
        assert_eq!(
            names(after_default(vec![pair("hw:0")], server)),
            ["pulse:a", "pulse:b", "hw:0"]
        );
    }

    #[test]
    fn notices_read_as_sentences() {
        let fell = DeviceNotice::FellBack {
            from: "headset".into(),
            to: DEFAULT_NAME.into(),
        };
        assert_eq!(
            fell.to_string(),
            "audio device \"headset\" failed; now using \"default\""
        );
        let mut r = Recovery::default();
        for _ in 0..MAX_NOTICES + 2 {
            r.push(fell.clone());
        }
        assert_eq!(r.notices.len(), MAX_NOTICES);
        assert_eq!(r.take(), Some(fell));
    }
}
