//! Conference, recording and park from the call screen: Merge names the live calls (held
//! ones too, at most `conference_size`), `conference` events turn the call screen into the
//! conference (participants muted, split, hung up), mute/hold/keys act on the whole of it,
//! End conference hangs up everyone; `record` and the REC indicator, a failed recording said
//! and the call kept; Park offered only with a park code, and "Parked on 701" kept until
//! dismissed; a recorded call in the history opens its file.

use super::*;
use crate::screen::call::Action;
use crate::screen::history;
use parla_core::api::RecordingState;
use parla_core::config::{FeatureCode, FeatureKind};
use parla_core::store::{CallRecord, CallResult, Direction, HistoryEntry, HistoryId};

const BOB: CallId = CallId(1);
const CAROL: CallId = CallId(2);
const DAVE: CallId = CallId(3);

/// The work line (with a park code when `park`), and no call yet.
fn line(park: bool) -> Harness {
    let mut config = Config::default();
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "pbx.example.com".into(),
        password: Some("from-file".into()),
        default: true,
        feature_codes: if park {
            vec![FeatureCode {
                name: "Park".into(),
                code: "*85".into(),
                kind: FeatureKind::Park,
                ..FeatureCode::default()
            }]
        } else {
            Vec::new()
        },
        ..AccountConfig::default()
    });
    let mut h = Harness::new(config);
    let _ = h.sent();
    h
}

