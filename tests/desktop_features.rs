//! A line's call features in the desktop app under Xvfb (as tests/desktop.rs runs it): alice's
//! line forwards all calls, has two identities and three feature codes. The main window shows
//! the forwarding banner under the top bar (light, dark and compact: features-banner*.png);
//! the dialer's "Call as" and Codes menus open (dialer-call-as.png, dialer-codes.png); the
//! line's page shows its Forwarding, Caller ID and Feature codes parts
//! (settings-forwarding.png, settings-identities.png, settings-codes.png); Settings > Calls its
//! auto-answer list (settings-calls-auto-answer.png) and Settings > Audio the recording
//! settings (settings-recording.png). A click on the banner's "Turn off" leads the engine to
//! report the line's forwarding off, and the banner goes (features-banner-off.png).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use std::time::{Duration, Instant};
use support::gui::{Control, Desktop, GuiApp};
use support::*;

const MAIN: &str = "Parla";
/// The navigation's Phone and Settings places in the 420-wide main window (see tests/desktop.rs).
const PHONE: (u32, u32) = (42, 60);
const SETTINGS: (u32, u32) = (374, 60);
/// The banner's "Turn off" (see target/screenshots/features-banner.png).
const TURN_OFF: (u32, u32) = (360, 110);
/// The dialer's "Call as" menu and Codes button under the banner (see
/// target/screenshots/features-banner.png).
const CALL_AS: (u32, u32) = (180, 217);
const CODES: (u32, u32) = (330, 217);
/// Settings > Lines' first line, below the banner (see target/screenshots/settings-lines.png).
const FIRST_LINE: (u32, u32) = (100, 282);
/// Settings' Audio and Calls sections, below the banner.
const AUDIO_SECTION: (u32, u32) = (134, 179);
const CALLS_SECTION: (u32, u32) = (206, 179);
/// Empty room: the pointer rests there for a picture without a tooltip or a lit row.
const NOWHERE: (u32, u32) = (412, 138);

/// alice's line (the default) forwarding all calls, with two identities and three codes, in
/// `theme`; `extra` goes in `[app]`.
fn config(kamailio: &Kamailio, theme: &str, extra: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "default = true\n\
        identities = [\
          { display_name = \"Sales\", user = \"+31201234567\" }, \
          { display_name = \"Support\", user = \"support\", default = true }]\n\
        feature_codes = [\
          { name = \"Forward all calls\", code = \"*72{}\", kind = \"forward_always_on\" }, \
          { name = \"Voicemail\", code = \"*98\", kind = \"voicemail\" }, \
          { name = \"Park\", code = \"#72\", kind = \"park\", in_call = true }]\n\
        forwarding = { always = \"0612 345 678\" }\n"
        .into();
    // The embedded Local line would listen on 5060: off here, tests run side by side.
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"en\"\ntheme = \"{theme}\"\nauto_answer = true\n\
         auto_answer_only = [\"201\", \"sip:boss@127.0.0.1\"]\nintercom = true\n{extra}",
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

fn open_window(
    kamailio: &Kamailio,
    theme: &str,
    extra: &str,
) -> (Desktop, GuiApp, String, Control) {
    let desktop = Desktop::start();
    let app = GuiApp::start(&config(kamailio, theme, extra), &desktop);
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    (desktop, app, window, control)
}

#[test]
fn forwarding_shows_at_a_glance_and_the_line_features_have_their_menus_and_parts() {
    let kamailio = kamailio_alice_bob();

    let (desktop, app, window, control) = open_window(&kamailio, "dark", "");
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "features-banner-dark");
    drop(control);
    assert!(app.quit().success());

    let (desktop, app, window, control) = open_window(&kamailio, "light", "compact = true\n");
    desktop.screenshot(&window, "features-banner-compact");
    drop(control);
    assert!(app.quit().success());

    let (desktop, app, window, mut control) = open_window(&kamailio, "light", "");
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "features-banner");

    desktop.click(&window, CALL_AS.0, CALL_AS.1);
    desktop.screenshot(&window, "dialer-call-as");
    desktop.key(&window, "Escape");
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.click(&window, CODES.0, CODES.1);
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "dialer-codes");
    desktop.click(&window, CODES.0, CODES.1);

    desktop.click(&window, SETTINGS.0, SETTINGS.1);
    assert_eq!(
        desktop.wait_window("^Settings ", T).as_deref(),
        Some(window.as_str()),
        "the nav opens Settings"
    );
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "settings-lines-forwarded");
    desktop.click(&window, FIRST_LINE.0, FIRST_LINE.1);
    // One notch at a time (a burst of them scrolls unevenly): about 120 pixels each.
    for notch in 1..=6 {
        desktop.scroll_down(&window, 1);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        match notch {
            2 => desktop.screenshot(&window, "settings-forwarding"),
            3 => desktop.screenshot(&window, "settings-identities"),
            6 => desktop.screenshot(&window, "settings-codes"),
            _ => continue,
        };
    }

    desktop.click(&window, CALLS_SECTION.0, CALLS_SECTION.1);
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "settings-calls-auto-answer");
    desktop.click(&window, AUDIO_SECTION.0, AUDIO_SECTION.1);
    desktop.scroll_down(&window, 10);
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "settings-recording");

    // "Turn off" on the banner: the engine reports the line's forwarding off.
    desktop.click(&window, PHONE.0, PHONE.1);
    desktop.click(&window, TURN_OFF.0, TURN_OFF.1);
    let off = control.wait_or(
        "forwarding turned off",
        |v| v["event"] == "forwarding" && v["account"] == "alice" && v["active"] == false,
        || app.log(),
    );
    assert!(off["forwarding"]["always"].is_null(), "{off}");
    let file = app.profile.path().join("config.toml");
    let deadline = Instant::now() + T;
    while std::fs::read_to_string(&file).is_ok_and(|t| t.contains("0612 345 678")) {
        assert!(Instant::now() < deadline, "the forward stayed in the file");
        std::thread::sleep(Duration::from_millis(100));
    }
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "features-banner-off");
    assert!(app.quit().success());
}
