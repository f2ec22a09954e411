#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::f32::consts::PI;

use super::chain::MAX_RENDER_BACKLOG;
use super::*;

fn tone(freq: f32, rate: u32, samples: usize, amp: f32) -> Vec<f32> {
    (0..samples)
        .map(|i| amp * (2.0 * PI * freq * i as f32 / rate as f32).sin())
        .collect()
}

fn rms_db(x: &[f32]) -> f32 {
    let power = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    10.0 * power.max(1e-20).log10()
}

/// Runs `input` through `p` in 20 ms ticks with `far` as the speaker audio.
fn process(p: &mut CaptureProcessor, far: &[f32], input: &[f32]) -> Vec<f32> {
    let tick = (p.rate() / 50) as usize;
    let mut out = input.to_vec();
    for (i, frame) in out.chunks_exact_mut(tick).enumerate() {
        p.render(far.get(i * tick..(i + 1) * tick).unwrap_or(&[]));
        p.capture(frame);
    }
    out
}

#[test]
fn off_passes_audio_untouched() {
    let mut p = CaptureProcessor::new(ProcessingConfig::OFF, 16000).unwrap();
    let input = tone(440.0, 16000, 3200, 0.3);
    let out = process(&mut p, &input, &input);
    assert_eq!(out, input);
    assert_eq!(p.stats(), ProcessingStats::default());
}

#[test]
fn unsupported_rate_is_an_error() {
    assert!(CaptureProcessor::new(ProcessingConfig::default(), 44100).is_err());
    for rate in [8000, 16000, 32000, 48000] {
        assert!(CaptureProcessor::new(ProcessingConfig::default(), rate).is_ok());
    }
}

#[test]
fn high_pass_removes_hum_and_keeps_speech_band() {
    let config = ProcessingConfig {
        high_pass: true,
        ..ProcessingConfig::OFF
    };
    let rate = 16000;
    let n = rate as usize * 2;
    let silence = vec![0.0; n];
    for (freq, min_loss, max_loss) in [(30.0, 10.0, 100.0), (1000.0, -0.5, 0.5)] {
        let mut p = CaptureProcessor::new(config, rate).unwrap();
        let input = tone(freq, rate, n, 0.3);
        let out = process(&mut p, &silence, &input);
        let loss = rms_db(&input[n / 2..]) - rms_db(&out[n / 2..]);
        assert!(
            (min_loss..=max_loss).contains(&loss),
            "{freq} Hz lost {loss:.1} dB"
        );
    }
}

#[test]
fn auto_gain_does_not_pump_a_steady_tone() {
    let config = ProcessingConfig {
        auto_gain: true,
        ..ProcessingConfig::OFF
    };
    let rate = 16000;
    let n = rate as usize * 6;
    let mut p = CaptureProcessor::new(config, rate).unwrap();
    let input = tone(1000.0, rate, n, 0.1);
    let out = process(&mut p, &vec![0.0; n], &input);
    let levels: Vec<f32> = out[rate as usize..]
        .chunks_exact(rate as usize / 10)
        .map(rms_db)
        .collect();
    let (lo, hi) = levels
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &l| (lo.min(l), hi.max(l)));
    assert!(hi - lo < 3.0, "level moved {lo:.1}..{hi:.1} dB");
    assert!((rms_db(&out[rate as usize..]) - rms_db(&input)).abs() < 12.0);
}

#[test]
fn a_stalled_capture_caps_the_render_backlog() {
    let mut p = CaptureProcessor::new(ProcessingConfig::default(), 16000).unwrap();
    let far = tone(300.0, 16000, 16000, 0.2);
    p.render(&far);
    let chain = p.chain.as_ref().unwrap();
    assert_eq!(chain.render_backlog(), MAX_RENDER_BACKLOG);
    let mut frame = tone(300.0, 16000, 320, 0.2);
    p.capture(&mut frame);
    assert_eq!(p.chain.as_ref().unwrap().render_backlog(), 0);
    assert!(frame.iter().all(|s| s.is_finite()));
}

/// Runs 190 ticks of bursty speaker audio and a capture frame under `assert_no_alloc`,
/// after 10 to set the module up; returns the allocations counted in render and in capture.
#[cfg(debug_assertions)]
fn allocations(config: ProcessingConfig, rate: u32) -> (u32, u32) {
    let mut p = CaptureProcessor::new(config, rate).unwrap();
    let tick = (rate / 50) as usize;
    let far = tone(300.0, rate, tick * 200, 0.2);
    let mic: Vec<f32> = far.iter().map(|s| 0.3 * s).collect();
    let mut frame = vec![0.0; tick];
    let (mut in_render, mut in_capture) = (0, 0);
    for i in 0..200 {
        let played = &far[i * tick..(i + 1) * tick];
        frame.copy_from_slice(&mic[i * tick..(i + 1) * tick]);
        if i < 10 {
            p.render(played);
            p.capture(&mut frame);
            continue;
        }
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| {
            // Odd pieces, as the resampler hands them over.
            p.render(&played[..tick / 3]);
            p.render(&played[tick / 3..]);
        });
        let between = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| {
            p.capture(&mut frame);
            p.stats()
        });
        in_render += between - before;
        in_capture += assert_no_alloc::violation_count() - between;
    }
    (in_render, in_capture)
}

// Debug only: `assert_no_alloc` counts violations only there.
#[cfg(debug_assertions)]
#[test]
fn render_never_allocates() {
    for rate in [8000, 16000, 48000] {
        let (in_render, _) = allocations(ProcessingConfig::default(), rate);
        assert_eq!(in_render, 0, "render allocated at {rate} Hz");
    }
}

