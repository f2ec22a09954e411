//! The Chat tab in the desktop app under Xvfb (as tests/desktop.rs runs it), light and dark
//! (target/screenshots/chat*.png): the conversations seeded in the profile's database listed
//! newest first with an unread count, one opened (read: the badge goes), a message typed and
//! sent with Enter to bob's baresip through Kamailio, a refused one sent again with Retry; Ada's
//! contact card's Message opens her conversation; then a message from bob while the list is
//! shown comes as a notification whose Reply opens his conversation; the open conversation
//! deleted, asked twice (chat-delete*.png, chat-deleted*.png). And the list in Dutch.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_core::store::{
    ContactFields, MessageDirection, MessageState, NewMessage, Phone, PhoneLabel, Store,
    DB_FILE_NAME,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime};
use support::gui::{Control, Desktop, GuiApp};
use support::*;

const MAIN: &str = "Parla";
/// The navigation's Chat place in the 420-wide main window (the fourth of six; see
/// target/screenshots/chat.png).
const CHAT: (u32, u32) = (233, 60);
const CONTACTS: (u32, u32) = (107, 60);
/// The Contacts tab's first contact, and on its card the number's Message button (see
/// target/screenshots/contact-card-message.png).
const FIRST_CONTACT: (u32, u32) = (150, 222);
const CARD_MESSAGE: (u32, u32) = (336, 305);
/// The list's first and second conversations, the thread's back button and its compose field
/// (see target/screenshots/chat.png and chat-thread.png).
const FIRST_CONVERSATION: (u32, u32) = (200, 178);
const SECOND_CONVERSATION: (u32, u32) = (200, 236);
const BACK: (u32, u32) = (28, 119);
const COMPOSE: (u32, u32) = (180, 610);
/// The list's New message button (in Dutch) and the field it opens (see
/// target/screenshots/chat-nl.png and chat-new-nl.png).
const NEW_MESSAGE: (u32, u32) = (335, 122);
const TO_FIELD: (u32, u32) = (150, 172);
/// The Retry button under Ada's refused message (see target/screenshots/chat-failed.png).
const RETRY: (u32, u32) = (365, 233);
/// Delete conversation at the right of a thread's header, then its confirmation under the
/// header (see target/screenshots/chat-delete.png).
const DELETE: (u32, u32) = (392, 119);
const DELETE_FOR_GOOD: (u32, u32) = (250, 168);
/// Empty room: the pointer rests there for a picture without a tooltip or a lit row.
const NOWHERE: (u32, u32) = (410, 400);

const BOB: &str = "sip:bob@127.0.0.1";
const ADA: &str = "sip:+31201234567@127.0.0.1";

/// alice's line (the default) at `kamailio`, in `theme`, in English.
fn config(kamailio: &Kamailio, theme: &str) -> String {
    config_in(kamailio, theme, "en")
}

fn config_in(kamailio: &Kamailio, theme: &str, language: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "default = true\n".into();
    // The embedded Local line would listen on 5060: off here, tests run side by side.
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"{language}\"\ntheme = \"{theme}\"\n",
        line.toml()
    )
}

/// Three conversations: bob's (the newest, his last message unread), Ada's (ours, refused
/// with 404) and Carol's (a long one, read).
fn seed_messages(profile: &std::path::Path) {
    use MessageDirection::{Incoming, Outgoing};
    let mut store = Store::open(&profile.join(DB_FILE_NAME))
        .expect("database")
        .store;
    let ada = ContactFields {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phones: vec![Phone::new(PhoneLabel::Mobile, "+31 20 123 4567")],
        emails: vec!["ada@example.com".into()],
        ..ContactFields::default()
    };
    store
        .add_contact(&ada, "NL".parse().expect("region"))
        .expect("ada's card");
    let carol = "sip:carol@example.com";
    add(
        &mut store,
        (carol, "Carol Danvers"),
        Incoming,
        "The quarterly numbers are in: revenue is up, costs are down, and the new office \
         opens next month. Details on Monday.",
        3 * 24 * 60,
    );
    store.mark_conversation_read(carol).expect("carol's read");
    let ada = add(
        &mut store,
        (ADA, "Ada Lovelace"),
        Outgoing,
        "Thanks for the notes from Tuesday!",
        26 * 60,
    );
    store
        .set_message_state(ada, MessageState::Failed, Some(404), Some("Not Found"))
        .expect("refused");
    let bob = (BOB, "Bob Baker");
    add(
        &mut store,
        bob,
        Incoming,
        "Are you joining the call at four?",
        180,
    );
    let ours = add(
        &mut store,
        bob,
        Outgoing,
        "Yes, I will dial in from the office.",
        178,
    );
    store
        .set_message_state(ours, MessageState::Sent, Some(200), Some("OK"))
        .expect("sent");
    store.mark_conversation_read(BOB).expect("bob's read");
    add(
        &mut store,
        bob,
        Incoming,
        "Could you send me the slides before?",
        10,
    );
}

