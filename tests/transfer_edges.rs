//! The edges of call transfer against SIPp, every test through Kamailio (the bench's registrar
//! and record-routing proxy, tests/peers/kamailio.cfg): Parla is alice, registered at Kamailio,
//! and SIPp is bob (and carol, a transfer target), registered there too. REFERs refused or
//! failing, a successful one, being transferred with and without a subscription, glare on our
//! hold, a BYE crossing our REFER, and INVITEs with Replaces that must be refused (no such
//! dialog, unreadable, another line's call, early-only on a call that is up, a call ringing in).
//!
//! How SIPp takes part through Kamailio:
//! - `transfer_register.xml` registers a user (digest auth, `-au`/`-ap`) with the Contact of
//!   another SIPp instance (`-key contact_port N`): one SIPp follows one Call-ID, so a UAS
//!   cannot REGISTER and then take an INVITE of Parla's in the same run. Every SIPp that
//!   takes or makes a call here is registered that way first.
//! - UAS scenarios copy the Record-Route into their 200 and send their in-dialog requests
//!   (NOTIFY, BYE) to [next_url] with [routes]; responses carry both Vias (Kamailio's and
//!   Parla's), captured one by one (`occurrence="2"`) where a scenario keeps them for later.
//! - UAC scenarios send their INVITE from bob to `[service]` at Kamailio, ACK its 407 and send
//!   it again with credentials (so their CSeqs start one higher than Parla's side counts),
//!   then ACK, REFER, re-INVITE and BYE along the Route set.
//! - Each test also counts, in Kamailio's log, that the requests it is about passed through
//!   Kamailio (REFER, NOTIFY, BYE, re-INVITE), and Parla dials the Refer-To it gets (carol at
//!   Kamailio) through Kamailio as well.
//!
//! Scenarios under tests/peers/sipp/ (each says more in its top comment):
//! - `transfer_refer_refused.xml` (UAS, bob): answers, then refuses our REFER with the status
//!   line `-key refer_status "SIP/2.0 403 Forbidden"`; waits for our BYE.
//! - `transfer_refer_notify.xml` (UAS, bob): answers, accepts our REFER (202), NOTIFY
//!   `SIP/2.0 100 Trying`, then a terminating NOTIFY whose sipfrag is `-key sipfrag "..."`
//!   (`SIP/2.0 486 Busy Here`, `SIP/2.0 200 OK`); each NOTIFY must get 200; waits for our BYE.
//! - `transfer_transferee_nosub.xml` (UAC, bob): calls us, REFERs us to `-key refer_to URI`
//!   with `Refer-Sub: false`; the 202 must echo it, a hold re-INVITE of ours is answered if one
//!   comes, and no NOTIFY may come before (or after) our BYE.
//! - `transfer_transferee_notify.xml` (UAC, bob): calls us, holds us, REFERs us to
//!   `-key refer_to URI`; checks the NOTIFYs 100, 180, then 200 with the subscription
//!   terminated, then takes our BYE (`-set transferor_bye no`) or says BYE itself (`yes`).
//! - `transfer_target.xml` (UAS, carol): the target of those two: the INVITE must carry the
//!   Referred-By; waits 800 ms, rings 500 ms (so the NOTIFYs come apart: SIPp cannot take a
//!   message while it is about to answer the one before), answers, waits for the BYE.
//! - `transfer_hold_491.xml` (UAS, bob): answers; our first hold re-INVITE gets 491, the
//!   second 200.
//! - `transfer_bye_crosses_refer.xml` (UAS, bob): answers; on our REFER it sends BYE first,
//!   then answers the REFER 481.
//! - `transfer_replaces_refused.xml` (UAC, bob): INVITE with `Replaces: ` `-key replaces
//!   "..."`; takes a 400, 403, 481 or 486 (the test reads which) and ACKs it.
//! - `transfer_caller_stays.xml` (UAC, bob): calls us (Call-ID from `-cid_str`) and stays
//!   until our BYE: the call a Replaces names.
//! - `transfer_replaces_early.xml` (UAC, bob): INVITE #1 rings; INVITE #2 (same Call-ID,
//!   another From tag) with a Replaces naming dialog #1 expects 486; then #1 expects our 603.
//! - `transfer_register.xml`: the REGISTER above.
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

