//! The Chat tab: the conversations listed with their unread counts, a thread opened (read and
//! marked read), written to with Enter, a failed message retried; an incoming message on the
//! badge, in the tray and in a notification (not while its conversation is being read); the
//! contact card's, the call screen's and a notification's way into a conversation; a new
//! message to someone typed in.

use super::*;
use crate::screen::chat::Msg as ChatMsg;
use parla_core::api::{ContactEntry, DatabaseState};
use parla_core::store::{
    ContactFields, ContactId, ConversationEntry, MessageDirection, MessageEntry, MessageId,
    MessageState, Phone, PhoneLabel,
};

const ADA: &str = "sip:+31201234567@pbx.example.com";
const BOB: &str = "sip:bob@pbx.example.com";

fn database(unread_messages: u64) -> Event {
    Event::Database {
        state: DatabaseState::Ready,
        unseen_missed: 0,
        unheard_voicemail: 0,
        unread_messages,
        moved_aside: None,
        reason: None,
    }
}

fn conversation(peer: &str, name: &str, unread: u64) -> ConversationEntry {
    ConversationEntry {
        peer: peer.into(),
        account: "work".into(),
        name: name.into(),
        last_text: "See you at the station\nat nine".into(),
        last_ms: 1_772_618_700_000,
        last_direction: MessageDirection::Incoming,
        unread,
    }
}

fn message(id: i64, peer: &str, direction: MessageDirection, state: MessageState) -> MessageEntry {
    MessageEntry {
        id: MessageId(id),
        account: "work".into(),
        peer: peer.into(),
        direction,
        text: format!("message {id}"),
        time_ms: 1_772_618_700_000 + id * 60_000,
        state,
        code: None,
        reason: None,
        read: true,
    }
}

/// The request id of the `list_conversations` among `sent`.
fn listing(sent: &[Command]) -> Option<u64> {
    sent.iter().find_map(|c| match c {
        Command::ListConversations { request, .. } => *request,
        _ => None,
    })
}

/// The request id of the `list_messages` for `peer` among `sent`.
fn reading(sent: &[Command], peer: &str) -> Option<u64> {
    sent.iter().find_map(|c| match c {
        Command::ListMessages {
            peer: p, request, ..
        } if p == peer => *request,
        _ => None,
    })
}

fn marks_read(sent: &[Command], peer: &str) -> bool {
    sent.iter()
        .any(|c| matches!(c, Command::MarkConversationRead { peer: p, .. } if p == peer))
}

/// A harness whose engine has listed `conversations` (Ada's with 2 unread, Bob's read).
fn with_conversations() -> Harness {
    let mut h = Harness::with_line("work");
    h.event(database(2));
    let request = listing(&h.sent());
    assert!(
        request.is_some(),
        "the list is asked for once the database is ready"
    );
    h.event(Event::Conversations {
        request,
        conversations: vec![
            conversation(ADA, "Ada Lovelace", 2),
            conversation(BOB, "", 0),
        ],
        unread: 2,
    });
    h
}

/// `with_conversations`, Ada's thread open with `messages` (the tab shown, the window focused).
fn with_thread(messages: Vec<MessageEntry>) -> Harness {
    let mut h = with_conversations();
    let main = h.app.main_window.expect("main window");
    h.send(Message::WindowFocus(main, true));
    h.send(Message::Tab(Tab::Chat));
    h.send(Message::Chat(ChatMsg::Open(ADA.into())));
    let request = reading(&h.sent(), ADA);
    h.event(Event::Messages {
        request,
        peer: ADA.into(),
        messages,
    });
    let _ = h.sent();
    h
}

fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

