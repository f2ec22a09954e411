//! Tests of the text messages, on real SQLite files in temporary folders.

use std::time::{Duration, UNIX_EPOCH};

use super::super::migrations::MIGRATIONS;
use super::super::{ContactFields, Phone, PhoneLabel, Region, Store, StoreError};
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

fn incoming(peer: &str, text: &str, secs: u64, name: Option<&str>) -> NewMessage {
    NewMessage {
        account: "work".into(),
        peer: peer.into(),
        direction: MessageDirection::Incoming,
        text: text.into(),
        time: at(secs),
        state: MessageState::Received,
        display_name: name.map(String::from),
    }
}

fn outgoing(peer: &str, text: &str, secs: u64) -> NewMessage {
    NewMessage {
        account: "home".into(),
        peer: peer.into(),
        direction: MessageDirection::Outgoing,
        text: text.into(),
        time: at(secs),
        state: MessageState::Sending,
        display_name: None,
    }
}

#[test]
fn addresses_in_every_form_are_one_conversation() {
    let bob = Some("sip:bob@example.com".to_string());
    for raw in [
        "sip:bob@example.com",
        "bob@example.com",
        "  sip:bob@EXAMPLE.com  ",
        "SIP:bob@example.com",
        "sips:bob@example.com:5061;transport=tls",
        "<sip:bob@example.com>",
        "Bob <sip:bob@example.com>;tag=abc",
        "\"Bob\" <sip:bob@example.com:5060;transport=udp>",
        "\"Bob \\\"the <builder>\\\"\" <sip:bob@example.com>",
        "\"x@y\" <sip:bob@example.com>",
        "sip:bob:secret@example.com",
        "sip:bob@example.com?subject=hi@there",
    ] {
        assert_eq!(conversation_peer(raw), bob, "{raw}");
    }
    assert_eq!(
        conversation_peer("\"Bob\" <sip:Bob@Example.COM:5060;transport=udp>").as_deref(),
        Some("sip:Bob@example.com"),
        "the user part keeps its case"
    );
    assert_eq!(
        conversation_peer("sip:+31612345678@pbx.example;user=phone").as_deref(),
        Some("sip:+31612345678@pbx.example")
    );
    assert_eq!(
        conversation_peer("sip:201@[2001:DB8::1]:5060").as_deref(),
        Some("sip:201@[2001:db8::1]")
    );
    assert_eq!(
        conversation_peer("sip:alice@192.0.2.4").as_deref(),
        Some("sip:alice@192.0.2.4")
    );
}

#[test]
fn odd_and_hostile_inputs_are_no_address() {
    let long_user = format!("sip:{}@example.com", "a".repeat(10_000));
    let long_host = format!("sip:a@{}.com", "b".repeat(300));
    let nested = format!("{}sip:a@b{}", "<".repeat(1000), ">".repeat(1000));
    for raw in [
        "",
        "   ",
        "@",
        "sip:",
        "sip:@example.com",
        "sip:bob@",
        "sip:example.com",
        "tel:+31201234567",
        "mailto:bob@example.com",
        "http://bob@example.com/",
        "bob",
        "<sip:bob@example.com",
        "\"Bob <sip:bob@example.com>",
        "\"Bob\" sip:bob@example.com",
        "<>",
        "sip:bob@exa mple.com",
        "sip:bob smith@example.com",
        "sip:bob@example.com:",
        "sip:bob@example.com:port",
        "sip:bob@example.com:99999",
        "sip:bob@[::1",
        "sip:bob@[]",
        "sip:bob@[not-v6]",
        "sip:bob@[::1]x",
        "sip:bob@.example.com",
        "sip:bob@example..com",
        "sip:bob@-",
        "sip:bøb@example.com",
        "sip:bob@bücher.de",
        "sip:bob\0@example.com",
        "sip:bob@example.com\u{202e}",
        "sip:a\r\nVia: x@example.com",
        long_user.as_str(),
        long_host.as_str(),
        nested.as_str(),
        "\"\\",
        "\"\u{1F600}\" <\u{1F600}>",
        "<<<>>>@@@::;;",
    ] {
        assert_eq!(conversation_peer(raw), None, "{raw:?}");
    }
}

