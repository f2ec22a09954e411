#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use common::{band_energy_ratio, tone};
use parla_media::resample::StreamResampler;

fn resample(input: &[f32], from: u32, to: u32, chunk: usize) -> Vec<f32> {
    let mut r = StreamResampler::new(from, to, chunk).expect("resampler");
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        r.process(piece, &mut |s| out.extend_from_slice(s))
            .expect("process");
    }
    let delay = r.delay();
    out.split_off(delay.min(out.len()))
}

#[test]
fn upsampling_8k_to_48k_keeps_the_tone() {
    let out = resample(&tone(1000.0, 8000, 1.0, 0.5), 8000, 48_000, 160);
    assert!(out.len() > 46_000, "{} samples", out.len());
    let ratio = band_energy_ratio(&out, 48_000, 1000.0, 50.0);
    assert!(ratio > 0.98, "1 kHz holds {ratio:.4}");
    // No image at 8k - 1k = 7 kHz.
    assert!(band_energy_ratio(&out, 48_000, 7000.0, 50.0) < 0.001);
}

#[test]
fn downsampling_48k_to_8k_keeps_the_tone() {
    let out = resample(&tone(600.0, 48_000, 1.0, 0.5), 48_000, 8000, 960);
    assert!(out.len() > 7_500, "{} samples", out.len());
    let ratio = band_energy_ratio(&out, 8000, 600.0, 50.0);
    assert!(ratio > 0.98, "600 Hz holds {ratio:.4}");
}

#[test]
fn downsampling_filters_out_what_8k_cannot_carry() {
    // 5 kHz is above the 4 kHz Nyquist limit of 8 kHz: it must not alias to 3 kHz.
    let out = resample(&tone(5000.0, 48_000, 1.0, 0.5), 48_000, 8000, 960);
    let level = common::rms(&out);
    assert!(level < 0.01, "aliased energy {level:.4}");
}

#[test]
fn band_measure_sees_half_of_a_two_tone_mix() {
    let a = tone(1000.0, 8000, 1.0, 0.5);
    let b = tone(3000.0, 8000, 1.0, 0.5);
    let mix: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    let ratio = band_energy_ratio(&mix, 8000, 1000.0, 50.0);
    assert!((ratio - 0.5).abs() < 0.01, "{ratio}");
    assert!(band_energy_ratio(&a, 8000, 1000.0, 50.0) > 0.999);
}
