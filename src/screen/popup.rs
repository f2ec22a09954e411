//! The incoming-call popup: a small window over everything, who is calling (avatar, name,
//! number) and on which line, with round Decline and Answer buttons. When the line's answering
//! machine takes the call it stays, reading "Taking a message", with Hang up and Pick up (the
//! app hangs up on `Decline` of such a call). It is opened without taking the keyboard focus
//! (see app/windows.rs).

use crate::app::calls::{display_number, CallView};
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{avatar, round, tip, Glyph};
use iced::widget::{column, container, row, text, tooltip};
use iced::{Alignment, Element, Length};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Answer,
    Decline,
}

pub const SIZE: iced::Size = iced::Size::new(360.0, 150.0);

pub fn view<'a>(i18n: &I18n, call: &'a CallView, line: Option<String>) -> Element<'a, Choice> {
    let machine = call.is_taking_message();
    let (about, refuse, take) = if machine {
        (
            i18n.tr("call-answering-machine"),
            i18n.tr("hang-up"),
            i18n.tr("call-pick-up"),
        )
    } else {
        (
            i18n.tr("popup-incoming"),
            i18n.tr("decline"),
            i18n.tr("answer"),
        )
    };
    let mut who = column![
        text(about).size(size::CAPTION).style(text::secondary),
        // A caller's address has no spaces: it breaks anywhere rather than run under the buttons.
        text(call.title())
            .size(size::TITLE)
            .wrapping(text::Wrapping::WordOrGlyph)
    ]
    .spacing(2)
    .width(Length::Fill);
    if call.name.is_some() {
        who = who.push(text(display_number(&call.remote)).size(size::BODY));
    }
    if let Some(line) = line {
        who = who.push(
            text(i18n.tr_args("popup-on-line", &[("line", &line)]))
                .size(size::CAPTION)
                .style(text::secondary),
        );
    }
    let choice = |glyph: Glyph, tone: Tone, label: String, choice: Choice| {
        tip(
            round(glyph, tone, 52.0).on_press(choice),
            label,
            tooltip::Position::Top,
        )
    };
    let actions = row![
        choice(Glyph::HangUp, Tone::HangUp, refuse, Choice::Decline),
        choice(Glyph::Call, Tone::Answer, take, Choice::Answer),
    ]
    .spacing(space::M);
    container(
        row![avatar(&call.title(), 56.0), who, actions]
            .spacing(space::M)
            .align_y(Alignment::Center),
    )
    .padding(space::L)
    .width(Length::Fill)
    .height(Length::Fill)
    .style(style::card)
    .into()
}
