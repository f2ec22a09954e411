//! The answering machine's messages: one row per message (who called, when, how long, heard),
//! the audio in a WAV file of the profile's `voicemail/` folder, named by the row.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::SystemTime;

use super::HistoryId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VoicemailId(pub i64);

impl fmt::Display for VoicemailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A message as the list, the events and `parla voicemail list --json` carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoicemailEntry {
    pub id: VoicemailId,
    pub account: String,
    /// The caller's URI.
    pub from: String,
    /// The caller's number as the history shows it (from the URI).
    #[serde(default)]
    pub number: String,
    /// The contact's name when the message was left, else the caller's display name, else
    /// empty.
    #[serde(default)]
    pub name: String,
    /// When the call came in, RFC 3339 in UTC, and the same in ms since the Unix epoch.
    pub start: String,
    pub start_ms: i64,
    /// The message's length (after the beep).
    pub duration_ms: u64,
    pub heard: bool,
    /// The audio file's name in the profile's `voicemail/` folder.
    pub file: String,
    /// The file is gone (deleted by hand): the message can be deleted, not played.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    /// The call history entry of the call that left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryId>,
}

/// A message just recorded, as the answering machine hands it to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVoicemail {
    pub account: String,
    pub from: String,
    pub name: String,
    pub started: SystemTime,
    pub duration_ms: u64,
    /// The file's name in the `voicemail/` folder.
    pub file: String,
}

/// The profile's folder for message files, beside the database.
pub const VOICEMAIL_DIR: &str = "voicemail";
