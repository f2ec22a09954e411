//! The call history: every call with its result, filters, search, call back, delete, clear;
//! a call that left a message links to it on the Voicemail tab; a recorded call opens its
//! recording in the desktop's player.
//! The engine owns the database: the list is asked for with a `request` id and shown when the
//! answer with that id comes back.

use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{
    action, avatar, empty_state, icon, icon_button, list_header, search_field, Glyph, Press,
};
use chrono::NaiveDateTime;
use iced::widget::{column, container, pick_list, row, scrollable, text};
use iced::{Alignment, Element, Length};
use parla_core::api::RequestId;
use parla_core::store::{
    CallResult, Direction, HistoryEntry, HistoryFilter, HistoryId, VoicemailId,
};
use parla_core::{Command, Event};

const LIST_LIMIT: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterItem {
    filter: HistoryFilter,
    label: String,
}

impl std::fmt::Display for FilterItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

#[derive(Debug, Default)]
pub struct History {
    pub filter: HistoryFilter,
    pub query: String,
    pub entries: Vec<HistoryEntry>,
    pub error: Option<String>,
    /// The listing whose answer the screen waits for.
    listing: Option<RequestId>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Filter(FilterItem),
    Query(String),
    CallBack(String),
    Delete(HistoryId),
    ClearAll,
    /// The message the call left: open it on the Voicemail tab.
    OpenVoicemail(VoicemailId),
    /// The call's recording: open the file in the desktop's player.
    OpenRecording(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Dial(String),
    Send(Vec<Command>),
    OpenVoicemail(VoicemailId),
    OpenRecording(String),
}

fn filter_key(filter: HistoryFilter) -> &'static str {
    match filter {
        HistoryFilter::All => "filter-all",
        HistoryFilter::Missed => "history-missed",
        HistoryFilter::Incoming => "history-incoming",
        HistoryFilter::Outgoing => "history-outgoing",
    }
}

fn result_key(result: CallResult) -> &'static str {
    match result {
        CallResult::Answered => "result-answered",
        CallResult::Missed => "result-missed",
        CallResult::Declined => "result-declined",
        CallResult::Busy => "result-busy",
        CallResult::Failed => "result-failed",
        CallResult::Blocked => "result-blocked",
        CallResult::Cancelled => "result-cancelled",
        CallResult::Forwarded => "result-forwarded",
        CallResult::Interrupted => "result-interrupted",
    }
}

impl History {
    /// Asks for the list again.
    pub fn refresh(&mut self, request: RequestId) -> Command {
        self.listing = Some(request);
        Command::ListHistory {
            filter: self.filter,
            query: self.query.clone(),
            limit: LIST_LIMIT,
            request: Some(request),
        }
    }

    pub fn update(&mut self, msg: Msg, next_request: &mut impl FnMut() -> RequestId) -> Outcome {
        self.error = None;
        let command = match msg {
            Msg::Filter(item) => {
                self.filter = item.filter;
                self.refresh(next_request())
            }
            Msg::Query(query) => {
                self.query = query.chars().take(100).collect();
                self.refresh(next_request())
            }
            Msg::CallBack(target) => return Outcome::Dial(target),
            Msg::OpenVoicemail(id) => return Outcome::OpenVoicemail(id),
            Msg::OpenRecording(path) => return Outcome::OpenRecording(path),
            Msg::Delete(id) => {
                // Gone from the list at once; the engine confirms with `history_changed`.
                self.entries.retain(|e| e.id != id);
                Command::DeleteHistory {
                    id,
                    request: Some(next_request()),
                }
            }
            Msg::ClearAll => {
                self.entries.clear();
                Command::ClearHistory {
                    request: Some(next_request()),
                }
            }
        };
        Outcome::Send(vec![command])
    }

