//! Forwarding against real peers: SIPp calling Parla sees the 302 with the target in Contact
//! (always, and busy while another call is up); baresip calling Parla through Kamailio, with
//! no-answer forwarding to carol, ends up talking to carol (Kamailio follows the 302, as a
//! provider's proxy does: baresip 1.0.0 does not recurse on 3xx itself); the history keeps a
//! forwarded row.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use support::*;

fn listening_line(port: u16, forwarding: &str) -> Line<'static> {
    let mut line = Line::listening(port);
    line.extra
        .push_str(&format!("[accounts.forwarding]\n{forwarding}"));
    line
}

/// SIPp calls alice at `port` and expects a 302; returns its message log.
fn forwarded_sipp_call(port: u16) -> String {
    let mut options = SippOptions::bench("forward_302");
    options.remote = Some(format!("127.0.0.1:{port}"));
    options.service = Some("alice".into());
    let mut sipp = Sipp::start(options).expect("sipp");
    let status = sipp.wait(T).expect("sipp finished");
    assert!(status.success(), "SIPp got its 302: {}", sipp.diagnostics());
    sipp.messages()
}

/// The Contact of the 302 SIPp received.
fn contact_of_302(messages: &str) -> String {
    let at = messages.find("SIP/2.0 302").expect("a 302 in SIPp's log");
    messages[at..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            (name.trim().eq_ignore_ascii_case("contact") || name.trim() == "m")
                .then(|| value.trim().to_string())
        })
        .expect("a Contact in the 302")
}

fn history(app: &mut App, request: u64) -> Vec<Value> {
    app.send(json!({"cmd": "list_history", "request": request}));
    let history = app.wait("the history", |v| {
        is_event(v, "history") && v["request"] == request
    });
    history["calls"].as_array().expect("calls").clone()
}

#[test]
fn sipp_sees_the_302_with_the_target_always_and_when_busy() {
    let port = free_port_udp().expect("port");
    let busy_target = "sip:carol@127.0.0.1:5998";
    let always_target = "sip:dave@127.0.0.1:5997";
    let mut app = start(
        &[listening_line(port, &format!("busy = {busy_target:?}\n"))],
        None,
        &[],
    );
    let at_start = app.wait("forwarding at start", |v| is_event(v, "forwarding"));
    assert_eq!(at_start["active"], true, "{at_start}");
    assert_eq!(at_start["forwarding"]["busy"], busy_target);
    app.wait("ready", |v| is_event(v, "ready"));

    // Always: without ringing.
    app.send(json!({"cmd": "set_forwarding", "account": "local",
        "forwarding": {"always": always_target, "busy": busy_target}}));
    app.wait("forwarding changed", |v| {
        is_event(v, "forwarding") && v["forwarding"]["always"] == always_target
    });
    let messages = forwarded_sipp_call(port);
    assert_eq!(contact_of_302(&messages), format!("<{always_target}>"));
    assert!(!messages.contains("SIP/2.0 180"), "no ringing: {messages}");
    let refused = app.wait("call_refused", |v| is_event(v, "call_refused"));
    assert_eq!(refused["reason"], "forwarded", "{refused}");
    assert_eq!(refused["forwarded_to"], always_target);

    // Busy: while another call is up.
    app.send(json!({"cmd": "set_forwarding", "account": "local",
        "forwarding": {"busy": busy_target}}));
    app.wait("forwarding changed", |v| {
        is_event(v, "forwarding") && v["forwarding"]["always"].is_null()
    });
    let mut first = SippOptions::new(Scenario::Builtin("uac".into()));
    first.remote = Some(format!("127.0.0.1:{port}"));
    first.service = Some("alice".into());
    first.extra_args = vec!["-d".into(), "20000".into()];
    let mut first = Sipp::start(first).expect("sipp uac");
    let (call, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    let messages = forwarded_sipp_call(port);
    assert_eq!(contact_of_302(&messages), format!("<{busy_target}>"));
    let refused = app.wait("call_refused", |v| {
        is_event(v, "call_refused") && v["forwarded_to"] == busy_target
    });
    assert_eq!(refused["reason"], "forwarded");
    app.hang_up(call);
    first.stop();

    let calls = history(&mut app, 5);
    let forwarded = calls.iter().filter(|c| c["result"] == "forwarded").count();
    assert_eq!(forwarded, 2, "{calls:?}");
    app.quit();
    // Headless keeps the last change in config.toml (the engine writes no files).
    let saved = parla_core::Config::load_profile(app.profile.path()).expect("config.toml");
    let forwarding = &saved.accounts[0].forwarding;
    assert_eq!(forwarding.busy.as_deref(), Some(busy_target));
    assert_eq!(forwarding.always, None);
}

#[test]
fn baresip_calling_parla_ends_up_at_carol_after_no_answer() {
    let kamailio = Kamailio::start(KamailioOptions {
        follow_redirects: true,
        ..KamailioOptions::with_users(&[
            ("alice", "alicepw"),
            ("bob", "bobpw"),
            ("carol", "carolpw"),
        ])
    })
    .expect("kamailio");
    let mut alice = Line::at(&kamailio, "alice", "alicepw");
    alice.extra = "[accounts.forwarding]\nno_answer = \"carol\"\nno_answer_after_s = 2\n".into();
    let mut app = start(&[alice], None, &[]);
    app.wait_registered("alice");
    let carol =
        Baresip::start(BaresipOptions::registering(&kamailio, "carol", "carolpw")).expect("carol");
    carol.wait_registered(T).expect("carol registered");
    let bob = Baresip::start(BaresipOptions::registering(&kamailio, "bob", "bobpw")).expect("bob");
    bob.wait_registered(T).expect("bob registered");

    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, _) = app.wait_incoming();
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "forwarded", "{ended}");
    assert_eq!(ended["code"], 302);
    carol
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("carol answers the forwarded call");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("bob talks to carol");
    bob.hangup().expect("bob hangs up");

    let calls = history(&mut app, 6);
    assert!(
        calls
            .iter()
            .any(|c| c["result"] == "forwarded" && c["direction"] == "incoming"),
        "{calls:?}"
    );
    app.quit();
}
