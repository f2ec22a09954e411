//! The call history: every call with its result, filters, search, call back, delete, clear.

use crate::i18n::I18n;
use iced::widget::{button, column, pick_list, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::store::{CallResult, Direction, HistoryEntry, HistoryFilter, HistoryId, Store};

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
    None,
    Dial(String),
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
    pub fn refresh(&mut self, store: &Store) {
        match store.history(self.filter, &self.query, LIST_LIMIT) {
            Ok(entries) => self.entries = entries,
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    pub fn update(&mut self, msg: Msg, store: &mut Store) -> Outcome {
        self.error = None;
        let result = match msg {
            Msg::Filter(item) => {
                self.filter = item.filter;
                Ok(())
            }
            Msg::Query(query) => {
                self.query = query.chars().take(100).collect();
                Ok(())
            }
            Msg::CallBack(target) => return Outcome::Dial(target),
            Msg::Delete(id) => store.delete_history_entry(id),
            Msg::ClearAll => store.clear_history().map(|_| ()),
        };
        if let Err(e) = result {
            self.error = Some(e.to_string());
        }
        self.refresh(store);
        Outcome::None
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
