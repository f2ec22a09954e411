//! Tests of the call history, on real SQLite files in temporary folders.

use std::path::PathBuf;

use super::super::{CallerName, Phone, PhoneLabel};
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

fn call(direction: Direction, uri: &str, result: CallResult, start: u64) -> CallRecord {
    let answered = (result == CallResult::Answered).then(|| at(start + 5));
    CallRecord {
        direction,
        account: "work".into(),
        remote_uri: uri.into(),
        number: String::new(),
        display_name: String::new(),
        started: at(start),
        answered,
        ended: at(start + 65),
        result,
        reason: String::new(),
    }
}

#[test]
fn every_field_and_every_result_round_trips() {
    let (dir, mut store) = open();
    let mut ids = Vec::new();
    for (i, result) in CallResult::ALL.into_iter().enumerate() {
        let mut c = call(
            if i % 2 == 0 {
                Direction::Incoming
            } else {
                Direction::Outgoing
            },
            &format!("sip:+3120123456{i}@pbx.example;user=phone"),
            result,
            i as u64 * 100,
        );
        c.display_name = format!("Caller {i}");
        c.reason = format!("reason {i}");
        c.started += Duration::from_millis(123);
        ids.push((store.record_call(&c, nl()).unwrap(), c));
    }
    drop(store);
    let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    let got = store.history(HistoryFilter::All, "", 100).unwrap();
    assert_eq!(got.len(), CallResult::ALL.len());
    // Newest first.
    for (entry, (id, mut want)) in got.iter().zip(ids.iter().rev().cloned()) {
        assert_eq!(entry.id, id);
        want.number = numbers::uri_user(&want.remote_uri).to_string();
        assert_eq!(entry.call, want);
        assert_eq!(entry.name, want.display_name);
        assert_eq!(entry.contact, None);
        assert_eq!(entry.seen, want.result != CallResult::Missed);
        assert!(entry.e164.as_deref().unwrap().starts_with("+3120123456"));
    }
    let answered = got
        .iter()
        .find(|e| e.call.result == CallResult::Answered)
        .unwrap();
    assert_eq!(answered.call.duration(), Duration::from_secs(60));
    let busy = got
        .iter()
        .find(|e| e.call.result == CallResult::Busy)
        .unwrap();
    assert_eq!(busy.call.duration(), Duration::ZERO);
    assert_eq!(busy.call.reason, "reason 3");
}

#[test]
fn filters_missed_count_delete_and_clear() {
    let (_dir, mut store) = open();
    use CallResult::*;
    use Direction::*;
    store
        .record_call(&call(Incoming, "sip:1@x", Missed, 1), nl())
        .unwrap();
    let answered = store
        .record_call(&call(Incoming, "sip:2@x", Answered, 2), nl())
        .unwrap();
    store
        .record_call(&call(Outgoing, "sip:3@x", Cancelled, 3), nl())
        .unwrap();
    store
        .record_call(&call(Incoming, "sip:4@x", Missed, 4), nl())
        .unwrap();
    store
        .record_call(&call(Incoming, "sip:5@x", Blocked, 5), nl())
        .unwrap();
    let numbers_of = |store: &Store, f: HistoryFilter| -> Vec<String> {
        store
            .history(f, "", 100)
            .unwrap()
            .into_iter()
            .map(|e| e.call.number)
            .collect()
    };
    assert_eq!(
        numbers_of(&store, HistoryFilter::All),
        ["5", "4", "3", "2", "1"]
    );
    assert_eq!(numbers_of(&store, HistoryFilter::Missed), ["4", "1"]);
    assert_eq!(
        numbers_of(&store, HistoryFilter::Incoming),
        ["5", "4", "2", "1"]
    );
    assert_eq!(numbers_of(&store, HistoryFilter::Outgoing), ["3"]);
    assert_eq!(store.history(HistoryFilter::All, "", 2).unwrap().len(), 2);

    assert_eq!(store.unseen_missed_count().unwrap(), 2);
    assert_eq!(store.mark_missed_seen().unwrap(), 2);
    assert_eq!(store.unseen_missed_count().unwrap(), 0);
    store
        .record_call(&call(Incoming, "sip:6@x", Missed, 6), nl())
        .unwrap();
    assert_eq!(store.unseen_missed_count().unwrap(), 1);

    store.delete_history_entry(answered).unwrap();
    assert!(matches!(
        store.delete_history_entry(answered),
        Err(StoreError::HistoryNotFound(_))
    ));
    assert_eq!(
        numbers_of(&store, HistoryFilter::Incoming),
        ["6", "5", "4", "1"]
    );
    assert_eq!(store.clear_history().unwrap(), 5);
    assert_eq!(store.history_count().unwrap(), 0);
    assert_eq!(store.unseen_missed_count().unwrap(), 0);
}

