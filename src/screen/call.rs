//! The call screen: who, how long, how it sounds, and the in-call controls. With several calls
//! a list above lets the person switch between them.

use crate::app::calls::{CallView, QualityLevel};
use crate::i18n::I18n;
use crate::widget::keypad::keypad;
use iced::widget::{button, column, container, pick_list, row, space, text};
use iced::{Alignment, Element, Length};
use parla_core::api::CallState;
use parla_core::CallId;
use std::time::Instant;

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Focus,
    Answer,
    Decline,
    Hangup,
    Mute(bool),
    Hold(bool),
    ToggleKeypad,
    Digit(char),
    Output(String),
}

pub struct CallScreen<'a> {
    pub calls: Vec<&'a CallView>,
    pub focused: CallId,
    pub keypad_open: bool,
    pub outputs: &'a [String],
    pub output: Option<&'a String>,
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
        CallState::Connected => clock(call.elapsed_secs(now).unwrap_or(0)),
    }
}

/// `mm:ss`, or `h:mm:ss` past an hour.
pub fn clock(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
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
        let mut content = column![].spacing(14).align_x(Alignment::Center);
        if self.calls.len() > 1 {
            let mut list = column![].spacing(4);
            for other in &self.calls {
                let label = format!(
                    "{}  ·  {}",
                    other.title(),
                    state_text(i18n, other, self.now)
                );
                let entry = button(text(label).size(13))
                    .width(Length::Fill)
                    .style(if other.id == id {
                        button::primary
                    } else {
                        button::secondary
                    })
                    .on_press((other.id, Action::Focus));
                list = list.push(entry);
            }
            content = content.push(list);
        }
        content = content.push(text(call.title()).size(26));
        if call.name.is_some() {
            content = content.push(text(crate::app::calls::display_number(&call.remote)).size(14));
        }
        content = content.push(
            row![
                text(state_text(i18n, call, self.now)).size(18),
                quality(i18n, call.quality).map(move |a| (id, a)),
            ]
            .spacing(16)
            .align_y(Alignment::Center),
        );

        if call.is_ringing_in() {
            content = content.push(
                row![
                    button(text(i18n.tr("answer")))
                        .style(button::success)
                        .padding([10, 24])
                        .on_press((id, Action::Answer)),
                    button(text(i18n.tr("decline")))
                        .style(button::danger)
                        .padding([10, 24])
                        .on_press((id, Action::Decline)),
                ]
                .spacing(16),
            );
        } else {
            let live = call.is_live();
            let on_hold = call.state == CallState::OnHold;
            let toggle = |label: String, on: bool, action: Action| {
                button(text(label))
                    .padding([8, 12])
                    .style(if on {
                        button::primary
                    } else {
                        button::secondary
                    })
                    .on_press_maybe(live.then_some((id, action)))
            };
            content = content.push(
                row![
                    toggle(
                        i18n.tr(if call.muted { "unmute" } else { "mute" }),
                        call.muted,
                        Action::Mute(!call.muted)
                    ),
                    toggle(
                        i18n.tr(if on_hold { "resume" } else { "hold" }),
                        on_hold,
                        Action::Hold(!on_hold)
                    ),
                    toggle(i18n.tr("keypad"), self.keypad_open, Action::ToggleKeypad),
                ]
                .spacing(8),
            );
            if self.keypad_open && live {
                content = content.push(keypad(move |c| (id, Action::Digit(c))));
            }
            if !self.outputs.is_empty() {
                content = content.push(
                    row![
                        text(i18n.tr("call-output")).size(13),
                        pick_list(self.outputs, self.output, move |o| (id, Action::Output(o)))
                            .width(Length::Fill),
                    ]
                    .spacing(8)
                    .align_y(Alignment::Center),
                );
            }
            content = content.push(space().height(8));
            content = content.push(
                button(text(i18n.tr("hang-up")).size(18))
                    .style(button::danger)
                    .padding([10, 40])
                    .on_press((id, Action::Hangup)),
            );
        }
        container(content.max_width(340))
            .center_x(Length::Fill)
            .padding(16)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_reads_like_a_clock() {
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(75), "01:15");
        assert_eq!(clock(3_725), "1:02:05");
    }
}
