use super::*;
use crate::api::{ErrorKind, Event};
use crate::store::{
    CallResult, HistoryFilter, Phone, PhoneLabel, SearchFilter, DB_FILE_NAME, VOICEMAIL_DIR,
};
use std::time::Duration;
use tokio::sync::mpsc;

fn nl() -> Region {
    "NL".parse().unwrap()
}

/// The requests on a profile in a temporary folder (its database and `voicemail/` folder).
pub(super) struct Bench {
    pub(super) requests: StoreRequests,
    pub(super) events: mpsc::UnboundedReceiver<Event>,
    pub(super) dir: tempfile::TempDir,
}

pub(super) fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let (tx, events) = mpsc::unbounded_channel();
    let link = StoreLink::open(dir.path().join(DB_FILE_NAME));
    Bench {
        requests: StoreRequests {
            link,
            events: tx,
            region: nl(),
            voicemail_dir: Some(dir.path().join(VOICEMAIL_DIR)),
        },
        events,
        dir,
    }
}

impl Bench {
    /// Every answer to `command` sent by the time the store thread is done with it.
    pub(super) async fn ask(&mut self, command: Command) -> Vec<Event> {
        self.requests.handle(command);
        // Every answer is sent before the job returns: one more job marks the end.
        let (done, finished) = tokio::sync::oneshot::channel();
        self.requests.link.run(move |_| {
            let _ = done.send(());
        });
        tokio::time::timeout(Duration::from_secs(10), finished)
            .await
            .expect("the store thread answers")
            .unwrap();
        let mut out = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            out.push(event);
        }
        out
    }
}

fn ada() -> ContactFields {
    ContactFields {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phones: vec![Phone::new(PhoneLabel::Mobile, "06 12345678")],
        ..Default::default()
    }
}

fn search(query: &str, request: u64) -> Command {
    Command::SearchContacts {
        query: query.into(),
        filter: SearchFilter::All,
        limit: 200,
        request: Some(request),
    }
}