#[test]
fn the_list_arrives_as_rows_with_their_unread_counts() {
    let mut h = with_conversations();
    let chat = &h.app.chat;
    assert_eq!(chat.conversations.len(), 2);
    assert_eq!(chat.conversations[0].unread, 2);
    assert_eq!(h.app.unread_messages(), 2);
    let tray = h.app.tray_status();
    assert_eq!(tray.unread_messages, 2);
    assert_eq!(tray.labels.unread_messages, "2 unread messages");
    assert_eq!(
        crate::screen::chat::conversation_name(&chat.conversations[1]),
        "bob@pbx.example.com",
        "no name: the address"
    );

    // Ctrl+4 opens the tab and asks for the list again.
    h.key(
        keyboard::Key::Character("4".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(h.app.tab, Tab::Chat);
    assert_eq!(
        h.app.title(h.app.main_window.expect("main")),
        "Chat – Parla"
    );
    assert!(listing(&h.sent()).is_some());
    draw(&h);
}

#[test]
fn no_conversations_shows_the_empty_state() {
    let mut h = Harness::with_line("work");
    h.event(database(0));
    let request = listing(&h.sent());
    h.event(Event::Conversations {
        request,
        conversations: Vec::new(),
        unread: 0,
    });
    h.send(Message::Tab(Tab::Chat));
    assert!(h.app.chat.loaded);
    assert!(h.app.chat.conversations.is_empty());
    assert_eq!(h.app.unread_messages(), 0);
    draw(&h);
}

#[test]
fn opening_a_conversation_reads_it_and_marks_it_read() {
    let mut h = with_conversations();
    h.send(Message::Tab(Tab::Chat));
    let _ = h.sent();
    h.send(Message::Chat(ChatMsg::Open(ADA.into())));
    let sent = h.sent();
    let request = reading(&sent, ADA);
    assert!(request.is_some(), "its messages are asked for: {sent:?}");
    assert!(marks_read(&sent, ADA), "and it is marked read: {sent:?}");
    assert_eq!(h.app.unread_messages(), 0, "read at once");
    let thread = h.app.chat.thread.as_ref().expect("the thread is open");
    assert_eq!(thread.title(), "Ada Lovelace");
    assert_eq!(thread.account, Some(AccountId::new("work")));

    h.event(Event::Messages {
        request,
        peer: ADA.into(),
        messages: vec![
            message(1, ADA, MessageDirection::Incoming, MessageState::Received),
            message(2, ADA, MessageDirection::Outgoing, MessageState::Sent),
        ],
    });
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.messages.len(), 2);
    assert_eq!(thread.messages[0].id, MessageId(1), "oldest first");
    draw(&h);
    // The engine's count follows, and the list is asked for again.
    h.event(Event::MessagesChanged {
        request: None,
        unread: 0,
    });
    assert!(listing(&h.sent()).is_some());
    // Back to the list.
    h.send(Message::Chat(ChatMsg::Back));
    assert!(h.app.chat.thread.is_none());
    draw(&h);
}

#[test]
fn enter_sends_the_typed_text_and_clears_the_field() {
    let mut h = with_thread(vec![message(
        1,
        ADA,
        MessageDirection::Incoming,
        MessageState::Received,
    )]);
    // Nothing typed: nothing sent.
    h.send(Message::Chat(ChatMsg::Draft("   ".into())));
    h.send(Message::Chat(ChatMsg::Send));
    assert_eq!(h.sent(), Vec::new());

    h.send(Message::Chat(ChatMsg::Draft("  Hello Ada!  ".into())));
    h.send(Message::Chat(ChatMsg::Send));
    let sent = h.sent();
    let [Command::SendMessage {
        account,
        to,
        text,
        request: Some(request),
    }] = sent.as_slice()
    else {
        panic!("one send_message: {sent:?}");
    };
    assert_eq!(account.as_ref(), Some(&AccountId::new("work")));
    assert_eq!(to, ADA);
    assert_eq!(text, "Hello Ada!");
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.draft, "", "the field is cleared");
    draw(&h);

    // The engine has stored it: the thread and the list are asked for again.
    h.event(Event::MessageState {
        request: Some(*request),
        id: MessageId(2),
        peer: ADA.into(),
        state: MessageState::Sending,
        code: None,
        reason: None,
    });
    let sent = h.sent();
    assert!(reading(&sent, ADA).is_some(), "{sent:?}");
    assert!(listing(&sent).is_some(), "{sent:?}");
}