    /// Takes the engine's answers; returns what to ask next.
    pub fn on_event(
        &mut self,
        event: &Event,
        i18n: &I18n,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Vec<Command> {
        match event {
            Event::History { request, calls } if *request == self.listing => {
                self.listing = None;
                self.entries = calls.clone();
            }
            Event::HistoryChanged { .. } => return vec![self.refresh(next_request())],
            Event::Error {
                request: Some(request),
                kind,
                message,
                ..
            } if Some(*request) == self.listing => {
                self.listing = None;
                self.error = Some(crate::app::errors::describe(i18n, *kind, message));
            }
            _ => {}
        }
        Vec::new()
    }

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let filters: Vec<FilterItem> = [
            HistoryFilter::All,
            HistoryFilter::Missed,
            HistoryFilter::Incoming,
            HistoryFilter::Outgoing,
        ]
        .into_iter()
        .map(|filter| FilterItem {
            filter,
            label: i18n.tr(filter_key(filter)),
        })
        .collect();
        let selected = filters.iter().find(|f| f.filter == self.filter).cloned();
        let search = search_field(
            &i18n.tr("history-search"),
            &self.query,
            "history-search",
            Msg::Query,
        );
        let top = list_header(
            search,
            vec![
                pick_list(filters, selected, Msg::Filter)
                    .text_size(size::BODY)
                    .padding(space::S)
                    .width(Length::Fill)
                    .into(),
                action(Glyph::Delete, i18n.tr("history-clear"), Tone::HangUp)
                    .press_maybe((!self.entries.is_empty()).then_some(Msg::ClearAll)),
            ],
        );
        let mut content = column![top].spacing(space::M).padding(space::M);
        if let Some(error) = &self.error {
            content = content.push(text(error.clone()).size(size::CAPTION).style(text::danger));
        }
        if self.entries.is_empty() {
            let empty = if self.filter == HistoryFilter::All && self.query.trim().is_empty() {
                empty_state(
                    Glyph::History,
                    i18n.tr("history-empty-title"),
                    i18n.tr("history-empty-hint"),
                    Vec::new(),
                )
            } else {
                empty_state(
                    Glyph::Search,
                    i18n.tr("history-no-match-title"),
                    i18n.tr("history-no-match-hint"),
                    Vec::new(),
                )
            };
            return content.push(empty).into();
        }
        let now = crate::when::local(std::time::SystemTime::now());
        let list = column(
            self.entries
                .iter()
                .map(|entry| history_row(entry, now, i18n)),
        )
        .spacing(space::XS);
        content
            .push(scrollable(list).height(Length::Fill).spacing(space::XS))
            .into()
    }
}

/// One call: who (avatar and name, red when missed), how and when, call back and delete.
fn history_row<'a>(entry: &'a HistoryEntry, now: NaiveDateTime, i18n: &I18n) -> Element<'a, Msg> {
    let call = &entry.call;
    let missed = call.result == CallResult::Missed;
    let glyph = match (call.direction, call.result) {
        _ if entry.voicemail.is_some() => Glyph::Voicemail,
        (_, CallResult::Missed) => Glyph::Missed,
        (_, CallResult::Blocked) => Glyph::Block,
        (Direction::Incoming, _) => Glyph::Incoming,
        (Direction::Outgoing, _) => Glyph::Outgoing,
    };
    let target = if call.number.is_empty() {
        call.remote_uri.clone()
    } else {
        call.number.clone()
    };
    let name = if entry.name.trim().is_empty() {
        target.clone()
    } else {
        entry.name.clone()
    };
    let details = details(entry, &name, now, i18n);
    let direction = icon(glyph, size::CAPTION);
    let direction = if missed || call.result == CallResult::Blocked {
        direction.style(text::danger)
    } else {
        direction.style(text::secondary)
    };
    let title = text(name.clone())
        .size(size::BODY)
        .wrapping(text::Wrapping::None);
    let title = if missed {
        title.style(text::danger)
    } else {
        title
    };
    let caption = row![
        direction,
        text(details.join(" · "))
            .size(size::CAPTION)
            .style(text::secondary)
            .wrapping(text::Wrapping::None),
    ]
    .spacing(space::XS)
    .align_y(Alignment::Center);
    container(
        row![
            avatar(&name, 36.0),
            column![title, caption]
                .spacing(2)
                .width(Length::Fill)
                .clip(true),
            // The recording's button comes first, so call back and delete line up down the list.
            row![
                recording_link(entry.recording.as_deref(), i18n),
                icon_button(
                    Glyph::Call,
                    i18n.tr("history-call-back"),
                    Tone::Answer,
                    Some(Msg::CallBack(target)),
                ),
                voicemail_link(entry.voicemail, i18n),
                icon_button(
                    Glyph::Delete,
                    i18n.tr("history-delete"),
                    Tone::Quiet,
                    Some(Msg::Delete(entry.id)),
                ),
            ]
            .spacing(space::XS)
            .align_y(Alignment::Center),
        ]
        .spacing(space::M)
        .align_y(Alignment::Center),
    )
    .padding([space::S, space::S])
    .into()
}