/// One message with `(peer, name)`, `minutes_ago`: received, or ours `sending`.
fn add(
    store: &mut Store,
    (peer, name): (&str, &str),
    direction: MessageDirection,
    text: &str,
    minutes_ago: u64,
) -> parla_core::store::MessageId {
    let incoming = direction == MessageDirection::Incoming;
    store
        .add_message(&NewMessage {
            account: "alice".into(),
            peer: peer.into(),
            direction,
            text: text.into(),
            time: SystemTime::now() - Duration::from_secs(minutes_ago * 60),
            state: if incoming {
                MessageState::Received
            } else {
                MessageState::Sending
            },
            display_name: incoming.then(|| name.to_string()),
        })
        .expect("message kept")
        .id
}

/// Asks for `status` until alice is registered (the window's control socket answers).
fn wait_registered(control: &mut Control) {
    let deadline = Instant::now() + T;
    loop {
        control.send(&json!({"cmd": "status"}));
        let status = control.wait("status", |v| v["event"] == "status");
        let registered = status["accounts"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["account"] == "alice" && x["state"] == "registered")
        });
        if registered {
            return;
        }
        assert!(Instant::now() < deadline, "alice never registered");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether a `conversations` answer lists `peer`.
fn has_peer(v: &Value, peer: &str) -> Option<bool> {
    v["conversations"]
        .as_array()
        .map(|a| a.iter().any(|c| c["peer"] == peer))
}

fn is(v: &Value, event: &str) -> bool {
    v["event"] == event
}

#[test]
fn the_chat_tab_lists_reads_and_sends_messages() {
    let kamailio = kamailio_alice_bob();
    let bob = start_bob(&kamailio, None, None);
    for (theme, suffix) in [("light", ""), ("dark", "-dark")] {
        let mut desktop = Desktop::start();
        let app = GuiApp::start_seeded(&config(&kamailio, theme), &desktop, &[], seed_messages);
        let window = desktop
            .wait_window(MAIN, T)
            .unwrap_or_else(|| panic!("no window: {}", app.log()));
        let mut control = app.control();
        wait_registered(&mut control);

        desktop.click(&window, CHAT.0, CHAT.1);
        assert_eq!(
            desktop.wait_window("^Chat ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens the Chat tab: {}",
            app.log()
        );
        // The window asked for the list; control clients see the answer too.
        let listed = control.wait("the list", |v| is(v, "conversations"));
        let peers: Vec<&str> = listed["conversations"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["peer"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            peers,
            [BOB, ADA, "sip:carol@example.com"],
            "newest first: {listed}"
        );
        assert_eq!(listed["unread"], 1, "{listed}");
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("chat{suffix}"));

        // bob's conversation: read (the count goes to 0), written to with Enter.
        desktop.click(&window, FIRST_CONVERSATION.0, FIRST_CONVERSATION.1);
        let thread = control.wait("bob's messages", |v| is(v, "messages") && v["peer"] == BOB);
        assert_eq!(thread["messages"].as_array().map(Vec::len), Some(3));
        let read = control.wait("marked read", |v| is(v, "messages_changed"));
        assert_eq!(read["unread"], 0, "{read}");
        desktop.type_into(&window, COMPOSE.0, COMPOSE.1, "Sure, sending them now.");
        desktop.key(&window, "Return");
        let sent = control.wait("sent", |v| {
            is(v, "message_state") && v["peer"] == BOB && v["state"] == "sent"
        });
        assert_eq!(sent["code"], 200, "{sent}");
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("chat-thread{suffix}"));

        // Ada's: ours, refused, with Retry.
        desktop.click(&window, BACK.0, BACK.1);
        desktop.click(&window, SECOND_CONVERSATION.0, SECOND_CONVERSATION.1);
        control.wait("ada's messages", |v| is(v, "messages") && v["peer"] == ADA);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("chat-failed{suffix}"));
        // Retry sends the same message again (Kamailio knows no such user: refused again).
        desktop.click(&window, RETRY.0, RETRY.1);
        let again = control.wait("sending again", |v| {
            is(v, "message_state") && v["peer"] == ADA && v["state"] == "sending"
        });
        control.wait("answered again", |v| {
            is(v, "message_state")
                && v["id"] == again["id"]
                && (v["state"] == "failed" || v["state"] == "sent")
        });

        if theme == "light" {
            // Ada's card: Message beside her number opens her conversation.
            desktop.click(&window, CONTACTS.0, CONTACTS.1);
            control.wait("the contacts", |v| {
                is(v, "contacts") && v["contacts"].as_array().is_some_and(|c| !c.is_empty())
            });
            desktop.click(&window, FIRST_CONTACT.0, FIRST_CONTACT.1);
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "contact-card-message");
            desktop.click(&window, CARD_MESSAGE.0, CARD_MESSAGE.1);
            assert_eq!(
                desktop.wait_window("^Chat ", T).as_deref(),
                Some(window.as_str()),
                "the card's Message opens the Chat tab"
            );
            control.wait("ada's thread", |v| is(v, "messages") && v["peer"] == ADA);

            // bob writes while the list is shown: a notification, whose Reply opens his
            // conversation (and reads it).
            desktop.click(&window, BACK.0, BACK.1);
            bob_writes(&bob, &kamailio, "Got them, thanks!");
            let message = control.wait("bob's message", |v| is(v, "message"));
            assert_eq!(message["from"], BOB, "{message}");
            let deadline = Instant::now() + T;
            let shown = loop {
                let received = desktop.dunst.received().expect("notifications");
                if let Some(shown) = received
                    .into_iter()
                    .find(|n| n.body.contains("Got them, thanks!"))
                {
                    break shown;
                }
                assert!(
                    Instant::now() < deadline,
                    "no notification for bob's message"
                );
                std::thread::sleep(Duration::from_millis(50));
            };
            assert!(shown.summary.contains("Bob"), "{}", shown.summary);
            desktop.screenshot(&window, "chat-new-message");
            desktop.dunst.invoke_action("reply").expect("pick Reply");
            control.wait("bob's thread", |v| is(v, "messages") && v["peer"] == BOB);
            let read = control.wait("read by Reply", |v| is(v, "messages_changed"));
            assert_eq!(read["unread"], 0, "{read}");
        }

        // Delete conversation, asked twice: the open thread (bob's after the Reply, else
        // Ada's) goes, and the list comes back without it.
        let open = if theme == "light" { BOB } else { ADA };
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.click(&window, DELETE.0, DELETE.1);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("chat-delete{suffix}"));
        assert!(
            !control
                .seen
                .iter()
                .any(|v| is(v, "conversations") && has_peer(v, open) == Some(false)),
            "nothing deleted on the first press"
        );
        desktop.click(&window, DELETE_FOR_GOOD.0, DELETE_FOR_GOOD.1);
        let listed = control.wait("the list without the deleted conversation", |v| {
            is(v, "conversations") && has_peer(v, open) == Some(false)
        });
        assert!(
            has_peer(&listed, if open == BOB { ADA } else { BOB }) == Some(true),
            "only that one went: {listed}"
        );
        assert_eq!(
            desktop.wait_window("^Chat ", T).as_deref(),
            Some(window.as_str()),
            "still on the Chat tab"
        );
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("chat-deleted{suffix}"));
        assert!(app.quit().success());
    }
}

