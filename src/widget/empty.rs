//! What a list shows when it has nothing: a picture, what is missing, and what to do about it.

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length};

use super::icon::{icon, Glyph};
use crate::style::{size, space};

pub fn empty_state<'a, M: 'a>(
    glyph: Glyph,
    title: String,
    hint: String,
    actions: Vec<Element<'a, M>>,
) -> Element<'a, M> {
    let mut content = column![
        icon(glyph, 40.0).style(iced::widget::text::secondary),
        text(title).size(size::TITLE),
        text(hint)
            .size(size::BODY)
            .style(iced::widget::text::secondary)
            .center(),
    ]
    .spacing(space::S)
    .align_x(Alignment::Center)
    .max_width(320);
    if !actions.is_empty() {
        content = content.push(row(actions).spacing(space::S));
    }
    container(content)
        .center_x(Length::Fill)
        .padding([space::XL * 2.0, space::L])
        .into()
}
