//! Busy lamps (RFC 4235) and directed pickup end to end, through Kamailio on 127.0.0.1 with
//! dialog + pua_dialoginfo + presence_dialoginfo (`KamailioOptions::busy_lamps`): Parla
//! (alice) watches bob (baresip, answering by hand) while carol (baresip) calls him; the lamp
//! goes ringing, busy, available; alice picks up a ringing call (INVITE with Replaces to
//! carol) and she and carol hear each other.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

/// How much audio alice and carol must exchange after the pickup.
const LISTEN: Duration = Duration::from_secs(2);
/// Calls measured for the ringing latency.
const ROUNDS: usize = 5;

fn kamailio_abc() -> Kamailio {
    let mut options = KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]);
    options.busy_lamps = true;
    Kamailio::start(options).expect("kamailio")
}

fn baresip(kamailio: &Kamailio, user: &str, pw: &str, manual: bool) -> Baresip {
    let mut options = BaresipOptions::registering(kamailio, user, pw);
    if manual {
        options.answer_mode = AnswerMode::Manual;
    }
    let peer = Baresip::start(options).expect("baresip");
    peer.wait_registered(T).expect("registered");
    peer
}

/// alice (Parla) watching bob, sending a 1000 Hz tone in calls.
fn alice_watching_bob(kamailio: &Kamailio, dir: &Path) -> App {
    let tone = dir.join("alice-tone.wav");
    make_tone_wav(&tone, 1000.0, 30.0, 48_000, 1).expect("tone");
    let audio = format!(
        "\n[audio]\ninput = {:?}\noutput = \"null\"\n",
        format!("file:{}", tone.display())
    );
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "watch = [\"bob\"]\n".into();
    let app = start(
        &[line],
        Some(&audio),
        &[("RUST_LOG", "info,parla_core::ua::lamps=debug,sip=debug")],
    );
    app.wait_registered("alice");
    app
}

fn lamp(v: &Value, state: &str) -> bool {
    is_event(v, "presence")
        && v["account"] == "alice"
        && v["uri"] == "sip:bob@127.0.0.1"
        && v["state"] == state
}

