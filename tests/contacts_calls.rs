//! Contacts and call history in the engine: the real binary (`--headless`) against Kamailio and
//! baresip. A contact's call is named, a blocked contact's call is refused with 603 without
//! ringing, and every call lands in the history with its result, read back with the store API
//! after `quit`.
//!
//! The callers register with numbers (`2002`...): contacts are matched on phone numbers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_core::store::{
    CallResult, ContactFields, Direction, HistoryEntry, HistoryFilter, Phone, PhoneLabel, Region,
    Store, DB_FILE_NAME,
};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use support::*;

/// Contacts written into the profile's database before Parla starts: (first, last, number,
/// blocked).
fn profile_with_contacts(contacts: &[(&str, &str, &str, bool)]) -> tempfile::TempDir {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut store = Store::open(&profile.path().join(DB_FILE_NAME))
        .expect("open the database")
        .store;
    let region: Region = "NL".parse().expect("region");
    for (first, last, number, blocked) in contacts {
        let fields = ContactFields {
            first_name: first.to_string(),
            last_name: last.to_string(),
            phones: vec![Phone::new(PhoneLabel::Work, *number)],
            blocked: *blocked,
            ..Default::default()
        };
        store.add_contact(&fields, region).expect("add contact");
    }
    profile
}

/// The history, oldest call first.
fn history(profile: &Path) -> Vec<HistoryEntry> {
    let store = Store::open(&profile.join(DB_FILE_NAME))
        .expect("open the database")
        .store;
    let mut rows = store
        .history(HistoryFilter::All, "", 100)
        .expect("read the history");
    rows.reverse();
    rows
}

/// A baresip registered at `kamailio` as `user` (password `pw`).
fn peer(kamailio: &Kamailio, user: &str, mode: AnswerMode) -> Baresip {
    let mut options = BaresipOptions::registering(kamailio, user, "pw");
    options.answer_mode = mode;
    let peer = Baresip::start(options).expect("baresip");
    peer.wait_registered(T).expect("peer registered");
    peer
}

fn closed_with(peer: &Baresip, code: u16) {
    let closed = peer.wait_event(
        |e| e["type"] == "CALL_CLOSED" && e["param"].to_string().contains(&code.to_string()),
        T,
    );
    assert!(
        closed.is_ok(),
        "{} sees {code}: {:?}",
        peer.user(),
        peer.events_seen()
    );
}

fn closed(peer: &Baresip) {
    peer.wait_event_type("CALL_CLOSED", T)
        .expect("peer: call closed");
}

/// One history row: direction, result, number, and what its times must show.
fn check_row(row: &HistoryEntry, direction: Direction, result: CallResult, number: &str) {
    let call = &row.call;
    let what = format!("{row:?}");
    assert_eq!(call.direction, direction, "{what}");
    assert_eq!(call.result, result, "{what}");
    assert_eq!(call.number, number, "{what}");
    assert!(call.remote_uri.contains(number), "{what}");
    assert_eq!(call.account, "alice", "{what}");
    assert!(call.ended >= call.started, "{what}");
    if result == CallResult::Answered {
        let answered = call.answered.expect("an answered call has its answer time");
        assert!(answered >= call.started && call.ended >= answered, "{what}");
        assert!(call.duration() > Duration::ZERO, "{what}");
    } else {
        assert!(call.answered.is_none(), "{what}");
        assert_eq!(call.duration(), Duration::ZERO, "{what}");
    }
}

fn no_incoming_from(app: &App, number: &str) -> bool {
    !app.parla
        .events_seen()
        .iter()
        .any(|v: &Value| is_event(v, "incoming_call") && v["from"].to_string().contains(number))
}

#[test]
fn a_contact_is_named_and_a_blocked_contact_is_refused_without_ringing() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("2002", "pw"),
        ("2003", "pw"),
    ]))
    .expect("kamailio");
    let bob = peer(&kamailio, "2002", AnswerMode::Auto);
    let spam = peer(&kamailio, "2003", AnswerMode::Auto);
    let profile = profile_with_contacts(&[
        ("Bob", "Builder", "2002", false),
        ("Spam", "Caller", "2003", true),
    ]);
    let mut app = start_in(
        profile,
        &[Line::at(&kamailio, "alice", "alicepw")],
        None,
        &[],
    );
    app.wait_registered("alice");

    // A contact calls: named; answered, the caller hangs up.
    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, incoming) = app.wait_incoming();
    assert_eq!(incoming["name"], "Bob Builder", "{incoming}");
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("bob: established");
    bob.hangup().expect("bob hangs up");
    app.wait_call(call, "ended");
    closed(&bob);

    // We call the contact: `calling` names it too; answered, we hang up.
    let to = kamailio.user_uri("2002");
    app.send(json!({"cmd": "dial", "account": "alice", "to": to}));
    let calling = app.wait("calling", |v| {
        is_event(v, "call_state") && v["state"] == "calling" && v["remote"] == to.as_str()
    });
    assert_eq!(calling["name"], "Bob Builder", "{calling}");
    let call = calling["call"].as_u64().expect("call id");
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("bob: established");
    app.hang_up(call);
    closed(&bob);

    // The blocked contact calls: 603 without ringing, `call_refused`, no `incoming_call`.
    spam.dial(&kamailio.user_uri("alice")).expect("spam dials");
    let refused = app.wait("call_refused", |v| is_event(v, "call_refused"));
    assert_eq!(refused["reason"], "blocked", "{refused}");
    assert_eq!(refused["name"], "Spam Caller", "{refused}");
    assert_eq!(refused["account"], "alice", "{refused}");
    assert!(
        refused["from"].as_str().is_some_and(|f| f.contains("2003")),
        "{refused}"
    );
    closed_with(&spam, 603);
    assert!(
        !spam
            .events_seen()
            .iter()
            .any(|e| e["type"] == "CALL_RINGING"),
        "no ringing for a blocked caller: {:?}",
        spam.events_seen()
    );
    assert!(
        no_incoming_from(&app, "2003"),
        "{:?}",
        app.parla.events_seen()
    );
    app.quit();

    let rows = history(app.profile.path());
    assert_eq!(rows.len(), 3, "{rows:#?}");
    check_row(&rows[0], Direction::Incoming, CallResult::Answered, "2002");
    check_row(&rows[1], Direction::Outgoing, CallResult::Answered, "2002");
    check_row(&rows[2], Direction::Incoming, CallResult::Blocked, "2003");
    assert_eq!(rows[0].name, "Bob Builder");
    assert_eq!(rows[2].name, "Spam Caller");
    assert_eq!(rows[2].call.reason, "603 blocked");
}

