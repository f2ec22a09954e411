//! Logic tests: drive `update` with messages and check the state and the commands the engine
//! would receive. No window opens: tasks are not run, and the engine is a detached channel.

use super::*;
use crate::screen::sign_in::Progress;
use parla_core::api::{CallState, DeclineReason};
use parla_core::config::AccountConfig;
use tokio::sync::mpsc;

mod answering_machine;
mod call_features;
mod chat_tab;
mod conference;
mod lamps;
mod quality;
mod transfers;
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
fn auto_answer_is_the_engines_and_its_answer_closes_the_popup() {
    let mut config = Config::default();
    config.app.auto_answer = true;
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "pbx.example.com".into(),
        ..AccountConfig::default()
    });
    let mut h = Harness::new(config);
    let _ = h.sent();
    h.event(incoming(4));
    assert!(
        !h.sent().iter().any(|c| matches!(c, Command::Answer { .. })),
        "the window does not answer: the engine does"
    );
    assert!(h.app.popup.is_some(), "rings like any call until answered");
    h.event(Event::call_state(CallId(4), CallState::Connected));
    assert!(
        h.app.popup.is_none(),
        "answered by the engine: no popup left"
    );
    assert_eq!(h.app.focused, Some(CallId(4)));
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
