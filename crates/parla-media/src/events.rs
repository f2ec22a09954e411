//! What a running call's media tells the engine: digits received, a device that went away, a far
//! end that stopped sending. Delivered through a callback the engine supplies, called from the
//! media thread (never from an audio callback).

use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// An RFC 4733 DTMF digit from the far end, once per key press.
    Dtmf(char),
    /// A sound device stopped working and another one took over; the call goes on.
    DeviceChanged { message: String },
    /// No RTP from the far end for the timeout while the call expects some.
    RtpTimeout,
    /// The call's recording could not be written any more (disk full, folder gone): it stopped
    /// (what was written is kept); the call goes on.
    RecordingFailed { message: String },
}

/// The engine's callback. It must be quick and must not block (e.g. a channel send).
#[derive(Clone)]
pub struct MediaEventSink(Arc<dyn Fn(MediaEvent) + Send + Sync>);

impl MediaEventSink {
    pub fn new(f: impl Fn(MediaEvent) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub fn emit(&self, event: MediaEvent) {
        (self.0)(event)
    }
}

impl fmt::Debug for MediaEventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MediaEventSink")
    }
}
