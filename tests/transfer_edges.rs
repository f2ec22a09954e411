//! The edges of call transfer against SIPp, directly (a line with no server, calls on
//! `127.0.0.1:PORT`): REFERs refused or failing, a successful one, being transferred with and
//! without a subscription, glare on our hold, a BYE crossing our REFER, and INVITEs with
//! Replaces that must be refused (no such dialog, unreadable, another line's call, early-only
//! on a call that is up, a call ringing in).
//!
//! Scenarios under tests/peers/sipp/ (each says more in its top comment):
//! - `transfer_refer_refused.xml` (UAS): answers, then refuses our REFER with the status line
//!   `-key refer_status "SIP/2.0 403 Forbidden"`; waits for our BYE.
//! - `transfer_refer_notify.xml` (UAS): answers, accepts our REFER (202), NOTIFY
//!   `SIP/2.0 100 Trying`, then a terminating NOTIFY whose sipfrag is `-key sipfrag "..."`
//!   (`SIP/2.0 486 Busy Here`, `SIP/2.0 200 OK`); each NOTIFY must get 200; waits for our BYE.
//! - `transfer_transferee_nosub.xml` (UAC): calls us, REFERs us to `-key target_port N` with
//!   `Refer-Sub: false`; the 202 must echo it, a hold re-INVITE of ours is answered if one
//!   comes, and no NOTIFY may come before (or after) our BYE.
//! - `transfer_transferee_notify.xml` (UAC): calls us, holds us, REFERs us to
//!   `-key target_port N`; checks the NOTIFYs 100, 180, then 200 with the subscription
//!   terminated, then takes our BYE (`-set transferor_bye no`) or says BYE itself (`yes`).
//! - `transfer_target.xml` (UAS): the target of those two: the INVITE must carry the
//!   Referred-By; waits 800 ms, rings 500 ms (so the NOTIFYs come apart: SIPp cannot take a
//!   message while it is about to answer the one before), answers, waits for the BYE.
//! - `transfer_hold_491.xml` (UAS): answers; our first hold re-INVITE gets 491, the second 200.
//! - `transfer_bye_crosses_refer.xml` (UAS): answers; on our REFER it sends BYE first, then
//!   answers the REFER 481.
//! - `transfer_replaces_refused.xml` (UAC): INVITE with `Replaces: ` `-key replaces "..."`;
//!   takes a 400, 403, 481 or 486 (the test reads which) and ACKs it.
//! - `transfer_caller_stays.xml` (UAC): calls us (Call-ID from `-cid_str`) and stays until
//!   our BYE: the call a Replaces names.
//! - `transfer_replaces_early.xml` (UAC): INVITE #1 rings; INVITE #2 (same Call-ID, another
//!   From tag) with a Replaces naming dialog #1 expects 486; then #1 expects our 603.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

/// Parla's SIP traces go to its stderr log (`App.parla.stderr_log()`).
const SIP_LOG: (&str, &str) = ("RUST_LOG", "info,sip=debug");

/// A line with no server listening on `port`, taking any transfer (the default policy).
fn direct_line(port: u16) -> Line<'static> {
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

/// Parla on a direct line at `port`, ready.
fn parla(port: u16) -> App {
    let app = start(&[direct_line(port)], None, &[SIP_LOG]);
    app.wait("ready", |v| is_event(v, "ready"));
    app
}

fn keys(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(k, v)| ["-key".to_string(), k.to_string(), v.to_string()])
        .collect()
}

/// A SIPp UAS running `scenario` with `-key` pairs.
fn sipp_uas(scenario: &str, key_values: &[(&str, &str)]) -> Sipp {
    let mut options = SippOptions::bench(scenario);
    options.extra_args = keys(key_values);
    Sipp::start(options).expect("sipp uas")
}

/// A SIPp UAC running `scenario` against alice on Parla's `port`.
fn sipp_uac(scenario: &str, port: u16, key_values: &[(&str, &str)]) -> Sipp {
    let mut options = SippOptions::bench(scenario);
    options.remote = Some(format!("127.0.0.1:{port}"));
    options.service = Some("alice".into());
    options.extra_args = keys(key_values);
    Sipp::start(options).expect("sipp uac")
}

/// The SIP messages SIPp received (its `-trace_msg` log), each from its first line on.
fn received(sipp: &Sipp) -> Vec<String> {
    sipp.messages()
        .split("-----------------------------------------------")
        .filter_map(|entry| {
            let (head, message) = entry.split_once("\n\n")?;
            head.contains("message received")
                .then(|| message.trim_start().to_string())
        })
        .collect()
}

