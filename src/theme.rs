//! Parla's colours: one palette with an indigo accent (the app icon's), in a light and a dark
//! variant. The window follows the desktop's colour-scheme preference (the XDG portal setting,
//! read by iced) unless `[app] theme` fixes one. Every screen draws with iced's widgets on this
//! theme: buttons in `primary` (the accent), `success` (answer, call), `danger` (hang up,
//! delete), `secondary` and `text` take their colours from here, so no screen styles itself.

use iced::theme::palette::{Extended, Pair};
use iced::theme::{Mode, Palette};
use iced::{color, Color, Theme};
use parla_core::config::ThemeSetting;

/// The light variant: near-white background, ink text, indigo accent.
pub const LIGHT: Palette = Palette {
    background: color!(0xf7f7fa),
    text: color!(0x1c1b22),
    primary: color!(0x3949ab),
    success: color!(0x1e7b34),
    warning: color!(0x8a5300),
    danger: color!(0xc62828),
};

/// The dark variant: the same hues, lightened to read on a near-black background.
pub const DARK: Palette = Palette {
    background: color!(0x1b1b21),
    text: color!(0xe6e4ec),
    primary: color!(0x9fa8ff),
    success: color!(0x63c27d),
    warning: color!(0xf2b84b),
    danger: color!(0xff8a80),
};

/// Whether the window is light or dark: the setting, else what the desktop prefers (light
/// when it says nothing).
pub fn is_dark(setting: ThemeSetting, desktop: Mode) -> bool {
    match setting {
        ThemeSetting::Light => false,
        ThemeSetting::Dark => true,
        ThemeSetting::System => desktop == Mode::Dark,
    }
}

pub fn theme(setting: ThemeSetting, desktop: Mode) -> Theme {
    if is_dark(setting, desktop) {
        Theme::custom_with_fn("Parla dark", DARK, extended)
    } else {
        Theme::custom_with_fn("Parla light", LIGHT, extended)
    }
}

/// iced's shades of the palette (hover, pressed, weak and strong surfaces), with every label
/// made to read at WCAG AA: iced picks label colours by its own lightness test, which lets a
/// few hover shades fall under 4.5:1.
fn extended(palette: Palette) -> Extended {
    let mut x = Extended::generate(palette);
    for pair in [
        &mut x.background.base,
        &mut x.background.weakest,
        &mut x.background.weaker,
        &mut x.background.weak,
        &mut x.background.neutral,
        &mut x.background.strong,
        &mut x.background.stronger,
        &mut x.background.strongest,
        &mut x.primary.base,
        &mut x.primary.weak,
        &mut x.primary.strong,
        &mut x.secondary.base,
        &mut x.secondary.weak,
        &mut x.secondary.strong,
        &mut x.success.base,
        &mut x.success.weak,
        &mut x.success.strong,
        &mut x.warning.base,
        &mut x.warning.weak,
        &mut x.warning.strong,
        &mut x.danger.base,
        &mut x.danger.weak,
        &mut x.danger.strong,
    ] {
        *pair = legible(*pair);
    }
    x
}

/// The pair with its text kept when it reads at 4.5:1, else black or white, whichever reads
/// better.
fn legible(pair: Pair) -> Pair {
    if contrast(pair.text, pair.color) >= AA {
        return pair;
    }
    let text = if contrast(Color::WHITE, pair.color) >= contrast(Color::BLACK, pair.color) {
        Color::WHITE
    } else {
        Color::BLACK
    };
    Pair {
        color: pair.color,
        text,
    }
}

/// WCAG 2 AA contrast for body text.
const AA: f32 = 4.5;

/// WCAG 2 relative luminance.
fn luminance(c: Color) -> f32 {
    let channel = |v: f32| {
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

/// WCAG 2 contrast ratio, 1 to 21.
pub(crate) fn contrast(a: Color, b: Color) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of text and background the widgets draw: body text, and the label on each
    /// kind of button and on hovered/pressed rows.
    fn pairs(palette: Palette) -> Vec<(&'static str, Pair)> {
        let x = extended(palette);
        vec![
            (
                "text on background",
                Pair {
                    color: palette.background,
                    text: palette.text,
                },
            ),
            ("background.weak", x.background.weak),
            ("background.strong", x.background.strong),
            ("primary", x.primary.base),
            ("primary.strong", x.primary.strong),
            ("secondary", x.secondary.base),
            ("success", x.success.base),
            ("success.strong", x.success.strong),
            ("warning", x.warning.base),
            ("danger", x.danger.base),
            ("danger.strong", x.danger.strong),
        ]
    }

    #[test]
    fn text_reads_at_wcag_aa_on_every_surface_in_both_themes() {
        for (name, palette) in [("light", LIGHT), ("dark", DARK)] {
            for (what, pair) in pairs(palette) {
                let ratio = contrast(pair.text, pair.color);
                assert!(
                    ratio >= 4.5,
                    "{name}: {what} has contrast {ratio:.2}, under 4.5"
                );
            }
        }
    }

    #[test]
    fn the_accent_and_the_call_colours_stand_out_from_the_background() {
        // Buttons and focus rings need 3:1 against what surrounds them (WCAG 1.4.11).
        for (name, palette) in [("light", LIGHT), ("dark", DARK)] {
            for (what, colour) in [
                ("primary", palette.primary),
                ("success", palette.success),
                ("danger", palette.danger),
            ] {
                let ratio = contrast(colour, palette.background);
                assert!(
                    ratio >= 3.0,
                    "{name}: {what} against the background: {ratio:.2}"
                );
            }
        }
    }

    #[test]
    fn the_setting_wins_and_system_follows_the_desktop() {
        assert!(!is_dark(ThemeSetting::System, Mode::None));
        assert!(!is_dark(ThemeSetting::System, Mode::Light));
        assert!(is_dark(ThemeSetting::System, Mode::Dark));
        assert!(is_dark(ThemeSetting::Dark, Mode::Light));
        assert!(!is_dark(ThemeSetting::Light, Mode::Dark));
        assert_eq!(theme(ThemeSetting::Dark, Mode::None).palette(), DARK);
    }
}
