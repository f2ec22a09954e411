//! The desktop app itself under a test-started X server (Xvfb), session D-Bus with a real
//! StatusNotifierWatcher (the tray) and dunst (notifications), registered to a test Kamailio,
//! with baresip as the other party. It also writes the screenshots to target/screenshots/.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::time::Duration;
use support::gui::{Desktop, GuiApp};
use support::*;

const MAIN: &str = "Parla";
const POPUP: &str = "^Incoming call ";

/// Where the navigation's places (six: phone, contacts, history, chat, voicemail, settings)
/// and the dialer's number field are in the 420-wide main window (see
/// target/screenshots/dialer.png).
const PHONE: (u32, u32) = (42, 60);
const CONTACTS: (u32, u32) = (107, 60);
const HISTORY: (u32, u32) = (172, 60);
const VOICEMAIL: (u32, u32) = (301, 60);
const SETTINGS: (u32, u32) = (374, 60);
const NUMBER_FIELD: (u32, u32) = (190, 133);
/// The Voicemail tab's first message, and the player's play/pause button once it is picked
/// (see target/screenshots/voicemail.png and voicemail-player.png).
const FIRST_MESSAGE: (u32, u32) = (200, 128);
const PLAY_BUTTON: (u32, u32) = (44, 190);
const DELETE_BUTTON: (u32, u32) = (70, 285);
/// The history's link to the message a call left (see target/screenshots/history-voicemail.png).
const HISTORY_MESSAGE_LINK: (u32, u32) = (348, 220);
/// Empty room under the list: the pointer rests there for a picture without a tooltip.
const NOWHERE: (u32, u32) = (200, 600);
/// Settings' Audio section (see target/screenshots/settings.png).
const AUDIO_SECTION: (u32, u32) = (134, 135);
/// The sign-in screen's two fields (see target/screenshots/sign-in.png).
const ADDRESS_FIELD: (u32, u32) = (200, 197);
const PASSWORD_FIELD: (u32, u32) = (200, 268);

/// The provider's domain: numbers dialled on the line go to `sip:NUMBER@pbx.test`.
const DOMAIN: &str = "pbx.test";

fn config(kamailio: &Kamailio, user: &str, password: &str) -> String {
    config_with_theme(kamailio, user, password, "system")
}

/// The config with `[app] theme` set (`system`, `light` or `dark`).
fn config_with_theme(kamailio: &Kamailio, user: &str, password: &str, theme: &str) -> String {
    let mut line = Line::at(kamailio, user, password);
    line.domain = DOMAIN;
    // This provider takes numbers as E.164 digits without the `+`.
    line.extra = "default = true\ninternational_prefix = \"\"\n".into();
    // The embedded Local line would listen on 5060: off here, tests run side by side.
    format!(
        "{}\n[[accounts]]\nid = \"local\"\nusername = \"me\"\ndomain = \"127.0.0.1\"\n\
         register = false\nenabled = false\n\n[audio]\ninput = \"null\"\noutput = \"null\"\n\n\
         [app]\nlanguage = \"en\"\ntheme = \"{theme}\"\n",
        line.toml()
    )
}

/// Asks for `status` until `account` is registered (the window's control socket answers).
fn wait_registered(control: &mut support::gui::Control, account: &str) {
    let deadline = std::time::Instant::now() + T;
    loop {
        control.send(&json!({"cmd": "status"}));
        let status = control.wait("status", |v| v["event"] == "status");
        if registered(&status, account) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{account} never registered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn registered(v: &Value, account: &str) -> bool {
    v["event"] == "status"
        && v["accounts"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["account"] == account && x["state"] == "registered")
        })
}

