//! Test tones and a check that a recording carries a tone.

use std::f64::consts::PI;
use std::path::Path;

use crate::error::{BenchError, Result};

/// Half-width of the band [`tone_band_ratio`] measures around the frequency.
pub const BAND_HZ: f64 = 50.0;

fn wav_err(path: &Path, e: hound::Error) -> BenchError {
    BenchError::Setup(format!("WAV {}: {e}", path.display()))
}

/// Writes a 16-bit PCM WAV with a sine of `freq_hz` at half scale on every channel.
pub fn make_tone_wav(
    path: &Path,
    freq_hz: f64,
    seconds: f64,
    rate: u32,
    channels: u16,
) -> Result<()> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(|e| wav_err(path, e))?;
    let frames = (seconds * f64::from(rate)).round() as u64;
    let step = 2.0 * PI * freq_hz / f64::from(rate);
    for n in 0..frames {
        // phase from n modulo one period keeps long files exact
        let sample = (0.5 * (step * n as f64).sin() * f64::from(i16::MAX)).round() as i16;
        for _ in 0..channels {
            w.write_sample(sample).map_err(|e| wav_err(path, e))?;
        }
    }
    w.finalize().map_err(|e| wav_err(path, e))
}

/// The share of a WAV file's energy that lies within ±50 Hz of `freq_hz` (0.0 to 1.0).
///
/// The signal (each channel) is cut into Hann-windowed frames of 0.1 s; for each frame the
/// energy of the DFT bins inside the band (positive and negative frequencies) is compared with
/// the frame's total energy (Parseval). A clean tone gives about 0.99; a silent file gives 0.
pub fn tone_band_ratio(path: &Path, freq_hz: f64) -> Result<f64> {
    let (samples, rate, channels) = read_channels(path)?;
    let frame = ((rate / 10) as usize).max(16);
    let window: Vec<f64> = (0..frame)
        .map(|n| 0.5 - 0.5 * (2.0 * PI * n as f64 / frame as f64).cos())
        .collect();
    let bin_hz = f64::from(rate) / frame as f64;
    let nyquist_bin = frame / 2;
    let lo = ((freq_hz - BAND_HZ) / bin_hz).ceil().max(1.0) as usize;
    let hi = (((freq_hz + BAND_HZ) / bin_hz).floor() as usize).min(nyquist_bin);

    let (mut band, mut total) = (0.0, 0.0);
    let mut buf = vec![0.0; frame];
    for ch in 0..channels {
        let signal: Vec<f64> = samples.iter().skip(ch).step_by(channels).copied().collect();
        for chunk in signal.chunks_exact(frame) {
            for ((b, x), w) in buf.iter_mut().zip(chunk).zip(&window) {
                *b = x * w;
            }
            total += buf.iter().map(|x| x * x).sum::<f64>() * frame as f64;
            for k in lo..=hi {
                let p = bin_power(&buf, k);
                // bins 1..N/2-1 have a mirror at N-k; Nyquist does not
                band += if k == nyquist_bin { p } else { 2.0 * p };
            }
        }
    }
    if total <= f64::EPSILON {
        return Ok(0.0);
    }
    Ok((band / total).min(1.0))
}

/// |X_k|^2 of the N-point DFT, by Goertzel.
fn bin_power(x: &[f64], k: usize) -> f64 {
    let w = 2.0 * PI * k as f64 / x.len() as f64;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        let s0 = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// The level of the loudest 100 ms of a WAV file (RMS, 0 to 1, all channels together): whether
/// anything was heard at all, wherever in the recording it was.
pub fn loudest_rms(path: &Path) -> Result<f64> {
    let (samples, rate, channels) = read_channels(path)?;
    let frame = ((rate as usize / 10) * channels).max(1);
    Ok(samples
        .chunks(frame)
        .map(|c| (c.iter().map(|s| s * s).sum::<f64>() / c.len() as f64).sqrt())
        .fold(0.0, f64::max))
}

/// Interleaved samples scaled to -1..1, the sample rate and the channel count.
fn read_channels(path: &Path) -> Result<(Vec<f64>, u32, usize)> {
    let mut reader = hound::WavReader::open(path).map_err(|e| wav_err(path, e))?;
    let spec = reader.spec();
    let samples: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| s.map(f64::from))
            .collect::<std::result::Result<_, _>>(),
        hound::SampleFormat::Int => {
            let scale = f64::from(1u32 << (spec.bits_per_sample.clamp(1, 32) - 1));
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| f64::from(v) / scale))
                .collect::<std::result::Result<_, _>>()
        }
    }
    .map_err(|e| wav_err(path, e))?;
    Ok((samples, spec.sample_rate, usize::from(spec.channels.max(1))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pure_tone_is_in_its_band_and_not_in_another() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::io("tempdir", e))?;
        let path = dir.path().join("t.wav");
        make_tone_wav(&path, 1000.0, 1.0, 8000, 1)?;
        assert!(tone_band_ratio(&path, 1000.0)? > 0.99);
        assert!(tone_band_ratio(&path, 440.0)? < 0.01);
        let level = loudest_rms(&path)?;
        assert!(level > 0.1 && level < 1.0, "{level}");

        let stereo = dir.path().join("s.wav");
        make_tone_wav(&stereo, 440.0, 0.5, 48_000, 2)?;
        let spec = hound::WavReader::open(&stereo)
            .map_err(|e| wav_err(&stereo, e))?
            .spec();
        assert_eq!((spec.sample_rate, spec.channels), (48_000, 2));
        assert!(tone_band_ratio(&stereo, 440.0)? > 0.99);
        Ok(())
    }

    #[test]
    fn two_tones_split_the_energy() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::io("tempdir", e))?;
        let path = dir.path().join("two.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).map_err(|e| wav_err(&path, e))?;
        for n in 0..16_000 {
            let t = f64::from(n) / 16_000.0;
            let v = 0.3 * (2.0 * PI * 500.0 * t).sin() + 0.3 * (2.0 * PI * 2000.0 * t).sin();
            w.write_sample((v * 32767.0) as i16)
                .map_err(|e| wav_err(&path, e))?;
        }
        w.finalize().map_err(|e| wav_err(&path, e))?;
        let r = tone_band_ratio(&path, 500.0)?;
        assert!((0.45..0.55).contains(&r), "ratio {r}");
        Ok(())
    }
}
