//! Recorded audio outside a call: playing a message or greeting on the output device
//! ([`ClipPlayer`]), recording a greeting from the microphone ([`ClipRecorder`]), and writing a
//! message out as WAV or Ogg Opus ([`export`]).
//!
//! Messages and greetings are WAV files (any rate; Parla writes 16 kHz mono 16-bit).

mod export;
mod player;
mod recorder;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Seek};
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavReader};

use crate::device::OUTPUT_RATE;
use crate::error::MediaError;
use crate::resample::StreamResampler;
use crate::sample::frame_samples;

pub use export::{export, ExportError, OPUS_BITRATE};
pub use player::ClipPlayer;
pub use recorder::{ClipRecorder, RECORD_RATE};

/// Largest message or greeting file played or exported (bytes on disk): an hour at 16 kHz
/// mono 16-bit is about 115 MB.
pub const MAX_CLIP_BYTES: u64 = 200 * 1024 * 1024;

/// The length of a WAV file's audio (a truncated file counts what it holds).
pub fn wav_duration_ms(path: &Path) -> Result<u64, MediaError> {
    let clip = WavClip::open(path)?;
    Ok(clip.frames * 1000 / u64::from(clip.rate))
}

use crate::device::file::Format;

/// A WAV file read in blocks, down-mixed to mono at its own rate.
struct WavClip {
    path: PathBuf,
    reader: WavReader<BufReader<File>>,
    format: Format,
    channels: usize,
    rate: u32,
    /// Frames the file really holds (fewer than its header says when it was cut short).
    frames: u64,
    /// The next frame to read.
    pos: u64,
}

impl WavClip {
    fn open(path: &Path) -> Result<Self, MediaError> {
        let format_err = |reason: String| MediaError::WavFormat {
            path: path.to_owned(),
            reason,
        };
        let bytes = std::fs::metadata(path)
            .map_err(|e| format_err(format!("cannot read it: {e}")))?
            .len();
        if bytes > MAX_CLIP_BYTES {
            return Err(format_err(format!(
                "the file is {:.1} MB, more than the {} MB allowed",
                bytes as f64 / 1e6,
                MAX_CLIP_BYTES / (1024 * 1024)
            )));
        }
        let wav_err = |source| MediaError::Wav {
            path: path.to_owned(),
            source,
        };
        // Where the samples start, to count what a truncated file really holds.
        let file = File::open(path).map_err(|e| wav_err(hound::Error::IoError(e)))?;
        let mut probe = WavReader::new(BufReader::new(file))
            .map_err(wav_err)?
            .into_inner();
        let data_start = probe
            .stream_position()
            .map_err(|e| wav_err(hound::Error::IoError(e)))?;
        let reader = WavReader::open(path).map_err(wav_err)?;
        let spec = reader.spec();
        let format = match (spec.sample_format, spec.bits_per_sample) {
            (SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
                Format::Int(1.0 / (1u64 << (bits - 1)) as f32)
            }
            (SampleFormat::Float, 32) => Format::Float,
            _ => {
                return Err(format_err(
                    "only 8/16/24/32-bit integer or 32-bit float samples".into(),
                ))
            }
        };
        if spec.channels == 0 || !(1000..=384_000).contains(&spec.sample_rate) {
            return Err(format_err(
                "channel count or sample rate out of range".into(),
            ));
        }
        let frame_bytes = u64::from(spec.channels) * u64::from(spec.bits_per_sample / 8);
        let held = bytes.saturating_sub(data_start) / frame_bytes.max(1);
        Ok(Self {
            path: path.to_owned(),
            frames: u64::from(reader.duration()).min(held),
            reader,
            format,
            channels: usize::from(spec.channels),
            rate: spec.sample_rate,
            pos: 0,
        })
    }

    /// Appends up to `want` down-mixed frames to `out`; fewer at the end of the data or on a
    /// read error (which ends the clip there: a damaged file reads as a shorter one).
    fn read_block(&mut self, want: usize, out: &mut Vec<f32>) {
        let want = want.min(usize::try_from(self.frames - self.pos).unwrap_or(usize::MAX));
        let before = out.len();
        self.format
            .read_mono(&mut self.reader, self.channels, want, out);
        let got = out.len() - before;
        self.pos += got as u64;
        if got < want {
            tracing::debug!(path = %self.path.display(), frame = self.pos, "the clip ends early");
            self.frames = self.pos;
        }
    }

