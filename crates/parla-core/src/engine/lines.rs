//! The lines: starting a line's task, replacing one (`set_account`: the old one ends its calls
//! and un-registers first) and removing one.

use super::{AccountEntry, Engine, QUIT_GRACE};
use crate::api::{AccountId, ErrorKind, Event, RegistrationState};
use crate::config::AccountConfig;
use crate::ua::account::AccountTask;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

impl Engine {
    /// Starts a line's task; with `previous`, only once that (the line it replaces) has ended.
    pub(super) fn spawn_account(
        &self,
        account: AccountConfig,
        previous: Option<JoinHandle<()>>,
    ) -> AccountEntry {
        let (messages, rx) = mpsc::unbounded_channel();
        let stop = self.stop.child_token();
        let task = AccountTask {
            config: account,
            shared: self.shared.clone(),
        };
        let run_stop = stop.clone();
        let task = tokio::spawn(async move {
            if let Some(previous) = previous {
                let _ = previous.await;
            }
            task.run(rx, run_stop).await;
        });
        AccountEntry {
            messages,
            state: RegistrationState::Unregistered,
            stop,
            task,
        }
    }

    /// Ends the line's calls (within the grace period), then un-registers and stops it.
    pub(super) fn stop_account(&self, account: AccountId, entry: AccountEntry) -> JoinHandle<()> {
        let calls = self.shared.calls.clone();
        tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + QUIT_GRACE;
            calls.end_calls_of(&account, deadline).await;
            entry.stop.cancel();
            let _ = entry.task.await;
        })
    }

    pub(super) fn set_account(&mut self, account: AccountConfig) {
        if let Err(message) = account.validate() {
            return self.emit(Event::account_error(
                AccountId::new(account.id.clone()),
                ErrorKind::InvalidAccount,
                format!("account {:?}: {message}", account.id),
            ));
        }
        let id = AccountId::new(account.id.clone());
        let previous = self
            .accounts
            .remove(&id)
            .map(|entry| self.stop_account(id.clone(), entry));
        match self.config.accounts.iter_mut().find(|a| a.id == account.id) {
            Some(slot) => *slot = account.clone(),
            None => self.config.accounts.push(account.clone()),
        }
        if account.enabled {
            let entry = self.spawn_account(account, previous);
            self.accounts.insert(id, entry);
        } else if let Some(previous) = previous {
            self.stopping.push(previous);
        }
    }

    pub(super) fn remove_account(&mut self, account: AccountId) {
        self.shared.forwardings.remove(&account);
        let known = self.config.accounts.len();
        self.config.accounts.retain(|a| a.id != account.as_str());
        match self.accounts.remove(&account) {
            Some(entry) => {
                self.stopping.retain(|task| !task.is_finished());
                let stopping = self.stop_account(account, entry);
                self.stopping.push(stopping);
            }
            // A disabled line is not running: confirm it all the same.
            None if self.config.accounts.len() < known => self.emit(Event::Registration {
                account,
                state: RegistrationState::Unregistered,
                code: None,
                reason: None,
                expires: None,
            }),
            None => self.emit(Event::account_error(
                account.clone(),
                ErrorKind::NoSuchAccount,
                format!("there is no account {account:?}"),
            )),
        }
    }
}
