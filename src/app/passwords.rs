//! Keyring consent: a password the keyring could not take is kept in the settings file only
//! when the person says so.

use super::{persist, App, PasswordQuestion};

impl App {
    /// The person's answer: keep the password the keyring could not take in the settings file?
    pub(super) fn on_keep_password_in_file(&mut self, account: String, keep: bool) {
        let Some(question) = self.password_question.take() else {
            return;
        };
        if keep && question.account == account {
            if let Some(line) = self.config.accounts.iter_mut().find(|a| a.id == account) {
                line.password = Some(question.password);
                line.password_in_keyring = false;
            }
            self.save();
        }
    }

    pub(super) fn on_password_saved(&mut self, account: String, outcome: persist::PasswordOutcome) {
        let password = self
            .config
            .accounts
            .iter()
            .find(|a| a.id == account)
            .and_then(|a| a.password.clone());
        match outcome {
            persist::PasswordOutcome::InKeyring => {}
            persist::PasswordOutcome::NoKeyring(why) | persist::PasswordOutcome::Failed(why) => {
                // The engine has the password for this session; keeping it in the file needs
                // the person's say-so.
                self.password_question = password.map(|password| PasswordQuestion {
                    account,
                    password,
                    why,
                });
            }
        }
    }
}
