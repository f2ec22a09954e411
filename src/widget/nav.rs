//! The main window's navigation: one item per place, with an icon, a label and a count (missed
//! calls, new voicemail, unread messages) when there is one.

use iced::widget::{button, column, container, row, stack, text, tooltip};
use iced::{Alignment, Element, Length, Padding};

use super::action::tip;
use super::focus::Press;
use super::icon::{icon, Glyph};
use crate::style::{self, size, space, Tone};

/// The least share of the width an item gets, in characters of its name (plus one, for the
/// room around it): enough for the icon with its badge.
const MIN_SHARE: u16 = 8;

/// One navigation item; `count` above zero shows a badge on the icon. In the `compact` window
/// the icon stands alone, its label a tooltip.
pub fn nav_item<'a, M: Clone + 'a>(
    glyph: Glyph,
    label: String,
    count: u32,
    active: bool,
    on_press: M,
    compact: bool,
) -> Element<'a, M> {
    let tone = if active { Tone::On } else { Tone::Quiet };
    if compact {
        let item = button(badged(glyph, size::ICON, 4.0, count))
            .padding(space::XS)
            .style(style::button_style(tone, None))
            .press(on_press);
        return tip(item, label, tooltip::Position::Bottom);
    }
    // Six places share the width: a long name ("Impostazioni", "Instellingen") gets more of it
    // than a short one, and a name that still does not fit is cut, never drawn over the next.
    let share = u16::try_from(label.chars().count() + 1)
        .unwrap_or(u16::MAX)
        .max(MIN_SHARE);
    button(
        container(
            column![
                badged(glyph, 20.0, 12.0, count),
                text(label)
                    .size(size::CAPTION)
                    .wrapping(text::Wrapping::None)
            ]
            .spacing(2)
            .align_x(Alignment::Center),
        )
        .center_x(Length::Fill),
    )
    .width(Length::FillPortion(share))
    .clip(true)
    .padding([space::XS, 0.0])
    .style(style::button_style(tone, None))
    .press(on_press)
}

/// `glyph` with a count badge at its top right when `count` is above zero; `room` is the
/// space at each side, where the badge sits.
fn badged<'a, M: 'a>(glyph: Glyph, icon_size: f32, room: f32, count: u32) -> Element<'a, M> {
    let mut picture = stack![container(icon(glyph, icon_size)).padding([2.0, room])];
    if count > 0 {
        let shown = super::action::badge_text(count);
        picture = picture.push(
            container(
                container(text(shown).size(10))
                    .padding(Padding::from([1.0, 5.0]))
                    .style(style::badge),
            )
            .align_right(Length::Fill),
        );
    }
    picture.into()
}

/// Items side by side, sharing the width (no gap: the room around each name keeps them apart,
/// and six long names need all of it).
pub fn nav_bar<'a, M: 'a>(items: Vec<Element<'a, M>>) -> Element<'a, M> {
    row(items).into()
}
