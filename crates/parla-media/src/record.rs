//! Call recording: both directions of a running call, what we send (left) and what we hear
//! from the far end (right), or both mixed into one channel, written by a thread of its own
//! into Ogg Opus or WAV. A recording that cannot be written stops and says why
//! ([`crate::MediaEvent::RecordingFailed`]); the call goes on.
//!
//! - What is recorded: per tick, the frame the far end hears from us (the microphone or the
//!   conference's mix for this call; silence while muted or not sending; the hold music while
//!   we hold) and what we play from the far end (48 kHz, after the resampler; silence while
//!   not receiving).
//! - Threads: the media thread copies both into SPSC rings (see `tap.rs`); the `parla-record`
//!   thread resamples our side to 48 kHz and writes (see `writer.rs`). The file is created by
//!   [`MediaSession::start_recording`] (an existing file is replaced), so a folder that cannot
//!   be written is an error there and then.
//! - Files: 48 kHz; WAV is 16-bit, Ogg Opus is RFC 7845 (mapping family 0, 32 kbit/s per
//!   channel, 20 ms packets).

pub(crate) mod tap;
#[cfg(test)]
mod tests;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, PoisonError};
use std::thread::JoinHandle;

use rtrb::RingBuffer;

use crate::device::OUTPUT_RATE;
use crate::error::MediaError;
use crate::resample::StreamResampler;
use crate::session::MediaSession;
use tap::RecordState;
pub(crate) use tap::Tap;
pub use writer::RECORD_RATE;

/// Seconds of audio the rings between the media thread and the writer hold.
const RING_SECONDS: usize = 2;

/// The file format of a call recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordFormat {
    /// Opus in Ogg.
    #[default]
    Ogg,
    /// 16-bit PCM WAV.
    Wav,
}

/// How the two directions are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordChannels {
    /// What we send on the left, what the far end sends on the right.
    #[default]
    Stereo,
    /// Both mixed into one channel.
    Mono,
}

/// What a finished recording holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingSummary {
    pub path: PathBuf,
    pub duration_ms: u64,
}

/// A recording's handle-side state, kept by the session.
pub(crate) struct ActiveRecording {
    state: Arc<RecordState>,
    thread: JoinHandle<Option<RecordingSummary>>,
}

impl ActiveRecording {
    /// Asks the writer to complete the file and waits for it.
    pub(crate) fn finish(self) -> Option<RecordingSummary> {
        self.state.stop.store(true, Relaxed);
        self.thread.thread().unpark();
        match self.thread.join() {
            Ok(summary) => summary,
            Err(_) => {
                tracing::error!("the recording thread panicked");
                None
            }
        }
    }
}

impl MediaSession {
    /// Starts recording the call into `path` (created, or an error saying why not; a recording
    /// already running is an error). The file is written off the media thread.
    pub fn start_recording(
        &self,
        path: &Path,
        format: RecordFormat,
        channels: RecordChannels,
    ) -> Result<(), MediaError> {
        let mut active = self
            .recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = active.take() {
            if running.state.is_live() {
                *active = Some(running);
                return Err(MediaError::Recording {
                    path: path.to_owned(),
                    reason: "the call is being recorded already".into(),
                });
            }
            // It failed earlier: its thread has ended, reap it.
            drop(running.finish());
        }
        let output = writer::create(path, format, channels)?;
        let resampler = StreamResampler::new(self.capture_rate, RECORD_RATE, self.capture_frame)?;
        let (local, local_out) =
            RingBuffer::new(self.capture_rate as usize * RING_SECONDS + self.capture_frame);
        let (remote, remote_out) = RingBuffer::new(OUTPUT_RATE as usize * RING_SECONDS);
        let state = Arc::new(RecordState::default());
        let job = writer::Writer {
            path: path.to_owned(),
            output,
            channels,
            local: local_out,
            remote: remote_out,
            resampler,
            state: Arc::clone(&state),
            events: self.events.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("parla-record".into())
            .spawn(move || job.run())
            .map_err(MediaError::Spawn)?;
        let remote_reserve = 2 * crate::sample::frame_samples(OUTPUT_RATE, self.ptime_ms);
        let tap = Tap::new(local, remote, Arc::clone(&state), remote_reserve);
        self.control.next_recording.offer(tap);
        *active = Some(ActiveRecording { state, thread });
        tracing::info!(path = %path.display(), ?format, ?channels, "recording started");
        Ok(())
    }

    /// Stops the recording and completes its file; `None` when none was running (one that
    /// failed has ended already: its event said so, and what it wrote is kept).
    pub fn stop_recording(&self) -> Option<RecordingSummary> {
        let running = self
            .recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()?;
        let live = running.state.is_live();
        let summary = running.finish();
        self.control.next_recording.drop_retired();
        if let Some(summary) = &summary {
            tracing::info!(path = %summary.path.display(), ms = summary.duration_ms, "recording stopped");
        }
        summary.filter(|_| live)
    }

    /// Whether a recording is running (false once it failed or was stopped).
    pub fn is_recording(&self) -> bool {
        self.recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|r| r.state.is_live())
    }
}
