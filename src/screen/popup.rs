//! The incoming-call popup: a small window over everything, who is calling and on which line,
//! Answer and Decline. It is opened without taking the keyboard focus (see app/windows.rs).

use crate::app::calls::{display_number, CallView};
use crate::i18n::I18n;
use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Element, Length};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Answer,
    Decline,
}

pub const SIZE: iced::Size = iced::Size::new(340.0, 150.0);

pub fn view<'a>(i18n: &I18n, call: &'a CallView, line: Option<String>) -> Element<'a, Choice> {
    let mut who = column![
        text(i18n.tr("popup-incoming")).size(12),
        text(call.title()).size(20)
    ]
    .spacing(2);
    if call.name.is_some() {
        who = who.push(text(display_number(&call.remote)).size(13));
    }
    if let Some(line) = line {
        who = who.push(text(i18n.tr_args("popup-on-line", &[("line", &line)])).size(11));
    }
    let actions = row![
        button(text(i18n.tr("answer")))
            .style(button::success)
            .padding([8, 20])
            .on_press(Choice::Answer),
        button(text(i18n.tr("decline")))
            .style(button::danger)
            .padding([8, 20])
            .on_press(Choice::Decline),
    ]
    .spacing(12);
    container(column![who, actions].spacing(10).align_x(Alignment::Start))
        .padding(14)
        .width(Length::Fill)
        .height(Length::Fill)
        .style(container::bordered_box)
        .into()
}
