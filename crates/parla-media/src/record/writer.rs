//! The `parla-record` thread: drains the tap's rings every 20 ms, brings what we send to
//! 48 kHz, pairs it with what we play and writes stereo (local left, remote right) or mono
//! (both mixed) as 16-bit WAV or Ogg Opus. A write error ends the recording: the file is closed
//! as well as it can be and [`MediaEvent::RecordingFailed`] is sent once.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use hound::{SampleFormat, WavSpec, WavWriter};
use rtrb::Consumer;

use super::tap::RecordState;
use super::{RecordChannels, RecordFormat, RecordingSummary};
use crate::device::OUTPUT_RATE;
use crate::error::MediaError;
use crate::events::{MediaEvent, MediaEventSink};
use crate::ogg_opus::OggOpusWriter;
use crate::resample::StreamResampler;
use crate::sample::f32_to_i16;

/// Every recording is written at this rate.
pub const RECORD_RATE: u32 = OUTPUT_RATE;
/// Ogg Opus bitrate (bit/s) for mono; stereo gets twice this, so each side keeps its detail.
pub const OGG_BITRATE_MONO: i32 = 32_000;
const PERIOD: Duration = Duration::from_millis(20);
/// One side ahead of the other by more than this (a side that stopped coming) is evened out
/// with silence, so memory stays bounded and the two stay in step.
const MAX_SKEW: usize = RECORD_RATE as usize / 2;

/// The file being written (generic so a test can put a failing writer behind it).
pub(crate) enum Output<W: Write + std::io::Seek> {
    Wav(WavWriter<W>),
    Ogg(OggOpusWriter<W>),
}

pub(crate) type FileOutput = Output<BufWriter<File>>;

impl<W: Write + std::io::Seek> Output<W> {
    pub fn new(out: W, format: RecordFormat, channels: RecordChannels) -> Result<Self, String> {
        let n = channel_count(channels);
        Ok(match format {
            RecordFormat::Wav => {
                let spec = WavSpec {
                    channels: n as u16,
                    sample_rate: RECORD_RATE,
                    bits_per_sample: 16,
                    sample_format: SampleFormat::Int,
                };
                Output::Wav(WavWriter::new(out, spec).map_err(|e| e.to_string())?)
            }
            RecordFormat::Ogg => Output::Ogg(OggOpusWriter::new(
                out,
                n,
                OGG_BITRATE_MONO * n as i32,
                RECORD_RATE,
            )?),
        })
    }

    fn write(&mut self, interleaved: &[f32]) -> Result<(), String> {
        match self {
            Output::Wav(w) => {
                for &s in interleaved {
                    w.write_sample(f32_to_i16(s)).map_err(|e| e.to_string())?;
                }
                Ok(())
            }
            Output::Ogg(w) => w.write(interleaved),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            Output::Wav(w) => w.finalize().map_err(|e| e.to_string()),
            Output::Ogg(w) => w.finish().map(drop),
        }
    }
}

/// Creates `path` (replacing a file there) with the format's headers.
pub(crate) fn create(
    path: &Path,
    format: RecordFormat,
    channels: RecordChannels,
) -> Result<FileOutput, MediaError> {
    let err = |reason: String| MediaError::Recording {
        path: path.to_owned(),
        reason,
    };
    let file = File::create(path).map_err(|e| err(e.to_string()))?;
    Output::new(BufWriter::new(file), format, channels).map_err(err)
}

fn channel_count(channels: RecordChannels) -> usize {
    match channels {
        RecordChannels::Stereo => 2,
        RecordChannels::Mono => 1,
    }
}

pub(crate) struct Writer<W: Write + std::io::Seek> {
    pub path: PathBuf,
    pub output: Output<W>,
    pub channels: RecordChannels,
    pub local: Consumer<f32>,
    pub remote: Consumer<f32>,
    /// What we send, from the encoder's rate to [`RECORD_RATE`].
    pub resampler: StreamResampler,
    pub state: Arc<RecordState>,
    pub events: Option<MediaEventSink>,
}

