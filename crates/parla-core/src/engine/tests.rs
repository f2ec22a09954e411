//! The engine's own decisions about the database, with a real SQLite file and no SIP traffic:
//! what it says when the database cannot be opened, when it syncs company directories, and
//! what an `import_contacts` of a file gives.

use super::*;
use crate::api::{PlaybackState, SyncState};
use crate::config::DirectoryConfig;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// The next event that is `wanted`, within 30 s of real time (tokio's timers would jump ahead
/// on a paused clock while the database and directory threads work).
async fn next(
    events: &mut UnboundedReceiver<Event>,
    what: &str,
    wanted: impl Fn(&Event) -> bool,
) -> Event {
    let (expired, deadline) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30));
        let _ = expired.send(());
    });
    let found = async {
        loop {
            match events.recv().await {
                Some(event) if wanted(&event) => return event,
                Some(_) => {}
                None => panic!("the engine stopped before {what}"),
            }
        }
    };
    tokio::select! {
        event = found => event,
        _ = deadline => panic!("no {what} within 30 s"),
    }
}

/// A config whose one line listens only (no registration) and reads its directory from `csv`.
fn with_directory(csv: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "127.0.0.1".into(),
        register: false,
        region: Some("NL".into()),
        directory: Some(DirectoryConfig {
            path: Some(csv.to_path_buf()),
            ..Default::default()
        }),
        ..AccountConfig::default()
    });
    config
}

#[tokio::test]
async fn a_database_that_cannot_open_is_said_once_and_every_request_gets_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should be: SQLite cannot open it, nor can it be moved aside.
    let path = dir.path().join("parla.db");
    std::fs::create_dir(&path).unwrap();
    let (tx, mut events) = mpsc::unbounded_channel();
    let (commands, rx) = mpsc::channel(8);
    let engine = Engine::new(Config::default(), tx, Vec::new()).with_store(path);
    let running = tokio::spawn(engine.run(rx));
    let said = next(&mut events, "the database state", |e| {
        matches!(e, Event::Database { .. })
    })
    .await;
    assert!(
        matches!(
            &said,
            Event::Database {
                state: DatabaseState::Unavailable,
                reason: Some(_),
                ..
            }
        ),
        "{said:?}"
    );
    commands
        .send(Command::SearchContacts {
            query: "ada".into(),
            filter: Default::default(),
            limit: 10,
            request: Some(5),
        })
        .await
        .unwrap();
    let refused = next(&mut events, "the refusal", |e| {
        matches!(e, Event::Error { .. })
    })
    .await;
    assert!(
        matches!(
            refused,
            Event::Error {
                kind: ErrorKind::StoreUnavailable,
                request: Some(5),
                ..
            }
        ),
        "{refused:?}"
    );
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn directories_sync_at_start_every_hour_and_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("company.csv");
    std::fs::write(
        &csv,
        "First Name,Last Name,Phone\nGrace,Hopper,+1 202 555 0100\n",
    )
    .unwrap();
    let (tx, mut events) = mpsc::unbounded_channel();
    let (commands, rx) = mpsc::channel(8);
    let engine =
        Engine::new(with_directory(&csv), tx, Vec::new()).with_store(dir.path().join("parla.db"));
    let running = tokio::spawn(engine.run(rx));
    let synced = |e: &Event| {
        matches!(
            e,
            Event::DirectorySync {
                state: SyncState::Synced,
                request: None,
                ..
            }
        )
    };
    let started = tokio::time::Instant::now();
    next(&mut events, "the sync at start", synced).await;
    next(&mut events, "the hourly sync", synced).await;
    // The clock is paused: it moves only to the engine's next timer, so the second sync can
    // only have come from the hourly one.
    assert!(
        started.elapsed() >= directories::EVERY,
        "the second sync comes an hour after the start, not {:?}",
        started.elapsed()
    );

    commands
        .send(Command::SyncDirectories {
            account: Some(AccountId::new("elsewhere")),
            request: Some(3),
        })
        .await
        .unwrap();
    let unknown = next(&mut events, "the refusal", |e| {
        matches!(
            e,
            Event::Error {
                request: Some(3),
                ..
            }
        )
    })
    .await;
    assert!(matches!(
        unknown,
        Event::Error {
            kind: ErrorKind::NoSuchAccount,
            ..
        }
    ));

    std::fs::remove_file(&csv).unwrap();
    commands
        .send(Command::SyncDirectories {
            account: Some(AccountId::new("work")),
            request: Some(4),
        })
        .await
        .unwrap();
    let failed = next(&mut events, "the failed sync", |e| {
        matches!(
            e,
            Event::DirectorySync {
                request: Some(4),
                ..
            }
        )
    })
    .await;
    assert!(
        matches!(
            &failed,
            Event::DirectorySync {
                state: SyncState::Failed,
                reason: Some(_),
                ..
            }
        ),
        "{failed:?}"
    );
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}

