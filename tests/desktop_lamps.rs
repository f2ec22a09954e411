//! Busy lamps in the desktop app under Xvfb (as tests/desktop.rs runs it): alice's line
//! watching three extensions shows their lamps under the dialer, in the 420-wide window and
//! the compact one, light and dark, with the status picker in the top bar
//! (target/screenshots/lamps*.png); the line's page shows its Busy lamps part
//! (settings-lamps*.png). The lamps are in the unknown state here: nothing answers the line's
//! subscriptions at this Kamailio, and the window takes events only from its engine.
//! With `KamailioOptions::busy_lamps` the lamps light for real: carol calls bob (baresip,
//! answering by hand) and bob's lamp rings, then shows busy (lamps-ringing*.png,
//! lamps-busy.png); a click on the ringing lamp picks carol's call up (lamps-pickup-dark.png).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_core::store::{ContactFields, Phone, PhoneLabel, Store, DB_FILE_NAME};
use serde_json::json;
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};
use support::gui::{Control, Desktop, GuiApp};
use support::*;

const MAIN: &str = "Parla";
/// The navigation's Settings place in the 420-wide main window (see tests/desktop.rs).
const SETTINGS: (u32, u32) = (374, 60);
/// The first line's name in Settings > Lines (see target/screenshots/settings-lines.png).
const FIRST_LINE: (u32, u32) = (100, 238);
/// The Busy lamps part's field on the line's page scrolled 6 notches (see
/// target/screenshots/settings-lamps.png).
const ADD_FIELD: (u32, u32) = (190, 408);
/// The lamps' row at the foot of the 420 x 640 window (see target/screenshots/lamps-call.png).
const LAMP_Y: u32 = 620;
const BOB: &str = "sip:bob@127.0.0.1";
const CONTACTS: (u32, u32) = (107, 60);
const PHONE: (u32, u32) = (42, 60);
/// On Ada's card, Watch beside her number (see target/screenshots/contact-card-watch.png).
const CARD_WATCH: (u32, u32) = (296, 305);
/// The Contacts tab's first contact (see target/screenshots/contacts.png).
const FIRST_CONTACT: (u32, u32) = (150, 222);
/// The status picker in the top bar (see target/screenshots/lamps.png).
const PICKER: (u32, u32) = (360, 17);
/// Busy in the picker's open list (see target/screenshots/presence-picker-dark.png).
const BUSY: (u32, u32) = (340, 76);
/// Empty room: the pointer rests there for a picture without a tooltip or a lit row.
const NOWHERE: (u32, u32) = (410, 150);

/// alice's line (the default) watching 201, 202 and bob, in `theme`; `extra` goes in `[app]`.
fn config(kamailio: &Kamailio, theme: &str, extra: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "default = true\nwatch = [\"201\", \"202\", \"sip:bob@127.0.0.1\"]\n\
                  pickup_code = \"**\"\n"
        .into();
    // The embedded Local line would listen on 5060: off here, tests run side by side.
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"en\"\ntheme = \"{theme}\"\n{extra}",
        line.toml()
    )
}

