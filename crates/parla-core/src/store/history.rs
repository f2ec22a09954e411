//! Call history: one row per call, written when the call ends.
//!
//! A row keeps what the call was (direction, line, remote URI and number, the display name the
//! far end sent, start / answer / end times, result and reason). The name shown is looked up
//! when the history is read: the contact owning the number (so a contact added later names
//! old calls too), else the display name the call carried. Missed calls are recorded unseen
//! until [`Store::mark_missed_seen`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Row};
use serde::{Deserialize, Serialize};

use super::contacts::{ContactFields, ContactId};
use super::numbers::{self, Region};
use super::voicemail::VoicemailId;
use super::{Store, StoreError};

mod in_progress;
mod unix_ms;

/// Text taken from the network (URI, display name, reason) is cut to this many bytes.
pub const MAX_HISTORY_TEXT_BYTES: usize = 1024;

/// A history row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HistoryId(pub i64);

impl fmt::Display for HistoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    /// Connected, whoever hung up.
    Answered,
    /// Incoming, rang and was not answered (the caller gave up, or no one picked up).
    Missed,
    /// Refused by the callee (603 / our decline).
    Declined,
    /// 486 Busy Here (either way).
    Busy,
    /// Could not be set up (network, 4xx/5xx other than the above, no audio).
    Failed,
    /// Incoming from a blocked contact, refused without ringing.
    Blocked,
    /// Outgoing, hung up by us before it was answered.
    Cancelled,
    /// Incoming, sent elsewhere by the line's forwarding (302).
    Forwarded,
    /// Under way when Parla stopped without ending it (killed, crashed, power lost): found at
    /// the next start; it ended at the last moment it was known to be up.
    Interrupted,
}

impl CallResult {
    pub const ALL: [CallResult; 9] = [
        CallResult::Answered,
        CallResult::Missed,
        CallResult::Declined,
        CallResult::Busy,
        CallResult::Failed,
        CallResult::Blocked,
        CallResult::Cancelled,
        CallResult::Forwarded,
        CallResult::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Answered => "answered",
            CallResult::Missed => "missed",
            CallResult::Declined => "declined",
            CallResult::Busy => "busy",
            CallResult::Failed => "failed",
            CallResult::Blocked => "blocked",
            CallResult::Cancelled => "cancelled",
            CallResult::Forwarded => "forwarded",
            CallResult::Interrupted => "interrupted",
        }
    }

    fn from_stored(s: &str) -> CallResult {
        CallResult::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .unwrap_or(CallResult::Failed)
    }
}

/// A finished call, as the engine reports it to [`Store::record_call`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub direction: Direction,
    /// The line's account id.
    pub account: String,
    /// The far end's URI (`sip:+31612345678@pbx.example`).
    pub remote_uri: String,
    /// The far end's number; when empty, the user part of `remote_uri` is used.
    pub number: String,
    /// The display name the far end sent (From / To), if any.
    pub display_name: String,
    /// Times are milliseconds since 1970 (UTC) on the wire.
    #[serde(with = "unix_ms")]
    pub started: SystemTime,
    /// When it was answered; `None` when it never connected.
    #[serde(
        default,
        with = "unix_ms::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub answered: Option<SystemTime>,
    #[serde(with = "unix_ms")]
    pub ended: SystemTime,
    pub result: CallResult,
    /// Free text: the SIP reason (`486 Busy Here`), "no audio from the far end", ...
    pub reason: String,
}

impl CallRecord {
    /// An incoming call on line `work` from `sip:0612345678@pbx.example`, started and ended
    /// now, with `result` (tests).
    #[cfg(test)]
    pub(crate) fn incoming_now(result: CallResult) -> CallRecord {
        let now = SystemTime::now();
        CallRecord {
            direction: Direction::Incoming,
            account: "work".into(),
            remote_uri: "sip:0612345678@pbx.example".into(),
            number: String::new(),
            display_name: String::new(),
            started: now,
            answered: None,
            ended: now,
            result,
            reason: String::new(),
        }
    }

    /// Talk time: from answer to end; zero for a call that never connected.
    pub fn duration(&self) -> Duration {
        self.answered
            .and_then(|a| self.ended.duration_since(a).ok())
            .unwrap_or_default()
    }
}

/// What a call with audio leaves besides its [`CallRecord`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallExtras {
    /// The file the call was recorded into, if it was.
    pub recording: Option<String>,
    /// The whole call's estimated mean opinion score (1 to 4.5), when audio was received.
    pub mos: Option<f32>,
}

/// Which calls [`Store::history`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFilter {
    #[default]
    All,
    Missed,
    Incoming,
    Outgoing,
}

impl HistoryFilter {
    fn sql(self) -> &'static str {
        match self {
            HistoryFilter::All => "1",
            HistoryFilter::Missed => "h.result = 'missed'",
            HistoryFilter::Incoming => "h.direction = 'incoming'",
            HistoryFilter::Outgoing => "h.direction = 'outgoing'",
        }
    }
}