#[test]
fn contact_names_win_and_search_finds_names_and_digits() {
    let (_dir, mut store) = open();
    let anna = store
        .add_contact(
            &ContactFields {
                first_name: "Anna".into(),
                last_name: "Jansen".into(),
                phones: vec![Phone::new(PhoneLabel::Mobile, "06 12345678")],
                ..Default::default()
            },
            nl(),
        )
        .unwrap();
    let mut from_anna = call(
        Direction::Incoming,
        "sip:0031612345678@pbx",
        CallResult::Missed,
        1,
    );
    from_anna.display_name = "Mobile 1".into();
    store.record_call(&from_anna, nl()).unwrap();
    let mut stranger = call(
        Direction::Outgoing,
        "sip:+34912345678@pbx",
        CallResult::Answered,
        2,
    );
    stranger.display_name = "José García".into();
    store.record_call(&stranger, nl()).unwrap();
    let mut ext = call(Direction::Incoming, "sip:201@pbx", CallResult::Busy, 3);
    ext.number = "201".into();
    store.record_call(&ext, nl()).unwrap();

    let all = store.history(HistoryFilter::All, "", 10).unwrap();
    let names: Vec<_> = all.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["201", "José García", "Anna Jansen"]);
    assert_eq!(all[2].contact, Some(anna));
    assert_eq!(all[2].e164.as_deref(), Some("+31612345678"));

    let find = |store: &Store, q: &str| -> Vec<String> {
        store
            .history(HistoryFilter::All, q, 10)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect()
    };
    assert_eq!(find(&store, "jans"), ["Anna Jansen"]);
    assert_eq!(find(&store, "anna jansen"), ["Anna Jansen"]);
    assert_eq!(find(&store, "mobile"), ["Anna Jansen"]); // the display name the call carried
    assert_eq!(find(&store, "josé"), ["José García"]);
    assert_eq!(find(&store, "2345"), ["José García", "Anna Jansen"]);
    assert_eq!(find(&store, "06 123"), ["Anna Jansen"]); // national form of a call from 0031...
    assert_eq!(find(&store, "+34 91"), ["José García"]);
    assert_eq!(find(&store, "201"), ["201"]);
    assert!(find(&store, "nobody").is_empty());
    assert!(store
        .history(HistoryFilter::Outgoing, "anna", 10)
        .unwrap()
        .is_empty());

    // Renaming the contact renames old calls; deleting it falls back to the display name.
    let mut renamed = store.contact(anna).unwrap().unwrap().fields;
    renamed.first_name = "Anne".into();
    store.update_contact(anna, &renamed, nl()).unwrap();
    assert_eq!(find(&store, "2345")[1], "Anne Jansen");
    store.delete_contact(anna).unwrap();
    assert_eq!(find(&store, "2345")[1], "Mobile 1");
}

#[test]
fn caller_name_gives_name_and_block_mark() {
    let (_dir, mut store) = open();
    let id = store
        .add_contact(
            &ContactFields {
                company: "Spam Ltd".into(),
                phones: vec![Phone::new(PhoneLabel::Work, "+31 20 999 0000")],
                blocked: true,
                ..Default::default()
            },
            nl(),
        )
        .unwrap();
    let c = store
        .caller_name("sip:0209990000@pbx.example", nl())
        .unwrap()
        .unwrap();
    assert_eq!(
        c,
        CallerName {
            contact: id,
            name: "Spam Ltd".into(),
            blocked: true
        }
    );
    assert!(store
        .caller_name("sip:anonymous@x", nl())
        .unwrap()
        .is_none());
    assert!(store.caller_name("0209990001", nl()).unwrap().is_none());
}

