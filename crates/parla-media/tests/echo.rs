//! The echo canceller through `CaptureProcessor`, on the offline scene of
//! `common/echo_harness.rs`: espeak-ng speech through a delayed, decaying echo path.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "common/echo_harness.rs"]
mod echo_harness;

use echo_harness::{EchoFigures, EchoPath, EchoScene};
use parla_media::processing::{CaptureProcessor, ProcessingConfig};

/// Echo cancellation alone, so the figures are the canceller's.
const AEC_ONLY: ProcessingConfig = ProcessingConfig {
    echo_cancellation: true,
    ..ProcessingConfig::OFF
};

fn cancel(scene: &EchoScene, config: ProcessingConfig) -> (EchoFigures, CaptureProcessor) {
    let p = std::cell::RefCell::new(CaptureProcessor::new(config, scene.rate).unwrap());
    let out = echo_harness::run(
        scene,
        &mut |played| p.borrow_mut().render(played),
        &mut |frame| p.borrow_mut().capture(frame),
    );
    (echo_harness::measure(scene, &out), p.into_inner())
}

fn assert_figures(rate: u32, path: EchoPath) {
    let scene = echo_harness::scene(rate, path);
    let (f, p) = cancel(&scene, AEC_ONLY);
    eprintln!("{rate} Hz, {path:?}: {f:?}, stats {:?}", p.stats());
    assert!(f.erle_db >= 20.0, "ERLE {:.1} dB", f.erle_db);
    assert!(f.converge_s <= 3.0, "converged after {:.2} s", f.converge_s);
    assert!(
        f.reconverge_s <= 3.0,
        "reconverged after {:.2} s",
        f.reconverge_s
    );
    assert!(
        f.erle_after_step_db >= 20.0,
        "ERLE after the step {:.1} dB",
        f.erle_after_step_db
    );
    assert!(
        f.double_talk_loss_db <= 6.0,
        "near end lost {:.1} dB in double talk",
        f.double_talk_loss_db
    );
    assert!(
        f.near_only_change_db.abs() <= 1.0,
        "near end alone changed by {:.2} dB",
        f.near_only_change_db
    );
    let stats = p.stats();
    assert!(stats.erle_db.is_some_and(|e| e > 10.0), "{stats:?}");
    let delay = f64::from(stats.echo_delay_ms.expect("a delay estimate"));
    assert!(
        (delay - path.delay_after_step_ms).abs() <= 20.0,
        "found a {delay} ms echo path, it is {} ms",
        path.delay_after_step_ms
    );
}

#[test]
fn cancels_echo_at_16k() {
    assert_figures(16000, EchoPath::default());
}

/// G.711's rate: the module runs AEC3 at 16 kHz inside.
#[test]
fn cancels_echo_at_8k() {
    assert_figures(8000, EchoPath::default());
}

#[test]
fn cancels_echo_at_48k_with_a_long_quiet_path() {
    assert_figures(
        48000,
        EchoPath {
            delay_ms: 40.0,
            delay_after_step_ms: 120.0,
            loss_db: 12.0,
            ..EchoPath::default()
        },
    );
}

/// The speaker's audio in 40 ms bursts every other tick, as when the media thread runs late.
#[test]
fn bursty_speaker_audio_still_cancels() {
    let scene = echo_harness::scene(16000, EchoPath::default());
    let p = std::cell::RefCell::new(CaptureProcessor::new(AEC_ONLY, scene.rate).unwrap());
    let mut held: Vec<f32> = Vec::new();
    let out = echo_harness::run(
        &scene,
        &mut |played| {
            if held.is_empty() {
                held.extend_from_slice(played);
            } else {
                held.extend_from_slice(played);
                p.borrow_mut().render(&held);
                held.clear();
            }
        },
        &mut |frame| p.borrow_mut().capture(frame),
    );
    let f = echo_harness::measure(&scene, &out);
    assert!(f.erle_db >= 20.0, "{f:?}");
    assert!(f.erle_after_step_db >= 20.0, "{f:?}");
    assert!(f.near_only_change_db.abs() <= 1.0, "{f:?}");
}

#[test]
fn without_echo_cancellation_the_echo_stays() {
    let scene = echo_harness::scene(16000, EchoPath::default());
    let (f, _) = cancel(&scene, ProcessingConfig::OFF);
    assert!(f.erle_db.abs() < 1.0, "ERLE {:.1} dB", f.erle_db);
    assert!(f.near_only_change_db.abs() < 0.1);
}
