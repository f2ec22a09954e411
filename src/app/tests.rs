//! Logic tests: drive `update` with messages and check the state and the commands the engine
//! would receive. No window opens: tasks are not run, and the engine is a detached channel.

use super::*;
use crate::screen::sign_in::Progress;
use parla_core::api::{CallState, DeclineReason};
use parla_core::config::AccountConfig;
use tokio::sync::mpsc;

mod answering_machine;
mod chat_tab;
mod lamps;
mod voicemail;
mod voicemail_tab;

struct Harness {
    app: App,
    commands: mpsc::Receiver<Command>,
    profile: tempfile::TempDir,
}

impl Harness {
    fn new(config: Config) -> Harness {
        let profile = tempfile::tempdir().expect("temp profile");
        let (engine, commands) = EngineLink::detached();
        let (app, _) = App::new(
            with_local_line(config),
            profile.path().to_path_buf(),
            engine,
            Launch::default(),
        );
        Harness {
            app,
            commands,
            profile,
        }
    }

    fn with_line(id: &str) -> Harness {
        let mut config = Config::default();
        config.accounts.push(AccountConfig {
            id: id.into(),
            username: "2001".into(),
            domain: "pbx.example.com".into(),
            password: Some("from-file".into()),
            ..AccountConfig::default()
        });
        Harness::new(config)
    }

    fn send(&mut self, message: Message) {
        let _ = self.app.update(message);
    }

    fn event(&mut self, event: Event) {
        self.send(Message::Engine(event));
    }

    fn sent(&mut self) -> Vec<Command> {
        let mut sent = Vec::new();
        while let Ok(command) = self.commands.try_recv() {
            sent.push(command);
        }
        sent
    }

    fn key(&mut self, key: keyboard::Key, modifiers: keyboard::Modifiers, text: Option<&str>) {
        self.send(Message::Key(keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: keyboard::Location::Standard,
            modifiers,
            text: text.map(Into::into),
            repeat: false,
        }));
    }

    fn named(&mut self, named: keyboard::key::Named) {
        self.key(
            keyboard::Key::Named(named),
            keyboard::Modifiers::empty(),
            None,
        );
    }
}

fn registration(account: &str, state: RegistrationState, code: Option<u16>) -> Event {
    Event::Registration {
        account: AccountId::new(account),
        state,
        code,
        reason: code.map(|_| "Forbidden".to_string()),
        expires: None,
    }
}

fn incoming(call: u64) -> Event {
    Event::IncomingCall {
        call: CallId(call),
        account: AccountId::new("work"),
        from: "sip:+31612345678@pbx.example.com".into(),
        name: Some("Ada".into()),
    }
}

#[test]
fn first_run_signs_in_and_keeps_the_password_out_of_the_file() {
    let mut h = Harness::new(Config::default());
    assert!(h.app.sign_in.is_some(), "first run opens the sign-in form");
    h.send(Message::SignIn(sign_in::Msg::Address(
        "alice@sip.example.com".into(),
    )));
    h.send(Message::SignIn(sign_in::Msg::Password("s3cret".into())));
    h.send(Message::SignIn(sign_in::Msg::Submit));
    let sent = h.sent();
    let [Command::SetAccount { account }] = sent.as_slice() else {
        panic!("one set_account, got {sent:?}");
    };
    assert_eq!(account.username, "alice");
    assert_eq!(account.domain, "sip.example.com");
    assert_eq!(account.password.as_deref(), Some("s3cret"));
    assert_eq!(
        account.registrar, None,
        "the server is found from the domain"
    );
    let form = h.app.sign_in.as_ref().expect("form");
    assert!(form.is_waiting());

    h.event(registration(
        "alice@sip.example.com",
        RegistrationState::Registered,
        None,
    ));
    assert!(h.app.sign_in.is_none(), "signed in: the form closes");
    let line = h
        .app
        .config
        .accounts
        .iter()
        .find(|a| a.id == "alice@sip.example.com")
        .expect("line saved");
    assert!(line.default, "the first provider line is the default");
    assert!(
        line.password_in_keyring,
        "the keyring keeps it, not the file"
    );
    assert_eq!(
        h.app.config.accounts.last().map(|a| a.id.as_str()),
        Some(LOCAL_LINE),
        "the Local line stays last"
    );
    h.app.config_writer.flush();
    let file = std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved");
    assert!(file.contains("alice"), "{file}");
    assert!(!file.contains("s3cret"), "no password in the file: {file}");
}

