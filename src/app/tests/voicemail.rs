//! Voicemail in the window: the count on the dialer's button, the tray and the phone tab,
//! calling the mailbox, the notification when new messages arrive, and the line settings.

use super::*;

fn mailbox(account: &str, new: u32, old: u32) -> Event {
    Event::Voicemail {
        account: AccountId::new(account),
        waiting: new > 0,
        new,
        old,
        unavailable: None,
    }
}

#[test]
fn the_dialer_shows_the_new_messages_and_its_button_calls_the_selected_line() {
    let mut h = Harness::with_line("work");
    let work = AccountId::new("work");
    assert_eq!(h.app.dialer_line(), Some(work.clone()), "the default line");
    h.event(mailbox("work", 2, 1));
    assert_eq!(h.app.mailboxes.new_messages(&work), 2);
    // The count the dialer's button shows is the selected line's.
    assert_eq!(h.app.dialer_voicemail(), 2);
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
    assert_eq!(h.app.tray_status().new_voicemail, 2);
    assert_eq!(
        h.app.tray_status().labels.new_voicemail,
        "2 new voicemail messages"
    );

    h.send(Message::Dialer(dialer::Msg::Voicemail));
    assert_eq!(
        h.sent(),
        vec![Command::CallVoicemail {
            account: Some(work.clone())
        }]
    );

    // Another line picked: its count (none) and its mailbox.
    h.send(Message::Dialer(dialer::Msg::Line(dialer::LineChoice {
        id: AccountId::new(LOCAL_LINE),
        label: "Local".into(),
    })));
    assert_eq!(h.app.dialer_voicemail(), 0);
    // Ctrl+Shift+M on the dialer does what the button does.
    h.key(
        keyboard::Key::Character("M".into()),
        keyboard::Modifiers::CTRL | keyboard::Modifiers::SHIFT,
        None,
    );
    assert_eq!(
        h.sent(),
        vec![Command::CallVoicemail {
            account: Some(AccountId::new(LOCAL_LINE))
        }]
    );
}

#[test]
fn a_notification_is_asked_for_when_the_count_rises_not_when_it_falls() {
    let mut h = Harness::with_line("work");
    let work = AccountId::new("work");
    h.event(mailbox("work", 0, 3));
    assert_eq!(h.app.mailboxes.last_notice, None, "a first report of 0");
    h.event(mailbox("work", 2, 3));
    assert_eq!(h.app.mailboxes.last_notice, Some((work.clone(), 2)));
    h.app.mailboxes.last_notice = None;
    h.event(mailbox("work", 1, 4));
    assert_eq!(h.app.mailboxes.last_notice, None, "one listened to");
    h.event(mailbox("work", 1, 4));
    assert_eq!(h.app.mailboxes.last_notice, None, "the same again");
    h.event(mailbox("work", 3, 4));
    assert_eq!(h.app.mailboxes.last_notice, Some((work.clone(), 3)));
    assert_eq!(h.app.tray_status().new_voicemail, 3);
    // A server without message waiting: nothing to show, nothing to tell.
    h.app.mailboxes.last_notice = None;
    h.event(Event::Voicemail {
        account: work.clone(),
        waiting: false,
        new: 0,
        old: 0,
        unavailable: Some("no message-summary".into()),
    });
    assert_eq!(h.app.mailboxes.last_notice, None);
    assert_eq!(h.app.tray_status().new_voicemail, 0);
    assert_eq!(h.app.tray_status().labels.new_voicemail, "");
}

#[test]
fn the_voicemail_light_and_number_are_saved_with_the_line() {
    let mut h = Harness::with_line("work");
    h.send(Message::Settings(settings::Msg::LineMessageWaiting(
        "work".into(),
        false,
    )));
    let sent = h.sent();
    let [Command::SetAccount { account }] = sent.as_slice() else {
        panic!("the line restarts with the setting, got {sent:?}");
    };
    assert!(!account.message_waiting);
    h.send(Message::Settings(settings::Msg::VoicemailNumberDraft(
        "work".into(),
        "*9".into(),
    )));
    assert!(h.sent().is_empty(), "typing restarts nothing");
    h.send(Message::Settings(settings::Msg::LineVoicemailNumber(
        "work".into(),
        "*98".into(),
    )));
    let sent = h.sent();
    let [Command::SetAccount { account }] = sent.as_slice() else {
        panic!("the line restarts with the number, got {sent:?}");
    };
    assert_eq!(account.voicemail_number.as_deref(), Some("*98"));
    h.app.config_writer.flush();
    let file = std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved");
    let saved = Config::parse(&file).expect("saved file loads");
    let line = saved
        .accounts
        .iter()
        .find(|a| a.id == "work")
        .expect("line");
    assert!(!line.message_waiting);
    assert_eq!(line.voicemail_number.as_deref(), Some("*98"));
}