/// An engine on a fresh database in `dir`, with no line.
fn store_engine(
    dir: &std::path::Path,
) -> (
    mpsc::Sender<Command>,
    UnboundedReceiver<Event>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, events) = mpsc::unbounded_channel();
    let (commands, rx) = mpsc::channel(8);
    let engine = Engine::new(Config::default(), tx, Vec::new()).with_store(dir.join("parla.db"));
    (commands, events, tokio::spawn(engine.run(rx)))
}

fn answers(request: u64) -> impl Fn(&Event) -> bool {
    move |e| {
        matches!(
            e,
            Event::ContactsImported { request: Some(r), .. } | Event::Error { request: Some(r), .. }
                if *r == request
        )
    }
}

#[tokio::test]
async fn a_csv_file_is_imported_and_found_and_a_second_import_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "First Name,Last Name,Phone\nAda,Lovelace,+44 20 7946 0018\nGrace,Hopper,+1 202 555 0100\n\
         Nobody,,\n",
    )
    .unwrap();
    let (commands, mut events, running) = store_engine(dir.path());
    commands
        .send(Command::ImportContacts {
            path: csv.clone(),
            request: Some(21),
        })
        .await
        .unwrap();
    let imported = next(&mut events, "the import", answers(21)).await;
    let Event::ContactsImported {
        imported: 2,
        refused: 1,
        refused_rows,
        ..
    } = &imported
    else {
        panic!("{imported:?}");
    };
    assert!(refused_rows[0].starts_with("row 4:"), "{refused_rows:?}");
    next(&mut events, "the change", |e| {
        matches!(e, Event::ContactsChanged { request: Some(21) })
    })
    .await;
    commands
        .send(Command::SearchContacts {
            query: "lovelace".into(),
            filter: Default::default(),
            limit: 10,
            request: Some(22),
        })
        .await
        .unwrap();
    let found = next(&mut events, "the search", |e| {
        matches!(
            e,
            Event::Contacts {
                request: Some(22),
                ..
            }
        )
    })
    .await;
    let Event::Contacts { contacts, .. } = &found else {
        unreachable!()
    };
    assert_eq!(contacts.len(), 1, "{found:?}");
    assert_eq!(contacts[0].name, "Ada Lovelace");

    // The same file again: every row is a duplicate, nothing is added.
    commands
        .send(Command::ImportContacts {
            path: csv,
            request: Some(23),
        })
        .await
        .unwrap();
    let again = next(&mut events, "the second import", answers(23)).await;
    assert!(
        matches!(
            again,
            Event::ContactsImported {
                imported: 0,
                refused: 3,
                ..
            }
        ),
        "{again:?}"
    );
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}

#[tokio::test]
async fn a_vcard_file_is_told_from_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.dat");
    std::fs::write(
        &file,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\nN:Turing;Alan;;;\r\n\
         TEL;TYPE=WORK:+44 20 7946 0000\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let (commands, mut events, running) = store_engine(dir.path());
    commands
        .send(Command::ImportContacts {
            path: file,
            request: Some(31),
        })
        .await
        .unwrap();
    let imported = next(&mut events, "the import", answers(31)).await;
    assert!(
        matches!(
            imported,
            Event::ContactsImported {
                imported: 1,
                refused: 0,
                ..
            }
        ),
        "{imported:?}"
    );
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}

