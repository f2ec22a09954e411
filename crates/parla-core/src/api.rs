//! The one vocabulary: what the GUI, `parla --headless`, the control socket and a second launch
//! send (`Command`) and what the engine reports back (`Event`). Serialised as internally tagged
//! JSON (`{"cmd":"dial",...}` / `{"event":"call_state",...}`).

use serde::{Deserialize, Serialize};
use std::fmt;

mod command;
mod constructors;
mod event;
mod kinds;
#[cfg(test)]
mod tests;

pub use command::{Command, MAX_LIST_LIMIT, MAX_QUERY_CHARS};
pub use event::Event;
pub use kinds::{
    AccountStatus, CallDirection, CallState, CallStatus, ContactEntry, DatabaseState,
    DeclineReason, ErrorKind, GreetingState, OwnPresence, PlaybackState, PresenceState,
    RecordingState, RefusalReason, RegistrationState, SyncState, TransferState,
};

/// An account ("line") as named by `id` in the profile's config.toml.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub String);

impl AccountId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A call, numbered by the engine from 1 upwards for the life of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a client puts in a command's `request` to find the events that answer it.
pub type RequestId = u64;