#[tokio::test]
async fn contacts_are_saved_found_marked_and_deleted_by_request() {
    let mut b = bench();
    let saved = b
        .ask(Command::SaveContact {
            id: None,
            contact: Box::new(ada()),
            request: Some(1),
        })
        .await;
    let Some(Event::ContactSaved { request, id }) = saved.first().cloned() else {
        panic!("{saved:?}")
    };
    assert_eq!(request, Some(1));
    assert!(saved.contains(&Event::ContactsChanged { request: Some(1) }));

    let found = b.ask(search("ada", 7)).await;
    let [Event::Contacts { request, contacts }] = found.as_slice() else {
        panic!("{found:?}")
    };
    assert_eq!(*request, Some(7));
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].name, "Ada Lovelace");
    assert_eq!(
        contacts[0].fields.phones[0].e164.as_deref(),
        Some("+31612345678"),
        "read with the region"
    );

    b.ask(Command::SetFavourite {
        id,
        on: true,
        request: Some(2),
    })
    .await;
    // An edit keeps the favourite mark.
    let mut edited = ada();
    edited.company = "Analytical Engines".into();
    b.ask(Command::SaveContact {
        id: Some(id),
        contact: Box::new(edited),
        request: Some(3),
    })
    .await;
    let got = b
        .ask(Command::GetContact {
            id,
            request: Some(4),
        })
        .await;
    let [Event::Contact {
        contact: Some(entry),
        ..
    }] = got.as_slice()
    else {
        panic!("{got:?}")
    };
    assert!(entry.fields.favourite);
    assert_eq!(entry.fields.company, "Analytical Engines");

    let deleted = b
        .ask(Command::DeleteContact {
            id,
            request: Some(5),
        })
        .await;
    assert_eq!(deleted, vec![Event::ContactsChanged { request: Some(5) }]);
    let again = b
        .ask(Command::DeleteContact {
            id,
            request: Some(6),
        })
        .await;
    assert!(
        matches!(
            again.as_slice(),
            [Event::Error {
                kind: ErrorKind::NotFound,
                request: Some(6),
                ..
            }]
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn an_empty_contact_is_refused_with_its_kind_and_nothing_is_written() {
    let mut b = bench();
    let refused = b
        .ask(Command::SaveContact {
            id: None,
            contact: Box::default(),
            request: Some(9),
        })
        .await;
    assert!(
        matches!(
            refused.as_slice(),
            [Event::Error {
                kind: ErrorKind::InvalidContact,
                request: Some(9),
                ..
            }]
        ),
        "{refused:?}"
    );
    let all = b.ask(search("", 10)).await;
    assert!(matches!(all.as_slice(), [Event::Contacts { contacts, .. }] if contacts.is_empty()));
}

#[tokio::test]
async fn limits_and_queries_from_outside_are_bounded() {
    let mut b = bench();
    for i in 0..3 {
        let mut c = ada();
        c.first_name = format!("Ada{i}");
        b.ask(Command::SaveContact {
            id: None,
            contact: Box::new(c),
            request: None,
        })
        .await;
    }
    let two = b
        .ask(Command::SearchContacts {
            query: String::new(),
            filter: SearchFilter::All,
            limit: 2,
            request: None,
        })
        .await;
    assert!(matches!(two.as_slice(), [Event::Contacts { contacts, .. }] if contacts.len() == 2));
    let huge = b
        .ask(Command::SearchContacts {
            query: "ada ".repeat(100_000),
            filter: SearchFilter::All,
            limit: usize::MAX,
            request: Some(1),
        })
        .await;
    assert!(
        matches!(huge.as_slice(), [Event::Contacts { contacts, .. }] if contacts.len() == 3),
        "{huge:?}"
    );
}

#[tokio::test]
async fn history_is_listed_deleted_cleared_and_missed_calls_marked_seen() {
    let mut b = bench();
    for result in [CallResult::Missed, CallResult::Answered] {
        let call = crate::store::CallRecord::incoming_now(result);
        b.requests.link.record(call, nl()).await;
    }
    let listed = b
        .ask(Command::ListHistory {
            filter: HistoryFilter::Missed,
            query: String::new(),
            limit: 300,
            request: Some(1),
        })
        .await;
    let [Event::History { calls, request }] = listed.as_slice() else {
        panic!("{listed:?}")
    };
    assert_eq!((calls.len(), *request), (1, Some(1)));
    let json = serde_json::to_value(&listed[0]).unwrap();
    assert_eq!(json["calls"][0]["result"], "missed");
    assert!(json["calls"][0]["started"].as_u64().is_some(), "{json}");

    let seen = b.ask(Command::MarkMissedSeen { request: Some(2) }).await;
    assert_eq!(
        seen,
        vec![Event::MissedCalls {
            request: Some(2),
            unseen: 0
        }]
    );
    let id = calls[0].id;
    let deleted = b
        .ask(Command::DeleteHistory {
            id,
            request: Some(3),
        })
        .await;
    assert_eq!(deleted, vec![Event::HistoryChanged { request: Some(3) }]);
    b.ask(Command::ClearHistory { request: Some(4) }).await;
    let empty = b
        .ask(Command::ListHistory {
            filter: HistoryFilter::All,
            query: String::new(),
            limit: 300,
            request: None,
        })
        .await;
    assert!(matches!(empty.as_slice(), [Event::History { calls, .. }] if calls.is_empty()));
}

#[tokio::test]
async fn without_a_database_every_request_is_answered_with_an_error() {
    let (tx, mut events) = mpsc::unbounded_channel();
    let requests = StoreRequests {
        link: StoreLink::none(),
        events: tx,
        region: nl(),
        voicemail_dir: None,
    };
    requests.handle(search("x", 42));
    let event = events.recv().await.unwrap();
    assert!(
        matches!(
            event,
            Event::Error {
                kind: ErrorKind::StoreUnavailable,
                request: Some(42),
                ..
            }
        ),
        "{event:?}"
    );
}
