//! A line's own settings page in the desktop app under Xvfb (as tests/desktop.rs runs it): the
//! Lines list, the line's page opened from it, and its answering machine settings, light and
//! dark (target/screenshots/settings-line*.png, settings-answering-machine*.png).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use std::process::Command;
use std::time::Duration;
use support::gui::{Control, Desktop, GuiApp};
use support::*;

const MAIN: &str = "Parla";
/// The navigation's Settings place in the 420-wide main window (see tests/desktop.rs).
const SETTINGS: (u32, u32) = (374, 60);
/// The first line's name in Settings > Lines (see target/screenshots/settings-lines.png).
const FIRST_LINE: (u32, u32) = (100, 238);
/// The answering machine's "answer after" + on the line's page scrolled to its end (see
/// target/screenshots/settings-answering-machine.png).
const ANSWER_LATER: (u32, u32) = (375, 335);
/// The incoming-call popup (its window title) and its green button (see
/// target/screenshots/incoming-popup-machine.png).
const POPUP: &str = "^Incoming call ";
const PICK_UP: (u32, u32) = (317, 43);

/// alice's line with its answering machine on and her own greeting (a WAV in `dir`).
fn config(kamailio: &Kamailio, theme: &str, dir: &std::path::Path) -> String {
    let greeting = greeting_file(dir);
    config_with(
        kamailio,
        theme,
        &format!(
            "enabled = true\nanswer_after_s = 20\ngreeting = \"file:{}\"\nmax_message_s = 120\n",
            greeting.display()
        ),
    )
}

/// Three seconds of a quiet tone as `dir/greeting.wav`.
fn greeting_file(dir: &std::path::Path) -> std::path::PathBuf {
    let greeting = dir.join("greeting.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(&greeting, spec).expect("wav");
    for i in 0..16_000 * 3 {
        let t = i as f32 / 16_000.0;
        wav.write_sample(((t * 440.0 * std::f32::consts::TAU).sin() * 2_000.0) as i16)
            .expect("sample");
    }
    wav.finalize().expect("wav written");
    greeting
}

/// alice's line (the default) with `machine` as its `[accounts.answering_machine]` table.
fn config_with(kamailio: &Kamailio, theme: &str, machine: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = format!("default = true\n\n[accounts.answering_machine]\n{machine}");
    // The embedded Local line would listen on 5060: off here, tests run side by side.
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"en\"\ntheme = \"{theme}\"\n",
        line.toml()
    )
}