#[test]
fn first_run_signs_in_with_the_address_and_password_typed_into_the_window() {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw")]);
    options.extra_domains = vec![DOMAIN.into()];
    let kamailio = Kamailio::start(options).expect("kamailio");
    // The server is found from the domain: SRV for UDP, then the host's address.
    let dns = Dnsmasq::start(DnsmasqOptions {
        records: vec![
            DnsRecord::Srv {
                name: format!("_sip._udp.{DOMAIN}"),
                target: format!("sip.{DOMAIN}"),
                port: kamailio.sip_port(),
                priority: 10,
                weight: 10,
            },
            DnsRecord::Host {
                name: format!("sip.{DOMAIN}"),
                ip: "127.0.0.1".parse().expect("ip"),
            },
        ],
        ..Default::default()
    })
    .expect("dnsmasq");
    let servers = dns.addr().to_string();
    let desktop = Desktop::start();
    let app = GuiApp::start_with(
        "[app]\nlanguage = \"en\"\n[[accounts]]\nid = \"local\"\nusername = \"me\"\n\
         domain = \"127.0.0.1\"\nregister = false\nenabled = false\n",
        &desktop,
        &[("PARLA_DNS_SERVERS", servers.as_str())],
    );
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    desktop.screenshot(&window, "sign-in");
    let mut control = app.control();

    desktop.type_into(
        &window,
        ADDRESS_FIELD.0,
        ADDRESS_FIELD.1,
        &format!("alice@{DOMAIN}"),
    );
    desktop.type_into(&window, PASSWORD_FIELD.0, PASSWORD_FIELD.1, "wrong");
    desktop.key(&window, "Return");
    let failed = control.wait("failed sign-in", |v| {
        v["event"] == "registration" && v["state"] == "failed"
    });
    assert_eq!(failed["account"], format!("alice@{DOMAIN}"));
    desktop.screenshot(&window, "sign-in-wrong-password");
    let saved = std::fs::read_to_string(app.profile.path().join("config.toml")).unwrap_or_default();
    assert!(
        !saved.contains("alice"),
        "a failed sign-in saves nothing: {saved}"
    );

    // The right password over the wrong one.
    desktop.type_into(&window, PASSWORD_FIELD.0, PASSWORD_FIELD.1, "alicepw");
    desktop.key(&window, "Return");
    control.wait("signed in", |v| {
        v["event"] == "registration" && v["state"] == "registered"
    });
    kamailio
        .wait_registered("alice", T)
        .expect("alice registered at Kamailio");
    let deadline = std::time::Instant::now() + T;
    let saved = loop {
        let saved =
            std::fs::read_to_string(app.profile.path().join("config.toml")).unwrap_or_default();
        if saved.contains("alice") || std::time::Instant::now() > deadline {
            break saved;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(saved.contains(&format!("domain = \"{DOMAIN}\"")), "{saved}");
    assert!(
        !saved.contains("alicepw"),
        "no password in the file: {saved}"
    );
    desktop.screenshot(&window, "signed-in-no-keyring");
    assert!(app.quit().success());
}

#[test]
fn a_tel_link_from_a_second_launch_calls_through_the_running_app() {
    let mut options = KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("15551234", "numberpw"),
        ("bob", "bobpw"),
    ]);
    options.extra_domains = vec![DOMAIN.into()];
    let kamailio = Kamailio::start(options).expect("kamailio");
    let callee = Baresip::start(BaresipOptions::registering(
        &kamailio, "15551234", "numberpw",
    ))
    .expect("baresip");
    callee.wait_registered(T).expect("15551234 registered");
    let bob = Baresip::start(BaresipOptions::registering(&kamailio, "bob", "bobpw"))
        .expect("baresip bob");
    bob.wait_registered(T).expect("bob registered");
    let desktop = Desktop::start();
    let app = GuiApp::start(&config(&kamailio, "alice", "alicepw"), &desktop);
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control, "alice");
    desktop.screenshot(&window, "dialer");
    // No colour-scheme preference on this desktop (no portal): the light theme.
    let brightness = desktop.brightness(&window);
    assert!(
        brightness > 0.65,
        "the dialer is not light: {brightness:.2}"
    );
    // Settings (its Lines section, then Audio), then back to the phone.
    desktop.click(&window, SETTINGS.0, SETTINGS.1);
    desktop.screenshot(&window, "settings");
    desktop.click(&window, AUDIO_SECTION.0, AUDIO_SECTION.1);
    desktop.screenshot(&window, "settings-audio");
    // Further down: the microphone's processing switches.
    desktop.scroll_down(&window, 3);
    desktop.screenshot(&window, "settings-audio-processing");
    desktop.click(&window, PHONE.0, PHONE.1);

    // The tray item is on the session bus, registered with the watcher.
    let items = desktop
        .watcher
        .wait_for_item(T)
        .expect("tray item registered");
    assert!(!items.is_empty(), "no StatusNotifierItem");

    let (status, took, stderr) = app.second_launch(&["tel:+1 555-1234"]);
    assert!(status.success(), "second launch failed: {stderr}");
    assert!(took < Duration::from_secs(1), "second launch took {took:?}");
    let calling = control.wait("calling", |v| {
        v["event"] == "call_state" && v["state"] == "calling"
    });
    assert!(
        calling["remote"]
            .as_str()
            .is_some_and(|r| r.contains("15551234")),
        "{calling}"
    );
    let call = calling["call"].as_u64().expect("call id");
    control.wait_or(
        "connected",
        |v| v["event"] == "call_state" && v["call"] == call && v["state"] == "connected",
        || {
            format!(
                "kamailio:\n{}\nbaresip:\n{}",
                kamailio.log_tail(30),
                callee.log_tail(60)
            )
        },
    );
    // The window's title names the call once the call screen is up.
    let titled = desktop.wait_window("^15551234 ", T);
    assert_eq!(
        titled.as_deref(),
        Some(window.as_str()),
        "the main window shows the call"
    );
    // The first quality report with a MOS puts the level and the figure beside the time.
    control.wait("quality", |v| {
        v["event"] == "quality" && v["call"] == call && v["mos"].is_number()
    });
    desktop.screenshot(&window, "active-call");
    // Ctrl+T opens the transfer field (typing goes to it), Ctrl+T again closes it.
    desktop.key(&window, "ctrl+t");
    desktop.screenshot(&window, "transfer");
    // Consult first (Ctrl+Shift+T): bob is called from the same line while this call waits
    // on hold; both calls are listed, with Complete transfer and Cancel.
    for key in ["b", "o", "b", "ctrl+shift+t"] {
        desktop.key(&window, key);
    }
    let consult = control.wait("consult call", |v| {
        v["event"] == "call_state" && v["state"] == "calling" && v["call"] != call
    });
    let consult = consult["call"].as_u64().expect("consult call id");
    control.wait("consult connected", |v| {
        v["event"] == "call_state" && v["call"] == consult && v["state"] == "connected"
    });
    desktop
        .wait_window("^bob@", T)
        .unwrap_or_else(|| panic!("the consult call is not on screen: {}", app.log()));
    desktop.screenshot(&window, "consult-transfer");
    // Escape hangs up the consult call; the first call is back on screen, held; Ctrl+H
    // takes it off hold.
    desktop.key(&window, "Escape");
    control.wait("consult ended", |v| {
        v["event"] == "call_state" && v["call"] == consult && v["state"] == "ended"
    });
    desktop
        .wait_window("^15551234 ", T)
        .unwrap_or_else(|| panic!("the held call is not back on screen: {}", app.log()));
    desktop.key(&window, "ctrl+h");
    control.wait("resumed", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "connected"
    });
    // A second call while this one is on: a banner on the call screen (and the popup).
    bob.dial(&kamailio.user_uri("alice"))
        .expect("bob dials alice");
    let waiting = control.wait("waiting call", |v| v["event"] == "incoming_call");
    desktop
        .wait_window(POPUP, T)
        .unwrap_or_else(|| panic!("no popup for the waiting call: {}", app.log()));
    desktop.screenshot(&window, "call-waiting");
    bob.hangup().expect("bob gives up");
    control.wait("waiting call ended", |v| {
        v["event"] == "call_state" && v["call"] == waiting["call"] && v["state"] == "ended"
    });
    assert!(
        desktop.wait_no_window(POPUP, T),
        "the popup closes when the waiting caller gives up"
    );
    callee.hangup().expect("hang up");
    control.wait("ended", |v| {
        v["event"] == "call_state" && v["call"] == call && v["state"] == "ended"
    });

    // An incoming call: the popup window and a notification. The person is typing in the
    // main window: the popup must not take the keyboard from it.
    desktop.click(&window, NUMBER_FIELD.0, NUMBER_FIELD.1);
    desktop.key(&window, "1");
    let typing_in = desktop.focused();
    assert_eq!(typing_in.as_deref(), Some(window.as_str()));
    callee
        .dial(&kamailio.user_uri("alice"))
        .expect("dial alice");
    let incoming = control.wait("incoming", |v| v["event"] == "incoming_call");
    let popup = desktop
        .wait_window(POPUP, T)
        .unwrap_or_else(|| panic!("no popup: {}", app.log()));
    desktop.screenshot(&popup, "incoming-popup");
    assert_eq!(
        desktop.focused(),
        typing_in,
        "the popup took the keyboard focus"
    );
    // Bob's waiting call had a notification of its own before this one.
    let deadline = std::time::Instant::now() + T;
    let shown = loop {
        let received = desktop.dunst.received().expect("notifications");
        if let Some(shown) = received
            .into_iter()
            .find(|n| n.summary == "Incoming call" && n.body.contains("15551234"))
        {
            break shown;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no incoming-call notification for 15551234"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(shown.urgency, "CRITICAL");
    callee.hangup().expect("caller gives up");
    control.wait("incoming ended", |v| {
        v["event"] == "call_state" && v["call"] == incoming["call"] && v["state"] == "ended"
    });
    assert!(
        desktop.wait_no_window(POPUP, T),
        "the popup closes when the caller gives up"
    );
    // History and contacts.
    desktop.click(&window, HISTORY.0, HISTORY.1);
    desktop.screenshot(&window, "history");
    desktop.click(&window, CONTACTS.0, CONTACTS.1);
    desktop.screenshot(&window, "contacts");
    desktop.key(&window, "ctrl+n");
    desktop.screenshot(&window, "contact-form");
    assert!(app.quit().success());
}

/// The dark theme on the screens of the light test above (`*-dark.png`): the dialer, settings,
/// the incoming popup, history and contacts. A desktop with no colour-scheme preference (this
/// Xvfb has no portal) gets the light one, as the other tests show.
#[test]
fn the_dark_theme_draws_every_screen_dark() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("15551234", "numberpw"),
    ]))
    .expect("kamailio");
    let caller = Baresip::start(BaresipOptions::registering(
        &kamailio, "15551234", "numberpw",
    ))
    .expect("baresip");
    caller.wait_registered(T).expect("15551234 registered");
    let desktop = Desktop::start();
    let app = GuiApp::start(
        &config_with_theme(&kamailio, "alice", "alicepw", "dark"),
        &desktop,
    );
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control, "alice");
    let dark = |window: &str, name: &str| {
        desktop.screenshot(window, name);
        let brightness = desktop.brightness(window);
        assert!(
            brightness < 0.35,
            "{name} is not dark: mean brightness {brightness:.2}"
        );
    };
    dark(&window, "dialer-dark");
    // The keyboard alone: Tab walks the navigation (phone, contacts, history, chat,
    // voicemail, settings: the number field and the disabled call button come after), Enter
    // opens the focused place, and its ring shows which one that is.
    for _ in 0..6 {
        desktop.key(&window, "Tab");
    }
    desktop.screenshot(&window, "focus-on-settings-dark");
    desktop.key(&window, "Return");
    // The title names the place ("Settings – Parla"; xdotool's regex reads bytes, so the dash
    // is left out of the pattern).
    assert_eq!(
        desktop.wait_window("^Settings ", T).as_deref(),
        Some(window.as_str()),
        "Tab ×6 and Enter open Settings"
    );
    dark(&window, "settings-dark");
    desktop.key(&window, "ctrl+1");
    assert_eq!(
        desktop.wait_window("^Parla$", T).as_deref(),
        Some(window.as_str()),
        "Ctrl+1 goes back to the phone"
    );

    caller
        .dial(&kamailio.user_uri("alice"))
        .expect("dial alice");
    let incoming = control.wait("incoming", |v| v["event"] == "incoming_call");
    let popup = desktop
        .wait_window(POPUP, T)
        .unwrap_or_else(|| panic!("no popup: {}", app.log()));
    dark(&popup, "incoming-popup-dark");
    // Answered and hung up from the keyboard: Enter answers, Escape hangs up.
    desktop.key(&window, "Return");
    control.wait("answered", |v| {
        v["event"] == "call_state" && v["call"] == incoming["call"] && v["state"] == "connected"
    });
    assert!(
        desktop.wait_window("^15551234 ", T).is_some(),
        "the window shows the call"
    );
    dark(&window, "active-call-dark");
    desktop.key(&window, "Escape");
    control.wait("hung up", |v| {
        v["event"] == "call_state" && v["call"] == incoming["call"] && v["state"] == "ended"
    });
    desktop.click(&window, HISTORY.0, HISTORY.1);
    dark(&window, "history-dark");
    desktop.click(&window, CONTACTS.0, CONTACTS.1);
    dark(&window, "contacts-dark");
    desktop.key(&window, "ctrl+n");
    dark(&window, "contact-form-dark");
    assert!(app.quit().success());
}

