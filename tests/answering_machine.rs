//! The answering machine end to end: baresip (sending a 440 Hz tone) calls Parla's line at
//! Kamailio; no one answers, so the machine does. baresip hears the greeting (a 700 Hz test
//! file) and the ~1.4 kHz beep; Parla keeps the caller's 440 Hz as a message, named from the
//! contacts, which `parla voicemail list|export|delete` then see, write and remove. Picking up
//! during the greeting turns the call into an ordinary one with audio both ways and no message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_core::store::{ContactFields, Region, Store, DB_FILE_NAME};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::*;

const GREETING_HZ: f64 = 700.0;
const GREETING_S: f64 = 2.0;
const BEEP_HZ: f64 = 1400.0;
const CALLER_HZ: f64 = 440.0;

/// A profile with Bob as a contact (by his SIP address) and a greeting file.
fn profile(kamailio: &Kamailio) -> (tempfile::TempDir, PathBuf) {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut store = Store::open(&profile.path().join(DB_FILE_NAME))
        .expect("database")
        .store;
    let fields = ContactFields {
        first_name: "Bob".into(),
        last_name: "Builder".into(),
        emails: vec![format!("bob@{}", kamailio.domain())],
        ..Default::default()
    };
    store.add_contact(&fields, Region::US).expect("add contact");
    let greeting = profile.path().join("greeting.wav");
    make_tone_wav(&greeting, GREETING_HZ, GREETING_S, 16_000, 1).expect("greeting");
    (profile, greeting)
}

fn machine_line<'a>(kamailio: &Kamailio, greeting: &Path, answer_after_s: u32) -> Line<'a> {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.codecs = &["pcmu"];
    line.extra = format!(
        "[accounts.answering_machine]\nenabled = true\nanswer_after_s = {answer_after_s}\n\
         greeting = \"file:{}\"\nmax_message_s = 60\nsilence_s = 5\n",
        greeting.display()
    );
    line
}

fn parla_cli(profile: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("PARLA_HOME")
        .output()
        .expect("run parla")
}

fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The pitch (of `candidates`) that carries most energy in each 100 ms frame with sound.
fn pitch_track(path: &Path, candidates: &[f64]) -> Vec<Option<f64>> {
    let mut reader = hound::WavReader::open(path).expect("wav");
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    let samples: Vec<f64> = reader
        .samples::<i16>()
        .map(|s| f64::from(s.expect("sample")) / 32768.0)
        .collect::<Vec<_>>()
        .chunks(channels)
        .map(|c| c[0])
        .collect();
    let frame = (spec.sample_rate / 10) as usize;
    samples
        .chunks_exact(frame)
        .map(|chunk| {
            let energy: f64 = chunk.iter().map(|x| x * x).sum::<f64>() / frame as f64;
            if energy < 1e-5 {
                return None;
            }
            candidates
                .iter()
                .map(|&hz| (hz, goertzel(chunk, hz, spec.sample_rate)))
                .filter(|(_, p)| *p > 0.3 * energy)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(hz, _)| hz)
        })
        .collect()
}

/// The mean power of `chunk` at `hz` (a sine of amplitude A gives about A²/2).
fn goertzel(chunk: &[f64], hz: f64, rate: u32) -> f64 {
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for x in chunk {
        let s = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let n = chunk.len() as f64;
    2.0 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n)
}

fn frames_of(track: &[Option<f64>], hz: f64) -> Vec<usize> {
    track
        .iter()
        .enumerate()
        .filter(|(_, p)| **p == Some(hz))
        .map(|(i, _)| i)
        .collect()
}

fn voicemail_list(profile: &Path) -> Vec<Value> {
    let out = parla_cli(profile, &["voicemail", "list", "--json"]);
    serde_json::from_str::<Value>(&ok_stdout(&out))
        .expect("JSON")
        .as_array()
        .expect("an array")
        .clone()
}

