//! The answering machine's messages: one row per message (who called, when, how long, heard),
//! the audio in a WAV file of the profile's `voicemail/` folder, named by the row.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::SystemTime;

use rusqlite::{params, OptionalExtension, Row};

use super::history::{self, bounded, unix_ms};
use super::{rfc3339_utc, CallExtras, CallRecord, HistoryId, Region, Store, StoreError};

mod files;
#[cfg(test)]
mod tests;

pub use files::{is_export_format, VoicemailFileError};

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

/// The columns [`entry_from_row`] reads, in its order.
const COLUMNS: &str = "id, account, remote_uri, number, name, started_ms, duration_ms, heard, \
                       file, history_id";

impl Store {
    /// Records a call that left a message, in ONE transaction: its history row (seen: the
    /// unheard message is what the person is told about, not a missed call) and the message's
    /// row linked to it. `region` reads the number, as [`Store::record_call`] does.
    pub fn record_voicemail(
        &mut self,
        call: &CallRecord,
        message: &NewVoicemail,
        region: Region,
    ) -> Result<VoicemailEntry, StoreError> {
        self.record_voicemail_with(call, message, &CallExtras::default(), region)
    }

    /// [`Self::record_voicemail`] of a call whose audio was measured: its MOS goes with the
    /// history row.
    pub fn record_voicemail_with(
        &mut self,
        call: &CallRecord,
        message: &NewVoicemail,
        extras: &CallExtras,
        region: Region,
    ) -> Result<VoicemailEntry, StoreError> {
        let tx = self.conn.transaction()?;
        let written = history::insert_call(&tx, call, region, true)?;
        history::write_extras(&tx, written.id, extras)?;
        tx.prepare_cached(
            "INSERT INTO voicemail (account, remote_uri, number, e164, name, started_ms,
                duration_ms, file, heard, history_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
        )?
        .execute(params![
            bounded(&message.account),
            bounded(&message.from),
            written.number,
            written.e164,
            bounded(message.name.trim()),
            unix_ms(message.started),
            i64::try_from(message.duration_ms).unwrap_or(i64::MAX),
            message.file,
            written.id.0,
        ])?;
        let id = VoicemailId(tx.last_insert_rowid());
        tx.commit()?;
        self.voicemail(id)?.ok_or(StoreError::VoicemailNotFound(id))
    }

    /// One message; `None` when there is no such message.
    pub fn voicemail(&self, id: VoicemailId) -> Result<Option<VoicemailEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM voicemail WHERE id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], entry_from_row)
            .optional()?)
    }

    /// The messages, newest first, at most `limit`.
    pub fn list_voicemail(&self, limit: usize) -> Result<Vec<VoicemailEntry>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM voicemail ORDER BY started_ms DESC, id DESC LIMIT ?1");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([limit], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a message heard, or unheard again.
    pub fn set_voicemail_heard(&mut self, id: VoicemailId, heard: bool) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE voicemail SET heard = ?2 WHERE id = ?1",
            params![id.0, heard],
        )?;
        if n == 0 {
            return Err(StoreError::VoicemailNotFound(id));
        }
        Ok(())
    }

    /// Deletes a message's row and returns it: the caller removes its file. The call stays in
    /// the history.
    pub fn delete_voicemail(&mut self, id: VoicemailId) -> Result<VoicemailEntry, StoreError> {
        let tx = self.conn.transaction()?;
        let sql = format!("SELECT {COLUMNS} FROM voicemail WHERE id = ?1");
        let entry = tx
            .prepare_cached(&sql)?
            .query_row([id.0], entry_from_row)
            .optional()?
            .ok_or(StoreError::VoicemailNotFound(id))?;
        tx.execute("DELETE FROM voicemail WHERE id = ?1", [id.0])?;
        tx.commit()?;
        Ok(entry)
    }

    /// How many messages are not heard yet (the window's and tray's badge).
    pub fn unheard_voicemail(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT count(*) FROM voicemail WHERE heard = 0", [], |r| {
                    r.get(0)
                })?;
        Ok(n.max(0) as u64)
    }
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<VoicemailEntry> {
    let start_ms: i64 = r.get(5)?;
    Ok(VoicemailEntry {
        id: VoicemailId(r.get(0)?),
        account: r.get(1)?,
        from: r.get(2)?,
        number: r.get(3)?,
        name: r.get(4)?,
        start: rfc3339_utc(start_ms),
        start_ms,
        duration_ms: r.get::<_, i64>(6)?.max(0) as u64,
        heard: r.get(7)?,
        file: r.get(8)?,
        missing: false,
        history: r.get::<_, Option<i64>>(9)?.map(HistoryId),
    })
}
