//! The Voicemail tab's line to the engine: the list asked for when the database is ready and
//! again when messages come, change or go; the player's commands; exports to the Downloads
//! folder; the unheard count for the tab's badge and the tray; the history's link to a message.

use super::{App, Message, Tab};
use crate::screen::voicemail::{self, Outcome};
use iced::Task;
use parla_core::api::DatabaseState;
use parla_core::store::VoicemailId;
use parla_core::Event;
use std::path::{Path, PathBuf};

impl App {
    pub(super) fn on_voicemail_msg(&mut self, msg: voicemail::Msg) -> Task<Message> {
        let requests = &mut self.requests;
        match self.voicemail_list.update(msg, &mut || requests.next()) {
            Outcome::None => {}
            Outcome::Send(commands) => self.send_all(commands),
            Outcome::Dial { account, to } => self.dial(Some(account), to),
            Outcome::Export(id) => self.export_voicemail(id),
        }
        Task::none()
    }

    /// Writes the message to the Downloads folder (else the profile folder) as WAV.
    fn export_voicemail(&mut self, id: VoicemailId) {
        let Some(entry) = self.voicemail_list.messages.iter().find(|m| m.id == id) else {
            return;
        };
        let output = voicemail::export_path(&export_dir(&self.profile), entry);
        let request = self.requests.next();
        let command = self.voicemail_list.export(id, output, request);
        self.send(command);
    }

    /// Keeps the list in step with the engine: fetched once the database is ready, again
    /// when a message is recorded, marked or deleted.
    pub(super) fn on_voicemail_event(&mut self, event: &Event) {
        let requests = &mut self.requests;
        let mut next = || requests.next();
        let commands = match event {
            Event::Database {
                state: DatabaseState::Ready,
                unheard_voicemail,
                ..
            } => {
                self.voicemail_list.unheard = *unheard_voicemail;
                vec![self.voicemail_list.refresh(next())]
            }
            _ => self.voicemail_list.on_event(event, &self.i18n, &mut next),
        };
        self.send_all(commands);
    }

    /// Messages not heard yet, for the Voicemail tab's badge and the tray.
    pub(super) fn unheard_voicemail(&self) -> u32 {
        u32::try_from(self.voicemail_list.unheard).unwrap_or(u32::MAX)
    }

    /// The history's link: the Voicemail tab opens with the message picked.
    pub(super) fn open_voicemail(&mut self, id: VoicemailId) {
        self.voicemail_list.select(id);
        self.tab = Tab::Voicemail;
        self.refresh_lists();
    }
}

/// Where exports go: the Downloads folder when there is one, else the profile folder (as the
/// diagnostics bundle does).
fn export_dir(profile: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|d| d.download_dir().map(Path::to_path_buf))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| profile.to_path_buf())
}
