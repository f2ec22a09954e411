//! Text messages (SIP MESSAGE, RFC 3428) on a line: sending one (stored first, then sent out
//! of dialog to the line's server in a task of its own, its final response setting its state)
//! and taking incoming ones.
//!
//! - [`outgoing`]: the request, the final response read as a state, the 32 s wait.
//! - [`incoming`]: what an incoming MESSAGE is answered, and storing and reporting it.

pub mod incoming;
pub mod outgoing;

use crate::api::{AccountId, ErrorKind, Event, RequestId};
use crate::store::{
    MessageDirection, MessageEntry, MessageId, MessageState, NewMessage, MAX_MESSAGE_BYTES,
};
use crate::ua::account::AccountMessage;
use crate::ua::out_of_dialog;
use crate::ua::stack::SipStack;
use crate::ua::store_link::StoreLink;
use crate::ua::uri::dial_target;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::sip::Uri;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::mpsc::UnboundedSender;

/// What the line hands its message tasks.
#[derive(Clone)]
pub struct MessageLine {
    pub account: AccountId,
    pub stack: Arc<SipStack>,
    /// `sip:user@domain`: who we are (the From).
    pub aor: Uri,
    pub display_name: Option<String>,
    /// The Contact the line registered (or its own address).
    pub contact: Uri,
    pub credential: Option<Credential>,
    pub domain: String,
    pub international_prefix: Option<String>,
    pub events: UnboundedSender<Event>,
    pub store: StoreLink,
}

/// Why a text cannot be sent: it is empty or longer than [`MAX_MESSAGE_BYTES`].
pub fn check_text(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the message is empty".into());
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(format!(
            "the message is {} bytes long; at most {MAX_MESSAGE_BYTES} can be sent",
            text.len()
        ));
    }
    Ok(())
}

fn error(
    account: &AccountId,
    request: Option<RequestId>,
    kind: ErrorKind,
    message: String,
) -> Event {
    Event::Error {
        kind,
        message,
        call: None,
        account: Some(account.clone()),
        request,
    }
}

impl MessageLine {
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn emit_state(&self, request: Option<RequestId>, entry: &MessageEntry) {
        self.emit(Event::MessageState {
            request,
            id: entry.id,
            peer: entry.peer.clone(),
            state: entry.state,
            code: entry.code,
            reason: entry.reason.clone(),
        });
    }

    /// `send_message`: checks the text and the target, stores the message (`sending`), says
    /// so, and sends it in a task of its own.
    pub fn send(&self, to: &str, text: String, request: Option<RequestId>) {
        if let Err(why) = check_text(&text) {
            return self.emit(error(
                &self.account,
                request,
                ErrorKind::InvalidMessage,
                why,
            ));
        }
        let target = match dial_target(to, &self.domain, self.international_prefix.as_deref()) {
            Ok(target) => target,
            Err(e) => {
                let why = format!("cannot send a message to {to:?}: {e}");
                return self.emit(error(&self.account, request, ErrorKind::BadCommand, why));
            }
        };
        let line = self.clone();
        tokio::spawn(async move {
            let Some(peer) = crate::store::conversation_peer(&target.to_string()) else {
                let why = format!("cannot send a message to {target}");
                return line.emit(error(&line.account, request, ErrorKind::BadCommand, why));
            };
            let message = NewMessage {
                account: line.account.to_string(),
                peer,
                direction: MessageDirection::Outgoing,
                text,
                time: SystemTime::now(),
                state: MessageState::Sending,
                display_name: None,
            };
            let Some(entry) = line.store.add_message(message).await else {
                let why = "the message could not be stored (no database)".to_string();
                return line.emit(error(
                    &line.account,
                    request,
                    ErrorKind::StoreUnavailable,
                    why,
                ));
            };
            line.deliver(entry, target, request).await;
        });
    }

    /// `retry_message` of `entry` (a failed outgoing message of this line): sent again.
    pub fn retry(&self, entry: MessageEntry, request: Option<RequestId>) {
        let target = match Uri::try_from(entry.peer.as_str()) {
            Ok(target) => target,
            Err(e) => {
                let why = format!("cannot send a message to {}: {e}", entry.peer);
                return self.emit(error(&self.account, request, ErrorKind::BadCommand, why));
            }
        };
        let line = self.clone();
        tokio::spawn(async move {
            let sending = line
                .store
                .set_message_state(entry.id, MessageState::Sending, None, None)
                .await
                .unwrap_or(MessageEntry {
                    state: MessageState::Sending,
                    code: None,
                    reason: None,
                    ..entry
                });
            line.deliver(sending, target, request).await;
        });
    }