#[test]
fn a_failed_message_says_why_and_retry_sends_it_again() {
    let mut h = with_thread(vec![message(
        7,
        ADA,
        MessageDirection::Outgoing,
        MessageState::Sending,
    )]);
    h.event(Event::MessageState {
        request: None,
        id: MessageId(7),
        peer: ADA.into(),
        state: MessageState::Failed,
        code: Some(404),
        reason: Some("Not Found".into()),
    });
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.messages[0].state, MessageState::Failed);
    assert_eq!(thread.messages[0].code, Some(404));
    let sent = h.sent();
    assert_eq!(reading(&sent, ADA), None, "known: changed in place");
    draw(&h);

    h.send(Message::Chat(ChatMsg::Retry(MessageId(7))));
    let sent = h.sent();
    assert!(
        matches!(
            sent.as_slice(),
            [Command::RetryMessage {
                id: MessageId(7),
                request: Some(_)
            }]
        ),
        "{sent:?}"
    );
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.messages[0].state, MessageState::Sending);
    // Only a failed message is retried.
    h.send(Message::Chat(ChatMsg::Retry(MessageId(7))));
    assert_eq!(h.sent(), Vec::new());
}

#[test]
fn a_send_the_engine_refuses_says_why_and_gives_the_text_back() {
    let mut h = with_thread(Vec::new());
    draw(&h);
    h.send(Message::Chat(ChatMsg::Draft("Are you there?".into())));
    h.send(Message::Chat(ChatMsg::Send));
    let request = match h.sent().first() {
        Some(Command::SendMessage { request, .. }) => *request,
        other => panic!("a send: {other:?}"),
    };
    h.event(Event::request_error(
        request,
        parla_core::api::ErrorKind::NoAccount,
        "no such line",
    ));
    assert!(h.app.chat.error.is_some());
    assert!(h.app.notice.is_none(), "not a window-wide notice");
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.draft, "Are you there?");
}

#[test]
fn an_incoming_message_bumps_the_badge_and_asks_for_a_notification() {
    let mut h = with_conversations();
    let _ = h.sent();
    let from_bob = |text: &str| Event::Message {
        account: AccountId::new("work"),
        id: MessageId(9),
        from: BOB.into(),
        name: Some("Bob".into()),
        text: text.into(),
    };
    h.event(from_bob("Lunch?"));
    assert_eq!(h.app.unread_messages(), 3);
    assert_eq!(h.app.tray_status().unread_messages, 3);
    assert_eq!(
        h.app.chat_notice,
        Some((BOB.to_string(), "Bob".to_string()))
    );
    assert!(listing(&h.sent()).is_some(), "the list is asked for again");

    // Bob's conversation open in the focused window: read there, no notification.
    let main = h.app.main_window.expect("main");
    h.send(Message::WindowFocus(main, true));
    h.send(Message::Tab(Tab::Chat));
    h.send(Message::Chat(ChatMsg::Open(BOB.into())));
    let _ = h.sent();
    h.app.chat_notice = None;
    let before = h.app.unread_messages();
    h.event(from_bob("Noon?"));
    assert_eq!(h.app.chat_notice, None);
    assert_eq!(h.app.unread_messages(), before);
    let sent = h.sent();
    assert!(reading(&sent, BOB).is_some(), "{sent:?}");
    assert!(marks_read(&sent, BOB), "{sent:?}");

    // The window in the background: told, and counted.
    h.send(Message::WindowFocus(main, false));
    h.event(from_bob("Hello?"));
    assert_eq!(h.app.unread_messages(), before + 1);
    assert!(h.app.chat_notice.is_some());
    let sent = h.sent();
    assert!(!marks_read(&sent, BOB), "not read yet: {sent:?}");
}

