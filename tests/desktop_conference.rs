//! The conference call screen in the desktop app under Xvfb (as tests/desktop.rs runs it):
//! Parla (alice) calls bob and carol (baresip, answering), holds bob, and a click on Merge
//! brings the three together. In the light theme bob is muted for the others and the call
//! is recorded (conference.png), then carol is split off: the conference of two ends, bob
//! talks on and carol waits on hold (conference-split.png); the dark
//! theme and the compact window show the plain conference (conference-dark.png,
//! conference-compact.png). The line has a park code, so the call screen before the merge
//! shows Park beside Record and Merge (conference-merge.png). The recorded call is listed in
//! the history with its recording (history-recording.png).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::gui::{Control, Desktop, GuiApp};
use support::*;

const MAIN: &str = "Parla";
/// Merge on the call screen with carol talking and bob on hold, in the 420 x 640 window (the
/// last of the second row of four tiles) and the compact one (three a row; see
/// target/screenshots/conference-merge.png, conference-merge-compact.png).
const MERGE: (u32, u32) = (356, 495);
const MERGE_COMPACT: (u32, u32) = (150, 458);
/// In the conference (see target/screenshots/conference.png): bob's row (the first) has the
/// mute toggle; carol's row (the second) the split button; Record is the first tile of the
/// second row of controls.
const BOB_MUTE: (u32, u32) = (285, 262);
const CAROL_SPLIT: (u32, u32) = (321, 312);
const RECORD: (u32, u32) = (88, 430);
/// The navigation's History place.
const HISTORY: (u32, u32) = (172, 60);
/// Empty room: the pointer rests there for a picture without a tooltip or a lit button.
const NOWHERE: (u32, u32) = (412, 120);

/// alice's line (the default) with a park code, in `theme`; `extra` goes in `[app]`.
fn config(kamailio: &Kamailio, theme: &str, extra: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "default = true\n\n[[accounts.feature_codes]]\nname = \"Park\"\n\
                  code = \"700\"\nkind = \"park\"\n"
        .into();
    // The embedded Local line would listen on 5060: off here, tests run side by side.
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\
         music_on_hold = \"off\"\n\n[app]\nlanguage = \"en\"\ntheme = \"{theme}\"\n{extra}",
        line.toml()
    )
}

/// Asks for `status` until alice is registered (the window's control socket answers).
fn wait_registered(control: &mut Control) {
    let deadline = Instant::now() + T;
    loop {
        control.send(&json!({"cmd": "status"}));
        let status = control.wait("status", |v| v["event"] == "status");
        let registered = status["accounts"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["account"] == "alice" && x["state"] == "registered")
        });
        if registered {
            return;
        }
        assert!(Instant::now() < deadline, "alice never registered");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn state_of(v: &Value, call: u64, state: &str) -> bool {
    v["event"] == "call_state" && v["call"] == call && v["state"] == state
}

/// Whether `call` is already in `state` by the last word on it seen, else waits for it.
fn wait_state(control: &mut Control, call: u64, state: &str, context: impl Fn() -> String) {
    let last = control
        .seen
        .iter()
        .rev()
        .find(|v| v["event"] == "call_state" && v["call"] == call);
    if last.is_some_and(|v| state_of(v, call, state)) {
        return;
    }
    control.wait_or(
        &format!("call {call} {state}"),
        |v| state_of(v, call, state),
        context,
    );
}

/// Dials `uri` from the window's line and waits until it is connected.
fn dial(control: &mut Control, uri: &str, context: impl Fn() -> String) -> u64 {
    control.send(&json!({"cmd": "dial", "account": "alice", "to": uri}));
    let calling = control.wait("calling", |v| {
        v["event"] == "call_state" && v["state"] == "calling" && v["remote"] == uri
    });
    let call = calling["call"].as_u64().expect("call id");
    wait_state(control, call, "connected", context);
    call
}

/// The conference event naming exactly `calls` (any order), and `muted` left out.
fn conference_is(v: &Value, calls: &[u64], muted: &[u64]) -> bool {
    let ids = |key: &str| {
        let mut ids: Vec<u64> = v[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
    };
    let (mut calls, mut muted) = (calls.to_vec(), muted.to_vec());
    calls.sort_unstable();
    muted.sort_unstable();
    v["event"] == "conference" && ids("calls") == calls && ids("muted") == muted
}

struct Peers {
    kamailio: Kamailio,
    bob: Baresip,
    carol: Baresip,
}

fn peers() -> Peers {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]))
    .expect("kamailio");
    let bob = start_bob(&kamailio, None, None);
    let carol = Baresip::start(BaresipOptions::registering(&kamailio, "carol", "carolpw"))
        .expect("baresip carol");
    carol.wait_registered(T).expect("carol registered");
    Peers {
        kamailio,
        bob,
        carol,
    }
}