#[test]
fn a_caller_leaves_a_message_after_the_greeting_and_the_beep() {
    let kamailio = kamailio_alice_bob();
    let (profile, greeting) = profile(&kamailio);
    let mut app = start_in(profile, &[machine_line(&kamailio, &greeting, 1)], None, &[]);
    app.wait_registered("alice");
    let heard = tempfile::tempdir().expect("bob's recordings");
    let mut bob = start_bob(&kamailio, Some("pcmu"), Some(heard.path().to_path_buf()));

    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, incoming) = app.wait_incoming();
    assert_eq!(incoming["name"], "Bob Builder", "{incoming}");
    app.wait_call(call, "answering_machine");
    let answered = Instant::now();
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("the machine answers bob");
    // The greeting (2 s) and the beep (under half a second) play; then bob "speaks" (his
    // tone goes on) for about 4 s and hangs up.
    let speaking = Duration::from_secs_f64(GREETING_S + 0.45);
    let spoke = Duration::from_secs(4);
    std::thread::sleep((answered + speaking + spoke).saturating_duration_since(Instant::now()));
    bob.hangup().expect("bob hangs up");
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "remote hangup", "{ended}");
    let message = app.wait("voicemail_message", |v| is_event(v, "voicemail_message"));
    assert_eq!(message["account"], "alice", "{message}");
    assert_eq!(message["name"], "Bob Builder", "{message}");
    assert!(
        message["from"].as_str().is_some_and(|f| f.contains("bob")),
        "{message}"
    );
    let duration_ms = message["duration_ms"].as_u64().expect("duration");
    let expected = spoke.as_millis() as u64;
    assert!(
        duration_ms.abs_diff(expected) <= 1_000,
        "{duration_ms} ms recorded, bob spoke {expected} ms after the beep"
    );
    let id = message["id"].as_i64().expect("id");
    app.quit();
    bob.stop();

    // What bob heard: the greeting, then the beep.
    let heard = bob.recordings().expect("bob's recordings");
    let heard = heard.last().expect("bob recorded the call");
    let track = pitch_track(heard, &[GREETING_HZ, BEEP_HZ, CALLER_HZ]);
    let (greeting_frames, beep_frames) =
        (frames_of(&track, GREETING_HZ), frames_of(&track, BEEP_HZ));
    assert!(
        greeting_frames.len() >= 15,
        "about 2 s of greeting: {track:?}"
    );
    assert!(
        (2..=6).contains(&beep_frames.len()),
        "a short beep: {track:?}"
    );
    assert!(
        greeting_frames.last() < beep_frames.first(),
        "the beep follows the greeting: {track:?}"
    );

    // Parla's message: the caller's 440 Hz, listed with the contact's name.
    let profile = app.profile_path();
    let listed = voicemail_list(&profile);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let entry = &listed[0];
    assert_eq!(entry["id"], id, "{entry}");
    assert_eq!(entry["account"], "alice", "{entry}");
    assert_eq!(entry["name"], "Bob Builder", "{entry}");
    assert_eq!(entry["duration_ms"], duration_ms, "{entry}");
    assert_eq!(entry["heard"], false, "{entry}");
    assert!(
        entry["start"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z') && s.contains('T')),
        "RFC 3339: {entry}"
    );
    let text = ok_stdout(&parla_cli(&profile, &["voicemail", "list"]));
    assert!(text.contains("Bob Builder"), "{text}");
    // The machine's call is scored like any call with audio: its history row has a MOS.
    let store = Store::open(&profile.join(DB_FILE_NAME)).expect("db").store;
    let rows = store
        .history(parla_core::store::HistoryFilter::All, "", 10)
        .expect("history");
    let mos = rows[0].mos.expect("the machine's call has a MOS");
    assert!((3.5..=4.5).contains(&mos), "a clean loopback call: {mos}");
    drop(store);

    let out = tempfile::tempdir().expect("exports");
    let wav = out.path().join("message.wav");
    ok_stdout(&parla_cli(
        &profile,
        &[
            "voicemail",
            "export",
            &id.to_string(),
            "--output",
            wav.to_str().unwrap(),
        ],
    ));
    let ratio = tone_band_ratio(&wav, CALLER_HZ).expect("analyse the message");
    assert!(
        ratio > 0.8,
        "the message holds the caller's 440 Hz: {ratio}"
    );
    let seconds = f64::from(hound::WavReader::open(&wav).expect("a WAV").duration()) / 16_000.0;
    assert!(
        (seconds * 1000.0 - duration_ms as f64).abs() < 100.0,
        "{seconds} s of audio for {duration_ms} ms"
    );
    let ogg = out.path().join("message.ogg");
    ok_stdout(&parla_cli(
        &profile,
        &[
            "voicemail",
            "export",
            &id.to_string(),
            "--output",
            ogg.to_str().unwrap(),
        ],
    ));
    let bytes = std::fs::read(&ogg).expect("the Ogg file");
    assert!(bytes.starts_with(b"OggS"), "an Ogg stream");
    assert!(bytes.windows(8).any(|w| w == b"OpusHead"), "carrying Opus");
    let refused = parla_cli(
        &profile,
        &[
            "voicemail",
            "export",
            &id.to_string(),
            "--output",
            "/tmp/message.mp3",
        ],
    );
    assert!(!refused.status.success(), "mp3 is not offered");

    let files = |p: &Path| std::fs::read_dir(p.join("voicemail")).map_or(0, |d| d.count());
    assert_eq!(files(&profile), 1, "one message file");
    ok_stdout(&parla_cli(
        &profile,
        &["voicemail", "delete", &id.to_string()],
    ));
    assert_eq!(files(&profile), 0, "the file is deleted");
    assert!(voicemail_list(&profile).is_empty(), "and the row");
}

