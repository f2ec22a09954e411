//! The settings tab's effects: commands to the engine, the sign-in form for a line, the
//! language, start at login, and saving the settings file.

use super::{persist, App, Message};
use crate::i18n::I18n;
use crate::screen::{settings, sign_in};
use iced::Task;
use parla_core::Command;

impl App {
    /// Saves the settings. Passwords in `self.config` are only those the file holds anyway
    /// (written there by hand, or kept there with the person's consent): the keyring holds the rest.
    pub(super) fn save(&mut self) {
        self.config_writer.save(&self.config);
    }

    /// The settings writer could not write the file.
    pub(super) fn on_save_failed(&mut self, error: String) {
        self.notice = Some(
            self.i18n
                .tr_args("notice-save-failed", &[("error", &error)]),
        );
    }

    pub(super) fn on_settings(&mut self, msg: settings::Msg) -> Task<Message> {
        let was_compact = self.config.app.compact;
        let effect = self.settings.update(&mut self.config, msg);
        let resize = match self.main_window {
            Some(id) if self.config.app.compact != was_compact => {
                let (size, min) = super::windows::main_sizes(self.config.app.compact);
                Task::batch([
                    iced::window::set_min_size(id, Some(min)),
                    iced::window::resize(id, size),
                ])
            }
            _ => Task::none(),
        };
        for command in effect.commands.iter().cloned() {
            if let Command::SetDoNotDisturb { on } = command {
                self.dnd = on;
            }
            self.send(command);
        }
        if let Some(Some(id)) = &effect.open_sign_in {
            if let Some(account) = self.config.accounts.iter().find(|a| &a.id == id) {
                self.sign_in = Some(sign_in::SignIn::edit(account));
            }
        } else if effect.open_sign_in.is_some() {
            self.sign_in = Some(sign_in::SignIn::new(false));
        }
        if let Some(language) = effect.language {
            self.i18n = I18n::new(language);
        }
        // Writing (or removing) the autostart entry is file I/O: off the window's thread.
        let autostart = match effect.start_at_login {
            Some(on) => Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || {
                        crate::desktop::handlers::set_start_at_login(on).map_err(|e| e.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
                },
                |written| match written {
                    Ok(()) => Message::Notice(None),
                    Err(why) => Message::Notice(Some(why)),
                },
            ),
            None => Task::none(),
        };
        if effect.save {
            self.save();
        }
        let forget = match effect.forget_password {
            Some(account) => Task::perform(
                persist::forget_password(self.profile.clone(), account),
                |_| Message::Notice(None),
            )
            .discard(),
            None => Task::none(),
        };
        let diagnostics = if effect.save_diagnostics {
            self.save_diagnostics()
        } else {
            Task::none()
        };
        Task::batch([autostart, forget, diagnostics, resize])
    }

    /// Writes the diagnostics bundle off the window's thread (files, the sound system) and
    /// says where it went, or why not, in a notice.
    fn save_diagnostics(&self) -> Task<Message> {
        // Translated now, the path or error put in when the bundle is written.
        const SLOT: &str = "\u{1}";
        let saved = self
            .i18n
            .tr_args("notice-diagnostics-saved", &[("path", SLOT)]);
        let failed = self
            .i18n
            .tr_args("notice-diagnostics-failed", &[("error", SLOT)]);
        let profile = self.profile.clone();
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    let output = crate::diagnostics::default_output(&profile);
                    crate::diagnostics::save(&profile, &output)
                        .map(|()| {
                            let shown = std::fs::canonicalize(&output).unwrap_or(output);
                            shown.display().to_string()
                        })
                        .map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
            },
            move |written| {
                Message::Notice(Some(match written {
                    Ok(path) => saved.replace(SLOT, &path),
                    Err(why) => failed.replace(SLOT, &why),
                }))
            },
        )
    }
}