/// The writer's queues, at [`RECORD_RATE`].
struct Queues {
    local: VecDeque<f32>,
    remote: VecDeque<f32>,
    /// Resampler delay still to drop from the local side.
    skip: usize,
    interleaved: Vec<f32>,
    scratch: Vec<f32>,
    frames: u64,
}

impl<W: Write + std::io::Seek> Writer<W> {
    /// Runs until stopped or failed; the summary when the file was completed.
    pub fn run(mut self) -> Option<RecordingSummary> {
        let mut q = Queues {
            local: VecDeque::new(),
            remote: VecDeque::new(),
            skip: self.resampler.delay(),
            interleaved: Vec::new(),
            scratch: vec![0.0; 4096],
            frames: 0,
        };
        loop {
            let stopping = self.state.stop.load(Relaxed);
            let written = self
                .drain(&mut q)
                .and_then(|()| self.write_paired(&mut q, stopping));
            if let Err(reason) = written {
                return self.fail(reason);
            }
            if stopping {
                break;
            }
            std::thread::park_timeout(PERIOD);
        }
        let dropped = self.state.dropped_ticks.load(Relaxed);
        if dropped > 0 {
            tracing::warn!(dropped, "the recording fell behind: ticks were left out");
        }
        let Writer {
            output,
            path,
            state,
            events,
            ..
        } = self;
        if let Err(reason) = output.finish() {
            self_fail(&state, events.as_ref(), &path, reason);
            return None;
        }
        Some(RecordingSummary {
            path,
            duration_ms: q.frames * 1000 / u64::from(RECORD_RATE),
        })
    }

    fn fail(self, reason: String) -> Option<RecordingSummary> {
        self_fail(&self.state, self.events.as_ref(), &self.path, reason);
        // Dropping a WAV writer still tries to write its final header.
        drop(self.output);
        None
    }

    /// Moves what the rings hold into the queues.
    fn drain(&mut self, q: &mut Queues) -> Result<(), String> {
        loop {
            let (got, _) = self.local.pop_partial_slice(&mut q.scratch);
            if got.is_empty() {
                break;
            }
            let (skip, local) = (&mut q.skip, &mut q.local);
            self.resampler
                .process(got, &mut |s| {
                    let dropped = (*skip).min(s.len());
                    *skip -= dropped;
                    local.extend(&s[dropped..]);
                })
                .map_err(|e| e.to_string())?;
        }
        loop {
            let (got, _) = self.remote.pop_partial_slice(&mut q.scratch);
            if got.is_empty() {
                break;
            }
            q.remote.extend(got.iter());
        }
        Ok(())
    }

    /// Writes what both sides have; at the end, the rest with silence on the shorter side.
    fn write_paired(&mut self, q: &mut Queues, last: bool) -> Result<(), String> {
        let (l, r) = (q.local.len(), q.remote.len());
        let n = if last || l.abs_diff(r) > MAX_SKEW {
            l.max(r)
        } else {
            l.min(r)
        };
        if n == 0 {
            return Ok(());
        }
        q.interleaved.clear();
        for _ in 0..n {
            let left = q.local.pop_front().unwrap_or(0.0);
            let right = q.remote.pop_front().unwrap_or(0.0);
            match self.channels {
                RecordChannels::Stereo => q.interleaved.extend([left, right]),
                RecordChannels::Mono => q.interleaved.push((left + right).clamp(-1.0, 1.0)),
            }
        }
        q.frames += n as u64;
        self.output.write(&q.interleaved)
    }
}

fn self_fail(state: &RecordState, events: Option<&MediaEventSink>, path: &Path, reason: String) {
    state.failed.store(true, Relaxed);
    let message = format!("recording {} stopped: {reason}", path.display());
    tracing::warn!("{message}");
    if let Some(events) = events {
        events.emit(MediaEvent::RecordingFailed { message });
    }
}