/// SIPp received a response starting `status` (e.g. `SIP/2.0 202`) whose CSeq line is `cseq`.
/// The scenarios take some responses as optional, since they may cross with what Parla sends
/// next: this is where their coming is checked.
fn assert_received(sipp: &Sipp, status: &str, cseq: &str) {
    let cseq_line = format!("CSeq: {cseq}");
    assert!(
        received(sipp)
            .iter()
            .any(|m| m.starts_with(status) && m.lines().any(|l| l.trim() == cseq_line)),
        "SIPp got no {status} ({cseq}):\n{}",
        sipp.messages()
    );
}

/// SIPp ran its scenario to the end: every expected message came, nothing unexpected did.
fn assert_sipp_passed(sipp: &mut Sipp, app: &App) {
    let status = sipp.wait(T).expect("sipp finished");
    assert!(
        status.success(),
        "SIPp's scenario failed ({status}):\n{}\n--- parla's log ---\n{}",
        sipp.diagnostics(),
        parla_log_tail(app)
    );
}

fn parla_log_tail(app: &App) -> String {
    let log = std::fs::read_to_string(app.parla.stderr_log()).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}

/// Dials the SIPp UAS and waits until the call is up.
fn call_sipp(app: &mut App, sipp: &Sipp) -> u64 {
    let to = format!("sip:edge@{}", sipp.local_addr());
    let call = app.dial("local", &to);
    app.wait_call(call, "connected");
    call
}

fn transfer_event(v: &Value, call: u64, state: &str) -> bool {
    is_event(v, "transfer") && v["call"] == call && v["state"] == state
}

/// The `state` of `call` in a fresh `status`, or `None` when the call is not listed.
fn status_of(app: &mut App, call: u64) -> Option<String> {
    // No `request` to match: `status` does not echo it. Each wait takes the oldest one left.
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    status["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .find(|c| c["call"] == call)
        .map(|c| c["state"].as_str().expect("state").to_string())
}

/// Waits until a line of Parla's log contains every one of `needles`.
fn wait_log(app: &App, needles: &[&str]) -> String {
    let deadline = Instant::now() + T;
    loop {
        let log = std::fs::read_to_string(app.parla.stderr_log()).unwrap_or_default();
        if let Some(line) = log.lines().find(|l| needles.iter().all(|n| l.contains(n))) {
            return line.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no log line with {needles:?}:\n{}",
            parla_log_tail(app)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The far end refuses our REFER with `code`: `failed` with it, an error, the call goes on.
fn refer_refused_with(code: u16, reason: &str) {
    let code_text = code.to_string();
    let status_line = format!("SIP/2.0 {code} {reason}");
    let mut sipp = sipp_uas("transfer_refer_refused", &[("refer_status", &status_line)]);
    let mut app = parla(free_port_udp().expect("port"));
    let call = call_sipp(&mut app, &sipp);

    app.send(json!({"cmd": "transfer", "call": call, "to": "sip:carol@127.0.0.1"}));
    let failed = app.wait("transfer failed", |v| transfer_event(v, call, "failed"));
    assert_eq!(failed["code"], code, "{failed}");
    let error = app.wait("transfer_failed error", |v| {
        is_event(v, "error") && v["kind"] == "transfer_failed" && v["call"] == call
    });
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains(&code_text)),
        "{error}"
    );
    assert_eq!(status_of(&mut app, call).as_deref(), Some("connected"));
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| call_state(v, call, "ended") || transfer_event(v, call, "succeeded")),
        "the call survives the refusal"
    );

    assert_eq!(app.hang_up(call)["reason"], "local hangup");
    assert_sipp_passed(&mut sipp, &app);
    app.quit();
}

#[test]
fn a_refer_refused_with_403_fails_and_the_call_stays() {
    refer_refused_with(403, "Forbidden");
}

#[test]
fn a_refer_refused_with_405_fails_and_the_call_stays() {
    refer_refused_with(405, "Method Not Allowed");
}

#[test]
fn a_refer_refused_with_501_fails_and_the_call_stays() {
    refer_refused_with(501, "Not Implemented");
}

