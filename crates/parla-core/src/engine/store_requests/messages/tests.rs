//! The message requests against a real SQLite file in a temporary profile, through the store
//! thread as the engine runs them.

use super::super::tests::{bench, Bench};
use crate::api::{Command, ErrorKind, Event};
use crate::config::Config;
use crate::engine::Engine;
use crate::store::{
    ContactFields, MessageDirection, MessageEntry, MessageState, NewMessage, Store, DB_FILE_NAME,
    NOT_SENT_STOPPED,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn message(peer: &str, direction: MessageDirection, text: &str, secs: u64) -> NewMessage {
    NewMessage {
        account: "work".into(),
        peer: peer.into(),
        direction,
        text: text.into(),
        time: at(secs),
        state: match direction {
            MessageDirection::Incoming => MessageState::Received,
            MessageDirection::Outgoing => MessageState::Sending,
        },
        display_name: Some("Bobby".into()),
    }
}

/// The bench with Ann a contact (by address), and three messages: two unread from Bob, one
/// sent to Ann (the newest).
async fn with_messages() -> (Bench, Vec<MessageEntry>) {
    let mut b = bench();
    let ann = ContactFields {
        first_name: "Ann".into(),
        last_name: "Akker".into(),
        emails: vec!["ann@a.example".into()],
        ..Default::default()
    };
    let saved = b
        .ask(Command::SaveContact {
            id: None,
            contact: Box::new(ann),
            request: None,
        })
        .await;
    assert!(
        matches!(saved.first(), Some(Event::ContactSaved { .. })),
        "{saved:?}"
    );
    let link = &b.requests.link;
    let mut entries = Vec::new();
    for (peer, direction, text, secs) in [
        (
            "\"Bob\" <sip:bob@B.example>",
            MessageDirection::Incoming,
            "hi",
            1,
        ),
        (
            "sip:bob@b.example;transport=tcp",
            MessageDirection::Incoming,
            "there?",
            2,
        ),
        (
            "sip:ann@a.example",
            MessageDirection::Outgoing,
            "hello Ann",
            3,
        ),
    ] {
        let entry = link
            .add_message(message(peer, direction, text, secs))
            .await
            .expect("kept");
        entries.push(entry);
    }
    (b, entries)
}

fn error_kind(events: &[Event], request: u64) -> ErrorKind {
    match events {
        [Event::Error {
            kind,
            request: Some(r),
            ..
        }] if *r == request => *kind,
        other => panic!("not one error for request {request}: {other:?}"),
    }
}

#[tokio::test]
async fn the_store_link_keeps_updates_and_reads_messages() {
    let (b, entries) = with_messages().await;
    let link = &b.requests.link;
    let sent = &entries[2];
    assert_eq!(sent.peer, "sip:ann@a.example");
    assert_eq!(sent.state, MessageState::Sending);
    let failed = link
        .set_message_state(
            sent.id,
            MessageState::Failed,
            Some(404),
            Some("Not Found".into()),
        )
        .await
        .expect("updated");
    assert_eq!(failed.state, MessageState::Failed);
    assert_eq!(failed.code, Some(404));
    assert_eq!(link.message(sent.id).await, Some(failed));
    // No such message, a refused one, and no database: `None`, never a panic.
    assert_eq!(link.message(crate::store::MessageId(999)).await, None);
    assert!(link
        .set_message_state(crate::store::MessageId(999), MessageState::Sent, None, None)
        .await
        .is_none());
    let too_long = "x".repeat(crate::store::MAX_MESSAGE_BYTES + 1);
    assert!(link
        .add_message(message(
            "sip:a@b.example",
            MessageDirection::Incoming,
            &too_long,
            9
        ))
        .await
        .is_none());
    let none = crate::ua::store_link::StoreLink::none();
    assert!(none
        .add_message(message(
            "sip:a@b.example",
            MessageDirection::Incoming,
            "x",
            9
        ))
        .await
        .is_none());
    assert!(none.message(sent.id).await.is_none());
}

#[tokio::test]
async fn conversations_are_listed_with_names_and_unread_counts() {
    let (mut b, _entries) = with_messages().await;
    let answer = b
        .ask(Command::ListConversations {
            limit: 300,
            request: Some(1),
        })
        .await;
    let [Event::Conversations {
        request,
        conversations,
        unread,
    }] = answer.as_slice()
    else {
        panic!("{answer:?}")
    };
    assert_eq!(*request, Some(1));
    assert_eq!(*unread, 2);
    let rows: Vec<(&str, &str, &str, u64)> = conversations
        .iter()
        .map(|c| {
            (
                c.peer.as_str(),
                c.name.as_str(),
                c.last_text.as_str(),
                c.unread,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("sip:ann@a.example", "Ann Akker", "hello Ann", 0),
            ("sip:bob@b.example", "Bobby", "there?", 2),
        ]
    );
    let json = serde_json::to_value(&answer[0]).unwrap();
    assert_eq!(json["event"], "conversations", "{json}");
    assert_eq!(
        json["conversations"][1]["last_direction"], "incoming",
        "{json}"
    );
}

#[tokio::test]
async fn a_conversation_is_listed_by_any_form_of_its_address() {
    let (mut b, entries) = with_messages().await;
    let answer = b
        .ask(Command::ListMessages {
            peer: "Bob <sips:bob@b.EXAMPLE:5061>".into(),
            limit: 300,
            request: Some(2),
        })
        .await;
    assert_eq!(
        answer,
        [Event::Messages {
            request: Some(2),
            peer: "sip:bob@b.example".into(),
            messages: entries[..2].to_vec(),
        }]
    );
    let answer = b
        .ask(Command::ListMessages {
            peer: "sip:bob@b.example".into(),
            limit: 1,
            request: Some(3),
        })
        .await;
    let [Event::Messages { messages, .. }] = answer.as_slice() else {
        panic!("{answer:?}")
    };
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text, "there?", "the last of them");
    for (peer, request) in [("tel:+31201234567", 4), ("", 5), ("<sip:bob@b.example", 6)] {
        let answer = b
            .ask(Command::ListMessages {
                peer: peer.into(),
                limit: 10,
                request: Some(request),
            })
            .await;
        assert_eq!(
            error_kind(&answer, request),
            ErrorKind::BadCommand,
            "{peer:?}"
        );
    }
}

#[tokio::test]
async fn marking_read_and_deleting_answer_with_the_unread_count() {
    let (mut b, _entries) = with_messages().await;
    let answer = b
        .ask(Command::MarkConversationRead {
            peer: "bob@b.example".into(),
            request: Some(7),
        })
        .await;
    assert_eq!(
        answer,
        [Event::MessagesChanged {
            request: Some(7),
            unread: 0
        }]
    );
    b.requests
        .link
        .add_message(message(
            "sip:cees@c.example",
            MessageDirection::Incoming,
            "new",
            4,
        ))
        .await
        .expect("kept");
    let answer = b
        .ask(Command::DeleteConversation {
            peer: "sip:ann@a.example".into(),
            request: Some(8),
        })
        .await;
    assert_eq!(
        answer,
        [Event::MessagesChanged {
            request: Some(8),
            unread: 1
        }]
    );
    let answer = b
        .ask(Command::DeleteConversation {
            peer: "not an address".into(),
            request: Some(9),
        })
        .await;
    assert_eq!(error_kind(&answer, 9), ErrorKind::BadCommand);
    let answer = b
        .ask(Command::MarkConversationRead {
            peer: "tel:1".into(),
            request: Some(10),
        })
        .await;
    assert_eq!(error_kind(&answer, 10), ErrorKind::BadCommand);
    let store = Store::open(&b.dir.path().join(DB_FILE_NAME)).unwrap().store;
    assert!(store.messages("sip:ann@a.example", 10).unwrap().is_empty());
    assert_eq!(store.messages("sip:bob@b.example", 10).unwrap().len(), 2);
    assert_eq!(store.unread_messages().unwrap(), 1);
}

/// The engine's next event about the database or messages.
async fn next_event(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("an event")
            .expect("the engine runs");
        if matches!(
            event,
            Event::Database { .. }
                | Event::Conversations { .. }
                | Event::Messages { .. }
                | Event::Error { .. }
        ) {
            return event;
        }
    }
}

