//! The call screen: who, how long, how it sounds, and the in-call controls. With several calls
//! a list above lets the person switch between them.

use crate::app::calls::{CallView, QualityLevel};
use crate::i18n::I18n;
use crate::screen::settings::devices::DeviceChoice;
use crate::style::{self, size, space, Tone};
use crate::widget::keypad::keypad;
use crate::widget::{action, avatar, icon, icon_button, round, tile, tip, Glyph, Press};
use iced::widget::{
    button, column, container, pick_list, row, scrollable, text, text_input, tooltip,
};
use iced::{Alignment, Element, Length};
use parla_core::api::CallState;
use parla_core::CallId;
use std::time::Instant;

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Focus,
    /// Make this held call the active one (the engine holds the active call first).
    Swap,
    Answer,
    Decline,
    Hangup,
    Mute(bool),
    Hold(bool),
    ToggleKeypad,
    /// Open or close the transfer field.
    ToggleTransfer,
    TransferTo(String),
    /// Send the call to what the transfer field holds (a blind transfer).
    Transfer,
    Digit(char),
    Output(String),
}

pub struct CallScreen<'a> {
    pub calls: Vec<&'a CallView>,
    pub focused: CallId,
    pub keypad_open: bool,
    /// The transfer field's text, while it is open.
    pub transfer_to: Option<&'a str>,
    /// The output devices to choose from, by the names people know them by.
    pub outputs: Vec<DeviceChoice>,
    pub output: Option<&'a String>,
    /// The line the focused call is on, when there are several lines.
    pub line: Option<String>,
    /// The compact window: a smaller picture and keypad.
    pub compact: bool,
    pub now: Instant,
}

pub fn state_text(i18n: &I18n, call: &CallView, now: Instant) -> String {
    match call.state {
        CallState::Calling => i18n.tr("call-calling"),
        CallState::Ringing => i18n.tr("call-ringing"),
        CallState::Incoming => i18n.tr("call-incoming"),
        CallState::Held => i18n.tr("call-held-by-them"),
        CallState::OnHold => i18n.tr("call-on-hold"),
        CallState::Ended => i18n.tr("call-ended"),
        CallState::Connected => crate::when::duration(call.elapsed_secs(now).unwrap_or(0)),
    }
}

fn quality(i18n: &I18n, level: Option<QualityLevel>) -> Element<'static, Action> {
    let Some(level) = level else {
        return text("").into();
    };
    let bars = "▮".repeat(level.bars()) + &"▯".repeat(3 - level.bars());
    let (label, style): (String, fn(&iced::Theme) -> text::Style) = match level {
        QualityLevel::Good => (i18n.tr("quality-good"), text::success),
        QualityLevel::Fair => (i18n.tr("quality-fair"), text::warning),
        QualityLevel::Poor => (i18n.tr("quality-poor"), text::danger),
    };
    row![text(bars).style(style), text(label).size(12)]
        .spacing(6)
        .align_y(Alignment::Center)
        .into()
}

impl<'a> CallScreen<'a> {
    pub fn view(self, i18n: &I18n) -> Element<'a, (CallId, Action)> {
        let Some(call) = self.calls.iter().find(|c| c.id == self.focused).copied() else {
            return text("").into();
        };
        let id = call.id;
        let mut content = column![].spacing(space::M).align_x(Alignment::Center);
        for waiting in self
            .calls
            .iter()
            .filter(|c| c.id != id && c.is_ringing_in())
        {
            content = content.push(waiting_banner(i18n, waiting));
        }
        if self.calls.len() > 1 {
            content = content.push(self.others(i18n, id));
        }
        content = content.push(avatar(
            &call.title(),
            if self.compact { 56.0 } else { 88.0 },
        ));
        content = content.push(text(call.title()).size(size::HEADLINE));
        let mut about = column![].spacing(2).align_x(Alignment::Center);
        if call.name.is_some() {
            about = about.push(
                text(crate::app::calls::display_number(&call.remote))
                    .size(size::BODY)
                    .style(text::secondary),
            );
        }
        if let Some(line) = &self.line {
            about = about.push(
                text(i18n.tr_args("popup-on-line", &[("line", line)]))
                    .size(size::CAPTION)
                    .style(text::secondary),
            );
        }
        content = content.push(about);
        content = content.push(
            row![
                text(state_text(i18n, call, self.now)).size(size::TITLE),
                quality(i18n, call.quality).map(move |a| (id, a)),
            ]
            .spacing(space::L)
            .align_y(Alignment::Center),
        );

