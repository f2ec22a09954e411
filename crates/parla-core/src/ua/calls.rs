//! Every live call, by id: how commands reach a call task and how `status` sees them.

use crate::api::{AccountId, CallDirection, CallId, CallState, CallStatus, DeclineReason};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{mpsc, watch};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCommand {
    Answer,
    Decline(DeclineReason),
    Hangup,
    Dtmf(String),
    Hold,
    Resume,
    Mute(bool),
    /// Move the call's audio; `None` keeps that direction's device.
    SetDevices {
        input: Option<String>,
        output: Option<String>,
    },
}

struct Entry {
    commands: mpsc::UnboundedSender<CallCommand>,
    status: CallStatus,
}

#[derive(Clone)]
pub struct CallRegistry {
    calls: Arc<Mutex<HashMap<CallId, Entry>>>,
    /// Bumped whenever a call goes, so that stopping a line can wait for its calls to end.
    removed: Arc<watch::Sender<u64>>,
}

impl Default for CallRegistry {
    fn default() -> Self {
        Self {
            calls: Arc::default(),
            removed: Arc::new(watch::Sender::new(0)),
        }
    }
}

impl CallRegistry {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<CallId, Entry>) -> T) -> T {
        // A panicking call task must not take every other call down with it.
        let mut map = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut map)
    }

    /// Adds a call and returns the receiving end of its command channel.
    pub fn insert(
        &self,
        call: CallId,
        account: AccountId,
        direction: CallDirection,
        remote: String,
        state: CallState,
    ) -> mpsc::UnboundedReceiver<CallCommand> {
        let (commands, rx) = mpsc::unbounded_channel();
        let status = CallStatus {
            call,
            account,
            direction,
            remote,
            state,
        };
        self.with(|m| m.insert(call, Entry { commands, status }));
        rx
    }

    pub fn remove(&self, call: CallId) {
        self.with(|m| m.remove(&call));
        self.removed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The calls on one line.
    pub fn ids_of(&self, account: &AccountId) -> Vec<CallId> {
        self.with(|m| {
            m.values()
                .filter(|e| &e.status.account == account)
                .map(|e| e.status.call)
                .collect()
        })
    }

    /// Hangs up every call on `account` and waits until they have ended, or until `deadline`.
    pub async fn end_calls_of(&self, account: &AccountId, deadline: tokio::time::Instant) {
        // Subscribed before looking, so a call that ends in between is not missed.
        let mut removed = self.removed.subscribe();
        for call in self.ids_of(account) {
            self.send(call, CallCommand::Hangup);
        }
        while !self.ids_of(account).is_empty() {
            tokio::select! {
                changed = removed.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep_until(deadline) => return,
            }
        }
    }

    pub fn set_state(&self, call: CallId, state: CallState) {
        self.with(|m| {
            if let Some(entry) = m.get_mut(&call) {
                entry.status.state = state;
            }
        });
    }

    /// False when there is no such call (any more).
    pub fn send(&self, call: CallId, command: CallCommand) -> bool {
        self.with(|m| {
            m.get(&call)
                .is_some_and(|e| e.commands.send(command).is_ok())
        })
    }

    pub fn snapshot(&self) -> Vec<CallStatus> {
        let mut calls: Vec<CallStatus> =
            self.with(|m| m.values().map(|e| e.status.clone()).collect());
        calls.sort_by_key(|c| c.call);
        calls
    }

    /// Whether a call other than `call` is under way (answered, held or holding): a new one
    /// arriving now is a waiting call.
    pub fn another_in_progress(&self, call: CallId) -> bool {
        self.with(|m| {
            m.values().any(|e| {
                e.status.call != call
                    && matches!(
                        e.status.state,
                        CallState::Connected | CallState::OnHold | CallState::Held
                    )
            })
        })
    }

    pub fn is_empty(&self) -> bool {
        self.with(|m| m.is_empty())
    }

    pub fn ids(&self) -> Vec<CallId> {
        self.with(|m| m.keys().copied().collect())
    }
}