/// A call from the work line to `who`, connected.
fn connect(h: &mut Harness, call: CallId, who: &str) {
    h.event(Event::CallState {
        call,
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some(format!("sip:{who}@pbx.example.com")),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    h.event(Event::call_state(call, CallState::Connected));
}

/// Bob on hold, Carol talking (on screen).
fn two_calls(park: bool) -> Harness {
    let mut h = line(park);
    connect(&mut h, BOB, "bob");
    h.event(Event::call_state(BOB, CallState::OnHold));
    connect(&mut h, CAROL, "carol");
    let _ = h.sent();
    h
}

fn conference(calls: &[CallId], muted: &[CallId]) -> Event {
    Event::Conference {
        calls: calls.to_vec(),
        muted: muted.to_vec(),
    }
}

fn press(h: &mut Harness, call: CallId, action: Action) -> Vec<Command> {
    h.send(Message::Call(call, action));
    h.sent()
}

fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

fn in_conference(h: &Harness) -> Vec<CallId> {
    h.app.calls.conference().iter().map(|c| c.id).collect()
}

#[test]
fn merge_brings_the_active_and_the_held_call_together() {
    let mut h = line(false);
    connect(&mut h, BOB, "bob");
    let calls: Vec<_> = h.app.calls.iter().collect();
    assert_eq!(
        calls::merge_set(&calls, BOB, 5),
        None,
        "one call: nothing to merge"
    );
    h.event(Event::call_state(BOB, CallState::OnHold));
    connect(&mut h, CAROL, "carol");
    let _ = h.sent();
    assert_eq!(h.app.focused, Some(CAROL));
    draw(&h);

    assert_eq!(
        press(&mut h, CAROL, Action::Merge),
        vec![Command::Conference {
            calls: vec![CAROL, BOB]
        }],
        "the call on screen first, then the held one"
    );
    h.event(conference(&[CAROL, BOB], &[]));
    assert_eq!(in_conference(&h), vec![CAROL, BOB], "in the engine's order");
    assert!(h.app.calls.conference_since().is_some());
    draw(&h);

    // A third call, held, joins the running conference.
    connect(&mut h, DAVE, "dave");
    h.event(Event::call_state(DAVE, CallState::OnHold));
    h.app.focused = Some(BOB);
    let _ = h.sent();
    assert_eq!(
        press(&mut h, BOB, Action::Merge),
        vec![Command::Conference {
            calls: vec![BOB, CAROL, DAVE]
        }]
    );
}

#[test]
fn merge_stops_at_the_conference_size() {
    let mut h = two_calls(false);
    h.app.config.audio.conference_size = 2;
    h.event(conference(&[BOB, CAROL], &[]));
    connect(&mut h, DAVE, "dave");
    h.event(Event::call_state(DAVE, CallState::OnHold));
    let _ = h.sent();
    let calls: Vec<_> = h.app.calls.iter().collect();
    assert_eq!(calls::merge_set(&calls, DAVE, 2), None, "full");
    assert!(press(&mut h, DAVE, Action::Merge).is_empty());
    h.app.config.audio.conference_size = 3;
    assert_eq!(
        press(&mut h, DAVE, Action::Merge),
        vec![Command::Conference {
            calls: vec![BOB, CAROL, DAVE]
        }]
    );
}

#[test]
fn participants_are_muted_split_and_hung_up_one_by_one() {
    let mut h = two_calls(false);
    connect(&mut h, DAVE, "dave");
    h.event(conference(&[BOB, CAROL, DAVE], &[]));
    let _ = h.sent();

    assert_eq!(
        press(&mut h, BOB, Action::MuteParticipant(true)),
        vec![Command::MuteParticipant {
            call: BOB,
            muted: true
        }]
    );
    h.event(conference(&[BOB, CAROL, DAVE], &[BOB]));
    let muted: Vec<_> = h
        .app
        .calls
        .iter()
        .filter(|c| c.participant_muted)
        .map(|c| c.id)
        .collect();
    assert_eq!(muted, vec![BOB], "the event says who is left out");
    draw(&h);

    // Dave is on screen and splits off: the screen stays on the conference.
    h.app.focused = Some(DAVE);
    assert_eq!(
        press(&mut h, DAVE, Action::Split),
        vec![Command::Split { call: DAVE }]
    );
    h.event(conference(&[BOB, CAROL], &[BOB]));
    h.event(Event::call_state(DAVE, CallState::OnHold));
    assert_eq!(h.app.focused, Some(BOB));
    assert_eq!(in_conference(&h), vec![BOB, CAROL]);
    assert!(!h.app.calls.get(DAVE).expect("dave").in_conference);
    draw(&h);

    assert_eq!(
        press(&mut h, CAROL, Action::Hangup),
        vec![Command::Hangup { call: CAROL }],
        "one leg only"
    );
    h.event(Event::call_ended(CAROL, "hangup", None));
    assert_eq!(in_conference(&h), vec![BOB]);
    // The engine ends a conference of one: back to the plain call screen.
    h.event(conference(&[], &[]));
    assert!(in_conference(&h).is_empty());
    assert!(h.app.calls.conference_since().is_none());
    assert!(h.app.calls.iter().all(|c| !c.participant_muted));
    draw(&h);
}

#[test]
fn the_bottom_controls_act_on_the_whole_conference() {
    let mut h = two_calls(false);
    h.event(conference(&[BOB, CAROL], &[]));
    let _ = h.sent();

    assert_eq!(
        press(&mut h, CAROL, Action::Mute(true)),
        vec![Command::Mute {
            call: CAROL,
            muted: true
        }],
        "the engine mutes the microphone for all on one member"
    );
    assert!(h.app.calls.conference().iter().all(|c| c.muted));
    assert_eq!(
        press(&mut h, CAROL, Action::Hold(true)),
        vec![Command::Hold { call: CAROL }],
        "one hold holds them all"
    );
    assert_eq!(
        press(&mut h, CAROL, Action::Digit('5')),
        vec![
            Command::Dtmf {
                call: BOB,
                digits: "5".into()
            },
            Command::Dtmf {
                call: CAROL,
                digits: "5".into()
            },
        ]
    );
    assert_eq!(
        press(&mut h, CAROL, Action::EndConference),
        vec![
            Command::Hangup { call: BOB },
            Command::Hangup { call: CAROL }
        ]
    );
}

#[test]
fn a_recording_shows_while_it_runs_and_a_failure_is_said() {
    let mut h = two_calls(false);
    assert_eq!(
        press(&mut h, CAROL, Action::Record(true)),
        vec![Command::Record {
            call: CAROL,
            on: true
        }]
    );
    h.event(Event::Recording {
        call: CAROL,
        state: RecordingState::Recording,
        path: Some("/tmp/rec.ogg".into()),
        reason: None,
    });
    let started = h.app.calls.get(CAROL).and_then(|c| c.recording_since);
    assert!(started.is_some());
    assert_eq!(
        h.app
            .calls
            .get(CAROL)
            .and_then(|c| c.recording_secs(started.expect("started") + Duration::from_secs(7))),
        Some(7)
    );
    draw(&h);

    h.event(Event::Recording {
        call: CAROL,
        state: RecordingState::Failed,
        path: None,
        reason: Some("Read-only file system".into()),
    });
    let said = errors::describe(&h.app.i18n, parla_core::api::ErrorKind::RecordingFailed, "");
    assert_eq!(h.app.notice.as_deref(), Some(said.as_str()));
    let carol = h.app.calls.get(CAROL).expect("the call goes on");
    assert!(carol.recording_since.is_none() && carol.is_live());
    assert!(h.sent().is_empty(), "nothing hangs up");

    // Stopping by hand.
    h.event(Event::Recording {
        call: CAROL,
        state: RecordingState::Recording,
        path: Some("/tmp/rec2.ogg".into()),
        reason: None,
    });
    assert_eq!(
        press(&mut h, CAROL, Action::Record(false)),
        vec![Command::Record {
            call: CAROL,
            on: false
        }]
    );
    h.event(Event::Recording {
        call: CAROL,
        state: RecordingState::Stopped,
        path: Some("/tmp/rec2.ogg".into()),
        reason: None,
    });
    assert!(h
        .app
        .calls
        .get(CAROL)
        .is_some_and(|c| c.recording_since.is_none()));
}

#[test]
fn park_is_offered_with_a_park_code_and_its_orbit_stays_on_screen() {
    let h = two_calls(false);
    assert!(!h.app.in_call_features(CAROL).can_park, "no park code");

    let mut h = two_calls(true);
    assert!(h.app.in_call_features(CAROL).can_park);
    assert_eq!(h.app.in_call_features(CAROL).conference_size, 5);
    draw(&h);
    assert_eq!(
        press(&mut h, CAROL, Action::Park),
        vec![Command::Park {
            call: CAROL,
            orbit: None
        }]
    );
    h.event(Event::Parked {
        call: CAROL,
        orbit: Some("701".into()),
    });
    h.event(Event::call_ended(CAROL, "parked", None));
    let told = h.app.i18n.tr_args("park-parked-on", &[("orbit", "701")]);
    assert!(told.contains("701"));
    assert_eq!(
        h.app.notice.as_deref(),
        Some(told.as_str()),
        "kept after the call ends"
    );
    h.send(Message::DismissNotice);
    assert_eq!(h.app.notice, None);

    h.event(Event::Parked {
        call: BOB,
        orbit: None,
    });
    assert_eq!(h.app.notice, Some(h.app.i18n.tr("park-parked")));
}

fn recorded_entry(recording: Option<&str>) -> HistoryEntry {
    let started = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    HistoryEntry {
        id: HistoryId(9),
        call: CallRecord {
            account: "work".into(),
            direction: Direction::Outgoing,
            remote_uri: "sip:bob@pbx.example.com".into(),
            number: "201".into(),
            display_name: String::new(),
            started,
            answered: Some(started),
            ended: started + Duration::from_secs(65),
            result: CallResult::Answered,
            reason: String::new(),
        },
        e164: None,
        name: "Bob".into(),
        contact: None,
        seen: true,
        voicemail: None,
        recording: recording.map(str::to_string),
        mos: None,
    }
}

#[test]
fn a_recorded_call_in_the_history_opens_its_file() {
    let mut h = line(false);
    h.app.history.entries = vec![recorded_entry(Some("/nowhere/rec.ogg")), {
        let mut plain = recorded_entry(None);
        plain.id = HistoryId(10);
        plain
    }];
    h.send(Message::Tab(Tab::History));
    draw(&h);
    let mut next = || 1;
    assert_eq!(
        h.app.history.update(
            history::Msg::OpenRecording("/nowhere/rec.ogg".into()),
            &mut next
        ),
        history::Outcome::OpenRecording("/nowhere/rec.ogg".into())
    );
    // The window asks nothing of the engine to open a file.
    let _ = h.sent();
    h.send(Message::History(history::Msg::OpenRecording(
        "/nowhere/rec.ogg".into(),
    )));
    assert!(h.sent().is_empty());
    let missing = super::super::conference::open_with_desktop("/nowhere/rec.ogg");
    assert_eq!(missing, Err("/nowhere/rec.ogg".to_string()));
}

#[test]
fn splitting_the_call_on_screen_off_a_conference_of_two_shows_the_other() {
    let mut h = two_calls(false);
    h.event(conference(&[BOB, CAROL], &[]));
    assert_eq!(h.app.focused, Some(CAROL));
    let _ = press(&mut h, CAROL, Action::Split);
    // A conference left with one call ends; the split call waits on hold.
    h.event(conference(&[], &[]));
    h.event(Event::call_state(CAROL, CallState::OnHold));
    assert_eq!(h.app.focused, Some(BOB));
    assert!(in_conference(&h).is_empty());
    draw(&h);
}
