//! The pieces every settings section is built from: a titled card, a labelled control, an
//! on/off switch, a hint and a tooltip.

use iced::widget::{column, container, text, toggler, tooltip};
use iced::{Element, Length};

use super::Msg;
use crate::style::{self, size, space};
use crate::widget::focus::focusable;

/// A titled group of settings on a card.
pub(super) fn group<'a>(title: String, body: impl Into<Element<'a, Msg>>) -> Element<'a, Msg> {
    column![
        text(title).size(size::TITLE),
        container(body)
            .padding(space::M)
            .width(Length::Fill)
            .style(style::card),
    ]
    .spacing(space::S)
    .into()
}

/// A control with its label above it (room for long translations in a narrow window).
pub(super) fn labelled<'a>(
    label: String,
    control: impl Into<Element<'a, Msg>>,
) -> Element<'a, Msg> {
    column![text(label).size(size::BODY), control.into()]
        .spacing(space::XS)
        .into()
}

/// An on/off setting: the switch, then what it does. Tab reaches it; Enter or Space flips it.
pub(super) fn switch<'a>(
    on: bool,
    label: String,
    msg: impl Fn(bool) -> Msg + 'a,
) -> Element<'a, Msg> {
    let flip = msg(!on);
    focusable(
        toggler(on)
            .label(label)
            .text_size(size::BODY)
            .spacing(space::M)
            .width(Length::Fill)
            .on_toggle(msg),
        Some(flip),
    )
}

/// A secondary line of explanation.
pub(super) fn hint<'a>(hint: String) -> Element<'a, Msg> {
    text(hint).size(size::CAPTION).style(text::secondary).into()
}

/// `content` with `label` shown under the pointer.
pub(super) fn tip<'a>(content: impl Into<Element<'a, Msg>>, label: String) -> Element<'a, Msg> {
    crate::widget::tip(content, label, tooltip::Position::Bottom)
}

/// An entry of a settings menu: the value and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice<T> {
    pub value: T,
    pub label: String,
}

impl<T> std::fmt::Display for Choice<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// The menu's entries for `values`, each with its translated name from `key`.
pub fn choices<T: Copy>(i18n: &crate::i18n::I18n, values: &[(T, &str)]) -> Vec<Choice<T>> {
    values
        .iter()
        .map(|(value, key)| Choice {
            value: *value,
            label: i18n.tr(key),
        })
        .collect()
}
