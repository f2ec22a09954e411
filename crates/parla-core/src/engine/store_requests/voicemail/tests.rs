//! The voicemail requests against a real SQLite file and a real `voicemail/` folder in a
//! temporary profile, through the store thread as the engine runs them.

use super::super::tests::Bench;
use crate::api::{Command, ErrorKind, Event};
use crate::config::Config;
use crate::engine::Engine;
use crate::store::{
    CallRecord, CallResult, Direction, HistoryFilter, NewVoicemail, Region, Store, VoicemailEntry,
    VoicemailId, DB_FILE_NAME, VOICEMAIL_DIR,
};
use crate::test_wav::write_wav;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

fn nl() -> Region {
    "NL".parse().unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn left(uri: &str, start: u64) -> (CallRecord, NewVoicemail) {
    let call = CallRecord {
        direction: Direction::Incoming,
        account: "work".into(),
        remote_uri: uri.into(),
        number: String::new(),
        display_name: String::new(),
        started: at(start),
        answered: Some(at(start + 20)),
        ended: at(start + 30),
        result: CallResult::Missed,
        reason: "voicemail".into(),
    };
    let message = NewVoicemail {
        account: "work".into(),
        from: uri.into(),
        name: "Anna Jansen".into(),
        started: at(start),
        duration_ms: 1_000,
        file: format!("msg-{start}.wav"),
    };
    (call, message)
}

/// The shared bench, with two messages (the older one heard) whose files are in the folder.
async fn bench() -> (Bench, VoicemailEntry, VoicemailEntry) {
    let mut bench = super::super::tests::bench();
    std::fs::create_dir_all(bench.folder()).unwrap();
    let mut entries = Vec::new();
    for start in [0, 100] {
        let (call, message) = left("sip:0612345678@pbx.example", start);
        write_wav(&bench.folder().join(&message.file), 1_000);
        let link = &bench.requests.link;
        let entry = link
            .record_voicemail(call, message, Default::default(), nl())
            .await;
        entries.push(entry.expect("recorded"));
    }
    let older = entries.remove(0);
    let newer = entries.remove(0);
    bench
        .ask(Command::SetVoicemailHeard {
            id: older.id,
            heard: true,
            request: None,
        })
        .await;
    (bench, older, newer)
}

impl Bench {
    fn folder(&self) -> PathBuf {
        self.dir.path().join(VOICEMAIL_DIR)
    }

    /// The one answer to `command`, however long it takes (an export answers from its own
    /// thread).
    async fn answer(&mut self, command: Command) -> Event {
        self.requests.handle(command);
        tokio::time::timeout(Duration::from_secs(30), self.events.recv())
            .await
            .expect("an answer")
            .expect("the channel is open")
    }

    fn store(&self) -> Store {
        Store::open(&self.dir.path().join(DB_FILE_NAME))
            .unwrap()
            .store
    }
}

fn list(request: u64) -> Command {
    Command::ListVoicemail {
        limit: 300,
        request: Some(request),
    }
}

fn error_kind(event: &Event, request: u64) -> ErrorKind {
    match event {
        Event::Error {
            kind,
            request: Some(r),
            ..
        } if *r == request => *kind,
        other => panic!("not an error for request {request}: {other:?}"),
    }
}

#[tokio::test]
async fn the_list_is_newest_first_with_missing_files_marked() {
    let (mut b, older, newer) = bench().await;
    std::fs::remove_file(b.folder().join(&older.file)).unwrap();
    let answer = b.ask(list(3)).await;
    let [Event::VoicemailMessages {
        request,
        messages,
        unheard,
    }] = answer.as_slice()
    else {
        panic!("{answer:?}")
    };
    assert_eq!(*request, Some(3));
    assert_eq!(*unheard, 1);
    let ids: Vec<VoicemailId> = messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, [newer.id, older.id]);
    assert!(!messages[0].missing && !messages[0].heard);
    assert!(messages[1].missing && messages[1].heard);
    assert_eq!(messages[0].name, "Anna Jansen");
    assert_eq!(messages[0].number, "0612345678");
    let json = serde_json::to_value(&answer[0]).unwrap();
    assert_eq!(json["event"], "voicemail_messages", "{json}");
    assert_eq!(json["messages"][1]["missing"], true, "{json}");
    assert!(json["messages"][0].get("missing").is_none(), "{json}");
}

#[tokio::test]
async fn marking_heard_answers_with_the_new_count_and_an_unknown_id_is_not_found() {
    let (mut b, _older, newer) = bench().await;
    let answer = b
        .ask(Command::SetVoicemailHeard {
            id: newer.id,
            heard: true,
            request: Some(4),
        })
        .await;
    assert_eq!(
        answer,
        [Event::VoicemailChanged {
            request: Some(4),
            unheard: 0
        }]
    );
    let answer = b
        .ask(Command::SetVoicemailHeard {
            id: newer.id,
            heard: false,
            request: Some(5),
        })
        .await;
    assert_eq!(
        answer,
        [Event::VoicemailChanged {
            request: Some(5),
            unheard: 1
        }]
    );
    let answer = b
        .ask(Command::SetVoicemailHeard {
            id: VoicemailId(999),
            heard: true,
            request: Some(6),
        })
        .await;
    assert_eq!(error_kind(&answer[0], 6), ErrorKind::NotFound);
}