/// Kamailio with alice (Parla), bob (SIPp, the far end) and carol (SIPp, a transfer target).
fn kamailio() -> Kamailio {
    Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]))
    .expect("kamailio")
}

/// Parla as alice, registered at `kamailio` (line `alice`), taking any transfer.
fn parla_at(kamailio: &Kamailio) -> App {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.codecs = &["pcmu", "pcma"];
    let app = start(&[line], None, &[SIP_LOG]);
    app.wait_registered("alice");
    app
}

/// Registers `user` (password `{user}pw`) at `kamailio` with the Contact
/// `sip:user@127.0.0.1:contact_port`: the SIPp instance on that port is then `user`.
fn register_sipp(kamailio: &Kamailio, user: &str, contact_port: u16) {
    let mut options = SippOptions::bench("transfer_register");
    options.remote = Some(format!("127.0.0.1:{}", kamailio.sip_port()));
    options.service = Some(user.into());
    options.auth = Some((user.into(), format!("{user}pw")));
    options.extra_args = keys(&[("contact_port", &contact_port.to_string())]);
    let mut sipp = Sipp::start(options).expect("sipp register");
    let status = sipp.wait(T).expect("sipp register finished");
    assert!(status.success(), "REGISTER failed:\n{}", sipp.diagnostics());
    let contacts = kamailio.wait_registered(user, T).expect("registered");
    assert!(
        contacts
            .iter()
            .any(|c| c.address.contains(&format!(":{contact_port}"))),
        "{contacts:?}"
    );
}

/// A SIPp UAS running `scenario` with `-key` pairs, registered at `kamailio` as bob.
fn sipp_uas_at(kamailio: &Kamailio, scenario: &str, key_values: &[(&str, &str)]) -> Sipp {
    let sipp = sipp_uas(scenario, key_values);
    register_sipp(kamailio, "bob", sipp.local_port());
    sipp
}

/// A SIPp UAC running `scenario` as bob (registered at `kamailio` first), calling `to_user`
/// through Kamailio; `extra` is added to its arguments (`-key`, `-set`, ...).
fn sipp_uac_at(kamailio: &Kamailio, scenario: &str, to_user: &str, extra: Vec<String>) -> Sipp {
    let port = free_port_udp_tcp().expect("port");
    register_sipp(kamailio, "bob", port);
    let mut options = SippOptions::bench(scenario);
    options.remote = Some(format!("127.0.0.1:{}", kamailio.sip_port()));
    options.service = Some(to_user.into());
    options.auth = Some(("bob".into(), "bobpw".into()));
    options.local_port = Some(port);
    options.extra_args = extra;
    Sipp::start(options).expect("sipp uac")
}

/// The transfer target: a SIPp UAS running `transfer_target`, registered as carol.
fn target_at(kamailio: &Kamailio) -> Sipp {
    let target = sipp_uas("transfer_target", &[]);
    register_sipp(kamailio, "carol", target.local_port());
    target
}

/// Dials bob (the SIPp UAS) through Kamailio and waits until the call is up.
fn call_bob(app: &mut App, kamailio: &Kamailio) -> u64 {
    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    call
}

/// At least one `method` from `from_user` passed Kamailio.
fn assert_through_kamailio(kamailio: &Kamailio, method: &str, from_user: &str) {
    let n = kamailio
        .count_requests(method, from_user)
        .expect("kamailio log");
    assert!(
        n > 0,
        "no {method} from {from_user} passed Kamailio:\n{}",
        kamailio.log_tail(60)
    );
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
    let kamailio = kamailio();
    let mut sipp = sipp_uas_at(
        &kamailio,
        "transfer_refer_refused",
        &[("refer_status", &status_line)],
    );
    let mut app = parla_at(&kamailio);
    let call = call_bob(&mut app, &kamailio);

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
    assert_through_kamailio(&kamailio, "REFER", "alice");
    assert_through_kamailio(&kamailio, "BYE", "alice");
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
    let kamailio = kamailio();
    let mut sipp = sipp_uas_at(
        &kamailio,
        "transfer_refer_notify",
        &[("sipfrag", "SIP/2.0 486 Busy Here")],
    );
    let mut app = parla_at(&kamailio);
    let call = call_bob(&mut app, &kamailio);

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
    assert_through_kamailio(&kamailio, "REFER", "alice");
    assert_eq!(kamailio.count_requests("NOTIFY", "bob").expect("log"), 2);
    app.quit();
}

