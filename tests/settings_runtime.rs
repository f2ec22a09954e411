//! Settings changed while the engine runs (`set_account`, `remove_account`,
//! `set_do_not_disturb`), and passwords found in the OS keyring: the real binary against a real
//! Kamailio, baresip and gnome-keyring.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use support::*;

fn account(kamailio: &Kamailio, user: &str, password: Option<&str>) -> Value {
    let mut account = json!({
        "id": user,
        "username": user,
        "domain": kamailio.domain(),
        "registrar": format!("sip:127.0.0.1:{}", kamailio.sip_port()),
        "transport": "udp",
    });
    if let Some(password) = password {
        account["password"] = json!(password);
    }
    account
}

fn set_account(app: &mut App, account: Value) {
    app.send(json!({"cmd": "set_account", "account": account}));
}

#[test]
fn lines_are_added_replaced_and_removed_while_running() {
    let kamailio = kamailio_alice_bob();
    // No keyring here: a line without a password must say so, not hang or retry.
    let mut app = start(
        &[],
        None,
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    app.wait("ready", |v| is_event(v, "ready"));

    set_account(&mut app, account(&kamailio, "alice", Some("alicepw")));
    app.wait_registered("alice");
    kamailio
        .wait_registered("alice", T)
        .expect("alice registered");

    // Replaced with a wrong password: the old line un-registers, the new one is refused.
    set_account(&mut app, account(&kamailio, "alice", Some("wrong")));
    app.wait("unregistered", |v| registration(v, "alice", "unregistered"));
    let failed = app.wait("failed", |v| registration(v, "alice", "failed"));
    assert_eq!(failed["code"], 401, "{failed}");
    kamailio
        .wait_unregistered("alice", T)
        .expect("the replaced line un-registered");

    set_account(&mut app, account(&kamailio, "alice", Some("alicepw")));
    app.wait("unregistered", |v| registration(v, "alice", "unregistered"));
    app.wait_registered("alice");
    kamailio
        .wait_registered("alice", T)
        .expect("alice registered again");

    app.send(json!({"cmd": "remove_account", "account": "alice"}));
    app.wait("unregistered", |v| registration(v, "alice", "unregistered"));
    kamailio
        .wait_unregistered("alice", T)
        .expect("the removed line un-registered");
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["accounts"], json!([]), "{status}");

    let registers = kamailio.count_requests("REGISTER", "bob").expect("count");
    set_account(&mut app, account(&kamailio, "bob", None));
    let failed = app.wait("failed", |v| registration(v, "bob", "failed"));
    let reason = failed["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("no password saved for this line") && reason.contains("keyring"),
        "{failed}"
    );
    assert_eq!(
        kamailio.count_requests("REGISTER", "bob").expect("count"),
        registers,
        "nothing is sent without a password"
    );

    set_account(
        &mut app,
        json!({"id": "carol", "username": "", "domain": "127.0.0.1"}),
    );
    let error = app.wait("error", |v| is_event(v, "error"));
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("username")),
        "{error}"
    );
    app.quit();
}

/// Dials alice from bob and returns what ended bob's call.
fn bob_calls_alice(bob: &Baresip, kamailio: &Kamailio) -> Value {
    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    bob.wait_event_type("CALL_CLOSED", T)
        .expect("bob's call closed")
}

#[test]
fn do_not_disturb_answers_busy_without_ringing() {
    let kamailio = kamailio_alice_bob();
    let bob = start_bob(&kamailio, None, None);
    let dnd_from_config =
        "\n[audio]\ninput = \"null\"\noutput = \"null\"\n[app]\ndo_not_disturb = true\n";
    let mut app = start(
        &[Line::at(&kamailio, "alice", "alicepw")],
        Some(dnd_from_config),
        &[],
    );
    app.wait_registered("alice");
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["do_not_disturb"], true, "{status}");

    let closed = bob_calls_alice(&bob, &kamailio);
    assert!(closed["param"].to_string().contains("486"), "{closed}");
    let refused = app.wait("call_refused", |v| is_event(v, "call_refused"));
    assert_eq!(refused["account"], "alice", "{refused}");
    assert_eq!(refused["reason"], "do_not_disturb", "{refused}");
    assert!(
        refused["from"].as_str().is_some_and(|f| f.contains("bob")),
        "{refused}"
    );
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "incoming_call")),
        "a refused call never rings"
    );

    app.send(json!({"cmd": "set_do_not_disturb", "on": false}));
    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, _) = app.wait_incoming();
    app.send(json!({"cmd": "decline", "call": call}));
    app.wait_call(call, "ended");
    bob.wait_event_type("CALL_CLOSED", T)
        .expect("bob's call closed");

    app.send(json!({"cmd": "set_do_not_disturb", "on": true}));
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| {
        is_event(v, "status") && v["do_not_disturb"] == true
    });
    assert_eq!(status["do_not_disturb"], true);
    let closed = bob_calls_alice(&bob, &kamailio);
    assert!(closed["param"].to_string().contains("486"), "{closed}");
    app.wait("call_refused", |v| is_event(v, "call_refused"));
    app.quit();
}

#[test]
fn a_line_without_a_password_in_the_file_takes_it_from_the_keyring() {
    assert!(
        SessionBus::available() && GnomeKeyring::available(),
        "dbus-daemon, gnome-keyring or secret-tool missing: scripts/install-test-deps.sh installs them"
    );
    let kamailio = kamailio_alice_bob();
    let bus = SessionBus::start().expect("session bus");
    let keyring = GnomeKeyring::start(&bus).expect("gnome-keyring");
    let mut app = start(&[], None, &[("DBUS_SESSION_BUS_ADDRESS", bus.address())]);
    app.wait("ready", |v| is_event(v, "ready"));
    // Saved as the app saves it: service "parla", the line and the profile as the user.
    let profile = std::fs::canonicalize(app.profile_path()).expect("profile path");
    let user = parla_core::secrets::keyring_user(&profile, "alice");
    keyring
        .store(
            "Parla: line alice",
            &[("service", "parla"), ("username", &user)],
            "alicepw",
        )
        .expect("password in the keyring");

    set_account(&mut app, account(&kamailio, "alice", None));
    app.wait_registered("alice");
    kamailio
        .wait_registered("alice", T)
        .expect("registered with the keyring's password");

    set_account(&mut app, account(&kamailio, "bob", None));
    let failed = app.wait("failed", |v| registration(v, "bob", "failed"));
    assert_eq!(
        failed["reason"], "no password saved for this line",
        "{failed}"
    );
    app.quit();
}
