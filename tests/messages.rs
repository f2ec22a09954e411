//! Text messages (SIP MESSAGE, RFC 3428) end to end through Kamailio: Parla and baresip text
//! each other; a MESSAGE straight from another address is refused (403), an oversized one
//! gets 413; msilo keeps a message to a user who is away (202) and delivers it when they
//! register; one to nobody fails with 404 and `retry_message` sends it again; the Local line
//! takes messages from anyone.
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

fn message_state(v: &Value, request: u64, state: &str) -> bool {
    is_event(v, "message_state") && v["request"] == request && v["state"] == state
}

/// Sends `text` to `to` from the default line and returns the `sending` and the final event.
fn send_text(app: &mut App, to: &str, text: &str, request: u64) -> (Value, Value) {
    app.send(json!({"cmd": "send_message", "to": to, "text": text, "request": request}));
    let sending = app.wait("sending", |v| message_state(v, request, "sending"));
    let done = app.wait("sent or failed", |v| {
        message_state(v, request, "sent") || message_state(v, request, "failed")
    });
    assert_eq!(done["id"], sending["id"], "{done}");
    (sending, done)
}

/// Waits until `file` holds `needle` (at most [`T`]).
fn wait_in_file(file: &std::path::Path, needle: &str) -> bool {
    let deadline = Instant::now() + T;
    while Instant::now() < deadline {
        if std::fs::read_to_string(file).is_ok_and(|t| t.contains(needle)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn parla_and_baresip_text_each_other_through_the_proxy() {
    let kamailio = kamailio_alice_bob();
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");
    let bob = start_bob(&kamailio, None, None);

    let (sending, sent) = send_text(&mut app, "bob", "Hello Bob, ça va?", 1);
    assert_eq!(sending["peer"], "sip:bob@127.0.0.1", "{sending}");
    assert_eq!(sent["state"], "sent", "{sent}");
    assert_eq!(sent["code"], 200, "{sent}");
    // baresip's menu prints an incoming message as `PEER: "TEXT"`.
    assert!(
        wait_in_file(bob.log_path(), "Hello Bob, ça va?"),
        "bob's baresip shows the text: {}",
        bob.log_tail(40)
    );

    // baresip 1.0 texts its "current contact" only (contact.so): alice is its only contact.
    let contacts = bob.dir().join("config/contacts");
    let alice = format!("\"Alice\" <{}>\n", kamailio.user_uri("alice"));
    std::fs::write(&contacts, alice).expect("contacts");
    bob.command_ok("insmod", "contact").expect("contact.so");
    bob.command_ok("contact_next", "")
        .expect("alice is current");
    bob.command_ok("message", "Hi Alice").expect("bob sends");
    let message = app.wait("bob's message", |v| is_event(v, "message"));
    assert_eq!(message["from"], "sip:bob@127.0.0.1", "{message}");
    assert_eq!(message["text"], "Hi Alice", "{message}");
    assert_eq!(message["account"], "alice", "{message}");
    assert!(message["id"].is_i64(), "{message}");
    app.quit();
}

/// One MESSAGE from SIPp straight to `port` (Parla's line) from `source`; its final answer.
fn direct_message(port: u16, source: &str, ctype: &str, text: &str) -> String {
    let mut sipp = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{port}")),
        service: Some("alice".into()),
        timeout: Duration::from_secs(4),
        extra_args: ["-key", "ctype", ctype, "-key", "text", text, "-i", source]
            .map(String::from)
            .to_vec(),
        ..SippOptions::bench("message_direct")
    })
    .expect("sipp");
    let _ = sipp.wait(T).expect("sipp ends");
    sipp.messages()
}

#[test]
fn only_the_server_may_send_and_oversized_messages_are_refused() {
    let kamailio = kamailio_alice_bob();
    let port = free_port_udp_tcp().expect("port");
    // Not registering: no transport whitelist, so Parla itself answers strangers.
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.extra = format!("local_port = {port}\nregister = false\nmessage_waiting = false\n");
    let mut app = start(&[line], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));

    let plain = "text/plain;charset=UTF-8";
    let stranger = direct_message(port, "127.0.0.2", plain, "spoofed");
    assert!(stranger.contains("SIP/2.0 403"), "{stranger}");
    let big = "x".repeat(5000);
    let oversized = direct_message(port, "127.0.0.1", plain, &big);
    assert!(oversized.contains("SIP/2.0 413"), "{oversized}");
    let html = direct_message(port, "127.0.0.1", "text/html", "<b>hi</b>");
    assert!(html.contains("SIP/2.0 415"), "{html}");
    let taken = direct_message(port, "127.0.0.1", "text/plain", "from the server");
    assert!(taken.contains("SIP/2.0 200"), "{taken}");

    let message = app.wait("the server's message", |v| is_event(v, "message"));
    assert_eq!(
        message["text"].as_str().map(str::trim),
        Some("from the server")
    );
    assert_eq!(
        message["name"], "Bob",
        "the display name it carried: {message}"
    );
    assert!(
        !app.parla.events_seen().iter().any(|v| {
            is_event(v, "message") && v["text"].as_str().is_some_and(|t| t.contains("spoofed"))
        }),
        "the stranger's text was never reported"
    );
    app.quit();
}