/// The list in Dutch (`chat-nl.png`): six places' longer names still fit the navigation; the
/// new message field with a contact found (`chat-new-nl.png`).
#[test]
fn the_chat_tab_speaks_dutch() {
    let kamailio = kamailio_alice_bob();
    let desktop = Desktop::start();
    let app = GuiApp::start_seeded(
        &config_in(&kamailio, "light", "nl"),
        &desktop,
        &[],
        seed_messages,
    );
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    desktop.click(&window, CHAT.0, CHAT.1);
    assert_eq!(
        desktop.wait_window("^Chat ", T).as_deref(),
        Some(window.as_str()),
        "the nav opens the Chat tab"
    );
    control.wait("the list", |v| is(v, "conversations"));
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "chat-nl");
    // New message: the field, and the contacts whose name matches what is typed.
    desktop.click(&window, NEW_MESSAGE.0, NEW_MESSAGE.1);
    desktop.type_into(&window, TO_FIELD.0, TO_FIELD.1, "ada");
    control.wait("ada found", |v| {
        is(v, "contacts") && v["contacts"][0]["name"] == "Ada Lovelace"
    });
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "chat-new-nl");
    assert!(app.quit().success());
}

/// bob's baresip texts alice (baresip 1.0 texts its "current contact": alice is its only one).
fn bob_writes(bob: &Baresip, kamailio: &Kamailio, text: &str) {
    let contacts = bob.dir().join("config/contacts");
    let alice = format!("\"Alice\" <{}>\n", kamailio.user_uri("alice"));
    std::fs::write(&contacts, alice).expect("contacts");
    let _ = bob.command_ok("insmod", "contact");
    bob.command_ok("contact_next", "")
        .expect("alice is current");
    bob.command_ok("message", text).expect("bob sends");
}
