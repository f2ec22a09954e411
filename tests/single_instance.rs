//! Single instance, end to end: a second `parla` on the same profile hands its link to the
//! running instance (here headless) over the control socket and exits at once; a link the
//! first launch carries is dialled once the engine is up.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::net::UdpSocket;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use support::*;

/// How long a second launch may take to hand its link over and exit.
const HANDOVER: Duration = Duration::from_secs(2);

/// A line with no server whose calls go to `sink` (a socket that never answers), so that an
/// outgoing call stays `calling` and reaches nobody else.
fn line_to(sink: &UdpSocket) -> String {
    let port = free_port_udp().expect("port");
    let sink = sink.local_addr().expect("sink address");
    let domain = sink.to_string();
    Line {
        id: "local",
        user: "alice",
        password: None,
        domain: &domain,
        registrar: None,
        transport: None,
        codecs: &["pcmu"],
        extra: format!("register = false\nlocal_port = {port}\n"),
    }
    .toml()
}

struct Running {
    parla: Headless,
    profile: tempfile::TempDir,
    runtime_dir: tempfile::TempDir,
    _sink: UdpSocket,
}

/// A profile with one such line and null audio.
fn profile(sink: &UdpSocket) -> tempfile::TempDir {
    let profile = tempfile::tempdir().expect("profile");
    let config = format!(
        "{}\n[audio]\ninput = \"null\"\noutput = \"null\"\n",
        line_to(sink)
    );
    std::fs::write(profile.path().join("config.toml"), config).expect("config");
    profile
}

/// `parla --headless --profile DIR [ARGS]` with `runtime_dir` as XDG_RUNTIME_DIR (where the
/// control socket goes), once it is `ready`.
fn spawn_ready(
    profile: &tempfile::TempDir,
    runtime_dir: &tempfile::TempDir,
    args: &[&str],
) -> Headless {
    let runtime = runtime_dir.path().to_str().expect("utf-8 temp path");
    let parla = Headless::spawn_with(bin(), profile.path(), args, &[("XDG_RUNTIME_DIR", runtime)])
        .expect("start parla");
    parla
        .wait_event(|v| is_event(v, "ready"), T)
        .expect("ready");
    parla
}

fn start_headless(args: &[&str]) -> Running {
    let sink = UdpSocket::bind("127.0.0.1:0").expect("sink");
    let profile = profile(&sink);
    let runtime_dir = tempfile::tempdir().expect("runtime dir");
    Running {
        parla: spawn_ready(&profile, &runtime_dir, args),
        profile,
        runtime_dir,
        _sink: sink,
    }
}

impl Running {
    /// Runs `parla --profile DIR ARGS` as a second launch; returns its exit status and stderr
    /// once it has exited, failing if it takes longer than [`HANDOVER`].
    fn second_launch(&self, args: &[&str]) -> (ExitStatus, String) {
        let log = self.profile.path().join("second-launch.log");
        let stderr = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(bin())
            .arg("--profile")
            .arg(self.profile.path())
            .args(args)
            .env("XDG_RUNTIME_DIR", self.runtime_dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("second parla");
        let deadline = Instant::now() + HANDOVER;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`parla {}` still running after {HANDOVER:?}",
                    args.join(" ")
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        (status, std::fs::read_to_string(&log).unwrap_or_default())
    }

    fn wait_calling(&self, number: &str) -> Value {
        self.parla
            .wait_event(
                |v| {
                    is_event(v, "call_state")
                        && v["state"] == "calling"
                        && v["remote"].as_str().is_some_and(|r| r.contains(number))
                },
                T,
            )
            .unwrap_or_else(|e| panic!("calling {number}: {e}"))
    }

    fn sockets(&self) -> Vec<String> {
        std::fs::read_dir(self.runtime_dir.path())
            .expect("runtime dir")
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sock"))
            .collect()
    }

    fn quit(mut self) {
        let status = self.parla.quit_and_wait(T).expect("quit");
        assert!(status.success(), "parla exited with {status}");
        assert_eq!(self.sockets(), Vec::<String>::new(), "socket left behind");
    }
}

fn events_named(parla: &Headless, event: &str) -> Vec<Value> {
    parla
        .events_seen()
        .into_iter()
        .filter(|v| is_event(v, event))
        .collect()
}

#[test]
fn a_second_launch_hands_its_link_to_the_running_instance() {
    let mut running = start_headless(&[]);
    assert_eq!(running.sockets().len(), 1, "one control socket");

    let (status, stderr) = running.second_launch(&["javascript:alert(1)"]);
    assert!(!status.success(), "a garbage link fails: {status}");
    assert!(
        stderr.contains("javascript") && stderr.contains("tel:"),
        "a clear message: {stderr}"
    );

    let (status, stderr) = running.second_launch(&["tel:+15551234"]);
    assert!(status.success(), "{status}: {stderr}");
    let calling = running.wait_calling("15551234");
    assert_eq!(calling["call"], 1, "the garbage link dialled nothing first");

    // A shell splits `tel:+1 555 1235` into three arguments.
    let (status, stderr) = running.second_launch(&["tel:+1", "555", "1235"]);
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(running.wait_calling("15551235")["call"], 2);

    // No link: the running instance is asked to show itself (the headless one ignores it).
    let (status, stderr) = running.second_launch(&[]);
    assert!(status.success(), "{status}: {stderr}");
    running.parla.send(&json!({"cmd": "status"})).expect("send");
    let status = running
        .parla
        .wait_event(|v| is_event(v, "status"), T)
        .expect("status");
    assert_eq!(
        status["calls"].as_array().map(Vec::len),
        Some(2),
        "{status}"
    );
    assert_eq!(events_named(&running.parla, "error"), Vec::<Value>::new());
    running.quit();
}

#[test]
fn a_link_given_to_the_first_launch_is_dialled_once_up() {
    let running = start_headless(&["tel:+1 (555) 1236"]);
    assert_eq!(running.wait_calling("15551236")["call"], 1);
    running.quit();
}

#[test]
fn each_profile_has_its_own_instance() {
    let first = start_headless(&[]);
    // Same runtime folder, other profile: a first launch, not a second one.
    let sink = UdpSocket::bind("127.0.0.1:0").expect("sink");
    let other_profile = profile(&sink);
    let mut second = spawn_ready(&other_profile, &first.runtime_dir, &[]);
    assert_eq!(first.sockets().len(), 2, "two control sockets");
    let status = second.quit_and_wait(T).expect("quit");
    assert!(status.success(), "{status}");
    first.quit();
}
