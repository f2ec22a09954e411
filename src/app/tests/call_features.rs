//! A line's call features in the window: forwarding at a glance (banner, tray) and turned off
//! from it, kept when changed elsewhere; calls forwarded without ringing are no missed calls;
//! the dialer's "Call as" and Codes menus; forwarding, identities and codes on the line's page.

use super::*;
use crate::app::call_features::FeaturesMsg;
use crate::screen::dialer::{CallAsChoice, Msg as DialMsg};
use crate::screen::settings::{CodeChange, ForwardingChange, IdentityChange, Msg as SetMsg};
use parla_core::api::RefusalReason;
use parla_core::config::{FeatureCode, FeatureKind, ForwardingConfig, Identity};

/// The work line with two identities (support the default) and two codes.
fn line() -> Harness {
    let mut config = Config::default();
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "pbx.example.com".into(),
        password: Some("from-file".into()),
        default: true,
        identities: vec![
            Identity {
                display_name: Some("Sales".into()),
                user: "+31201234567".into(),
                default: false,
            },
            Identity {
                display_name: Some("Support".into()),
                user: "support".into(),
                default: true,
            },
        ],
        feature_codes: vec![
            FeatureCode {
                name: "Forward all".into(),
                code: "*72{}".into(),
                kind: FeatureKind::ForwardAlwaysOn,
                in_call: false,
            },
            FeatureCode {
                name: "Park".into(),
                code: "#72".into(),
                kind: FeatureKind::Park,
                in_call: true,
            },
        ],
        ..AccountConfig::default()
    });
    let mut h = Harness::new(config);
    let _ = h.sent();
    h
}

fn forwarding(always: Option<&str>, busy: Option<&str>) -> ForwardingConfig {
    ForwardingConfig {
        always: always.map(Into::into),
        busy: busy.map(Into::into),
        ..ForwardingConfig::default()
    }
}

fn forwarding_event(f: ForwardingConfig) -> Event {
    Event::Forwarding {
        account: AccountId::new("work"),
        active: f.is_active(),
        forwarding: f,
    }
}

fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

fn saved_config(h: &mut Harness) -> String {
    h.app.config_writer.flush();
    std::fs::read_to_string(h.profile.path().join("config.toml")).unwrap_or_default()
}

#[test]
fn forwarding_set_elsewhere_shows_at_a_glance_and_is_kept() {
    let mut h = line();
    assert!(h.app.forwarded_lines().is_empty());
    assert!(h.app.forwarding_banner().is_none());
    assert!(!h.app.tray_status().forwarding);
    h.event(forwarding_event(forwarding(Some("0612 345 678"), None)));
    assert_eq!(
        h.app.forwarded_lines(),
        vec![(
            "work".to_string(),
            "Calls forwarded to 0612 345 678".to_string()
        )]
    );
    assert!(h.app.forwarding_banner().is_some());
    draw(&h);
    let tray = h.app.tray_status();
    assert!(tray.forwarding);
    assert_eq!(tray.labels.forwarding, "Calls forwarded to 0612 345 678");
    assert_eq!(
        h.app.config.accounts[0].forwarding.always.as_deref(),
        Some("0612 345 678"),
        "a change made elsewhere is kept"
    );
    assert!(saved_config(&mut h).contains("0612 345 678"), "and saved");
    assert!(h.sent().is_empty(), "nothing sent back to the engine");

    h.event(forwarding_event(forwarding(None, Some("201"))));
    assert_eq!(
        h.app.forwarded_lines()[0].1,
        "Forwarding on busy to 201",
        "follows the engine"
    );
    h.event(forwarding_event(ForwardingConfig::default()));
    assert!(h.app.forwarding_banner().is_none(), "off: no banner");
    assert!(!h.app.tray_status().forwarding);
}

