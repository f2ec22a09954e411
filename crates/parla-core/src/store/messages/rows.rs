//! The `messages` table: writing, reading and listing text messages by conversation.

use rusqlite::{params, OptionalExtension, Row};

use super::super::history::{bounded, unix_ms};
use super::super::{Region, Store, StoreError};
use super::{
    conversation_peer, ConversationEntry, MessageDirection, MessageEntry, MessageId, MessageState,
    NewMessage, MAX_MESSAGE_BYTES, NOT_SENT_STOPPED,
};

/// The columns [`entry_from_row`] reads, in its order.
const COLUMNS: &str = "id, account, peer, direction, text, time_ms, state, code, reason, read";

/// Most characters of a refused address an error repeats.
const MAX_QUOTED_CHARS: usize = 80;

/// `peer` as a conversation's address, or [`StoreError::NotAnAddress`].
fn peer_of(peer: &str) -> Result<String, StoreError> {
    conversation_peer(peer)
        .ok_or_else(|| StoreError::NotAnAddress(peer.chars().take(MAX_QUOTED_CHARS).collect()))
}

impl Store {
    /// Keeps a message sent or received; the conversation is [`conversation_peer`] of
    /// `message.peer` ([`StoreError::NotAnAddress`] when it has none). Outgoing messages are
    /// read; incoming ones are unread until [`Store::mark_conversation_read`]. A text over
    /// [`MAX_MESSAGE_BYTES`] is refused ([`StoreError::MessageTooLong`]).
    ///
    /// A message we send is added `sending` and moved on with [`Store::set_message_state`]
    /// once the far end answers. One still `sending` when Parla stops is never finished: the
    /// engine's store calls [`Store::fail_unsent`] when it opens, which makes it `failed`
    /// with the reason [`NOT_SENT_STOPPED`] (so it can be retried).
    pub fn add_message(&mut self, message: &NewMessage) -> Result<MessageEntry, StoreError> {
        if message.text.len() > MAX_MESSAGE_BYTES {
            return Err(StoreError::MessageTooLong(message.text.len()));
        }
        let peer = peer_of(&message.peer)?;
        let read = message.direction == MessageDirection::Outgoing;
        self.conn
            .prepare_cached(
                "INSERT INTO messages (account, peer, direction, text, time_ms, state, read,
                    display_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                bounded(&message.account),
                peer,
                message.direction.as_str(),
                message.text,
                unix_ms(message.time),
                message.state.as_str(),
                read,
                bounded(message.display_name.as_deref().unwrap_or("").trim()),
            ])?;
        let id = MessageId(self.conn.last_insert_rowid());
        self.message(id)?.ok_or(StoreError::MessageNotFound(id))
    }

    /// Where a sent message stands now: `state`, with the final response's `code` and
    /// `reason` (both cleared when `None`).
    pub fn set_message_state(
        &mut self,
        id: MessageId,
        state: MessageState,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Result<MessageEntry, StoreError> {
        let n = self
            .conn
            .prepare_cached("UPDATE messages SET state = ?2, code = ?3, reason = ?4 WHERE id = ?1")?
            .execute(params![id.0, state.as_str(), code, reason.map(bounded)])?;
        if n == 0 {
            return Err(StoreError::MessageNotFound(id));
        }
        self.message(id)?.ok_or(StoreError::MessageNotFound(id))
    }

    /// One message; `None` when there is no such message.
    pub fn message(&self, id: MessageId) -> Result<Option<MessageEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], entry_from_row)
            .optional()?)
    }

    /// The conversations, the one with the newest message first, at most `limit`. Each is
    /// named as the call history names calls: the contact owning the address or number
    /// ([`Store::caller_name`], `region` reading numbers without a country code), else the
    /// display name the peer's last incoming message carried, else empty.
    pub fn conversations(
        &self,
        limit: usize,
        region: Region,
    ) -> Result<Vec<ConversationEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "WITH last AS (
                SELECT (SELECT l.id FROM messages l WHERE l.peer = p.peer
                        ORDER BY l.time_ms DESC, l.id DESC LIMIT 1) AS id
                FROM (SELECT DISTINCT peer FROM messages) p)
             SELECT m.peer, m.account, m.text, m.time_ms, m.direction,
                    (SELECT count(*) FROM messages u WHERE u.peer = m.peer AND u.read = 0),
                    (SELECT d.display_name FROM messages d
                     WHERE d.peer = m.peer AND d.direction = 'incoming' AND d.display_name != ''
                     ORDER BY d.time_ms DESC, d.id DESC LIMIT 1)
             FROM last JOIN messages m ON m.id = last.id
             ORDER BY m.time_ms DESC, m.id DESC
             LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            let entry = ConversationEntry {
                peer: r.get(0)?,
                account: r.get(1)?,
                name: String::new(),
                last_text: r.get(2)?,
                last_ms: r.get(3)?,
                last_direction: MessageDirection::from_stored(&r.get::<_, String>(4)?),
                unread: r.get::<_, i64>(5)?.max(0) as u64,
            };
            Ok((entry, r.get::<_, Option<String>>(6)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut entry, display_name) = row?;
            let contact = self
                .caller_name(&entry.peer, region)?
                .map(|c| c.name)
                .filter(|name| !name.is_empty());
            entry.name = contact.or(display_name).unwrap_or_default();
            out.push(entry);
        }
        Ok(out)
    }

    /// The last `limit` messages of the conversation with `peer` (any form
    /// [`conversation_peer`] reads), oldest first.
    pub fn messages(&self, peer: &str, limit: usize) -> Result<Vec<MessageEntry>, StoreError> {
        let peer = peer_of(peer)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM messages WHERE peer = ?1
                                    ORDER BY time_ms DESC, id DESC LIMIT ?2)
             ORDER BY time_ms, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![peer, limit], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The person has read the conversation with `peer`: its incoming messages are read.
    pub fn mark_conversation_read(&mut self, peer: &str) -> Result<(), StoreError> {
        let peer = peer_of(peer)?;
        self.conn
            .prepare_cached("UPDATE messages SET read = 1 WHERE peer = ?1 AND read = 0")?
            .execute([peer])?;
        Ok(())
    }

    /// Deletes every message of the conversation with `peer` (none there: nothing happens).
    pub fn delete_conversation(&mut self, peer: &str) -> Result<(), StoreError> {
        let peer = peer_of(peer)?;
        self.conn
            .prepare_cached("DELETE FROM messages WHERE peer = ?1")?
            .execute([peer])?;
        Ok(())
    }

    /// How many incoming messages are not read yet (the window's and tray's badge).
    pub fn unread_messages(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM messages WHERE read = 0")?
            .query_row([], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Makes every message still `sending` `failed` with the reason [`NOT_SENT_STOPPED`]:
    /// called once when the engine opens the database, before it sends anything, for the
    /// sends the last run left unfinished. Not on every open: another process opening the
    /// profile (the `parla` command line) must not fail the running engine's sends. Returns
    /// how many there were.
    pub fn fail_unsent(&mut self) -> Result<u64, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE messages SET state = 'failed', code = NULL, reason = ?1
                 WHERE state = 'sending'",
            )?
            .execute([NOT_SENT_STOPPED])?;
        Ok(n as u64)
    }
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<MessageEntry> {
    Ok(MessageEntry {
        id: MessageId(r.get(0)?),
        account: r.get(1)?,
        peer: r.get(2)?,
        direction: MessageDirection::from_stored(&r.get::<_, String>(3)?),
        text: r.get(4)?,
        time_ms: r.get(5)?,
        state: MessageState::from_stored(&r.get::<_, String>(6)?),
        code: r
            .get::<_, Option<i64>>(7)?
            .and_then(|c| u16::try_from(c).ok()),
        reason: r.get(8)?,
        read: r.get(9)?,
    })
}