/// Asks for `status` until alice is registered (the window's control socket answers).
fn wait_registered(control: &mut Control) {
    let deadline = std::time::Instant::now() + T;
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
        assert!(
            std::time::Instant::now() < deadline,
            "alice never registered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Turns the mouse wheel down over the window: the settings page scrolls.
fn scroll_down(desktop: &Desktop, window: &str, notches: u32) {
    let ok = Command::new("xdotool")
        .args([
            "mousemove",
            "--window",
            window,
            "210",
            "400",
            "click",
            "--repeat",
            &notches.to_string(),
            "--delay",
            "30",
            "5",
        ])
        .envs(desktop.xvfb.env())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "xdotool scrolls");
}

#[test]
fn a_lines_own_page_shows_its_answering_machine() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    for (theme, suffix) in [("light", ""), ("dark", "-dark")] {
        let greetings = tempfile::tempdir().expect("greeting dir");
        let desktop = Desktop::start();
        let app = GuiApp::start(&config(&kamailio, theme, greetings.path()), &desktop);
        let window = desktop
            .wait_window(MAIN, T)
            .unwrap_or_else(|| panic!("no window: {}", app.log()));
        let mut control = app.control();
        wait_registered(&mut control);
        desktop.click(&window, SETTINGS.0, SETTINGS.1);
        assert_eq!(
            desktop.wait_window("^Settings ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens Settings"
        );
        desktop.screenshot(&window, &format!("settings-lines{suffix}"));
        desktop.click(&window, FIRST_LINE.0, FIRST_LINE.1);
        desktop.screenshot(&window, &format!("settings-line{suffix}"));
        scroll_down(&desktop, &window, 15);
        desktop.screenshot(&window, &format!("settings-answering-machine{suffix}"));
        // One step later: the settings file says so.
        desktop.click(&window, ANSWER_LATER.0, ANSWER_LATER.1);
        let file = app.profile.path().join("config.toml");
        let deadline = std::time::Instant::now() + T;
        while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("answer_after_s = 25")) {
            assert!(
                std::time::Instant::now() < deadline,
                "+ did not make it 25 s: {:?}",
                std::fs::read_to_string(&file)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(app.quit().success());
    }
}

/// A call the machine takes: the popup stays, now "Taking a message" with Pick up, and so does
/// the call screen (screenshots incoming-popup-machine.png, call-answering-machine.png); Pick up
/// on the popup takes the call. A caller who leaves a message is told of in a notification.
#[test]
fn a_call_the_machine_takes_can_be_picked_up_and_a_message_is_told() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
    ]))
    .expect("kamailio");
    let bob = Baresip::start(BaresipOptions::registering(&kamailio, "bob", "bobpw"))
        .expect("baresip bob");
    bob.wait_registered(T).expect("bob registered");

    // Picked up: the machine waits a second, then takes the call until the person does.
    let desktop = Desktop::start();
    let app = GuiApp::start(
        &config_with(
            &kamailio,
            "light",
            "enabled = true\nanswer_after_s = 1\nmax_message_s = 120\n",
        ),
        &desktop,
    );
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    bob.dial(&kamailio.user_uri("alice"))
        .expect("bob dials alice");
    let incoming = control.wait("incoming", |v| v["event"] == "incoming_call");
    let call = incoming["call"].clone();
    control.wait("taken by the machine", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "answering_machine"
    });
    let popup = desktop
        .wait_window(POPUP, T)
        .unwrap_or_else(|| panic!("the popup went with the machine: {}", app.log()));
    desktop.screenshot(&popup, "incoming-popup-machine");
    desktop.screenshot(&window, "call-answering-machine");
    desktop.click(&popup, PICK_UP.0, PICK_UP.1);
    control.wait("picked up", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "connected"
    });
    assert!(
        desktop.wait_no_window(POPUP, T),
        "picked up: the popup closes"
    );
    bob.hangup().expect("bob hangs up");
    control.wait("ended", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "ended"
    });
    assert!(app.quit().success());

    // A message: the machine answers at once and stops after a second of message.
    let desktop = Desktop::start();
    let app = GuiApp::start(
        &config_with(
            &kamailio,
            "light",
            "enabled = true\nanswer_after_s = 0\nmax_message_s = 1\n",
        ),
        &desktop,
    );
    desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    bob.dial(&kamailio.user_uri("alice"))
        .expect("bob dials alice");
    control.wait("a message", |v| v["event"] == "voicemail_message");
    let deadline = std::time::Instant::now() + T;
    let shown = loop {
        let received = desktop.dunst.received().expect("notifications");
        if let Some(shown) = received
            .into_iter()
            .find(|n| n.summary.starts_with("New voicemail from bob@127.0.0.1"))
        {
            break shown;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no new-voicemail notification: {:?}",
            desktop.dunst.received()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(shown.urgency, "NORMAL");
    assert!(
        shown.summary.ends_with(" (0:01)") || shown.summary.ends_with(" (0:00)"),
        "the message's length, a second at most: {}",
        shown.summary
    );
    assert!(app.quit().success());
}

/// alice's line (the default) and the Local line, off (it would listen on 5060 and tests run
/// side by side: its page opens all the same).
fn config_two_lines(kamailio: &Kamailio, theme: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "default = true\n".into();
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"en\"\ntheme = \"{theme}\"\n",
        line.toml()
    )
}

