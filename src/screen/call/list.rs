//! The call screen's list of calls (when there is more than one): who, and the state of each
//! in words (and the recording indicator); a row focuses its call, a held one can be swapped
//! to. And the banner of a call waiting while another is on.

use super::{recording, state_text, Action};
use crate::app::calls::CallView;
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{avatar, icon_button, round, tip, Glyph, Press};
use iced::widget::{button, column, container, row, text, tooltip};
use iced::{Alignment, Element, Length};
use parla_core::api::CallState;
use parla_core::CallId;
use std::time::Instant;

/// A call's state in words, for the list: "Active" rather than the running time.
pub fn list_state(i18n: &I18n, call: &CallView, now: Instant) -> String {
    match call.state {
        _ if call.transferring => i18n.tr("call-transferring"),
        _ if call.in_conference => i18n.tr("conference-in"),
        CallState::Connected => i18n.tr("call-active"),
        _ => state_text(i18n, call, now),
    }
}

/// The calls, one row each: who, and what state the call is in.
pub fn calls<'a>(
    i18n: &I18n,
    calls: &[&CallView],
    focused: CallId,
    now: Instant,
) -> Element<'a, (CallId, Action)> {
    let mut list = column![].spacing(space::XS);
    for call in calls {
        let mut row = row![
            avatar(&call.title(), 28.0),
            container(
                text(call.title())
                    .size(size::BODY)
                    .wrapping(text::Wrapping::None)
            )
            .width(Length::Fill)
            .clip(true),
            recording::indicator(call, now),
            text(list_state(i18n, call, now))
                .size(size::CAPTION)
                .style(text::secondary),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center);
        if call.state == CallState::OnHold && call.id != focused {
            row = row.push(icon_button(
                Glyph::Resume,
                i18n.tr("call-swap"),
                Tone::Answer,
                Some((call.id, Action::Swap)),
            ));
        }
        list = list.push(
            button(row)
                .width(Length::Fill)
                .padding([space::XS, space::S])
                .style(if call.id == focused {
                    style::selected_row
                } else {
                    style::list_row
                })
                .press((call.id, Action::Focus)),
        );
    }
    container(list).padding(space::XS).style(style::card).into()
}

/// A call waiting while another is on: who, and Decline / Answer (answering holds the
/// active call first); one the answering machine has: "Taking a message", Hang up / Pick up.
pub fn waiting_banner<'a>(i18n: &I18n, call: &CallView) -> Element<'a, (CallId, Action)> {
    let id = call.id;
    let (about, refuse, refuse_label, take_label) = if call.is_taking_message() {
        (
            "call-answering-machine",
            Action::Hangup,
            "hang-up",
            "call-pick-up",
        )
    } else {
        ("call-waiting", Action::Decline, "decline", "answer")
    };
    container(
        row![
            avatar(&call.title(), 36.0),
            column![
                text(i18n.tr(about))
                    .size(size::CAPTION)
                    .style(text::secondary),
                text(call.title()).size(size::BODY),
            ]
            .spacing(2)
            .width(Length::Fill),
            tip(
                round(Glyph::HangUp, Tone::HangUp, 40.0).press((id, refuse)),
                i18n.tr(refuse_label),
                tooltip::Position::Bottom
            ),
            tip(
                round(Glyph::Call, Tone::Answer, 40.0).press((id, Action::Answer)),
                i18n.tr(take_label),
                tooltip::Position::Bottom
            ),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center),
    )
    .padding(space::S)
    .width(Length::Fill)
    .style(style::card)
    .into()
}
