//! The contacts and history tabs' line to the engine, which owns the database: the requests
//! they send (each with a `request` id), the answers, the missed-call count, company
//! directory sync reports. Nothing here opens SQLite or waits for it.

use super::{App, Tab};
use parla_core::api::{DatabaseState, RequestId, SyncState};
use parla_core::{Command, Event};
use std::path::PathBuf;

use crate::screen::contacts;

/// Hands out the `request` ids the window puts on its commands. Control-socket clients share
/// the engine and see the window's answers (and it theirs), so the window numbers from 2^63,
/// out of the way of the small numbers clients pick.
#[derive(Debug)]
pub struct Requests(RequestId);

impl Default for Requests {
    fn default() -> Self {
        Requests(1 << 63)
    }
}

impl Requests {
    pub fn next(&mut self) -> RequestId {
        self.0 = self.0.wrapping_add(1).max(1 << 63);
        self.0
    }
}

impl App {
    /// Asks for the open list again; opening the history marks missed calls seen.
    pub(super) fn refresh_lists(&mut self) {
        let requests = &mut self.requests;
        let mut next = || requests.next();
        let commands = match self.tab {
            Tab::Contacts => self.contacts.refresh(&mut next),
            Tab::History => {
                self.missed = 0;
                vec![
                    Command::MarkMissedSeen { request: None },
                    self.history.refresh(next()),
                ]
            }
            Tab::Chat => {
                let mut commands = self.chat.refresh(&mut next);
                if self.chat.open_unread() > 0 {
                    commands.extend(self.chat.seen(&mut next));
                }
                commands
            }
            Tab::Voicemail => vec![self.voicemail_list.refresh(next())],
            Tab::Phone | Tab::Settings => Vec::new(),
        };
        self.send_all(commands);
    }

    pub(super) fn send_all(&mut self, commands: Vec<Command>) {
        for command in commands {
            self.send(command);
        }
    }

    /// A CSV or vCard file dropped on the main window: the Contacts tab opens and imports it
    /// (its panel shows what came of it). Other files, and drops on the call popup, are left.
    pub(super) fn on_file_dropped(&mut self, window: iced::window::Id, path: PathBuf) {
        if Some(window) != self.main_window {
            return;
        }
        if !contacts::import::is_contacts_file(&path) {
            self.notice = Some(self.i18n.tr("notice-drop-not-contacts"));
            return;
        }
        if self.tab != Tab::Contacts {
            self.tab = Tab::Contacts;
            self.refresh_lists();
        }
        let request = self.requests.next();
        let command = self.contacts.import_file(path, request);
        self.send(command);
    }

    /// The engine's answers about contacts, history and the database.
    pub(super) fn on_store_event(&mut self, event: &Event) {
        match event {
            Event::Database {
                state,
                unseen_missed,
                moved_aside,
                reason,
                ..
            } => {
                self.missed = u32::try_from(*unseen_missed).unwrap_or(u32::MAX);
                if let Some(moved) = moved_aside {
                    self.notice = Some(self.i18n.tr_args("notice-db-moved", &[("path", moved)]));
                }
                if *state == DatabaseState::Unavailable {
                    let why = reason.clone().unwrap_or_default();
                    self.notice = Some(
                        self.i18n
                            .tr_args("notice-db-unavailable", &[("error", &why)]),
                    );
                }
            }
            Event::MissedCalls { unseen, .. } => {
                self.missed = u32::try_from(*unseen).unwrap_or(u32::MAX);
            }
            Event::DirectorySync {
                account,
                state: SyncState::Failed,
                reason,
                ..
            } => {
                let error = reason.clone().unwrap_or_default();
                self.notice = Some(self.i18n.tr_args(
                    "notice-directory-failed",
                    &[("line", account.as_str()), ("error", &error)],
                ));
            }
            _ => {}
        }
        let requests = &mut self.requests;
        let mut next = || requests.next();
        let mut commands = Vec::new();
        if self.tab == Tab::Contacts || !matches!(event, Event::ContactsChanged { .. }) {
            commands.extend(self.contacts.on_event(event, &self.i18n, &mut next));
        }
        if self.tab == Tab::History || !matches!(event, Event::HistoryChanged { .. }) {
            commands.extend(self.history.on_event(event, &self.i18n, &mut next));
        }
        self.send_all(commands);
    }
}
