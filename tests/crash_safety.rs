//! Crash safety: Parla killed (SIGKILL) in the middle of a call. At the next start on the same
//! profile the call is in the history as `interrupted` (answered, with its start and the talk
//! time known up to the last checkpoint), the calls and contacts from before are all there,
//! and config.toml is the one written before.
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

fn history(app: &mut App, request: u64) -> Vec<Value> {
    app.send(json!({"cmd": "list_history", "request": request}));
    let answer = app.wait("history", |v| {
        is_event(v, "history") && v["request"] == request
    });
    answer["calls"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_call_cut_by_kill_9_is_in_the_history_as_interrupted_and_nothing_else_is_lost() {
    let kamailio = kamailio_alice_bob();
    let bob = start_bob(&kamailio, None, None);
    let line = Line::at(&kamailio, "alice", "alicepw");
    let mut app = start(&[line], None, &[]);
    app.wait_registered("alice");
    let config = std::fs::read(app.profile.path().join("config.toml")).expect("config");

    // Before: a contact, and one call that ended properly.
    app.send(json!({"cmd": "save_contact", "request": 1, "contact": {
        "first_name": "Ada", "last_name": "Lovelace",
        "phones": [{"label": "mobile", "number": "06 12345678"}]}}));
    app.wait("contact saved", |v| {
        is_event(v, "contact_saved") && v["request"] == 1
    });
    let first = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(first, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    app.hang_up(first);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");

    // The call that is cut: up for a while (a checkpoint or two), then SIGKILL.
    let cut = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(cut, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    let connected_at = std::time::SystemTime::now();
    std::thread::sleep(Duration::from_secs(7));
    let pid = app.parla.pid();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + T;
    while pid_exists(pid) && !is_zombie(pid) {
        assert!(Instant::now() < deadline, "parla {pid} survived SIGKILL");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The far end hangs up the call nobody answers for any more.
    let _ = bob.hangup();

    // Start again on the same profile.
    let profile = std::mem::replace(&mut app.profile, tempfile::tempdir().expect("dir"));
    drop(app);
    assert_eq!(
        std::fs::read(profile.path().join("config.toml")).expect("config after"),
        config,
        "config.toml changed"
    );
    let line = Line::at(&kamailio, "alice", "alicepw");
    let mut again = start_in(profile, &[line], None, &[]);
    again.wait_registered("alice");
    assert_eq!(
        std::fs::read(again.profile.path().join("config.toml")).expect("config again"),
        config,
        "config.toml rewritten at start"
    );

    let calls = history(&mut again, 2);
    assert_eq!(calls.len(), 2, "{calls:#?}");
    // Newest first: the cut call, then the one that ended.
    let interrupted = &calls[0];
    assert_eq!(interrupted["result"], "interrupted", "{interrupted}");
    assert_eq!(interrupted["direction"], "outgoing");
    let started = interrupted["started"].as_i64().expect("started");
    let answered = interrupted["answered"].as_i64().expect("answered");
    let ended = interrupted["ended"].as_i64().expect("ended");
    assert!(started <= answered && answered <= ended, "{interrupted}");
    // Up about 7 s; the calls under way are checkpointed every 5 s, so the talk time is known
    // to within that: between 2 and 7 s (with half a second of slack either way).
    let talk = ended - answered;
    assert!(
        (1_500..=7_500).contains(&talk),
        "talk time known: {talk} ms ({interrupted})"
    );
    let connected_ms = connected_at
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((answered - connected_ms).abs() < 2_000, "{interrupted}");
    assert_eq!(calls[1]["result"], "answered", "{}", calls[1]);

    again.send(json!({"cmd": "search_contacts", "query": "", "request": 3}));
    let contacts = again.wait("contacts", |v| is_event(v, "contacts") && v["request"] == 3);
    let names: Vec<&str> = contacts["contacts"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["Ada Lovelace"], "{contacts}");

    // The third start finds nothing more to interrupt.
    again.quit();
    let profile = std::mem::replace(&mut again.profile, tempfile::tempdir().expect("dir"));
    drop(again);
    let line = Line::at(&kamailio, "alice", "alicepw");
    let mut third = start_in(profile, &[line], None, &[]);
    third.wait_registered("alice");
    assert_eq!(history(&mut third, 4).len(), 2);
    third.quit();
}

/// A killed child not yet reaped by the bench is a zombie: gone for our purposes.
fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|st| st == "Z"))
        })
        .unwrap_or(true)
}
