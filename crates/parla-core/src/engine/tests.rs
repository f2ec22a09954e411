//! The engine's own decisions about the database, with a real SQLite file and no SIP traffic:
//! what it says when the database cannot be opened, and when it syncs company directories.

use super::*;
use crate::api::SyncState;
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
