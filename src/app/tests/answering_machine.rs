//! The answering machine in the window: its settings on the line's page (saved with the line,
//! out-of-range numbers refused), recording, listening to and keeping a greeting, picking up a
//! call the machine has taken, and the notification of a new message.

use super::*;
use crate::screen::settings::Machine;
use parla_core::api::{GreetingState, PlaybackState};
use parla_core::store::VoicemailId;

fn machine(h: &mut Harness, change: Machine) {
    h.send(Message::Settings(settings::Msg::Machine(
        "work".into(),
        change,
    )));
}

fn greeting(state: GreetingState, duration_ms: u64, path: Option<&str>) -> Event {
    Event::Greeting {
        account: AccountId::new("work"),
        state,
        duration_ms,
        path: path.map(Into::into),
    }
}

/// The line as the settings file holds it now.
fn saved_line(h: &Harness) -> AccountConfig {
    h.app.config_writer.flush();
    let file = std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved");
    let saved = Config::parse(&file).expect("saved file loads");
    saved
        .accounts
        .into_iter()
        .find(|a| a.id == "work")
        .expect("line")
}

/// Draws the main window (the settings page, the call screen) as the app would.
fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

#[test]
fn the_answering_machine_settings_are_saved_with_the_line_and_bad_numbers_refused() {
    let mut h = Harness::with_line("work");
    h.send(Message::Tab(Tab::Settings));
    h.send(Message::Settings(settings::Msg::OpenLine(Some(
        "work".into(),
    ))));
    assert_eq!(h.app.settings.line_open.as_deref(), Some("work"));
    h.sent();
    draw(&h);

    machine(&mut h, Machine::Enabled(true));
    let sent = h.sent();
    let [Command::SetAccount { account }] = sent.as_slice() else {
        panic!("the line restarts with its machine on, got {sent:?}");
    };
    assert!(account.answering_machine.enabled);
    draw(&h);

    machine(&mut h, Machine::AnswerAfter(30));
    machine(&mut h, Machine::WhenDoNotDisturb(false));
    machine(&mut h, Machine::MaxMessage(300));
    let sent = h.sent();
    assert_eq!(sent.len(), 3, "each change restarts the line: {sent:?}");
    let Some(Command::SetAccount { account }) = sent.last() else {
        panic!("set_account, got {sent:?}");
    };
    assert_eq!(account.answering_machine.answer_after_s, 30);
    assert!(!account.answering_machine.when_do_not_disturb);
    assert_eq!(account.answering_machine.max_message_s, 300);

    // Beyond what the engine takes: nothing changes, nothing is sent.
    machine(&mut h, Machine::AnswerAfter(301));
    machine(&mut h, Machine::MaxMessage(0));
    machine(&mut h, Machine::MaxMessage(100_000));
    assert!(h.sent().is_empty(), "refused values restart nothing");
    let line = saved_line(&h);
    let am = &line.answering_machine;
    assert!(am.enabled);
    assert_eq!(
        (am.answer_after_s, am.when_do_not_disturb, am.max_message_s),
        (30, false, 300)
    );
    assert_eq!(am.greeting, "default");

    // Back to the list, where the line says its machine is on.
    h.send(Message::Settings(settings::Msg::OpenLine(None)));
    assert_eq!(h.app.settings.line_open, None);
    draw(&h);
}

