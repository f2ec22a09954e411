//! [`ClipRecorder`]: an input endpoint recorded into a 16 kHz mono 16-bit WAV file by its own
//! thread, paced in 20 ms ticks, until stopped or `max` is reached.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hound::WavWriter;

use crate::device::{self, AudioEndpoint, AudioSource};
use crate::error::MediaError;
use crate::sample::{f32_to_i16, frame_samples};

/// The rate greetings are recorded at.
pub const RECORD_RATE: u32 = 16_000;
const FRAME_MS: u32 = 20;
const MAX_LAG_TICKS: u32 = 5;

struct Control {
    stop: AtomicBool,
    finished: AtomicBool,
    /// Samples written so far.
    samples: AtomicU64,
}

/// Records the microphone into a WAV file (16 kHz mono) on its own thread, at most `max`.
/// Dropping it stops it (the file is finalised).
pub struct ClipRecorder {
    control: Arc<Control>,
    thread: Option<JoinHandle<Result<u64, MediaError>>>,
}

impl ClipRecorder {
    /// Opens `input` and creates `path` (replacing a file there), then records.
    pub fn start(input: &AudioEndpoint, path: &Path, max: Duration) -> Result<Self, MediaError> {
        let frame = frame_samples(RECORD_RATE, FRAME_MS);
        let source = device::open_source(input, RECORD_RATE, frame)?;
        let writer = crate::device::file::create_mono_wav(path, RECORD_RATE)?;
        let control = Arc::new(Control {
            stop: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            samples: AtomicU64::new(0),
        });
        let max_samples = max.as_millis() as u64 * u64::from(RECORD_RATE) / 1000;
        let job = Job {
            source,
            writer,
            path: path.to_owned(),
            max_samples,
            frame,
        };
        let shared = Arc::clone(&control);
        let thread = std::thread::Builder::new()
            .name("parla-record".into())
            .spawn(move || job.run(&shared))
            .map_err(MediaError::Spawn)?;
        Ok(Self {
            control,
            thread: Some(thread),
        })
    }

    /// How much has been recorded.
    pub fn elapsed_ms(&self) -> u64 {
        self.control.samples.load(Relaxed) * 1000 / u64::from(RECORD_RATE)
    }

    /// Reached `max` (or failed to write) and stopped by itself.
    pub fn is_finished(&self) -> bool {
        self.control.finished.load(Relaxed)
    }

    /// Stops, finalises the file and returns its length.
    pub fn stop(mut self) -> Result<u64, MediaError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<u64, MediaError> {
        self.control.stop.store(true, Relaxed);
        let Some(thread) = self.thread.take() else {
            return Ok(self.elapsed_ms());
        };
        thread.thread().unpark();
        thread.join().unwrap_or_else(|_| {
            Err(MediaError::InvalidConfig(
                "the recording thread stopped unexpectedly".into(),
            ))
        })
    }
}

impl Drop for ClipRecorder {
    fn drop(&mut self) {
        if self.thread.is_some() {
            if let Err(e) = self.shutdown() {
                tracing::warn!("the recording failed: {e}");
            }
        }
    }
}

struct Job {
    source: Box<dyn AudioSource>,
    writer: WavWriter<BufWriter<File>>,
    path: PathBuf,
    max_samples: u64,
    frame: usize,
}

impl Job {
    fn run(mut self, control: &Control) -> Result<u64, MediaError> {
        let result = self.record(control);
        control.finished.store(true, Relaxed);
        let finalised = self.writer.finalize().map_err(|source| MediaError::Wav {
            path: self.path.clone(),
            source,
        });
        let samples = control.samples.load(Relaxed);
        result
            .and(finalised)
            .map(|()| samples * 1000 / u64::from(RECORD_RATE))
    }

    fn record(&mut self, control: &Control) -> Result<(), MediaError> {
        let mut frame = vec![0.0; self.frame];
        let step = Duration::from_millis(u64::from(FRAME_MS));
        let mut next = Instant::now();
        let mut warned = false;
        let mut written: u64 = 0;
        while !control.stop.load(Relaxed) && written < self.max_samples {
            if let Err(e) = self.source.read(&mut frame) {
                if !warned {
                    tracing::warn!("the recording's input failed: {e}");
                    warned = true;
                }
            }
            let take = frame.len().min((self.max_samples - written) as usize);
            for &s in &frame[..take] {
                self.writer
                    .write_sample(f32_to_i16(s))
                    .map_err(|source| MediaError::Wav {
                        path: self.path.clone(),
                        source,
                    })?;
            }
            written += take as u64;
            control.samples.store(written, Relaxed);
            next += step;
            let now = Instant::now();
            if now > next + step * MAX_LAG_TICKS {
                next = now;
            }
            while !control.stop.load(Relaxed) {
                let now = Instant::now();
                if now >= next {
                    break;
                }
                std::thread::park_timeout(next - now);
            }
        }
        Ok(())
    }
}
