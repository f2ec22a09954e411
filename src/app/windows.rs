//! The two kinds of window: the main one, and the incoming-call popup. The popup is an X11
//! override-redirect window: the window manager does not manage it, so it never takes the
//! keyboard focus from the application the person is typing in, and it stays on top.

use crate::screen::popup;
use iced::window::{self, Level, Position, Settings};
use iced::{Point, Size};

pub const MAIN_SIZE: Size = Size::new(420.0, 640.0);

pub fn main_settings(visible: bool) -> Settings {
    Settings {
        size: MAIN_SIZE,
        min_size: Some(Size::new(360.0, 480.0)),
        visible,
        exit_on_close_request: false,
        platform_specific: platform(false),
        ..Settings::default()
    }
}

pub fn popup_settings() -> Settings {
    Settings {
        size: popup::SIZE,
        position: Position::SpecificWith(bottom_right),
        resizable: false,
        decorations: false,
        minimizable: false,
        level: Level::AlwaysOnTop,
        exit_on_close_request: false,
        platform_specific: platform(true),
        ..Settings::default()
    }
}

fn bottom_right(window: Size, monitor: Size) -> Point {
    Point::new(
        (monitor.width - window.width - 16.0).max(0.0),
        (monitor.height - window.height - 48.0).max(0.0),
    )
}

#[cfg(target_os = "linux")]
fn platform(popup: bool) -> window::settings::PlatformSpecific {
    window::settings::PlatformSpecific {
        application_id: "parla".into(),
        override_redirect: popup,
    }
}

#[cfg(not(target_os = "linux"))]
fn platform(_popup: bool) -> window::settings::PlatformSpecific {
    window::settings::PlatformSpecific::default()
}