#[test]
fn a_sip_caller_is_found_by_the_contacts_address() {
    let (_dir, mut store) = open();
    let ana = store
        .add_contact(
            &ContactFields {
                first_name: "Ana".into(),
                last_name: "López".into(),
                emails: vec!["ana.lopez@example.com".into()],
                ..Default::default()
            },
            nl(),
        )
        .unwrap();
    for from in [
        "sip:ana.lopez@example.com",
        "<sips:Ana.Lopez@Example.COM:5061;transport=tls>",
        "sip:ana.lopez@example.com;user=phone?subject=hi",
    ] {
        let found = store.caller_name(from, nl()).unwrap();
        assert_eq!(
            found.map(|c| (c.contact, c.name)),
            Some((ana, "Ana López".into())),
            "{from}"
        );
    }
    assert!(store
        .caller_name("sip:ana.lopez@other.example", nl())
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .find_by_number("sip:ana.lopez@example.com", nl())
            .unwrap()
            .map(|c| c.id),
        Some(ana)
    );
}

#[test]
fn network_text_is_bounded() {
    let (_dir, mut store) = open();
    let mut c = call(Direction::Incoming, "sip:1@x", CallResult::Failed, 1);
    c.display_name = "é".repeat(5000);
    c.reason = "x".repeat(100_000);
    store.record_call(&c, nl()).unwrap();
    let e = &store.history(HistoryFilter::All, "", 1).unwrap()[0];
    assert!(e.call.display_name.len() <= MAX_HISTORY_TEXT_BYTES);
    assert!(e.call.display_name.chars().all(|ch| ch == 'é'));
    assert_eq!(e.call.reason.len(), MAX_HISTORY_TEXT_BYTES);
}

#[test]
fn history_exports_as_csv() {
    let (_dir, mut store) = open();
    let mut c = call(
        Direction::Outgoing,
        "sip:+31201234567@pbx",
        CallResult::Answered,
        0,
    );
    c.display_name = "Front desk, \"main\"".into();
    c.reason = "BYE".into();
    store.record_call(&c, nl()).unwrap();
    store
        .record_call(
            &call(Direction::Incoming, "sip:201@pbx", CallResult::Missed, 100),
            nl(),
        )
        .unwrap();
    let mut out = Vec::new();
    assert_eq!(store.export_history_csv(&mut out).unwrap(), 2);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Started,Direction,Line,Name,Number,Remote URI,Answered,Ended,Duration (s),Result,Reason,Display Name",
            "2023-11-14T22:15:00Z,incoming,work,201,201,sip:201@pbx,,2023-11-14T22:16:05Z,0,missed,,",
            "2023-11-14T22:13:20Z,outgoing,work,\"Front desk, \"\"main\"\"\",+31201234567,sip:+31201234567@pbx,2023-11-14T22:13:25Z,2023-11-14T22:14:25Z,60,answered,BYE,\"Front desk, \"\"main\"\"\"",
        ]
    );
}

const KILL_DB_ENV: &str = "PARLA_HISTORY_KILL9_DB";

fn numbered_call(i: u64) -> CallRecord {
    let mut c = call(
        Direction::Incoming,
        &format!("sip:+3120{i:07}@pbx.example"),
        CallResult::Missed,
        i,
    );
    c.display_name = format!("Caller {i}");
    c.reason = format!("reason {i} ").repeat(20);
    c
}

/// Runs only as the child of `kill_9_while_recording_leaves_whole_rows`: records calls and
/// imports small CSV files, forever.
#[test]
#[ignore = "not a test: the child process that kill_9_while_recording_leaves_whole_rows starts and kills"]
fn kill_9_history_child() {
    let Ok(db) = std::env::var(KILL_DB_ENV) else {
        return;
    };
    let db = PathBuf::from(db);
    let mut store = Store::open(&db).unwrap().store;
    std::fs::write(db.with_extension("started"), b"").unwrap();
    for i in 0u64.. {
        store.record_call(&numbered_call(i), nl()).unwrap();
        if i % 25 == 0 {
            let mut csv = String::from("first name,last name,phone\n");
            for j in 0..50 {
                csv.push_str(&format!("Kill{i},Batch{j},+31 30 {:07}\n", i * 100 + j));
            }
            store.import_csv_bytes(csv.as_bytes(), nl()).unwrap();
        }
    }
}

