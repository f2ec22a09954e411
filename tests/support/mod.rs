//! Shared pieces of the end-to-end tests: a profile for `parla --headless`, and waiting on its events.
#![allow(dead_code)]

pub mod gui;
pub mod nat_home;

pub use parla_testbench::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long any one expected event may take. Generous: CI machines are slow, and nothing waits
/// this long when things work.
pub const T: Duration = Duration::from_secs(20);

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_parla"))
}

/// An account line of config.toml.
pub struct Line<'a> {
    pub id: &'a str,
    pub user: &'a str,
    pub password: Option<&'a str>,
    pub domain: &'a str,
    pub registrar: Option<String>,
    pub transport: Option<&'a str>,
    pub codecs: &'a [&'a str],
    pub extra: String,
}

impl Line<'static> {
    /// alice on 127.0.0.1 without a registrar, listening on `port`.
    pub fn listening(port: u16) -> Line<'static> {
        Line {
            id: "local",
            user: "alice",
            password: None,
            domain: "127.0.0.1",
            registrar: None,
            transport: None,
            codecs: &["pcmu", "pcma"],
            extra: format!("register = false\nlocal_port = {port}\n"),
        }
    }
}

impl<'a> Line<'a> {
    /// `user` registering at `kamailio` over UDP with its bench password.
    pub fn at(kamailio: &Kamailio, user: &'a str, password: &'a str) -> Self {
        Line {
            id: user,
            user,
            password: Some(password),
            domain: kamailio.domain(),
            registrar: Some(format!("sip:127.0.0.1:{}", kamailio.sip_port())),
            transport: Some("udp"),
            codecs: &["opus", "pcmu", "pcma"],
            extra: String::new(),
        }
    }

    /// `user` registering over TLS; `trust_ca` adds the bench CA as the account's `ca_file`.
    pub fn tls(kamailio: &Kamailio, user: &'a str, password: &'a str, trust_ca: bool) -> Self {
        let mut line = Line::at(kamailio, user, password);
        line.registrar = Some(format!("sip:127.0.0.1:{}", kamailio.tls_port()));
        line.transport = Some("tls");
        if trust_ca {
            line.extra = format!("ca_file = {:?}\n", kamailio.ca_cert_path());
        }
        line
    }

    pub fn toml(&self) -> String {
        let mut out = format!(
            "[[accounts]]\nid = {:?}\nusername = {:?}\ndomain = {:?}\n",
            self.id, self.user, self.domain
        );
        if let Some(p) = self.password {
            out.push_str(&format!("password = {p:?}\n"));
        }
        if let Some(r) = &self.registrar {
            out.push_str(&format!("registrar = {r:?}\n"));
        }
        if let Some(t) = self.transport {
            out.push_str(&format!("transport = {t:?}\n"));
        }
        let codecs: Vec<String> = self.codecs.iter().map(|c| format!("{c:?}")).collect();
        out.push_str(&format!("codecs = [{}]\n", codecs.join(", ")));
        out.push_str(&self.extra);
        out
    }
}

pub struct App {
    pub parla: Headless,
    pub profile: tempfile::TempDir,
}

impl App {
    pub fn profile_path(&self) -> PathBuf {
        self.profile.path().to_path_buf()
    }
}

/// Writes config.toml (with null audio unless `audio` says otherwise) and starts the app.
pub fn start(lines: &[Line], audio: Option<&str>, envs: &[(&str, &str)]) -> App {
    start_in(
        tempfile::tempdir().expect("profile dir"),
        lines,
        audio,
        envs,
    )
}

/// [`start`] on a profile folder the test has prepared (e.g. with contacts in `parla.db`).
pub fn start_in(
    profile: tempfile::TempDir,
    lines: &[Line],
    audio: Option<&str>,
    envs: &[(&str, &str)],
) -> App {
    let mut toml: String = lines
        .iter()
        .map(|l| l.toml())
        .collect::<Vec<_>>()
        .join("\n");
    toml.push_str(audio.unwrap_or("\n[audio]\ninput = \"null\"\noutput = \"null\"\n"));
    std::fs::write(profile.path().join("config.toml"), toml).expect("write config");
    let parla = Headless::spawn_with(bin(), profile.path(), &[], envs).expect("start parla");
    App { parla, profile }
}

pub fn is_event(v: &Value, event: &str) -> bool {
    v["event"] == event
}

pub fn registration(v: &Value, account: &str, state: &str) -> bool {
    is_event(v, "registration") && v["account"] == account && v["state"] == state
}

pub fn call_state(v: &Value, call: u64, state: &str) -> bool {
    is_event(v, "call_state") && v["call"] == call && v["state"] == state
}

impl App {
    pub fn wait(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.parla.wait_event(pred, T).unwrap_or_else(|e| {
            panic!(
                "waiting for {what}: {e}\nevents: {:?}",
                self.parla.events_seen()
            )
        })
    }

    pub fn wait_registered(&self, account: &str) {
        self.wait("registered", |v| registration(v, account, "registered"));
    }

    pub fn send(&mut self, command: Value) {
        self.parla.send(&command).expect("send command");
    }

    /// Dials and returns the call id from the `calling` event.
    pub fn dial(&mut self, account: &str, to: &str) -> u64 {
        self.send(json!({"cmd": "dial", "account": account, "to": to}));
        let calling = self.wait("calling", |v| {
            is_event(v, "call_state") && v["state"] == "calling" && v["remote"] == to
        });
        calling["call"].as_u64().expect("call id")
    }

    /// Waits for the next `incoming_call` and returns its call id and the event.
    pub fn wait_incoming(&self) -> (u64, Value) {
        let incoming = self.wait("incoming call", |v| is_event(v, "incoming_call"));
        (incoming["call"].as_u64().expect("call id"), incoming)
    }

    pub fn wait_call(&self, call: u64, state: &str) -> Value {
        self.wait(state, |v| call_state(v, call, state))
    }

    /// Hangs a call up and returns its `ended` event.
    pub fn hang_up(&mut self, call: u64) -> Value {
        self.send(json!({"cmd": "hangup", "call": call}));
        self.wait_call(call, "ended")
    }

    pub fn quit(&mut self) {
        let status = self.parla.quit_and_wait(T).expect("quit");
        assert!(status.success(), "parla exited with {status}");
    }
}

/// A Kamailio that knows alice and bob, the two parties of most tests.
pub fn kamailio_alice_bob() -> Kamailio {
    Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
    ]))
    .expect("kamailio")
}

/// baresip as bob, registered at `kamailio` and answering, offering only `codec` if given and
/// recording what it hears into `record_dir` if given.
pub fn start_bob(kamailio: &Kamailio, codec: Option<&str>, record_dir: Option<PathBuf>) -> Baresip {
    let mut options = BaresipOptions::registering(kamailio, "bob", "bobpw");
    options.audio_codecs = codec.map(|c| vec![c.to_string()]).unwrap_or_default();
    options.record_dir = record_dir;
    let bob = Baresip::start(options).expect("baresip");
    bob.wait_registered(T).expect("bob registered");
    bob
}