#[tokio::test]
async fn a_missing_binary_or_headless_file_is_refused_with_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("photo.csv");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0, 0xff, 0xfe, 0x00, 0x1a]).unwrap();
    let no_phone = dir.path().join("names.csv");
    std::fs::write(&no_phone, "First Name,Last Name\nAda,Lovelace\n").unwrap();
    let (commands, mut events, running) = store_engine(dir.path());
    for (request, path) in [
        (41, dir.path().join("missing.csv")),
        (42, binary),
        (43, no_phone),
        // A folder is not a file.
        (44, dir.path().to_path_buf()),
    ] {
        commands
            .send(Command::ImportContacts {
                path,
                request: Some(request),
            })
            .await
            .unwrap();
        let refused = next(&mut events, "the refusal", answers(request)).await;
        assert!(
            matches!(
                &refused,
                Event::Error {
                    kind: ErrorKind::ImportFailed,
                    message,
                    ..
                } if !message.is_empty()
            ),
            "{request}: {refused:?}"
        );
    }
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}

#[test]
fn import_contacts_reads_and_writes_as_the_protocol_says() {
    let command: Command = serde_json::from_str(
        r#"{"cmd":"import_contacts","path":"/home/a/contacts.csv","request":7}"#,
    )
    .unwrap();
    assert_eq!(
        command,
        Command::ImportContacts {
            path: "/home/a/contacts.csv".into(),
            request: Some(7),
        }
    );
    let event = Event::ContactsImported {
        request: Some(7),
        imported: 12,
        refused: 1,
        refused_rows: vec!["row 4: no phone number".into()],
    };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::json!({"event":"contacts_imported","request":7,"imported":12,"refused":1,
            "refused_rows":["row 4: no phone number"]})
    );
    assert_eq!(
        serde_json::to_value(ErrorKind::ImportFailed).unwrap(),
        serde_json::json!("import_failed")
    );
}

#[tokio::test]
async fn a_call_coming_in_stops_a_message_playing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parla.db");
    let folder = dir.path().join(crate::store::VOICEMAIL_DIR);
    std::fs::create_dir_all(&folder).unwrap();
    crate::test_wav::write_wav(&folder.join("m.wav"), 5_000);
    let id = {
        let mut store = crate::store::Store::open(&db).unwrap().store;
        let message = crate::store::NewVoicemail {
            account: "work".into(),
            from: "sip:201@pbx.example".into(),
            name: String::new(),
            started: std::time::SystemTime::now(),
            duration_ms: 5_000,
            file: "m.wav".into(),
        };
        let call = crate::store::CallRecord::incoming_now(crate::store::CallResult::Missed);
        store
            .record_voicemail(&call, &message, crate::store::Region::US)
            .unwrap()
            .id
    };
    let mut config = Config::default();
    config.audio.output = "null".into();
    let (tx, _out) = mpsc::unbounded_channel();
    let mut engine = Engine::new(config, tx, Vec::new()).with_store(db);
    engine.handle(Command::PlayVoicemail {
        id,
        position_ms: None,
    });
    // Not running: the engine's own events wait in its internal channel.
    next(&mut engine.internal, "playing", |e| {
        matches!(
            e,
            Event::Playback {
                state: PlaybackState::Playing,
                ..
            }
        )
    })
    .await;
    engine.forward(Event::IncomingCall {
        call: CallId(1),
        account: AccountId::new("work"),
        from: "sip:202@pbx.example".into(),
        name: None,
    });
    let stopped = next(&mut engine.internal, "stopped", |e| {
        matches!(
            e,
            Event::Playback {
                state: PlaybackState::Stopped,
                ..
            }
        )
    })
    .await;
    let Event::Playback { position_ms, .. } = stopped else {
        unreachable!()
    };
    assert!(position_ms < 5_000, "stopped before the end: {position_ms}");
}
