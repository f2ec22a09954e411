//! Auto-answer in the engine against SIPp: an INVITE with `Call-Info: <...>;answer-after=0`
//! from an allowed caller is answered at once with intercom on, one from a caller not on the
//! list rings; with auto-answer on and `auto_answer_only` set, only those callers are answered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use support::*;

/// Runs SIPp scenario `name` against alice at `port`.
fn sipp(name: &str, port: u16) -> Sipp {
    let mut options = SippOptions::bench(name);
    options.remote = Some(format!("127.0.0.1:{port}"));
    options.service = Some("alice".into());
    Sipp::start(options).expect("sipp")
}

/// Waits until the engine has taken the commands sent so far (it takes them in order).
fn taken(app: &mut App) {
    app.send(json!({"cmd": "status"}));
    app.wait("status", |v| is_event(v, "status"));
}

fn finished_ok(mut sipp: Sipp) {
    let status = sipp.wait(T).expect("sipp finished");
    assert!(status.success(), "{}", sipp.diagnostics());
}

/// A call that must ring: it is declined by hand (SIPp fails on a 200 instead of the 603).
fn rings_and_is_declined(app: &mut App, port: u16) {
    let caller = sipp("intercom_rings", port);
    let (call, _) = app.wait_incoming();
    app.send(json!({"cmd": "decline", "call": call}));
    app.wait_call(call, "ended");
    finished_ok(caller);
}

/// A call answered without a click: connected with no `answer` sent.
fn answered_by_itself(app: &mut App, port: u16, scenario: &str) {
    let caller = sipp(scenario, port);
    let (call, _) = app.wait_incoming();
    app.wait_call(call, "connected");
    app.wait_call(call, "ended");
    finished_ok(caller);
}

#[test]
fn intercom_answers_an_allowed_caller_at_once_and_lets_others_ring() {
    let port = free_port_udp().expect("port");
    let app_settings = "\n[audio]\ninput = \"null\"\noutput = \"null\"\n\
                        [app]\nintercom = true\nauto_answer_only = [\"sipp\"]\n";
    let mut app = start(&[Line::listening(port)], Some(app_settings), &[]);
    app.wait("ready", |v| is_event(v, "ready"));

    // From the config at start: SIPp is `sip:sipp@127.0.0.1`, on the list.
    answered_by_itself(&mut app, port, "intercom_answered");

    app.send(json!({"cmd": "set_auto_answer", "enabled": false,
        "only": ["sip:bob@127.0.0.1"], "intercom": true}));
    taken(&mut app);
    rings_and_is_declined(&mut app, port);
    app.quit();
}

#[test]
fn auto_answer_with_a_list_answers_only_those_callers() {
    let port = free_port_udp().expect("port");
    let mut app = start(&[Line::listening(port)], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));

    app.send(json!({"cmd": "set_auto_answer", "enabled": true, "only": ["sipp"]}));
    taken(&mut app);
    answered_by_itself(&mut app, port, "uac_direct");

    // Not on the list (and intercom off: its header alone answers nothing).
    app.send(json!({"cmd": "set_auto_answer", "enabled": true, "only": ["201"]}));
    taken(&mut app);
    rings_and_is_declined(&mut app, port);
    app.quit();
}