        if call.is_ringing_in() {
            content = content.push(iced::widget::space().height(space::L));
            content = content.push(
                row![
                    labelled(
                        round(Glyph::HangUp, Tone::HangUp, 64.0).press((id, Action::Decline)),
                        i18n.tr("decline")
                    ),
                    labelled(
                        round(Glyph::Call, Tone::Answer, 64.0).press((id, Action::Answer)),
                        i18n.tr("answer")
                    ),
                ]
                .spacing(space::XL * 2.0),
            );
        } else {
            let live = call.is_live();
            let on_hold = call.state == CallState::OnHold;
            let control = |glyph: Glyph, label: String, on: bool, action: Action| {
                tile(glyph, label, on).press_maybe(live.then_some((id, action)))
            };
            content = content.push(
                row![
                    control(
                        Glyph::Mute,
                        i18n.tr(if call.muted { "unmute" } else { "mute" }),
                        call.muted,
                        Action::Mute(!call.muted)
                    ),
                    control(
                        if on_hold { Glyph::Resume } else { Glyph::Hold },
                        i18n.tr(if on_hold { "resume" } else { "hold" }),
                        on_hold,
                        Action::Hold(!on_hold)
                    ),
                    control(
                        Glyph::Keypad,
                        i18n.tr("keypad"),
                        self.keypad_open,
                        Action::ToggleKeypad
                    ),
                    control(
                        Glyph::Transfer,
                        i18n.tr("call-transfer"),
                        self.transfer_to.is_some(),
                        Action::ToggleTransfer
                    ),
                ]
                .spacing(space::S)
                .width(Length::Fill),
            );
            if let (Some(to), true) = (self.transfer_to, live) {
                content = content.push(transfer_field(i18n, id, to));
            }
            if self.keypad_open && live {
                content = content.push(keypad(move |c| (id, Action::Digit(c)), self.compact));
            }
            if !self.outputs.is_empty() {
                let selected = self
                    .output
                    .and_then(|o| self.outputs.iter().find(|c| &c.id == o).cloned());
                let outputs = self.outputs.clone();
                content = content.push(
                    row![
                        tip(
                            icon(Glyph::Speaker, size::ICON),
                            i18n.tr("call-output"),
                            tooltip::Position::Top
                        ),
                        pick_list(outputs, selected, move |o: DeviceChoice| {
                            (id, Action::Output(o.id))
                        })
                        .width(Length::Fill),
                    ]
                    .spacing(space::S)
                    .align_y(Alignment::Center),
                );
            }
            content = content.push(iced::widget::space().height(space::S));
            content = content.push(labelled(
                round(Glyph::HangUp, Tone::HangUp, 64.0).press((id, Action::Hangup)),
                i18n.tr("hang-up"),
            ));
        }
        container(scrollable(
            container(content.max_width(320))
                .center_x(Length::Fill)
                .padding([space::L, space::M]),
        ))
        .into()
    }

    /// The other calls, one row each: who, and what state the call is in.
    fn others(&self, i18n: &I18n, focused: CallId) -> Element<'a, (CallId, Action)> {
        let mut list = column![].spacing(space::XS);
        for other in &self.calls {
            let mut row = row![
                avatar(&other.title(), 28.0),
                text(other.title()).size(size::BODY).width(Length::Fill),
                text(state_text(i18n, other, self.now))
                    .size(size::CAPTION)
                    .style(text::secondary),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center);
            if other.state == CallState::OnHold && other.id != focused {
                row = row.push(icon_button(
                    Glyph::Resume,
                    i18n.tr("call-swap"),
                    Tone::Answer,
                    Some((other.id, Action::Swap)),
                ));
            }
            list = list.push(
                button(row)
                    .width(Length::Fill)
                    .padding([space::XS, space::S])
                    .style(if other.id == focused {
                        style::selected_row
                    } else {
                        style::list_row
                    })
                    .press((other.id, Action::Focus)),
            );
        }
        container(list).padding(space::XS).style(style::card).into()
    }
}

/// A call waiting while another is on: who, and Decline / Answer (answering holds the
/// active call first).
fn waiting_banner<'a>(i18n: &I18n, call: &CallView) -> Element<'a, (CallId, Action)> {
    let id = call.id;
    container(
        row![
            avatar(&call.title(), 36.0),
            column![
                text(i18n.tr("call-waiting"))
                    .size(size::CAPTION)
                    .style(text::secondary),
                text(call.title()).size(size::BODY),
            ]
            .spacing(2)
            .width(Length::Fill),
            tip(
                round(Glyph::HangUp, Tone::HangUp, 40.0).press((id, Action::Decline)),
                i18n.tr("decline"),
                tooltip::Position::Bottom
            ),
            tip(
                round(Glyph::Call, Tone::Answer, 40.0).press((id, Action::Answer)),
                i18n.tr("answer"),
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

/// Where to send the call: a number or address, and the Transfer button.
fn transfer_field<'a>(i18n: &I18n, id: CallId, to: &str) -> Element<'a, (CallId, Action)> {
    let ready = !to.trim().is_empty();
    row![
        text_input(&i18n.tr("dialer-placeholder"), to)
            .id("transfer-to")
            .on_input(move |t| (id, Action::TransferTo(t)))
            .on_submit_maybe(ready.then_some((id, Action::Transfer)))
            .size(size::BODY)
            .padding(space::S),
        action(Glyph::Transfer, i18n.tr("call-transfer"), Tone::Accent)
            .press_maybe(ready.then_some((id, Action::Transfer))),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center)
    .into()
}

/// A round button with its label under it.
fn labelled<'a, M: Clone + 'a>(button: Element<'a, M>, label: String) -> Element<'a, M> {
    column![button, text(label).size(size::CAPTION)]
        .spacing(space::XS)
        .align_x(Alignment::Center)
        .into()
}
