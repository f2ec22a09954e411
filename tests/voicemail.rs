//! Message waiting (RFC 3842) end to end: Parla subscribes to `message-summary` at Kamailio
//! (presence + presence_mwi), which a SIPp PUBLISH feeds as a voicemail server would; an
//! unsolicited NOTIFY from the server's address is taken and one from another address is not;
//! a server without the package is asked once; `call_voicemail` dials the mailbox.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::time::Duration;
use support::*;

fn presence_server() -> Kamailio {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw"), ("bob", "bobpw")]);
    options.presence = true;
    Kamailio::start(options).expect("kamailio")
}

fn mailbox(v: &Value, new: u64, old: u64) -> bool {
    is_event(v, "voicemail") && v["new"] == new && v["old"] == old
}

#[test]
fn the_mailbox_counts_follow_the_server_and_call_voicemail_dials_it() {
    let kamailio = presence_server();
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");
    kamailio
        .wait_requests("SUBSCRIBE", "alice", 1, T)
        .expect("alice subscribes");

    kamailio.publish_mwi("alice", 2, 8).expect("publish");
    let two = app.wait("2 new, 8 old", |v| mailbox(v, 2, 8));
    assert_eq!(two["waiting"], true, "{two}");
    assert_eq!(two["account"], "alice", "{two}");
    kamailio.publish_mwi("alice", 0, 3).expect("publish");
    let none = app.wait("0 new, 3 old", |v| mailbox(v, 0, 3));
    assert_eq!(none["waiting"], false, "{none}");

    // No number set: the Message-Account the server sent.
    app.send(json!({"cmd": "call_voicemail", "account": "alice"}));
    let calling = app.wait("calling the mailbox", |v| {
        is_event(v, "call_state") && v["state"] == "calling"
    });
    assert_eq!(calling["remote"], kamailio.user_uri("alice"), "{calling}");
    let call = calling["call"].as_u64().expect("call id");
    app.hang_up(call);
    app.quit();
    // Quitting ends the subscription (Expires: 0 in the dialog).
    let subscribes = kamailio
        .count_requests("SUBSCRIBE", "alice")
        .expect("count");
    assert!(subscribes >= 2, "a subscription and its end: {subscribes}");
}

/// Calls the mailbox and returns the `calling` event. The mailbox (1233) is nobody at
/// Kamailio: the call ends there (404), which the test waits for.
fn call_voicemail(app: &mut App, command: Value) -> Value {
    app.send(command);
    let calling = app.wait("calling the mailbox", |v| {
        is_event(v, "call_state") && v["state"] == "calling"
    });
    let call = calling["call"].as_u64().expect("call id");
    let ended = app.wait_call(call, "ended");
    assert_eq!(ended["code"], 404, "{ended}");
    calling
}

/// An out-of-dialog NOTIFY `message-summary` sent to alice's own address from `source`,
/// naming `account` as the mailbox.
fn unsolicited_notify(port: u16, source: &str, new: u32, account: &str) -> Sipp {
    let keys = [
        ("new", new.to_string()),
        ("old", "0".into()),
        ("waiting", "yes".into()),
        ("account", account.to_string()),
    ];
    let mut extra_args: Vec<String> = keys
        .into_iter()
        .flat_map(|(k, v)| ["-key".to_string(), k.to_string(), v])
        .collect();
    extra_args.extend(["-i".to_string(), source.to_string()]);
    Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{port}")),
        service: Some("alice".into()),
        timeout: Duration::from_secs(4),
        extra_args,
        ..SippOptions::bench("mwi_unsolicited_notify")
    })
    .expect("sipp")
}

#[test]
fn an_unsolicited_notify_is_taken_from_the_server_only() {
    let kamailio = presence_server();
    let port = free_port_udp_tcp().expect("port");
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.extra = format!("local_port = {port}\nmessage_waiting = false\n");
    let mut app = start(&[line], None, &[]);
    app.wait_registered("alice");

    // From another address: the line's transport drops it (no answer at all).
    let mailbox_uri = kamailio.user_uri("1233");
    let mut stranger = unsolicited_notify(port, "127.0.0.2", 7, &mailbox_uri);
    let status = stranger.wait(T).expect("sipp ends");
    assert!(!status.success(), "no answer to a stranger");
    assert!(
        !stranger.messages().contains("SIP/2.0 200"),
        "{}",
        stranger.messages()
    );
    // From the server's address: taken and reported.
    let mut server = unsolicited_notify(port, "127.0.0.1", 1, &mailbox_uri);
    assert!(
        server.wait(T).expect("sipp").success(),
        "{}",
        server.diagnostics()
    );
    app.wait("1 new from the server", |v| mailbox(v, 1, 0));
    assert!(
        !app.parla.events_seen().iter().any(|v| mailbox(v, 7, 0)),
        "the stranger's counts were never reported"
    );

    // And the mailbox number it gave is what call_voicemail dials.
    let calling = call_voicemail(&mut app, json!({"cmd": "call_voicemail"}));
    assert_eq!(calling["remote"], mailbox_uri, "{calling}");
    app.quit();
}

#[test]
fn a_server_without_message_waiting_is_asked_once_and_the_number_comes_from_the_line() {
    // The bench's Kamailio without presence: the SUBSCRIBE is not served as message waiting.
    let kamailio = kamailio_alice_bob();
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    // A number as the line dials it (the port: Kamailio's aliases carry one).
    let number = kamailio.user_uri("1233");
    line.extra = format!("voicemail_number = {number:?}\n");
    let mut app = start(&[line], None, &[]);
    app.wait_registered("alice");
    let unavailable = app.wait("said once", |v| {
        is_event(v, "voicemail") && v["unavailable"].is_string()
    });
    assert_eq!(unavailable["account"], "alice", "{unavailable}");
    assert_eq!(
        kamailio
            .count_requests("SUBSCRIBE", "alice")
            .expect("count"),
        1,
        "asked once"
    );

    let calling = call_voicemail(
        &mut app,
        json!({"cmd": "call_voicemail", "account": "alice"}),
    );
    assert_eq!(calling["remote"], number, "{calling}");
    app.quit();
}

#[test]
fn call_voicemail_without_a_number_says_so() {
    let kamailio = kamailio_alice_bob();
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.extra = "message_waiting = false\n".into();
    let mut app = start(&[line], None, &[]);
    app.wait_registered("alice");
    app.send(json!({"cmd": "call_voicemail", "account": "alice"}));
    let error = app.wait("no number", |v| is_event(v, "error"));
    assert_eq!(error["kind"], "no_voicemail_number", "{error}");
    assert_eq!(error["account"], "alice", "{error}");
    app.quit();
}
