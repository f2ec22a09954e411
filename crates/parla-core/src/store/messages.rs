//! Text messages (SIP MESSAGE, RFC 3428) kept per conversation: one row per message, the
//! conversation named by the other party's address (`sip:user@host`, no port or parameters).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::SystemTime;

mod rows;
#[cfg(test)]
mod tests;

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

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Sending => "sending",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
            MessageState::Received => "received",
        }
    }

    /// A stored state; anything unknown (never written by Parla) reads as `failed`.
    fn from_stored(s: &str) -> MessageState {
        match s {
            "sending" => MessageState::Sending,
            "sent" => MessageState::Sent,
            "received" => MessageState::Received,
            _ => MessageState::Failed,
        }
    }
}

impl MessageDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageDirection::Incoming => "incoming",
            MessageDirection::Outgoing => "outgoing",
        }
    }

    fn from_stored(s: &str) -> MessageDirection {
        if s == "outgoing" {
            MessageDirection::Outgoing
        } else {
            MessageDirection::Incoming
        }
    }
}

/// A message to keep, as the SIP side hands it to [`Store::add_message`](super::Store::add_message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The line's account id.
    pub account: String,
    /// The other party, in any form [`conversation_peer`] reads (`"Bob" <sip:bob@host>`, ...).
    pub peer: String,
    pub direction: MessageDirection,
    pub text: String,
    /// When it was sent or received.
    pub time: SystemTime,
    /// `sending` for one we send, `received` for one that came in.
    pub state: MessageState,
    /// The display name an incoming message carried (From), if any.
    pub display_name: Option<String>,
}

/// The reason a send left `sending` when Parla stopped is given when Parla starts again
/// (see [`Store::fail_unsent`](super::Store::fail_unsent)).
pub const NOT_SENT_STOPPED: &str = "not sent: Parla stopped";

/// Longest user part a conversation's address may have, in bytes.
const MAX_USER_BYTES: usize = 256;
/// Longest host name (DNS's limit).
const MAX_HOST_BYTES: usize = 253;

/// The conversation a message belongs to: the other party's address as `sip:user@host`, read
/// from a SIP URI, a name-addr or a bare `user@host`. The user part is kept as it is; the host
/// is lower-cased; the port, the password, URI parameters and headers, the display name and
/// `sips:` (as `sip:`) are dropped. `None` when it is not such an address (no user part,
/// another scheme such as `tel:`, characters no SIP address has, unbalanced brackets...).
///
/// ```
/// # use parla_core::store::conversation_peer;
/// assert_eq!(
///     conversation_peer("\"Bob\" <sip:Bob@Example.COM:5060;transport=udp>").as_deref(),
///     Some("sip:Bob@example.com")
/// );
/// assert_eq!(conversation_peer("bob@example.com").as_deref(), Some("sip:bob@example.com"));
/// assert_eq!(conversation_peer("tel:+31201234567"), None);
/// ```
pub fn conversation_peer(uri: &str) -> Option<String> {
    let inner = addr_spec(uri.trim())?;
    let (rest, schemed) = match strip_sip_scheme(inner) {
        Some(rest) => (rest, true),
        None => (inner, false),
    };
    let (userinfo, hostport) = rest.split_once('@')?;
    // `user:password@host` in a SIP URI; without a scheme a `:` means another scheme
    // (`mailto:`, `tel:`), which the character check below refuses.
    let user = if schemed {
        userinfo.split(':').next().unwrap_or(userinfo)
    } else {
        userinfo
    };
    if user.is_empty() || user.len() > MAX_USER_BYTES || !user.chars().all(is_user_char) {
        return None;
    }
    let hostport = hostport.split([';', '?']).next().unwrap_or(hostport);
    let host = host_of(hostport)?;
    Some(format!("sip:{user}@{}", host.to_ascii_lowercase()))
}

/// The address of a name-addr (`"Bob" <sip:bob@host>;tag=1` -> `sip:bob@host`), or the input
/// when it has no angle brackets.
fn addr_spec(s: &str) -> Option<&str> {
    let after_name = match s.strip_prefix('"') {
        Some(quoted) => {
            // A quoted display name, with `\"` escapes: skip to its closing quote.
            let mut escaped = false;
            let end = quoted.char_indices().find_map(|(i, c)| {
                let closing = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closing.then_some(i)
            })?;
            let rest = quoted[end + 1..].trim_start();
            if !rest.starts_with('<') {
                return None;
            }
            rest
        }
        None => s,
    };
    match after_name.split_once('<') {
        Some((_, bracketed)) => bracketed.split_once('>').map(|(inside, _)| inside.trim()),
        None => Some(after_name),
    }
}

fn strip_sip_scheme(s: &str) -> Option<&str> {
    ["sip:", "sips:"].iter().find_map(|scheme| {
        s.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .and_then(|_| s.get(scheme.len()..))
    })
}

/// RFC 3261's user characters: unreserved, escaped (`%XX`) and user-unreserved.
fn is_user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()%&=+$,;?/".contains(c)
}

/// The host of `host[:port]` (an IPv6 reference keeps its brackets); `None` when the host is
/// not a host name or IP address, or the port is not a port.
fn host_of(hostport: &str) -> Option<&str> {
    let (host, port) = if hostport.starts_with('[') {
        let end = hostport.find(']')?;
        let (host, after) = hostport.split_at(end + 1);
        let inner = &host[1..host.len() - 1];
        let ipv6 = !inner.is_empty()
            && inner.contains(':')
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        if !ipv6 {
            return None;
        }
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match hostport.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok();
        if !valid {
            return None;
        }
    }
    if host.starts_with('[') {
        return Some(host);
    }
    let name = !host.is_empty()
        && host.len() <= MAX_HOST_BYTES
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && host.starts_with(|c: char| c.is_ascii_alphanumeric())
        && host.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !host.contains("..");
    name.then_some(host)
}
