//! Noise suppression (and gain control) of `CaptureProcessor` on espeak-ng speech in pink
//! noise and in babble (four other espeak voices mixed), at 5 and 15 dB SNR: the SNR gained
//! and how much the speech level changed. Noise-only seconds at the end give the output's
//! noise level; 50 ms frames where the clean speech is within 30 dB of its mean give the
//! speech (minus that noise). Run: `cargo bench -p parla-media --bench noise`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark"
)]

#[path = "../tests/common/echo_harness.rs"]
mod echo_harness;
#[path = "../tests/common/noise_scene.rs"]
mod noise_scene;

use noise_scene::{babble, clean_speech, measure, pink};
use parla_media::processing::ProcessingConfig;

fn main() {
    let chains = [
        (
            "NS",
            ProcessingConfig {
                noise_suppression: true,
                ..ProcessingConfig::OFF
            },
        ),
        (
            "HPF+NS+AGC",
            ProcessingConfig {
                echo_cancellation: false,
                ..ProcessingConfig::default()
            },
        ),
    ];
    println!(
        "{:<6} {:<7} {:>7} {:<11} {:>12} {:>15} {:>15}",
        "rate", "noise", "SNR dB", "chain", "SNR gain dB", "speech chg dB", "noise chg dB"
    );
    for rate in [16000, 48000] {
        let clean = clean_speech(rate);
        let noises = [
            ("pink", pink(clean.len())),
            ("babble", babble(clean.len(), rate)),
        ];
        for (noise_name, noise) in &noises {
            for snr in [5.0, 15.0] {
                for (chain, config) in chains {
                    let f = measure(rate, &clean, noise, snr, config);
                    println!(
                        "{:<6} {:<7} {:>7.0} {:<11} {:>12.1} {:>15.1} {:>15.1}",
                        rate,
                        noise_name,
                        snr,
                        chain,
                        f.snr_gain_db,
                        f.speech_change_db,
                        f.noise_change_db
                    );
                }
            }
        }
    }
}