#[test]
fn wrong_credentials_are_said_on_the_form_and_the_line_stops_trying() {
    let mut h = Harness::new(Config::default());
    h.send(Message::SignIn(sign_in::Msg::Address(
        "alice@sip.example.com".into(),
    )));
    h.send(Message::SignIn(sign_in::Msg::Password("wrong".into())));
    h.send(Message::SignIn(sign_in::Msg::Submit));
    h.sent();
    h.event(registration(
        "alice@sip.example.com",
        RegistrationState::Failed,
        Some(403),
    ));
    let form = h.app.sign_in.as_ref().expect("form stays");
    assert_eq!(
        form.progress,
        Progress::Failed(h.app.i18n.tr("sign-in-error-credentials"))
    );
    assert_eq!(
        h.sent(),
        vec![Command::RemoveAccount {
            account: AccountId::new("alice@sip.example.com")
        }]
    );
    assert!(h
        .app
        .config
        .accounts
        .iter()
        .all(|a| a.id != "alice@sip.example.com"));
    // Editing the form again clears the message and a second try goes out.
    h.send(Message::SignIn(sign_in::Msg::Password("right".into())));
    assert_eq!(
        h.app.sign_in.as_ref().map(|f| &f.progress),
        Some(&Progress::Editing)
    );
    h.send(Message::SignIn(sign_in::Msg::Submit));
    assert_eq!(h.sent().len(), 1);
}

#[test]
fn local_only_skips_the_sign_in() {
    let mut h = Harness::new(Config::default());
    h.send(Message::SignIn(sign_in::Msg::LocalOnly));
    assert!(h.app.sign_in.is_none());
    assert!(h
        .app
        .config
        .accounts
        .iter()
        .any(|a| a.id == LOCAL_LINE && !a.register));
}

