//! The window and the tray: what happens to a hidden window while there is no panel.

use super::super::desktop_glue::TrayEvent;
use super::super::engine_link::EngineLink;
use super::super::{with_local_line, App, Launch};
use parla_core::config::Config;

fn minimised_app() -> (App, tempfile::TempDir) {
    let profile = tempfile::tempdir().expect("temp profile");
    let (engine, _commands) = EngineLink::detached();
    let launch = Launch {
        minimised: true,
        ..Launch::default()
    };
    let (app, _) = App::new(
        with_local_line(Config::default()),
        profile.path().to_path_buf(),
        engine,
        launch,
    );
    (app, profile)
}

#[test]
fn a_minimised_start_without_a_panel_shows_the_window() {
    let (mut app, _profile) = minimised_app();
    assert!(!app.main_visible && !app.tray_running());
    let _ = app.on_tray(TrayEvent::Shown {
        shown: false,
        at_start: true,
    });
    assert!(app.main_visible);
    assert!(!app.tray_running(), "closing the window quits");
}

#[test]
fn a_panel_leaving_later_leaves_a_hidden_window_hidden() {
    let (mut app, _profile) = minimised_app();
    let _ = app.on_tray(TrayEvent::Shown {
        shown: true,
        at_start: true,
    });
    let _ = app.on_tray(TrayEvent::Shown {
        shown: false,
        at_start: false,
    });
    assert!(!app.main_visible);
}

#[test]
fn no_session_bus_at_all_shows_a_minimised_window() {
    let (mut app, _profile) = minimised_app();
    let _ = app.on_tray(TrayEvent::Failed("no session bus".into()));
    assert!(app.main_visible);
}
