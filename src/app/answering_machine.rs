//! The answering machine in the window, beside the Voicemail tab: what the engine says about a
//! line's greeting goes to the line's settings page (the seconds recorded, the draft to listen
//! to and keep, the file kept, saved with the line), and a new message is told in a desktop
//! notification ("New voicemail from Ada (0:23)").

use super::{calls, desktop_glue, App, Message};
use crate::screen::settings::{self, Machine};
use iced::Task;
use parla_core::api::ErrorKind;
use parla_core::{AccountId, Event};

impl App {
    pub(super) fn on_answering_machine(&mut self, event: &Event) -> Task<Message> {
        match event {
            Event::Greeting {
                account,
                state,
                duration_ms,
                path,
            } => self.on_settings(settings::Msg::Machine(
                account.to_string(),
                Machine::Greeting {
                    state: *state,
                    duration_ms: *duration_ms,
                    path: path.clone(),
                },
            )),
            // A line's greeting plays or stopped; a message playing stops any greeting.
            Event::Playback {
                greeting, state, ..
            } => {
                match greeting {
                    Some(account) => self.note_greeting_playback(account, *state),
                    None if *state == parla_core::api::PlaybackState::Playing => {
                        let playing: Vec<String> = self
                            .settings
                            .greetings
                            .iter()
                            .filter(|(_, g)| g.playing)
                            .map(|(id, _)| id.clone())
                            .collect();
                        for id in playing {
                            self.note_greeting_playback(
                                &AccountId::new(id),
                                parla_core::api::PlaybackState::Stopped,
                            );
                        }
                    }
                    None => {}
                }
                Task::none()
            }
            // The recorder or the player of a line's greeting failed: its buttons come back.
            Event::Error {
                kind: ErrorKind::RecordingFailed | ErrorKind::FileMissing | ErrorKind::InvalidAudio,
                account: Some(account),
                call: None,
                ..
            } => {
                let _ = self.settings.update(
                    &mut self.config,
                    settings::Msg::Machine(account.to_string(), Machine::Failed),
                );
                Task::none()
            }
            Event::VoicemailMessage {
                account,
                from,
                name,
                duration_ms,
                ..
            } => {
                self.notify_new_message(account, from, name.as_deref(), *duration_ms);
                Task::none()
            }
            _ => Task::none(),
        }
    }

    /// Playback news changes only what the settings page shows: nothing to save or send.
    fn note_greeting_playback(
        &mut self,
        account: &AccountId,
        state: parla_core::api::PlaybackState,
    ) {
        let _ = self.settings.update(
            &mut self.config,
            settings::Msg::Machine(account.to_string(), Machine::Playback(state)),
        );
    }

    /// "New voicemail from NAME (0:23)", the number (or the line) under it.
    fn notify_new_message(
        &mut self,
        account: &AccountId,
        from: &str,
        name: Option<&str>,
        duration_ms: u64,
    ) {
        let number = calls::display_number(from);
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let summary = self.i18n.tr_args(
            "notify-voicemail-from",
            &[
                ("name", name.unwrap_or(&number)),
                (
                    "duration",
                    &crate::when::duration(duration_ms.saturating_add(500) / 1000),
                ),
            ],
        );
        let body = match name {
            Some(_) => number,
            None => self.line_label(account.as_str()),
        };
        self.message_notice = Some(summary.clone());
        self.notifications.voicemail(
            &self.notifier,
            summary,
            body,
            desktop_glue::notify_labels(&self.i18n),
        );
    }
}
