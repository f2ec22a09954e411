//! Calls through a real Kamailio to and from baresip: connect, hang up either way, CANCEL,
//! busy, decline, hold from the far end, blind transfer, and SIP over TCP and TLS.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use support::*;

struct Bench {
    kamailio: Kamailio,
    bob: Baresip,
    app: App,
}

fn bench(mode: AnswerMode, transport: Transport) -> Bench {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
    ]))
    .expect("kamailio");
    let mut options = BaresipOptions::registering(&kamailio, "bob", "bobpw");
    options.answer_mode = mode;
    let bob = Baresip::start(options).expect("baresip");
    bob.wait_registered(T).expect("bob registered");
    let line = match transport {
        Transport::Tls => Line::tls(&kamailio, "alice", "alicepw", true),
        Transport::Tcp => Line {
            transport: Some("tcp"),
            ..Line::at(&kamailio, "alice", "alicepw")
        },
        Transport::Udp => Line::at(&kamailio, "alice", "alicepw"),
    };
    let app = start(&[line], None, &[]);
    app.wait_registered("alice");
    Bench { kamailio, bob, app }
}

fn established(bob: &Baresip) {
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("baresip: call established");
}

fn closed(bob: &Baresip) {
    bob.wait_event_type("CALL_CLOSED", T)
        .expect("baresip: call closed");
}

#[test]
fn an_outgoing_call_connects_and_we_hang_up() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    b.app.wait_call(call, "connected");
    let media = b
        .app
        .wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert_eq!(
        media["codec"], "opus",
        "our preference order picks Opus: {media}"
    );
    established(&b.bob);
    let ended = b.app.hang_up(call);
    assert_eq!(ended["reason"], "local hangup");
    closed(&b.bob);
    b.app.quit();
}

#[test]
fn an_outgoing_call_is_hung_up_by_the_far_end() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    b.app.wait_call(call, "connected");
    established(&b.bob);
    b.bob.hangup().expect("bob hangs up");
    let ended = b.app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "remote hangup");
    b.app.quit();
}

#[test]
fn an_incoming_call_is_answered_and_hung_up_by_the_caller() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    b.bob
        .dial(&b.kamailio.user_uri("alice"))
        .expect("bob dials");
    let (call, incoming) = b.app.wait_incoming();
    assert_eq!(incoming["account"], "alice");
    assert!(
        incoming["from"].as_str().is_some_and(|f| f.contains("bob")),
        "{incoming}"
    );
    b.bob
        .wait_event_type("CALL_RINGING", T)
        .expect("bob hears ringing");
    b.app.send(json!({"cmd": "answer", "call": call}));
    b.app.wait_call(call, "connected");
    established(&b.bob);
    b.bob.hangup().expect("bob hangs up");
    assert_eq!(b.app.wait_call(call, "ended")["reason"], "remote hangup");
    b.app.quit();
}

#[test]
fn hanging_up_before_the_answer_cancels() {
    let mut b = bench(AnswerMode::Manual, Transport::Udp);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    b.app.wait_call(call, "ringing");
    b.bob
        .wait_event_type("CALL_INCOMING", T)
        .expect("bob rings");
    let ended = b.app.hang_up(call);
    assert_eq!(ended["reason"], "cancelled", "{ended}");
    closed(&b.bob);
    let cancels = b.kamailio.count_requests("CANCEL", "alice").expect("count");
    assert_eq!(cancels, 1);
    b.app.quit();
}

#[test]
fn a_caller_that_gives_up_ends_the_ringing_call() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    b.bob
        .dial(&b.kamailio.user_uri("alice"))
        .expect("bob dials");
    let (call, _) = b.app.wait_incoming();
    b.bob
        .wait_event_type("CALL_RINGING", T)
        .expect("bob hears ringing");
    b.bob.hangup().expect("bob gives up");
    let ended = b.app.wait_call(call, "ended");
    assert_eq!(ended["code"], 487, "{ended}");
    b.app.quit();
}

#[test]
fn a_busy_far_end_ends_the_call_as_busy() {
    let mut b = bench(AnswerMode::Busy, Transport::Udp);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    let ended = b.app.wait_call(call, "ended");
    assert_eq!(ended["code"], 486, "{ended}");
    assert_eq!(ended["reason"], "busy");
    b.app.quit();
}