    fn seek(&mut self, frame: u64) -> Result<(), MediaError> {
        let frame = frame.min(self.frames);
        let to = u32::try_from(frame).unwrap_or(u32::MAX);
        self.reader.seek(to).map_err(|e| MediaError::WavFormat {
            path: self.path.clone(),
            reason: format!("cannot seek: {e}"),
        })?;
        self.pos = frame;
        Ok(())
    }

    fn ms_to_frame(&self, ms: u64) -> u64 {
        (ms.saturating_mul(u64::from(self.rate)) / 1000).min(self.frames)
    }

    fn duration_ms(&self) -> u64 {
        self.frames * 1000 / u64::from(self.rate)
    }
}

/// A [`WavClip`] as mono samples at [`OUTPUT_RATE`], exactly as many as the clip lasts: the
/// resampler's delay is dropped at the start and its tail flushed at the end.
struct Resampled {
    clip: WavClip,
    resampler: StreamResampler,
    /// Output samples of filter delay still to drop.
    skip: usize,
    fifo: VecDeque<f32>,
    block: Vec<f32>,
    /// The frame the output counts from (the last seek) and output samples given since.
    base_frame: u64,
    delivered: u64,
}

impl Resampled {
    fn open(path: &Path) -> Result<Self, MediaError> {
        let clip = WavClip::open(path)?;
        let chunk = frame_samples(clip.rate, 20).max(1);
        let resampler = StreamResampler::new(clip.rate, OUTPUT_RATE, chunk)?;
        let mut this = Self {
            skip: resampler.delay(),
            fifo: VecDeque::with_capacity(4 * resampler.output_max()),
            block: Vec::with_capacity(chunk),
            resampler,
            clip,
            base_frame: 0,
            delivered: 0,
        };
        this.seek_ms(0)?;
        Ok(this)
    }

    fn duration_ms(&self) -> u64 {
        self.clip.duration_ms()
    }

    /// Output samples from the last seek to the end of the clip.
    fn total(&self) -> u64 {
        (self.clip.frames - self.base_frame.min(self.clip.frames)) * u64::from(OUTPUT_RATE)
            / u64::from(self.clip.rate)
    }

    /// Where the output is, in ms of the clip.
    fn position_ms(&self) -> u64 {
        let base = self.base_frame * 1000 / u64::from(self.clip.rate);
        (base + self.delivered * 1000 / u64::from(OUTPUT_RATE)).min(self.duration_ms())
    }

    fn seek_ms(&mut self, ms: u64) -> Result<(), MediaError> {
        let frame = self.clip.ms_to_frame(ms);
        self.clip.seek(frame)?;
        let chunk = frame_samples(self.clip.rate, 20).max(1);
        self.resampler = StreamResampler::new(self.clip.rate, OUTPUT_RATE, chunk)?;
        self.skip = self.resampler.delay();
        self.fifo.clear();
        self.base_frame = frame;
        self.delivered = 0;
        Ok(())
    }

    fn at_end(&self) -> bool {
        self.delivered >= self.total()
    }

    /// Fills the start of `out`; returns how many samples it wrote (fewer at the end).
    fn read(&mut self, out: &mut [f32]) -> Result<usize, MediaError> {
        let chunk = frame_samples(self.clip.rate, 20).max(1);
        loop {
            let left = self.total().saturating_sub(self.delivered);
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(out.len());
            if self.fifo.len() >= want {
                for (o, s) in out.iter_mut().zip(self.fifo.drain(..want)) {
                    *o = s;
                }
                self.delivered += want as u64;
                return Ok(want);
            }
            self.block.clear();
            self.clip.read_block(chunk, &mut self.block);
            if self.block.is_empty() {
                // Past the end (or a read error cut it): flush the filter with silence.
                self.block.resize(chunk, 0.0);
            }
            let (skip, fifo) = (&mut self.skip, &mut self.fifo);
            self.resampler.process(&self.block, &mut |s| {
                let dropped = (*skip).min(s.len());
                *skip -= dropped;
                fifo.extend(&s[dropped..]);
            })?;
        }
    }
}
