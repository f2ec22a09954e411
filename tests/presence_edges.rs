//! Presence edge cases against SIPp as the line's server: a server without presence (489 to
//! PUBLISH) makes the line stop publishing; odd NOTIFY bodies on a `presence` and a `dialog`
//! subscription are answered and read as nothing (or `unknown`), never as a state, and a
//! NOTIFY for no subscription of ours gets 481.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_core::store::{ContactFields, Phone, PhoneLabel, Store, DB_FILE_NAME};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

/// Counts the PUBLISH requests SIPp received (request lines in its message log).
fn publishes(sipp: &Sipp) -> usize {
    sipp.messages()
        .lines()
        .filter(|l| l.trim_start().starts_with("PUBLISH sip:"))
        .count()
}

/// SIPp is alice's registrar (REGISTER: 200) and answers PUBLISH with 489 Bad Event: exactly
/// one PUBLISH reaches it. A change of our presence after the 489 (`set_presence away`) sends
/// none either: SIPp holds the PUBLISH's Call-ID 5 s after the 489 (a PUBLISH on it would be
/// an unexpected message, failing SIPp) and the message log would show one with a new Call-ID.
#[test]
fn a_server_refusing_publish_with_489_gets_one_publish_only() {
    let mut sipp = Sipp::start(SippOptions {
        calls: 2,
        ..SippOptions::bench("presence_publish_489")
    })
    .expect("sipp");
    let line = Line {
        id: "alice",
        user: "alice",
        password: Some("alicepw"),
        domain: "127.0.0.1",
        registrar: Some(format!("sip:{}", sipp.local_addr())),
        transport: Some("udp"),
        codecs: &["pcmu"],
        extra: "message_waiting = false\n".into(),
    };
    let mut alice = start(&[line], None, &[]);
    alice.wait_registered("alice");
    let deadline = Instant::now() + T;
    while !sipp.messages().contains("SIP/2.0 489 Bad Event") {
        assert!(
            Instant::now() < deadline,
            "no PUBLISH answered with 489:\n{}",
            sipp.diagnostics()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    alice.send(json!({"cmd": "set_presence", "state": "away"}));
    let status = sipp.wait(T).expect("sipp ends");
    assert!(status.success(), "{}", sipp.diagnostics());
    assert_eq!(publishes(&sipp), 1, "{}", sipp.messages());
    alice.quit();
}

/// alice's line registers at SIPp and watches bob's presence (a contact on the line's domain)
/// and carol's lamp (`watch`). Each subscription first gets NOTIFYs with an empty body,
/// malformed XML (a state cut off before the end tags), a text/plain body and a body nested
/// 1000 deep: Parla answers each 200 (SIPp fails on anything else) and reports nothing or
/// `unknown` for them; the valid NOTIFY after them reads as away (bob) and busy (carol). A
/// NOTIFY on no subscription of ours (fresh Call-ID) gets 481, and Parla is still up: it quits
/// cleanly.
#[test]
fn odd_notify_bodies_are_answered_and_read_as_no_state() {
    let mut server = Sipp::start(SippOptions {
        calls: 4,
        ..SippOptions::bench("presence_odd_notify")
    })
    .expect("sipp");
    let profile = tempfile::tempdir().expect("profile dir");
    {
        let mut store = Store::open(&profile.path().join(DB_FILE_NAME))
            .expect("open the database")
            .store;
        let fields = ContactFields {
            first_name: "Bob".into(),
            phones: vec![Phone::new(PhoneLabel::Work, "sip:bob@127.0.0.1")],
            ..Default::default()
        };
        store
            .add_contact(&fields, "NL".parse().expect("region"))
            .expect("add contact");
    }
    let port = free_port_udp_tcp().expect("port");
    let line = Line {
        id: "alice",
        user: "alice",
        password: Some("alicepw"),
        domain: "127.0.0.1",
        registrar: Some(format!("sip:{}", server.local_addr())),
        transport: Some("udp"),
        codecs: &["pcmu"],
        extra: format!("local_port = {port}\nmessage_waiting = false\nwatch = [\"carol\"]\n"),
    };
    let alice = start_in(profile, &[line], None, &[]);
    alice.wait_registered("alice");

    let of = |uri: &'static str| {
        move |v: &Value| is_event(v, "presence") && v["account"] == "alice" && v["uri"] == uri
    };
    let bob = of("sip:bob@127.0.0.1");
    let carol = of("sip:carol@127.0.0.1");
    for (what, pred) in [
        (
            "bob away",
            &(|v: &Value| bob(v) && v["state"] == "away") as &dyn Fn(&Value) -> bool,
        ),
        ("carol busy", &|v: &Value| carol(v) && v["state"] == "busy"),
    ] {
        if let Err(e) = alice.parla.wait_event(pred, T) {
            panic!(
                "{what}: {e}\nevents: {:?}\n{}",
                alice.parla.events_seen(),
                server.diagnostics()
            );
        }
    }
    let status = server.wait(T).expect("sipp ends");
    assert!(status.success(), "{}", server.diagnostics());
    // What came before the valid bodies: nothing but `unknown`.
    let events = alice.parla.events_seen();
    for (name, watched, valid) in [
        ("bob", &bob as &dyn Fn(&Value) -> bool, "away"),
        ("carol", &carol, "busy"),
    ] {
        let states: Vec<&Value> = events
            .iter()
            .filter(|v| watched(v))
            .map(|v| &v["state"])
            .take_while(|s| *s != valid)
            .collect();
        assert!(
            states.iter().all(|s| *s == "unknown"),
            "{name}'s odd NOTIFYs read as {states:?}"
        );
    }

    let mut stray = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{port}")),
        service: Some("alice".into()),
        extra_args: vec!["-key".into(), "event".into(), "presence".into()],
        ..SippOptions::bench("presence_notify_unknown")
    })
    .expect("sipp");
    let status = stray.wait(T).expect("sipp ends");
    assert!(status.success(), "{}", stray.diagnostics());

    let mut alice = alice;
    alice.quit();
}