/// The compact window (`[app] compact`): the line status with the places as icons on one line,
/// then the dialer; the places are still a key away.
#[test]
fn the_compact_window_keeps_every_place_reachable() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    let desktop = Desktop::start();
    let config = config_with_theme(&kamailio, "alice", "alicepw", "light") + "compact = true\n";
    let app = GuiApp::start(&config, &desktop);
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    let mut control = app.control();
    wait_registered(&mut control, "alice");
    desktop.screenshot(&window, "compact");
    desktop.key(&window, "ctrl+3");
    assert_eq!(
        desktop.wait_window("^History ", T).as_deref(),
        Some(window.as_str()),
        "Ctrl+3 opens the history"
    );
    desktop.screenshot(&window, "compact-history");
    assert!(app.quit().success());
}

/// The first-run sign-in screen in the dark theme.
#[test]
fn the_sign_in_screen_is_dark_too() {
    let desktop = Desktop::start();
    let app = GuiApp::start_with(
        "[app]\nlanguage = \"en\"\ntheme = \"dark\"\n[[accounts]]\nid = \"local\"\n\
         username = \"me\"\ndomain = \"127.0.0.1\"\nregister = false\nenabled = false\n",
        &desktop,
        &[],
    );
    let window = desktop
        .wait_window(MAIN, T)
        .unwrap_or_else(|| panic!("no window: {}", app.log()));
    desktop.screenshot(&window, "sign-in-dark");
    let brightness = desktop.brightness(&window);
    assert!(
        brightness < 0.35,
        "the sign-in screen is not dark: mean brightness {brightness:.2}"
    );
    assert!(app.quit().success());
}

