//! Park against SIPp playing a park server, through Kamailio: Parla is alice, SIPp is bob
//! (registered at Kamailio by `transfer_register.xml`), and the line's feature code of kind
//! `park` is `*70{}`. `park` sends a REFER to that code (with the orbit, when one is asked);
//! the server's NOTIFY names the orbit, Parla reports `parked` and the call ends `parked`
//! (history too); a server that refuses the REFER leaves the call up with `park_failed`.
//!
//! Scenarios (tests/peers/sipp/, each says more in its top comment):
//! - `park_server.xml`: answers, accepts the REFER to `*70`, NOTIFY 100 then
//!   `SIP/2.0 200 Parked at 701`, then hangs up.
//! - `park_refused.xml`: answers, refuses the REFER to `*70701` with 403, waits for our BYE.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test"
)]

mod support;
use serde_json::{json, Value};
use support::*;

const SIP_LOG: (&str, &str) = ("RUST_LOG", "info,sip=debug");

const PARK_CODE: &str =
    "\n[[accounts.feature_codes]]\nname = \"Park\"\ncode = \"*70{}\"\nkind = \"park\"\n";

fn kamailio() -> Kamailio {
    Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
    ]))
    .expect("kamailio")
}

/// A SIPp UAS running `scenario`, registered at `kamailio` as bob.
fn park_server(kamailio: &Kamailio, scenario: &str) -> Sipp {
    let sipp = Sipp::start(SippOptions::bench(scenario)).expect("sipp uas");
    let mut options = SippOptions::bench("transfer_register");
    options.remote = Some(format!("127.0.0.1:{}", kamailio.sip_port()));
    options.service = Some("bob".into());
    options.auth = Some(("bob".into(), "bobpw".into()));
    options.extra_args = vec![
        "-key".into(),
        "contact_port".into(),
        sipp.local_port().to_string(),
    ];
    let mut register = Sipp::start(options).expect("sipp register");
    assert!(register.wait(T).expect("register").success());
    kamailio.wait_registered("bob", T).expect("bob registered");
    sipp
}

fn parla_at(kamailio: &Kamailio, feature_codes: &str) -> App {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.codecs = &["pcmu", "pcma"];
    line.extra = feature_codes.to_string();
    let app = start(&[line], None, &[SIP_LOG]);
    app.wait_registered("alice");
    app
}

fn call_bob(app: &mut App, kamailio: &Kamailio) -> u64 {
    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    call
}

fn sipp_passed(sipp: &mut Sipp) {
    let status = sipp.wait(T).expect("sipp finished");
    assert!(status.success(), "SIPp failed:\n{}", sipp.diagnostics());
}

fn history(app: &mut App) -> Vec<Value> {
    app.send(json!({"cmd": "list_history", "request": 41}));
    let history = app.wait("the history", |v| {
        is_event(v, "history") && v["request"] == 41
    });
    history["calls"].as_array().expect("calls").clone()
}

#[test]
fn the_park_server_names_the_orbit_and_the_call_ends_parked() {
    let kamailio = kamailio();
    let mut sipp = park_server(&kamailio, "park_server");
    let mut app = parla_at(&kamailio, PARK_CODE);
    let call = call_bob(&mut app, &kamailio);

    app.send(json!({"cmd": "park", "call": call}));
    let parked = app.wait("parked", |v| is_event(v, "parked") && v["call"] == call);
    assert_eq!(parked["orbit"], "701", "{parked}");
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "parked", "{ended}");
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "error") && v["call"] == call),
        "no error"
    );
    sipp_passed(&mut sipp);
    let rows = history(&mut app);
    assert_eq!(rows[0]["reason"], "parked", "{rows:?}");
    app.quit();
}

#[test]
fn a_refused_park_keeps_the_call_and_a_line_without_a_park_code_cannot_park() {
    let kamailio = kamailio();
    let mut sipp = park_server(&kamailio, "park_refused");
    let mut app = parla_at(&kamailio, PARK_CODE);
    let call = call_bob(&mut app, &kamailio);

    app.send(json!({"cmd": "park", "call": call, "orbit": "701"}));
    let error = app.wait("park_failed", |v| {
        is_event(v, "error") && v["kind"] == "park_failed" && v["call"] == call
    });
    assert!(
        error["message"].as_str().unwrap().contains("403"),
        "{error}"
    );
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"][0]["state"], "connected", "{status}");
    assert!(!app
        .parla
        .events_seen()
        .iter()
        .any(|v| is_event(v, "parked") || call_state(v, call, "ended")));
    assert_eq!(app.hang_up(call)["reason"], "local hangup");
    sipp_passed(&mut sipp);
    app.quit();

    // The same call on a line with no park code: refused at once, nothing sent.
    let mut sipp = park_server(&kamailio, "park_refused");
    let mut app = parla_at(&kamailio, "");
    let call = call_bob(&mut app, &kamailio);
    app.send(json!({"cmd": "park", "call": call}));
    let error = app.wait("park_failed", |v| {
        is_event(v, "error") && v["kind"] == "park_failed" && v["call"] == call
    });
    assert!(
        error["message"].as_str().unwrap().contains("park"),
        "{error}"
    );
    app.hang_up(call);
    sipp.stop();
    app.quit();
}