#[test]
fn turn_off_sends_set_forwarding_and_never_set_account() {
    let mut h = line();
    h.app.config.accounts[0].forwarding = ForwardingConfig {
        no_answer: Some("201".into()),
        no_answer_after_s: 15,
        ..ForwardingConfig::default()
    };
    assert_eq!(
        h.app.forwarded_lines()[0].1,
        "Forwarding after 15 s to 201",
        "from the config before the engine says anything"
    );
    h.send(Message::Features(FeaturesMsg::TurnOff("work".into())));
    let sent = h.sent();
    let [Command::SetForwarding {
        account,
        forwarding,
    }] = sent.as_slice()
    else {
        panic!("one set_forwarding, got {sent:?}");
    };
    assert_eq!(account.as_ref(), Some(&AccountId::new("work")));
    assert!(!forwarding.is_active());
    assert_eq!(forwarding.no_answer_after_s, 15, "the ring time is kept");
    assert!(!h.app.config.accounts[0].forwarding.is_active());
    assert!(h.app.forwarding_banner().is_none());

    h.send(Message::Features(FeaturesMsg::OpenForwarding(
        "work".into(),
    )));
    assert_eq!(h.app.tab, Tab::Settings);
    assert_eq!(h.app.settings.line_open.as_deref(), Some("work"));
}

#[test]
fn forwarding_typed_on_the_line_page_is_saved_with_its_button() {
    let mut h = line();
    let change = |c| Message::Settings(SetMsg::Forwarding("work".into(), c));
    h.send(change(ForwardingChange::Always("0612345678".into())));
    h.send(change(ForwardingChange::ByProvider(true)));
    assert!(h.sent().is_empty(), "typing sends nothing");
    assert!(!h.app.config.accounts[0].forwarding.is_active());
    h.app.settings.line_open = Some("work".into());
    h.app.tab = Tab::Settings;
    draw(&h);
    let draft = h.app.settings.forwarding_drafts["work"].clone();
    h.send(change(ForwardingChange::Save(draft)));
    let sent = h.sent();
    assert!(
        matches!(
            sent.as_slice(),
            [Command::SetForwarding { forwarding, .. }]
                if forwarding.by_provider && forwarding.always.as_deref() == Some("0612345678")
        ),
        "got {sent:?}"
    );
    assert!(saved_config(&mut h).contains("by_provider = true"));
}

#[test]
fn a_call_forwarded_without_ringing_is_no_missed_call() {
    let mut h = line();
    h.event(Event::CallRefused {
        account: AccountId::new("work"),
        from: "sip:+34911111111@pbx.example.com".into(),
        name: Some("Ada".into()),
        reason: RefusalReason::Forwarded,
        forwarded_to: Some("sip:0612345678@pbx.example.com".into()),
    });
    assert_eq!(h.app.missed, 0);
    assert!(h.app.popup.is_none());
    assert_eq!(
        h.app.features.last_forwarded,
        Some(("Ada".into(), "0612345678".into()))
    );
    assert!(
        h.app.forwarding_banner().is_some(),
        "a quiet note of it, even with the forward since turned off"
    );
    draw(&h);
    h.send(Message::Features(FeaturesMsg::DismissForwarded));
    assert!(h.app.forwarding_banner().is_none());
}

#[test]
fn call_as_picks_the_identity_or_anonymous_for_the_dial() {
    let mut h = line();
    let features = h.app.dialer_features().expect("the work line's");
    let i18n = I18n::new(crate::i18n::Language::English);
    let choices: Vec<CallAsChoice> = features.call_as_choices(&i18n);
    let labels: Vec<_> = choices.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Sales", "Support", "Anonymous"],
        "no own entry: an identity is the default"
    );
    assert_eq!(
        features.default_call_as(),
        dialer::CallAs::Identity("support".into())
    );
    draw(&h);
    let dial = |h: &mut Harness, to: &str| {
        h.send(Message::Dialer(DialMsg::Input(to.into())));
        h.send(Message::Dialer(DialMsg::Call));
        h.sent()
    };
    let sent = dial(&mut h, "201");
    assert!(
        matches!(
            sent.as_slice(),
            [Command::Dial {
                identity: None,
                anonymous: false,
                ..
            }]
        ),
        "untouched: the engine uses the default, got {sent:?}"
    );
    h.send(Message::Dialer(DialMsg::CallAs(choices[0].clone())));
    let sent = dial(&mut h, "202");
    assert!(
        matches!(
            sent.as_slice(),
            [Command::Dial { identity: Some(user), anonymous: false, to, .. }]
                if user == "+31201234567" && to == "202"
        ),
        "got {sent:?}"
    );
    h.send(Message::Dialer(DialMsg::CallAs(choices[2].clone())));
    let sent = dial(&mut h, "203");
    assert!(
        matches!(
            sent.as_slice(),
            [Command::Dial {
                identity: None,
                anonymous: true,
                ..
            }]
        ),
        "got {sent:?}"
    );
}

