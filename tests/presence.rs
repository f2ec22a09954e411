//! Our own presence end to end: Parla PUBLISHes a PIDF at Kamailio (presence + presence_xml,
//! `KamailioOptions::busy_lamps`) once registered, and again (SIP-If-Match: one publication,
//! modified) when `set_presence`, do not disturb or a call changes it; the presentity
//! Kamailio keeps says so. Quitting removes it (Expires: 0).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_core::store::{ContactFields, Phone, PhoneLabel, Store, DB_FILE_NAME};
use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

fn kamailio() -> Kamailio {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw"), ("bob", "bobpw")]);
    options.busy_lamps = true;
    Kamailio::start(options).expect("kamailio")
}

/// Kamailio's presentities (`presence.presentity_list full`), one text per publication.
fn presentities(kamailio: &Kamailio) -> Vec<String> {
    let list = kamailio
        .rpc(&["presence.presentity_list", "full"])
        .expect("rpc");
    list.split("\n}")
        .filter(|p| p.contains("user: alice") && p.contains("event: presence"))
        .map(String::from)
        .collect()
}

/// Waits until alice's one publication holds `text` (Kamailio's state, read over its RPC).
fn wait_published(kamailio: &Kamailio, text: &str) {
    let deadline = Instant::now() + T;
    loop {
        let now = presentities(kamailio);
        if now.len() == 1 && now[0].contains(text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "alice's presence never said {text}: {now:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn our_presence_follows_what_we_choose_do_not_disturb_and_calls() {
    let kamailio = kamailio();
    let bob =
        Baresip::start(BaresipOptions::registering(&kamailio, "bob", "bobpw")).expect("baresip");
    bob.wait_registered(T).expect("bob registered");
    let mut alice = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    alice.wait_registered("alice");
    wait_published(&kamailio, "<note>Available</note>");

    alice.send(json!({"cmd": "set_presence", "state": "away"}));
    wait_published(&kamailio, "<rpid:away/>");

    alice.send(json!({"cmd": "set_do_not_disturb", "on": true}));
    wait_published(&kamailio, "<note>Do not disturb</note>");
    alice.send(json!({"cmd": "set_do_not_disturb", "on": false}));
    wait_published(&kamailio, "<rpid:away/>");

    alice.send(json!({"cmd": "set_presence", "state": "available"}));
    wait_published(&kamailio, "<note>Available</note>");
    // In a call: busy, whatever was chosen; available again after.
    let call = alice.dial("alice", &kamailio.user_uri("bob"));
    alice.wait_call(call, "connected");
    wait_published(&kamailio, "<rpid:busy/>");
    alice.hang_up(call);
    wait_published(&kamailio, "<note>Available</note>");

    alice.quit();
    let deadline = Instant::now() + T;
    while !presentities(&kamailio).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the publication outlived the app"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// alice has bob (`sip:bob@127.0.0.1`, the line's domain) among her contacts: her line
/// subscribes to his presence, and what bob (Parla too) publishes reaches her as `presence`
/// events: available, away, busy (do not disturb).
#[test]
fn a_contact_on_the_line_domain_is_watched_for_presence() {
    let kamailio = kamailio();
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
    let mut alice = start_in(
        profile,
        &[Line::at(&kamailio, "alice", "alicepw")],
        None,
        &[],
    );
    alice.wait_registered("alice");
    kamailio
        .wait_requests("SUBSCRIBE", "alice", 2, T)
        .expect("alice subscribes (message waiting, bob's presence)");
    let mut bob = start(&[Line::at(&kamailio, "bob", "bobpw")], None, &[]);
    bob.wait_registered("bob");
    let seen = |alice: &App, state: &str| {
        alice.wait(&format!("bob {state}"), |v| {
            is_event(v, "presence")
                && v["account"] == "alice"
                && v["uri"] == "sip:bob@127.0.0.1"
                && v["state"] == state
        })
    };
    seen(&alice, "available");
    bob.send(json!({"cmd": "set_presence", "state": "away"}));
    seen(&alice, "away");
    bob.send(json!({"cmd": "set_do_not_disturb", "on": true}));
    seen(&alice, "busy");
    bob.quit();
    alice.quit();
}

/// Both ways with baresip 1.0.0's `presence.so` through Kamailio. bob (baresip, `;pubint`)
/// PUBLISHes open / closed with `presence_online` / `presence_offline` (the only states its
/// publisher has) and alice (Parla, bob among her contacts) gets `presence` events saying
/// available / offline. bob also watches alice (a `;presence=p2p` contact: SUBSCRIBE Event:
/// presence to Kamailio's presence server): what alice `set_presence`s reaches bob's presence
/// module, whose `contacts` command shows her status: Online (available), Offline (away:
/// baresip 1.0.0 reads `<rpid:away/>` as closed), Busy (do not disturb), Online again.
#[test]
fn presence_both_ways_with_baresip() {
    let kamailio = kamailio();
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
    let mut alice = start_in(
        profile,
        &[Line::at(&kamailio, "alice", "alicepw")],
        None,
        &[],
    );
    alice.wait_registered("alice");
    wait_published(&kamailio, "<note>Available</note>");
    let alice_uri = format!("sip:alice@127.0.0.1:{}", kamailio.sip_port());
    let bob = Baresip::start(BaresipOptions {
        presence: true,
        pubint: 60,
        presence_contacts: vec![alice_uri.clone()],
        ..BaresipOptions::registering(&kamailio, "bob", "bobpw")
    })
    .expect("baresip");
    bob.wait_registered(T).expect("bob registered");

    // bob -> alice.
    let seen = |alice: &App, state: &str| {
        alice.wait(&format!("bob {state}"), |v| {
            is_event(v, "presence")
                && v["account"] == "alice"
                && v["uri"] == "sip:bob@127.0.0.1"
                && v["state"] == state
        })
    };
    bob.command_ok("presence_online", "")
        .expect("presence_online");
    seen(&alice, "available");
    bob.command_ok("presence_offline", "")
        .expect("presence_offline");
    seen(&alice, "offline");
    bob.command_ok("presence_online", "")
        .expect("presence_online");
    seen(&alice, "available");

    // alice -> bob: baresip's `contacts` command shows each contact's presence status.
    let bob_sees = |state: &str| {
        let deadline = Instant::now() + T;
        loop {
            let contacts = bob.command_ok("contacts", "").expect("contacts");
            if contacts.contains(state) && contacts.contains(&alice_uri) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "bob never saw alice {state}: {contacts}\n{}",
                bob.log_tail(40)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    bob_sees("Online");
    // baresip 1.0.0 has three states: `<rpid:away/>` reads as closed ("Offline"),
    // `<rpid:busy/>` as "Busy", any other open one as "Online".
    alice.send(json!({"cmd": "set_presence", "state": "away"}));
    bob_sees("Offline");
    alice.send(json!({"cmd": "set_do_not_disturb", "on": true}));
    bob_sees("Busy");
    alice.send(json!({"cmd": "set_do_not_disturb", "on": false}));
    alice.send(json!({"cmd": "set_presence", "state": "available"}));
    bob_sees("Online");
    alice.quit();
}
