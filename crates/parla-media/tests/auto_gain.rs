//! Automatic gain control through `CaptureProcessor` on espeak-ng speech: a quiet talker and a
//! loud one end up near one level, a loud one is not pushed into clipping, and noise with no
//! one speaking is not turned up. (processing/gain.rs: AGC2's parts around earshot's detector.)
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "common/echo_harness.rs"]
mod echo_harness;
#[path = "common/noise_scene.rs"]
mod noise_scene;

use noise_scene::{db, pink, power, SPEECH};
use parla_media::processing::{CaptureProcessor, ProcessingConfig};

const GAIN_ONLY: ProcessingConfig = ProcessingConfig {
    auto_gain: true,
    high_pass: true,
    ..ProcessingConfig::OFF
};

fn process(rate: u32, input: &[f32]) -> Vec<f32> {
    let mut out = input.to_vec();
    let mut p = CaptureProcessor::new(GAIN_ONLY, rate).unwrap();
    for tick in out.chunks_exact_mut(rate as usize / 50) {
        p.capture(tick);
    }
    out
}

/// The speech's level over the 50 ms frames of the last `seconds` where the input speaks.
fn speech_level_db(rate: u32, input: &[f32], out: &[f32], seconds: usize) -> f64 {
    let from = input.len() - seconds * rate as usize;
    let frame = rate as usize / 20;
    let active = power(input) * 1e-2;
    let frames: Vec<f64> = input[from..]
        .chunks_exact(frame)
        .zip(out[from..].chunks_exact(frame))
        .filter(|(i, _)| power(i) > active)
        .map(|(_, o)| power(o))
        .collect();
    db(frames.iter().sum::<f64>() / frames.len() as f64)
}

/// The sentence twice over (about 20 s), scaled to `rms`.
fn talker(rate: u32, rms: f64) -> Vec<f32> {
    let once = echo_harness::speech("en-us+f3", SPEECH, rate, rms);
    [once.clone(), once].concat()
}

#[test]
fn a_quiet_and_a_loud_talker_end_up_near_one_level() {
    for rate in [8_000, 16_000, 32_000, 48_000] {
        let quiet = talker(rate, 0.004);
        let loud = talker(rate, 0.05);
        let (quiet_out, loud_out) = (process(rate, &quiet), process(rate, &loud));
        let quiet_in_db = speech_level_db(rate, &quiet, &quiet, 5);
        let loud_in_db = speech_level_db(rate, &loud, &loud, 5);
        let quiet_out_db = speech_level_db(rate, &quiet, &quiet_out, 5);
        let loud_out_db = speech_level_db(rate, &loud, &loud_out, 5);
        assert!(
            quiet_out_db - quiet_in_db >= 15.0,
            "{rate} Hz: the quiet talker went from {quiet_in_db:.1} to {quiet_out_db:.1} dB"
        );
        assert!(
            (quiet_out_db - loud_out_db).abs() <= 3.0,
            "{rate} Hz: {:.0} dB apart in, still {quiet_out_db:.1} and {loud_out_db:.1} dB out",
            loud_in_db - quiet_in_db
        );
        // The limiter may touch full scale on a plosive now and then, never for long.
        let full_scale = loud_out.iter().filter(|s| s.abs() >= 0.999).count();
        assert!(
            full_scale <= loud_out.len() / 10_000,
            "{rate} Hz: {full_scale} samples of the louder talker at full scale"
        );
    }
}

#[test]
fn noise_with_no_one_speaking_is_not_turned_up() {
    let rate = 48_000;
    let noise: Vec<f32> = pink(rate as usize * 15)
        .iter()
        .map(|s| s * 0.0003)
        .collect();
    let out = process(rate, &noise);
    let tail = noise.len() - rate as usize * 5;
    let change = db(power(&out[tail..]) / power(&noise[tail..]));
    // The stage starts at +6 dB and climbs only while someone speaks. At -70 dBFS the noise
    // cap (-50 dBFS out) would allow 20 dB: only the voice detector holds it back.
    assert!(change <= 6.5, "noise alone was turned up {change:.1} dB");
}
