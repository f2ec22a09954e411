//! Helpers shared by the integration tests: tones, WAV files and a band-energy measure.
#![allow(dead_code)]

use std::f64::consts::PI;
use std::path::Path;
use std::time::{Duration, Instant};

/// `seconds` of a sine at `freq` Hz, amplitude `amp`, mono.
pub fn tone(freq: f64, rate: u32, seconds: f64, amp: f64) -> Vec<f32> {
    let n = (f64::from(rate) * seconds).round() as usize;
    (0..n)
        .map(|i| (amp * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()) as f32)
        .collect()
}

/// Writes `mono` as a 16-bit WAV with `channels` identical channels.
pub fn write_wav(path: &Path, rate: u32, channels: u16, mono: &[f32]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    for &s in mono {
        for _ in 0..channels {
            w.write_sample((s * 32767.0).round() as i16)
                .expect("write sample");
        }
    }
    w.finalize().expect("finalize wav");
}

/// Reads a mono 16-bit WAV as f32, with its rate.
pub fn read_wav(path: &Path) -> (u32, Vec<f32>) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    assert_eq!(spec.channels, 1, "mono output expected");
    let samples = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    (spec.sample_rate, samples)
}

/// |X(k)|² of one DFT bin (Goertzel), `k` may be fractional.
fn bin_power(x: &[f32], k: f64) -> f64 {
    let w = 2.0 * PI * k / x.len() as f64;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s0 = f64::from(v) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// Share of the signal's energy within `freq` ± `half_width` Hz (Parseval over the DFT bins
/// in the band, counting the mirrored negative frequencies).
pub fn band_energy_ratio(x: &[f32], rate: u32, freq: f64, half_width: f64) -> f64 {
    let n = x.len() as f64;
    let total: f64 = x.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
    if total == 0.0 {
        return 0.0;
    }
    let hz_per_bin = f64::from(rate) / n;
    let lo = ((freq - half_width) / hz_per_bin).ceil().max(1.0) as usize;
    let hi = ((freq + half_width) / hz_per_bin).floor() as usize;
    let band: f64 = (lo..=hi).map(|k| bin_power(x, k as f64)).sum();
    2.0 * band / n / total
}

/// Root mean square.
pub fn rms(x: &[f32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Polls `cond` every 10 ms until it holds or `timeout` passes; returns whether it held.
pub fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// True if this process may make a thread real-time itself (root with `CAP_SYS_NICE`, or an
/// `RLIMIT_RTPRIO`, and a cgroup that leaves real-time time): tried on a throwaway thread.
pub fn may_take_realtime() -> bool {
    std::thread::spawn(|| {
        audio_thread_priority::promote_current_thread_to_real_time(960, 48_000).is_ok()
    })
    .join()
    .unwrap_or(false)
}