#[tokio::test]
async fn deleting_removes_the_file_and_the_row_and_a_gone_file_is_fine() {
    let (mut b, older, newer) = bench().await;
    let answer = b
        .ask(Command::DeleteVoicemail {
            id: newer.id,
            request: Some(7),
        })
        .await;
    assert_eq!(
        answer,
        [Event::VoicemailChanged {
            request: Some(7),
            unheard: 0
        }]
    );
    assert!(!b.folder().join(&newer.file).exists());
    assert!(b.folder().join(&older.file).exists(), "only that one");
    // The file deleted by hand already: the row goes all the same.
    std::fs::remove_file(b.folder().join(&older.file)).unwrap();
    let answer = b
        .ask(Command::DeleteVoicemail {
            id: older.id,
            request: Some(8),
        })
        .await;
    assert!(
        matches!(answer.as_slice(), [Event::VoicemailChanged { .. }]),
        "{answer:?}"
    );
    let store = b.store();
    assert!(store.list_voicemail(10).unwrap().is_empty());
    assert_eq!(
        store.history(HistoryFilter::All, "", 10).unwrap().len(),
        2,
        "the calls stay in the history"
    );
    let answer = b
        .ask(Command::DeleteVoicemail {
            id: older.id,
            request: Some(9),
        })
        .await;
    assert_eq!(error_kind(&answer[0], 9), ErrorKind::NotFound);
}

#[tokio::test]
async fn export_refuses_unknown_ids_missing_files_and_other_formats() {
    let (mut b, older, newer) = bench().await;
    let out = b.dir.path().join("out.wav");
    let answer = b
        .answer(Command::ExportVoicemail {
            id: VoicemailId(999),
            output: out.clone(),
            request: Some(10),
        })
        .await;
    assert_eq!(error_kind(&answer, 10), ErrorKind::NotFound);

    let answer = b
        .answer(Command::ExportVoicemail {
            id: newer.id,
            output: b.dir.path().join("out.mp3"),
            request: Some(11),
        })
        .await;
    assert_eq!(error_kind(&answer, 11), ErrorKind::ExportFailed);
    assert!(!b.dir.path().join("out.mp3").exists());

    std::fs::remove_file(b.folder().join(&older.file)).unwrap();
    let answer = b
        .answer(Command::ExportVoicemail {
            id: older.id,
            output: out.clone(),
            request: Some(12),
        })
        .await;
    assert_eq!(error_kind(&answer, 12), ErrorKind::FileMissing);
    assert!(!out.exists());

    // There but not audio (damaged): it cannot be exported either, only deleted.
    std::fs::write(b.folder().join(&newer.file), b"not a wav file").unwrap();
    let answer = b
        .answer(Command::ExportVoicemail {
            id: newer.id,
            output: out.clone(),
            request: Some(14),
        })
        .await;
    assert_eq!(error_kind(&answer, 14), ErrorKind::FileMissing);
    assert!(!out.exists());

    // An output that cannot be written: the export's fault, not the message's.
    let (mut b, _older, newer) = bench().await;
    let nowhere = b.dir.path().join("no-such-folder").join("out.wav");
    let answer = b
        .answer(Command::ExportVoicemail {
            id: newer.id,
            output: nowhere,
            request: Some(15),
        })
        .await;
    assert_eq!(error_kind(&answer, 15), ErrorKind::ExportFailed);
}

#[tokio::test]
async fn export_writes_the_message_as_wav() {
    let (mut b, _older, newer) = bench().await;
    let out = b.dir.path().join("exported.wav");
    let answer = b
        .answer(Command::ExportVoicemail {
            id: newer.id,
            output: out.clone(),
            request: Some(13),
        })
        .await;
    assert_eq!(
        answer,
        Event::VoicemailExported {
            request: Some(13),
            id: newer.id,
            path: out.display().to_string(),
        }
    );
    let duration = parla_media::clip::wav_duration_ms(&out).unwrap();
    assert!((900..=1100).contains(&duration), "{duration} ms");
}

/// The engine's next event about the database or voicemail.
async fn next_event(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("an event")
            .expect("the engine runs");
        if matches!(
            event,
            Event::Database { .. } | Event::VoicemailChanged { .. } | Event::Error { .. }
        ) {
            return event;
        }
    }
}

#[tokio::test]
async fn the_engine_says_how_many_messages_wait_and_finds_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(VOICEMAIL_DIR);
    std::fs::create_dir_all(&folder).unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let entry = {
        let mut store = Store::open(&path).unwrap().store;
        let (call, message) = left("sip:201@pbx.example", 0);
        write_wav(&folder.join(&message.file), 500);
        store.record_voicemail(&call, &message, nl()).unwrap()
    };
    let (tx, mut events) = mpsc::unbounded_channel();
    let (commands, rx) = mpsc::channel(8);
    let engine = Engine::new(Config::default(), tx, Vec::new()).with_store(path);
    let running = tokio::spawn(engine.run(rx));
    let said = next_event(&mut events).await;
    assert!(
        matches!(
            said,
            Event::Database {
                unheard_voicemail: 1,
                unseen_missed: 0,
                ..
            }
        ),
        "{said:?}"
    );
    commands
        .send(Command::DeleteVoicemail {
            id: entry.id,
            request: Some(1),
        })
        .await
        .unwrap();
    let deleted = next_event(&mut events).await;
    assert_eq!(
        deleted,
        Event::VoicemailChanged {
            request: Some(1),
            unheard: 0
        }
    );
    assert!(
        !folder.join(&entry.file).exists(),
        "the engine found the profile's voicemail folder"
    );
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}
