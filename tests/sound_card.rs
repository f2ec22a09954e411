//! The real device path: Parla's audio on cpal's default devices, which a test-started
//! PulseAudio (null sinks, ALSA pulse plugin) provides, in a call through Kamailio to baresip.
//! Our "microphone" hears a 1000 Hz tone and baresip must receive it; baresip sends 440 Hz and
//! our "speaker" must play it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use std::time::{Duration, Instant};
use support::*;

#[test]
fn a_call_carries_audio_both_ways_through_the_sound_card_path() {
    let pulse = PulseAudio::start().expect("pulseaudio");
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let bob = start_bob(&kamailio, Some("pcmu"), Some(work.path().join("bob")));

    let mic_tone = work.path().join("mic.wav");
    make_tone_wav(&mic_tone, 1000.0, 30.0, 48_000, 1).expect("tone");
    let _playing = pulse.play_into_mic(&mic_tone).expect("paplay into the mic");

    let env = pulse.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let audio = "\n[audio]\ninput = \"default\"\noutput = \"default\"\n";
    let mut app = start(
        &[Line::at(&kamailio, "alice", "alicepw")],
        Some(audio),
        &env,
    );
    app.wait_registered("alice");
    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    let media = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert!(
        media.get("warning").is_none(),
        "the sound card path started: {media}"
    );
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");

    // Let the path settle (rings filled, jitter buffer primed), then record our speaker.
    let settle = Instant::now() + Duration::from_millis(500);
    while Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(50));
    }
    let speaker = pulse
        .record_speaker(&work.path().join("speaker.wav"), 3.0)
        .expect("record");
    let speaker = speaker.finish().expect("speaker recording");
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");

    let bob_heard = bob
        .recordings()
        .expect("recordings")
        .into_iter()
        .last()
        .expect("bob recorded the call");
    let sent = tone_band_ratio(&bob_heard, 1000.0).expect("bob's recording");
    let received = tone_band_ratio(&speaker, 440.0).expect("our speaker");
    assert!(
        sent > 0.9,
        "baresip heard our microphone's 1000 Hz: {sent:.3}"
    );
    assert!(
        received > 0.9,
        "our speaker played baresip's 440 Hz: {received:.3}"
    );
    app.quit();
}