#[test]
fn reply_on_a_notification_opens_the_conversation() {
    let mut h = with_conversations();
    h.send(Message::ChatNotification(
        ADA.into(),
        Some(crate::desktop::notify::MessageResponse::Reply),
    ));
    assert_eq!(h.app.tab, Tab::Chat);
    assert!(h.app.chat.is_open(ADA));
    let sent = h.sent();
    assert!(reading(&sent, ADA).is_some(), "{sent:?}");
    assert!(marks_read(&sent, ADA), "{sent:?}");
    // A notification closed without a choice changes nothing.
    h.send(Message::Tab(Tab::Phone));
    h.send(Message::ChatNotification(
        BOB.into(),
        Some(crate::desktop::notify::MessageResponse::Dismissed),
    ));
    assert_eq!(h.app.tab, Tab::Phone);
}

#[test]
fn the_contact_cards_message_opens_the_conversation() {
    let mut h = with_conversations();
    h.send(Message::Tab(Tab::Contacts));
    let fields = ContactFields {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phones: vec![Phone::new(PhoneLabel::Mobile, "+31 20 123 4567")],
        emails: vec!["ada@example.com".into()],
        ..ContactFields::default()
    };
    h.app.contacts.selected = Some(ContactEntry {
        id: ContactId(1),
        name: fields.display_name(),
        fields,
    });
    draw(&h);
    let _ = h.sent();
    // The number: the conversation kept with its address.
    h.send(Message::Contacts(contacts::Msg::Message(
        "+31 20 123 4567".into(),
    )));
    assert_eq!(h.app.tab, Tab::Chat);
    assert!(h.app.chat.is_open(ADA));
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.to, ADA);
    assert_eq!(thread.title(), "Ada Lovelace");
    let sent = h.sent();
    assert!(reading(&sent, ADA).is_some(), "{sent:?}");
    assert!(marks_read(&sent, ADA), "{sent:?}");

    // Its SIP address: a conversation not kept yet, written to at that address.
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::Message(
        "sip:ada@example.com".into(),
    )));
    assert!(h.app.chat.is_open("sip:ada@example.com"));
    draw(&h);
    let _ = h.sent();
    h.send(Message::Chat(ChatMsg::Draft("Hi".into())));
    h.send(Message::Chat(ChatMsg::Send));
    assert!(
        matches!(
            h.sent().as_slice(),
            [Command::SendMessage { to, account: None, .. }] if to == "sip:ada@example.com"
        ),
        "sent to the address from the default line"
    );
}

#[test]
fn the_call_screens_message_writes_to_the_far_end() {
    let mut h = with_conversations();
    h.event(incoming(4));
    let _ = h.sent();
    h.send(Message::Call(CallId(4), call::Action::Message));
    assert_eq!(h.app.tab, Tab::Chat);
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(
        thread.peer.as_deref(),
        Some("sip:+31612345678@pbx.example.com")
    );
    assert_eq!(thread.title(), "Ada");
    assert_eq!(thread.account, Some(AccountId::new("work")));
    assert!(reading(&h.sent(), "sip:+31612345678@pbx.example.com").is_some());
}

