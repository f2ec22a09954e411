//! Text messages (SIP MESSAGE, RFC 3428) kept per conversation: one row per message, the
//! conversation named by the other party's address (`sip:user@host`, no port or parameters).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest text sent or taken (bytes of UTF-8); a longer incoming one is refused with 413.
pub const MAX_MESSAGE_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub i64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a message we send stands; incoming messages are `received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// On its way (no final response yet).
    Sending,
    /// The server took it (2xx; 202: stored to be delivered later).
    Sent,
    /// Refused or unanswered: `code` and `reason` say why; `retry_message` sends it again.
    Failed,
    /// Incoming.
    Received,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageDirection {
    Incoming,
    Outgoing,
}

/// One message as the events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEntry {
    pub id: MessageId,
    pub account: String,
    /// The conversation: the other party's `sip:user@host`.
    pub peer: String,
    pub direction: MessageDirection,
    pub text: String,
    /// When it was sent or received, ms since the Unix epoch.
    pub time_ms: i64,
    pub state: MessageState,
    /// The SIP status of a send's final response (202, 404, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Incoming: read by the person (the conversation was opened).
    pub read: bool,
}

/// One conversation in the list: the other party, the last message, how many are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationEntry {
    pub peer: String,
    /// The line of the last message.
    pub account: String,
    /// The contact's name now, else the display name the peer last sent, else empty.
    #[serde(default)]
    pub name: String,
    pub last_text: String,
    pub last_ms: i64,
    pub last_direction: MessageDirection,
    pub unread: u64,
}