#[test]
fn a_notify_saying_busy_fails_the_transfer_and_the_call_stays() {
    let mut sipp = sipp_uas(
        "transfer_refer_notify",
        &[("sipfrag", "SIP/2.0 486 Busy Here")],
    );
    let mut app = parla(free_port_udp().expect("port"));
    let call = call_sipp(&mut app, &sipp);

    app.send(json!({"cmd": "transfer", "call": call, "to": "sip:carol@127.0.0.1"}));
    let trying = app.wait("transfer trying", |v| transfer_event(v, call, "trying"));
    assert_eq!(trying["code"], 202, "the 202 first: {trying}");
    let failed = app.wait("transfer failed", |v| transfer_event(v, call, "failed"));
    assert_eq!(failed["code"], 486, "{failed}");
    app.wait("transfer_failed error", |v| {
        is_event(v, "error") && v["kind"] == "transfer_failed" && v["call"] == call
    });
    // The NOTIFY 100 in between said `trying` too.
    let seen = app.parla.events_seen();
    let states: Vec<(String, Value)> = seen
        .iter()
        .filter(|v| is_event(v, "transfer") && v["call"] == call)
        .map(|v| {
            (
                v["state"].as_str().unwrap_or("").to_string(),
                v["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("trying".to_string(), json!(202)),
            ("trying".to_string(), json!(100)),
            ("failed".to_string(), json!(486)),
        ],
        "{seen:?}"
    );
    assert_eq!(status_of(&mut app, call).as_deref(), Some("connected"));

    assert_eq!(app.hang_up(call)["reason"], "local hangup");
    // SIPp checked that both NOTIFYs got their 200 and that the BYE came after.
    assert_sipp_passed(&mut sipp, &app);
    assert_received(&sipp, "SIP/2.0 200", "2 NOTIFY");
    app.quit();
}

#[test]
fn a_notify_saying_200_succeeds_and_we_end_the_call_transferred() {
    let mut sipp = sipp_uas("transfer_refer_notify", &[("sipfrag", "SIP/2.0 200 OK")]);
    let mut app = parla(free_port_udp().expect("port"));
    let call = call_sipp(&mut app, &sipp);

    app.send(json!({"cmd": "transfer", "call": call, "to": "sip:carol@127.0.0.1"}));
    app.wait("transfer trying", |v| transfer_event(v, call, "trying"));
    let succeeded = app.wait("transfer succeeded", |v| {
        transfer_event(v, call, "succeeded")
    });
    assert_eq!(succeeded["code"], 200, "{succeeded}");
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "transferred", "{ended}");
    // SIPp got our 200 to each NOTIFY (the last one maybe after our BYE), and our BYE.
    assert_sipp_passed(&mut sipp, &app);
    assert_received(&sipp, "SIP/2.0 200", "1 NOTIFY");
    assert_received(&sipp, "SIP/2.0 200", "2 NOTIFY");
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "error") && v["kind"] == "transfer_failed"),
        "no failure reported"
    );
    app.quit();
}

