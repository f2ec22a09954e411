//! Noise suppression through `CaptureProcessor` on espeak-ng speech in pink noise and in
//! babble (`common/noise_scene.rs`), at 16 kHz: the noise goes down, the speech stays. The
//! full table (both rates, both SNRs, with gain control) is `cargo bench --bench noise`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "common/echo_harness.rs"]
mod echo_harness;
#[path = "common/noise_scene.rs"]
mod noise_scene;

use noise_scene::{babble, clean_speech, measure, pink};
use parla_media::processing::ProcessingConfig;

const RATE: u32 = 16_000;

const NS_ONLY: ProcessingConfig = ProcessingConfig {
    noise_suppression: true,
    ..ProcessingConfig::OFF
};

/// The app's default chain without echo cancellation (there is no far end here).
fn hpf_ns_agc() -> ProcessingConfig {
    ProcessingConfig {
        echo_cancellation: false,
        ..ProcessingConfig::default()
    }
}

#[test]
fn steady_noise_is_suppressed_and_speech_keeps_its_level() {
    let clean = clean_speech(RATE);
    let noise = pink(clean.len());
    for config in [NS_ONLY, hpf_ns_agc()] {
        let f = measure(RATE, &clean, &noise, 5.0, config);
        assert!(
            f.snr_gain_db >= 8.0,
            "{config:?}: pink noise at 5 dB SNR gained only {:.1} dB",
            f.snr_gain_db
        );
        assert!(
            f.speech_change_db.abs() <= 3.0,
            "{config:?}: the speech level changed {:.1} dB",
            f.speech_change_db
        );
    }
}

#[test]
fn babble_is_reduced_without_losing_the_speech() {
    let clean = clean_speech(RATE);
    let noise = babble(clean.len(), RATE);
    let f = measure(RATE, &clean, &noise, 15.0, NS_ONLY);
    assert!(
        f.snr_gain_db >= 2.0,
        "babble at 15 dB SNR gained only {:.1} dB",
        f.snr_gain_db
    );
    assert!(
        f.speech_change_db.abs() <= 3.0,
        "the speech level changed {:.1} dB",
        f.speech_change_db
    );
}

#[test]
fn with_suppression_off_the_noise_stays() {
    let clean = clean_speech(RATE);
    let noise = pink(clean.len());
    let f = measure(RATE, &clean, &noise, 5.0, ProcessingConfig::OFF);
    assert!(
        f.snr_gain_db.abs() < 1.0 && f.noise_change_db.abs() < 1.0,
        "nothing should change: SNR {:.1} dB, noise {:.1} dB",
        f.snr_gain_db,
        f.noise_change_db
    );
}
