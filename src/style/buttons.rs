//! Buttons by what they do: answer green, hang up red, the main action in the accent, the rest
//! neutral. All rounded alike.

use iced::border::Border;
use iced::widget::button::{Status, Style};
use iced::{Background, Color, Shadow, Theme};

use super::RADIUS;

/// What a button means, which decides its colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Answer, call: green.
    Answer,
    /// Hang up, decline, delete: red.
    HangUp,
    /// The screen's main action: the accent.
    Accent,
    /// Everything else.
    Neutral,
    /// A toggle that is on (muted, on hold, keypad open): the accent, softly.
    On,
    /// Text only, no background until hovered: a row's secondary action.
    Quiet,
}

/// The style of a button of `tone`, rounded by `radius` (`None`: the usual [`RADIUS`]).
pub fn button_style(tone: Tone, radius: Option<f32>) -> impl Fn(&Theme, Status) -> Style {
    move |theme, status| {
        let p = theme.extended_palette();
        let (rest, hover) = match tone {
            Tone::Answer => (p.success.base, p.success.strong),
            Tone::HangUp => (p.danger.base, p.danger.strong),
            Tone::Accent => (p.primary.base, p.primary.strong),
            Tone::Neutral => (p.background.weak, p.background.strong),
            Tone::On => (p.primary.weak, p.primary.base),
            Tone::Quiet => (p.background.base, p.background.weak),
        };
        let pair = match status {
            Status::Hovered | Status::Pressed => hover,
            Status::Active | Status::Disabled => rest,
        };
        let background = match (tone, status) {
            (Tone::Quiet, Status::Active | Status::Disabled) => None,
            _ => Some(Background::Color(pair.color)),
        };
        let text_color = match tone {
            Tone::Quiet => p.background.base.text,
            _ => pair.text,
        };
        let style = Style {
            background,
            text_color,
            border: Border {
                radius: radius.unwrap_or(RADIUS).into(),
                width: 0.0,
                color: Color::TRANSPARENT,
            },
            shadow: Shadow::default(),
            snap: true,
        };
        if status == Status::Disabled {
            Style {
                background: style.background.map(|b| b.scale_alpha(0.5)),
                text_color: style.text_color.scale_alpha(0.5),
                ..style
            }
        } else {
            style
        }
    }
}
