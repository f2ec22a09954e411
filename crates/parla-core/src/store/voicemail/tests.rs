//! Tests of the voicemail index and its files, on real SQLite files in temporary folders.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use parla_media::clip::ExportError;

use super::super::migrations::MIGRATIONS;
use super::super::{CallResult, Direction, HistoryFilter};
use super::*;

fn nl() -> Region {
    "NL".parse().unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    (dir, store)
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

/// A call from `uri` at `start` that went to the answering machine, and its message.
fn left(uri: &str, name: &str, start: u64) -> (CallRecord, NewVoicemail) {
    let call = CallRecord {
        direction: Direction::Incoming,
        account: "work".into(),
        remote_uri: uri.into(),
        number: String::new(),
        display_name: "Caller".into(),
        started: at(start),
        answered: Some(at(start + 20)),
        ended: at(start + 50),
        result: CallResult::Missed,
        reason: "voicemail".into(),
    };
    let message = NewVoicemail {
        account: "work".into(),
        from: uri.into(),
        name: name.into(),
        started: at(start) + Duration::from_millis(250),
        duration_ms: 27_500,
        file: format!("{start}.wav"),
    };
    (call, message)
}

#[test]
fn a_message_is_recorded_with_its_call_and_read_back() {
    let (dir, mut store) = open();
    let (call, message) = left("sip:0612345678@pbx.example", "Anna Jansen", 0);
    let entry = store.record_voicemail(&call, &message, nl()).unwrap();
    assert_eq!(entry.account, "work");
    assert_eq!(entry.from, "sip:0612345678@pbx.example");
    assert_eq!(entry.number, "0612345678", "read from the URI");
    assert_eq!(entry.name, "Anna Jansen");
    assert_eq!(entry.start, "2023-11-14T22:13:20Z");
    assert_eq!(entry.start_ms, 1_700_000_000_250);
    assert_eq!(entry.duration_ms, 27_500);
    assert!(!entry.heard);
    assert!(!entry.missing);
    assert_eq!(entry.file, "0.wav");

    // The call is in the history, linked both ways, and not told about as a missed call.
    let calls = store.history(HistoryFilter::All, "", 10).unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(Some(calls[0].id), entry.history);
    assert_eq!(calls[0].voicemail, Some(entry.id));
    assert_eq!(calls[0].call.result, CallResult::Missed);
    assert_eq!(calls[0].call.reason, "voicemail");
    assert!(calls[0].seen);
    assert_eq!(store.unseen_missed_count().unwrap(), 0);
    assert_eq!(store.unheard_voicemail().unwrap(), 1);
    let json = serde_json::to_value(&calls[0]).unwrap();
    assert_eq!(json["voicemail"], entry.id.0, "{json}");

    // The E.164 form is kept for the row too.
    let e164: Option<String> = store
        .conn
        .query_row(
            "SELECT e164 FROM voicemail WHERE id = ?1",
            [entry.id.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(e164.as_deref(), Some("+31612345678"));

    drop(store);
    let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    assert_eq!(store.voicemail(entry.id).unwrap(), Some(entry));
    assert_eq!(store.voicemail(VoicemailId(999)).unwrap(), None);
}

#[test]
fn a_history_row_without_a_message_has_none() {
    let (_dir, mut store) = open();
    let (call, _) = left("sip:201@pbx.example", "", 0);
    store.record_call(&call, nl()).unwrap();
    let calls = store.history(HistoryFilter::All, "", 10).unwrap();
    assert_eq!(calls[0].voicemail, None);
    assert!(!calls[0].seen, "a plain missed call is still told about");
    let json = serde_json::to_value(&calls[0]).unwrap();
    assert!(json.get("voicemail").is_none(), "{json}");
}

#[test]
fn the_list_is_newest_first_and_limited() {
    let (_dir, mut store) = open();
    for (i, start) in [100, 300, 200].into_iter().enumerate() {
        let (call, message) = left(&format!("sip:20{i}@pbx.example"), "", start);
        store.record_voicemail(&call, &message, nl()).unwrap();
    }
    let all = store.list_voicemail(10).unwrap();
    let files: Vec<&str> = all.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(files, ["300.wav", "200.wav", "100.wav"]);
    assert_eq!(store.list_voicemail(2).unwrap().len(), 2);
    assert_eq!(store.list_voicemail(0).unwrap().len(), 0);
}

#[test]
fn heard_marks_count_and_a_missing_id_is_not_found() {
    let (_dir, mut store) = open();
    let mut ids = Vec::new();
    for start in [1, 2, 3] {
        let (call, message) = left("sip:201@pbx.example", "", start);
        ids.push(store.record_voicemail(&call, &message, nl()).unwrap().id);
    }
    assert_eq!(store.unheard_voicemail().unwrap(), 3);
    store.set_voicemail_heard(ids[0], true).unwrap();
    store.set_voicemail_heard(ids[1], true).unwrap();
    assert_eq!(store.unheard_voicemail().unwrap(), 1);
    assert!(store.voicemail(ids[0]).unwrap().unwrap().heard);
    store.set_voicemail_heard(ids[0], false).unwrap();
    assert_eq!(store.unheard_voicemail().unwrap(), 2);
    let err = store
        .set_voicemail_heard(VoicemailId(77), true)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::VoicemailNotFound(VoicemailId(77))),
        "{err}"
    );
}

#[test]
fn deleting_returns_the_row_and_keeps_the_call() {
    let (_dir, mut store) = open();
    let (call, message) = left("sip:201@pbx.example", "", 0);
    let entry = store.record_voicemail(&call, &message, nl()).unwrap();
    let deleted = store.delete_voicemail(entry.id).unwrap();
    assert_eq!(deleted, entry);
    assert_eq!(store.voicemail(entry.id).unwrap(), None);
    assert_eq!(store.unheard_voicemail().unwrap(), 0);
    let calls = store.history(HistoryFilter::All, "", 10).unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].voicemail, None);
    assert!(matches!(
        store.delete_voicemail(entry.id),
        Err(StoreError::VoicemailNotFound(_))
    ));
}

