//! The call screen: who, how long, how it sounds, and the in-call controls. With several calls
//! a list above lets the person switch between them (list.rs); transfer and add call have
//! their fields in transfer.rs. A call in the local conference shows the conference instead
//! (conference.rs); a recording shows its indicator (recording.rs).

mod conference;
pub mod list;
mod padlock;
mod recording;
mod transfer;

pub use transfer::{Consult, Suggestion};

use crate::app::calls::{CallView, QualityLevel};
use crate::i18n::I18n;
use crate::screen::settings::devices::DeviceChoice;
use crate::style::{size, space, Tone};
use crate::widget::keypad::keypad;
use crate::widget::{avatar, icon, round, tile, tip, Glyph, Press};
use iced::widget::{column, container, pick_list, row, scrollable, text, tooltip};
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
    /// Call what the transfer field holds first, the call waiting on hold meanwhile.
    Consult,
    /// Put the held call of the consult pair through to the consult call.
    CompleteTransfer,
    /// Hang up the consult call and take the held call back.
    CancelConsult,
    /// Open or close the add call field.
    ToggleAddCall,
    AddCallTo(String),
    /// A contact picked under the transfer or add call field: its number goes in the field.
    Pick(String),
    /// Call what the add call field holds from the same line (the engine holds this call).
    AddCall,
    /// Write to the far end: the Chat tab opens on the conversation.
    Message,
    Digit(char),
    Output(String),
    /// Bring the live calls together (or add this one to the running conference).
    Merge,
    /// Take this participant out of the conference (held).
    Split,
    /// Leave this participant out of the conference's mix, or let them back in.
    MuteParticipant(bool),
    /// Hang up every participant.
    EndConference,
    /// Start or stop recording the call.
    Record(bool),
    /// Send the call to the line's park code.
    Park,
}

/// What the call screen offers beyond the calls themselves, from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InCall {
    /// The focused call's line has a `park` feature code.
    pub can_park: bool,
    /// `[audio] conference_size`: most calls in a conference.
    pub conference_size: usize,
    /// When the conference started, while one runs.
    pub conference_since: Option<Instant>,
}

pub struct CallScreen<'a> {
    pub calls: Vec<&'a CallView>,
    pub focused: CallId,
    pub keypad_open: bool,
    /// The transfer field's text, while it is open.
    pub transfer_to: Option<&'a str>,
    /// The add call field's text, while it is open.
    pub add_call_to: Option<&'a str>,
    /// A transfer waiting for its consult call to be completed or cancelled.
    pub consult: Option<Consult>,
    /// Contacts matching the open transfer or add call field.
    pub suggestions: &'a [Suggestion],
    /// The output devices to choose from, by the names people know them by.
    pub outputs: Vec<DeviceChoice>,
    pub output: Option<&'a String>,
    /// The line the focused call is on, when there are several lines.
    pub line: Option<String>,
    /// The compact window: a smaller picture and keypad.
    pub compact: bool,
    pub now: Instant,
    pub in_call: InCall,
}

pub fn state_text(i18n: &I18n, call: &CallView, now: Instant) -> String {
    match call.state {
        _ if call.transferring => i18n.tr("call-transferring"),
        CallState::Calling => i18n.tr("call-calling"),
        CallState::Ringing => i18n.tr("call-ringing"),
        CallState::Incoming => i18n.tr("call-incoming"),
        CallState::AnsweringMachine => i18n.tr("call-answering-machine"),
        CallState::Held => i18n.tr("call-held-by-them"),
        CallState::OnHold => i18n.tr("call-on-hold"),
        CallState::Ended => i18n.tr("call-ended"),
        CallState::Connected => crate::when::duration(call.elapsed_secs(now).unwrap_or(0)),
    }
}