    /// Says `sending`, sends, and stores and says how it went.
    async fn deliver(&self, entry: MessageEntry, target: Uri, request: Option<RequestId>) {
        self.emit_state(request, &entry);
        let outcome = outgoing::within_timeout(self.exchange(&entry.text, target)).await;
        tracing::info!(account = %self.account, id = %entry.id, state = ?outcome.state,
            code = ?outcome.code, "MESSAGE answered");
        let done = self
            .store
            .set_message_state(
                entry.id,
                outcome.state,
                outcome.code,
                outcome.reason.clone(),
            )
            .await
            .unwrap_or(MessageEntry {
                state: outcome.state,
                code: outcome.code,
                reason: outcome.reason,
                ..entry
            });
        self.emit_state(request, &done);
    }

    async fn exchange(&self, text: &str, target: Uri) -> Result<(u16, String), String> {
        let mut cseq = 1;
        let request = outgoing::build(self, target, text, cseq)?;
        let exchange =
            out_of_dialog::exchange(&self.stack, request, self.credential.as_ref(), &mut cseq);
        let response = match exchange.await {
            Ok(response) => response,
            // The transaction gave up (64 × T1): as if our own wait had ended.
            Err(out_of_dialog::ExchangeError::Unanswered) => {
                return Ok((408, "Request Timeout".into()))
            }
            Err(e) => return Err(e.to_string()),
        };
        Ok((
            response.status_code.code(),
            response.status_code.text().to_string(),
        ))
    }
}

/// A `retry_message` that cannot be: why, for the error event.
pub fn check_retry(entry: &MessageEntry) -> Result<(), String> {
    if entry.direction != MessageDirection::Outgoing || entry.state != MessageState::Failed {
        return Err(format!(
            "message {} is not a failed message of ours: only those can be sent again",
            entry.id
        ));
    }
    Ok(())
}

/// `retry_message`: looks the message up and hands it to its line (`lines`: the running
/// lines' queues).
pub async fn retry(
    store: StoreLink,
    events: UnboundedSender<Event>,
    id: MessageId,
    request: Option<RequestId>,
    lines: BTreeMap<AccountId, UnboundedSender<AccountMessage>>,
) {
    let refuse = |kind, message: String, account: Option<AccountId>| {
        let _ = events.send(Event::Error {
            kind,
            message,
            call: None,
            account,
            request,
        });
    };
    let Some(entry) = store.message(id).await else {
        return refuse(
            ErrorKind::NotFound,
            format!("there is no message {id}"),
            None,
        );
    };
    let account = AccountId::new(entry.account.clone());
    if let Err(why) = check_retry(&entry) {
        return refuse(ErrorKind::BadCommand, why, Some(account));
    }
    let Some(line) = lines.get(&account) else {
        let why = format!("there is no enabled account {account:?}");
        return refuse(ErrorKind::NoSuchAccount, why, Some(account));
    };
    if line
        .send(AccountMessage::RetryMessage { entry, request })
        .is_err()
    {
        refuse(
            ErrorKind::AccountStopped,
            format!("account {account} has stopped"),
            Some(account),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(direction: MessageDirection, state: MessageState) -> MessageEntry {
        MessageEntry {
            id: MessageId(7),
            account: "a".into(),
            peer: "sip:bob@example.com".into(),
            direction,
            text: "hi".into(),
            time_ms: 0,
            state,
            code: Some(404),
            reason: None,
            read: true,
        }
    }

    #[test]
    fn empty_and_oversized_texts_are_refused() {
        assert!(check_text("").is_err());
        assert!(check_text("hello").is_ok());
        assert!(check_text(&"é".repeat(MAX_MESSAGE_BYTES / 2)).is_ok());
        let long = "é".repeat(MAX_MESSAGE_BYTES / 2 + 1);
        assert!(check_text(&long).unwrap_err().contains("bytes"));
    }

    #[test]
    fn only_failed_outgoing_messages_are_retried() {
        use MessageDirection::*;
        use MessageState::*;
        assert!(check_retry(&entry(Outgoing, Failed)).is_ok());
        assert!(check_retry(&entry(Outgoing, Sent)).is_err());
        assert!(check_retry(&entry(Outgoing, Sending)).is_err());
        assert!(check_retry(&entry(Incoming, Received)).is_err());
    }
}
