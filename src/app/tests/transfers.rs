//! Several calls and transfers on the call screen: the transfer field, consult (attended)
//! transfers and their cancel and failure, calls that replace another or that we are
//! transferred to, the call list's words, add call from the call's line and from a contact.

use super::*;

#[test]
fn the_transfer_field_sends_the_call_on() {
    let mut h = Harness::with_line("work");
    h.event(Event::CallState {
        call: CallId(1),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some("sip:bob@pbx.example.com".into()),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    h.event(Event::call_state(CallId(1), CallState::Connected));
    h.sent();
    h.send(Message::Call(CallId(1), call::Action::ToggleTransfer));
    assert_eq!(h.app.transfer_to.as_deref(), Some(""));
    h.send(Message::Call(CallId(1), call::Action::Transfer));
    assert_eq!(h.sent(), vec![], "nothing to transfer to yet");
    h.send(Message::Call(CallId(1), call::Action::ToggleTransfer));
    h.send(Message::Call(
        CallId(1),
        call::Action::TransferTo(" 2002 ".into()),
    ));
    h.send(Message::Call(CallId(1), call::Action::Transfer));
    assert_eq!(
        h.sent(),
        vec![Command::Transfer {
            call: CallId(1),
            to: Some("2002".into()),
            to_call: None,
        }]
    );
    assert_eq!(h.app.transfer_to, None, "the field closes");
}

/// A call placed from the line "work" to `user`, answered.
fn connected_call(h: &mut Harness, call: u64, user: &str) {
    h.event(Event::CallState {
        call: CallId(call),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some(format!("sip:{user}@pbx.example.com")),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    h.event(Event::call_state(CallId(call), CallState::Connected));
}

#[test]
fn consult_first_dials_the_target_then_complete_sends_the_attended_transfer() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.sent();
    h.send(Message::Call(CallId(1), call::Action::ToggleTransfer));
    h.send(Message::Call(
        CallId(1),
        call::Action::TransferTo(" 2002 ".into()),
    ));
    h.send(Message::Call(CallId(1), call::Action::Consult));
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "2002".into(),
            identity: None,
            anonymous: false,
        }],
        "the consult call goes out from the same line"
    );
    assert_eq!(h.app.transfer_to, None, "the field closes");
    // The engine holds call 1 and places call 2.
    h.event(Event::call_state(CallId(1), CallState::OnHold));
    connected_call(&mut h, 2, "2002");
    assert_eq!(
        h.app.consult,
        Some(call::Consult {
            held: CallId(1),
            target: Some(CallId(2))
        })
    );
    assert_eq!(h.app.focused, Some(CallId(2)));
    h.sent();
    h.send(Message::Call(CallId(1), call::Action::CompleteTransfer));
    assert_eq!(
        h.sent(),
        vec![Command::Transfer {
            call: CallId(1),
            to: None,
            to_call: Some(CallId(2)),
        }]
    );
    // Progress shows on the call; success ends both calls and leaves the dialer.
    h.event(Event::Transfer {
        call: CallId(1),
        state: parla_core::api::TransferState::Trying,
        code: Some(202),
        to_call: Some(CallId(2)),
        reversed: false,
    });
    let view = h.app.calls.get(CallId(1)).expect("call 1").clone();
    assert_eq!(
        call::state_text(&h.app.i18n, &view, h.app.now),
        h.app.i18n.tr("call-transferring")
    );
    h.event(Event::call_ended(CallId(2), "transferred", None));
    h.event(Event::call_ended(CallId(1), "transferred", None));
    assert_eq!(h.app.consult, None);
    assert_eq!(h.app.focused, None, "the dialer shows");
}

#[test]
fn cancelling_a_consult_hangs_up_the_target_and_resumes_the_held_call() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.send(Message::Call(CallId(1), call::Action::ToggleTransfer));
    h.send(Message::Call(
        CallId(1),
        call::Action::TransferTo("2002".into()),
    ));
    h.send(Message::Call(CallId(1), call::Action::Consult));
    h.event(Event::call_state(CallId(1), CallState::OnHold));
    connected_call(&mut h, 2, "2002");
    h.sent();
    h.send(Message::Call(CallId(2), call::Action::CancelConsult));
    assert_eq!(
        h.sent(),
        vec![
            Command::Hangup { call: CallId(2) },
            Command::Resume { call: CallId(1) }
        ]
    );
    assert_eq!(h.app.consult, None);
    assert_eq!(h.app.focused, Some(CallId(1)));
}

#[test]
fn a_consult_call_that_fails_leaves_the_held_call_on_screen() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.send(Message::Call(CallId(1), call::Action::ToggleTransfer));
    h.send(Message::Call(
        CallId(1),
        call::Action::TransferTo("2002".into()),
    ));
    // Ctrl+Shift+T: consult first.
    h.key(
        keyboard::Key::Character("T".into()),
        keyboard::Modifiers::CTRL | keyboard::Modifiers::SHIFT,
        None,
    );
    h.event(Event::call_state(CallId(1), CallState::OnHold));
    h.event(Event::CallState {
        call: CallId(2),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some("sip:2002@pbx.example.com".into()),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    assert!(h.app.consult.is_some_and(|c| c.target == Some(CallId(2))));
    h.event(Event::call_ended(CallId(2), "busy", Some(486)));
    assert_eq!(h.app.consult, None, "the pair is forgotten");
    assert_eq!(h.app.focused, Some(CallId(1)));
    assert_eq!(
        h.app.calls.get(CallId(1)).map(|c| c.state),
        Some(CallState::OnHold),
        "shown held, with Resume"
    );
}

#[test]
fn a_call_that_replaces_another_joins_the_list_with_its_party() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.event(Event::CallState {
        call: CallId(5),
        state: CallState::Connected,
        account: Some(AccountId::new("work")),
        remote: Some("sip:2003@pbx.example.com".into()),
        name: Some("Carol".into()),
        reason: None,
        code: None,
        transferred_from: None,
        replaces: Some(CallId(1)),
    });
    let view = h.app.calls.get(CallId(5)).expect("the new call is listed");
    assert_eq!(view.remote, "sip:2003@pbx.example.com");
    assert_eq!(view.title(), "Carol");
    assert_eq!(view.direction, parla_core::api::CallDirection::Incoming);
    assert!(view.connected_at.is_some());
    assert!(h.app.calls.get(CallId(1)).is_some(), "nothing else dropped");
    assert_eq!(h.app.calls.iter().count(), 2);
    assert_eq!(h.app.focused, Some(CallId(5)));
    h.event(Event::call_ended(CallId(1), "replaced", None));
    assert_eq!(h.app.focused, Some(CallId(5)));
}

