//! linphonec as SIP peers through the bench's Kamailio, inside a private network namespace:
//! a call with audio both ways, and an attended transfer between three linphonecs (what the
//! Parla <-> linphonec transfer tests build on).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test"
)]

use std::time::{Duration, Instant};

use parla_testbench::netns;
use parla_testbench::{
    make_tone_wav, tone_band_ratio, Headless, Kamailio, KamailioOptions, Linphone, LinphoneOptions,
};

const T: Duration = Duration::from_secs(20);
/// A domain Kamailio serves without a port: linphonec puts the bare AoR into Refer-To.
const DOMAIN: &str = "pbx.test";

fn kamailio(users: &[(&str, &str)]) -> Kamailio {
    let mut opts = KamailioOptions::with_users(users);
    opts.extra_domains = vec![DOMAIN.to_string()];
    Kamailio::start(opts).expect("kamailio")
}

fn linphone(kamailio: &Kamailio, user: &str, password: &str, tone_hz: Option<f64>) -> Linphone {
    let mut opts = LinphoneOptions::registering(kamailio, user, password);
    opts.domain = DOMAIN.to_string();
    if let Some(hz) = tone_hz {
        let dir = std::env::temp_dir().join(format!(
            "parla-linphone-tone-{}-{user}-{hz}.wav",
            std::process::id()
        ));
        make_tone_wav(&dir, hz, 30.0, 48_000, 1).expect("tone");
        opts.play_wav = Some(dir);
    }
    let mut lp = Linphone::start(opts).expect("linphonec");
    lp.wait_registered(T).expect("linphonec registered");
    lp
}

#[test]
fn two_linphonecs_call_with_audio_both_ways() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns("two_linphonecs_call_with_audio_both_ways");
    }
    let started = Instant::now();
    let kam = kamailio(&[("alice", "alicepw"), ("bob", "bobpw")]);
    let mut alice = linphone(&kam, "alice", "alicepw", Some(1000.0));
    let mut bob = linphone(&kam, "bob", "bobpw", Some(440.0));
    kam.wait_registered("alice", T).unwrap();
    kam.wait_registered("bob", T).unwrap();

    let id = alice.call(&bob.aor()).unwrap();
    let incoming = bob.wait_incoming(T).unwrap();
    assert!(incoming.is_with("alice"), "{incoming:?}");
    bob.answer(incoming.id).unwrap();
    alice
        .wait_call(
            "the call to bob running",
            |c| c.id == id && c.is_running(),
            T,
        )
        .unwrap();
    bob.wait_call_state("alice", "StreamsRunning", T).unwrap();

    // let a few seconds of audio through
    std::thread::sleep(Duration::from_secs(3));
    alice.terminate_all().unwrap();
    alice.wait_no_calls(T).unwrap();
    bob.wait_no_calls(T).unwrap();

    let heard_by_bob = bob.wait_recording(T).unwrap();
    let heard_by_alice = alice.wait_recording(T).unwrap();
    let bob_1k = tone_band_ratio(&heard_by_bob, 1000.0).unwrap();
    let alice_440 = tone_band_ratio(&heard_by_alice, 440.0).unwrap();
    eprintln!(
        "bob heard 1000 Hz: {bob_1k:.3}; alice heard 440 Hz: {alice_440:.3}; took {:?}",
        started.elapsed()
    );
    assert!(bob_1k > 0.9, "bob's recording: 1000 Hz share {bob_1k}");
    assert!(
        alice_440 > 0.9,
        "alice's recording: 440 Hz share {alice_440}"
    );
}

#[test]
fn linphonec_attended_transfer_through_kamailio() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns("linphonec_attended_transfer_through_kamailio");
    }
    let started = Instant::now();
    let kam = kamailio(&[("alice", "alicepw"), ("bob", "bobpw"), ("carol", "carolpw")]);
    let mut alice = linphone(&kam, "alice", "alicepw", None);
    let mut bob = linphone(&kam, "bob", "bobpw", None);
    let mut carol = linphone(&kam, "carol", "carolpw", None);

    // alice -> bob, connected
    let to_bob = alice.call(&bob.aor()).unwrap();
    let at_bob = bob.wait_incoming(T).unwrap();
    bob.answer(at_bob.id).unwrap();
    alice
        .wait_call("bob connected", |c| c.id == to_bob && c.is_running(), T)
        .unwrap();

    // bob on hold, alice -> carol, connected
    alice.pause().unwrap();
    alice
        .wait_call("bob paused", |c| c.id == to_bob && c.state == "Paused", T)
        .unwrap();
    bob.wait_call_state("alice", "PausedByRemote", T).unwrap();
    let to_carol = alice.call(&carol.aor()).unwrap();
    let at_carol = carol.wait_incoming(T).unwrap();
    carol.answer(at_carol.id).unwrap();
    alice
        .wait_call("carol connected", |c| c.id == to_carol && c.is_running(), T)
        .unwrap();

    // attended transfer: bob is asked to call carol, replacing alice's call with carol
    alice.transfer_to_call(to_bob, to_carol).unwrap();

    let bob_calls = bob
        .wait_calls(
            "one running call with carol",
            |c| c.len() == 1 && c[0].is_with("carol") && c[0].is_running(),
            T,
        )
        .unwrap();
    let carol_calls = carol
        .wait_calls(
            "one running call with bob",
            |c| c.len() == 1 && c[0].is_with("bob") && c[0].is_running(),
            T,
        )
        .unwrap();
    alice.wait_no_calls(T).unwrap();
    eprintln!(
        "bob: {bob_calls:?}\ncarol: {carol_calls:?}\ntook {:?}",
        started.elapsed()
    );

    let bob_out = bob.output();
    assert!(bob_out.contains("Replaces="), "bob's console:\n{bob_out}");
    // the REFER came from alice, and bob's INVITE with Replaces went through Kamailio
    assert_eq!(kam.count_requests("REFER", "alice").unwrap(), 1);
    kam.wait_requests("INVITE", "bob", 1, T).unwrap();
}

