//! Is a device stream still alive? Judged on the media thread from what its callbacks leave in
//! [`Shared`]: a definite failure reported by cpal, or no callbacks for a while.

use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use super::rt::Shared;

/// Without a callback for this long, after the device reported errors, a stream is dead (a
/// killed PulseAudio stream reports an error on every poll and never calls back again).
const STALL_AFTER_ERRORS: Duration = Duration::from_millis(300);
/// Without a callback for this long, errors or not, a stream is dead: some backends just stop
/// calling back when the device or the sound server goes away.
const STALL: Duration = Duration::from_millis(1500);

/// Why a stream stopped working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Gone = 1,
    ServerGone = 2,
    Invalidated = 3,
    Errors = 4,
    Stalled = 5,
}

impl Failure {
    /// The failure the error callback stored, if any.
    fn load(shared: &Shared) -> Option<Failure> {
        match shared.failure.load(Relaxed) {
            0 => None,
            1 => Some(Failure::Gone),
            2 => Some(Failure::ServerGone),
            3 => Some(Failure::Invalidated),
            _ => Some(Failure::Errors),
        }
    }

    /// Marks `shared`'s stream as failed with this, unless it already failed.
    pub fn record(self, shared: &Shared) {
        let _ = shared
            .failure
            .compare_exchange(0, self as u8, Relaxed, Relaxed);
    }

    pub fn describe(self) -> &'static str {
        match self {
            Failure::Gone => "the device was disconnected",
            Failure::ServerGone => "the sound server went away",
            Failure::Invalidated => "the stream was invalidated",
            Failure::Errors => "the device kept reporting errors",
            Failure::Stalled => "the device stopped delivering audio",
        }
    }
}

/// Follows one stream's callbacks.
#[derive(Debug)]
pub(crate) struct Watch {
    callbacks: u64,
    errors: u64,
    since: Instant,
}

impl Watch {
    pub fn new() -> Self {
        Self {
            callbacks: 0,
            errors: 0,
            since: Instant::now(),
        }
    }

    pub fn check(&mut self, shared: &Shared) -> Option<Failure> {
        if let Some(failure) = Failure::load(shared) {
            return Some(failure);
        }
        let (callbacks, errors) = (shared.callbacks.load(Relaxed), shared.errors.load(Relaxed));
        let now = Instant::now();
        if callbacks != self.callbacks {
            *self = Self {
                callbacks,
                errors,
                since: now,
            };
            return None;
        }
        let quiet = now.duration_since(self.since);
        if errors > self.errors && quiet >= STALL_AFTER_ERRORS {
            Some(Failure::Errors)
        } else if quiet >= STALL {
            Some(Failure::Stalled)
        } else {
            None
        }
    }
}

/// Drops a stream (or a device handle) on a thread of its own. Closing can block: after the
/// PulseAudio server died under a capture stream, ALSA's pulse plugin deadlocks inside
/// libpulse, and the media thread must not hang with it.
pub(crate) fn retire<T: Send + 'static>(stream: T) {
    let spawned = std::thread::Builder::new()
        .name("parla-audio-close".into())
        .spawn(move || drop(stream));
    // On failure the closure, and so the stream, has been dropped right here.
    if let Err(e) = spawned {
        tracing::warn!("no thread to close an audio stream, closed inline: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_dead_when_it_fails_or_goes_quiet_after_errors() {
        let shared = Shared::default();
        let mut watch = Watch::new();
        Shared::bump(&shared.callbacks);
        Shared::bump(&shared.errors);
        assert_eq!(watch.check(&shared), None, "errors while calling back");
        std::thread::sleep(STALL_AFTER_ERRORS / 2);
        assert_eq!(watch.check(&shared), None);
        Shared::bump(&shared.errors);
        std::thread::sleep(STALL_AFTER_ERRORS);
        assert_eq!(watch.check(&shared), Some(Failure::Errors));

        shared.failure.store(Failure::Gone as u8, Relaxed);
        assert_eq!(watch.check(&shared), Some(Failure::Gone));
    }
}
