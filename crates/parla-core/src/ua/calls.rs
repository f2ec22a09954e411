//! Every live call, by id: how commands reach a call task and how `status` sees them.

use crate::api::{AccountId, CallDirection, CallId, CallState, CallStatus, DeclineReason};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCommand {
    Answer,
    Decline(DeclineReason),
    Hangup,
    Dtmf(String),
    Hold,
    Resume,
    Mute(bool),
}

struct Entry {
    commands: mpsc::UnboundedSender<CallCommand>,
    status: CallStatus,
}

#[derive(Clone, Default)]
pub struct CallRegistry(Arc<Mutex<HashMap<CallId, Entry>>>);

impl CallRegistry {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<CallId, Entry>) -> T) -> T {
        // A panicking call task must not take every other call down with it.
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
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

    pub fn is_empty(&self) -> bool {
        self.with(|m| m.is_empty())
    }

    pub fn ids(&self) -> Vec<CallId> {
        self.with(|m| m.keys().copied().collect())
    }
}
