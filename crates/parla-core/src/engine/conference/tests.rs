//! The engine's side of park, record and conference: which code a park dials, what is
//! refused before a call is asked, and conference commands for members.

use super::*;
use crate::api::{AccountId, CallDirection, CallState};
use crate::config::{AccountConfig, Config, FeatureCode};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

fn engine(codes: Vec<FeatureCode>) -> (Engine, UnboundedReceiver<Event>) {
    let mut config = Config::default();
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "pbx.example".into(),
        feature_codes: codes,
        ..AccountConfig::default()
    });
    let (out, events) = unbounded_channel();
    (Engine::new(config, out, vec![]), events)
}

fn call(engine: &Engine, id: u64) -> UnboundedReceiver<CallCommand> {
    engine.shared.calls.insert(
        CallId(id),
        AccountId::new("work"),
        CallDirection::Outgoing,
        "sip:bob@pbx.example".into(),
        CallState::Connected,
    )
}

fn park_code(code: &str, in_call: bool) -> FeatureCode {
    FeatureCode {
        name: "Park".into(),
        code: code.into(),
        kind: FeatureKind::Park,
        in_call,
    }
}

fn error_kind(events: &mut UnboundedReceiver<Event>) -> Option<ErrorKind> {
    match events.try_recv() {
        Ok(Event::Error { kind, .. }) => Some(kind),
        _ => None,
    }
}

#[tokio::test]
async fn park_dials_the_lines_park_code_with_the_orbit() {
    let (mut engine, _events) = engine(vec![park_code("*70{}", false)]);
    let mut rx = call(&engine, 1);
    engine.handle(Command::Park {
        call: CallId(1),
        orbit: Some(" 701 ".into()),
    });
    assert_eq!(
        rx.try_recv().unwrap(),
        CallCommand::Park {
            target: "*70701".into(),
            orbit: Some("701".into())
        }
    );
    engine.handle(Command::Park {
        call: CallId(1),
        orbit: None,
    });
    assert_eq!(
        rx.try_recv().unwrap(),
        CallCommand::Park {
            target: "*70".into(),
            orbit: None
        }
    );
}

#[tokio::test]
async fn an_in_call_park_code_is_sent_as_keys() {
    let (mut engine, _events) = engine(vec![park_code("#72", true)]);
    let mut rx = call(&engine, 1);
    engine.handle(Command::Park {
        call: CallId(1),
        orbit: None,
    });
    assert_eq!(rx.try_recv().unwrap(), CallCommand::Dtmf("#72".into()));
}

#[tokio::test]
async fn no_park_code_or_no_call_is_an_error_and_the_call_is_left_alone() {
    let (mut engine, mut events) = engine(vec![park_code("  ", false)]);
    let mut rx = call(&engine, 1);
    engine.handle(Command::Park {
        call: CallId(1),
        orbit: None,
    });
    assert_eq!(error_kind(&mut events), Some(ErrorKind::ParkFailed));
    assert!(rx.try_recv().is_err());
    engine.handle(Command::Park {
        call: CallId(9),
        orbit: None,
    });
    assert_eq!(error_kind(&mut events), Some(ErrorKind::NoSuchCall));
}

#[tokio::test]
async fn recording_needs_a_profile_and_goes_to_its_recordings_folder() {
    let (mut engine, mut events) = engine(vec![]);
    let mut rx = call(&engine, 1);
    engine.handle(Command::Record {
        call: CallId(1),
        on: true,
    });
    assert_eq!(error_kind(&mut events), Some(ErrorKind::RecordingFailed));
    assert!(rx.try_recv().is_err());
    engine.shared.profile = Some("/profile".into());
    engine.handle(Command::Record {
        call: CallId(1),
        on: true,
    });
    let CallCommand::Record(Some(request)) = rx.try_recv().unwrap() else {
        panic!("not a recording request");
    };
    assert_eq!(request.folder, std::path::Path::new("/profile/recordings"));
    engine.handle(Command::Record {
        call: CallId(1),
        on: false,
    });
    assert_eq!(rx.try_recv().unwrap(), CallCommand::Record(None));
}

#[tokio::test]
async fn conference_and_split_of_calls_that_cannot_be_are_refused() {
    let (mut engine, mut events) = engine(vec![]);
    let _rx = call(&engine, 1);
    engine.handle(Command::Split { call: CallId(1) });
    assert_eq!(error_kind(&mut events), Some(ErrorKind::ConferenceFailed));
    engine.handle(Command::MuteParticipant {
        call: CallId(1),
        muted: true,
    });
    assert_eq!(error_kind(&mut events), Some(ErrorKind::ConferenceFailed));
    engine.handle(Command::Conference {
        calls: vec![CallId(1), CallId(9)],
    });
    // Checked on a task of its own; reported through the engine's own events.
    let event = engine.internal.recv().await.unwrap();
    assert!(
        matches!(&event, Event::Error { kind: ErrorKind::ConferenceFailed, message, .. } if message.contains("no call 9")),
        "{event:?}"
    );
}
