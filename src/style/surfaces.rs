//! Containers and rows: cards that group a section, list rows that light up under the pointer
//! and when chosen, the small count badges (the navigation's, a list row's) and the bubbles
//! of a conversation.

use iced::border::Border;
use iced::widget::{button, container};
use iced::{Background, Color, Theme};

use super::RADIUS;

/// A section's card: a slightly raised surface with a hairline border.
pub fn card(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weakest.color)),
        text_color: Some(p.background.weakest.text),
        border: Border {
            radius: RADIUS.into(),
            width: 1.0,
            color: p.background.weak.color,
        },
        ..container::Style::default()
    }
}

/// A standing notice under the top bar (calls are forwarded): the accent, softly, with a
/// hairline of it around.
pub fn banner(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.primary.weak.color)),
        text_color: Some(p.primary.weak.text),
        border: Border {
            radius: RADIUS.into(),
            width: 1.0,
            color: p.primary.base.color,
        },
        ..container::Style::default()
    }
}

/// A list row: flat, lit under the pointer.
pub fn list_row(theme: &Theme, status: button::Status) -> button::Style {
    row_style(theme, status, false)
}

/// The chosen row of a list.
pub fn selected_row(theme: &Theme, status: button::Status) -> button::Style {
    row_style(theme, status, true)
}

fn row_style(theme: &Theme, status: button::Status, selected: bool) -> button::Style {
    let p = theme.extended_palette();
    let pair = match (selected, status) {
        (true, _) => Some(p.primary.weak),
        (false, button::Status::Hovered | button::Status::Pressed) => Some(p.background.weak),
        (false, _) => None,
    };
    button::Style {
        background: pair.map(|pair| Background::Color(pair.color)),
        text_color: pair.map_or(p.background.base.text, |pair| pair.text),
        border: Border {
            radius: (RADIUS - 2.0).into(),
            width: 0.0,
            color: Color::TRANSPARENT,
        },
        ..button::Style::default()
    }
}

/// A count on the navigation (missed calls, messages): white on the danger red, a pill.
pub fn badge(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.danger.base.color)),
        text_color: Some(p.danger.base.text),
        border: Border {
            radius: 9.0.into(),
            width: 0.0,
            color: Color::TRANSPARENT,
        },
        ..container::Style::default()
    }
}

/// The mark of something not seen yet in a list (a voicemail message not heard): a small dot
/// in the accent.
pub fn unread_dot(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.primary.base.color)),
        border: Border {
            radius: 4.0.into(),
            width: 0.0,
            color: Color::TRANSPARENT,
        },
        ..container::Style::default()
    }
}

/// What a status dot says: a busy lamp's or a person's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lamp {
    /// Idle, available: green.
    Idle,
    /// A call rings there: the accent.
    Ringing,
    /// In a call, busy: red.
    Busy,
    /// Away: amber.
    Away,
    /// Offline or not known: grey.
    Unknown,
}

/// A status dot of `lamp`'s colour (a busy lamp, a contact's presence, our own).
pub fn lamp(lamp: Lamp) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let p = theme.extended_palette();
        let color = match lamp {
            Lamp::Idle => p.success.base.color,
            Lamp::Ringing => p.primary.base.color,
            Lamp::Busy => p.danger.base.color,
            Lamp::Away => p.warning.base.color,
            // The text's colour, faint: grey on either theme's surfaces.
            Lamp::Unknown => Color {
                a: 0.35,
                ..p.background.base.text
            },
        };
        container::Style {
            background: Some(Background::Color(color)),
            border: Border {
                radius: 5.0.into(),
                width: 0.0,
                color: Color::TRANSPARENT,
            },
            ..container::Style::default()
        }
    }
}

/// How many are unread in a list row (a conversation): white on the accent, a pill.
pub fn unread_count(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.primary.base.color)),
        text_color: Some(p.primary.base.text),
        ..badge(theme)
    }
}

/// A message we sent: the accent, rounded.
pub fn bubble_ours(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.primary.base.color)),
        text_color: Some(p.primary.base.text),
        border: Border {
            radius: RADIUS.into(),
            width: 0.0,
            color: Color::TRANSPARENT,
        },
        ..container::Style::default()
    }
}

/// A message we received: the raised surface of a card.
pub fn bubble_theirs(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weak.color)),
        text_color: Some(p.background.weak.text),
        border: Border {
            radius: RADIUS.into(),
            width: 0.0,
            color: Color::TRANSPARENT,
        },
        ..container::Style::default()
    }
}
