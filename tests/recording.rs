//! Call recording against baresip through Kamailio, with WAV files at both ends: Parla sends
//! a 700 Hz tone (its `file:` input), baresip a 1 kHz tone. `record` writes a stereo WAV into
//! the profile's `recordings/` folder with our tone on the left and baresip's on the right,
//! named in the `recording` events and on the call's history row (which also carries the
//! call's estimated MOS, as its `quality` events do). A folder that cannot be
//! written gives `recording` failed and a `recording_failed` error, and the call goes on with
//! its audio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test"
)]

mod excerpt;
mod support;
use excerpt::excerpt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

const OURS_HZ: f64 = 700.0;
const BOBS_HZ: f64 = 1000.0;

struct Setup {
    kamailio: Kamailio,
    bob: Baresip,
    app: App,
    heard: PathBuf,
    _work: tempfile::TempDir,
}

fn setup(format: &str) -> Setup {
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let bobs = work.path().join("bob-tone.wav");
    make_tone_wav(&bobs, BOBS_HZ, 60.0, 48_000, 2).expect("tone");
    let mut options = BaresipOptions::registering(&kamailio, "bob", "bobpw");
    options.audio_codecs = vec!["pcmu".into()];
    options.source_wav = Some(bobs);
    let bob = Baresip::start(options).expect("baresip");
    bob.wait_registered(T).expect("bob registered");

    let ours = work.path().join("alice-tone.wav");
    make_tone_wav(&ours, OURS_HZ, 60.0, 48_000, 1).expect("tone");
    let heard = work.path().join("alice-heard.wav");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\nrecording_format = {format:?}\n",
        ours.display(),
        heard.display()
    );
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.codecs = &["pcmu"];
    let app = start(&[line], Some(&audio), &[]);
    app.wait_registered("alice");
    Setup {
        kamailio,
        bob,
        app,
        heard,
        _work: work,
    }
}

fn recording_event(v: &Value, call: u64, state: &str) -> bool {
    is_event(v, "recording") && v["call"] == call && v["state"] == state
}

/// Waits until `path` has grown by `bytes` from now.
fn grows(path: &Path, bytes: u64) {
    let size = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let start = size();
    let deadline = Instant::now() + T;
    while size() < start + bytes {
        assert!(
            Instant::now() < deadline,
            "{} did not grow by {bytes} bytes",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn call_bob(s: &mut Setup) -> u64 {
    let bob = s.kamailio.user_uri("bob");
    let call = s.app.dial("alice", &bob);
    s.app.wait_call(call, "connected");
    s.bob
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    call
}

#[test]
fn a_stereo_wav_holds_our_tone_left_and_theirs_right_and_the_history_names_it() {
    let mut s = setup("wav");
    let call = call_bob(&mut s);
    s.app
        .send(json!({"cmd": "record", "call": call, "on": true}));
    let started = s
        .app
        .wait("recording", |v| recording_event(v, call, "recording"));
    let path = PathBuf::from(started["path"].as_str().expect("a path"));
    assert_eq!(
        path.parent(),
        Some(s.app.profile_path().join("recordings").as_path()),
        "{started}"
    );
    assert_eq!(path.extension().and_then(|e| e.to_str()), Some("wav"));
    // Three seconds of what we hear (8 kHz... 48 kHz, 16-bit): the call has run that long.
    grows(&s.heard, 3 * 48_000 * 2);
    // A clean local call: its quality reports score it near the top of G.711's scale (4.41).
    let quality = s.app.wait("quality with a mos", |v| {
        is_event(v, "quality") && v["call"] == call && v["mos"].is_number()
    });
    let mos = quality["mos"].as_f64().unwrap();
    eprintln!("quality: {quality}");
    assert!((4.0..=4.5).contains(&mos), "{quality}");
    s.app
        .send(json!({"cmd": "record", "call": call, "on": false}));
    let stopped = s
        .app
        .wait("stopped", |v| recording_event(v, call, "stopped"));
    assert_eq!(stopped["path"], started["path"]);
    s.app.hang_up(call);

    let seconds = excerpt::seconds(&path);
    assert!(seconds > 2.0, "{seconds} s recorded");
    let left = excerpt(&path, Some(0), 0.5, None);
    let right = excerpt(&path, Some(1), 0.5, None);
    let (ours_left, theirs_right) = (
        tone_band_ratio(&left, OURS_HZ).unwrap(),
        tone_band_ratio(&right, BOBS_HZ).unwrap(),
    );
    let (theirs_left, ours_right) = (
        tone_band_ratio(&left, BOBS_HZ).unwrap(),
        tone_band_ratio(&right, OURS_HZ).unwrap(),
    );
    eprintln!(
        "left: ours {ours_left:.3} theirs {theirs_left:.3}; right: ours {ours_right:.3} theirs {theirs_right:.3}"
    );
    assert!(ours_left > 0.8, "our tone on the left: {ours_left:.3}");
    assert!(
        theirs_right > 0.8,
        "baresip's on the right: {theirs_right:.3}"
    );
    assert!(theirs_left < 0.1 && ours_right < 0.1, "the channels apart");

    s.app.send(json!({"cmd": "list_history", "request": 5}));
    let history = s
        .app
        .wait("history", |v| is_event(v, "history") && v["request"] == 5);
    assert_eq!(
        history["calls"][0]["recording"], started["path"],
        "{history}"
    );
    let mos = history["calls"][0]["mos"].as_f64();
    eprintln!("the call's mos: {mos:?}");
    assert!(mos.is_some_and(|m| (4.0..=4.5).contains(&m)), "{history}");
    s.app.quit();
}

#[test]
fn a_folder_that_cannot_be_written_fails_the_recording_and_the_call_goes_on() {
    let mut s = setup("wav");
    let folder = s.app.profile_path().join("recordings");
    std::fs::create_dir(&folder).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(folder.join("probe"), b"").is_ok() {
        // Root writes into a read-only folder: a file in the folder's place stops it too.
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::remove_dir_all(&folder).unwrap();
        std::fs::write(&folder, b"not a folder").unwrap();
    }
    let call = call_bob(&mut s);
    s.app
        .send(json!({"cmd": "record", "call": call, "on": true}));
    let failed = s
        .app
        .wait("recording failed", |v| recording_event(v, call, "failed"));
    assert!(
        failed["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{failed}"
    );
    s.app.wait("recording_failed", |v| {
        is_event(v, "error") && v["kind"] == "recording_failed" && v["call"] == call
    });
    // Audio still flows, and the call is up.
    grows(&s.heard, 48_000 * 2);
    s.app.send(json!({"cmd": "status"}));
    let status = s.app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"][0]["state"], "connected", "{status}");
    s.app.hang_up(call);
    s.app.quit();
}
