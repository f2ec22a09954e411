//! Transfer and add call on the call screen: the transfer field ("Transfer now" sends the
//! call on blind, "Consult first" calls the target while the call waits on hold), the bar of
//! a consult pair (Complete transfer / Cancel), and the add call field.

use super::Action;
use crate::app::calls::CallView;
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, avatar, Glyph, Press};
use iced::widget::{button, column, container, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::CallId;

/// A transfer with a consult call: `held` (the call being transferred, waiting on hold) and
/// `target` (the consult call, once the engine has placed it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consult {
    pub held: CallId,
    pub target: Option<CallId>,
}

/// A contact whose name or number matches what the transfer or add call field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub name: String,
    pub number: String,
}

impl Consult {
    pub fn involves(&self, call: CallId) -> bool {
        self.held == call || self.target == Some(call)
    }
}

/// Where to send the call: a number or address, then "Transfer now" (blind) or "Consult
/// first" (offered unless a consult is already going on).
pub fn transfer_field<'a>(
    i18n: &I18n,
    id: CallId,
    to: &str,
    can_consult: bool,
) -> Element<'a, (CallId, Action)> {
    let ready = !to.trim().is_empty();
    column![
        text_input(&i18n.tr("dialer-placeholder"), to)
            .id("transfer-to")
            .on_input(move |t| (id, Action::TransferTo(t)))
            .on_submit_maybe(ready.then_some((id, Action::Transfer)))
            .size(size::BODY)
            .padding(space::S),
        row![
            action(Glyph::Transfer, i18n.tr("call-transfer-now"), Tone::Accent)
                .width(Length::Fill)
                .press_maybe(ready.then_some((id, Action::Transfer))),
            action(Glyph::Call, i18n.tr("call-consult"), Tone::Neutral)
                .width(Length::Fill)
                .press_maybe((ready && can_consult).then_some((id, Action::Consult))),
        ]
        .spacing(space::S),
    ]
    .spacing(space::S)
    .into()
}

/// The consult pair on either call's screen: who goes to whom, Complete transfer (once the
/// consult call is up) and Cancel (hang up the consult call, back to the held one).
pub fn consult_bar<'a>(
    i18n: &I18n,
    consult: Consult,
    held: Option<&CallView>,
    target: Option<&CallView>,
) -> Element<'a, (CallId, Action)> {
    let id = consult.held;
    let held_name = held.map(CallView::title).unwrap_or_default();
    let target_name = target.map_or_else(|| "…".to_string(), CallView::title);
    let busy = held.is_some_and(|c| c.transferring) || target.is_some_and(|c| c.transferring);
    let can_complete = target.is_some_and(CallView::is_live) && !busy;
    container(
        column![
            text(i18n.tr_args(
                "call-consult-about",
                &[("held", &held_name), ("target", &target_name)]
            ))
            .size(size::CAPTION)
            .style(text::secondary),
            row![
                action(
                    Glyph::Transfer,
                    i18n.tr("call-complete-transfer"),
                    Tone::Accent
                )
                .width(Length::Fill)
                .press_maybe(can_complete.then_some((id, Action::CompleteTransfer))),
                action(Glyph::Close, i18n.tr("cancel"), Tone::Neutral)
                    .press_maybe((!busy).then_some((id, Action::CancelConsult))),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        ]
        .spacing(space::S),
    )
    .padding(space::S)
    .width(Length::Fill)
    .style(style::card)
    .into()
}

/// Another call from the same line: a number or address, and Call (the engine holds the
/// call that is on).
pub fn add_call_field<'a>(i18n: &I18n, id: CallId, to: &str) -> Element<'a, (CallId, Action)> {
    let ready = !to.trim().is_empty();
    row![
        text_input(&i18n.tr("dialer-placeholder"), to)
            .id("add-call-to")
            .on_input(move |t| (id, Action::AddCallTo(t)))
            .on_submit_maybe(ready.then_some((id, Action::AddCall)))
            .size(size::BODY)
            .padding(space::S),
        action(Glyph::Call, i18n.tr("dialer-call"), Tone::Answer)
            .press_maybe(ready.then_some((id, Action::AddCall))),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center)
    .into()
}

/// The contacts matching the open field, one row each: a click puts the number in the field.
pub fn suggestions<'a>(id: CallId, found: &[Suggestion]) -> Element<'a, (CallId, Action)> {
    let rows = found.iter().map(|s| {
        button(
            row![
                avatar(&s.name, 24.0),
                text(s.name.clone()).size(size::BODY).width(Length::Fill),
                text(s.number.clone())
                    .size(size::CAPTION)
                    .style(text::secondary),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        )
        .width(Length::Fill)
        .padding([space::XS, space::S])
        .style(style::list_row)
        .press((id, Action::Pick(s.number.clone())))
    });
    container(column(rows).spacing(2))
        .padding(space::XS)
        .width(Length::Fill)
        .style(style::card)
        .into()
}