/// A profile holding one message from Ada (left an hour ago): 30 s of a quiet tone as a
/// 16 kHz WAV in `voicemail/`, and its row (with the call's history row) in the database.
fn seed_voicemail(profile: &std::path::Path) {
    use parla_core::store::{
        CallRecord, CallResult, Direction, NewVoicemail, Store, DB_FILE_NAME, VOICEMAIL_DIR,
    };
    let dir = profile.join(VOICEMAIL_DIR);
    std::fs::create_dir_all(&dir).expect("voicemail dir");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(dir.join("ada.wav"), spec).expect("wav");
    for i in 0..16_000 * 30 {
        let t = i as f32 / 16_000.0;
        let sample = (t * 440.0 * std::f32::consts::TAU).sin() * 2_000.0;
        wav.write_sample(sample as i16).expect("sample");
    }
    wav.finalize().expect("wav written");
    let mut store = Store::open(&profile.join(DB_FILE_NAME))
        .expect("database")
        .store;
    let started = std::time::SystemTime::now() - Duration::from_secs(3600);
    let from = format!("sip:+31201234567@{DOMAIN}");
    let call = CallRecord {
        direction: Direction::Incoming,
        account: "alice".into(),
        remote_uri: from.clone(),
        number: "+31201234567".into(),
        display_name: "Ada Lovelace".into(),
        started,
        answered: Some(started + Duration::from_secs(5)),
        ended: started + Duration::from_secs(40),
        result: CallResult::Answered,
        reason: String::new(),
    };
    let message = NewVoicemail {
        account: "alice".into(),
        from,
        name: "Ada Lovelace".into(),
        started,
        duration_ms: 30_000,
        file: "ada.wav".into(),
    };
    store
        .record_voicemail(&call, &message, "NL".parse().expect("region"))
        .expect("message recorded");
}

