//! Error types of the media crate.

use std::path::PathBuf;

/// What can go wrong when setting up or running a media session.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("invalid audio endpoint {0:?}: expected \"file:/path.wav\", \"null\", \"default\" or a device name")]
    InvalidEndpoint(String),
    #[error("audio device {0} is not supported yet: use \"file:/path.wav\" or \"null\"")]
    DeviceUnsupported(String),
    #[error("cannot open WAV file {}: {source}", path.display())]
    Wav {
        path: PathBuf,
        #[source]
        source: hound::Error,
    },
    #[error("unsupported WAV file {}: {reason}", path.display())]
    WavFormat { path: PathBuf, reason: String },
    #[error("invalid codec parameters: {0}")]
    InvalidCodec(String),
    #[error("invalid media configuration: {0}")]
    InvalidConfig(String),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("resampler {from} Hz -> {to} Hz: {reason}")]
    Resampler { from: u32, to: u32, reason: String },
    #[error("RTP socket: {0}")]
    Socket(#[source] std::io::Error),
    #[error("cannot start the media thread: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("cannot record the call into {}: {reason}", path.display())]
    Recording { path: PathBuf, reason: String },
    #[error("cannot switch audio devices: {0}")]
    DeviceSwitch(&'static str),
}

/// A codec failed on one frame or packet. Cheap to build: no allocation on the media path.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("Opus: {0}")]
    Opus(#[from] audiopus::Error),
    #[error("output buffer too small: need {needed}, have {available}")]
    BufferTooSmall { needed: usize, available: usize },
    #[error("frame of {got} samples, expected {expected}")]
    FrameSize { got: usize, expected: usize },
}

/// Why a datagram was not accepted as RTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    #[error("datagram too short for an RTP header")]
    TooShort,
    #[error("RTP version {0}, expected 2")]
    BadVersion(u8),
    #[error("header extension runs past the end of the packet")]
    BadExtension,
    #[error("padding length does not fit the payload")]
    BadPadding,
    #[error("the rtp crate rejected the header")]
    Header,
    #[error("output buffer too small for the packet")]
    BufferTooSmall,
}
