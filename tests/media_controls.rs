//! In-call controls and the audio self-test: our hold (re-INVITE sendonly) and resume against
//! baresip through Kamailio, the music on hold a second Parla hears while held, and the echo
//! test looping a WAV through encode/RTP/decode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

#[test]
fn we_put_the_call_on_hold_and_resume_it() {
    let kamailio = kamailio_alice_bob();
    let bob = start_bob(&kamailio, None, None);
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");
    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");

    app.send(json!({"cmd": "hold", "call": call}));
    app.wait_call(call, "on_hold");
    app.send(json!({"cmd": "mute", "call": call, "muted": true}));
    app.send(json!({"cmd": "resume", "call": call}));
    app.wait_call(call, "connected");
    let reinvites = kamailio.count_requests("INVITE", "alice").expect("count");
    assert!(
        reinvites >= 3,
        "the first INVITE (and its 407 retry) plus two re-INVITEs: {reinvites}"
    );
    assert!(
        !app.parla.events_seen().iter().any(|v| is_event(v, "error")),
        "no errors"
    );
    app.hang_up(call);
    app.quit();
}

/// Alice holds her call with bob, both Parla, both microphones silent (`null`): whatever bob
/// hears while held is alice's music on hold. (baresip stops recording while it is held, so
/// the held party here is a second Parla recording to a file.) The loudest 100 ms of bob's
/// recording.
fn held_caller_hears(music_on_hold: &str) -> f64 {
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let heard = work.path().join("bob-heard.wav");
    let alice_audio = format!(
        "\n[audio]\ninput = \"null\"\noutput = \"null\"\nmusic_on_hold = \"{music_on_hold}\"\n"
    );
    let bob_audio = format!(
        "\n[audio]\ninput = \"null\"\noutput = \"file:{}\"\n",
        heard.display()
    );
    let mut alice = start(
        &[Line::at(&kamailio, "alice", "alicepw")],
        Some(&alice_audio),
        &[],
    );
    let mut bob = start(
        &[Line::at(&kamailio, "bob", "bobpw")],
        Some(&bob_audio),
        &[],
    );
    alice.wait_registered("alice");
    bob.wait_registered("bob");
    let call = alice.dial("alice", &kamailio.user_uri("bob"));
    let (bob_call, _) = bob.wait_incoming();
    bob.send(json!({"cmd": "answer", "call": bob_call}));
    alice.wait_call(call, "connected");
    alice.send(json!({"cmd": "hold", "call": call}));
    alice.wait_call(call, "on_hold");
    bob.wait_call(bob_call, "held");
    // Two more seconds of what bob hears (the file is 48 kHz mono 16 bit).
    let size = || std::fs::metadata(&heard).map(|m| m.len()).unwrap_or(0);
    let target = size() + 2 * 96_000;
    let deadline = Instant::now() + T;
    while size() < target {
        assert!(Instant::now() < deadline, "bob's recording stopped growing");
        std::thread::sleep(Duration::from_millis(50));
    }
    alice.hang_up(call);
    bob.wait_call(bob_call, "ended");
    alice.quit();
    bob.quit();
    loudest_rms(&heard).expect("bob's recording")
}

#[test]
fn the_held_caller_hears_music() {
    let level = held_caller_hears("builtin");
    assert!(
        level > 0.03,
        "the music on hold reached bob: loudest 100 ms at rms {level:.4}"
    );
}

#[test]
fn with_music_off_the_held_caller_hears_silence() {
    let level = held_caller_hears("off");
    assert!(
        level < 0.01,
        "nothing but silence reached bob: loudest 100 ms at rms {level:.4}"
    );
}

#[test]
fn the_echo_test_plays_the_microphone_back_through_the_call_path() {
    let work = tempfile::tempdir().expect("dir");
    let mic = work.path().join("mic.wav");
    let speaker = work.path().join("speaker.wav");
    make_tone_wav(&mic, 1000.0, 5.0, 48_000, 1).expect("tone");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        mic.display(),
        speaker.display()
    );
    let mut app = start(&[], Some(&audio), &[]);
    app.wait("ready", |v| is_event(v, "ready"));
    app.send(json!({"cmd": "echo_test"}));
    let running = app.wait("echo test", |v| is_event(v, "echo_test"));
    assert_eq!(running["state"], "running", "{running}");
    // One second of 48 kHz mono 16-bit audio reached the speaker file.
    let deadline = Instant::now() + T;
    while std::fs::metadata(&speaker).map(|m| m.len()).unwrap_or(0) < 96_000 {
        assert!(
            Instant::now() < deadline,
            "the echo never reached the speaker"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    app.send(json!({"cmd": "echo_test", "stop": true}));
    let stopped = app.wait("echo test stopped", |v| {
        is_event(v, "echo_test") && v["state"] == "stopped"
    });
    assert!(stopped.get("reason").is_none(), "{stopped}");
    app.quit();
    let ratio = tone_band_ratio(&speaker, 1000.0).expect("speaker recording");
    assert!(
        ratio > 0.9,
        "the echo holds the microphone's tone: {ratio:.3}"
    );
}

#[test]
fn the_echo_test_reports_a_device_it_cannot_open() {
    let audio = "\n[audio]\ninput = \"file:/nonexistent/mic.wav\"\noutput = \"null\"\n";
    let mut app = start(&[], Some(audio), &[]);
    app.wait("ready", |v| is_event(v, "ready"));
    app.send(json!({"cmd": "echo_test"}));
    let stopped = app.wait("echo test", |v| is_event(v, "echo_test"));
    assert_eq!(stopped["state"], "stopped", "{stopped}");
    assert!(
        stopped["reason"]
            .as_str()
            .is_some_and(|r| r.contains("mic.wav")),
        "{stopped}"
    );
    app.quit();
}
