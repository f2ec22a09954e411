//! Building cpal streams: the device's preferred config, a ~5 ms period when the device allows
//! it, any sample format, and an error callback that only sets flags.

use std::sync::Arc;

use ::cpal::traits::{DeviceTrait, StreamTrait};
use ::cpal::{
    BufferSize, Device, ErrorKind, FromSample, SampleFormat, SizedSample, Stream, StreamConfig,
    SupportedBufferSize, SupportedStreamConfig,
};
use rtrb::{Consumer, Producer, RingBuffer};

use super::health::{retire, Failure};
use super::rt::{CaptureFeed, PlaybackFeed, Shared};
use super::{device_error, ms_to_samples, DevicePath, RING_MS};
use crate::error::MediaError;

/// The device period asked for (the callback size). cpal keeps two periods in the device's
/// buffer, and the rings hold about one more, on each side: 5 ms keeps that well inside the
/// budget's 10 ms for capture and for playout.
const PERIOD_MS: u32 = 5;
/// The period our own ALSA reader asks for: a call's frame. A call's media loop and the
/// conference mixer are woken when their 20 ms frame is in (`FrameWake`), so a period as long
/// costs them no delay (`cargo bench --bench latency`: the same 72-73 ms at 20 as at 10), and
/// PulseAudio's client thread and the reader wake once a frame (`--bench vs_baresip`: the
/// reader 0.25-0.45 % of a core instead of 0.45-0.70 at 10 ms; 10 ms was about 1 % less than
/// 5 ms before that).
/// A reader on a timer (recording) keeps up to a period more standing.
const CAPTURE_PERIOD_MS: u32 = 20;
/// Playback cushion held in the ring before the callback starts playing.
const PLAYBACK_PRIME_MS: u32 = 5;

/// A running stream and what the media side needs to use it.
pub(crate) struct Built<R, S = Stream> {
    pub stream: S,
    pub ring: R,
    pub shared: Arc<Shared>,
    pub rate: u32,
    /// Frames per callback.
    pub period: usize,
}

impl<R, S> Built<R, S> {
    /// The same, with its stream wrapped by `wrap`.
    fn with_stream<T>(self, wrap: impl FnOnce(S) -> T) -> Built<R, T> {
        Built {
            stream: wrap(self.stream),
            ring: self.ring,
            shared: self.shared,
            rate: self.rate,
            period: self.period,
        }
    }
}

/// The error callback: runs on the device thread, so it only sorts the error into counters and
/// the failure flag. Other errors only count: some backends report passing ones (the pulse
/// plugin while its stream starts), and [`super::health::Watch`] decides when they are fatal.
/// (cpal hands the error over by value; dropping it here is cpal's own allocation coming back.)
fn on_error(shared: &Shared, err: ::cpal::Error) {
    let failure = match err.kind() {
        ErrorKind::Xrun => {
            Shared::bump(&shared.xruns);
            return;
        }
        // Rerouted by the backend, or only lower priority: the stream still runs.
        ErrorKind::DeviceChanged | ErrorKind::RealtimeDenied => return,
        ErrorKind::DeviceNotAvailable => Failure::Gone,
        ErrorKind::HostUnavailable => Failure::ServerGone,
        ErrorKind::StreamInvalidated => Failure::Invalidated,
        _ => {
            Shared::bump(&shared.errors);
            return;
        }
    };
    failure.record(shared);
}

/// A running capture: on Linux the sound server's client thread for the default input (see
/// `pulse_capture.rs`), else our own ALSA reader (see `alsa_capture.rs` for why); a cpal stream
/// elsewhere or for a device neither can open.
pub(crate) enum Capture {
    Cpal(Stream),
    #[cfg(target_os = "linux")]
    Alsa(super::alsa_capture::AlsaCapture),
    #[cfg(target_os = "linux")]
    Pulse(super::pulse_capture::PulseCapture),
}