/// The Voicemail tab, light and dark (`voicemail*.png`): the message listed as not heard,
/// picked (from the history's link in light, from the list in dark), played (the slider moves
/// on), heard once played, paused, and its delete asking first.
#[test]
fn the_voicemail_tab_lists_and_plays_a_message() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    for (theme, suffix) in [("light", ""), ("dark", "-dark")] {
        let desktop = Desktop::start();
        let app = GuiApp::start_seeded(
            &config_with_theme(&kamailio, "alice", "alicepw", theme),
            &desktop,
            &[],
            seed_voicemail,
        );
        let window = desktop
            .wait_window(MAIN, T)
            .unwrap_or_else(|| panic!("no window: {}", app.log()));
        let mut control = app.control();
        wait_registered(&mut control, "alice");
        desktop.click(&window, VOICEMAIL.0, VOICEMAIL.1);
        assert_eq!(
            desktop.wait_window("^Voicemail ", T).as_deref(),
            Some(window.as_str()),
            "the nav opens the Voicemail tab"
        );
        // The window asked for the list; control clients see the answer too.
        control.wait("the list", |v| {
            v["event"] == "voicemail_messages" && v["messages"][0]["name"] == "Ada Lovelace"
        });
        desktop.screenshot(&window, &format!("voicemail{suffix}"));
        if theme == "light" {
            // The call that left it, in the history: its link opens the message.
            desktop.click(&window, HISTORY.0, HISTORY.1);
            desktop.screenshot(&window, "history-voicemail");
            desktop.click(&window, HISTORY_MESSAGE_LINK.0, HISTORY_MESSAGE_LINK.1);
            assert_eq!(
                desktop.wait_window("^Voicemail ", T).as_deref(),
                Some(window.as_str()),
                "the history's link opens the Voicemail tab"
            );
        } else {
            desktop.click(&window, FIRST_MESSAGE.0, FIRST_MESSAGE.1);
        }
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("voicemail-player{suffix}"));
        desktop.click(&window, PLAY_BUTTON.0, PLAY_BUTTON.1);
        // Playing marks it heard; the window fetches the list again.
        control.wait("heard", |v| {
            v["event"] == "voicemail_messages" && v["messages"][0]["heard"] == true
        });
        control.wait("playing on", |v| {
            v["event"] == "playback"
                && v["state"] == "playing"
                && v["position_ms"].as_u64().is_some_and(|p| p >= 2_000)
        });
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot_moving(&window, &format!("voicemail-playing{suffix}"));
        // Pause shows where it stopped.
        desktop.click(&window, PLAY_BUTTON.0, PLAY_BUTTON.1);
        control.wait("paused", |v| {
            v["event"] == "playback" && v["state"] == "paused"
        });
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("voicemail-paused{suffix}"));
        // Delete asks first.
        desktop.click(&window, DELETE_BUTTON.0, DELETE_BUTTON.1);
        desktop.click(&window, NOWHERE.0, NOWHERE.1);
        desktop.screenshot(&window, &format!("voicemail-delete{suffix}"));
        assert!(app.quit().success());
    }
}
