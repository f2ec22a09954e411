//! Audio endpoints: where a call's audio comes from and goes to.
//!
//! A source hands the pipeline one mono frame per tick at the rate it was opened for (the
//! encoder's rate). A sink takes mono samples at [`OUTPUT_RATE`]. Sound devices ([`cpal`]) sit
//! behind the same traits, fed through lock-free rings.

pub mod cpal;
pub mod file;
pub mod null;

use std::fmt;
use std::path::PathBuf;

use crate::error::MediaError;
pub use crate::sample::OUTPUT_RATE;

/// Where audio is captured from or played to, as written in settings and on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioEndpoint {
    /// A call's place in a local conference: the mixer, not a device. Never parsed from text.
    Conference(crate::conference::ConferencePort),
    /// A WAV file: read (and looped) as input, written as output.
    File(PathBuf),
    /// Silence in, discard out.
    Null,
    /// A sound device by name; `None` is the system default.
    Device(Option<String>),
}

impl AudioEndpoint {
    /// `"file:/path.wav"`, `"null"`, `"default"`, or any other text as a device name.
    pub fn parse(s: &str) -> Result<Self, MediaError> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("file:") {
            if path.is_empty() {
                return Err(MediaError::InvalidEndpoint(s.to_owned()));
            }
            return Ok(AudioEndpoint::File(PathBuf::from(path)));
        }
        match s {
            "" => Err(MediaError::InvalidEndpoint(s.to_owned())),
            "null" => Ok(AudioEndpoint::Null),
            "default" => Ok(AudioEndpoint::Device(None)),
            name => Ok(AudioEndpoint::Device(Some(name.to_owned()))),
        }
    }
}

impl fmt::Display for AudioEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AudioEndpoint::File(p) => write!(f, "file:{}", p.display()),
            AudioEndpoint::Null => f.write_str("null"),
            AudioEndpoint::Device(None) => f.write_str("default"),
            AudioEndpoint::Device(Some(name)) => f.write_str(name),
            AudioEndpoint::Conference(port) => port.fmt(f),
        }
    }
}

/// Produces capture audio.
pub trait AudioSource: Send {
    /// Fills `out` with the next samples. On error `out` holds silence and the caller counts it;
    /// a source reports a lasting failure once and then stays silent.
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError>;
    /// A microphone in a room (a sound device), whose audio the echo canceller and noise
    /// suppression are for; files, silence and the conference mixer are not.
    fn acoustic(&self) -> bool {
        false
    }
    /// A device change the person should hear about (unplugged, fell back to the default).
    fn take_notice(&mut self) -> Option<cpal::DeviceNotice> {
        None
    }
    /// Whether the next frame is there to read: `Some(false)` also asks the source to unpark
    /// the calling thread once it is. `None`: the source cannot tell (files, silence, a device
    /// without a thread of our own), and its reader runs on a clock.
    fn frame_ready(&mut self) -> Option<bool> {
        None
    }
    /// Samples (at the rate frames are read at) of the source's audio dropped since the last
    /// call, which the reader's clock waited for: a source that paces its reader (see
    /// [`AudioSource::frame_ready`]) and drops a backlog makes every later frame that much
    /// later, and the RTP timestamps must say so, or the far end takes the packets for late.
    fn take_skipped(&mut self) -> usize {
        0
    }
}

/// Consumes playback audio at [`OUTPUT_RATE`].
pub trait AudioSink: Send {
    fn write(&mut self, samples: &[f32]) -> Result<(), MediaError>;
    /// Flushes and closes (a WAV file gets its final header). Called once, at session stop.
    fn finish(&mut self) -> Result<(), MediaError>;
    /// A device change the person should hear about (unplugged, fell back to the default).
    fn take_notice(&mut self) -> Option<cpal::DeviceNotice> {
        None
    }
    /// The writes come `ms` earlier from now on: what that would leave queued is delay, so a
    /// sink with a queue drops as much of what comes next, and says so. (A file has no clock
    /// to keep.)
    fn come_forward(&mut self, _ms: f64) -> bool {
        false
    }
}

/// Opens `endpoint` for capture, delivering mono audio at `rate` in frames of `frame_samples`.
pub fn open_source(
    endpoint: &AudioEndpoint,
    rate: u32,
    frame_samples: usize,
) -> Result<Box<dyn AudioSource>, MediaError> {
    match endpoint {
        AudioEndpoint::File(path) => {
            Ok(Box::new(file::FileSource::open(path, rate, frame_samples)?))
        }
        AudioEndpoint::Null => Ok(Box::new(null::NullSource)),
        AudioEndpoint::Conference(port) => {
            crate::conference::open_source(port, rate, frame_samples)
        }
        AudioEndpoint::Device(name) => Ok(Box::new(self::cpal::CpalSource::open(
            name.as_deref(),
            rate,
            frame_samples,
        )?)),
    }
}

/// Opens `endpoint` for playback at [`OUTPUT_RATE`].
pub fn open_sink(endpoint: &AudioEndpoint) -> Result<Box<dyn AudioSink>, MediaError> {
    match endpoint {
        AudioEndpoint::File(path) => Ok(Box::new(file::FileSink::create(path)?)),
        AudioEndpoint::Null => Ok(Box::new(null::NullSink)),
        AudioEndpoint::Conference(port) => crate::conference::open_sink(port),
        AudioEndpoint::Device(name) => Ok(Box::new(self::cpal::CpalSink::open(name.as_deref())?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse() {
        let file = AudioEndpoint::parse("file:/tmp/a b.wav").expect("file");
        assert_eq!(file, AudioEndpoint::File(PathBuf::from("/tmp/a b.wav")));
        assert_eq!(file.to_string(), "file:/tmp/a b.wav");
        assert_eq!(AudioEndpoint::parse("null").ok(), Some(AudioEndpoint::Null));
        assert_eq!(
            AudioEndpoint::parse(" default ").ok(),
            Some(AudioEndpoint::Device(None))
        );
        assert_eq!(
            AudioEndpoint::parse("hw:1,0").ok(),
            Some(AudioEndpoint::Device(Some("hw:1,0".into())))
        );
        assert!(AudioEndpoint::parse("").is_err());
        assert!(AudioEndpoint::parse("file:").is_err());
    }

    #[test]
    fn an_unknown_device_is_a_clear_error() {
        let name = AudioEndpoint::Device(Some("no such device".into()));
        let err = open_sink(&name).err().expect("no such output");
        assert!(
            err.to_string()
                .contains("no audio output device named \"no such device\""),
            "{err}"
        );
        let err = open_source(&name, 8000, 160).err().expect("no such input");
        assert!(
            err.to_string().contains("no audio input device named"),
            "{err}"
        );
    }
}
