//! Attended transfer against linphonec (Debian's linphone-cli), the peer that does RFC 5589
//! both ways, through Kamailio inside a private network namespace (linphonec starts SIP only
//! with a default route; the namespace holds only `lo`, routed through itself):
//! - Parla transfers a linphonec caller to a second linphonec (the consult target receives
//!   the INVITE with Replaces);
//! - a linphonec transfers its call with Parla to another linphonec (Parla gets the REFER
//!   with Replaces, as transferee);
//! - a linphonec transfers another linphonec to Parla (Parla, the consult target, gets the
//!   INVITE with Replaces).
//!
//! After each transfer the two remaining parties hear each other's tones. The users live at
//! `pbx.test`: linphonec writes bare AoRs (no port) into Refer-To.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_testbench::netns;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

const DOMAIN: &str = "pbx.test";
/// How much audio the remaining parties must exchange after the transfer.
const LISTEN: Duration = Duration::from_secs(2);

fn kamailio() -> Kamailio {
    let mut opts = KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]);
    opts.extra_domains = vec![DOMAIN.to_string()];
    Kamailio::start(opts).expect("kamailio")
}

fn uri(user: &str) -> String {
    format!("sip:{user}@{DOMAIN}")
}

fn tone(dir: &Path, who: &str, hz: f64) -> PathBuf {
    let path = dir.join(format!("{who}-tone.wav"));
    make_tone_wav(&path, hz, 60.0, 48_000, 1).expect("tone");
    path
}

/// A linphonec at `pbx.test` playing a tone of `hz` and recording what it hears.
fn linphonec(kam: &Kamailio, dir: &Path, user: &str, pw: &str, hz: f64, auto: bool) -> Linphone {
    let mut opts = LinphoneOptions::registering(kam, user, pw);
    opts.domain = DOMAIN.into();
    opts.auto_answer = auto;
    opts.play_wav = Some(tone(dir, user, hz));
    opts.record_wav = Some(dir.join(format!("{user}-heard.wav")));
    let mut lp = Linphone::start(opts).expect("linphonec");
    lp.wait_registered(T).expect("linphonec registered");
    lp
}

/// Parla as alice at `pbx.test`, sending a tone of `hz` (none: silence), with no music on
/// hold: nothing but the parties' tones is heard. (A linphonec records all its calls into one
/// file; `Linphone::wait_recording` cuts the last call out of it, the one after the transfer.)
fn parla(kam: &Kamailio, dir: &Path, hz: Option<f64>) -> App {
    let mut line = Line::at(kam, "alice", "alicepw");
    line.domain = DOMAIN;
    let input = match hz {
        Some(hz) => format!("file:{}", tone(dir, "alice", hz).display()),
        None => "null".into(),
    };
    let audio =
        format!("\n[audio]\ninput = {input:?}\noutput = \"null\"\nmusic_on_hold = \"off\"\n");
    let app = start(&[line], Some(&audio), &[("RUST_LOG", "info,sip=debug")]);
    app.wait_registered("alice");
    app
}

/// Points a Parla call's output at a WAV file and waits until it holds [`LISTEN`] of audio.
fn parla_hears(app: &mut App, call: u64, dir: &Path) -> PathBuf {
    let path = dir.join("alice-heard.wav");
    app.send(json!({"cmd": "set_call_devices", "call": call, "output": format!("file:{}", path.display())}));
    app.wait("call_devices", |v| {
        is_event(v, "call_devices") && v["call"] == call
    });
    wait_grown(&path, 0);
    path
}