#[test]
fn declining_an_incoming_call_sends_603_and_busy_sends_486() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    for (reason, code) in [("decline", 603), ("busy", 486)] {
        b.bob
            .dial(&b.kamailio.user_uri("alice"))
            .expect("bob dials");
        // Each event is returned by a wait once: this is the new call's.
        let (call, _) = b.app.wait_incoming();
        b.app
            .send(json!({"cmd": "decline", "call": call, "reason": reason}));
        let ended = b.app.wait_call(call, "ended");
        assert_eq!(ended["code"], code, "{ended}");
        let closed = b.bob.wait_event(
            |e| e["type"] == "CALL_CLOSED" && e["param"].to_string().contains(&code.to_string()),
            T,
        );
        assert!(closed.is_ok(), "bob sees {code}: {:?}", b.bob.events_seen());
    }
    b.app.quit();
}

#[test]
fn the_far_end_puts_the_call_on_hold_and_resumes() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    b.app.wait_call(call, "connected");
    established(&b.bob);
    b.bob.hold().expect("bob holds");
    b.app.wait_call(call, "held");
    b.bob.resume().expect("bob resumes");
    // The first `connected` was taken above: this one comes after `held`.
    b.app.wait_call(call, "connected");
    b.app.hang_up(call);
    b.app.quit();
}

fn call_both_ways(transport: Transport) {
    let mut b = bench(AnswerMode::Auto, transport);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    b.app.wait_call(call, "connected");
    established(&b.bob);
    b.app.hang_up(call);
    closed(&b.bob);

    b.bob
        .dial(&b.kamailio.user_uri("alice"))
        .expect("bob dials");
    let (call, _) = b.app.wait_incoming();
    b.app.send(json!({"cmd": "answer", "call": call}));
    b.app.wait_call(call, "connected");
    b.bob.hangup().expect("bob hangs up");
    b.app.wait_call(call, "ended");
    b.app.quit();
}

#[test]
fn calls_work_both_ways_over_tcp() {
    call_both_ways(Transport::Tcp);
}

#[test]
fn calls_work_both_ways_over_tls() {
    call_both_ways(Transport::Tls);
}

/// The index of the first event `f` matches among everything the app said.
fn first_index(app: &App, what: &str, f: impl Fn(&serde_json::Value) -> bool) -> usize {
    app.parla
        .events_seen()
        .iter()
        .position(f)
        .unwrap_or_else(|| panic!("no {what} event"))
}

/// One active call: dialling a second call holds the first (and waits for the hold's answer)
/// before the INVITE; answering a third holds the second the same way.
#[test]
fn a_second_call_holds_the_first_before_it_starts() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
        ("dave", "davepw"),
    ]))
    .expect("kamailio");
    let peer = |user: &str, pw: &str| {
        let peer =
            Baresip::start(BaresipOptions::registering(&kamailio, user, pw)).expect("baresip");
        peer.wait_registered(T).expect("registered");
        peer
    };
    let (bob, carol, dave) = (
        peer("bob", "bobpw"),
        peer("carol", "carolpw"),
        peer("dave", "davepw"),
    );
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");

    let first = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(first, "connected");
    established(&bob);
    let second = app.dial("alice", &kamailio.user_uri("carol"));
    app.wait_call(second, "connected");
    let held = first_index(&app, "first on hold", |v| call_state(v, first, "on_hold"));
    let placed = first_index(&app, "second calling", |v| call_state(v, second, "calling"));
    assert!(
        held < placed,
        "the first call was held (event {held}) before the second was placed (event {placed})"
    );

    dave.dial(&kamailio.user_uri("alice")).expect("dave dials");
    let (third, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": third}));
    app.wait_call(third, "connected");
    let held = first_index(&app, "second on hold", |v| call_state(v, second, "on_hold"));
    let answered = first_index(&app, "third connected", |v| {
        call_state(v, third, "connected")
    });
    assert!(
        held < answered,
        "the second call was held (event {held}) before the third was answered (event {answered})"
    );
    assert_eq!(
        app.parla
            .events_seen()
            .iter()
            .filter(|v| call_state(v, first, "connected"))
            .count(),
        1,
        "the first call stayed on hold"
    );
    for call in [first, second, third] {
        app.hang_up(call);
    }
    closed(&carol);
    app.quit();
}

