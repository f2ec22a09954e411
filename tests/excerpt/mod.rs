//! Parts of WAV files for tone checks: one channel, a span of seconds, as a mono WAV that
//! `tone_band_ratio` reads.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed step is a failed test; not every test uses every helper"
)]

use std::path::{Path, PathBuf};

/// Channel `channel` (all channels mixed when `None`) of `path` from `from` to `to` seconds
/// (`None`: the end), written beside it as a mono WAV.
pub fn excerpt(path: &Path, channel: Option<usize>, from: f64, to: Option<f64>) -> PathBuf {
    let mut reader = hound::WavReader::open(path).expect("a WAV file");
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<i32> = match spec.sample_format {
        hound::SampleFormat::Int => reader.samples::<i32>().map(|s| s.unwrap_or(0)).collect(),
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| (s.unwrap_or(0.0) * 32767.0) as i32)
            .collect(),
    };
    let shift = if spec.sample_format == hound::SampleFormat::Int {
        spec.bits_per_sample.saturating_sub(16)
    } else {
        0
    };
    let rate = spec.sample_rate as f64;
    let frames = samples.len() / channels;
    let first = ((from * rate) as usize).min(frames);
    let last = to.map_or(frames, |t| ((t * rate) as usize).min(frames));
    let out = path.with_extension(format!(
        "ch{}-{from}-{}.wav",
        channel.map_or("all".to_string(), |c| c.to_string()),
        to.map_or("end".to_string(), |t| t.to_string())
    ));
    let mono = hound::WavSpec {
        channels: 1,
        sample_rate: spec.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&out, mono).expect("excerpt");
    for frame in samples.chunks_exact(channels).take(last).skip(first) {
        let value = match channel {
            Some(c) => frame[c.min(channels - 1)] >> shift,
            None => frame.iter().map(|s| s >> shift).sum::<i32>() / channels as i32,
        };
        writer
            .write_sample(value.clamp(-32768, 32767) as i16)
            .expect("write");
    }
    writer.finalize().expect("finalize");
    out
}

/// Seconds of audio in a WAV file.
pub fn seconds(path: &Path) -> f64 {
    let reader = hound::WavReader::open(path).expect("a WAV file");
    let spec = reader.spec();
    f64::from(reader.duration()) / f64::from(spec.sample_rate)
}