#[test]
fn picking_up_during_the_greeting_makes_an_ordinary_call_and_keeps_no_message() {
    let kamailio = kamailio_alice_bob();
    let (profile, _) = profile(&kamailio);
    // A long greeting, so the pick-up surely comes during it.
    let greeting = profile.path().join("long-greeting.wav");
    make_tone_wav(&greeting, GREETING_HZ, 20.0, 16_000, 1).expect("greeting");
    let mic = profile.path().join("mic.wav");
    make_tone_wav(&mic, 880.0, 30.0, 48_000, 1).expect("microphone");
    let speaker = profile.path().join("speaker.wav");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        mic.display(),
        speaker.display()
    );
    let mut app = start_in(
        profile,
        &[machine_line(&kamailio, &greeting, 1)],
        Some(&audio),
        &[],
    );
    app.wait_registered("alice");
    let heard = tempfile::tempdir().expect("bob's recordings");
    let mut bob = start_bob(&kamailio, Some("pcmu"), Some(heard.path().to_path_buf()));

    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, _) = app.wait_incoming();
    app.wait_call(call, "answering_machine");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("the machine answers bob");
    std::thread::sleep(Duration::from_secs(1));
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    std::thread::sleep(Duration::from_secs(3));
    app.hang_up(call);
    app.quit();
    bob.stop();

    let seen = app.parla.events_seen();
    assert!(
        !seen.iter().any(|v| is_event(v, "voicemail_message")),
        "no message: {seen:?}"
    );
    let profile = app.profile_path();
    assert!(voicemail_list(&profile).is_empty(), "nothing listed");
    let files = std::fs::read_dir(profile.join("voicemail")).map_or(0, |d| d.count());
    assert_eq!(files, 0, "no message file left");

    // Both ways: Parla's speaker got bob's 440 Hz, bob heard the greeting, then Parla's mic.
    let ratio = tone_band_ratio(&speaker, CALLER_HZ).expect("Parla's speaker");
    assert!(ratio > 0.5, "Parla hears bob after picking up: {ratio}");
    let heard = bob.recordings().expect("bob's recordings");
    let track = pitch_track(heard.last().expect("bob recorded"), &[GREETING_HZ, 880.0]);
    let (greeting_frames, mic_frames) = (frames_of(&track, GREETING_HZ), frames_of(&track, 880.0));
    assert!(
        !greeting_frames.is_empty(),
        "the greeting played first: {track:?}"
    );
    assert!(mic_frames.len() >= 20, "then Parla's microphone: {track:?}");
    assert!(greeting_frames.last() < mic_frames.first(), "{track:?}");
    let store = Store::open(&profile.join(DB_FILE_NAME)).expect("db").store;
    let rows = store
        .history(parla_core::store::HistoryFilter::All, "", 10)
        .expect("history");
    assert_eq!(
        rows[0].call.result,
        parla_core::store::CallResult::Answered,
        "{rows:?}"
    );
}
