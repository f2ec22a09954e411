//! The two kinds of window: the main one, and the incoming-call popup. The popup is an X11
//! override-redirect window: the window manager does not manage it, so it never takes the
//! keyboard focus from the application the person is typing in, and it stays on top.

use crate::screen::popup;
use iced::window::{self, Level, Position, Settings};
use iced::{Point, Size};

pub const MAIN_SIZE: Size = Size::new(420.0, 640.0);

/// The app icon (assets/icons/hicolor/scalable/apps/parla.svg) as 64x64 straight RGBA, written by
/// scripts/render-icons.sh: embedded raw, so the window needs no PNG decoder (iced's `image`
/// feature) and nothing is decoded at start.
const ICON_SIZE: u32 = 64;
const ICON_RGBA: &[u8] = include_bytes!("../../assets/icons/parla-64.rgba");

/// The window's icon (title bar, task switcher); `None` only if the embedded pixels were
/// damaged, which a test rules out.
pub fn app_icon() -> Option<window::Icon> {
    window::icon::from_rgba(ICON_RGBA.to_vec(), ICON_SIZE, ICON_SIZE)
        .inspect_err(|e| tracing::warn!(error = %e, "the window icon"))
        .ok()
}

pub fn main_settings(visible: bool) -> Settings {
    Settings {
        size: MAIN_SIZE,
        min_size: Some(Size::new(360.0, 480.0)),
        visible,
        exit_on_close_request: false,
        icon: app_icon(),
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
        icon: app_icon(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_icon_is_64_square_rgba_with_transparent_corners() {
        assert_eq!(ICON_RGBA.len(), (ICON_SIZE * ICON_SIZE * 4) as usize);
        assert!(app_icon().is_some());
        let pixel = |x: usize, y: usize| {
            let i = (y * ICON_SIZE as usize + x) * 4;
            &ICON_RGBA[i..i + 4]
        };
        assert_eq!(pixel(0, 0)[3], 0, "rounded corner");
        // the indigo square, below the speech bubble
        assert_eq!(pixel(32, 58), [0x39, 0x49, 0xab, 0xff]);
    }
}
