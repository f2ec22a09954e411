//! Text messages: the conversations (newest first, with their unread counts), the one opened as
//! a thread of bubbles (ours on the right in the accent, theirs on the left) with a compose
//! field under it (and Delete conversation, asked twice), and "New message": a field for a
//! number or address, with the contacts that match. The engine owns the messages and sends
//! them: this screen sends commands and draws what the events say.

use crate::i18n::I18n;
use parla_core::api::{ContactEntry, RequestId};
use parla_core::store::{
    conversation_peer, ConversationEntry, MessageEntry, MessageId, MessageState, SearchFilter,
    MAX_MESSAGE_BYTES,
};
use parla_core::{AccountId, Command, Event};

mod view;

pub use view::conversation_name;

/// How many conversations the list asks for, and messages a thread.
const LIST_LIMIT: usize = 300;
const THREAD_LIMIT: usize = 300;
/// Most contacts offered under the new message field.
const MOST_SUGGESTIONS: usize = 5;
/// Numbers match a conversation's address when this many last digits agree (a national
/// number and its international form).
const SAME_NUMBER_DIGITS: usize = 9;

/// Who to write to, as the contact card, the call screen, a notification or the new message
/// field names them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// What the engine sends to: an address or a number (read as `dial` reads it).
    pub to: String,
    /// The name to show; empty: the conversation's, else the address.
    pub name: String,
    /// The line to send from; none: the conversation's, else the default line.
    pub account: Option<AccountId>,
}

/// The conversation on screen.
#[derive(Debug, Default)]
pub struct Thread {
    /// The conversation's address (`sip:user@host`), once known: a number typed in is only
    /// known after the engine has read it (the first message's `message_state`).
    pub peer: Option<String>,
    /// Where messages go.
    pub to: String,
    pub name: String,
    pub account: Option<AccountId>,
    /// Oldest first.
    pub messages: Vec<MessageEntry>,
    /// The messages have come at least once (until then no empty state).
    pub loaded: bool,
    /// The compose field.
    pub draft: String,
    reading: Option<RequestId>,
    /// Sends not answered yet, with their text (put back in the field if the send fails).
    sending: Vec<(RequestId, String)>,
    /// Delete conversation was pressed once (pressed again: deleted).
    pub confirm_delete: bool,
}

impl Thread {
    /// The name over the thread: the contact's (or the one the peer sent), else the address.
    pub fn title(&self) -> String {
        if !self.name.trim().is_empty() {
            return self.name.clone();
        }
        crate::app::calls::display_number(self.peer.as_deref().unwrap_or(&self.to))
    }
}

/// A contact's number or address offered under the new message field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub name: String,
    pub address: String,
}

/// The new message field and the contacts matching it.
#[derive(Debug, Default)]
pub struct NewMessage {
    pub to: String,
    pub found: Vec<Suggestion>,
    searching: Option<RequestId>,
}

#[derive(Debug, Default)]
pub struct Chat {
    /// Newest first, as the engine lists them.
    pub conversations: Vec<ConversationEntry>,
    /// Incoming messages not read yet (the engine's count, raised at once by a new one).
    pub unread: u64,
    /// The list has come at least once (until then the empty state is not shown).
    pub loaded: bool,
    pub thread: Option<Thread>,
    pub new_message: Option<NewMessage>,
    pub error: Option<String>,
    /// The listing whose answer the screen waits for.
    listing: Option<RequestId>,
    /// Requests whose errors belong to this screen (mark read, retry).
    asked: Vec<RequestId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A conversation of the list, by its address.
    Open(String),
    Back,
    Draft(String),
    /// Enter in the compose field, or its send button.
    Send,
    Retry(MessageId),
    /// Call the conversation's other party.
    Call,
    /// Opens the new message field.
    NewMessage,
    To(String),
    Pick(Suggestion),
    /// Enter in the new message field: the thread for what it holds.
    Start,
    /// First press of the thread's Delete conversation: asks to confirm.
    AskDelete,
    /// Second press: the conversation's messages are deleted.
    ConfirmDelete,
    CancelDelete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    Send(Vec<Command>),
    /// A thread opened (its commands sent): the compose field takes the keyboard.
    Opened(Vec<Command>),
    /// The new message field opened: it takes the keyboard.
    Composing,
    Dial {
        account: Option<AccountId>,
        to: String,
    },
}

/// The compose field's and the new message field's ids, for the keyboard focus.
pub const COMPOSE_ID: &str = "chat-compose";
pub const TO_ID: &str = "chat-to";

