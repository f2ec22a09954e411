//! A line with no server (direct calls on a known port) against SIPp: OPTIONS is answered, a
//! direct INVITE rings, and garbage does not take the app down.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use std::time::Duration;
use support::*;

/// SIPp's built-in caller dialling alice on the listening line; it hangs up 500 ms after
/// the answer.
fn sipp_calls_alice(port: u16) -> Sipp {
    let mut uac = SippOptions::new(Scenario::Builtin("uac".into()));
    uac.remote = Some(format!("127.0.0.1:{port}"));
    uac.service = Some("alice".into());
    uac.extra_args = vec!["-d".into(), "500".into()];
    Sipp::start(uac).expect("sipp uac")
}

#[test]
fn options_is_answered_and_a_direct_call_from_sipp_connects() {
    let port = free_port_udp().expect("port");
    let mut app = start(&[Line::listening(port)], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));

    let mut options = SippOptions::bench("uac_options");
    options.remote = Some(format!("127.0.0.1:{port}"));
    options.service = Some("alice".into());
    let mut sipp = Sipp::start(options).expect("sipp options");
    let status = sipp.wait(T).expect("sipp finished");
    assert!(
        status.success(),
        "OPTIONS got its 200: {}",
        sipp.diagnostics()
    );

    let mut sipp = sipp_calls_alice(port);
    let (call, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    assert_eq!(app.wait_call(call, "ended")["reason"], "remote hangup");
    assert!(
        sipp.wait(T).expect("sipp finished").success(),
        "{}",
        sipp.diagnostics()
    );
    app.quit();
}

#[test]
fn garbage_datagrams_do_not_take_the_app_down() {
    let port = free_port_udp().expect("port");
    let mut app = start(&[Line::listening(port)], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("socket");
    let junk: [&[u8]; 5] = [
        b"",
        b"\x00\xff\xfe garbage",
        b"INVITE sip:alice@127.0.0.1 SIP/2.0\r\nContent-Length: 99999999\r\n\r\n",
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKnope\r\n\r\n",
        &[b'A'; 65_000],
    ];
    for datagram in junk {
        let _ = socket.send_to(datagram, ("127.0.0.1", port));
    }
    // Still alive and answering: a status command gets its answer.
    std::thread::sleep(Duration::from_millis(200));
    app.send(json!({"cmd": "status"}));
    app.wait("status", |v| is_event(v, "status"));
    app.quit();
}

#[test]
fn a_malformed_command_gets_an_error_and_nothing_else_changes() {
    let port = free_port_udp().expect("port");
    let mut app = start(&[Line::listening(port)], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));
    app.parla.send_raw("this is not json\n").expect("send");
    let error = app.wait("error", |v| is_event(v, "error"));
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a command")),
        "{error}"
    );
    app.send(json!({"cmd": "hangup", "call": 99}));
    app.wait("no such call", |v| {
        is_event(v, "error") && v["message"].as_str().is_some_and(|m| m.contains("99"))
    });
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"], json!([]));
    app.quit();
}

fn sipp_uas(scenario: &str) -> Sipp {
    let mut options = SippOptions::bench(scenario);
    options.remote = None;
    Sipp::start(options).expect("sipp uas")
}

#[test]
fn early_media_from_a_183_starts_audio_before_the_answer() {
    let mut sipp = sipp_uas("uas_early_media");
    let mut app = start(
        &[Line::listening(free_port_udp().expect("port"))],
        None,
        &[],
    );
    app.wait("ready", |v| is_event(v, "ready"));
    let to = format!("sip:early@{}", sipp.local_addr());
    let call = app.dial("local", &to);
    app.wait_call(call, "ringing");
    let media = app.wait("early media", |v| is_event(v, "media") && v["call"] == call);
    assert_eq!(media["codec"], "PCMU", "{media}");
    let seen = app.parla.events_seen();
    assert!(
        !seen.iter().any(|v| call_state(v, call, "connected")),
        "media came before the answer"
    );
    app.wait_call(call, "connected");
    app.hang_up(call);
    assert!(
        sipp.wait(T).expect("sipp").success(),
        "{}",
        sipp.diagnostics()
    );
    app.quit();
}

#[test]
fn a_reinvite_from_the_far_end_changes_the_codec() {
    let mut sipp = sipp_uas("uas_reinvite_codec");
    let mut app = start(
        &[Line::listening(free_port_udp().expect("port"))],
        None,
        &[],
    );
    app.wait("ready", |v| is_event(v, "ready"));
    let to = format!("sip:codec@{}", sipp.local_addr());
    let call = app.dial("local", &to);
    app.wait_call(call, "connected");
    let first = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert_eq!(first["codec"], "PCMU", "{first}");
    let second = app.wait("media after the re-INVITE", |v| {
        is_event(v, "media") && v["call"] == call
    });
    assert_eq!(second["codec"], "PCMA", "{second}");
    app.hang_up(call);
    assert!(
        sipp.wait(T).expect("sipp").success(),
        "{}",
        sipp.diagnostics()
    );
    app.quit();
}

#[test]
fn in_call_commands_on_a_ringing_call_are_refused_and_it_keeps_ringing() {
    let port = free_port_udp().expect("port");
    let mut app = start(&[Line::listening(port)], None, &[]);
    app.wait("ready", |v| is_event(v, "ready"));
    let mut sipp = sipp_calls_alice(port);
    let (call, _) = app.wait_incoming();
    for command in [
        json!({"cmd": "mute", "call": call, "muted": true}),
        json!({"cmd": "dtmf", "call": call, "digits": "1"}),
        json!({"cmd": "hold", "call": call}),
    ] {
        app.send(command);
        let error = app.wait("refusal", |v| is_event(v, "error"));
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("not connected")),
            "{error}"
        );
    }
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    assert_eq!(app.wait_call(call, "ended")["reason"], "remote hangup");
    assert!(
        sipp.wait(T).expect("sipp").success(),
        "{}",
        sipp.diagnostics()
    );
    app.quit();
}

/// A far end that takes our BYE and never answers it: the call still ends (and is in the
/// history) within moments, not after the BYE transaction's 32 s.
#[test]
fn hanging_up_on_a_far_end_that_never_answers_the_bye_ends_the_call_at_once() {
    let mut sipp = sipp_uas("uas_silent_bye");
    let mut app = start(
        &[Line::listening(free_port_udp().expect("port"))],
        None,
        &[],
    );
    app.wait("ready", |v| is_event(v, "ready"));
    let to = format!("sip:silent@{}", sipp.local_addr());
    let call = app.dial("local", &to);
    app.wait_call(call, "connected");
    let asked = std::time::Instant::now();
    let ended = app.hang_up(call);
    let took = asked.elapsed();
    assert_eq!(ended["reason"], "local hangup", "{ended}");
    assert!(
        took < std::time::Duration::from_secs(10),
        "ended {took:?} after the hangup, as if it waited for the BYE's answer"
    );
    assert!(
        sipp.wait(T).expect("sipp").success(),
        "sipp got the BYE: {}",
        sipp.diagnostics()
    );
    app.quit();
}