#[test]
fn a_new_message_to_a_typed_number_learns_its_address() {
    let mut h = with_conversations();
    h.send(Message::Tab(Tab::Chat));
    h.send(Message::Chat(ChatMsg::NewMessage));
    assert!(h.app.chat.new_message.is_some());
    // A name looks for contacts; the answer is offered under the field.
    h.send(Message::Chat(ChatMsg::To("car".into())));
    let request = h.sent().iter().find_map(|c| match c {
        Command::SearchContacts { request, .. } => *request,
        _ => None,
    });
    assert!(request.is_some());
    let fields = ContactFields {
        first_name: "Carol".into(),
        phones: vec![Phone::new(PhoneLabel::Work, "2002")],
        emails: vec!["carol@example.com".into(), "not an address".into()],
        ..ContactFields::default()
    };
    h.event(Event::Contacts {
        request,
        contacts: vec![ContactEntry {
            id: ContactId(3),
            name: fields.display_name(),
            fields,
        }],
    });
    let found = &h.app.chat.new_message.as_ref().expect("field").found;
    let addresses: Vec<&str> = found.iter().map(|s| s.address.as_str()).collect();
    assert_eq!(addresses, ["2002", "carol@example.com"]);
    draw(&h);

    // A number typed: written to as typed, its address learnt from the engine.
    h.send(Message::Chat(ChatMsg::To("2002".into())));
    h.send(Message::Chat(ChatMsg::Start));
    let thread = h.app.chat.thread.as_ref().expect("thread");
    assert_eq!(thread.peer, None);
    assert!(thread.loaded, "nothing to read yet");
    draw(&h);
    let _ = h.sent();
    h.send(Message::Chat(ChatMsg::Draft("Hi Carol".into())));
    h.send(Message::Chat(ChatMsg::Send));
    let request = match h.sent().first() {
        Some(Command::SendMessage { to, request, .. }) if to == "2002" => *request,
        other => panic!("a send to 2002: {other:?}"),
    };
    h.event(Event::MessageState {
        request,
        id: MessageId(11),
        peer: "sip:2002@pbx.example.com".into(),
        state: MessageState::Sending,
        code: None,
        reason: None,
    });
    assert!(h.app.chat.is_open("sip:2002@pbx.example.com"));
    assert!(reading(&h.sent(), "sip:2002@pbx.example.com").is_some());
}

#[test]
fn delete_conversation_asks_twice_then_goes_back_to_the_list() {
    let mut h = with_thread(vec![message(
        1,
        ADA,
        MessageDirection::Incoming,
        MessageState::Received,
    )]);
    let confirming = |h: &Harness| h.app.chat.thread.as_ref().is_some_and(|t| t.confirm_delete);

    // The first press only asks; Cancel (or anything else done) takes the question back.
    h.send(Message::Chat(ChatMsg::AskDelete));
    assert!(confirming(&h), "the first press asks");
    assert_eq!(h.sent(), Vec::new(), "nothing deleted on the first press");
    draw(&h);
    h.send(Message::Chat(ChatMsg::CancelDelete));
    assert!(!confirming(&h));
    h.send(Message::Chat(ChatMsg::AskDelete));
    h.send(Message::Chat(ChatMsg::Draft("hm".into())));
    assert!(!confirming(&h), "typing takes the question back");
    // A second press without the first deletes nothing.
    h.send(Message::Chat(ChatMsg::ConfirmDelete));
    assert_eq!(h.sent(), Vec::new());
    assert!(h.app.chat.thread.is_some());

    h.send(Message::Chat(ChatMsg::AskDelete));
    h.send(Message::Chat(ChatMsg::ConfirmDelete));
    let sent = h.sent();
    let [Command::DeleteConversation {
        peer,
        request: Some(_),
    }] = sent.as_slice()
    else {
        panic!("one delete_conversation: {sent:?}");
    };
    assert_eq!(peer, ADA);
    // Back to the list, Ada's row gone at once.
    assert!(h.app.chat.thread.is_none(), "back to the list");
    let peers: Vec<_> = h.app.chat.conversations.iter().map(|c| &c.peer).collect();
    assert_eq!(peers, [BOB]);
    draw(&h);

    // The engine confirms: the list is asked for again and shown as it says.
    h.event(Event::MessagesChanged {
        request: None,
        unread: 0,
    });
    let request = listing(&h.sent());
    assert!(request.is_some(), "the list is asked for again");
    h.event(Event::Conversations {
        request,
        conversations: vec![conversation(BOB, "", 0)],
        unread: 0,
    });
    assert_eq!(h.app.chat.conversations.len(), 1);
    assert_eq!(h.app.unread_messages(), 0);
}
