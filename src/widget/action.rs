//! Buttons with an icon: a label beside it (`action`), a round one for answer and hang up
//! (`round`), a call-screen tile with the label under the icon (`tile`), and an icon alone with
//! its label as a tooltip (`icon_button`).

use iced::widget::{button, column, container, row, text, tooltip, Button};
use iced::{Alignment, Element, Length};

use super::focus::Press;
use super::icon::{icon, Glyph};
use crate::style::{button_style, size, space, Tone};

/// An icon and a label on a rounded button of `tone`.
pub fn action<'a, M: 'a>(glyph: Glyph, label: String, tone: Tone) -> Button<'a, M> {
    button(
        row![icon(glyph, size::ICON), text(label).size(size::BODY)]
            .spacing(space::S)
            .align_y(Alignment::Center),
    )
    .padding([space::S, space::M])
    .style(button_style(tone, None))
}

/// [`action`] with a count badge after the label when `count` is above zero (new voicemail).
pub fn counted_action<'a, M: 'a>(
    glyph: Glyph,
    label: String,
    tone: Tone,
    count: u32,
) -> Button<'a, M> {
    let mut content = row![icon(glyph, size::ICON), text(label).size(size::BODY)]
        .spacing(space::S)
        .align_y(Alignment::Center);
    if count > 0 {
        content = content.push(
            container(text(badge_text(count)).size(size::CAPTION))
                .padding([1.0, 6.0])
                .style(crate::style::badge),
        );
    }
    button(content)
        .padding([space::S, space::M])
        .style(button_style(tone, None))
}

/// A count as a badge shows it: up to 99, then "99+".
pub fn badge_text(count: u32) -> String {
    if count > 99 {
        "99+".to_owned()
    } else {
        count.to_string()
    }
}

/// A round button of `diameter` pixels with a centred icon: answer, decline, call, hang up.
pub fn round<'a, M: 'a>(glyph: Glyph, tone: Tone, diameter: f32) -> Button<'a, M> {
    button(
        container(icon(glyph, diameter * 0.42))
            .center_x(Length::Fill)
            .center_y(Length::Fill),
    )
    .width(diameter)
    .height(diameter)
    .padding(0)
    .style(button_style(tone, Some(diameter / 2.0)))
}

/// A call-screen control: the icon over its label, lit while `on`; controls in a row share
/// its width.
pub fn tile<'a, M: 'a>(glyph: Glyph, label: String, on: bool) -> Button<'a, M> {
    button(
        column![
            icon(glyph, 22.0),
            text(label).size(size::CAPTION).width(Length::Fill).center()
        ]
        .spacing(space::XS)
        .align_x(Alignment::Center),
    )
    .width(Length::Fill)
    .padding([space::S, space::XS])
    .style(button_style(
        if on { Tone::On } else { Tone::Neutral },
        None,
    ))
}

/// `content` with `label` shown in a small box when the pointer rests on it.
pub fn tip<'a, M: 'a>(
    content: impl Into<Element<'a, M>>,
    label: String,
    position: tooltip::Position,
) -> Element<'a, M> {
    tooltip(
        content,
        container(text(label).size(size::CAPTION))
            .padding([space::XS, space::S])
            .style(container::rounded_box),
        position,
    )
    .into()
}

/// An icon alone, its label shown as a tooltip; `Quiet` unless given another tone.
pub fn icon_button<'a, M: Clone + 'a>(
    glyph: Glyph,
    label: String,
    tone: Tone,
    on_press: Option<M>,
) -> Element<'a, M> {
    tip(
        button(icon(glyph, size::ICON))
            .padding(space::S)
            .style(button_style(tone, None))
            .press_maybe(on_press),
        label,
        tooltip::Position::Bottom,
    )
}
