//! `parla voicemail list|export|delete`, run as the real binary on a temporary profile whose
//! store and `voicemail/` folder are seeded as the answering machine leaves them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use parla_core::store::{
    CallRecord, CallResult, Direction, HistoryFilter, NewVoicemail, Store, VoicemailEntry,
    DB_FILE_NAME, VOICEMAIL_DIR,
};
use serde_json::Value;

fn parla(profile: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parla"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("PARLA_HOME")
        .env("LANG", "nl_NL.UTF-8")
        .output()
        .unwrap()
}

/// `parla voicemail export ID --output OUTPUT`.
fn export(profile: &Path, id: &str, output: &Path) -> Output {
    let output = output.to_str().unwrap();
    parla(profile, &["voicemail", "export", id, "--output", output])
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `ms` of a 440 Hz tone, 16 kHz mono 16-bit, as the answering machine writes messages.
fn write_wav(path: &Path, ms: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..16 * ms {
        let t = f64::from(i) / 16_000.0;
        let s = (t * 440.0 * std::f64::consts::TAU).sin() * 8_000.0;
        writer.write_sample(s as i16).unwrap();
    }
    writer.finalize().unwrap();
}

/// A profile holding two messages: Anna's (a contact's name, 4.2 s, at +0 s) and one from an
/// unnamed extension (1.5 s, at +600 s, heard), both with their files.
fn seeded() -> (tempfile::TempDir, PathBuf, VoicemailEntry, VoicemailEntry) {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let folder = profile.join(VOICEMAIL_DIR);
    std::fs::create_dir_all(&folder).unwrap();
    let mut store = Store::open(&profile.join(DB_FILE_NAME)).unwrap().store;
    let region = "NL".parse().unwrap();
    let mut seed = |uri: &str, name: &str, secs: u64, ms: u32| {
        let started = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs);
        let call = CallRecord {
            direction: Direction::Incoming,
            account: "work".into(),
            remote_uri: uri.into(),
            number: String::new(),
            display_name: String::new(),
            started,
            answered: Some(started + Duration::from_secs(20)),
            ended: started + Duration::from_secs(30),
            result: CallResult::Missed,
            reason: "voicemail".into(),
        };
        let file = format!("msg-{secs}.wav");
        write_wav(&folder.join(&file), ms);
        let message = NewVoicemail {
            account: "work".into(),
            from: uri.into(),
            name: name.into(),
            started,
            duration_ms: u64::from(ms),
            file,
        };
        store.record_voicemail(&call, &message, region).unwrap()
    };
    let anna = seed("sip:0612345678@pbx.example", "Anna Jansen", 0, 4_200);
    let ext = seed("sip:201@pbx.example", "", 600, 1_500);
    store.set_voicemail_heard(ext.id, true).unwrap();
    (dir, profile, anna, ext)
}

#[test]
fn list_shows_each_message_as_text_and_as_json() {
    let (_dir, profile, anna, ext) = seeded();
    let out = parla(&profile, &["voicemail", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{:>4}  2023-11-14 22:23:20Z  0:02  201  heard", ext.id.0),
            format!(
                "{:>4}  2023-11-14 22:13:20Z  0:05  Anna Jansen  new",
                anna.id.0
            ),
        ],
        "{text}"
    );

    let out = parla(&profile, &["voicemail", "list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let messages = json.as_array().unwrap();
    assert_eq!(messages.len(), 2);
    let first = &messages[1];
    assert_eq!(first["id"], anna.id.0);
    assert_eq!(first["account"], "work");
    assert_eq!(first["from"], "sip:0612345678@pbx.example");
    assert_eq!(first["name"], "Anna Jansen");
    assert_eq!(first["start"], "2023-11-14T22:13:20Z");
    assert_eq!(first["duration_ms"], 4_200);
    assert_eq!(first["heard"], false);
    assert_eq!(messages[0]["heard"], true);
    assert_eq!(messages[0]["name"], "");

    // A file deleted by hand is said, and the list still works.
    std::fs::remove_file(profile.join(VOICEMAIL_DIR).join(&anna.file)).unwrap();
    let out = parla(&profile, &["voicemail", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Anna Jansen  new  (audio file missing)"),
        "{}",
        stdout(&out)
    );
    let out = parla(&profile, &["voicemail", "list", "--json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[1]["missing"], true, "{json}");
}

#[test]
fn an_empty_profile_has_no_messages() {
    let dir = tempfile::tempdir().unwrap();
    let out = parla(dir.path(), &["voicemail", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "no messages\n");
    let out = parla(dir.path(), &["voicemail", "list", "--json"]);
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn export_writes_wav_and_ogg_and_refuses_what_it_cannot() {
    let (dir, profile, anna, _ext) = seeded();
    let id = anna.id.to_string();

    let wav = dir.path().join("anna.wav");
    let out = export(&profile, &id, &wav);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let reader = hound::WavReader::open(&wav).unwrap();
    let ms = u64::from(reader.duration()) * 1000 / u64::from(reader.spec().sample_rate);
    assert!((4_100..=4_300).contains(&ms), "{ms} ms");

    let ogg = dir.path().join("anna.ogg");
    let out = export(&profile, &id, &ogg);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&ogg).unwrap();
    assert!(bytes.starts_with(b"OggS"), "an Ogg stream");
    assert!(bytes.windows(8).any(|w| w == b"OpusHead"), "carrying Opus");

    // Another format: refused before anything is read or written.
    let mp3 = dir.path().join("anna.mp3");
    let out = export(&profile, &id, &mp3);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".wav, .ogg or .opus"),
        "{}",
        stderr(&out)
    );
    assert!(!mp3.exists());

    // No such message.
    let out = export(&profile, "999", &wav);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no voicemail message with id 999"),
        "{}",
        stderr(&out)
    );

    // The file deleted by hand: said, nothing written.
    std::fs::remove_file(profile.join(VOICEMAIL_DIR).join(&anna.file)).unwrap();
    let again = dir.path().join("again.wav");
    let out = export(&profile, &id, &again);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(!again.exists());
}

#[test]
fn delete_removes_the_file_and_the_row_and_keeps_the_call() {
    let (_dir, profile, anna, ext) = seeded();
    let folder = profile.join(VOICEMAIL_DIR);
    let out = parla(&profile, &["voicemail", "delete", &anna.id.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!folder.join(&anna.file).exists());
    assert!(folder.join(&ext.file).exists());

    // Its file already gone by hand: deleted all the same.
    std::fs::remove_file(folder.join(&ext.file)).unwrap();
    let out = parla(&profile, &["voicemail", "delete", &ext.id.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let store = Store::open(&profile.join(DB_FILE_NAME)).unwrap().store;
    assert!(store.list_voicemail(10).unwrap().is_empty());
    assert_eq!(store.history(HistoryFilter::All, "", 10).unwrap().len(), 2);
    drop(store);

    let out = parla(&profile, &["voicemail", "delete", &anna.id.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("no voicemail message with id {}", anna.id)),
        "{}",
        stderr(&out)
    );
    let out = parla(&profile, &["voicemail", "delete", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a message id"),
        "{}",
        stderr(&out)
    );
}