/// A history row as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: HistoryId,
    /// The call as recorded (`number` filled in from the URI when it was empty; times to the
    /// millisecond).
    #[serde(flatten)]
    pub call: CallRecord,
    /// The number in E.164, when it is a valid public number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// What to show: the matching contact's name, else the call's display name, else the number.
    pub name: String,
    /// The contact owning the number now, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// False for a missed call not yet seen.
    pub seen: bool,
    /// The message the caller left on the answering machine, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<VoicemailId>,
    /// The file the call was recorded into (`record`), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<String>,
    /// The call's estimated mean opinion score (1 to 4.5); none for a call without audio
    /// (and calls recorded before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mos: Option<f32>,
}

/// A history row as written: its id, and the number as read (from the URI when the call
/// carried none) with its E.164 form.
pub(super) struct Written {
    pub id: HistoryId,
    pub number: String,
    pub e164: Option<String>,
}

impl Store {
    /// Records a finished call; `region` is the line's default country for reading the number.
    pub fn record_call(
        &mut self,
        call: &CallRecord,
        region: Region,
    ) -> Result<HistoryId, StoreError> {
        self.record_call_with(call, &CallExtras::default(), region)
    }

    /// [`Self::record_call`] of a call with audio: the file it was recorded into, its MOS.
    pub fn record_call_with(
        &mut self,
        call: &CallRecord,
        extras: &CallExtras,
        region: Region,
    ) -> Result<HistoryId, StoreError> {
        let seen = call.result != CallResult::Missed;
        let tx = self.conn.transaction()?;
        let id = insert_call(&tx, call, region, seen)?.id;
        write_extras(&tx, id, extras)?;
        tx.commit()?;
        Ok(id)
    }