#[test]
fn dialing_a_pasted_number_on_the_default_line_then_hanging_up_with_escape() {
    let mut h = Harness::with_line("work");
    assert!(
        h.app.sign_in.is_none(),
        "a configured line needs no sign-in"
    );
    h.send(Message::Dialer(dialer::Msg::Input(
        "+34 (912) 345-678".into(),
    )));
    h.named(keyboard::key::Named::Enter);
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "+34912345678".into(),
            identity: None,
            anonymous: false,
        }]
    );
    h.event(Event::CallState {
        call: CallId(1),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some("sip:+34912345678@pbx.example.com".into()),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    assert_eq!(h.app.focused, Some(CallId(1)));
    h.event(Event::call_state(CallId(1), CallState::Connected));
    assert!(h
        .app
        .calls
        .get(CallId(1))
        .and_then(|c| c.connected_at)
        .is_some());
    assert_eq!(
        h.sent(),
        vec![Command::ListDevices],
        "the call screen asks for the outputs it can switch to"
    );
    // Digits in a call are DTMF, Ctrl+M mutes, Ctrl+H holds.
    h.key(
        keyboard::Key::Character("5".into()),
        keyboard::Modifiers::empty(),
        Some("5"),
    );
    h.key(
        keyboard::Key::Character("m".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    h.key(
        keyboard::Key::Character("h".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(
        h.sent(),
        vec![
            Command::Dtmf {
                call: CallId(1),
                digits: "5".into()
            },
            Command::Mute {
                call: CallId(1),
                muted: true
            },
            Command::Hold { call: CallId(1) },
        ]
    );
    h.named(keyboard::key::Named::Escape);
    assert_eq!(h.sent(), vec![Command::Hangup { call: CallId(1) }]);
    h.event(Event::call_ended(CallId(1), "hangup", None));
    assert!(h.app.calls.iter().next().is_none());
    assert_eq!(h.app.focused, None);
    assert_eq!(h.app.missed, 0, "an outgoing call is never missed");
}

#[test]
fn the_line_picked_in_the_dialer_is_used() {
    let mut h = Harness::with_line("work");
    h.send(Message::Dialer(dialer::Msg::Line(dialer::LineChoice {
        id: AccountId::new(LOCAL_LINE),
        label: "Local".into(),
    })));
    for digit in ['1', '2'] {
        h.send(Message::Dialer(dialer::Msg::Key(digit)));
    }
    h.send(Message::Dialer(dialer::Msg::Call));
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new(LOCAL_LINE)),
            to: "12".into(),
            identity: None,
            anonymous: false,
        }]
    );
}

#[test]
fn an_incoming_call_pops_up_and_is_answered_from_the_popup() {
    let mut h = Harness::with_line("work");
    h.event(incoming(7));
    let (_, ringing) = h.app.popup.expect("popup opened");
    assert_eq!(ringing, CallId(7));
    assert_eq!(
        h.app.calls.get(CallId(7)).map(|c| c.title()),
        Some("Ada".into())
    );
    h.send(Message::Popup(CallId(7), popup::Choice::Answer));
    assert_eq!(h.sent(), vec![Command::Answer { call: CallId(7) }]);
    assert!(h.app.popup.is_none(), "answered: the popup closes");
    assert_eq!(h.app.focused, Some(CallId(7)));
    assert!(h.app.main_visible, "the call screen comes forward");
    h.event(Event::call_state(CallId(7), CallState::Connected));
    h.event(Event::call_ended(CallId(7), "remote hangup", None));
    assert_eq!(h.app.missed, 0);
}

#[test]
fn an_incoming_call_is_declined_with_escape_and_a_second_one_takes_the_popup() {
    let mut h = Harness::with_line("work");
    h.event(incoming(1));
    h.event(incoming(2));
    h.named(keyboard::key::Named::Escape);
    assert_eq!(
        h.sent(),
        vec![Command::Decline {
            call: CallId(1),
            reason: DeclineReason::Decline
        }]
    );
    assert_eq!(
        h.app.popup.map(|(_, c)| c),
        Some(CallId(2)),
        "the next ringing call"
    );
    h.event(Event::call_ended(CallId(1), "declined", Some(603)));
    h.send(Message::Popup(CallId(2), popup::Choice::Decline));
    assert!(h.app.popup.is_none());
    assert_eq!(
        h.sent(),
        vec![Command::Decline {
            call: CallId(2),
            reason: DeclineReason::Decline
        }]
    );
}

#[test]
fn a_call_that_stops_ringing_unanswered_counts_as_missed() {
    let mut h = Harness::with_line("work");
    h.send(Message::CloseRequested(
        h.app.main_window.expect("main window"),
    ));
    h.event(incoming(3));
    h.event(Event::call_ended(CallId(3), "caller gave up", Some(487)));
    assert_eq!(h.app.missed, 1);
    assert!(h.app.popup.is_none());
    h.send(Message::Control(Command::Show));
    assert_eq!(h.app.missed, 1, "shown until seen");
    h.send(Message::Tab(Tab::History));
    assert_eq!(h.app.missed, 0, "seen once the history is opened");
}

#[test]
fn auto_answer_answers_without_a_popup() {
    let mut config = Config::default();
    config.app.auto_answer = true;
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "pbx.example.com".into(),
        ..AccountConfig::default()
    });
    let mut h = Harness::new(config);
    h.event(incoming(4));
    assert_eq!(h.sent(), vec![Command::Answer { call: CallId(4) }]);
    assert!(h.app.popup.is_none());
}

#[test]
fn a_link_from_a_second_launch_is_dialled_on_the_default_line() {
    let mut h = Harness::with_line("work");
    h.send(Message::Control(Command::Dial {
        account: None,
        to: "+15551234".into(),
        identity: None,
        anonymous: false,
    }));
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "+15551234".into(),
            identity: None,
            anonymous: false,
        }]
    );
    // With "ask which line" on, the number waits in the dialer instead.
    h.app.config.app.ask_line_for_links = true;
    h.send(Message::Control(Command::Dial {
        account: None,
        to: "+15559999".into(),
        identity: None,
        anonymous: false,
    }));
    assert!(h.sent().is_empty());
    assert_eq!(h.app.dialer.input, "+15559999");
}