#[test]
fn kill_9_while_recording_leaves_whole_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parla.db");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::history::tests::kill_9_history_child",
            "--ignored",
            "--test-threads=1",
        ])
        .env(KILL_DB_ENV, &db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let started = db.with_extension("started");
    while !started.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(started.exists(), "the child never started");
    // Kill once a few hundred calls are in, i.e. in the middle of the loop.
    let watcher = Store::open(&db).unwrap().store;
    while watcher.history_count().unwrap() < 300 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    drop(watcher);

    let opened = Store::open(&db).unwrap();
    assert!(opened.moved_aside.is_none(), "the database must survive");
    let store = opened.store;
    let check: String = store
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let n = store.history_count().unwrap();
    assert!(n >= 300, "{n} calls");
    // Every row is whole: each one is exactly the call the child wrote for its number.
    let entries = store.history(HistoryFilter::All, "", usize::MAX).unwrap();
    let mut seen: Vec<u64> = Vec::new();
    for e in &entries {
        let i: u64 = e.call.display_name["Caller ".len()..].parse().unwrap();
        let mut want = numbered_call(i);
        want.number = numbers::uri_user(&want.remote_uri).to_string();
        assert_eq!(e.call, want);
        assert_eq!(e.id, HistoryId(i as i64 + 1));
        seen.push(i);
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<_>>(), "no gaps");
    // Imports are all-or-nothing: whole batches of 50 only.
    assert_eq!(store.contact_count().unwrap() % 50, 0);
}

#[test]
fn a_recorded_call_keeps_its_file_and_others_have_none() {
    let (_dir, mut store) = open();
    let path = "/home/u/.parla/recordings/2026-12-02_05-30-00_0612345678.ogg";
    store
        .record_call_with(
            &call(
                Direction::Outgoing,
                "sip:0612345678@x",
                CallResult::Answered,
                1,
            ),
            &CallExtras {
                recording: Some(path.to_string()),
                mos: None,
            },
            nl(),
        )
        .unwrap();
    store
        .record_call(
            &call(
                Direction::Outgoing,
                "sip:0612345679@x",
                CallResult::Answered,
                2,
            ),
            nl(),
        )
        .unwrap();
    let got = store.history(HistoryFilter::All, "", 10).unwrap();
    assert_eq!(got[0].recording, None);
    assert_eq!(got[1].recording.as_deref(), Some(path));
    let json = serde_json::to_value(&got[1]).unwrap();
    assert_eq!(json["recording"], path);
    assert!(serde_json::to_value(&got[0])
        .unwrap()
        .get("recording")
        .is_none());
}

#[test]
fn a_call_keeps_its_mos_and_others_have_none() {
    let (dir, mut store) = open();
    let answered = call(
        Direction::Incoming,
        "sip:0612345678@x",
        CallResult::Answered,
        1,
    );
    let extras = CallExtras {
        recording: None,
        mos: Some(4.27),
    };
    store.record_call_with(&answered, &extras, nl()).unwrap();
    let missed = call(
        Direction::Incoming,
        "sip:0612345679@x",
        CallResult::Missed,
        2,
    );
    store.record_call(&missed, nl()).unwrap();
    // Nonsense is not kept as a score; out of range is brought into it.
    let odd = |mos| CallExtras {
        recording: None,
        mos: Some(mos),
    };
    let third = call(
        Direction::Outgoing,
        "sip:0612345670@x",
        CallResult::Answered,
        3,
    );
    store
        .record_call_with(&third, &odd(f32::NAN), nl())
        .unwrap();
    let fourth = call(
        Direction::Outgoing,
        "sip:0612345671@x",
        CallResult::Answered,
        4,
    );
    store.record_call_with(&fourth, &odd(9.0), nl()).unwrap();
    drop(store);

    // Read back from the file by a new connection.
    let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    let rows = store.history(HistoryFilter::All, "", 10).unwrap();
    let mos: Vec<_> = rows.iter().map(|r| r.mos).collect();
    assert_eq!(mos, [Some(4.5), None, None, Some(4.27)]);
    let json = serde_json::to_value(&rows[3]).unwrap();
    assert!(
        (json["mos"].as_f64().unwrap() - 4.27).abs() < 1e-6,
        "{json}"
    );
    assert!(serde_json::to_value(&rows[2]).unwrap().get("mos").is_none());
}