// sonora 0.2 allocates in AEC3's echo remover (about 36 small buffers a frame) and in the
// 48 kHz band split (4), the gain stage in its limiter (below): the others are held to none.
#[cfg(debug_assertions)]
#[test]
fn capture_with_noise_suppression_and_high_pass_does_not_allocate() {
    let config = ProcessingConfig {
        noise_suppression: true,
        high_pass: true,
        ..ProcessingConfig::OFF
    };
    for rate in [8000, 16000] {
        assert_eq!(allocations(config, rate), (0, 0), "allocated at {rate} Hz");
    }
    assert_eq!(allocations(ProcessingConfig::OFF, 48000), (0, 0));
}

/// Bursts of 300-3000 Hz sweeps, 200 ms on and 100 ms off: speech-like enough that noise
/// suppression and gain control let it through, with one sharp correlation peak per burst.
fn sweep_bursts(rate: u32, samples: usize) -> Vec<f32> {
    let burst = rate as usize / 5;
    let cycle = burst + rate as usize / 10;
    (0..samples)
        .map(|n| {
            let i = n % cycle;
            if i >= burst {
                return 0.0;
            }
            let t = i as f32 / rate as f32;
            let (f0, f1, d) = (300.0, 3000.0, 0.2);
            0.3 * (2.0 * PI * (f0 * t + (f1 - f0) * t * t / (2.0 * d))).sin()
        })
        .collect()
}

/// Lag in samples (0..max) at which `out` best matches `input`, over the second half.
fn lag(input: &[f32], out: &[f32], max: usize) -> usize {
    let from = input.len() / 2;
    let to = input.len() - max;
    (0..max)
        .map(|lag| {
            let c: f32 = (from..to).map(|i| input[i] * out[i + lag]).sum();
            (lag, c)
        })
        .fold((0, f32::MIN), |best, x| if x.1 > best.1 { x } else { best })
        .0
}

/// How much each stage delays the microphone at 48 kHz (no echo: the speaker is silent): a
/// floor under the call's delay that no buffering change removes. Measured 1.0 ms (high-pass),
/// 9.0 (echo cancellation), 6.9 (noise suppression), 0 (gain), 15.0 (all); the bounds keep
/// them from growing unnoticed.
#[test]
fn each_stage_delays_the_microphone_by_a_few_ms() {
    let rate = 48_000;
    let input = sweep_bursts(rate, rate as usize * 3);
    let silence = vec![0.0; input.len()];
    let off = ProcessingConfig::OFF;
    let stages = [
        (
            "high-pass",
            2.0,
            ProcessingConfig {
                high_pass: true,
                ..off
            },
        ),
        (
            "echo cancellation",
            10.0,
            ProcessingConfig {
                echo_cancellation: true,
                ..off
            },
        ),
        (
            "noise suppression",
            8.0,
            ProcessingConfig {
                noise_suppression: true,
                ..off
            },
        ),
        (
            "auto gain",
            1.0,
            ProcessingConfig {
                auto_gain: true,
                ..off
            },
        ),
        ("all", 16.0, ProcessingConfig::default()),
    ];
    for (name, most, config) in stages {
        let mut p = CaptureProcessor::new(config, rate).unwrap();
        let out = process(&mut p, &silence, &input);
        let ms = lag(&input, &out, rate as usize / 20) as f32 * 1000.0 / rate as f32;
        assert!(ms <= most, "{name} delays the microphone by {ms} ms");
    }
}

// sonora-agc2's limiter collects its channels into a Vec each frame (one allocation and its
// free); the rest of the gain stage, the voice detector included, allocates nothing.
#[cfg(debug_assertions)]
#[test]
fn auto_gain_allocates_only_in_the_limiter() {
    for rate in [8000, 16000, 48000] {
        let frame = rate as usize / 100;
        let mut gain = super::gain::AutoGain::new(rate, frame);
        let speech_like = sweep_bursts(rate, frame * 200);
        let mut violations = 0;
        for (i, chunk) in speech_like.chunks_exact(frame).enumerate() {
            let mut f = chunk.to_vec();
            let before = assert_no_alloc::violation_count();
            assert_no_alloc::assert_no_alloc(|| gain.process(&mut f));
            if i >= 10 {
                violations += assert_no_alloc::violation_count() - before;
            }
        }
        assert!(
            violations <= 2 * 190,
            "{violations} allocator calls at {rate} Hz"
        );
    }
}

#[test]
fn a_nan_from_the_device_does_not_poison_the_gain() {
    let rate = 16000;
    let frame = rate as usize / 100;
    let run = |bad: bool| {
        let mut gain = super::gain::AutoGain::new(rate, frame);
        let mut speech_like = sweep_bursts(rate, rate as usize * 4);
        if bad {
            speech_like[rate as usize + 7] = f32::NAN;
            speech_like[rate as usize + 9] = f32::INFINITY;
        }
        for chunk in speech_like.chunks_exact_mut(frame) {
            gain.process(chunk);
        }
        assert!(speech_like.iter().all(|s| s.is_finite()));
        rms_db(&speech_like[rate as usize * 3..])
    };
    let (clean, after_nan) = (run(false), run(true));
    assert!(
        (clean - after_nan).abs() < 1.0,
        "last second at {after_nan:.1} dB after a NaN, {clean:.1} without"
    );
}