/// A call to Ada that ended when Parla stopped in the middle of it (`interrupted`, as the
/// history records it on the next start), and one answered before it.
fn seed_interrupted(profile: &std::path::Path) {
    use parla_core::store::{CallRecord, CallResult, Direction, Store, DB_FILE_NAME};
    let mut store = Store::open(&profile.join(DB_FILE_NAME))
        .expect("database")
        .store;
    let region = "NL".parse().expect("region");
    let now = std::time::SystemTime::now();
    for (ago, result, number, name) in [
        (7200, CallResult::Answered, "+31201234567", "Grace Hopper"),
        (
            1800,
            CallResult::Interrupted,
            "+31207654321",
            "Ada Lovelace",
        ),
    ] {
        let started = now - Duration::from_secs(ago);
        let call = CallRecord {
            direction: Direction::Outgoing,
            account: "alice".into(),
            remote_uri: format!("sip:{number}@127.0.0.1"),
            number: number.into(),
            display_name: name.into(),
            started,
            answered: Some(started + Duration::from_secs(4)),
            ended: started + Duration::from_secs(185),
            result,
            reason: String::new(),
        };
        store.record_call(&call, region).expect("call recorded");
    }
}

/// The navigation's History place (see tests/desktop.rs).
const HISTORY: (u32, u32) = (172, 60);
/// The Local line's name in Settings > Lines, under alice's (see settings-lines.png).
const LOCAL_LINE: (u32, u32) = (100, 305);
/// The SRTP menu on alice's page scrolled 7 notches, and its "Always" entry once open (the
/// menu opens upwards there; see settings-line-security.png).
const SRTP_MENU: (u32, u32) = (210, 345);
const SRTP_ALWAYS: (u32, u32) = (210, 320);
/// Settings' Lines section: the list of lines again (see settings-lines.png).
const LINES_SECTION: (u32, u32) = (58, 135);
/// Empty room at the foot of the window: the pointer rests there for a picture.
const NOWHERE: (u32, u32) = (210, 632);

/// The line's Security and network part (settings-line-security*.png): SRTP with its hint on
/// a line without TLS, the keep-alive; the Local line's direct calls
/// (settings-line-local-security*.png); and the history with an interrupted call
/// (history-interrupted*.png).
#[test]
fn a_lines_page_shows_its_security_and_network_settings() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    for (theme, suffix) in [("light", ""), ("dark", "-dark")] {
        let desktop = Desktop::start();
        let app = GuiApp::start_seeded(
            &config_two_lines(&kamailio, theme),
            &desktop,
            &[],
            seed_interrupted,
        );
        let window = desktop
            .wait_window(MAIN, T)
            .unwrap_or_else(|| panic!("no window: {}", app.log()));
        let mut control = app.control();
        wait_registered(&mut control);
        desktop.click(&window, HISTORY.0, HISTORY.1);
        assert_eq!(
            desktop.wait_window("^History ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens the history"
        );
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("history-interrupted{suffix}"));

        desktop.click(&window, SETTINGS.0, SETTINGS.1);
        assert_eq!(
            desktop.wait_window("^Settings ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens Settings"
        );
        desktop.click(&window, FIRST_LINE.0, FIRST_LINE.1);
        desktop.scroll_down(&window, 7);
        rest_pointer(&desktop, &window);
        desktop.screenshot(&window, &format!("settings-line-security{suffix}"));
        if theme == "light" {
            // Always encrypted: the settings file says so.
            desktop.click(&window, SRTP_MENU.0, SRTP_MENU.1);
            desktop.click(&window, SRTP_ALWAYS.0, SRTP_ALWAYS.1);
            let file = app.profile.path().join("config.toml");
            let deadline = std::time::Instant::now() + T;
            while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("srtp = \"required\"")) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "Always was not saved: {:?}",
                    std::fs::read_to_string(&file)
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        desktop.click(&window, LINES_SECTION.0, LINES_SECTION.1);
        desktop.click(&window, LOCAL_LINE.0, LOCAL_LINE.1);
        desktop.scroll_down(&window, 3);
        rest_pointer(&desktop, &window);
        desktop.screenshot(&window, &format!("settings-line-local-security{suffix}"));
        assert!(app.quit().success());
    }
}

/// Moves the pointer beside the section picker, where it touches nothing on any page.
fn rest_pointer(desktop: &Desktop, window: &str) {
    let ok = Command::new("xdotool")
        .args(["mousemove", "--window", window, "414", "100"])
        .envs(desktop.xvfb.env())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "xdotool moves the pointer");
}