#[test]
fn a_call_we_are_transferred_to_is_shown() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.send(Message::Call(CallId(1), call::Action::ToggleKeypad));
    h.event(Event::CallState {
        call: CallId(2),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some("sip:2004@pbx.example.com".into()),
        name: None,
        reason: None,
        code: None,
        transferred_from: Some(CallId(1)),
        replaces: None,
    });
    assert_eq!(h.app.focused, Some(CallId(2)));
    assert!(!h.app.keypad_open);
    h.event(Event::call_ended(CallId(1), "transferred", None));
    assert_eq!(h.app.focused, Some(CallId(2)));
}

#[test]
fn the_call_list_says_each_state_in_words() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    connected_call(&mut h, 2, "carol");
    h.event(Event::call_state(CallId(1), CallState::Held));
    let i18n = &h.app.i18n;
    let state = |call: u64| {
        let view = h.app.calls.get(CallId(call)).expect("call");
        call::list::list_state(i18n, view, h.app.now)
    };
    assert_eq!(state(1), "On hold by the other side");
    assert_eq!(state(2), "Active");
    h.event(Event::call_state(CallId(2), CallState::OnHold));
    let view = h.app.calls.get(CallId(2)).expect("call");
    assert_eq!(
        call::list::list_state(&h.app.i18n, view, h.app.now),
        "On hold"
    );
}

#[test]
fn add_call_dials_from_the_line_of_the_call_on_screen() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.sent();
    // Ctrl+D opens the field.
    h.key(
        keyboard::Key::Character("d".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(h.app.add_call_to.as_deref(), Some(""));
    h.send(Message::Call(
        CallId(1),
        call::Action::AddCallTo("2005".into()),
    ));
    h.send(Message::Call(CallId(1), call::Action::AddCall));
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "2005".into(),
            identity: None,
            anonymous: false,
        }]
    );
    assert_eq!(h.app.add_call_to, None);
    assert_eq!(h.app.consult, None, "not a consult call");
}

#[test]
fn a_contact_can_be_picked_in_the_add_call_field() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.send(Message::Call(CallId(1), call::Action::ToggleAddCall));
    h.sent();
    h.send(Message::Call(
        CallId(1),
        call::Action::AddCallTo("2".into()),
    ));
    assert_eq!(h.sent(), vec![], "a number is not looked up");
    h.send(Message::Call(
        CallId(1),
        call::Action::AddCallTo("car".into()),
    ));
    let sent = h.sent();
    let [Command::SearchContacts {
        query,
        request: Some(request),
        ..
    }] = sent.as_slice()
    else {
        panic!("one search, got {sent:?}");
    };
    assert_eq!(query, "car");
    let carol = parla_core::api::ContactEntry {
        id: parla_core::store::ContactId(7),
        name: "Carol".into(),
        fields: parla_core::store::ContactFields {
            first_name: "Carol".into(),
            phones: vec![parla_core::store::Phone::new(
                parla_core::store::PhoneLabel::Work,
                "2003",
            )],
            ..Default::default()
        },
    };
    h.event(Event::Contacts {
        request: Some(*request),
        contacts: vec![carol],
    });
    assert_eq!(
        h.app.call_suggestions.found,
        vec![call::Suggestion {
            name: "Carol".into(),
            number: "2003".into()
        }]
    );
    h.send(Message::Call(CallId(1), call::Action::Pick("2003".into())));
    assert_eq!(h.app.add_call_to.as_deref(), Some("2003"));
    assert!(h.app.call_suggestions.found.is_empty());
    h.send(Message::Call(CallId(1), call::Action::AddCall));
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "2003".into(),
            identity: None,
            anonymous: false,
        }]
    );
}

#[test]
fn a_failed_transfer_says_why_and_the_call_goes_on() {
    let mut h = Harness::with_line("work");
    connected_call(&mut h, 1, "bob");
    h.event(Event::Transfer {
        call: CallId(1),
        state: parla_core::api::TransferState::Ringing,
        code: Some(180),
        to_call: None,
        reversed: false,
    });
    assert!(h.app.calls.get(CallId(1)).is_some_and(|c| c.transferring));
    h.event(Event::Transfer {
        call: CallId(1),
        state: parla_core::api::TransferState::Failed,
        code: Some(486),
        to_call: None,
        reversed: false,
    });
    h.event(Event::call_error(
        CallId(1),
        parla_core::api::ErrorKind::TransferFailed,
        "486 Busy Here",
    ));
    assert!(h.app.calls.get(CallId(1)).is_some_and(|c| !c.transferring));
    assert_eq!(
        h.app.notice.as_deref(),
        Some(h.app.i18n.tr("error-transfer-failed").as_str())
    );
    assert_eq!(h.app.focused, Some(CallId(1)));
}