#[test]
fn messages_are_kept_listed_and_move_on() {
    let (_dir, mut store) = open();
    let sent = store
        .add_message(&outgoing(
            "\"Bob\" <sip:bob@Example.com:5060>",
            "hi Bob",
            10,
        ))
        .unwrap();
    assert_eq!(sent.peer, "sip:bob@example.com");
    assert_eq!(sent.account, "home");
    assert_eq!(sent.direction, MessageDirection::Outgoing);
    assert_eq!(sent.state, MessageState::Sending);
    assert_eq!(sent.time_ms, 1_700_000_010_000);
    assert!(sent.read, "what we send is read");
    assert_eq!((sent.code, sent.reason.as_deref()), (None, None));

    let reply = store
        .add_message(&incoming(
            "sip:bob@example.com",
            "hello 👋",
            20,
            Some("Bob B"),
        ))
        .unwrap();
    assert!(!reply.read);
    assert_eq!(reply.state, MessageState::Received);
    assert_eq!(reply.text, "hello 👋");
    assert_ne!(reply.id, sent.id);

    let delivered = store
        .set_message_state(sent.id, MessageState::Sent, Some(202), Some("Accepted"))
        .unwrap();
    assert_eq!(delivered.state, MessageState::Sent);
    assert_eq!(delivered.code, Some(202));
    assert_eq!(delivered.reason.as_deref(), Some("Accepted"));
    assert_eq!(store.message(sent.id).unwrap(), Some(delivered.clone()));
    assert_eq!(store.message(MessageId(9_999)).unwrap(), None);
    assert!(matches!(
        store.set_message_state(MessageId(9_999), MessageState::Sent, None, None),
        Err(StoreError::MessageNotFound(MessageId(9_999)))
    ));

    // Oldest first, whatever form the peer is named in; the last `limit` of them.
    for i in 0..5 {
        store
            .add_message(&incoming("bob@example.com", &format!("n{i}"), 30 + i, None))
            .unwrap();
    }
    let all = store.messages("<sips:bob@EXAMPLE.COM>", 100).unwrap();
    let texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["hi Bob", "hello 👋", "n0", "n1", "n2", "n3", "n4"]);
    let last = store.messages("sip:bob@example.com", 3).unwrap();
    let texts: Vec<&str> = last.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["n2", "n3", "n4"]);
    assert!(store
        .messages("sip:nobody@example.com", 10)
        .unwrap()
        .is_empty());
    assert!(matches!(
        store.messages("tel:123", 10),
        Err(StoreError::NotAnAddress(_))
    ));
    let json = serde_json::to_value(&delivered).unwrap();
    assert_eq!(json["state"], "sent", "{json}");
    assert_eq!(json["direction"], "outgoing", "{json}");
}

#[test]
fn unread_counts_marking_and_deleting() {
    let (_dir, mut store) = open();
    store
        .add_message(&incoming("sip:ann@a.example", "1", 1, None))
        .unwrap();
    store
        .add_message(&incoming("sip:ann@a.example", "2", 2, None))
        .unwrap();
    store
        .add_message(&outgoing("sip:ann@a.example", "3", 3))
        .unwrap();
    store
        .add_message(&incoming("sip:cees@c.example", "4", 4, None))
        .unwrap();
    assert_eq!(store.unread_messages().unwrap(), 3);
    let list = store.conversations(10, nl()).unwrap();
    let unread: Vec<(&str, u64)> = list.iter().map(|c| (c.peer.as_str(), c.unread)).collect();
    assert_eq!(
        unread,
        [("sip:cees@c.example", 1), ("sip:ann@a.example", 2)]
    );

    store.mark_conversation_read("ann@A.example").unwrap();
    assert_eq!(store.unread_messages().unwrap(), 1);
    let ann = store.messages("sip:ann@a.example", 10).unwrap();
    assert!(ann.iter().all(|m| m.read));
    assert!(!store.messages("sip:cees@c.example", 10).unwrap()[0].read);

    store.delete_conversation("sip:cees@c.example").unwrap();
    assert_eq!(store.unread_messages().unwrap(), 0);
    let list = store.conversations(10, nl()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].peer, "sip:ann@a.example");
    assert_eq!(store.messages("sip:ann@a.example", 10).unwrap().len(), 3);
    // Deleting or marking a conversation there is not is nothing; one that is no address is
    // refused.
    store.delete_conversation("sip:cees@c.example").unwrap();
    store.mark_conversation_read("sip:nobody@x").unwrap();
    assert!(matches!(
        store.delete_conversation("nobody"),
        Err(StoreError::NotAnAddress(_))
    ));
    assert!(matches!(
        store.mark_conversation_read(""),
        Err(StoreError::NotAnAddress(_))
    ));
}

#[test]
fn conversations_show_their_last_message_newest_first() {
    let (_dir, mut store) = open();
    store
        .add_message(&incoming("sip:ann@a.example", "old", 1, None))
        .unwrap();
    store
        .add_message(&outgoing("sip:bob@b.example", "to bob", 5))
        .unwrap();
    store
        .add_message(&outgoing("sip:ann@a.example", "latest to ann", 9))
        .unwrap();
    // Same time: the one added later is the last.
    store
        .add_message(&incoming("sip:bob@b.example", "first at 5", 5, None))
        .unwrap();
    let list = store.conversations(10, nl()).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].peer, "sip:ann@a.example");
    assert_eq!(list[0].last_text, "latest to ann");
    assert_eq!(list[0].last_direction, MessageDirection::Outgoing);
    assert_eq!(list[0].account, "home");
    assert_eq!(list[0].last_ms, 1_700_000_009_000);
    assert_eq!(list[1].peer, "sip:bob@b.example");
    assert_eq!(list[1].last_text, "first at 5");
    assert_eq!(list[1].last_direction, MessageDirection::Incoming);
    assert_eq!(store.conversations(1, nl()).unwrap().len(), 1);
    assert!(store.conversations(0, nl()).unwrap().is_empty());
}