#[test]
fn a_call_left_under_way_is_interrupted_at_its_last_checkpoint() {
    let (dir, mut store) = open();
    let path = dir.path().join("parla.db");
    // Answered at +5 s, last known up at +42 s, then the process died.
    let mut up = call(
        Direction::Outgoing,
        "sip:+31201234567@pbx",
        CallResult::Answered,
        0,
    );
    up.display_name = "Anna".into();
    store.call_in_progress(7, &up, nl()).unwrap();
    store.checkpoint_calls(at(42)).unwrap();
    // A call that rang and was never answered, also left under way.
    let ringing = call(Direction::Incoming, "sip:201@pbx", CallResult::Missed, 10);
    store.call_in_progress(8, &ringing, nl()).unwrap();
    // A call that ended properly is not one of them.
    let done = call(Direction::Incoming, "sip:202@pbx", CallResult::Answered, 20);
    store.call_in_progress(9, &done, nl()).unwrap();
    store.record_call(&done, nl()).unwrap();
    assert_eq!(store.calls_in_progress().unwrap(), 2);
    drop(store);

    let mut store = Store::open(&path).unwrap().store;
    assert_eq!(store.interrupt_unfinished_calls().unwrap(), 2);
    assert_eq!(store.calls_in_progress().unwrap(), 0);
    let rows = store.history(HistoryFilter::All, "", 10).unwrap();
    assert_eq!(rows.len(), 3);
    let anna = rows.iter().find(|r| r.name == "Anna").unwrap();
    assert_eq!(anna.call.result, CallResult::Interrupted);
    assert_eq!(anna.call.reason, in_progress::INTERRUPTED_REASON);
    assert_eq!(anna.call.started, at(0));
    assert_eq!(anna.call.answered, Some(at(5)));
    // Ended at the checkpoint (+42 s) or later: the note itself is a checkpoint (now).
    assert!(anna.call.ended >= at(42));
    assert_eq!(anna.e164.as_deref(), Some("+31201234567"));
    assert!(anna.seen);
    let rang = rows.iter().find(|r| r.call.number == "201").unwrap();
    assert_eq!(rang.call.result, CallResult::Interrupted);
    assert_eq!(rang.call.answered, None);
    assert_eq!(rang.call.duration(), Duration::ZERO);
    let ended = rows.iter().find(|r| r.call.number == "202").unwrap();
    assert_eq!(ended.call.result, CallResult::Answered);
    // Nothing is counted as missed, and a second start finds nothing left.
    assert_eq!(store.unseen_missed_count().unwrap(), 0);
    assert_eq!(store.interrupt_unfinished_calls().unwrap(), 0);
    let json = serde_json::to_value(anna).unwrap();
    assert_eq!(json["result"], "interrupted");
}

#[test]
fn noting_a_call_again_updates_it() {
    let (_dir, mut store) = open();
    let mut c = call(Direction::Incoming, "sip:203@pbx", CallResult::Missed, 0);
    store.call_in_progress(1, &c, nl()).unwrap();
    c.answered = Some(at(3));
    store.call_in_progress(1, &c, nl()).unwrap();
    assert_eq!(store.calls_in_progress().unwrap(), 1);
    assert_eq!(store.interrupt_unfinished_calls().unwrap(), 1);
    let rows = store.history(HistoryFilter::All, "", 10).unwrap();
    assert_eq!(rows[0].call.answered, Some(at(3)));
}