/// Ada, whose work number is extension 204.
fn seed_ada(profile: &std::path::Path) {
    let mut store = Store::open(&profile.join(DB_FILE_NAME))
        .expect("database")
        .store;
    let ada = ContactFields {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phones: vec![Phone::new(PhoneLabel::Work, "204")],
        ..ContactFields::default()
    };
    store
        .add_contact(&ada, "NL".parse().expect("region"))
        .expect("ada's card");
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

#[test]
fn watched_extensions_show_as_lamps_on_the_phone_tab_and_the_line_page() {
    let kamailio = kamailio_alice_bob();
    let bob = start_bob(&kamailio, None, None);
    for (theme, suffix) in [("light", ""), ("dark", "-dark")] {
        let desktop = Desktop::start();
        let app = GuiApp::start_seeded(&config(&kamailio, theme, ""), &desktop, &[], seed_ada);
        let window = desktop
            .wait_window(MAIN, T)
            .unwrap_or_else(|| panic!("no window: {}", app.log()));
        let mut control = app.control();
        wait_registered(&mut control);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("lamps{suffix}"));
        if theme == "dark" {
            // Our own status: the picker in the top bar.
            desktop.click(&window, PICKER.0, PICKER.1);
            desktop.screenshot(&window, "presence-picker-dark");
            desktop.click(&window, BUSY.0, BUSY.1);
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "presence-busy-dark");
        }
        if theme == "light" {
            // In a call the lamps stay under the call screen; a click there would transfer it.
            control.send(&json!({"cmd": "dial", "account": "alice", "to": BOB}));
            let calling = control.wait("calling", |v| {
                v["event"] == "call_state" && v["state"] == "calling"
            });
            let call = calling["call"].as_u64().expect("call id");
            control.wait_or(
                "connected",
                |v| v["event"] == "call_state" && v["call"] == call && v["state"] == "connected",
                || format!("baresip:\n{}", bob.log_tail(40)),
            );
            assert_eq!(
                desktop.wait_window("^bob@", T).as_deref(),
                Some(window.as_str()),
                "the call screen is up"
            );
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "lamps-call");
            // Resting on a lamp says what a click does.
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            let hover = Command::new("xdotool")
                .args(["mousemove", "--window", &window, "40", &LAMP_Y.to_string()])
                .envs(desktop.xvfb.env())
                .status()
                .is_ok_and(|s| s.success());
            assert!(hover, "xdotool moves the pointer");
            desktop.screenshot(&window, "lamps-call-tip");
            control.send(&json!({"cmd": "hangup", "call": call}));
            control.wait("ended", |v| {
                v["event"] == "call_state" && v["call"] == call && v["state"] == "ended"
            });
        }

        desktop.click(&window, SETTINGS.0, SETTINGS.1);
        assert_eq!(
            desktop.wait_window("^Settings ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens Settings"
        );
        desktop.click(&window, FIRST_LINE.0, FIRST_LINE.1);
        desktop.scroll_down(&window, 14);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("settings-lamps{suffix}"));
        if theme == "light" {
            // A fourth extension typed and added with Enter: the settings file says so.
            desktop.type_into(&window, ADD_FIELD.0, ADD_FIELD.1, "203");
            desktop.key(&window, "Return");
            let file = app.profile.path().join("config.toml");
            let deadline = Instant::now() + T;
            while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("\"203\"")) {
                assert!(
                    Instant::now() < deadline,
                    "203 was not saved: {:?}",
                    std::fs::read_to_string(&file)
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "settings-lamps-added");

            // Ada's card: Watch beside her extension puts it on the line's lamps.
            desktop.click(&window, CONTACTS.0, CONTACTS.1);
            control.wait("the contacts", |v| {
                v["event"] == "contacts" && v["contacts"].as_array().is_some_and(|c| !c.is_empty())
            });
            desktop.click(&window, FIRST_CONTACT.0, FIRST_CONTACT.1);
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "contact-card-watch");
            desktop.click(&window, CARD_WATCH.0, CARD_WATCH.1);
            let deadline = Instant::now() + T;
            while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("\"204\"")) {
                assert!(
                    Instant::now() < deadline,
                    "Watch did not save 204: {:?}",
                    std::fs::read_to_string(&file)
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            // Watched: the card offers it no more; the Phone tab has its lamp.
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "contact-card-watched");
            desktop.click(&window, PHONE.0, PHONE.1);
            desktop.click(&window, NOWHERE.0, NOWHERE.1);
            desktop.screenshot(&window, "lamps-five");
        }
        assert!(app.quit().success());
    }

    // The compact window: the lamps still fit under the dialer.
    let desktop = Desktop::start();
    let app = GuiApp::start(&config(&kamailio, "light", "compact = true\n"), &desktop);
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    desktop.screenshot(&window, "lamps-compact");
    assert!(app.quit().success());
}

/// alice's line watching bob and 201 (where nothing ever rings), in `theme`.
fn watching_bob(kamailio: &Kamailio, theme: &str) -> String {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.extra = "default = true\nwatch = [\"bob\", \"201\"]\n".into();
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"en\"\ntheme = \"{theme}\"\n",
        line.toml()
    )
}

/// bob's lamp in `state`, as the window's engine tells it.
fn bobs_lamp(v: &Value, state: &str) -> bool {
    v["event"] == "presence" && v["account"] == "alice" && v["uri"] == BOB && v["state"] == state
}

/// Waits until bob's lamp is in `state`: at once if the last word on it (seen while waiting
/// for something else) says so.
fn wait_bob(control: &mut Control, state: &str, context: impl Fn() -> String) {
    let last = control
        .seen
        .iter()
        .rev()
        .find(|v| v["event"] == "presence" && v["uri"] == BOB);
    if last.is_some_and(|v| bobs_lamp(v, state)) {
        return;
    }
    control.wait_or(
        &format!("bob's lamp {state}"),
        |v| bobs_lamp(v, state),
        context,
    );
}