#[test]
fn every_call_result_lands_in_the_history() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("2004", "pw"),
        ("2005", "pw"),
    ]))
    .expect("kamailio");
    // 2004 calls us, and rings without answering when we call it; 2005 is always busy.
    let carol = peer(&kamailio, "2004", AnswerMode::Manual);
    let busy = peer(&kamailio, "2005", AnswerMode::Busy);
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");
    let alice = kamailio.user_uri("alice");

    // Missed: the caller gives up while it rings.
    carol.dial(&alice).expect("carol dials");
    let (call, _) = app.wait_incoming();
    carol
        .wait_event_type("CALL_RINGING", T)
        .expect("carol hears ringing");
    carol.hangup().expect("carol gives up");
    assert_eq!(app.wait_call(call, "ended")["code"], 487);
    closed(&carol);

    // Declined, then refused as busy, by us.
    for (reason, code) in [("decline", 603), ("busy", 486)] {
        carol.dial(&alice).expect("carol dials");
        let (call, _) = app.wait_incoming();
        app.send(json!({"cmd": "decline", "call": call, "reason": reason}));
        assert_eq!(app.wait_call(call, "ended")["code"], code);
        closed_with(&carol, code);
    }

    // Do not disturb: refused with 486 without ringing, kept as missed.
    app.send(json!({"cmd": "set_do_not_disturb", "on": true}));
    carol.dial(&alice).expect("carol dials");
    let refused = app.wait("call_refused", |v| is_event(v, "call_refused"));
    assert_eq!(refused["reason"], "do_not_disturb", "{refused}");
    closed_with(&carol, 486);
    app.send(json!({"cmd": "set_do_not_disturb", "on": false}));

    // Outgoing: busy far end.
    let call = app.dial("alice", &kamailio.user_uri("2005"));
    assert_eq!(app.wait_call(call, "ended")["code"], 486);

    // Outgoing: we hang up while it rings.
    let call = app.dial("alice", &kamailio.user_uri("2004"));
    app.wait_call(call, "ringing");
    carol
        .wait_event_type("CALL_INCOMING", T)
        .expect("carol rings");
    assert_eq!(app.hang_up(call)["reason"], "cancelled");
    closed(&carol);

    // Outgoing: a user Kamailio does not know.
    let call = app.dial("alice", &kamailio.user_uri("2999"));
    assert_eq!(app.wait_call(call, "ended")["code"], 404);
    app.quit();
    drop(busy);

    let rows = history(app.profile.path());
    let results: Vec<(Direction, CallResult, &str)> = rows
        .iter()
        .map(|r| (r.call.direction, r.call.result, r.call.number.as_str()))
        .collect();
    use CallResult::*;
    use Direction::*;
    assert_eq!(
        results,
        [
            (Incoming, Missed, "2004"),
            (Incoming, Declined, "2004"),
            (Incoming, Busy, "2004"),
            (Incoming, Missed, "2004"),
            (Outgoing, Busy, "2005"),
            (Outgoing, Cancelled, "2004"),
            (Outgoing, Failed, "2999"),
        ],
        "{rows:#?}"
    );
    for row in &rows {
        check_row(row, row.call.direction, row.call.result, &row.call.number);
    }
    let reasons: Vec<&str> = rows.iter().map(|r| r.call.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "487 cancelled by caller",
            "603 declined",
            "486 busy",
            "486 do not disturb",
            "486 busy",
            "487 cancelled",
            "404 not found",
        ]
    );
    // Missed calls wait to be seen: the one that rang and the one do not disturb kept away.
    assert!(rows
        .iter()
        .filter(|r| !r.seen)
        .all(|r| r.call.result == Missed));
    assert_eq!(rows.iter().filter(|r| !r.seen).count(), 2);
}

#[test]
fn calls_go_on_when_the_database_cannot_be_opened() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("2002", "pw"),
    ]))
    .expect("kamailio");
    let bob = peer(&kamailio, "2002", AnswerMode::Auto);
    // A folder where the database file should be: SQLite cannot open it, nor can it be moved
    // aside.
    let profile = tempfile::tempdir().expect("profile dir");
    std::fs::create_dir(profile.path().join(DB_FILE_NAME)).expect("folder");
    let mut app = start_in(
        profile,
        &[Line::at(&kamailio, "alice", "alicepw")],
        None,
        &[],
    );
    app.wait_registered("alice");
    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, incoming) = app.wait_incoming();
    assert!(incoming.get("name").is_none(), "{incoming}");
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    app.hang_up(call);
    closed(&bob);
    app.quit();
    let log = std::fs::read_to_string(app.parla.stderr_log()).unwrap_or_default();
    assert!(
        log.contains("cannot open the contacts database"),
        "the log says why there are no names: {log}"
    );
}