impl Capture {
    /// What delivers its audio; all but cpal's wake a media thread waiting for a frame
    /// ([`super::rt::FrameWake`]).
    pub fn path(&self) -> DevicePath {
        match self {
            Capture::Cpal(_) => DevicePath::Cpal,
            #[cfg(target_os = "linux")]
            Capture::Alsa(_) => DevicePath::Alsa,
            #[cfg(target_os = "linux")]
            Capture::Pulse(_) => DevicePath::Pulse,
        }
    }

    /// Stops it without blocking the caller (closing can hang; see [`retire`]).
    pub fn retire(self) {
        match self {
            Capture::Cpal(stream) => retire(stream),
            #[cfg(target_os = "linux")]
            Capture::Alsa(reader) => drop(reader),
            #[cfg(target_os = "linux")]
            Capture::Pulse(capture) => drop(capture),
        }
    }
}

/// ALSA's names for "the sound server's default source" on a desktop with one.
#[cfg(target_os = "linux")]
const SERVER_DEFAULT_PCMS: [&str; 2] = [super::DEFAULT_NAME, "pulse"];

/// Starts capture on `device`; mono `f32` at `rate` comes out of `ring`. On Linux the default
/// input from the sound server when there is one, else through our own ALSA reader, else (or
/// when the reader cannot take the device's formats, which cpal converts more of) through cpal.
pub(crate) fn build_input(
    device: &Device,
    name: &str,
) -> Result<Built<Consumer<f32>, Capture>, MediaError> {
    #[cfg(target_os = "linux")]
    {
        let pcm = super::device_name(device).unwrap_or_else(|| name.to_owned());
        if SERVER_DEFAULT_PCMS.contains(&pcm.as_str()) {
            match super::pulse_capture::open(CAPTURE_PERIOD_MS, None, Arc::new(Shared::default())) {
                Ok(built) => return Ok(built.with_stream(Capture::Pulse)),
                Err(e) => tracing::debug!("{e}; capturing through ALSA instead"),
            }
        }
        match super::alsa_capture::open(&pcm, CAPTURE_PERIOD_MS, Arc::new(Shared::default())) {
            Ok(built) => return Ok(built.with_stream(Capture::Alsa)),
            Err(e) => tracing::debug!("{e}; capturing through cpal instead"),
        }
    }
    build_cpal_input(device, name).map(|built| built.with_stream(Capture::Cpal))
}

/// Starts capture from the sound server's source `source` (its own name for it; see
/// `pulse_devices.rs`).
#[cfg(target_os = "linux")]
pub(crate) fn build_server_input(
    source: &str,
) -> Result<Built<Consumer<f32>, Capture>, MediaError> {
    let shared = Arc::new(Shared::default());
    super::pulse_capture::open(CAPTURE_PERIOD_MS, Some(source), shared)
        .map(|built| built.with_stream(Capture::Pulse))
}

fn build_cpal_input(device: &Device, name: &str) -> Result<Built<Consumer<f32>>, MediaError> {
    let supported = device
        .default_input_config()
        .map_err(|e| device_error(format!("audio input \"{name}\" has no usable format: {e}")))?;
    with_period_fallback(name, &supported, |config| {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = RingBuffer::new(ms_to_samples(config.sample_rate, RING_MS));
        let feed = CaptureFeed::new(tx, config.channels, Arc::clone(&shared));
        let stream = by_format(
            supported.sample_format(),
            Input {
                device,
                config,
                feed,
                shared: &shared,
            },
        )?;
        Ok(Built {
            period: period_of(&stream, config.sample_rate),
            stream,
            ring: rx,
            shared,
            rate: config.sample_rate,
        })
    })
}

/// Starts playback on `device`; mono `f32` at `rate` pushed into `ring` is heard.
pub(crate) fn build_output(
    device: &Device,
    name: &str,
) -> Result<Built<Producer<f32>>, MediaError> {
    let supported = device
        .default_output_config()
        .map_err(|e| device_error(format!("audio output \"{name}\" has no usable format: {e}")))?;
    with_period_fallback(name, &supported, |config| {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = RingBuffer::new(ms_to_samples(config.sample_rate, RING_MS));
        let prime = ms_to_samples(config.sample_rate, PLAYBACK_PRIME_MS);
        let feed = PlaybackFeed::new(rx, config.channels, prime, Arc::clone(&shared));
        let stream = by_format(
            supported.sample_format(),
            Output {
                device,
                config,
                feed,
                shared: &shared,
            },
        )?;
        Ok(Built {
            period: period_of(&stream, config.sample_rate),
            stream,
            ring: tx,
            shared,
            rate: config.sample_rate,
        })
    })
}

