//! Smoke of `cargo bench -p parla-media --bench opus_complexity`: one sentence coded at the
//! default complexity and at the dearest, scored by wideband PESQ (the test venv's `pesq`).
//! The default was chosen as nearly as good for much less CPU; this holds the "nearly".
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "common/echo_harness.rs"]
mod echo_harness;
#[path = "common/opus_quality.rs"]
mod opus_quality;

use opus_quality::{code, score, speak, SENTENCES};
use parla_media::codec::opus::DEFAULT_COMPLEXITY;

#[test]
fn the_default_complexity_sounds_nearly_as_good_as_the_dearest() {
    let dir = tempfile::tempdir().unwrap();
    let (voice, text) = SENTENCES[1];
    let (reference, pcm) = speak(dir.path(), voice, text);
    let scores: Vec<f64> = [DEFAULT_COMPLEXITY, 10]
        .iter()
        .map(|&c| score(dir.path(), &reference, &code(&pcm, c).0, &format!("c{c}")))
        .collect();
    let (default, dearest) = (scores[0], scores[1]);
    assert!(
        default >= 3.5 && default >= dearest - 0.2,
        "wideband PESQ {default:.2} at complexity {DEFAULT_COMPLEXITY}, {dearest:.2} at 10"
    );
}
