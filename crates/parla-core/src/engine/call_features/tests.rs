//! The call-feature commands through a running engine with one listening line (no server):
//! forwarding reported at start and changed in place, feature codes expanded and routed,
//! identities checked.

use crate::api::{CallState, Command, ErrorKind, Event};
use crate::config::{AccountConfig, Config, FeatureCode, FeatureKind, ForwardingConfig, Identity};
use crate::Engine;
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedReceiver};

/// The next event that is `wanted`, within 20 s.
async fn next(events: &mut UnboundedReceiver<Event>, wanted: impl Fn(&Event) -> bool) -> Event {
    let found = async {
        loop {
            match events.recv().await {
                Some(event) if wanted(&event) => return event,
                Some(_) => {}
                None => panic!("the engine stopped"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), found)
        .await
        .expect("the event in time")
}

fn code(name: &str, code: &str, kind: FeatureKind, in_call: bool) -> FeatureCode {
    FeatureCode {
        name: name.into(),
        code: code.into(),
        kind,
        in_call,
    }
}

fn config() -> Config {
    let mut config = Config::default();
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "127.0.0.1".into(),
        register: false,
        forwarding: ForwardingConfig {
            busy: Some("2002".into()),
            ..ForwardingConfig::default()
        },
        identities: vec![Identity {
            display_name: Some("Sales".into()),
            user: "sales".into(),
            default: false,
        }],
        feature_codes: vec![
            code("Forward on", "*72{}#", FeatureKind::ForwardAlwaysOn, false),
            code("Busy forward on", "*90", FeatureKind::ForwardBusyOn, false),
            code("Park", "#72", FeatureKind::Park, true),
            code("Mailbox", "*98", FeatureKind::Voicemail, false),
        ],
        ..AccountConfig::default()
    });
    config
}

struct Running {
    commands: mpsc::Sender<Command>,
    events: UnboundedReceiver<Event>,
    task: tokio::task::JoinHandle<()>,
}

async fn start() -> Running {
    let (tx, mut events) = mpsc::unbounded_channel();
    let (commands, rx) = mpsc::channel(8);
    let task = tokio::spawn(Engine::new(config(), tx, Vec::new()).run(rx));
    next(&mut events, |e| matches!(e, Event::Ready { .. })).await;
    Running {
        commands,
        events,
        task,
    }
}

impl Running {
    async fn send(&self, command: Command) {
        self.commands.send(command).await.expect("engine");
    }

    async fn error(&mut self) -> (ErrorKind, String) {
        match next(&mut self.events, |e| matches!(e, Event::Error { .. })).await {
            Event::Error { kind, message, .. } => (kind, message),
            _ => unreachable!(),
        }
    }

    /// The remote of the next outgoing call; it is hung up.
    async fn dialled(&mut self) -> String {
        let event = next(&mut self.events, |e| {
            matches!(
                e,
                Event::CallState {
                    state: CallState::Calling,
                    ..
                }
            )
        })
        .await;
        let Event::CallState { call, remote, .. } = event else {
            unreachable!()
        };
        self.send(Command::Hangup { call }).await;
        remote.unwrap_or_default()
    }

    async fn quit(self) {
        self.send(Command::Quit).await;
        let _ = tokio::time::timeout(Duration::from_secs(20), self.task).await;
    }
}

#[tokio::test]
async fn forwarding_is_reported_at_start_and_changed_in_place() {
    let mut engine = start().await;
    let Event::Forwarding {
        account,
        forwarding,
        active,
    } = next(&mut engine.events, |e| {
        matches!(e, Event::Forwarding { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(account.as_str(), "work");
    assert!(active);
    assert_eq!(forwarding.busy.as_deref(), Some("2002"));

    engine
        .send(Command::SetForwarding {
            account: None,
            forwarding: ForwardingConfig {
                always: Some("sip:carol@127.0.0.1:5070".into()),
                ..ForwardingConfig::default()
            },
        })
        .await;
    let Event::Forwarding { forwarding, .. } = next(&mut engine.events, |e| {
        matches!(e, Event::Forwarding { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(forwarding.busy, None);
    assert_eq!(
        forwarding.always.as_deref(),
        Some("sip:carol@127.0.0.1:5070")
    );

    // The provider forwards, but the line has no code to turn the no-answer forward on.
    engine
        .send(Command::SetForwarding {
            account: None,
            forwarding: ForwardingConfig {
                no_answer: Some("2003".into()),
                by_provider: true,
                ..ForwardingConfig::default()
            },
        })
        .await;
    let (kind, message) = engine.error().await;
    assert_eq!(kind, ErrorKind::ForwardingFailed, "{message}");
    engine.quit().await;
}

#[tokio::test]
async fn by_provider_forwarding_dials_the_code_with_its_target() {
    let mut engine = start().await;
    engine
        .send(Command::SetForwarding {
            account: None,
            forwarding: ForwardingConfig {
                always: Some("0612".into()),
                by_provider: true,
                ..ForwardingConfig::default()
            },
        })
        .await;
    let Event::Forwarding { active, .. } = next(&mut engine.events, |e| {
        matches!(e, Event::Forwarding { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert!(active);
    // `#` is escaped in the request URI.
    let dialled = engine.dialled().await;
    assert!(dialled.starts_with("sip:*720612"), "{dialled}");
    engine.quit().await;
}

#[tokio::test]
async fn feature_codes_are_dialled_sent_in_calls_or_refused() {
    let mut engine = start().await;
    engine
        .send(Command::FeatureCode {
            account: None,
            name: "nothing".into(),
            argument: None,
            call: None,
        })
        .await;
    assert_eq!(engine.error().await.0, ErrorKind::NoSuchFeatureCode);
    engine
        .send(Command::FeatureCode {
            account: None,
            name: String::new(),
            argument: None,
            call: None,
        })
        .await;
    assert_eq!(engine.error().await.0, ErrorKind::NoSuchFeatureCode);
    engine
        .send(Command::FeatureCode {
            account: None,
            name: "park".into(),
            argument: None,
            call: None,
        })
        .await;
    assert_eq!(engine.error().await.0, ErrorKind::CallNotConnected);

    engine
        .send(Command::FeatureCode {
            account: None,
            name: "Forward on".into(),
            argument: Some("2002".into()),
            call: None,
        })
        .await;
    let dialled = engine.dialled().await;
    assert!(dialled.starts_with("sip:*722002"), "{dialled}");

    // No voicemail number and no mailbox from the server: the `voicemail` code.
    engine.send(Command::CallVoicemail { account: None }).await;
    assert_eq!(engine.dialled().await, "sip:*98@127.0.0.1");
    engine.quit().await;
}

#[tokio::test]
async fn an_unknown_identity_is_refused_a_known_one_dials() {
    let mut engine = start().await;
    engine
        .send(Command::Dial {
            account: None,
            to: "2002".into(),
            identity: Some("marketing".into()),
            anonymous: false,
        })
        .await;
    let (kind, message) = engine.error().await;
    assert_eq!(kind, ErrorKind::NoSuchIdentity, "{message}");
    engine
        .send(Command::Dial {
            account: None,
            to: "2002".into(),
            identity: Some("Sales".into()),
            anonymous: true,
        })
        .await;
    assert_eq!(engine.dialled().await, "sip:2002@127.0.0.1");
    engine.quit().await;
}
