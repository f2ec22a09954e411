//! The call history: every call with its result, filters, search, call back, delete, clear.
//! The engine owns the database: the list is asked for with a `request` id and shown when the
//! answer with that id comes back.

use crate::i18n::I18n;
use iced::widget::{button, column, pick_list, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::api::RequestId;
use parla_core::store::{CallResult, Direction, HistoryEntry, HistoryFilter, HistoryId};
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Dial(String),
    Send(Vec<Command>),
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
        let top = row![
            text_input(&i18n.tr("history-search"), &self.query)
                .on_input(Msg::Query)
                .padding(8),
            pick_list(filters, selected, Msg::Filter),
            button(text(i18n.tr("history-clear")))
                .style(button::danger)
                .on_press_maybe((!self.entries.is_empty()).then_some(Msg::ClearAll)),
        ]
        .spacing(6)
        .align_y(Alignment::Center);
        let mut list = column![].spacing(4);
        if self.entries.is_empty() {
            list = list.push(text(i18n.tr("history-none")).size(13));
        }
        for entry in &self.entries {
            let call = &entry.call;
            let arrow = match call.direction {
                Direction::Incoming => "↙",
                Direction::Outgoing => "↗",
            };
            let missed = call.result == CallResult::Missed;
            let when = chrono::DateTime::<chrono::Local>::from(call.started)
                .format("%d-%m %H:%M")
                .to_string();
            let secs = call.duration().as_secs();
            let outcome = if call.result == CallResult::Answered {
                crate::screen::call::clock(secs)
            } else {
                i18n.tr(result_key(call.result))
            };
            let target = if call.number.is_empty() {
                call.remote_uri.clone()
            } else {
                call.number.clone()
            };
            let title = text(format!("{arrow} {}", entry.name)).size(14);
            let title = if missed {
                title.style(text::danger)
            } else {
                title
            };
            list = list.push(
                row![
                    column![
                        title,
                        text(format!("{}  ·  {when}  ·  {outcome}", call.number)).size(11)
                    ]
                    .width(Length::Fill),
                    button(text(i18n.tr("history-call-back")))
                        .style(button::success)
                        .on_press(Msg::CallBack(target)),
                    button(text("×"))
                        .style(button::text)
                        .on_press(Msg::Delete(entry.id)),
                ]
                .spacing(6)
                .align_y(Alignment::Center),
            );
        }
        let mut content = column![top].spacing(8).padding(12);
        if let Some(error) = &self.error {
            content = content.push(text(error.clone()).size(12).style(text::danger));
        }
        content.push(scrollable(list).height(Length::Fill)).into()
    }
}
