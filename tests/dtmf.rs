//! DTMF both ways as RFC 4733 telephone-events, through Kamailio with baresip: its `sndcode`
//! digits arrive as `dtmf` events, and our `dtmf` command reaches it as key presses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use support::*;

fn dtmf_both_ways(codec: &str) {
    let kamailio = kamailio_alice_bob();
    let bob = start_bob(&kamailio, Some(codec), None);
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");
    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");

    bob.sndcode("5").expect("bob presses 5");
    let digit = app.wait("dtmf", |v| is_event(v, "dtmf") && v["call"] == call);
    assert_eq!(digit["digit"], "5", "{digit}");

    app.send(json!({"cmd": "dtmf", "call": call, "digits": "123#"}));
    let mut heard = String::new();
    while heard.len() < 4 {
        let event = bob
            .wait_event(|e| e["type"] == "CALL_DTMF_START", T)
            .unwrap_or_else(|e| panic!("baresip heard only {heard:?}: {e}"));
        heard.push_str(event["param"].as_str().unwrap_or("?"));
    }
    assert_eq!(heard, "123#");
    let digits_seen = app
        .parla
        .events_seen()
        .iter()
        .filter(|v| is_event(v, "dtmf"))
        .count();
    assert_eq!(digits_seen, 1, "each key press is reported once");

    app.send(json!({"cmd": "dtmf", "call": call, "digits": "12x"}));
    let error = app.wait("error", |v| is_event(v, "error"));
    assert!(
        error["message"].as_str().is_some_and(|m| m.contains("'x'")),
        "{error}"
    );
    app.hang_up(call);
    app.quit();
}

#[test]
fn dtmf_travels_both_ways_with_pcmu() {
    dtmf_both_ways("pcmu");
}

#[test]
fn dtmf_travels_both_ways_with_opus() {
    dtmf_both_ways("opus");
}