#[test]
fn settings_changes_reach_the_engine_and_the_file() {
    let mut h = Harness::with_line("work");
    h.send(Message::Settings(settings::Msg::DoNotDisturb(true)));
    assert_eq!(h.sent(), vec![Command::SetDoNotDisturb { on: true }]);
    assert!(h.app.dnd);
    h.send(Message::Settings(settings::Msg::Language(
        Language::Italian,
    )));
    assert_eq!(h.app.i18n.language(), Language::Italian);
    h.app.config_writer.flush();
    let file = std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved");
    let saved = Config::parse(&file).expect("saved file loads");
    assert!(saved.app.do_not_disturb);
    assert_eq!(saved.app.language.as_deref(), Some("it"));
    assert_eq!(
        saved.accounts[0].password.as_deref(),
        Some("from-file"),
        "a password the file held stays there"
    );
}

#[test]
fn the_main_window_size_and_place_are_kept_for_the_next_start() {
    let mut h = Harness::with_line("work");
    let main = h.app.main_window.expect("main window");
    h.send(Message::WindowResized(main, iced::Size::new(500.0, 700.0)));
    h.send(Message::WindowMoved(main, iced::Point::new(30.0, 40.0)));
    // Moving the popup (another window) changes nothing.
    h.send(Message::WindowMoved(
        window::Id::unique(),
        iced::Point::new(900.0, 900.0),
    ));
    assert_eq!(h.app.config.app.window, None, "not written on every move");
    // No tray in these tests: closing the window quits, and quitting keeps the place.
    h.send(Message::CloseRequested(main));
    h.app.config_writer.flush();
    let file = std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved");
    let saved = Config::parse(&file).expect("saved file loads");
    assert_eq!(
        saved.app.window,
        Some(parla_core::config::WindowGeometry {
            width: 500,
            height: 700,
            x: Some(30),
            y: Some(40),
        })
    );
    let settings = windows::main_settings(true, saved.app.window, false);
    assert_eq!(settings.size, iced::Size::new(500.0, 700.0));
    assert!(matches!(
        settings.position,
        window::Position::Specific(p) if p == iced::Point::new(30.0, 40.0)
    ));
}

#[test]
fn places_and_a_new_contact_are_a_key_away() {
    let mut h = Harness::with_line("work");
    h.key(
        keyboard::Key::Character("3".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(h.app.tab, Tab::History);
    assert_eq!(
        h.app.title(h.app.main_window.expect("main window")),
        "History – Parla"
    );
    h.key(
        keyboard::Key::Character("n".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(h.app.tab, Tab::Contacts);
    assert!(h.app.contacts.form.is_some(), "Ctrl+N opens a new contact");
    h.key(
        keyboard::Key::Character("1".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(h.app.tab, Tab::Phone);
    assert_eq!(
        h.app.title(h.app.main_window.expect("main window")),
        "Parla"
    );
}

#[test]
fn ctrl_s_swaps_to_the_held_call() {
    let mut h = Harness::with_line("work");
    for (call, state) in [(1, CallState::OnHold), (2, CallState::Connected)] {
        h.event(Event::CallState {
            call: CallId(call),
            state: CallState::Calling,
            account: Some(AccountId::new("work")),
            remote: Some(format!("sip:{call}@pbx.example.com")),
            name: None,
            reason: None,
            code: None,
            transferred_from: None,
            replaces: None,
        });
        h.event(Event::call_state(CallId(call), state));
    }
    h.app.focused = Some(CallId(2));
    h.sent();
    h.key(
        keyboard::Key::Character("s".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(
        h.sent(),
        vec![Command::Resume { call: CallId(1) }],
        "the engine holds call 2 before it resumes call 1"
    );
    assert_eq!(h.app.focused, Some(CallId(1)));
}

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
