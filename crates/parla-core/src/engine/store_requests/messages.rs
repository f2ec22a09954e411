//! The text messages in the one vocabulary: `list_conversations`, `list_messages`,
//! `mark_conversation_read` and `delete_conversation`. Sending (`send_message`,
//! `retry_message`) is the line's; these only read and tidy what the store keeps.

use super::store_error;
use crate::api::{Command, ErrorKind, Event, RequestId, MAX_LIST_LIMIT};
use crate::store::{conversation_peer, Region, Store, StoreError};

/// The commands [`answer`] takes.
pub(super) fn is_messages(command: &Command) -> bool {
    matches!(
        command,
        Command::ListConversations { .. }
            | Command::ListMessages { .. }
            | Command::MarkConversationRead { .. }
            | Command::DeleteConversation { .. }
    )
}

/// Answers one message command on the store thread; `region` reads numbers without a country
/// code when conversations are named after contacts.
pub(super) fn answer(
    store: &mut Store,
    command: Command,
    region: Region,
    request: Option<RequestId>,
) -> Vec<Event> {
    let result = match command {
        Command::ListConversations { limit, .. } => store
            .conversations(limit.min(MAX_LIST_LIMIT), region)
            .and_then(|conversations| {
                Ok(Event::Conversations {
                    request,
                    conversations,
                    unread: store.unread_messages()?,
                })
            }),
        Command::ListMessages { peer, limit, .. } => {
            let Some(peer) = conversation_peer(&peer) else {
                return vec![not_an_address(request, &peer)];
            };
            store
                .messages(&peer, limit.min(MAX_LIST_LIMIT))
                .map(|messages| Event::Messages {
                    request,
                    peer,
                    messages,
                })
        }
        Command::MarkConversationRead { peer, .. } => match conversation_peer(&peer) {
            Some(peer) => store
                .mark_conversation_read(&peer)
                .and_then(|()| changed(store, request)),
            None => return vec![not_an_address(request, &peer)],
        },
        Command::DeleteConversation { peer, .. } => match conversation_peer(&peer) {
            Some(peer) => store
                .delete_conversation(&peer)
                .and_then(|()| changed(store, request)),
            None => return vec![not_an_address(request, &peer)],
        },
        _ => return Vec::new(),
    };
    match result {
        Ok(event) => vec![event],
        Err(e) => vec![store_error(request, &e)],
    }
}

fn changed(store: &Store, request: Option<RequestId>) -> Result<Event, StoreError> {
    Ok(Event::MessagesChanged {
        request,
        unread: store.unread_messages()?,
    })
}

/// Most characters of the refused peer the error repeats.
const MAX_QUOTED_CHARS: usize = 80;

fn not_an_address(request: Option<RequestId>, peer: &str) -> Event {
    let quoted: String = peer.chars().take(MAX_QUOTED_CHARS).collect();
    Event::request_error(
        request,
        ErrorKind::BadCommand,
        format!("{quoted:?} is not a conversation's address (sip:user@host)"),
    )
}

#[cfg(test)]
mod tests;