#[test]
fn a_greeting_is_recorded_listened_to_and_kept() {
    let mut h = Harness::with_line("work");
    machine(&mut h, Machine::Enabled(true));
    h.send(Message::Tab(Tab::Settings));
    h.send(Message::Settings(settings::Msg::OpenLine(Some(
        "work".into(),
    ))));
    h.sent();
    let line = |h: &Harness| {
        h.app
            .config
            .accounts
            .iter()
            .find(|a| a.id == "work")
            .map(|a| a.answering_machine.clone())
            .expect("line")
    };
    let state = |h: &Harness| h.app.settings.greetings.get("work").cloned();

    machine(&mut h, Machine::OwnGreeting(true));
    assert!(h.sent().is_empty(), "choosing to record sends nothing yet");
    assert_eq!(line(&h).greeting, "default", "nothing kept yet");
    let before = state(&h).expect("the page's own state");
    assert!(before.is_own(&line(&h)));
    assert!(!before.can_listen(&line(&h)) && !before.can_keep());
    draw(&h);

    machine(&mut h, Machine::Record);
    assert_eq!(
        h.sent(),
        vec![Command::RecordGreeting {
            account: AccountId::new("work"),
            stop: false
        }]
    );
    h.event(greeting(GreetingState::Recording, 2400, None));
    assert_eq!(state(&h).and_then(|g| g.recording), Some(2400));
    draw(&h);
    // A recorder that fails (no microphone): the notice says why, Record comes back.
    h.event(Event::Error {
        kind: parla_core::api::ErrorKind::RecordingFailed,
        message: "no input device".into(),
        call: None,
        account: Some(AccountId::new("work")),
        request: None,
    });
    assert_eq!(state(&h).and_then(|g| g.recording), None);
    assert!(h.app.notice.is_some(), "the failure is said");
    machine(&mut h, Machine::Record);
    h.sent();
    h.event(greeting(GreetingState::Recording, 2400, None));
    machine(&mut h, Machine::StopRecording);
    assert_eq!(
        h.sent(),
        vec![Command::RecordGreeting {
            account: AccountId::new("work"),
            stop: true
        }]
    );
    h.event(greeting(GreetingState::Recorded, 5000, None));
    let recorded = state(&h).expect("state");
    assert_eq!(recorded.recording, None);
    assert_eq!(recorded.draft, Some(5000));
    assert!(
        recorded.can_listen(&line(&h)) && recorded.can_keep(),
        "Listen and Keep are on once recorded"
    );
    draw(&h);

    machine(&mut h, Machine::Listen);
    assert_eq!(
        h.sent(),
        vec![Command::PlayGreeting {
            account: AccountId::new("work")
        }]
    );
    h.event(Event::Playback {
        id: None,
        greeting: Some(AccountId::new("work")),
        state: PlaybackState::Playing,
        position_ms: 200,
        duration_ms: 5000,
    });
    assert!(state(&h).is_some_and(|g| g.playing));
    draw(&h);
    machine(&mut h, Machine::StopListening);
    assert_eq!(h.sent(), vec![Command::StopPlayback]);
    h.event(Event::Playback {
        id: None,
        greeting: Some(AccountId::new("work")),
        state: PlaybackState::Stopped,
        position_ms: 900,
        duration_ms: 5000,
    });
    assert!(state(&h).is_some_and(|g| !g.playing));

    machine(&mut h, Machine::Keep);
    assert_eq!(
        h.sent(),
        vec![Command::KeepGreeting {
            account: AccountId::new("work")
        }]
    );
    let kept = "/profile/greetings/work.wav";
    h.event(greeting(GreetingState::Kept, 5000, Some(kept)));
    assert_eq!(line(&h).greeting, format!("file:{kept}"));
    assert!(
        h.sent().is_empty(),
        "the engine uses what it kept: no restart"
    );
    let after = state(&h).expect("state");
    assert!(!after.can_keep(), "nothing left to keep");
    assert!(after.can_listen(&line(&h)), "the kept one can be heard");
    assert_eq!(
        saved_line(&h).answering_machine.greeting,
        format!("file:{kept}")
    );
    draw(&h);

    // A WAV file typed in, then the default tones again.
    machine(&mut h, Machine::PathDraft(" /home/a/hello.wav ".into()));
    assert!(h.sent().is_empty(), "typing sends nothing");
    machine(&mut h, Machine::UseFile(" /home/a/hello.wav ".into()));
    let sent = h.sent();
    let [Command::SetAccount { account }] = sent.as_slice() else {
        panic!("the line restarts with the file, got {sent:?}");
    };
    assert_eq!(account.answering_machine.greeting, "file:/home/a/hello.wav");
    machine(&mut h, Machine::OwnGreeting(false));
    assert_eq!(line(&h).greeting, "default");
    assert_eq!(saved_line(&h).answering_machine.greeting, "default");
}

#[test]
fn a_call_the_machine_takes_keeps_its_popup_and_can_be_picked_up() {
    let mut h = Harness::with_line("work");
    h.event(incoming(7));
    assert_eq!(h.app.popup.map(|(_, c)| c), Some(CallId(7)));
    h.event(Event::call_state(CallId(7), CallState::AnsweringMachine));
    assert_eq!(
        h.app.popup.map(|(_, c)| c),
        Some(CallId(7)),
        "the popup stays, now with Pick up"
    );
    let view = h.app.calls.get(CallId(7)).expect("the call stays");
    assert!(view.is_taking_message() && view.wants_pick_up());
    assert_eq!(
        call::state_text(&h.app.i18n, view, h.app.now),
        "Taking a message"
    );
    let (popup_window, _) = h.app.popup.expect("popup");
    let _ = h.app.view(popup_window);
    draw(&h);
    assert_eq!(h.app.focused, Some(CallId(7)), "the call screen shows it");

    // Pick up from the popup: answer, the popup closes, the call comes forward.
    h.send(Message::Popup(CallId(7), popup::Choice::Answer));
    assert_eq!(h.sent(), vec![Command::Answer { call: CallId(7) }]);
    assert!(h.app.popup.is_none());
    h.event(Event::call_state(CallId(7), CallState::Connected));
    assert!(h.app.calls.get(CallId(7)).is_some_and(|c| c.is_live()));
    h.sent();

    // Another call taken by the machine while this one is on: the call screen's banner
    // offers Pick up (Answer) and Hang up; Decline on it hangs up.
    h.event(incoming(8));
    h.event(Event::call_state(CallId(8), CallState::AnsweringMachine));
    draw(&h);
    h.send(Message::Call(CallId(8), call::Action::Decline));
    assert_eq!(h.sent(), vec![Command::Hangup { call: CallId(8) }]);
    h.event(Event::call_ended(CallId(8), "remote hangup", None));

    // With nothing ringing, Enter picks up the call the machine has on screen.
    h.event(Event::call_ended(CallId(7), "remote hangup", None));
    h.event(incoming(9));
    h.event(Event::call_state(CallId(9), CallState::AnsweringMachine));
    h.sent();
    h.named(keyboard::key::Named::Enter);
    assert_eq!(h.sent(), vec![Command::Answer { call: CallId(9) }]);
}

#[test]
fn a_new_message_is_told_in_a_notification() {
    let mut h = Harness::with_line("work");
    let message = |name: Option<&str>, duration_ms| Event::VoicemailMessage {
        account: AccountId::new("work"),
        id: VoicemailId(4),
        from: "sip:+31612345678@pbx.example.com".into(),
        name: name.map(Into::into),
        duration_ms,
    };
    assert_eq!(h.app.message_notice, None);
    h.event(message(Some("Ada"), 23_400));
    assert_eq!(
        h.app.message_notice.as_deref(),
        Some("New voicemail from Ada (0:23)")
    );
    h.event(message(None, 61_600));
    assert_eq!(
        h.app.message_notice.as_deref(),
        Some("New voicemail from +31612345678 (1:02)"),
        "the number when the caller has no name"
    );
}