    /// Calls within `filter` whose name, display name, URI or number matches every word of
    /// `search` (empty: all), newest first, at most `limit`. A search of only number characters
    /// (`06 123`, `+31 6`) matches the digits of the number as dialled, in E.164 and national form.
    pub fn history(
        &self,
        filter: HistoryFilter,
        search: &str,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let query = HistoryQuery::new(search);
        let sql = format!(
            "WITH h AS (
                SELECT h.*, (SELECT c.id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
                             WHERE p.e164 = h.e164
                                OR (p.e164 IS NULL AND h.e164 IS NULL AND h.digits != ''
                                    AND p.digits = h.digits)
                             ORDER BY c.source = 'personal' DESC, c.favourite DESC, c.id
                             LIMIT 1) AS contact_id
                FROM call_history h WHERE {})
             SELECT h.id, h.direction, h.account, h.remote_uri, h.number, h.display_name,
                    h.started_ms, h.answered_ms, h.ended_ms, h.result, h.reason, h.seen, h.e164,
                    h.search, h.contact_id, c.first_name, c.last_name, c.company, v.id,
                    h.recording, h.mos
             FROM h LEFT JOIN contacts c ON c.id = h.contact_id
                    LEFT JOIN voicemail v ON v.history_id = h.id
             ORDER BY h.started_ms DESC, h.id DESC",
            filter.sql()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while out.len() < limit {
            let Some(row) = rows.next()? else { break };
            let (entry, digit_strings) = entry_from_row(row)?;
            if query.matches(&entry, &digit_strings) {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// How many missed calls have not been seen yet (the tray and window badge).
    pub fn unseen_missed_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM call_history WHERE seen = 0 AND result = 'missed'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Marks every missed call seen; returns how many were unseen.
    pub fn mark_missed_seen(&mut self) -> Result<u64, StoreError> {
        let n = self
            .conn
            .execute("UPDATE call_history SET seen = 1 WHERE seen = 0", [])?;
        Ok(n as u64)
    }

    /// Deletes one history row.
    pub fn delete_history_entry(&mut self, id: HistoryId) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM call_history WHERE id = ?1", [id.0])?;
        if n == 0 {
            return Err(StoreError::HistoryNotFound(id));
        }
        Ok(())
    }

    /// Deletes the whole history; returns how many rows there were.
    pub fn clear_history(&mut self) -> Result<u64, StoreError> {
        Ok(self.conn.execute("DELETE FROM call_history", [])? as u64)
    }

    /// How many calls the history holds.
    pub fn history_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM call_history", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

/// Adds a call's recording and MOS to its history row `id`, inside the caller's transaction.
pub(super) fn write_extras(
    tx: &rusqlite::Connection,
    id: HistoryId,
    extras: &CallExtras,
) -> Result<(), StoreError> {
    if let Some(path) = &extras.recording {
        tx.execute(
            "UPDATE call_history SET recording = ?1 WHERE id = ?2",
            params![bounded(path), id.0],
        )?;
    }
    if let Some(mos) = extras.mos.filter(|m| m.is_finite()) {
        tx.execute(
            "UPDATE call_history SET mos = ?1 WHERE id = ?2",
            params![f64::from(mos.clamp(1.0, 4.5)), id.0],
        )?;
    }
    Ok(())
}

/// Writes `call` to the history (`seen`: not counted as a missed call to tell about); the
/// caller owns the transaction, if any.
pub(super) fn insert_call(
    conn: &rusqlite::Connection,
    call: &CallRecord,
    region: Region,
    seen: bool,
) -> Result<Written, StoreError> {
    let number = if call.number.trim().is_empty() {
        numbers::uri_user(&call.remote_uri).to_string()
    } else {
        call.number.trim().to_string()
    };
    let number = bounded(&number);
    let analysed = numbers::analyse(number, region);
    conn.prepare_cached(
        "INSERT INTO call_history (direction, account, remote_uri, number, e164, digits,
                    search, display_name, started_ms, answered_ms, ended_ms, result, reason, seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        call.direction.as_str(),
        bounded(&call.account),
        bounded(&call.remote_uri),
        number,
        analysed.e164.as_deref(),
        numbers::digits(number),
        analysed.search.join(" "),
        bounded(call.display_name.trim()),
        unix_ms(call.started),
        call.answered.map(unix_ms),
        unix_ms(call.ended),
        call.result.as_str(),
        bounded(&call.reason),
        seen,
    ])?;
    let id = HistoryId(conn.last_insert_rowid());
    // The call is over: no longer one to report interrupted after a crash.
    in_progress::forget(conn, call)?;
    Ok(Written {
        id,
        number: number.to_string(),
        e164: analysed.e164,
    })
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<(HistoryEntry, String)> {
    let direction = if r.get::<_, String>(1)? == "outgoing" {
        Direction::Outgoing
    } else {
        Direction::Incoming
    };
    let call = CallRecord {
        direction,
        account: r.get(2)?,
        remote_uri: r.get(3)?,
        number: r.get(4)?,
        display_name: r.get(5)?,
        started: from_unix_ms(r.get(6)?),
        answered: r.get::<_, Option<i64>>(7)?.map(from_unix_ms),
        ended: from_unix_ms(r.get(8)?),
        result: CallResult::from_stored(&r.get::<_, String>(9)?),
        reason: r.get(10)?,
    };
    let contact: Option<i64> = r.get(14)?;
    let contact_name = match contact {
        Some(_) => ContactFields {
            first_name: r.get::<_, Option<String>>(15)?.unwrap_or_default(),
            last_name: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
            company: r.get::<_, Option<String>>(17)?.unwrap_or_default(),
            ..Default::default()
        }
        .display_name(),
        None => String::new(),
    };
    let name = [&contact_name, &call.display_name, &call.number]
        .into_iter()
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_default();
    let entry = HistoryEntry {
        id: HistoryId(r.get(0)?),
        e164: r.get(12)?,
        name,
        contact: contact.map(ContactId),
        seen: r.get(11)?,
        voicemail: r.get::<_, Option<i64>>(18)?.map(VoicemailId),
        recording: r.get(19)?,
        mos: r.get::<_, Option<f64>>(20)?.map(|m| m as f32),
        call,
    };
    Ok((entry, r.get(13)?))
}

/// A history search: words matched against names and the URI, or digits against the number.
enum HistoryQuery {
    All,
    Words(Vec<String>),
    Digits(String),
}

impl HistoryQuery {
    fn new(search: &str) -> HistoryQuery {
        let q = search.trim();
        if q.is_empty() {
            return HistoryQuery::All;
        }
        let numberish = q.chars().any(|c| c.is_ascii_digit())
            && q.chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if numberish {
            HistoryQuery::Digits(numbers::digits(q))
        } else {
            HistoryQuery::Words(q.split_whitespace().map(str::to_lowercase).collect())
        }
    }

    /// `digit_strings`: the row's `search` column (space-separated digit strings).
    fn matches(&self, e: &HistoryEntry, digit_strings: &str) -> bool {
        match self {
            HistoryQuery::All => true,
            HistoryQuery::Digits(d) => digit_strings.split(' ').any(|s| s.contains(d.as_str())),
            HistoryQuery::Words(words) => {
                let hay = format!(
                    "{} {} {} {}",
                    e.name, e.call.display_name, e.call.remote_uri, e.call.number
                )
                .to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            }
        }
    }
}

/// Milliseconds since the Unix epoch (negative before it).
pub(crate) fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

pub(crate) fn from_unix_ms(ms: i64) -> SystemTime {
    if ms >= 0 {
        UNIX_EPOCH + Duration::from_millis(ms.unsigned_abs())
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_millis(ms.unsigned_abs()))
            .unwrap_or(UNIX_EPOCH)
    }
}

/// `s` cut to at most [`MAX_HISTORY_TEXT_BYTES`] on a character boundary.
pub(super) fn bounded(s: &str) -> &str {
    if s.len() <= MAX_HISTORY_TEXT_BYTES {
        return s;
    }
    let mut end = MAX_HISTORY_TEXT_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests;
