//! Real sockets in the runtime folder, one temporary profile per test.

use super::*;
use parla_core::{CallId, Event};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const T: Duration = Duration::from_secs(10);

fn profile() -> tempfile::TempDir {
    tempfile::tempdir().expect("profile dir")
}

fn primary(profile: &Path) -> ControlServer {
    match claim(profile).expect("claim") {
        Claim::Primary(server) => server,
        Claim::Running(client) => panic!("{} is already served", client.path().display()),
    }
}

fn running(profile: &Path) -> ControlClient {
    match claim(profile).expect("claim") {
        Claim::Running(client) => client,
        Claim::Primary(server) => panic!("became primary at {}", server.path().display()),
    }
}

/// The next command the app would get from the socket.
fn next_command(commands: &mut mpsc::Receiver<Command>) -> Command {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    runtime
        .block_on(async { tokio::time::timeout(T, commands.recv()).await })
        .expect("a command in time")
        .expect("the server is still there")
}

fn next_event(client: &mut ControlClient) -> Event {
    client
        .next_event(T)
        .expect("an event in time")
        .expect("the connection is open")
}

#[test]
fn the_socket_is_per_user_and_per_profile() {
    let (a, b) = (profile(), profile());
    let path = socket_path(a.path());
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    let uid = rustix::process::getuid().as_raw();
    assert!(name.starts_with(&format!("parla-{uid}-")), "{name}");
    assert!(name.ends_with(".sock"), "{name}");
    assert_ne!(path, socket_path(b.path()));
    assert_eq!(path, socket_path(&a.path().join(".")));
}

#[test]
fn a_second_claim_finds_the_first_and_the_socket_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = profile();
    let server = primary(dir.path());
    let mode = std::fs::metadata(server.path())
        .expect("socket file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    let client = running(dir.path());
    assert_eq!(client.path(), server.path());

    let path = server.path().to_path_buf();
    drop(client);
    drop(server);
    assert!(!path.exists(), "the socket file goes with the server");
    let _again = primary(dir.path());
}

#[test]
fn a_socket_left_by_a_killed_instance_does_not_block_the_next_start() {
    let dir = profile();
    let path = socket_path(dir.path());
    // A listener that is gone without removing its file, as after SIGKILL.
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    assert!(path.exists());
    let mut server = primary(dir.path());
    let mut commands = server.take_commands().expect("commands");
    running(dir.path()).send(&Command::Status).expect("send");
    assert_eq!(next_command(&mut commands), Command::Status);
}

#[test]
fn a_second_launch_hands_over_its_link_or_asks_for_the_window() {
    let dir = profile();
    let mut server = primary(dir.path());
    let mut commands = server.take_commands().expect("commands");
    assert!(matches!(
        forward_if_running(dir.path(), Some("+15551234")),
        Ok(Launch::Forwarded)
    ));
    assert_eq!(
        next_command(&mut commands),
        Command::Dial {
            account: None,
            to: "+15551234".into(),
            identity: None,
            anonymous: false,
        }
    );
    assert!(matches!(
        forward_if_running(dir.path(), None),
        Ok(Launch::Forwarded)
    ));
    assert_eq!(next_command(&mut commands), Command::Show);
}

#[test]
fn a_malformed_line_gets_an_error_and_the_connection_stays_open() {
    let dir = profile();
    let mut server = primary(dir.path());
    let mut commands = server.take_commands().expect("commands");
    let mut client = running(dir.path());
    client.send_line("{\"cmd\":\"explode\"}").expect("send");
    match next_event(&mut client) {
        Event::Error { message, kind, .. } => {
            assert_eq!(kind, parla_core::api::ErrorKind::BadCommand);
            assert!(message.contains("not a command"), "{message}")
        }
        other => panic!("expected an error, got {other:?}"),
    }
    client.send_line("not json at all").expect("send");
    assert!(matches!(next_event(&mut client), Event::Error { .. }));
    client
        .send(&Command::Hangup { call: CallId(4) })
        .expect("send");
    assert_eq!(
        next_command(&mut commands),
        Command::Hangup { call: CallId(4) }
    );
}

#[test]
fn events_reach_every_client() {
    let dir = profile();
    let mut server = primary(dir.path());
    let mut commands = server.take_commands().expect("commands");
    let mut clients = [running(dir.path()), running(dir.path())];
    // A command that arrived proves the connection was accepted (and subscribed to events).
    for client in &mut clients {
        client.send(&Command::Status).expect("send");
        assert_eq!(next_command(&mut commands), Command::Status);
    }
    let broadcaster = server.broadcaster();
    let event = Event::Dtmf {
        call: CallId(1),
        digit: "5".into(),
    };
    broadcaster.broadcast(&event);
    for client in &mut clients {
        assert_eq!(next_event(client), event);
    }
}

#[test]
fn a_client_that_does_not_read_is_dropped_without_holding_the_app_up() {
    let dir = profile();
    let mut server = primary(dir.path());
    let mut commands = server.take_commands().expect("commands");
    let mut slow = running(dir.path());
    slow.send(&Command::Status).expect("send");
    assert_eq!(next_command(&mut commands), Command::Status);
    // Far more than the socket buffer and the backlog hold: broadcast never waits for it.
    for digit in 0..50_000u32 {
        server.broadcast(&Event::Dtmf {
            call: CallId(1),
            digit: (digit % 10).to_string(),
        });
    }
    let deadline = Instant::now() + T;
    loop {
        assert!(Instant::now() < deadline, "the slow client was not dropped");
        match slow.next_event(T) {
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => panic!("reading what was sent before the drop: {e}"),
        }
    }
}
