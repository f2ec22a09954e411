//! WAV files as endpoints. Input: any rate and channel count, down-mixed to mono, resampled to
//! the codec rate and looped. Output: 48 kHz mono 16-bit, finalised at session stop.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};

use super::{AudioSink, AudioSource, OUTPUT_RATE};
use crate::error::MediaError;
use crate::resample::StreamResampler;
use crate::sample::{f32_to_i16, finite_or_silence, frame_samples};

/// Reads a WAV file in 20 ms blocks and serves frames at the requested rate, looping forever.
pub struct FileSource {
    path: PathBuf,
    reader: WavReader<BufReader<File>>,
    format: Format,
    channels: usize,
    block_frames: usize,
    block: Vec<f32>,
    resampler: StreamResampler,
    fifo: VecDeque<f32>,
    failed: bool,
}

/// How a WAV file's samples are stored.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Format {
    /// Integer samples and the factor that maps them to [-1.0, 1.0).
    Int(f32),
    Float,
}

impl Format {
    /// Appends up to `frames` down-mixed frames of `reader` to `out`; fewer at the end of the
    /// data or on a read error.
    pub(crate) fn read_mono(
        self,
        reader: &mut WavReader<BufReader<File>>,
        channels: usize,
        frames: usize,
        out: &mut Vec<f32>,
    ) {
        match self {
            Format::Int(scale) => {
                let samples = reader.samples::<i32>().map(|r| r.map(|s| s as f32 * scale));
                downmix(samples, channels, frames, out);
            }
            Format::Float => downmix(reader.samples::<f32>(), channels, frames, out),
        }
    }
}

impl FileSource {
    pub fn open(path: &Path, rate: u32, frame: usize) -> Result<Self, MediaError> {
        let wav_err = |source| MediaError::Wav {
            path: path.to_owned(),
            source,
        };
        let format_err = |reason: &str| MediaError::WavFormat {
            path: path.to_owned(),
            reason: reason.into(),
        };
        let reader = WavReader::open(path).map_err(wav_err)?;
        let spec = reader.spec();
        let format = match (spec.sample_format, spec.bits_per_sample) {
            (SampleFormat::Int, bits @ 1..=32) => Format::Int(1.0 / (1u64 << (bits - 1)) as f32),
            (SampleFormat::Float, 32) => Format::Float,
            _ => {
                return Err(format_err(
                    "only 8/16/24/32-bit integer or 32-bit float samples",
                ))
            }
        };
        if spec.channels == 0 || !(1000..=384_000).contains(&spec.sample_rate) {
            return Err(format_err("channel count or sample rate out of range"));
        }
        if reader.duration() == 0 {
            return Err(format_err("the file holds no audio"));
        }
        let block_frames = frame_samples(spec.sample_rate, 20).max(1);
        let resampler = StreamResampler::new(spec.sample_rate, rate, block_frames)?;
        let fifo = VecDeque::with_capacity(frame + resampler.output_max());
        Ok(Self {
            path: path.to_owned(),
            reader,
            format,
            channels: usize::from(spec.channels),
            block_frames,
            block: Vec::with_capacity(block_frames),
            resampler,
            fifo,
            failed: false,
        })
    }

    /// Reads the next block, down-mixed. Stops early at the end of the data or on a read error
    /// (a truncated file reads as a shorter one).
    fn read_block(&mut self) {
        self.block.clear();
        self.format.read_mono(
            &mut self.reader,
            self.channels,
            self.block_frames,
            &mut self.block,
        );
    }

    fn refill(&mut self, needed: usize) -> Result<(), MediaError> {
        let mut rewound = false;
        while self.fifo.len() < needed {
            self.read_block();
            if self.block.is_empty() {
                if rewound {
                    return Err(self.fail("no samples after rewinding"));
                }
                if let Err(e) = self.reader.seek(0) {
                    return Err(self.fail(&format!("cannot rewind: {e}")));
                }
                rewound = true;
                continue;
            }
            rewound = false;
            let fifo = &mut self.fifo;
            self.resampler
                .process(&self.block, &mut |s| fifo.extend(s))?;
        }
        Ok(())
    }

    fn fail(&mut self, reason: &str) -> MediaError {
        self.failed = true;
        MediaError::WavFormat {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }
}

fn downmix(
    mut samples: impl Iterator<Item = hound::Result<f32>>,
    channels: usize,
    frames: usize,
    out: &mut Vec<f32>,
) {
    let gain = 1.0 / channels as f32;
    let target = out.len() + frames;
    while out.len() < target {
        let mut sum = 0.0;
        for _ in 0..channels {
            match samples.next() {
                Some(Ok(s)) => sum += s,
                _ => return,
            }
        }
        out.push(finite_or_silence(sum * gain));
    }
}

impl AudioSource for FileSource {
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        if self.failed {
            out.fill(0.0);
            return Ok(());
        }
        let result = self.refill(out.len());
        for o in out.iter_mut() {
            *o = self.fifo.pop_front().unwrap_or(0.0);
        }
        result
    }
}

/// Writes what the far end said as a 48 kHz mono 16-bit WAV.
pub struct FileSink {
    path: PathBuf,
    writer: Option<WavWriter<BufWriter<File>>>,
}

/// Creates (or replaces) `path` as a mono 16-bit WAV at `rate`.
pub(crate) fn create_mono_wav(
    path: &Path,
    rate: u32,
) -> Result<WavWriter<BufWriter<File>>, MediaError> {
    let spec = WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: SampleFormat::Int,
    };
    WavWriter::create(path, spec).map_err(|source| MediaError::Wav {
        path: path.to_owned(),
        source,
    })
}

impl FileSink {
    pub fn create(path: &Path) -> Result<Self, MediaError> {
        let writer = create_mono_wav(path, OUTPUT_RATE)?;
        Ok(Self {
            path: path.to_owned(),
            writer: Some(writer),
        })
    }
}

impl AudioSink for FileSink {
    fn write(&mut self, samples: &[f32]) -> Result<(), MediaError> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        for &s in samples {
            if let Err(source) = writer.write_sample(f32_to_i16(s)) {
                // Stop writing; dropping the writer still tries to fix up the header.
                self.writer = None;
                return Err(MediaError::Wav {
                    path: self.path.clone(),
                    source,
                });
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), MediaError> {
        match self.writer.take() {
            Some(w) => w.finalize().map_err(|source| MediaError::Wav {
                path: self.path.clone(),
                source,
            }),
            None => Ok(()),
        }
    }
}