/// The window with alice's calls to bob (held) and carol (talking), merged by a click on
/// Merge at `merge`; returns the window, the control socket and the two calls.
fn merged(
    peers: &Peers,
    desktop: &Desktop,
    app: &GuiApp,
    merge: (u32, u32),
    picture: Option<&str>,
) -> (String, Control, u64, u64) {
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    let context = || {
        format!(
            "bob:\n{}\ncarol:\n{}\nparla:\n{}",
            peers.bob.log_tail(30),
            peers.carol.log_tail(30),
            app.log()
        )
    };
    let bob = dial(&mut control, &peers.kamailio.user_uri("bob"), context);
    control.send(&json!({"cmd": "hold", "call": bob}));
    wait_state(&mut control, bob, "on_hold", context);
    let carol = dial(&mut control, &peers.kamailio.user_uri("carol"), context);
    assert_eq!(
        desktop.wait_window("^carol@", T).as_deref(),
        Some(window.as_str()),
        "carol's call on screen"
    );
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    if let Some(name) = picture {
        desktop.screenshot(&window, name);
    }
    desktop.click(&window, merge.0, merge.1);
    control.wait_or(
        "the conference of bob and carol",
        |v| conference_is(v, &[bob, carol], &[]),
        context,
    );
    (window, control, bob, carol)
}

fn hang_up_all(control: &mut Control, calls: &[u64]) {
    for call in calls {
        control.send(&json!({"cmd": "hangup", "call": call}));
    }
    for call in calls {
        wait_state(control, *call, "ended", String::new);
    }
}

#[test]
fn merged_calls_show_as_a_conference_with_mute_record_and_split() {
    let peers = peers();

    // Light: merged by a click, bob muted, recorded, then carol split off.
    {
        let desktop = Desktop::start();
        let app = GuiApp::start(&config(&peers.kamailio, "light", ""), &desktop);
        let (window, mut control, bob, carol) =
            merged(&peers, &desktop, &app, MERGE, Some("conference-merge"));
        desktop.click(&window, BOB_MUTE.0, BOB_MUTE.1);
        control.wait_or(
            "bob left out of the mix",
            |v| conference_is(v, &[bob, carol], &[bob]),
            || app.log(),
        );
        desktop.click(&window, RECORD.0, RECORD.1);
        let recording = control.wait_or(
            "the recording",
            |v| v["event"] == "recording" && v["state"] == "recording",
            || app.log(),
        );
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, "conference");

        desktop.click(&window, CAROL_SPLIT.0, CAROL_SPLIT.1);
        control.wait_or(
            "carol split off",
            |v| v["event"] == "conference" && !conference_is(v, &[bob, carol], &[bob]),
            || app.log(),
        );
        wait_state(&mut control, carol, "on_hold", || app.log());
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, "conference-split");

        hang_up_all(&mut control, &[bob, carol]);
        let path = recording["path"].as_str().expect("the recording's path");
        assert!(
            std::path::Path::new(path).is_file(),
            "the recording {path} is on disk"
        );

        // The history lists the recorded call with its recording.
        let deadline = Instant::now() + T;
        loop {
            control.send(&json!({"cmd": "list_history", "limit": 10, "request": 77}));
            let history = control.wait("the history", |v| {
                v["event"] == "history" && v["request"] == 77
            });
            let listed = history["calls"]
                .as_array()
                .is_some_and(|calls| calls.iter().any(|c| c["recording"] == path));
            if listed {
                break;
            }
            assert!(Instant::now() < deadline, "no recording in {history}");
            std::thread::sleep(Duration::from_millis(200));
        }
        // The pointer moves there first: the window takes a click where it knows the pointer is.
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.click(&window, HISTORY.0, HISTORY.1);
        assert_eq!(
            desktop.wait_window("^History ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens History"
        );
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, "history-recording");
        assert!(app.quit().success());
    }

    // Dark, and the compact window: the plain conference.
    for (theme, extra, merge, before, name) in [
        ("dark", "", MERGE, None, "conference-dark"),
        (
            "light",
            "compact = true\n",
            MERGE_COMPACT,
            Some("conference-merge-compact"),
            "conference-compact",
        ),
    ] {
        let desktop = Desktop::start();
        let app = GuiApp::start(&config(&peers.kamailio, theme, extra), &desktop);
        let (window, mut control, bob, carol) = merged(&peers, &desktop, &app, merge, before);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, name);
        hang_up_all(&mut control, &[bob, carol]);
        assert!(app.quit().success());
    }
}