/// Waits until `path` is [`LISTEN`] of 48 kHz mono 16-bit audio longer than `from` bytes.
fn wait_grown(path: &Path, from: u64) {
    let wanted = from + 44 + (LISTEN.as_secs_f64() * 96_000.0) as u64;
    let deadline = Instant::now() + T;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < wanted {
        assert!(Instant::now() < deadline, "{} did not grow", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn band(path: &Path, hz: f64) -> f64 {
    tone_band_ratio(path, hz).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn reason(app: &App, call: u64) -> String {
    app.wait_call(call, "ended")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The three parties: bob (linphonec, 1000 Hz, answering by hand), carol (linphonec, 600 Hz,
/// answering at once) and alice (Parla, with `alice_tone`), all registered at one Kamailio.
struct Parties {
    _kam: Kamailio,
    work: tempfile::TempDir,
    bob: Linphone,
    carol: Linphone,
    alice: App,
}

fn parties(alice_tone: Option<f64>) -> Parties {
    let kam = kamailio();
    let work = tempfile::tempdir().expect("dir");
    let bob = linphonec(&kam, work.path(), "bob", "bobpw", 1000.0, false);
    let carol = linphonec(&kam, work.path(), "carol", "carolpw", 600.0, true);
    let alice = parla(&kam, work.path(), alice_tone);
    Parties {
        _kam: kam,
        work,
        bob,
        carol,
        alice,
    }
}

impl Parties {
    /// After a transfer that left alice (Parla, 440 Hz) talking to carol on `call`: each
    /// hears the other's tone; then alice hangs up and quits.
    fn alice_and_carol_hear_each_other(mut self, call: u64) {
        talking_to(&mut self.carol, "alice");
        self.bob.wait_no_calls(T).expect("bob is out");
        let heard = parla_hears(&mut self.alice, call, self.work.path());
        let carol_rec = self.carol.record_path().to_path_buf();
        wait_grown(&carol_rec, size(&carol_rec));
        self.alice.hang_up(call);
        self.carol.wait_no_calls(T).expect("carol's call ended");
        let carol_heard = self.carol.wait_recording(T).expect("carol's recording");
        assert!(band(&heard, 600.0) > 0.9, "alice hears carol");
        assert!(band(&carol_heard, 440.0) > 0.9, "carol hears alice");
        self.alice.quit();
    }
}

/// One running call, with `user`.
fn talking_to(lp: &mut Linphone, user: &str) -> LinphoneCall {
    let calls = lp
        .wait_calls(
            &format!("one running call with {user}"),
            |c| c.len() == 1 && c[0].is_with(user) && c[0].is_running(),
            T,
        )
        .expect("talking");
    calls[0].clone()
}

#[test]
fn parla_transfers_a_linphonec_caller_to_a_second_linphonec() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns(
            "parla_transfers_a_linphonec_caller_to_a_second_linphonec",
        );
    }
    // Every part bound: a part left out would be dropped (stopped) here.
    let Parties {
        _kam,
        work: _work,
        mut bob,
        mut carol,
        mut alice,
    } = parties(None);

    bob.call(&uri("alice")).expect("bob calls");
    let (first, _) = alice.wait_incoming();
    alice.send(json!({"cmd": "answer", "call": first}));
    alice.wait_call(first, "connected");
    let consult = alice.dial("alice", &uri("carol"));
    alice.wait_call(first, "on_hold");
    alice.wait_call(consult, "connected");

    let asked = Instant::now();
    alice.send(json!({"cmd": "transfer", "call": first, "to_call": consult}));
    alice.wait("transfer succeeded", |v| {
        is_event(v, "transfer") && v["call"] == first && v["state"] == "succeeded"
    });
    assert_eq!(reason(&alice, first), "transferred");
    eprintln!(
        "Parla's attended transfer (linphonec peers): {:?}",
        asked.elapsed()
    );
    assert_eq!(reason(&alice, consult), "transferred");

    talking_to(&mut bob, "carol");
    talking_to(&mut carol, "bob");
    let (bob_rec, carol_rec) = (
        bob.record_path().to_path_buf(),
        carol.record_path().to_path_buf(),
    );
    let (bob_at, carol_at) = (size(&bob_rec), size(&carol_rec));
    wait_grown(&bob_rec, bob_at);
    wait_grown(&carol_rec, carol_at);
    bob.terminate_all().expect("bob hangs up");
    // Each recording is complete once its call has ended there.
    bob.wait_no_calls(T).expect("bob's call ended");
    carol.wait_no_calls(T).expect("carol's call ended");
    let bob_heard = bob.wait_recording(T).expect("bob's recording");
    let carol_heard = carol.wait_recording(T).expect("carol's recording");
    // Each recording is of their call with each other (without the call with alice and the
    // hold before it); a path that carries nothing gives about 0.
    let (bob_ratio, carol_ratio) = (band(&bob_heard, 600.0), band(&carol_heard, 1000.0));
    eprintln!("bob hears carol {bob_ratio:.3}, carol hears bob {carol_ratio:.3}");
    assert!(bob_ratio > 0.8, "bob hears carol: {bob_ratio:.3}");
    assert!(carol_ratio > 0.8, "carol hears bob: {carol_ratio:.3}");
    assert!(
        bob.output().contains("Replaces="),
        "bob was asked to replace"
    );
    alice.quit();
}

#[test]
fn a_linphonec_transfers_its_call_with_parla_to_another_linphonec() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns(
            "a_linphonec_transfers_its_call_with_parla_to_another_linphonec",
        );
    }
    let mut p = parties(Some(440.0));
    let (bob, alice) = (&mut p.bob, &mut p.alice);

    let to_alice = bob.call(&uri("alice")).expect("bob calls");
    let (first, _) = alice.wait_incoming();
    alice.send(json!({"cmd": "answer", "call": first}));
    alice.wait_call(first, "connected");
    bob.wait_call("alice connected", |c| c.id == to_alice && c.is_running(), T)
        .expect("connected");
    bob.pause().expect("bob holds alice");
    alice.wait_call(first, "held");
    let to_carol = bob.call(&uri("carol")).expect("bob consults carol");
    bob.wait_call("carol connected", |c| c.id == to_carol && c.is_running(), T)
        .expect("consult connected");

    let asked = Instant::now();
    bob.transfer_to_call(to_alice, to_carol)
        .expect("bob transfers");
    let placed = alice.wait("the call the REFER asks for", |v| {
        is_event(v, "call_state") && v["transferred_from"] == first
    });
    let second = placed["call"].as_u64().expect("call id");
    alice.wait_call(second, "connected");
    assert_eq!(reason(alice, first), "transferred");
    eprintln!(
        "transferred by linphonec: REFER asked -> old call ended in {:?}",
        asked.elapsed()
    );
    let trace = std::fs::read_to_string(alice.parla.stderr_log()).expect("trace");
    assert!(
        trace.contains("Replaces: "),
        "our INVITE carries the Replaces"
    );
    p.alice_and_carol_hear_each_other(second);
}

#[test]
fn a_linphonec_transfers_another_linphonec_to_parla() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns("a_linphonec_transfers_another_linphonec_to_parla");
    }
    let mut p = parties(Some(440.0));
    let (bob, alice) = (&mut p.bob, &mut p.alice);

    let to_carol = bob.call(&uri("carol")).expect("bob calls carol");
    bob.wait_call("carol connected", |c| c.id == to_carol && c.is_running(), T)
        .expect("connected");
    bob.pause().expect("bob holds carol");
    let to_alice = bob.call(&uri("alice")).expect("bob consults alice");
    let (consult, _) = alice.wait_incoming();
    alice.send(json!({"cmd": "answer", "call": consult}));
    alice.wait_call(consult, "connected");
    bob.wait_call("alice connected", |c| c.id == to_alice && c.is_running(), T)
        .expect("consult connected");

    let asked = Instant::now();
    bob.transfer_to_call(to_carol, to_alice)
        .expect("bob transfers");
    let replacing = alice.wait("the replacing call", |v| {
        is_event(v, "call_state") && v["replaces"] == consult
    });
    let second = replacing["call"].as_u64().expect("call id");
    assert_eq!(replacing["state"], "connected", "{replacing}");
    assert_eq!(reason(alice, consult), "replaced");
    eprintln!(
        "Parla as the consult target: transfer asked -> consult call replaced in {:?}",
        asked.elapsed()
    );
    assert!(
        !alice
            .parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "incoming_call") && v["call"] == second),
        "the replacing call does not ring"
    );
    p.alice_and_carol_hear_each_other(second);
}
