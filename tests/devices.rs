//! Sound devices through the engine's protocol: the device lists, moving a call to baresip
//! onto a headset while it goes on (a test-started PulseAudio with a second null sink and a
//! source of its own, picked by the names the sound server gives them), and the microphone
//! level and a headset that goes during the echo test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use support::*;

/// The lists as strings, checked to start with `default`.
fn names(devices: &Value, key: &str) -> Vec<String> {
    let list: Vec<String> = devices[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list: {devices}"))
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        list.first().map(String::as_str),
        Some("default"),
        "{devices}"
    );
    list
}

#[test]
fn a_call_moves_to_the_headset_while_it_goes_on() {
    let mut pulse = PulseAudio::start().expect("pulseaudio");
    pulse.add_null_sink("headset", 2).expect("headset sink");
    pulse
        .add_source("headset_mic", "mic", "Headset Microphone")
        .expect("headset mic");
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let bob = start_bob(&kamailio, Some("pcmu"), None);

    let env = pulse.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let audio = "\n[audio]\ninput = \"default\"\noutput = \"default\"\n";
    let mut app = start(
        &[Line::at(&kamailio, "alice", "alicepw")],
        Some(audio),
        &env,
    );
    app.send(json!({"cmd": "list_devices"}));
    let devices = app.wait("devices", |v| is_event(v, "devices"));
    // The sound server's own devices, as `pulse:NAME`, labelled with its descriptions.
    assert!(
        names(&devices, "outputs").contains(&"pulse:headset".to_owned()),
        "{devices}"
    );
    assert!(
        names(&devices, "inputs").contains(&"pulse:headset_mic".to_owned()),
        "{devices}"
    );
    assert_eq!(
        devices["labels"]["pulse:headset_mic"], "Headset Microphone",
        "{devices}"
    );

    app.wait_registered("alice");
    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    let media = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert!(media.get("warning").is_none(), "{media}");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");

    // A device that is not there: an error, and the call goes on where it was.
    app.send(json!({"cmd": "set_call_devices", "call": call, "output": "no such device"}));
    let refused = app.wait("error", |v| is_event(v, "error"));
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("no audio output device named \"no such device\"")),
        "{refused}"
    );

    app.send(json!({"cmd": "set_call_devices", "call": call,
        "input": "pulse:headset_mic", "output": "pulse:headset"}));
    let moved = app.wait("call_devices", |v| is_event(v, "call_devices"));
    assert_eq!(
        moved,
        json!({"event": "call_devices", "call": call,
            "input": "pulse:headset_mic", "output": "pulse:headset"})
    );
    // The microphone is the headset's now: the call records from that source.
    let sources = pulse.pactl(&["list", "short", "sources"]).expect("sources");
    let headset_mic = sources
        .lines()
        .find(|l| l.split('\t').nth(1) == Some("headset_mic"))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no headset_mic in {sources}"))
        .to_owned();
    let recording = pulse
        .pactl(&["list", "short", "source-outputs"])
        .expect("source outputs");
    assert!(
        recording
            .lines()
            .any(|l| l.split('\t').nth(1) == Some(headset_mic.as_str())),
        "a stream records from headset_mic ({headset_mic}): {recording}"
    );
    // baresip sends 440 Hz: the headset plays it now.
    let heard = pulse
        .record("headset.monitor", &work.path().join("headset.wav"), 2.0, 2)
        .expect("record the headset")
        .finish()
        .expect("headset recording");
    let ratio = tone_band_ratio(&heard, 440.0).expect("headset recording");
    assert!(
        ratio > 0.9,
        "the headset plays baresip's 440 Hz: {ratio:.3}"
    );

    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"][0]["state"], "connected", "{status}");
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "call_state") && v["state"] == "ended"),
        "the call went on"
    );
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");
    app.quit();
}

/// Starts the echo test once the app is ready, and waits until it runs.
fn start_echo_test(app: &mut App) {
    app.wait("ready", |v| is_event(v, "ready"));
    app.send(json!({"cmd": "echo_test"}));
    let running = app.wait("echo test", |v| is_event(v, "echo_test"));
    assert_eq!(running["state"], "running", "{running}");
}

fn stop_echo_test(app: &mut App) {
    app.send(json!({"cmd": "echo_test", "stop": true}));
    app.wait("echo test stopped", |v| {
        is_event(v, "echo_test") && v["state"] == "stopped"
    });
}

/// The settings screen's sound test on a headset picked by name: unplugged while it runs, the
/// sound goes on through the default and a `device` event says so, as in a call.
#[test]
fn the_echo_test_tells_of_a_headset_that_goes() {
    // PulseAudio moves a sink's streams to the default sink when it goes (built in since
    // module-rescue-streams became obsolete): nothing fails, only the watch on the sink sees it.
    let mut pulse = PulseAudio::start().expect("pulseaudio");
    let headset = pulse.add_null_sink("headset", 2).expect("headset sink");
    let env = pulse.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let audio = "\n[audio]\ninput = \"default\"\noutput = \"pulse:headset\"\n";
    let mut app = start(&[], Some(audio), &env);
    start_echo_test(&mut app);

    pulse.unload_module(headset).expect("unload headset");
    let device = app.wait("a device event", |v| is_event(v, "device"));
    assert_eq!(
        device["message"], "audio device \"pulse:headset\" failed; now using \"default\"",
        "{device}"
    );
    assert!(device.get("call").is_none(), "no call owns it: {device}");
    stop_echo_test(&mut app);
    app.quit();
}

#[test]
fn the_echo_test_reports_the_microphone_level_while_it_runs() {
    let work = tempfile::tempdir().expect("dir");
    let mic = work.path().join("mic.wav");
    // Amplitude 0.5.
    make_tone_wav(&mic, 1000.0, 5.0, 48_000, 1).expect("tone");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"null\"\n",
        mic.display()
    );
    let mut app = start(&[], Some(&audio), &[]);
    start_echo_test(&mut app);
    let level = app.wait("a loud level", |v| {
        is_event(v, "level") && v["input"].as_f64().is_some_and(|l| l > 0.4)
    });
    assert!(level["input"].as_f64().is_some_and(|l| l <= 1.0), "{level}");

    stop_echo_test(&mut app);
    // Anything still in flight would arrive before the answer to a later command.
    app.send(json!({"cmd": "status"}));
    app.wait("status", |v| is_event(v, "status"));
    let seen = app.parla.events_seen();
    let running_at = seen
        .iter()
        .position(|v| is_event(v, "echo_test") && v["state"] == "running")
        .expect("running");
    let stopped_at = seen
        .iter()
        .position(|v| is_event(v, "echo_test") && v["state"] == "stopped")
        .expect("stopped");
    let levels_at: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, v)| is_event(v, "level"))
        .map(|(i, _)| i)
        .collect();
    assert!(
        levels_at.iter().all(|&i| i > running_at && i < stopped_at),
        "level events only while the echo test runs: {seen:?}"
    );
    app.quit();
}