/// Frames per callback as the backend reports them, else the period we asked for.
fn period_of(stream: &Stream, rate: u32) -> usize {
    match stream.buffer_size() {
        Ok(frames) if frames > 0 => frames as usize,
        _ => ms_to_samples(rate, PERIOD_MS),
    }
}

/// Tries a fixed ~5 ms period when the device's range allows it, then the device's own
/// default; starts the stream that builds.
fn with_period_fallback<R>(
    name: &str,
    supported: &SupportedStreamConfig,
    mut build: impl FnMut(StreamConfig) -> Result<Built<R>, ::cpal::Error>,
) -> Result<Built<R>, MediaError> {
    let mut config = supported.config();
    let period = ms_to_samples(config.sample_rate, PERIOD_MS) as u32;
    let fits = matches!(supported.buffer_size(),
        SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&period));
    let built = if fits {
        config.buffer_size = BufferSize::Fixed(period);
        build(config).or_else(|_| {
            config.buffer_size = BufferSize::Default;
            build(config)
        })
    } else {
        build(config)
    };
    let built =
        built.map_err(|e| device_error(format!("cannot open audio device \"{name}\": {e}")))?;
    built
        .stream
        .play()
        .map_err(|e| device_error(format!("cannot start audio device \"{name}\": {e}")))?;
    Ok(built)
}

/// A stream direction, built for one concrete sample type.
trait Build {
    fn build<T>(self) -> Result<Stream, ::cpal::Error>
    where
        T: SizedSample + FromSample<f32>,
        f32: FromSample<T>;
}

struct Input<'a> {
    device: &'a Device,
    config: StreamConfig,
    feed: CaptureFeed,
    shared: &'a Arc<Shared>,
}

impl Build for Input<'_> {
    fn build<T>(self) -> Result<Stream, ::cpal::Error>
    where
        T: SizedSample + FromSample<f32>,
        f32: FromSample<T>,
    {
        let mut feed = self.feed;
        let shared = Arc::clone(self.shared);
        self.device.build_input_stream(
            self.config,
            move |data: &[T], _: &_| feed.on_data(data),
            move |err| on_error(&shared, err),
            None,
        )
    }
}

struct Output<'a> {
    device: &'a Device,
    config: StreamConfig,
    feed: PlaybackFeed,
    shared: &'a Arc<Shared>,
}

impl Build for Output<'_> {
    fn build<T>(self) -> Result<Stream, ::cpal::Error>
    where
        T: SizedSample + FromSample<f32>,
        f32: FromSample<T>,
    {
        let mut feed = self.feed;
        let shared = Arc::clone(self.shared);
        self.device.build_output_stream(
            self.config,
            move |data: &mut [T], _: &_| feed.on_data(data),
            move |err| on_error(&shared, err),
            None,
        )
    }
}

fn by_format(format: SampleFormat, b: impl Build) -> Result<Stream, ::cpal::Error> {
    use ::cpal::{I24, U24};
    match format {
        SampleFormat::I8 => b.build::<i8>(),
        SampleFormat::I16 => b.build::<i16>(),
        SampleFormat::I24 => b.build::<I24>(),
        SampleFormat::I32 => b.build::<i32>(),
        SampleFormat::I64 => b.build::<i64>(),
        SampleFormat::U8 => b.build::<u8>(),
        SampleFormat::U16 => b.build::<u16>(),
        SampleFormat::U24 => b.build::<U24>(),
        SampleFormat::U32 => b.build::<u32>(),
        SampleFormat::U64 => b.build::<u64>(),
        SampleFormat::F32 => b.build::<f32>(),
        SampleFormat::F64 => b.build::<f64>(),
        other => Err(::cpal::Error::with_message(
            ErrorKind::UnsupportedConfig,
            format!("sample format {other} is not supported"),
        )),
    }
}
