//! The sign-in form's flow: a line is tried with the engine, kept in the settings once it
//! registers, and stopped (or put back as it was) when it fails or the person gives up.

use super::{persist, App, Message, Tab};
use crate::screen::sign_in;
use iced::Task;
use parla_core::api::RegistrationState;
use parla_core::{AccountId, Command};

impl App {
    pub(super) fn on_sign_in(&mut self, msg: sign_in::Msg) -> Task<Message> {
        let taken: Vec<String> = self.config.accounts.iter().map(|a| a.id.clone()).collect();
        let Some(form) = self.sign_in.as_mut() else {
            return Task::none();
        };
        let waiting_for = match &form.progress {
            sign_in::Progress::Waiting { account } => Some(account.clone()),
            _ => None,
        };
        match form.update(msg, &self.i18n, &taken) {
            sign_in::Outcome::None => {}
            sign_in::Outcome::Try(account) => {
                self.send(Command::SetAccount { account });
            }
            sign_in::Outcome::Cancel => {
                let editing = form.editing.clone();
                let first_run = form.first_run;
                if let Some(account) = waiting_for {
                    // A line being tried and given up on stops; an edited line goes back to
                    // what the config says.
                    match self.config.accounts.iter().find(|a| a.id == account) {
                        Some(saved) if editing.is_some() => {
                            let saved = saved.clone();
                            self.send(Command::SetAccount {
                                account: Box::new(saved),
                            });
                        }
                        _ => self.send(Command::RemoveAccount {
                            account: AccountId::new(account),
                        }),
                    }
                }
                if !first_run {
                    self.sign_in = None;
                }
            }
            sign_in::Outcome::LocalOnly => {
                self.sign_in = None;
                self.save();
            }
        }
        Task::none()
    }

    pub(super) fn on_registration_for_sign_in(
        &mut self,
        account: &AccountId,
        state: RegistrationState,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Task<Message> {
        let Some(form) = self.sign_in.as_mut() else {
            return Task::none();
        };
        if form.progress
            != (sign_in::Progress::Waiting {
                account: account.to_string(),
            })
        {
            return Task::none();
        }
        match state {
            RegistrationState::Registered => {
                let taken: Vec<String> =
                    self.config.accounts.iter().map(|a| a.id.clone()).collect();
                let Ok(line) = form.account(&taken_without(&taken, account.as_str())) else {
                    return Task::none();
                };
                // Kept in memory for the engine; the file leaves it out while the keyring has it.
                let password = line.password.clone();
                let line = self.config.adopt_signed_in_line(line);
                self.sign_in = None;
                self.tab = Tab::Phone;
                self.save();
                match password {
                    Some(password) => {
                        let profile = self.profile.clone();
                        let id = line.id.clone();
                        Task::perform(
                            persist::store_password(profile, id.clone(), password),
                            move |outcome| Message::PasswordSaved(id.clone(), outcome),
                        )
                    }
                    None => Task::none(),
                }
            }
            RegistrationState::Failed => {
                form.progress =
                    sign_in::Progress::Failed(sign_in::failure_message(&self.i18n, code, reason));
                // The form is not a line yet: stop it retrying in the background, or put the
                // edited line back as it was.
                let saved = self
                    .config
                    .accounts
                    .iter()
                    .find(|a| a.id == account.as_str())
                    .cloned();
                match saved {
                    Some(saved) => self.send(Command::SetAccount {
                        account: Box::new(saved),
                    }),
                    None => self.send(Command::RemoveAccount {
                        account: account.clone(),
                    }),
                }
                Task::none()
            }
            _ => Task::none(),
        }
    }
}

fn taken_without(taken: &[String], id: &str) -> Vec<String> {
    taken.iter().filter(|t| *t != id).cloned().collect()
}