/// Blind transfer: alice (Parla) calls bob (baresip), then REFERs bob to carol (baresip, auto
/// answer). baresip 1.0 as transferee places the call and NOTIFYs message/sipfrag; alice's call
/// ends as transferred and carol is on the line with bob.
#[test]
fn a_blind_transfer_hands_the_far_end_over_and_ends_our_call() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]))
    .expect("kamailio");
    let peer = |user: &str, pw: &str| {
        let peer =
            Baresip::start(BaresipOptions::registering(&kamailio, user, pw)).expect("baresip");
        peer.wait_registered(T).expect("registered");
        peer
    };
    let (bob, carol) = (peer("bob", "bobpw"), peer("carol", "carolpw"));
    let mut app = start(
        &[Line::at(&kamailio, "alice", "alicepw")],
        None,
        &[("RUST_LOG", "info,sip=debug")],
    );
    app.wait_registered("alice");

    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    established(&bob);
    let asked = std::time::Instant::now();
    app.send(json!({"cmd": "transfer", "call": call, "to": kamailio.user_uri("carol")}));
    app.wait("transfer succeeded", |v| {
        is_event(v, "transfer") && v["call"] == call && v["state"] == "succeeded"
    });
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["reason"], "transferred", "{ended}");
    eprintln!(
        "blind transfer: transfer asked -> call ended in {:?}",
        asked.elapsed()
    );
    established(&carol);
    let transfers: Vec<String> = app
        .parla
        .events_seen()
        .iter()
        .filter(|v| is_event(v, "transfer") && v["call"] == call)
        .map(|v| v["state"].as_str().unwrap_or_default().to_string())
        .collect();
    // 202 or the NOTIFY's 100 first (they may cross), succeeded last.
    assert_eq!(
        transfers.first().map(String::as_str),
        Some("trying"),
        "{transfers:?}"
    );
    assert_eq!(
        transfers.last().map(String::as_str),
        Some("succeeded"),
        "{transfers:?}"
    );
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "error") && v["call"] == call),
        "no error on the transferred call"
    );
    let trace = std::fs::read_to_string(app.parla.stderr_log()).expect("stderr log");
    let refer = trace
        .split("REFER sip:")
        .nth(1)
        .expect("a REFER in the SIP trace");
    let refer = refer.split("\r\n\r\n").next().unwrap_or(refer);
    assert!(
        refer.contains(&format!("Refer-To: <{}>", kamailio.user_uri("carol"))),
        "{refer}"
    );
    assert!(
        refer.contains(&format!("Referred-By: <sip:alice@{}>", kamailio.domain())),
        "{refer}"
    );
    assert_eq!(kamailio.count_requests("REFER", "alice").expect("count"), 1);
    app.quit();
}

/// A transfer to nobody: baresip's call to the target fails, its NOTIFY says so, and alice's
/// call stays connected with a `transfer_failed` error.
#[test]
fn a_transfer_whose_target_cannot_be_reached_keeps_the_call() {
    let mut b = bench(AnswerMode::Auto, Transport::Udp);
    let call = b.app.dial("alice", &b.kamailio.user_uri("bob"));
    b.app.wait_call(call, "connected");
    established(&b.bob);
    let nobody = b.kamailio.user_uri("nobody");
    b.app
        .send(json!({"cmd": "transfer", "call": call, "to": nobody}));
    let failed = b.app.wait("transfer failed", |v| {
        is_event(v, "transfer") && v["call"] == call && v["state"] == "failed"
    });
    assert!(
        failed["code"].as_u64().is_some_and(|c| c >= 300),
        "{failed}"
    );
    let error = b.app.wait("transfer_failed error", |v| {
        is_event(v, "error") && v["call"] == call
    });
    assert_eq!(error["kind"], "transfer_failed", "{error}");
    assert!(
        !b.app
            .parla
            .events_seen()
            .iter()
            .any(|v| call_state(v, call, "ended")),
        "the call goes on"
    );
    let ended = b.app.hang_up(call);
    assert_eq!(ended["reason"], "local hangup");
    b.app.quit();
}