/// The far end's REFER (from `transferor`) makes us call `target`: the new call says where it
/// came from, connects, and the first call ends `transferred`. Returns (first, new) call ids.
fn transferred_to_target(app: &mut App, target: &Sipp, transferor: &Sipp) -> (u64, u64) {
    let (first, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": first}));
    app.wait_call(first, "connected");
    let calling = app.wait("the call to the Refer-To", |v| {
        is_event(v, "call_state") && v["state"] == "calling" && v["call"] != first
    });
    let new = calling["call"].as_u64().expect("call id");
    assert_eq!(calling["transferred_from"], first, "{calling}");
    assert_eq!(
        calling["remote"],
        format!("sip:target@{}", target.local_addr()),
        "{calling}"
    );
    app.wait_call(new, "connected");
    let ended = app.wait_call(first, "ended");
    assert_eq!(
        ended["reason"],
        "transferred",
        "{ended}\n--- the transferor ---\n{}\n--- parla's log ---\n{}",
        transferor.diagnostics(),
        parla_log_tail(app)
    );
    (first, new)
}

#[test]
fn a_refer_with_refer_sub_false_gets_it_echoed_and_no_notify() {
    let port = free_port_udp().expect("port");
    let mut app = parla(port);
    let mut target = sipp_uas("transfer_target", &[]);
    let target_port = target.local_port().to_string();
    let mut transferor = sipp_uac(
        "transfer_transferee_nosub",
        port,
        &[("target_port", &target_port)],
    );

    let (first, new) = transferred_to_target(&mut app, &target, &transferor);
    assert_ne!(first, new);
    // SIPp saw `Refer-Sub: false` in the 202 (and took a hold re-INVITE, had one come), then
    // our BYE, and no NOTIFY at all.
    assert_sipp_passed(&mut transferor, &app);
    assert_received(&transferor, "SIP/2.0 202", "2 REFER");

    assert_eq!(app.hang_up(new)["reason"], "local hangup");
    assert_sipp_passed(&mut target, &app);
    app.quit();
}

/// The transferor holds us, then REFERs us to the target: NOTIFYs 100, 180, 200 (checked by
/// SIPp), the new call connects, the first ends `transferred`. With `transferor_bye` the
/// transferor ends the first call itself after our NOTIFY 200 (RFC 5589), else we do.
fn transferred_with_notifies(transferor_bye: bool) {
    let port = free_port_udp().expect("port");
    let mut app = parla(port);
    let mut target = sipp_uas("transfer_target", &[]);
    let target_port = target.local_port().to_string();
    let mut options = SippOptions::bench("transfer_transferee_notify");
    options.remote = Some(format!("127.0.0.1:{port}"));
    options.service = Some("alice".into());
    options.extra_args = keys(&[("target_port", &target_port)]);
    let bye = if transferor_bye { "yes" } else { "no" };
    options
        .extra_args
        .extend(["-set", "transferor_bye", bye].map(String::from));
    let mut transferor = Sipp::start(options).expect("sipp uac");

    let (first, new) = transferred_to_target(&mut app, &target, &transferor);
    assert!(
        app.parla
            .events_seen()
            .iter()
            .any(|v| call_state(v, first, "held")),
        "the transferor held us first"
    );
    // SIPp checked the three NOTIFYs (100, 180, 200 terminated), then got our BYE after them
    // or sent its own (and then no BYE of ours may come).
    assert_sipp_passed(&mut transferor, &app);
    assert_received(&transferor, "SIP/2.0 202", "3 REFER");
    let our_byes = received(&transferor)
        .iter()
        .filter(|m| m.starts_with("BYE "))
        .count();
    assert_eq!(
        our_byes,
        usize::from(!transferor_bye),
        "{}",
        transferor.messages()
    );

    assert_eq!(app.hang_up(new)["reason"], "local hangup");
    assert_sipp_passed(&mut target, &app);
    app.quit();
}

#[test]
fn a_refer_gets_notifies_trying_ringing_then_200_terminated_then_our_bye() {
    transferred_with_notifies(false);
}

#[test]
fn the_transferors_bye_after_our_notify_200_ends_the_call_transferred() {
    transferred_with_notifies(true);
}

#[test]
fn our_hold_answered_491_is_retried_and_the_call_goes_on_hold() {
    let mut sipp = sipp_uas("transfer_hold_491", &[]);
    let mut app = parla(free_port_udp().expect("port"));
    let call = call_sipp(&mut app, &sipp);

    app.send(json!({"cmd": "hold", "call": call}));
    app.wait_call(call, "on_hold");
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "error") && v["kind"] == "hold_failed"),
        "the 491 is no failure: {:?}",
        app.parla.events_seen()
    );
    assert_eq!(status_of(&mut app, call).as_deref(), Some("on_hold"));
    assert_eq!(app.hang_up(call)["reason"], "local hangup");
    // SIPp saw exactly two re-INVITEs, both sendonly, the first ACKed after its 491.
    assert_sipp_passed(&mut sipp, &app);
    app.quit();
}

#[test]
fn a_bye_crossing_our_refer_ends_the_call_and_the_app_stays_up() {
    let mut sipp = sipp_uas("transfer_bye_crosses_refer", &[]);
    let mut app = parla(free_port_udp().expect("port"));
    let call = call_sipp(&mut app, &sipp);

    app.send(json!({"cmd": "transfer", "call": call, "to": "sip:carol@127.0.0.1"}));
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "remote hangup", "{ended}");
    // SIPp got the 200 to its BYE, then sent the 481 to the REFER.
    assert_sipp_passed(&mut sipp, &app);
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| transfer_event(v, call, "succeeded")),
        "{:?}",
        app.parla.events_seen()
    );
    assert_eq!(status_of(&mut app, call), None, "the call is gone");
    app.quit();
}

/// SIPp's INVITE to alice on `port` with `Replaces: replaces`; returns the status line it got
/// (the scenario ACKs any of 400, 403, 481, 486).
fn invite_replacing(app: &App, port: u16, replaces: &str) -> String {
    let mut sipp = sipp_uac("transfer_replaces_refused", port, &[("replaces", replaces)]);
    assert_sipp_passed(&mut sipp, app);
    received(&sipp)
        .iter()
        .filter(|m| m.lines().any(|l| l.trim() == "CSeq: 1 INVITE"))
        .filter_map(|m| m.lines().next().map(str::trim).map(String::from))
        .rfind(|status| !status.starts_with("SIP/2.0 1"))
        .expect("a final response")
}

fn no_call_rang(app: &mut App) {
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"], json!([]), "{status}");
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "incoming_call")),
        "no call rang"
    );
}