impl Chat {
    /// Asks for the list again, and for the open thread's messages.
    pub fn refresh(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Vec<Command> {
        let request = next_request();
        self.listing = Some(request);
        let mut commands = vec![Command::ListConversations {
            limit: LIST_LIMIT,
            request: Some(request),
        }];
        commands.extend(self.read_thread(next_request));
        commands
    }

    /// The open thread's messages asked for again.
    fn read_thread(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Option<Command> {
        let thread = self.thread.as_mut()?;
        let peer = thread.peer.clone()?;
        let request = next_request();
        thread.reading = Some(request);
        Some(Command::ListMessages {
            peer,
            limit: THREAD_LIMIT,
            request: Some(request),
        })
    }

    /// The open conversation is being looked at: its unread messages are read now (shown so
    /// at once; the engine's count follows).
    pub fn seen(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Vec<Command> {
        let Some(peer) = self.thread.as_ref().and_then(|t| t.peer.clone()) else {
            return Vec::new();
        };
        if let Some(entry) = self.conversations.iter_mut().find(|c| c.peer == peer) {
            self.unread = self.unread.saturating_sub(entry.unread);
            entry.unread = 0;
        }
        let request = next_request();
        self.asked.push(request);
        vec![Command::MarkConversationRead {
            peer,
            request: Some(request),
        }]
    }

    /// Unread messages in the open conversation, as the list last said.
    pub fn open_unread(&self) -> u64 {
        let Some(peer) = self.thread.as_ref().and_then(|t| t.peer.as_deref()) else {
            return 0;
        };
        self.conversations
            .iter()
            .find(|c| c.peer == peer)
            .map_or(0, |c| c.unread)
    }

    /// The conversation `peer` is open (not necessarily looked at).
    pub fn is_open(&self, peer: &str) -> bool {
        self.thread
            .as_ref()
            .and_then(|t| t.peer.as_deref())
            .is_some_and(|p| p == peer)
    }

    /// The conversation already kept with `to`: the same address, or a number whose last
    /// digits are those of the address's user part.
    pub fn find(&self, to: &str) -> Option<&ConversationEntry> {
        if let Some(peer) = conversation_peer(to) {
            if let Some(found) = self.conversations.iter().find(|c| c.peer == peer) {
                return Some(found);
            }
        }
        let digits = number_digits(to)?;
        self.conversations.iter().find(|c| {
            let user = c
                .peer
                .strip_prefix("sip:")
                .and_then(|rest| rest.split_once('@'))
                .map_or("", |(user, _)| user);
            number_digits(user).is_some_and(|theirs| same_number(&theirs, &digits))
        })
    }

    /// Opens the thread with `target` (from the contact card, the call screen, a
    /// notification, the new message field): its messages if there is a conversation.
    pub fn open(
        &mut self,
        target: Target,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Vec<Command> {
        let known = self.find(&target.to).cloned();
        let peer = known
            .as_ref()
            .map(|c| c.peer.clone())
            .or_else(|| conversation_peer(&target.to));
        let name = if target.name.trim().is_empty() {
            known.as_ref().map(|c| c.name.clone()).unwrap_or_default()
        } else {
            target.name
        };
        let account = target
            .account
            .or_else(|| known.as_ref().map(|c| AccountId::new(c.account.clone())));
        // A conversation found by number is written to at its address.
        let to = known.map_or(target.to, |c| c.peer);
        self.new_message = None;
        self.error = None;
        self.thread = Some(Thread {
            loaded: peer.is_none(),
            peer,
            to: to.trim().to_string(),
            name,
            account,
            ..Thread::default()
        });
        self.read_thread(next_request).into_iter().collect()
    }

    pub fn update(&mut self, msg: Msg, next_request: &mut impl FnMut() -> RequestId) -> Outcome {
        self.error = None;
        if !matches!(msg, Msg::AskDelete | Msg::ConfirmDelete) {
            if let Some(thread) = self.thread.as_mut() {
                thread.confirm_delete = false;
            }
        }
        match msg {
            Msg::AskDelete => {
                if let Some(thread) = self.thread.as_mut().filter(|t| t.peer.is_some()) {
                    thread.confirm_delete = true;
                }
                Outcome::None
            }
            Msg::CancelDelete => Outcome::None,
            Msg::ConfirmDelete => self.delete_thread(next_request),
            Msg::Open(peer) => {
                let mut commands = self.open(
                    Target {
                        to: peer,
                        ..Target::default()
                    },
                    next_request,
                );
                commands.extend(self.seen(next_request));
                Outcome::Opened(commands)
            }
            Msg::Back => {
                self.thread = None;
                self.new_message = None;
                Outcome::None
            }
            Msg::Draft(text) => {
                if let Some(thread) = self.thread.as_mut() {
                    thread.draft = bounded(text);
                }
                Outcome::None
            }
            Msg::Send => {
                let Some(thread) = self.thread.as_mut() else {
                    return Outcome::None;
                };
                let text = thread.draft.trim().to_string();
                if text.is_empty() || thread.to.is_empty() {
                    return Outcome::None;
                }
                let request = next_request();
                thread.sending.push((request, text.clone()));
                thread.draft.clear();
                Outcome::Send(vec![Command::SendMessage {
                    account: thread.account.clone(),
                    to: thread.to.clone(),
                    text,
                    request: Some(request),
                }])
            }
            Msg::Retry(id) => {
                let Some(message) = self
                    .thread
                    .as_mut()
                    .and_then(|t| t.messages.iter_mut().find(|m| m.id == id))
                    .filter(|m| m.state == MessageState::Failed)
                else {
                    return Outcome::None;
                };
                // On its way again at once; the engine's `message_state` follows.
                message.state = MessageState::Sending;
                message.code = None;
                message.reason = None;
                let request = next_request();
                self.asked.push(request);
                Outcome::Send(vec![Command::RetryMessage {
                    id,
                    request: Some(request),
                }])
            }
            Msg::Call => match &self.thread {
                Some(thread) => Outcome::Dial {
                    account: thread.account.clone(),
                    to: thread.peer.clone().unwrap_or_else(|| thread.to.clone()),
                },
                None => Outcome::None,
            },
            Msg::NewMessage => {
                self.thread = None;
                self.new_message = Some(NewMessage::default());
                Outcome::Composing
            }
            Msg::To(to) => {
                let Some(field) = self.new_message.as_mut() else {
                    return Outcome::None;
                };
                field.to = to.chars().take(256).collect();
                // Contacts by name (a letter and two characters at least): a number is
                // written to as typed.
                let query = field.to.trim();
                if query.chars().count() < 2 || !query.chars().any(char::is_alphabetic) {
                    field.found.clear();
                    field.searching = None;
                    return Outcome::None;
                }
                let request = next_request();
                field.searching = Some(request);
                Outcome::Send(vec![Command::SearchContacts {
                    query: query.to_string(),
                    filter: SearchFilter::All,
                    limit: MOST_SUGGESTIONS,
                    request: Some(request),
                }])
            }
            Msg::Pick(suggestion) => Outcome::Opened(self.open(
                Target {
                    to: suggestion.address,
                    name: suggestion.name,
                    account: None,
                },
                next_request,
            )),
            Msg::Start => {
                let to = self
                    .new_message
                    .as_ref()
                    .map(|f| f.to.trim().to_string())
                    .unwrap_or_default();
                if to.is_empty() {
                    return Outcome::None;
                }
                let mut commands = self.open(
                    Target {
                        to,
                        ..Target::default()
                    },
                    next_request,
                );
                commands.extend(self.seen(next_request));
                Outcome::Opened(commands)
            }
        }
    }

    /// The open conversation deleted (once confirmed): gone from the list at once and the
    /// list shown; the engine confirms with `messages_changed`, which asks for the list again.
    fn delete_thread(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Outcome {
        let Some(peer) = self
            .thread
            .as_ref()
            .filter(|t| t.confirm_delete)
            .and_then(|t| t.peer.clone())
        else {
            return Outcome::None;
        };
        self.thread = None;
        if let Some(at) = self.conversations.iter().position(|c| c.peer == peer) {
            let gone = self.conversations.remove(at);
            self.unread = self.unread.saturating_sub(gone.unread);
        }
        let request = next_request();
        self.asked.push(request);
        Outcome::Send(vec![Command::DeleteConversation {
            peer,
            request: Some(request),
        }])
    }

    /// Takes the engine's answers and news; returns what to ask next. `reading`: the open
    /// thread is in front of the person (the tab shown, the window focused).
    pub fn on_event(
        &mut self,
        event: &Event,
        i18n: &I18n,
        reading: bool,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Vec<Command> {
        match event {
            Event::Conversations {
                request,
                conversations,
                unread,
            } if *request == self.listing => {
                self.listing = None;
                self.loaded = true;
                self.conversations = conversations.clone();
                self.unread = *unread;
                return self.find_thread_peer(next_request);
            }
            Event::Messages {
                request, messages, ..
            } => {
                if let Some(thread) = self
                    .thread
                    .as_mut()
                    .filter(|t| t.reading.is_some() && t.reading == *request)
                {
                    thread.reading = None;
                    thread.loaded = true;
                    thread.messages = messages.clone();
                }
            }
            Event::MessageState {
                request,
                id,
                peer,
                state,
                code,
                reason,
            } => {
                let mut commands = vec![self.ask_list(next_request)];
                if let Some(thread) = self.thread.as_mut() {
                    let ours = request.is_some_and(|r| thread.sending.iter().any(|s| s.0 == r));
                    if ours {
                        thread.sending.retain(|s| Some(s.0) != *request);
                        // The engine's address for what was typed.
                        thread.peer = Some(peer.clone());
                        thread.to = peer.clone();
                    }
                    if thread.peer.as_deref() == Some(peer.as_str()) {
                        match thread.messages.iter_mut().find(|m| m.id == *id) {
                            Some(message) => {
                                message.state = *state;
                                message.code = *code;
                                message.reason = reason.clone();
                            }
                            None => commands.extend(self.read_thread(next_request)),
                        }
                    }
                }
                return commands;
            }
            Event::Message { from, .. } => {
                let open = self.is_open(from);
                if !(open && reading) {
                    self.unread = self.unread.saturating_add(1);
                }
                let mut commands = vec![self.ask_list(next_request)];
                if open {
                    commands.extend(self.read_thread(next_request));
                    if reading {
                        commands.extend(self.seen(next_request));
                    }
                }
                return commands;
            }
            Event::MessagesChanged { request, unread } => {
                self.unread = *unread;
                if let Some(request) = request {
                    self.asked.retain(|r| r != request);
                }
                return vec![self.ask_list(next_request)];
            }
            Event::Contacts {
                request: Some(request),
                contacts,
            } => {
                if let Some(field) = self
                    .new_message
                    .as_mut()
                    .filter(|f| f.searching == Some(*request))
                {
                    field.searching = None;
                    field.found = suggestions(contacts);
                }
            }
            Event::Error {
                request: Some(request),
                kind,
                message,
                ..
            } => {
                let mine = Some(*request) == self.listing || self.asked.contains(request);
                let thread = self.thread.as_mut().filter(|t| {
                    t.reading == Some(*request) || t.sending.iter().any(|s| s.0 == *request)
                });
                if let Some(thread) = thread {
                    if thread.reading == Some(*request) {
                        thread.reading = None;
                        thread.loaded = true;
                    }
                    // Not sent: the text comes back to the field, unless another is there.
                    if let Some(at) = thread.sending.iter().position(|s| s.0 == *request) {
                        let (_, text) = thread.sending.remove(at);
                        if thread.draft.is_empty() {
                            thread.draft = text;
                        }
                    }
                } else if !mine {
                    return Vec::new();
                }
                if Some(*request) == self.listing {
                    self.listing = None;
                }
                self.asked.retain(|r| r != request);
                self.error = Some(crate::app::errors::describe(i18n, *kind, message));
            }
            _ => {}
        }
        Vec::new()
    }

    /// The list asked for again.
    pub fn ask_list(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Command {
        let request = next_request();
        self.listing = Some(request);
        Command::ListConversations {
            limit: LIST_LIMIT,
            request: Some(request),
        }
    }

    /// A thread opened before its conversation was listed (or by number) finds it in the
    /// new list.
    fn find_thread_peer(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Vec<Command> {
        let Some(to) = self
            .thread
            .as_ref()
            .filter(|t| t.peer.is_none())
            .map(|t| t.to.clone())
        else {
            return Vec::new();
        };
        let Some(found) = self.find(&to).cloned() else {
            return Vec::new();
        };
        if let Some(thread) = self.thread.as_mut() {
            thread.peer = Some(found.peer.clone());
            thread.to = found.peer;
            if thread.name.trim().is_empty() {
                thread.name = found.name;
            }
            if thread.account.is_none() {
                thread.account = Some(AccountId::new(found.account));
            }
            thread.loaded = false;
        }
        self.read_thread(next_request).into_iter().collect()
    }
}

/// The contacts' numbers and SIP addresses (emails that read as `user@host`), blocked ones
/// left out.
fn suggestions(contacts: &[ContactEntry]) -> Vec<Suggestion> {
    contacts
        .iter()
        .filter(|c| !c.fields.blocked)
        .flat_map(|c| {
            let numbers = c.fields.phones.iter().map(|p| p.number.clone());
            let addresses = c
                .fields
                .emails
                .iter()
                .filter_map(|e| sip_address(e).map(|_| e.trim().to_string()));
            numbers.chain(addresses).map(|address| Suggestion {
                name: c.name.clone(),
                address,
            })
        })
        .take(MOST_SUGGESTIONS)
        .collect()
}

/// An email-like field as the SIP address to write to (`sip:user@host`), if it is one.
pub fn sip_address(email: &str) -> Option<String> {
    let email = email.trim();
    if email.contains(':') {
        return None;
    }
    conversation_peer(email)
}

/// The digits of something that reads as a phone number (digits, spaces, `+-()./`, at least
/// three digits), without a leading international `00`.
fn number_digits(text: &str) -> Option<String> {
    let text = text.trim();
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
    {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("00").unwrap_or(&digits).to_string();
    (digits.len() >= 3).then_some(digits)
}

fn same_number(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let n = SAME_NUMBER_DIGITS;
    a.len() >= n && b.len() >= n && a[a.len() - n..] == b[b.len() - n..]
}

/// `text` cut to what a message may hold (bytes of UTF-8, on a character boundary).
fn bounded(mut text: String) -> String {
    if text.len() > MAX_MESSAGE_BYTES {
        let mut end = MAX_MESSAGE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// When a message was sent or received, in local time.
pub fn local_time(time_ms: i64) -> chrono::NaiveDateTime {
    // Up to the year 9999: chrono cannot show later times.
    let at = u64::try_from(time_ms)
        .ok()
        .filter(|ms| *ms < 253_402_300_799_000)
        .and_then(|ms| std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_millis(ms)))
        .unwrap_or(std::time::UNIX_EPOCH);
    crate::when::local(at)
}

/// A message's time as a list shows it: "16:15" today, else as the history says it
/// ("Yesterday 09:12", "Monday 09:12", "12 Nov").
pub fn short_time(time_ms: i64, now: chrono::NaiveDateTime, i18n: &I18n) -> String {
    let at = local_time(time_ms);
    if at.date() == now.date() {
        at.format("%H:%M").to_string()
    } else {
        crate::when::call_time(at, now, i18n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parla_core::store::MessageDirection;

    fn conversation(peer: &str) -> ConversationEntry {
        ConversationEntry {
            peer: peer.into(),
            account: "work".into(),
            name: String::new(),
            last_text: "hi".into(),
            last_ms: 0,
            last_direction: MessageDirection::Incoming,
            unread: 0,
        }
    }

    #[test]
    fn numbers_and_addresses_find_their_conversation() {
        let chat = Chat {
            conversations: vec![
                conversation("sip:+31201234567@pbx.example.com"),
                conversation("sip:bob@example.com"),
            ],
            ..Chat::default()
        };
        let peer = |to: &str| chat.find(to).map(|c| c.peer.clone());
        let ada = Some("sip:+31201234567@pbx.example.com".to_string());
        assert_eq!(peer("+31 20 123 4567"), ada);
        assert_eq!(peer("0031201234567"), ada);
        assert_eq!(peer("020 123 4567"), ada, "the national form");
        assert_eq!(
            peer("<sip:bob@EXAMPLE.com:5060>"),
            Some("sip:bob@example.com".into())
        );
        assert_eq!(peer("bob@example.com"), Some("sip:bob@example.com".into()));
        assert_eq!(peer("123"), None);
        assert_eq!(peer("carol"), None);
    }

    #[test]
    fn emails_that_are_sip_addresses() {
        assert_eq!(
            sip_address(" ada@example.com ").as_deref(),
            Some("sip:ada@example.com")
        );
        assert_eq!(sip_address("not an address"), None);
        assert_eq!(sip_address("mailto:ada@example.com"), None);
    }

    #[test]
    fn a_draft_keeps_to_what_a_message_may_hold() {
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let cut = bounded(long);
        assert!(cut.len() <= MAX_MESSAGE_BYTES);
        assert_eq!(cut.chars().count(), MAX_MESSAGE_BYTES / 2);
        assert_eq!(bounded("hi".into()), "hi");
    }
}