#[test]
fn deleting_the_call_keeps_the_message() {
    let (_dir, mut store) = open();
    let (call, message) = left("sip:201@pbx.example", "", 0);
    let entry = store.record_voicemail(&call, &message, nl()).unwrap();
    let history = entry.history.unwrap();
    store.delete_history_entry(history).unwrap();
    let kept = store.voicemail(entry.id).unwrap().unwrap();
    assert_eq!(kept.history, None);
    assert_eq!(kept.file, entry.file);
    let (call, message) = left("sip:202@pbx.example", "", 5);
    store.record_voicemail(&call, &message, nl()).unwrap();
    store.clear_history().unwrap();
    assert_eq!(store.list_voicemail(10).unwrap().len(), 2);
}

#[test]
fn a_failed_message_insert_leaves_no_call_behind() {
    let (_dir, mut store) = open();
    // Make the message's insert fail after the call's: the transaction must undo both.
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON voicemail
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    let (call, message) = left("sip:201@pbx.example", "", 0);
    assert!(store.record_voicemail(&call, &message, nl()).is_err());
    assert_eq!(store.history_count().unwrap(), 0);
}

#[test]
fn a_version_3_database_gains_the_table_and_keeps_its_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parla.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute(
            "INSERT INTO call_history (direction, started_ms, ended_ms, result, seen)
             VALUES ('incoming', 1, 2, 'missed', 0)",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap().store;
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(store.history_count().unwrap(), 1);
    assert_eq!(store.unseen_missed_count().unwrap(), 1);
    let (call, message) = left("sip:201@pbx.example", "", 0);
    store.record_voicemail(&call, &message, nl()).unwrap();
    assert_eq!(store.list_voicemail(10).unwrap().len(), 1);
}

fn entry_with_file(file: &str) -> VoicemailEntry {
    VoicemailEntry {
        id: VoicemailId(3),
        account: "work".into(),
        from: "sip:201@pbx.example".into(),
        number: "201".into(),
        name: String::new(),
        start: rfc3339_utc(0),
        start_ms: 0,
        duration_ms: 1000,
        heard: false,
        file: file.into(),
        missing: false,
        history: None,
    }
}

#[test]
fn files_are_found_removed_and_kept_inside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(VOICEMAIL_DIR);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("3.wav"), b"RIFF").unwrap();
    std::fs::write(dir.path().join("outside.wav"), b"RIFF").unwrap();

    let mut entry = entry_with_file("3.wav");
    entry.check_file(&folder);
    assert!(!entry.missing);
    entry.remove_file(&folder).unwrap();
    assert!(!folder.join("3.wav").exists());
    entry.check_file(&folder);
    assert!(entry.missing);
    // Already gone: fine.
    entry.remove_file(&folder).unwrap();

    for name in ["../outside.wav", "/etc/passwd", "", "sub/3.wav"] {
        let mut odd = entry_with_file(name);
        assert_eq!(odd.path_in(&folder), None, "{name}");
        odd.check_file(&folder);
        assert!(odd.missing, "{name}");
        odd.remove_file(&folder).unwrap();
    }
    assert!(dir.path().join("outside.wav").exists());
}

#[test]
fn export_refuses_other_formats_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(VOICEMAIL_DIR);
    std::fs::create_dir_all(&folder).unwrap();
    let entry = entry_with_file("3.wav");
    let err = entry
        .export(&folder, &dir.path().join("out.mp3"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            VoicemailFileError::Export(ExportError::UnsupportedFormat(_))
        ),
        "{err}"
    );
    let err = entry
        .export(&folder, &dir.path().join("out.wav"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            VoicemailFileError::Missing {
                id: VoicemailId(3),
                ..
            }
        ),
        "{err}"
    );
    assert!(!dir.path().join("out.wav").exists());
    let escape = entry_with_file("../3.wav");
    assert!(matches!(
        escape.export(&folder, &dir.path().join("out.ogg")),
        Err(VoicemailFileError::Missing { .. })
    ));
}

#[test]
fn export_formats_by_extension() {
    for ok in ["a.wav", "a.WAV", "dir/a.ogg", "a.opus"] {
        assert!(is_export_format(Path::new(ok)), "{ok}");
    }
    for refused in ["a.mp3", "a", "wav", "a.wav.txt", ".ogg"] {
        assert!(!is_export_format(Path::new(refused)), "{refused}");
    }
}