#[test]
fn the_local_line_takes_messages_from_anyone() {
    let port = free_port_udp_tcp().expect("port");
    let line = Line {
        id: "local",
        user: "alice",
        password: None,
        domain: "127.0.0.1",
        registrar: None,
        transport: None,
        codecs: &["pcmu"],
        extra: format!("register = false\nlocal_port = {port}\n"),
    };
    let mut app = start(&[line], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));
    let answer = direct_message(port, "127.0.0.2", "text/plain", "straight to you");
    assert!(answer.contains("SIP/2.0 200"), "{answer}");
    let message = app.wait("the message", |v| is_event(v, "message"));
    assert_eq!(message["account"], "local", "{message}");
    assert_eq!(message["from"], "sip:bob@127.0.0.1", "{message}");
    assert_eq!(
        message["text"].as_str().map(str::trim),
        Some("straight to you")
    );
    app.quit();
}

fn msilo_server() -> Kamailio {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw"), ("carol", "carolpw")]);
    options.msilo = true;
    Kamailio::start(options).expect("kamailio")
}

#[test]
fn a_message_to_someone_away_is_kept_and_delivered_when_they_register() {
    let kamailio = msilo_server();
    let mut alice = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    alice.wait_registered("alice");
    let (_, sent) = send_text(&mut alice, "carol", "Call me when you are back", 2);
    assert_eq!(sent["state"], "sent", "{sent}");
    assert_eq!(sent["code"], 202, "kept by the server: {sent}");

    let mut carol = start(&[Line::at(&kamailio, "carol", "carolpw")], None, &[]);
    carol.wait_registered("carol");
    let message = carol.wait("the kept message", |v| is_event(v, "message"));
    assert_eq!(message["from"], "sip:alice@127.0.0.1", "{message}");
    assert_eq!(message["text"], "Call me when you are back", "{message}");
    carol.quit();
    alice.quit();
}

#[test]
fn a_message_to_nobody_fails_and_is_sent_again_on_retry() {
    let kamailio = msilo_server();
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    app.wait_registered("alice");

    app.send(json!({"cmd": "send_message", "to": "bob", "text": "", "request": 3}));
    let empty = app.wait("refused", |v| is_event(v, "error") && v["request"] == 3);
    assert_eq!(empty["kind"], "invalid_message", "{empty}");

    let (_, failed) = send_text(&mut app, "nobody", "anyone there?", 4);
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["code"], 404, "{failed}");
    assert_eq!(failed["peer"], "sip:nobody@127.0.0.1", "{failed}");
    let sent_before = kamailio.count_requests("MESSAGE", "alice").expect("count");

    let id = failed["id"].clone();
    app.send(json!({"cmd": "retry_message", "id": id, "request": 5}));
    let sending = app.wait("sending again", |v| message_state(v, 5, "sending"));
    assert_eq!(sending["id"], id, "the same message: {sending}");
    let again = app.wait("failed again", |v| message_state(v, 5, "failed"));
    assert_eq!(again["code"], 404, "{again}");
    let sent_after = kamailio.count_requests("MESSAGE", "alice").expect("count");
    assert!(
        sent_after > sent_before,
        "sent again: {sent_before} -> {sent_after}"
    );

    // A message that was sent cannot be retried.
    let (_, ok) = send_text(&mut app, "alice", "note to self", 6);
    assert_eq!(ok["state"], "sent", "{ok}");
    app.send(json!({"cmd": "retry_message", "id": ok["id"], "request": 7}));
    let refused = app.wait("not retried", |v| is_event(v, "error") && v["request"] == 7);
    assert_eq!(refused["kind"], "bad_command", "{refused}");
    app.quit();
}