/// The three bars, the level in words and the MOS ("MOS 4.3"), with what it means on hover.
fn quality(i18n: &I18n, level: Option<QualityLevel>, mos: Option<f32>) -> Element<'static, Action> {
    let (Some(level), Some(mos)) = (level, mos) else {
        return text("").into();
    };
    let bars = "▮".repeat(level.bars()) + &"▯".repeat(3 - level.bars());
    let (label, style): (String, fn(&iced::Theme) -> text::Style) = match level {
        QualityLevel::Good => (i18n.tr("quality-good"), text::success),
        QualityLevel::Fair => (i18n.tr("quality-fair"), text::warning),
        QualityLevel::Poor => (i18n.tr("quality-poor"), text::danger),
    };
    let figure = crate::app::calls::mos_text(i18n, mos);
    let shown = row![
        text(bars).style(style),
        text(label).size(12),
        text(figure.clone()).size(12).style(text::secondary),
    ]
    .spacing(6)
    .align_y(Alignment::Center);
    tip(
        shown,
        i18n.tr_args("quality-mos-tip", &[("mos", &figure)]),
        tooltip::Position::Bottom,
    )
}

impl<'a> CallScreen<'a> {
    pub fn view(self, i18n: &I18n) -> Element<'a, (CallId, Action)> {
        let Some(call) = self.calls.iter().find(|c| c.id == self.focused).copied() else {
            return text("").into();
        };
        let id = call.id;
        if call.in_conference && self.calls.iter().filter(|c| c.in_conference).count() >= 2 {
            return conference::view(self, i18n);
        }
        let mut content = column![].spacing(space::M).align_x(Alignment::Center);
        for waiting in self
            .calls
            .iter()
            .filter(|c| c.id != id && c.wants_pick_up())
        {
            content = content.push(list::waiting_banner(i18n, waiting));
        }
        if self.calls.len() > 1 {
            content = content.push(list::calls(i18n, &self.calls, id, self.now));
        }
        content = content.push(avatar(
            &call.title(),
            if self.compact { 56.0 } else { 88.0 },
        ));
        // A long address breaks anywhere rather than running off a narrow window.
        content = content.push(
            text(call.title())
                .size(if self.compact {
                    size::TITLE
                } else {
                    size::HEADLINE
                })
                .wrapping(text::Wrapping::WordOrGlyph)
                .center(),
        );
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
                padlock::indicator(i18n, call),
                quality(i18n, call.quality, call.mos).map(move |a| (id, a)),
                recording::indicator(call, self.now),
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
        } else if call.is_taking_message() {
            // The caller hears the greeting or leaves a message: hang up, or take the call.
            content = content.push(iced::widget::space().height(space::L));
            content = content.push(
                row![
                    labelled(
                        round(Glyph::HangUp, Tone::HangUp, 64.0).press((id, Action::Hangup)),
                        i18n.tr("hang-up")
                    ),
                    labelled(
                        round(Glyph::Call, Tone::Answer, 64.0).press((id, Action::Answer)),
                        i18n.tr("call-pick-up")
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
            if let Some(consult) = self.consult.filter(|c| c.involves(id)) {
                let find =
                    |call: Option<CallId>| self.calls.iter().copied().find(|c| Some(c.id) == call);
                content = content.push(transfer::consult_bar(
                    i18n,
                    consult,
                    find(Some(consult.held)),
                    find(consult.target),
                ));
            }
            let mut tiles = vec![
                control(
                    Glyph::Mute,
                    i18n.tr(if call.muted { "unmute" } else { "mute" }),
                    call.muted,
                    Action::Mute(!call.muted),
                ),
                control(
                    if on_hold { Glyph::Resume } else { Glyph::Hold },
                    i18n.tr(if on_hold { "resume" } else { "hold" }),
                    on_hold,
                    Action::Hold(!on_hold),
                ),
                control(
                    Glyph::Keypad,
                    i18n.tr("keypad"),
                    self.keypad_open,
                    Action::ToggleKeypad,
                ),
                control(
                    Glyph::Transfer,
                    i18n.tr("call-transfer"),
                    self.transfer_to.is_some(),
                    Action::ToggleTransfer,
                ),
                control(
                    Glyph::AddCall,
                    i18n.tr("call-add"),
                    self.add_call_to.is_some(),
                    Action::ToggleAddCall,
                ),
                // Writing needs no live call: it goes by the address.
                tile(Glyph::Chat, i18n.tr("call-message"), false).press((id, Action::Message)),
            ];
            tiles.extend(self.more_controls(i18n, call));
            content = content.push(grid(tiles, self.columns()));
            if let (Some(to), true) = (self.transfer_to, live) {
                let can_consult = self.consult.is_none();
                content = content.push(transfer::transfer_field(i18n, id, to, can_consult));
            }
            if let (Some(to), true) = (self.add_call_to, live) {
                content = content.push(transfer::add_call_field(i18n, id, to));
            }
            let field_open = self.transfer_to.is_some() || self.add_call_to.is_some();
            if field_open && live && !self.suggestions.is_empty() {
                content = content.push(transfer::suggestions(id, self.suggestions));
            }
            if self.keypad_open && live {
                content = content.push(keypad(move |c| (id, Action::Digit(c)), self.compact));
            }
            if let Some(picker) = self.output_picker(i18n, id) {
                content = content.push(picker);
            }
            content = content.push(iced::widget::space().height(space::S));
            content = content.push(labelled(
                round(Glyph::HangUp, Tone::HangUp, 64.0).press((id, Action::Hangup)),
                i18n.tr("hang-up"),
            ));
        }
        container(scrollable(
            container(content.max_width(self.width()))
                .center_x(Length::Fill)
                .padding([space::L, space::M]),
        ))
        .into()
    }
}

impl CallScreen<'_> {
    /// Where the call's sound goes, when there are outputs to choose from.
    fn output_picker<'b>(&self, i18n: &I18n, id: CallId) -> Option<Element<'b, (CallId, Action)>> {
        if self.outputs.is_empty() {
            return None;
        }
        let selected = self
            .output
            .and_then(|o| self.outputs.iter().find(|c| &c.id == o).cloned());
        let outputs = self.outputs.clone();
        Some(
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
            .align_y(Alignment::Center)
            .into(),
        )
    }

    /// After the six always there: record, merge (when there is a held call to bring in),
    /// park (when the line has a park code).
    fn more_controls<'b>(
        &self,
        i18n: &I18n,
        call: &CallView,
    ) -> Vec<Element<'b, (CallId, Action)>> {
        let id = call.id;
        let live = call.is_live();
        let mut tiles: Vec<Element<'b, (CallId, Action)>> =
            vec![recording::record_tile(i18n, call)];
        if crate::app::calls::merge_set(&self.calls, id, self.in_call.conference_size).is_some() {
            tiles.push(tile(Glyph::Merge, i18n.tr("call-merge"), false).press((id, Action::Merge)));
        }
        if self.in_call.can_park {
            tiles.push(
                tile(Glyph::Park, i18n.tr("call-park"), false)
                    .press_maybe(live.then_some((id, Action::Park))),
            );
        }
        tiles
    }

    /// Four tiles a row, so that seven (the usual call) take two rows and Hang up stays in a
    /// 420 x 640 window; three in the compact window, where four would cut their labels.
    fn columns(&self) -> usize {
        if self.compact {
            3
        } else {
            4
        }
    }

    /// The widest the screen's column grows: four tiles need the 420-wide window's room.
    fn width(&self) -> f32 {
        if self.compact {
            320.0
        } else {
            380.0
        }
    }
}

/// `tiles` in rows of `columns`, each row as wide as a full one: the places left over in the
/// last stay empty.
fn grid<'a, M: 'a>(tiles: Vec<Element<'a, M>>, columns: usize) -> Element<'a, M> {
    let columns = columns.max(1);
    let mut rows = column![].spacing(space::S).width(Length::Fill);
    let mut tiles = tiles.into_iter().peekable();
    while tiles.peek().is_some() {
        let mut cells: Vec<Element<'a, M>> = tiles.by_ref().take(columns).collect();
        while cells.len() < columns {
            cells.push(iced::widget::space().width(Length::Fill).into());
        }
        rows = rows.push(row(cells).spacing(space::S));
    }
    rows.into()
}

/// A round button with its label under it.
fn labelled<'a, M: Clone + 'a>(button: Element<'a, M>, label: String) -> Element<'a, M> {
    column![button, text(label).size(size::CAPTION)]
        .spacing(space::XS)
        .align_x(Alignment::Center)
        .into()
}
