//! The head of a list: the search field (a magnifier, then the field, across the width) on
//! a line of its own, so it keeps its width in a narrow (compact) window, and the list's
//! filter and actions under it.

use iced::widget::{column, row, text, text_input};
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

/// `search` over a line of `controls` (the filter first, filling what the actions leave).
pub fn list_header<'a, M: 'a>(
    search: Element<'a, M>,
    controls: Vec<Element<'a, M>>,
) -> Element<'a, M> {
    column![
        search,
        row(controls).spacing(space::S).align_y(Alignment::Center)
    ]
    .spacing(space::S)
    .into()
}