/// The row's second line: when first, then how long (or how it ended), then the number, then
/// the call's estimated quality: the end is what a narrow window cuts off.
pub(crate) fn details(
    entry: &HistoryEntry,
    name: &str,
    now: NaiveDateTime,
    i18n: &I18n,
) -> Vec<String> {
    let call = &entry.call;
    let mut details = vec![crate::when::call_time(
        crate::when::local(call.started),
        now,
        i18n,
    )];
    match call.result {
        _ if entry.voicemail.is_some() => details.push(i18n.tr("voicemail")),
        CallResult::Answered => details.push(crate::when::duration(call.duration().as_secs())),
        CallResult::Missed => {}
        // Cut short when Parla stopped: said so, with the talk time known up to then.
        CallResult::Interrupted => {
            details.push(i18n.tr(result_key(CallResult::Interrupted)));
            if call.answered.is_some() {
                details.push(crate::when::duration(call.duration().as_secs()));
            }
        }
        other => details.push(i18n.tr(result_key(other))),
    }
    if !call.number.is_empty() && call.number != name {
        details.push(call.number.clone());
    }
    if let Some(mos) = entry.mos {
        details.push(crate::app::calls::mos_text(i18n, mos));
    }
    details
}

/// The button to the message a call left (nothing when it left none).
fn voicemail_link<'a>(message: Option<VoicemailId>, i18n: &I18n) -> Element<'a, Msg> {
    match message {
        Some(id) => icon_button(
            Glyph::Voicemail,
            i18n.tr("history-open-voicemail"),
            Tone::Quiet,
            Some(Msg::OpenVoicemail(id)),
        ),
        None => iced::widget::Space::new().into(),
    }
}

/// The button that opens the call's recording (nothing when it was not recorded).
fn recording_link<'a>(recording: Option<&str>, i18n: &I18n) -> Element<'a, Msg> {
    match recording.filter(|path| !path.trim().is_empty()) {
        Some(path) => icon_button(
            Glyph::Recording,
            i18n.tr("history-open-recording"),
            Tone::Quiet,
            Some(Msg::OpenRecording(path.to_string())),
        ),
        None => iced::widget::Space::new().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parla_core::store::CallRecord;
    use std::time::{Duration, SystemTime};

    #[test]
    fn an_interrupted_call_says_so_with_the_talk_time_known() {
        let i18n = I18n::new(crate::i18n::Language::English);
        let started = SystemTime::now() - Duration::from_secs(600);
        let mut entry = HistoryEntry {
            id: HistoryId(1),
            call: CallRecord {
                direction: Direction::Outgoing,
                account: "work".into(),
                remote_uri: "sip:201@pbx".into(),
                number: "201".into(),
                display_name: String::new(),
                started,
                answered: Some(started),
                ended: started + Duration::from_secs(65),
                result: CallResult::Interrupted,
                reason: "Parla stopped during the call".into(),
            },
            e164: None,
            name: "Bob".into(),
            contact: None,
            seen: true,
            voicemail: None,
            recording: None,
            mos: None,
        };
        let now = chrono::Local::now().naive_local();
        let shown = details(&entry, "Bob", now, &i18n);
        assert!(shown.contains(&"Interrupted".to_string()), "{shown:?}");
        assert!(shown.contains(&"1:05".to_string()), "{shown:?}");
        // Cut while it rang: no talk time.
        entry.call.answered = None;
        let shown = details(&entry, "Bob", now, &i18n);
        assert!(shown.contains(&"Interrupted".to_string()), "{shown:?}");
        // (The first detail is when: "Today 12:48".)
        assert!(!shown[1..].iter().any(|d| d.contains(':')), "{shown:?}");
    }
}