#[test]
fn codes_from_the_dialer_take_the_typed_number_or_go_to_the_call() {
    let mut h = line();
    h.send(Message::Dialer(DialMsg::ToggleCodes));
    assert!(h.app.dialer.codes_open);
    draw(&h);
    h.send(Message::Dialer(DialMsg::Input("0612345678".into())));
    h.send(Message::Dialer(DialMsg::Code("Forward all".into(), false)));
    assert_eq!(
        h.sent(),
        vec![Command::FeatureCode {
            account: Some(AccountId::new("work")),
            name: "Forward all".into(),
            argument: Some("0612345678".into()),
            call: None,
        }]
    );
    assert!(h.app.dialer.input.is_empty() && !h.app.dialer.codes_open);
    // With a call up, an in-call code goes to it.
    h.event(Event::CallState {
        call: CallId(9),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some("sip:bob@pbx.example.com".into()),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    h.event(Event::call_state(CallId(9), CallState::Connected));
    let _ = h.sent();
    h.send(Message::Dialer(DialMsg::Code("Park".into(), true)));
    assert_eq!(
        h.sent(),
        vec![Command::FeatureCode {
            account: Some(AccountId::new("work")),
            name: "Park".into(),
            argument: None,
            call: Some(CallId(9)),
        }]
    );
}

#[test]
fn identities_and_codes_on_the_line_page_restart_the_line_with_them() {
    let mut h = line();
    h.app.tab = Tab::Settings;
    h.app.settings.line_open = Some("work".into());
    draw(&h);
    h.send(Message::Settings(SetMsg::Identities(
        "work".into(),
        IdentityChange::Anonymous(true),
    )));
    let sent = h.sent();
    assert!(
        matches!(sent.as_slice(), [Command::SetAccount { account }] if account.anonymous),
        "got {sent:?}"
    );
    h.send(Message::Settings(SetMsg::Codes(
        "work".into(),
        CodeChange::Add(FeatureCode {
            name: "Mailbox".into(),
            code: "*98".into(),
            kind: FeatureKind::Voicemail,
            in_call: false,
        }),
    )));
    let sent = h.sent();
    assert!(
        matches!(sent.as_slice(), [Command::SetAccount { account }] if account.feature_codes.len() == 3),
        "got {sent:?}"
    );
    draw(&h);
    let saved = saved_config(&mut h);
    assert!(saved.contains("anonymous = true") && saved.contains("*98"));
    let features = h.app.dialer_features().expect("features");
    assert_eq!(
        features.default_call_as(),
        dialer::CallAs::Anonymous,
        "a line that always hides starts on Anonymous"
    );
}

#[test]
fn a_forwarding_the_engine_refuses_goes_back_to_what_it_has() {
    let mut h = line();
    h.event(forwarding_event(forwarding(None, Some("201"))));
    h.send(Message::Settings(SetMsg::Forwarding(
        "work".into(),
        ForwardingChange::Save(forwarding(Some("not a target <>"), Some("201"))),
    )));
    assert!(h.app.config.accounts[0].forwarding.always.is_some());
    h.event(Event::Error {
        kind: parla_core::api::ErrorKind::ForwardingFailed,
        message: "forwarding not changed: not a target".into(),
        call: None,
        account: Some(AccountId::new("work")),
        request: None,
    });
    assert_eq!(
        h.app.config.accounts[0].forwarding,
        forwarding(None, Some("201")),
        "back to the engine's"
    );
    assert!(h.app.notice.is_some(), "the error is told");
    assert_eq!(h.app.forwarded_lines()[0].1, "Forwarding on busy to 201");
}

#[test]
fn a_link_names_its_identity_or_hides_the_caller() {
    let mut h = line();
    h.send(Message::Control(Command::Dial {
        account: None,
        to: "201".into(),
        identity: Some("+31201234567".into()),
        anonymous: false,
    }));
    h.send(Message::Control(Command::Dial {
        account: Some(AccountId::new("work")),
        to: "202".into(),
        identity: None,
        anonymous: true,
    }));
    let sent = h.sent();
    assert!(
        matches!(
            sent.as_slice(),
            [
                Command::Dial { identity: Some(user), anonymous: false, account: Some(a), .. },
                Command::Dial { identity: None, anonymous: true, .. },
            ] if user == "+31201234567" && a.as_str() == "work"
        ),
        "got {sent:?}"
    );
}
