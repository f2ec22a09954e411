//! The search field of a list: a magnifier, then the field, across the width.

use iced::widget::{row, text, text_input};
use iced::{Alignment, Element, Length};

use super::icon::{icon, Glyph};
use crate::style::{size, space};

/// A search field showing `placeholder` when empty; `id` lets the app focus it.
pub fn search_field<'a, M: Clone + 'a>(
    placeholder: &str,
    value: &str,
    id: &'static str,
    on_input: impl Fn(String) -> M + 'a,
) -> Element<'a, M> {
    row![
        icon(Glyph::Search, size::ICON).style(text::secondary),
        text_input(placeholder, value)
            .id(id)
            .on_input(on_input)
            .size(size::BODY)
            .padding(space::S),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center)
    .width(Length::Fill)
    .into()
}