#[test]
fn conversations_are_named_by_contact_else_by_the_last_display_name() {
    let (_dir, mut store) = open();
    store
        .add_message(&incoming("sip:ann@a.example", "1", 1, Some("Ann (old)")))
        .unwrap();
    store
        .add_message(&incoming("sip:ann@a.example", "2", 2, Some("  Ann A.  ")))
        .unwrap();
    store
        .add_message(&incoming("sip:ann@a.example", "3", 3, Some("")))
        .unwrap();
    // A display name on an outgoing message is not the peer's.
    let mut out = outgoing("sip:ann@a.example", "4", 4);
    out.display_name = Some("Me".into());
    store.add_message(&out).unwrap();
    store
        .add_message(&incoming(
            "sip:0612345678@pbx.example",
            "5",
            5,
            Some("Mobile"),
        ))
        .unwrap();
    store
        .add_message(&outgoing("sip:nobody@z.example", "6", 6))
        .unwrap();

    let names = |store: &Store| -> Vec<(String, String)> {
        store
            .conversations(10, nl())
            .unwrap()
            .into_iter()
            .map(|c| (c.peer, c.name))
            .collect()
    };
    assert_eq!(
        names(&store),
        [
            ("sip:nobody@z.example".to_string(), String::new()),
            ("sip:0612345678@pbx.example".into(), "Mobile".into()),
            ("sip:ann@a.example".into(), "Ann A.".into()),
        ]
    );
    // Contacts added later name old conversations: by address, and by number in any format.
    let ann = ContactFields {
        first_name: "Ann".into(),
        last_name: "Akker".into(),
        emails: vec!["Ann@A.example".into()],
        ..Default::default()
    };
    let ada = ContactFields {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phones: vec![Phone::new(PhoneLabel::Mobile, "+31 6 12345678")],
        ..Default::default()
    };
    store.add_contact(&ann, nl()).unwrap();
    store.add_contact(&ada, nl()).unwrap();
    assert_eq!(
        names(&store),
        [
            ("sip:nobody@z.example".to_string(), String::new()),
            ("sip:0612345678@pbx.example".into(), "Ada Lovelace".into()),
            ("sip:ann@a.example".into(), "Ann Akker".into()),
        ]
    );
}

#[test]
fn too_long_text_is_refused_and_the_limit_itself_is_kept() {
    let (_dir, mut store) = open();
    let at_limit = "é".repeat(MAX_MESSAGE_BYTES / 2);
    assert_eq!(at_limit.len(), MAX_MESSAGE_BYTES);
    let kept = store
        .add_message(&incoming("sip:a@b.example", &at_limit, 1, None))
        .unwrap();
    assert_eq!(kept.text, at_limit);
    let over = format!("{at_limit}x");
    let err = store
        .add_message(&incoming("sip:a@b.example", &over, 2, None))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::MessageTooLong(n) if n == MAX_MESSAGE_BYTES + 1),
        "{err}"
    );
    let err = store
        .add_message(&incoming("tel:+31612345678", "hi", 3, None))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotAnAddress(_)), "{err}");
    assert_eq!(store.messages("sip:a@b.example", 10).unwrap().len(), 1);
    assert_eq!(store.unread_messages().unwrap(), 1);
}

#[test]
fn sends_left_unfinished_fail_when_the_engine_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parla.db");
    let (pending, done) = {
        let mut store = Store::open(&path).unwrap().store;
        let pending = store
            .add_message(&outgoing("sip:bob@b.example", "lost", 1))
            .unwrap();
        let done = store
            .add_message(&outgoing("sip:bob@b.example", "made it", 2))
            .unwrap();
        store
            .set_message_state(done.id, MessageState::Sent, Some(200), Some("OK"))
            .unwrap();
        (pending, done)
    };
    let mut store = Store::open(&path).unwrap().store;
    // Opening alone (another process reading the profile) leaves them.
    assert_eq!(
        store.message(pending.id).unwrap().unwrap().state,
        MessageState::Sending
    );
    assert_eq!(store.fail_unsent().unwrap(), 1);
    let failed = store.message(pending.id).unwrap().unwrap();
    assert_eq!(failed.state, MessageState::Failed);
    assert_eq!(failed.reason.as_deref(), Some(NOT_SENT_STOPPED));
    assert_eq!(failed.code, None);
    let sent = store.message(done.id).unwrap().unwrap();
    assert_eq!(
        (sent.state, sent.code, sent.reason.as_deref()),
        (MessageState::Sent, Some(200), Some("OK"))
    );
    assert_eq!(store.fail_unsent().unwrap(), 0);
}

#[test]
fn the_messages_table_has_its_indexes_and_checks() {
    let (_dir, store) = open();
    assert!(MIGRATIONS.len() >= 5);
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let indexes: Vec<String> = store
        .conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in ["messages_peer_time", "messages_unread", "messages_sending"] {
        assert!(indexes.iter().any(|i| i == name), "{name}: {indexes:?}");
    }
    // Only the states and directions Parla knows are stored.
    let bad = store.conn.execute(
        "INSERT INTO messages (peer, direction, time_ms, state) VALUES ('sip:a@b', 'sideways', 0, 'sent')",
        [],
    );
    assert!(bad.is_err());
}
