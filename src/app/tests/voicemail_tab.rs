//! The Voicemail tab: the answering machine's messages listed, played (the slider follows and
//! seeks), called back, exported, marked, deleted after a second press; its count on the tab
//! and in the tray; the history's link to a message.

use super::*;
use crate::screen::voicemail::Msg as VmMsg;
use parla_core::api::{DatabaseState, PlaybackState};
use parla_core::store::{
    CallRecord, CallResult, Direction, HistoryEntry, HistoryId, VoicemailEntry, VoicemailId,
};

fn message(id: i64, name: &str, heard: bool) -> VoicemailEntry {
    VoicemailEntry {
        id: VoicemailId(id),
        account: "work".into(),
        from: format!("sip:+3120123456{id}@pbx.example.com"),
        number: format!("+3120123456{id}"),
        name: name.into(),
        start: "2026-03-04T10:05:00Z".into(),
        start_ms: 1_772_618_700_000 + id * 60_000,
        duration_ms: 12_000,
        heard,
        file: format!("{id}.wav"),
        missing: false,
        history: None,
    }
}

fn database(unseen_missed: u64, unheard_voicemail: u64) -> Event {
    Event::Database {
        state: DatabaseState::Ready,
        unseen_missed,
        unheard_voicemail,
        unread_messages: 0,
        moved_aside: None,
        reason: None,
    }
}

fn playback(id: i64, state: PlaybackState, position_ms: u64) -> Event {
    Event::Playback {
        id: Some(VoicemailId(id)),
        greeting: None,
        state,
        position_ms,
        duration_ms: 12_000,
    }
}

/// The request id of the `list_voicemail` among `sent`.
fn listing(sent: &[Command]) -> Option<u64> {
    sent.iter().find_map(|c| match c {
        Command::ListVoicemail { request, .. } => *request,
        _ => None,
    })
}

/// A harness whose Voicemail tab shows `messages` (newest first), the first one picked.
fn with_messages(messages: Vec<VoicemailEntry>) -> Harness {
    let mut h = Harness::with_line("work");
    let unheard = messages.iter().filter(|m| !m.heard).count() as u64;
    h.event(database(0, unheard));
    let request = listing(&h.sent());
    assert!(
        request.is_some(),
        "the list is asked for once the database is ready"
    );
    h.event(Event::VoicemailMessages {
        request,
        messages,
        unheard,
    });
    h.send(Message::Tab(Tab::Voicemail));
    let _ = h.sent();
    h
}

fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

#[test]
fn the_list_arrives_as_rows_and_a_missing_file_is_not_played() {
    let mut gone = message(1, "", true);
    gone.missing = true;
    let mut h = with_messages(vec![message(2, "Anna de Vries", false), gone]);
    assert_eq!(h.app.tab, Tab::Voicemail);
    assert_eq!(
        h.app.title(h.app.main_window.expect("main")),
        "Voicemail – Parla"
    );
    let list = &h.app.voicemail_list;
    assert_eq!(list.messages.len(), 2);
    assert_eq!(
        crate::screen::voicemail::caller(&list.messages[0]),
        "Anna de Vries"
    );
    assert_eq!(
        crate::screen::voicemail::caller(&list.messages[1]),
        "+31201234561"
    );
    draw(&h);

    // The missing one can be picked (and deleted), not played or exported.
    h.send(Message::Voicemail(VmMsg::Select(VoicemailId(1))));
    draw(&h);
    h.send(Message::Voicemail(VmMsg::Play));
    h.send(Message::Voicemail(VmMsg::Export));
    assert_eq!(h.sent(), Vec::new());

    // Ctrl+5 comes back to the tab from elsewhere, and asks for the list again.
    h.send(Message::Tab(Tab::Phone));
    h.key(
        keyboard::Key::Character("5".into()),
        keyboard::Modifiers::CTRL,
        None,
    );
    assert_eq!(h.app.tab, Tab::Voicemail);
    assert!(listing(&h.sent()).is_some());
}

#[test]
fn no_messages_shows_the_empty_state() {
    let h = with_messages(Vec::new());
    assert!(h.app.voicemail_list.loaded);
    assert!(h.app.voicemail_list.messages.is_empty());
    draw(&h);
}