fn wait_lamp(app: &App, state: &str) -> Instant {
    let (_, at) = app
        .parla
        .wait_event_timed(|v| lamp(v, state), T)
        .unwrap_or_else(|e| panic!("bob's lamp {state}: {e}"));
    at
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The lamp follows bob's calls: ringing while carol's call rings, busy once he answers,
/// available after; the time from bob's CALL_INCOMING to alice's `ringing` is measured over
/// several calls. Quitting ends the subscription.
#[test]
fn the_lamp_of_a_watched_extension_follows_its_calls() {
    let kamailio = kamailio_abc();
    let work = tempfile::tempdir().expect("dir");
    let bob = baresip(&kamailio, "bob", "bobpw", true);
    let carol = baresip(&kamailio, "carol", "carolpw", false);
    let mut alice = alice_watching_bob(&kamailio, work.path());
    // Idle at first: the dummy dialog of an extension without calls.
    wait_lamp(&alice, "available");

    let mut latencies = Vec::new();
    for round in 0..ROUNDS {
        carol.dial(&kamailio.user_uri("bob")).expect("carol dials");
        let (_, incoming) = bob
            .wait_event_type_timed("CALL_INCOMING", T)
            .expect("bob rings");
        let ringing = wait_lamp(&alice, "ringing");
        latencies.push(ringing.saturating_duration_since(incoming));
        if round == 0 {
            bob.answer().expect("bob answers");
            carol.wait_event_type("CALL_ESTABLISHED", T).expect("up");
            wait_lamp(&alice, "busy");
            carol.hangup().expect("carol hangs up");
        } else {
            // Carol gives up while it rings (CANCEL).
            carol.hangup().expect("carol hangs up");
        }
        bob.wait_event_type("CALL_CLOSED", T)
            .expect("bob's call ends");
        carol
            .wait_event_type("CALL_CLOSED", T)
            .expect("carol's call ends");
        wait_lamp(&alice, "available");
    }
    eprintln!(
        "busy lamp: bob's CALL_INCOMING -> alice's ringing, median of {ROUNDS}: {:?} (all: {latencies:?})",
        median(latencies.clone())
    );
    assert!(median(latencies) < Duration::from_secs(2));

    alice.quit();
    // A subscription, and its end (Expires: 0) on quit.
    let subscribes = kamailio
        .count_requests("SUBSCRIBE", "alice")
        .expect("count");
    assert!(subscribes >= 2, "a subscription and its end: {subscribes}");
}

/// alice picks up carol's call ringing at bob: an INVITE with Replaces (early-only) to
/// carol, who swaps bob's early dialog for alice (CANCEL to bob); alice and carol are
/// connected and hear each other. carol is Parla too: neither baresip 1.0 (no Replaces at
/// all: a new call, bob keeps ringing) nor linphonec 5.1 (refuses to accept any incoming call
/// while one of its own rings out) takes the place of its own ringing call.
#[test]
fn a_pickup_takes_the_call_ringing_at_the_watched_extension() {
    let kamailio = kamailio_abc();
    let work = tempfile::tempdir().expect("dir");
    let bob = baresip(&kamailio, "bob", "bobpw", true);
    let mut alice = alice_watching_bob(&kamailio, work.path());
    let carol_tone = work.path().join("carol-tone.wav");
    make_tone_wav(&carol_tone, 600.0, 30.0, 48_000, 1).expect("tone");
    let audio = format!(
        "\n[audio]\ninput = {:?}\noutput = \"null\"\nmusic_on_hold = \"off\"\n",
        format!("file:{}", carol_tone.display())
    );
    let mut carol = start(
        &[Line::at(&kamailio, "carol", "carolpw")],
        Some(&audio),
        &[("RUST_LOG", "info,sip=debug")],
    );
    carol.wait_registered("carol");
    wait_lamp(&alice, "available");

    let carols = carol.dial("carol", &kamailio.user_uri("bob"));
    bob.wait_event_type("CALL_INCOMING", T).expect("bob rings");
    carol.wait_call(carols, "ringing");
    wait_lamp(&alice, "ringing");

    alice.send(json!({"cmd": "pickup", "account": "alice", "uri": "bob"}));
    let calling = alice.wait("the pickup call", |v| {
        is_event(v, "call_state") && v["state"] == "calling"
    });
    let call = calling["call"].as_u64().expect("call id");
    assert_eq!(calling["remote"], "sip:carol@127.0.0.1", "{calling}");
    alice.wait_call(call, "connected");
    // carol's side: the call from alice takes the place of her call to bob.
    // (answered at once, no `incoming_call`), and that one ends as replaced (CANCEL to bob).
    let connected = carol.wait("the replacing call", |v| {
        is_event(v, "call_state") && v["replaces"] == carols && v["state"] == "connected"
    });
    let taken = connected["call"].as_u64().expect("call id");
    assert_eq!(connected["remote"], "sip:alice@127.0.0.1", "{connected}");
    let replaced = carol.wait_call(carols, "ended");
    assert_eq!(replaced["reason"], "replaced", "{replaced}");
    bob.wait_event_type("CALL_CLOSED", T)
        .expect("bob stops ringing");
    wait_lamp(&alice, "available");

    let alice_heard = hear(&mut alice, call, work.path(), "alice-heard");
    let carol_heard = hear(&mut carol, taken, work.path(), "carol-heard");
    wait_grown(&alice_heard, 0);
    wait_grown(&carol_heard, 0);
    alice.hang_up(call);
    carol.wait_call(taken, "ended");
    assert!(
        band(&alice_heard, 600.0) > 0.9,
        "alice hears carol's 600 Hz"
    );
    assert!(
        band(&carol_heard, 1000.0) > 0.9,
        "carol hears alice's 1000 Hz"
    );
    carol.quit();
    alice.quit();
}

/// Points `call`'s output at a WAV file in `dir` and returns its path.
fn hear(app: &mut App, call: u64, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    app.send(json!({"cmd": "set_call_devices", "call": call, "output": format!("file:{}", path.display())}));
    app.wait("call_devices", |v| {
        is_event(v, "call_devices") && v["call"] == call
    });
    path
}

/// Waits until `path` is [`LISTEN`] of 48 kHz mono 16-bit audio longer than `from` bytes.
fn wait_grown(path: &Path, from: u64) {
    let wanted = from + 44 + (LISTEN.as_secs_f64() * 96_000.0) as u64;
    let deadline = Instant::now() + T;
    while size(path) < wanted {
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

/// Nothing rings at bob and the line has no pickup code: `pickup` says so.
#[test]
fn a_pickup_with_nothing_ringing_fails() {
    let kamailio = kamailio_abc();
    let work = tempfile::tempdir().expect("dir");
    let mut alice = alice_watching_bob(&kamailio, work.path());
    alice.send(json!({"cmd": "pickup", "account": "alice", "uri": "bob"}));
    let error = alice.wait("the pickup error", |v| is_event(v, "error"));
    assert_eq!(error["kind"], "pickup_failed", "{error}");
    assert!(
        !alice
            .parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "call_state")),
        "no call was placed"
    );
    alice.quit();
}
