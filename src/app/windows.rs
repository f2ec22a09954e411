//! The two kinds of window: the main one, and the incoming-call popup. The popup is an X11
//! override-redirect window: the window manager does not manage it, so it never takes the
//! keyboard focus from the application the person is typing in, and it stays on top.

use crate::screen::popup;
use iced::window::{self, Level, Position, Settings};
use iced::{Point, Size};
use parla_core::config::WindowGeometry;

pub const MAIN_SIZE: Size = Size::new(420.0, 640.0);
/// The compact window (`[app] compact`): the dialer and the calls, MicroSIP-sized.
pub const COMPACT_SIZE: Size = Size::new(300.0, 480.0);

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

const MIN_SIZE: Size = Size::new(360.0, 480.0);
const COMPACT_MIN_SIZE: Size = Size::new(260.0, 400.0);

/// The default size and the least size of the main window, plain or compact.
pub fn main_sizes(compact: bool) -> (Size, Size) {
    if compact {
        (COMPACT_SIZE, COMPACT_MIN_SIZE)
    } else {
        (MAIN_SIZE, MIN_SIZE)
    }
}
/// Larger than any screen a remembered size could sensibly come from.
const MAX_SIDE: f32 = 8192.0;

/// The main window, where and as big as it was last time (`geometry`), else at the default
/// size (plain or `compact`) where the desktop puts new windows.
pub fn main_settings(visible: bool, geometry: Option<WindowGeometry>, compact: bool) -> Settings {
    let (default, min) = main_sizes(compact);
    let size = geometry.map_or(default, |g| {
        Size::new(
            (g.width as f32).clamp(min.width, MAX_SIDE),
            (g.height as f32).clamp(min.height, MAX_SIDE),
        )
    });
    let position = match geometry.and_then(|g| g.x.zip(g.y)) {
        Some((x, y)) => Position::Specific(Point::new(x as f32, y as f32)),
        None => Position::Default,
    };
    Settings {
        size,
        position,
        min_size: Some(min),
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

#[cfg(test)]
mod geometry_tests {
    use super::*;

    #[test]
    fn a_remembered_size_is_kept_within_sense() {
        let tiny = WindowGeometry {
            width: 10,
            height: 10,
            x: None,
            y: Some(5),
        };
        let settings = main_settings(true, Some(tiny), false);
        assert_eq!(settings.size, MIN_SIZE);
        assert!(
            matches!(settings.position, Position::Default),
            "half a place is no place"
        );
        let huge = WindowGeometry {
            width: u32::MAX,
            height: 900,
            x: Some(-20),
            y: Some(0),
        };
        let settings = main_settings(true, Some(huge), false);
        assert_eq!(settings.size, Size::new(MAX_SIDE, 900.0));
        assert!(matches!(
            settings.position,
            Position::Specific(p) if p == Point::new(-20.0, 0.0)
        ));
        assert_eq!(main_settings(true, None, false).size, MAIN_SIZE);
        assert_eq!(main_settings(true, None, true).size, COMPACT_SIZE);
    }
}