#[test]
fn a_notify_saying_200_succeeds_and_we_end_the_call_transferred() {
    let kamailio = kamailio();
    let mut sipp = sipp_uas_at(
        &kamailio,
        "transfer_refer_notify",
        &[("sipfrag", "SIP/2.0 200 OK")],
    );
    let mut app = parla_at(&kamailio);
    let call = call_bob(&mut app, &kamailio);

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
    assert_through_kamailio(&kamailio, "REFER", "alice");
    assert_through_kamailio(&kamailio, "BYE", "alice");
    assert_eq!(kamailio.count_requests("NOTIFY", "bob").expect("log"), 2);
    app.quit();
}

/// The far end's REFER (from `transferor`) makes us call carol (`target`) through Kamailio:
/// the new call says where it came from, connects, and the first call ends `transferred`.
/// Returns (first, new) call ids.
fn transferred_to_target(app: &mut App, kamailio: &Kamailio, transferor: &Sipp) -> (u64, u64) {
    let (first, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": first}));
    app.wait_call(first, "connected");
    // The transferor's hold and REFER pass SIPp and Kamailio first: a missing one is told by
    // their logs, not by ours.
    let calling = app
        .parla
        .wait_event(
            |v| is_event(v, "call_state") && v["state"] == "calling" && v["call"] != first,
            T,
        )
        .unwrap_or_else(|e| {
            panic!(
                "waiting for the call to the Refer-To: {e}\n--- the transferor ---\n{}\n--- kamailio ---\n{}",
                transferor.diagnostics(),
                kamailio.log_tail(60)
            )
        });
    let new = calling["call"].as_u64().expect("call id");
    assert_eq!(calling["transferred_from"], first, "{calling}");
    assert_eq!(calling["remote"], kamailio.user_uri("carol"), "{calling}");
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
    let kamailio = kamailio();
    let mut app = parla_at(&kamailio);
    let mut target = target_at(&kamailio);
    let mut transferor = sipp_uac_at(
        &kamailio,
        "transfer_transferee_nosub",
        "alice",
        keys(&[("refer_to", &kamailio.user_uri("carol"))]),
    );

    let (first, new) = transferred_to_target(&mut app, &kamailio, &transferor);
    assert_ne!(first, new);
    // SIPp saw `Refer-Sub: false` in the 202 (and took a hold re-INVITE, had one come), then
    // our BYE, and no NOTIFY at all.
    assert_sipp_passed(&mut transferor, &app);
    assert_received(&transferor, "SIP/2.0 202", "3 REFER");
    assert_eq!(kamailio.count_requests("NOTIFY", "alice").expect("log"), 0);

    assert_eq!(app.hang_up(new)["reason"], "local hangup");
    assert_sipp_passed(&mut target, &app);
    // The call to carol and its BYE went through Kamailio too.
    assert_through_kamailio(&kamailio, "INVITE", "alice");
    assert_through_kamailio(&kamailio, "BYE", "alice");
    app.quit();
}

/// The transferor holds us, then REFERs us to the target: NOTIFYs 100, 180, 200 (checked by
/// SIPp), the new call connects, the first ends `transferred`. With `transferor_bye` the
/// transferor ends the first call itself after our NOTIFY 200 (RFC 5589), else we do.
fn transferred_with_notifies(transferor_bye: bool) {
    let kamailio = kamailio();
    let mut app = parla_at(&kamailio);
    let mut target = target_at(&kamailio);
    let bye = if transferor_bye { "yes" } else { "no" };
    let mut extra = keys(&[("refer_to", &kamailio.user_uri("carol"))]);
    extra.extend(["-set", "transferor_bye", bye].map(String::from));
    let mut transferor = sipp_uac_at(&kamailio, "transfer_transferee_notify", "alice", extra);

    let (first, new) = transferred_to_target(&mut app, &kamailio, &transferor);
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
    assert_received(&transferor, "SIP/2.0 202", "4 REFER");
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
    // Our NOTIFYs went through Kamailio (retransmissions would count more).
    assert!(kamailio.count_requests("NOTIFY", "alice").expect("log") >= 3);

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
    let kamailio = kamailio();
    let mut sipp = sipp_uas_at(&kamailio, "transfer_hold_491", &[]);
    let mut app = parla_at(&kamailio);
    let call = call_bob(&mut app, &kamailio);

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
    // Both re-INVITEs passed Kamailio (with the first INVITE and its retry after the 407).
    assert!(kamailio.count_requests("INVITE", "alice").expect("log") >= 4);
    app.quit();
}

#[test]
fn a_bye_crossing_our_refer_ends_the_call_and_the_app_stays_up() {
    let kamailio = kamailio();
    let mut sipp = sipp_uas_at(&kamailio, "transfer_bye_crosses_refer", &[]);
    let mut app = parla_at(&kamailio);
    let call = call_bob(&mut app, &kamailio);

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
    assert_through_kamailio(&kamailio, "REFER", "alice");
    assert_through_kamailio(&kamailio, "BYE", "bob");
    app.quit();
}

/// SIPp's INVITE (from bob, through Kamailio) to `user` with `Replaces: replaces`; returns
/// the status line it got (the scenario ACKs any of 400, 403, 481, 486).
fn invite_replacing(app: &App, kamailio: &Kamailio, user: &str, replaces: &str) -> String {
    let mut sipp = sipp_uac_at(
        kamailio,
        "transfer_replaces_refused",
        user,
        keys(&[("replaces", replaces)]),
    );
    assert_sipp_passed(&mut sipp, app);
    // CSeq 1 got Kamailio's 407; CSeq 2 (with credentials) reached Parla, whose refusal
    // Kamailio relayed (Parla's responses carry its User-Agent).
    let refusal = received(&sipp)
        .into_iter()
        .filter(|m| m.lines().any(|l| l.trim() == "CSeq: 2 INVITE"))
        .rfind(|m| !m.starts_with("SIP/2.0 1"))
        .expect("a final response");
    assert!(refusal.contains("User-Agent: Parla/"), "{refusal}");
    refusal
        .lines()
        .next()
        .expect("status line")
        .trim()
        .to_string()
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
    let kamailio = kamailio();
    let mut app = parla_at(&kamailio);
    let status = invite_replacing(&app, &kamailio, "alice", "nosuchcall;to-tag=a;from-tag=b");
    assert!(status.starts_with("SIP/2.0 481"), "{status}");
    no_call_rang(&mut app);
    app.quit();
}

#[test]
fn an_invite_with_an_unreadable_replaces_gets_400() {
    let kamailio = kamailio();
    let mut app = parla_at(&kamailio);
    // No from-tag.
    let status = invite_replacing(&app, &kamailio, "alice", "nosuchcall;to-tag=a");
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
    let kamailio = kamailio();
    // alice, and carol on a line of her own (another account, the same app).
    let mut alice = Line::at(&kamailio, "alice", "alicepw");
    alice.codecs = &["pcmu", "pcma"];
    let mut other = Line::at(&kamailio, "carol", "carolpw");
    other.codecs = &["pcmu", "pcma"];
    let mut app = start(&[alice, other], None, &[SIP_LOG]);
    app.wait_registered("alice");
    app.wait_registered("carol");

    let call_id = format!("edge-{}@127.0.0.1", kamailio.sip_port());
    let mut caller = sipp_uac_at(
        &kamailio,
        "transfer_caller_stays",
        "alice",
        vec!["-cid_str".into(), call_id.clone()],
    );
    let (call, incoming) = app.wait_incoming();
    assert_eq!(incoming["account"], "alice", "{incoming}");
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");

    let replaces = format!(
        "{call_id};to-tag={};from-tag={}SIPpTag001",
        our_tag(&app, &call_id),
        caller.pid()
    );
    // The right dialog, on the wrong line.
    let status = invite_replacing(&app, &kamailio, "carol", &replaces);
    assert!(status.starts_with("SIP/2.0 403"), "{status}");
    // The right line, but early-only and the call is up.
    let status = invite_replacing(&app, &kamailio, "alice", &format!("{replaces};early-only"));
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
    assert_through_kamailio(&kamailio, "BYE", "alice");
    app.quit();
}

#[test]
fn an_invite_replacing_a_call_ringing_in_gets_486_and_that_call_rings_on() {
    let kamailio = kamailio();
    let mut app = parla_at(&kamailio);
    let mut sipp = sipp_uac_at(&kamailio, "transfer_replaces_early", "alice", Vec::new());

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