#[test]
fn an_invite_replacing_no_dialog_gets_481() {
    let port = free_port_udp().expect("port");
    let mut app = parla(port);
    let status = invite_replacing(&app, port, "nosuchcall;to-tag=a;from-tag=b");
    assert!(status.starts_with("SIP/2.0 481"), "{status}");
    no_call_rang(&mut app);
    app.quit();
}

#[test]
fn an_invite_with_an_unreadable_replaces_gets_400() {
    let port = free_port_udp().expect("port");
    let mut app = parla(port);
    // No from-tag.
    let status = invite_replacing(&app, port, "nosuchcall;to-tag=a");
    assert!(status.starts_with("SIP/2.0 400"), "{status}");
    no_call_rang(&mut app);
    app.quit();
}

/// Our tag in the dialog of the call SIPp placed with Call-ID `call_id`: the To tag of what
/// Parla's log shows of it.
fn our_tag(app: &App, call_id: &str) -> String {
    let log = std::fs::read_to_string(app.parla.stderr_log()).expect("parla log");
    let mut in_dialog = false;
    for line in log.lines() {
        if line.starts_with("Call-ID:") {
            in_dialog = line.trim() == format!("Call-ID: {call_id}");
        }
        if let Some(tag) = line
            .strip_prefix("To:")
            .and_then(|to| to.split(";tag=").nth(1))
            .filter(|_| in_dialog)
        {
            return tag.split([';', '>', ' ']).next().expect("tag").to_string();
        }
    }
    panic!(
        "no To tag for {call_id} in parla's log:\n{}",
        parla_log_tail(app)
    );
}

#[test]
fn an_invite_replacing_a_call_on_another_line_gets_403_and_early_only_on_a_call_up_486() {
    let (port_a, port_b) = (
        free_port_udp().expect("port"),
        free_port_udp().expect("port"),
    );
    let mut line_b = direct_line(port_b);
    line_b.id = "other";
    line_b.user = "bob";
    let mut app = start(&[direct_line(port_a), line_b], None, &[SIP_LOG]);
    app.wait("ready", |v| is_event(v, "ready"));

    let call_id = format!("edge-{port_a}@127.0.0.1");
    let mut options = SippOptions::bench("transfer_caller_stays");
    options.remote = Some(format!("127.0.0.1:{port_a}"));
    options.service = Some("alice".into());
    options.extra_args = vec!["-cid_str".into(), call_id.clone()];
    let mut caller = Sipp::start(options).expect("sipp uac");
    let (call, incoming) = app.wait_incoming();
    assert_eq!(incoming["account"], "local", "{incoming}");
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");

    let replaces = format!(
        "{call_id};to-tag={};from-tag={}SIPpTag001",
        our_tag(&app, &call_id),
        caller.pid()
    );
    // The right dialog, on the wrong line.
    let status = invite_replacing(&app, port_b, &replaces);
    assert!(status.starts_with("SIP/2.0 403"), "{status}");
    // The right line, but early-only and the call is up.
    let status = invite_replacing(&app, port_a, &format!("{replaces};early-only"));
    assert!(status.starts_with("SIP/2.0 486"), "{status}");

    assert_eq!(status_of(&mut app, call).as_deref(), Some("connected"));
    let rang = app
        .parla
        .events_seen()
        .iter()
        .filter(|v| is_event(v, "incoming_call"))
        .count();
    assert_eq!(rang, 1, "only the first call rang");
    assert_eq!(app.hang_up(call)["reason"], "local hangup");
    assert_sipp_passed(&mut caller, &app);
    app.quit();
}

#[test]
fn an_invite_replacing_a_call_ringing_in_gets_486_and_that_call_rings_on() {
    let port = free_port_udp().expect("port");
    let mut app = parla(port);
    let mut sipp = sipp_uac("transfer_replaces_early", port, &[]);

    let (call, _) = app.wait_incoming();
    // SIPp's second INVITE (the Replaces) is refused before it gets anywhere.
    let refused = wait_log(&app, &["INVITE with Replaces refused", "486"]);
    assert!(refused.contains("486"), "{refused}");
    assert_eq!(status_of(&mut app, call).as_deref(), Some("incoming"));
    let incoming = app
        .parla
        .events_seen()
        .iter()
        .filter(|v| is_event(v, "incoming_call"))
        .count();
    assert_eq!(incoming, 1, "the Replaces INVITE rang as a call of its own");

    app.send(json!({"cmd": "decline", "call": call}));
    app.wait_call(call, "ended");
    // SIPp got the 486 for INVITE #2, then the 603 for INVITE #1.
    assert_sipp_passed(&mut sipp, &app);
    app.quit();
}