#[test]
fn playback_events_move_the_slider_and_play_marks_heard() {
    let mut h = with_messages(vec![message(2, "Anna", false)]);
    h.send(Message::Voicemail(VmMsg::Select(VoicemailId(2))));
    h.send(Message::Voicemail(VmMsg::Play));
    assert_eq!(
        h.sent(),
        vec![Command::PlayVoicemail {
            id: VoicemailId(2),
            position_ms: None
        }]
    );
    h.event(playback(2, PlaybackState::Playing, 3_000));
    let list = &h.app.voicemail_list;
    assert!(list.playing());
    assert_eq!(list.position_ms(), 3_000);
    assert_eq!(list.duration_ms(), 12_000);
    assert!(list.messages[0].heard, "playing marks it heard");
    h.event(playback(2, PlaybackState::Playing, 4_200));
    assert_eq!(h.app.voicemail_list.position_ms(), 4_200);
    draw(&h);
    // A greeting playing elsewhere (the settings) is not this message.
    h.event(Event::Playback {
        id: None,
        greeting: Some(AccountId::new("work")),
        state: PlaybackState::Playing,
        position_ms: 9_000,
        duration_ms: 10_000,
    });
    assert!(!h.app.voicemail_list.playing());
    assert_eq!(h.app.voicemail_list.position_ms(), 0);

    // The engine says it changed: the list is asked for again.
    h.event(Event::VoicemailChanged {
        request: None,
        unheard: 0,
    });
    assert!(listing(&h.sent()).is_some());
    assert_eq!(h.app.unheard_voicemail(), 0);
}

#[test]
fn the_slider_seeks_when_let_go_and_pause_pauses() {
    let mut h = with_messages(vec![message(2, "Anna", true)]);
    h.send(Message::Voicemail(VmMsg::Select(VoicemailId(2))));
    h.event(playback(2, PlaybackState::Playing, 1_000));
    h.send(Message::Voicemail(VmMsg::Seek(7_000.0)));
    assert_eq!(h.sent(), Vec::new(), "nothing sent while dragging");
    assert_eq!(h.app.voicemail_list.position_ms(), 7_000);
    // A late progress report does not pull the slider back while it is held.
    h.event(playback(2, PlaybackState::Playing, 1_200));
    assert_eq!(h.app.voicemail_list.position_ms(), 7_000);
    h.send(Message::Voicemail(VmMsg::SeekDone));
    assert_eq!(h.sent(), vec![Command::SeekPlayback { position_ms: 7_000 }]);
    assert_eq!(h.app.voicemail_list.position_ms(), 7_000);
    // Past the end is the end.
    h.send(Message::Voicemail(VmMsg::Seek(99_000.0)));
    h.send(Message::Voicemail(VmMsg::SeekDone));
    assert_eq!(
        h.sent(),
        vec![Command::SeekPlayback {
            position_ms: 12_000
        }]
    );
    h.send(Message::Voicemail(VmMsg::Pause));
    assert_eq!(h.sent(), vec![Command::PausePlayback]);

    // Stopped: the slider picks where the next play starts.
    h.event(playback(2, PlaybackState::Stopped, 0));
    h.send(Message::Voicemail(VmMsg::Seek(5_000.0)));
    h.send(Message::Voicemail(VmMsg::SeekDone));
    assert_eq!(h.sent(), Vec::new());
    h.send(Message::Voicemail(VmMsg::Play));
    assert_eq!(
        h.sent(),
        vec![Command::PlayVoicemail {
            id: VoicemailId(2),
            position_ms: Some(5_000)
        }]
    );
}

#[test]
fn delete_asks_first_then_sends_the_delete() {
    let mut h = with_messages(vec![message(2, "Anna", true), message(1, "Bob", true)]);
    h.send(Message::Voicemail(VmMsg::Select(VoicemailId(2))));
    h.send(Message::Voicemail(VmMsg::AskDelete));
    assert_eq!(h.sent(), Vec::new(), "one press only asks");
    assert_eq!(h.app.voicemail_list.confirm_delete, Some(VoicemailId(2)));
    draw(&h);
    h.send(Message::Voicemail(VmMsg::CancelDelete));
    assert_eq!(h.app.voicemail_list.confirm_delete, None);
    // Pressing anything else also takes the question back.
    h.send(Message::Voicemail(VmMsg::AskDelete));
    h.send(Message::Voicemail(VmMsg::Pause));
    h.send(Message::Voicemail(VmMsg::ConfirmDelete));
    assert_eq!(h.sent(), vec![Command::PausePlayback]);
    assert_eq!(h.app.voicemail_list.messages.len(), 2);

    h.send(Message::Voicemail(VmMsg::AskDelete));
    h.send(Message::Voicemail(VmMsg::ConfirmDelete));
    let sent = h.sent();
    assert!(
        matches!(
            sent.as_slice(),
            [Command::DeleteVoicemail {
                id: VoicemailId(2),
                request: Some(_)
            }]
        ),
        "{sent:?}"
    );
    assert_eq!(h.app.voicemail_list.messages.len(), 1);
    assert_eq!(h.app.voicemail_list.selected, None);
}

