//! [`ClipPlayer`]: one WAV file played on an output endpoint by its own thread, paced in 20 ms
//! ticks like a call's media thread, steered through atomics.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Resampled;
use crate::device::{self, AudioEndpoint, AudioSink, OUTPUT_RATE};
use crate::error::MediaError;
use crate::sample::frame_samples;

const FRAME_MS: u64 = 20;
/// Behind by more than this many ticks (the machine was suspended, the thread starved): pace
/// from now on rather than rush to catch up.
const MAX_LAG_TICKS: u32 = 5;
/// `seek_to` when no seek waits.
const NO_SEEK: u64 = u64::MAX;

/// What the caller and the playing thread share.
struct Control {
    stop: AtomicBool,
    paused: AtomicBool,
    finished: AtomicBool,
    /// A seek for the thread to carry out (ms), or [`NO_SEEK`].
    seek_to: AtomicU64,
    position_ms: AtomicU64,
}

/// Plays one WAV file on an output endpoint, on its own thread; pause, seek, position.
/// Dropping it stops it.
pub struct ClipPlayer {
    control: Arc<Control>,
    duration_ms: u64,
    thread: Option<JoinHandle<()>>,
}

impl ClipPlayer {
    /// Opens `path` and `output` and starts playing from `position_ms`. The file may have any
    /// rate and channel count (down-mixed, resampled to [`OUTPUT_RATE`]), and at most
    /// [`super::MAX_CLIP_BYTES`].
    pub fn start(
        path: &Path,
        output: &AudioEndpoint,
        position_ms: u64,
    ) -> Result<Self, MediaError> {
        let mut source = Resampled::open(path)?;
        let duration_ms = source.duration_ms();
        source.seek_ms(position_ms)?;
        let sink = device::open_sink(output)?;
        let control = Arc::new(Control {
            stop: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            seek_to: AtomicU64::new(NO_SEEK),
            position_ms: AtomicU64::new(source.position_ms()),
        });
        let shared = Arc::clone(&control);
        let thread = std::thread::Builder::new()
            .name("parla-clip".into())
            .spawn(move || play(source, sink, &shared))
            .map_err(MediaError::Spawn)?;
        Ok(Self {
            control,
            duration_ms,
            thread: Some(thread),
        })
    }

    pub fn duration_ms(&self) -> u64 {
        self.duration_ms
    }

    /// Where playback is now (what has been handed to the device).
    pub fn position_ms(&self) -> u64 {
        self.control.position_ms.load(Relaxed)
    }

    pub fn pause(&self) {
        self.control.paused.store(true, Relaxed);
    }

    pub fn resume(&self) {
        self.control.paused.store(false, Relaxed);
        self.wake();
    }

    pub fn is_paused(&self) -> bool {
        self.control.paused.load(Relaxed)
    }

    /// Moves to `position_ms` (past the end: the end, and playback finishes). The position
    /// reads the new place at once.
    pub fn seek(&self, position_ms: u64) {
        let target = position_ms.min(self.duration_ms);
        self.control.seek_to.store(target, Relaxed);
        // Read back at once, also while paused; the thread confirms it when it moves.
        self.control.position_ms.store(target, Relaxed);
        self.wake();
    }

    /// Played to the end (the thread has stopped by itself).
    pub fn is_finished(&self) -> bool {
        self.control.finished.load(Relaxed)
    }

    /// Stops and joins the thread (the output is closed: a WAV file gets its header).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn wake(&self) {
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }

    fn shutdown(&mut self) {
        self.control.stop.store(true, Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            if thread.join().is_err() {
                tracing::warn!("the clip player thread panicked");
            }
        }
    }
}

impl Drop for ClipPlayer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn play(mut source: Resampled, mut sink: Box<dyn AudioSink>, control: &Control) {
    let mut frame = vec![0.0; frame_samples(OUTPUT_RATE, FRAME_MS as u32)];
    let step = Duration::from_millis(FRAME_MS);
    let mut next = Instant::now();
    while !control.stop.load(Relaxed) {
        let seek = control.seek_to.swap(NO_SEEK, Relaxed);
        if seek != NO_SEEK {
            if let Err(e) = source.seek_ms(seek) {
                tracing::warn!("the clip cannot seek: {e}");
                break;
            }
            control.position_ms.store(source.position_ms(), Relaxed);
        }
        if source.at_end() {
            break;
        }
        if control.paused.load(Relaxed) {
            // Nothing goes to the device; pacing starts afresh on resume.
            std::thread::park_timeout(step);
            next = Instant::now();
            continue;
        }
        let n = match source.read(&mut frame) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!("the clip cannot be read: {e}");
                break;
            }
        };
        if let Err(e) = sink.write(&frame[..n]) {
            tracing::warn!("the clip cannot be played: {e}");
            break;
        }
        if control.seek_to.load(Relaxed) == NO_SEEK {
            control.position_ms.store(source.position_ms(), Relaxed);
        }
        next += step;
        let now = Instant::now();
        if now > next + step * MAX_LAG_TICKS {
            next = now;
        }
        wait_until(control, next);
    }
    if source.at_end() {
        control.position_ms.store(source.duration_ms(), Relaxed);
    }
    if let Err(e) = sink.finish() {
        tracing::warn!("closing the clip's output failed: {e}");
    }
    control.finished.store(true, Relaxed);
}

/// Parks until `deadline`; a stop, a seek or a pause wakes it early.
fn wait_until(control: &Control, deadline: Instant) {
    while !control.stop.load(Relaxed) && control.seek_to.load(Relaxed) == NO_SEEK {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::park_timeout(deadline - now);
    }
}