/// The window (alice) with its Phone tab in front, registered (bob's first, idle lamp may
/// come before the control socket is connected: not waited on).
fn window_watching_bob(kamailio: &Kamailio, theme: &str) -> (Desktop, GuiApp, String, Control) {
    let desktop = Desktop::start();
    let app = GuiApp::start(&watching_bob(kamailio, theme), &desktop);
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control);
    (desktop, app, window, control)
}

/// bob's lamp lit by a real call through Kamailio with busy lamps on: ringing while carol's
/// call rings at bob, busy once he answers (light); in the dark theme a click on the ringing
/// lamp picks the call up (carol is Parla there: baresip ignores Replaces).
#[test]
fn a_watched_extension_that_rings_lights_its_lamp_and_a_click_picks_up() {
    let mut options = KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]);
    options.busy_lamps = true;
    let kamailio = Kamailio::start(options).expect("kamailio");
    let mut bob_options = BaresipOptions::registering(&kamailio, "bob", "bobpw");
    bob_options.answer_mode = AnswerMode::Manual;
    let bob = Baresip::start(bob_options).expect("baresip bob");
    bob.wait_registered(T).expect("bob registered");

    // Light: carol (baresip) calls bob; the lamp rings, then shows busy.
    {
        let carol = Baresip::start(BaresipOptions::registering(&kamailio, "carol", "carolpw"))
            .expect("baresip carol");
        carol.wait_registered(T).expect("carol registered");
        let (desktop, app, window, mut control) = window_watching_bob(&kamailio, "light");
        carol.dial(&kamailio.user_uri("bob")).expect("carol dials");
        bob.wait_event_type("CALL_INCOMING", T).expect("bob rings");
        wait_bob(&mut control, "ringing", || {
            format!("bob:\n{}", bob.log_tail(40))
        });
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, "lamps-ringing");

        bob.answer().expect("bob answers");
        carol
            .wait_event_type("CALL_ESTABLISHED", T)
            .expect("carol and bob talk");
        wait_bob(&mut control, "busy", String::new);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, "lamps-busy");

        carol.hangup().expect("carol hangs up");
        bob.wait_event_type("CALL_CLOSED", T)
            .expect("bob's call ends");
        wait_bob(&mut control, "available", String::new);
        assert!(
            !control.seen.iter().any(|v| v["event"] == "call_state"),
            "the window placed no call of its own"
        );
        assert!(app.quit().success());
    }

    // Dark: carol (Parla) calls bob; a click on bob's ringing lamp takes the call.
    let mut carol = start(
        &[Line::at(&kamailio, "carol", "carolpw")],
        Some("\n[audio]\ninput = \"null\"\noutput = \"null\"\nmusic_on_hold = \"off\"\n"),
        &[("RUST_LOG", "info,sip=debug")],
    );
    carol.wait_registered("carol");
    let (desktop, app, window, mut control) = window_watching_bob(&kamailio, "dark");
    let carols = carol.dial("carol", &kamailio.user_uri("bob"));
    bob.wait_event_type("CALL_INCOMING", T).expect("bob rings");
    carol.wait_call(carols, "ringing");
    wait_bob(&mut control, "ringing", || app.log());
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "lamps-ringing-dark");

    // bob is the first lamp.
    desktop.click(&window, 40, LAMP_Y);
    let calling = control.wait_or(
        "the pickup call",
        |v| v["event"] == "call_state" && v["state"] == "calling",
        || app.log(),
    );
    assert_eq!(calling["remote"], "sip:carol@127.0.0.1", "{calling}");
    let call = calling["call"].as_u64().expect("call id");
    control.wait("alice connected to carol", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "connected"
    });
    let replaced = carol.wait_call(carols, "ended");
    assert_eq!(replaced["reason"], "replaced", "{replaced}");
    bob.wait_event_type("CALL_CLOSED", T)
        .expect("bob stops ringing");
    // The lamp went idle while the pickup call came up.
    wait_bob(&mut control, "available", || app.log());
    assert_eq!(
        desktop.wait_window("^carol@", T).as_deref(),
        Some(window.as_str()),
        "the call screen is up, with carol"
    );
    desktop.click(&window, NOWHERE.0, NOWHERE.1);
    desktop.screenshot(&window, "lamps-pickup-dark");

    control.send(&json!({"cmd": "hangup", "call": call}));
    control.wait("ended", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "ended"
    });
    assert!(app.quit().success());
    carol.quit();
}