#[test]
fn call_back_export_and_mark_heard() {
    let mut h = with_messages(vec![message(2, "Anna", false)]);
    h.send(Message::Voicemail(VmMsg::Select(VoicemailId(2))));
    h.send(Message::Voicemail(VmMsg::ToggleHeard));
    let sent = h.sent();
    assert!(
        matches!(
            sent.as_slice(),
            [Command::SetVoicemailHeard {
                id: VoicemailId(2),
                heard: true,
                ..
            }]
        ),
        "{sent:?}"
    );
    assert!(h.app.voicemail_list.messages[0].heard);

    h.send(Message::Voicemail(VmMsg::Export));
    let sent = h.sent();
    let Some(Command::ExportVoicemail {
        id,
        output,
        request: Some(request),
    }) = sent.first().cloned()
    else {
        panic!("an export: {sent:?}");
    };
    assert_eq!(id, VoicemailId(2));
    let file = output.file_name().and_then(|f| f.to_str()).unwrap_or("");
    assert!(
        file.starts_with("voicemail-2026") && file.ends_with("-Anna.wav"),
        "{file}"
    );
    h.event(Event::VoicemailExported {
        request: Some(request),
        id,
        path: "/home/me/Downloads/x.wav".into(),
    });
    assert_eq!(
        h.app.voicemail_list.exported.as_deref(),
        Some("/home/me/Downloads/x.wav")
    );
    draw(&h);
    // A failed export says why on the tab.
    h.send(Message::Voicemail(VmMsg::Export));
    let request = match h.sent().first() {
        Some(Command::ExportVoicemail { request, .. }) => *request,
        _ => None,
    };
    h.event(Event::request_error(
        request,
        parla_core::api::ErrorKind::FileMissing,
        "gone",
    ));
    assert!(h.app.voicemail_list.error.is_some());
    assert!(h.app.notice.is_none(), "not a window-wide notice");

    h.send(Message::Voicemail(VmMsg::CallBack));
    assert_eq!(
        h.sent(),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "sip:+31201234562@pbx.example.com".into(),
            identity: None,
            anonymous: false,
        }]
    );
    assert_eq!(h.app.tab, Tab::Phone);
}

#[test]
fn the_badges_count_missed_calls_and_unheard_messages() {
    let mut h = Harness::with_line("work");
    h.event(database(3, 2));
    assert_eq!(h.app.missed, 3);
    assert_eq!(h.app.unheard_voicemail(), 2);
    let tray = h.app.tray_status();
    assert_eq!(tray.missed_calls, 3);
    assert_eq!(tray.new_voicemail, 2);
    assert_eq!(tray.labels.new_voicemail, "2 new voicemail messages");
    // Together with the server's mailbox.
    h.event(Event::Voicemail {
        account: AccountId::new("work"),
        waiting: true,
        new: 1,
        old: 0,
        unavailable: None,
    });
    assert_eq!(h.app.tray_status().new_voicemail, 3);
    assert_eq!(
        u64::from(h.app.missed) + u64::from(h.app.unheard_voicemail()),
        5
    );
    // A new message: the list is fetched again, its answer carries the count.
    let _ = h.sent();
    h.event(Event::VoicemailMessage {
        account: AccountId::new("work"),
        id: VoicemailId(9),
        from: "sip:bob@example.com".into(),
        name: None,
        duration_ms: 4_000,
    });
    let request = listing(&h.sent());
    assert!(request.is_some());
    h.event(Event::VoicemailMessages {
        request,
        messages: vec![message(9, "", false)],
        unheard: 3,
    });
    assert_eq!(h.app.unheard_voicemail(), 3);
    assert_eq!(h.app.tray_status().new_voicemail, 4);
    draw(&h);
}

#[test]
fn a_history_entry_with_a_message_opens_it_on_the_voicemail_tab() {
    let mut h = with_messages(vec![message(2, "Anna", false), message(1, "Bob", false)]);
    h.send(Message::Tab(Tab::History));
    let request = h.sent().iter().find_map(|c| match c {
        Command::ListHistory { request, .. } => *request,
        _ => None,
    });
    let started = std::time::UNIX_EPOCH + Duration::from_secs(1_772_618_700);
    h.event(Event::History {
        request,
        calls: vec![HistoryEntry {
            id: HistoryId(5),
            call: CallRecord {
                direction: Direction::Incoming,
                account: "work".into(),
                remote_uri: "sip:+31201234561@pbx.example.com".into(),
                number: "+31201234561".into(),
                display_name: "Bob".into(),
                started,
                answered: Some(started),
                ended: started + Duration::from_secs(20),
                result: CallResult::Answered,
                reason: String::new(),
            },
            e164: None,
            name: "Bob".into(),
            contact: None,
            seen: true,
            voicemail: Some(VoicemailId(1)),
            recording: None,
            mos: None,
        }],
    });
    assert_eq!(h.app.history.entries.len(), 1);
    draw(&h);
    h.send(Message::History(history::Msg::OpenVoicemail(VoicemailId(
        1,
    ))));
    assert_eq!(h.app.tab, Tab::Voicemail);
    assert_eq!(h.app.voicemail_list.selected, Some(VoicemailId(1)));
    assert!(listing(&h.sent()).is_some(), "the list is fresh");
    assert_eq!(
        h.app
            .voicemail_list
            .selected_entry()
            .map(|m| m.name.as_str()),
        Some("Bob")
    );
    draw(&h);
}