#[tokio::test]
async fn the_engine_counts_unread_messages_and_fails_the_sends_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let pending = {
        let mut store = Store::open(&path).unwrap().store;
        for text in ["one", "two"] {
            store
                .add_message(&message(
                    "sip:bob@b.example",
                    MessageDirection::Incoming,
                    text,
                    1,
                ))
                .unwrap();
        }
        store
            .add_message(&message(
                "sip:bob@b.example",
                MessageDirection::Outgoing,
                "lost",
                2,
            ))
            .unwrap()
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
                unread_messages: 2,
                ..
            }
        ),
        "{said:?}"
    );
    let json = serde_json::to_value(&said).unwrap();
    assert_eq!(json["unread_messages"], 2, "{json}");
    commands
        .send(Command::ListMessages {
            peer: "sip:bob@b.example".into(),
            limit: 10,
            request: Some(1),
        })
        .await
        .unwrap();
    let Event::Messages {
        request, messages, ..
    } = next_event(&mut events).await
    else {
        panic!("no messages")
    };
    assert_eq!(request, Some(1));
    let lost = messages.iter().find(|m| m.id == pending.id).expect("kept");
    assert_eq!(lost.state, MessageState::Failed);
    assert_eq!(lost.reason.as_deref(), Some(NOT_SENT_STOPPED));
    commands.send(Command::Quit).await.unwrap();
    running.await.unwrap();
}

#[test]
fn an_old_database_event_without_the_count_still_reads() {
    let event: Event =
        serde_json::from_str(r#"{"event":"database","state":"ready","unseen_missed":1}"#).unwrap();
    assert!(matches!(
        event,
        Event::Database {
            unread_messages: 0,
            unseen_missed: 1,
            ..
        }
    ));
}