#[test]
fn linphonec_blind_transfer_through_kamailio() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns("linphonec_blind_transfer_through_kamailio");
    }
    let started = Instant::now();
    let kam = kamailio(&[("alice", "alicepw"), ("bob", "bobpw"), ("carol", "carolpw")]);
    let mut alice = linphone(&kam, "alice", "alicepw", None);
    let mut bob = linphone(&kam, "bob", "bobpw", None);
    let mut carol = linphone(&kam, "carol", "carolpw", None);

    let to_bob = alice.call(&bob.aor()).unwrap();
    let at_bob = bob.wait_incoming(T).unwrap();
    bob.answer(at_bob.id).unwrap();
    alice
        .wait_call("bob connected", |c| c.id == to_bob && c.is_running(), T)
        .unwrap();

    // blind: bob is asked to call carol
    alice.transfer(to_bob, &carol.aor()).unwrap();
    let at_carol = carol.wait_incoming(T).unwrap();
    assert!(at_carol.is_with("bob"), "{at_carol:?}");
    carol.answer(at_carol.id).unwrap();
    bob.wait_calls(
        "one running call with carol",
        |c| c.len() == 1 && c[0].is_with("carol") && c[0].is_running(),
        T,
    )
    .unwrap();
    carol.wait_call_state("bob", "StreamsRunning", T).unwrap();
    alice.wait_no_calls(T).unwrap();
    assert_eq!(kam.count_requests("REFER", "alice").unwrap(), 1);
    eprintln!("took {:?}", started.elapsed());
}

/// `parla --headless` inside the namespace: registers at Kamailio on 127.0.0.1, calls a
/// linphonec that auto-answers, and hangs up.
#[test]
fn parla_calls_a_linphonec_inside_the_namespace() {
    if !netns::in_private_netns() {
        return netns::rerun_in_private_netns("parla_calls_a_linphonec_inside_the_namespace");
    }
    let started = Instant::now();
    let kam = kamailio(&[("alice", "alicepw"), ("bob", "bobpw")]);
    let mut opts = LinphoneOptions::registering(&kam, "bob", "bobpw");
    opts.domain = DOMAIN.to_string();
    opts.auto_answer = true;
    let mut bob = Linphone::start(opts).expect("linphonec");
    bob.wait_registered(T).expect("bob registered");

    let profile = tempfile::tempdir().unwrap();
    std::fs::write(
        profile.path().join("config.toml"),
        format!(
            "[[accounts]]\nid = \"alice\"\nusername = \"alice\"\ndomain = \"127.0.0.1\"\n\
             password = \"alicepw\"\nregistrar = \"sip:127.0.0.1:{}\"\ntransport = \"udp\"\n\
             codecs = [\"opus\", \"pcmu\", \"pcma\"]\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n",
            kam.sip_port()
        ),
    )
    .unwrap();
    let mut parla = Headless::spawn(
        std::path::Path::new(env!("CARGO_BIN_EXE_parla")),
        profile.path(),
    )
    .unwrap();
    parla.wait_registered(T).unwrap();
    let call = parla.call_connected(&kam.user_uri("bob"), T).unwrap();
    bob.wait_call_state("alice", "StreamsRunning", T).unwrap();
    parla
        .send(&serde_json::json!({"cmd": "hangup", "call": call}))
        .unwrap();
    parla
        .wait_event(
            |v| v["event"] == "call_state" && v["call"] == call && v["state"] == "ended",
            T,
        )
        .unwrap();
    bob.wait_no_calls(T).unwrap();
    eprintln!("took {:?}", started.elapsed());
}
