//! Audio both ways on a call through Kamailio to baresip, with WAV files at both ends: each
//! side's recording must hold the other side's tone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;

/// Waits until a WAV file being written holds at least `bytes` (baresip writes as it goes).
fn wait_for_size(path: &Path, bytes: u64) {
    let deadline = Instant::now() + T;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(
            Instant::now() < deadline,
            "{} did not grow to {bytes} bytes",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Who places the call: us, or baresip calling us (we answer).
#[derive(Clone, Copy, PartialEq)]
enum Caller {
    Parla,
    Baresip,
}

fn tone_both_ways(codec: &str) {
    tone_both_ways_placed_by(codec, Caller::Parla);
}

fn tone_both_ways_placed_by(codec: &str, caller: Caller) {
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let bob = start_bob(&kamailio, Some(codec), Some(work.path().join("bob")));

    let ours = work.path().join("alice-tone.wav");
    make_tone_wav(&ours, 1000.0, 20.0, 48_000, 1).expect("tone");
    let heard = work.path().join("alice-heard.wav");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        ours.display(),
        heard.display()
    );
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.codecs = &["opus", "pcmu", "pcma"];
    let mut app = start(&[line], Some(&audio), &[]);
    app.wait_registered("alice");

    let call = match caller {
        Caller::Parla => app.dial("alice", &kamailio.user_uri("bob")),
        Caller::Baresip => {
            bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
            let (call, _) = app.wait_incoming();
            app.send(json!({"cmd": "answer", "call": call}));
            call
        }
    };
    app.wait_call(call, "connected");
    let media = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert_eq!(
        media["codec"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some(codec),
        "{media}"
    );
    assert!(media.get("warning").is_none(), "{media}");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    let recording = (|| -> Option<std::path::PathBuf> {
        let deadline = Instant::now() + T;
        loop {
            if let Some(p) = bob.recordings().ok().and_then(|r| r.into_iter().last()) {
                return Some(p);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })()
    .expect("baresip records what it hears");
    // Two seconds of audio in baresip's recording, at the lowest rate it may record (8 kHz mono).
    wait_for_size(&recording, 2 * 8_000 * 2);
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");

    let bob_heard = tone_band_ratio(&recording, 1000.0).expect("bob's recording");
    let alice_heard = tone_band_ratio(&heard, 440.0).expect("our recording");
    assert!(
        bob_heard > 0.9,
        "baresip heard our 1000 Hz tone: ratio {bob_heard:.3}"
    );
    assert!(
        alice_heard > 0.9,
        "we heard baresip's 440 Hz tone: ratio {alice_heard:.3}"
    );
    app.quit();
}

#[test]
fn opus_carries_audio_both_ways() {
    tone_both_ways("opus");
}

#[test]
fn pcmu_carries_audio_both_ways() {
    tone_both_ways("pcmu");
}

#[test]
fn an_incoming_opus_call_carries_audio_both_ways() {
    tone_both_ways_placed_by("opus", Caller::Baresip);
}

#[test]
fn an_incoming_pcmu_call_carries_audio_both_ways() {
    tone_both_ways_placed_by("pcmu", Caller::Baresip);
}
