//! Calls under way. A call is noted when it starts (and again when it is answered), its row
//! touched every few seconds while it lasts, and removed in the same transaction that writes its
//! history row. A row still here when the database opens was left by a Parla that was killed
//! or crashed mid-call: it becomes an `interrupted` history row, ended at its last checkpoint.

use std::time::SystemTime;

use rusqlite::params;

use super::{bounded, from_unix_ms, insert_call, unix_ms, CallRecord, CallResult, Direction};
use crate::store::{Region, Store, StoreError};

/// The reason an interrupted call's row carries.
pub const INTERRUPTED_REASON: &str = "Parla stopped during the call";

impl Store {
    /// Notes call `call_id` as under way, as `call` stands now (its `ended`, `result` and
    /// `reason` are not used); a second note of the same call updates it (answered since).
    pub fn call_in_progress(
        &mut self,
        call_id: u64,
        call: &CallRecord,
        region: Region,
    ) -> Result<(), StoreError> {
        let started = unix_ms(call.started);
        let now = unix_ms(SystemTime::now()).max(started);
        self.conn
            .prepare_cached(
                "INSERT INTO calls_in_progress (call_id, direction, account, remote_uri,
                        display_name, region, started_ms, answered_ms, checkpoint_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (call_id) DO UPDATE SET
                        direction = excluded.direction, account = excluded.account,
                        remote_uri = excluded.remote_uri, display_name = excluded.display_name,
                        region = excluded.region, started_ms = excluded.started_ms,
                        answered_ms = excluded.answered_ms, checkpoint_ms = excluded.checkpoint_ms",
            )?
            .execute(params![
                i64::try_from(call_id).unwrap_or(i64::MAX),
                call.direction.as_str(),
                bounded(&call.account),
                bounded(&call.remote_uri),
                bounded(call.display_name.trim()),
                region.to_string(),
                started,
                call.answered.map(unix_ms),
                now,
            ])?;
        Ok(())
    }

    /// Notes that every call under way is still up at `now`; returns how many there are.
    pub fn checkpoint_calls(&mut self, now: SystemTime) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .prepare_cached("UPDATE calls_in_progress SET checkpoint_ms = max(checkpoint_ms, ?1)")?
            .execute([unix_ms(now)])?)
    }

    /// How many calls are noted as under way.
    pub fn calls_in_progress(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM calls_in_progress", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Moves every call left under way by an earlier run into the history as
    /// [`CallResult::Interrupted`], ended at its last checkpoint; returns how many. Run when the
    /// database opens, before any call starts.
    pub fn interrupt_unfinished_calls(&mut self) -> Result<u64, StoreError> {
        let tx = self.conn.transaction()?;
        let left: Vec<(CallRecord, Region)> = {
            let mut stmt = tx.prepare(
                "SELECT direction, account, remote_uri, display_name, region, started_ms,
                        answered_ms, checkpoint_ms
                 FROM calls_in_progress ORDER BY started_ms, call_id",
            )?;
            let rows = stmt.query_map([], |r| {
                let direction = if r.get::<_, String>(0)? == "outgoing" {
                    Direction::Outgoing
                } else {
                    Direction::Incoming
                };
                let started: i64 = r.get(5)?;
                let answered: Option<i64> = r.get(6)?;
                let checkpoint: i64 = r.get(7)?;
                let region = r.get::<_, String>(4)?.parse().unwrap_or(Region::US);
                let call = CallRecord {
                    direction,
                    account: r.get(1)?,
                    remote_uri: r.get(2)?,
                    number: String::new(),
                    display_name: r.get(3)?,
                    started: from_unix_ms(started),
                    answered: answered.map(from_unix_ms),
                    ended: from_unix_ms(checkpoint.max(answered.unwrap_or(started)).max(started)),
                    result: CallResult::Interrupted,
                    reason: INTERRUPTED_REASON.to_string(),
                };
                Ok((call, region))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for (call, region) in &left {
            insert_call(&tx, call, *region, true)?;
        }
        tx.execute("DELETE FROM calls_in_progress", [])?;
        tx.commit()?;
        Ok(left.len() as u64)
    }
}

/// Removes the call `call` from the calls under way (it is being written to the history).
pub(super) fn forget(conn: &rusqlite::Connection, call: &CallRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM calls_in_progress
         WHERE account = ?1 AND remote_uri = ?2 AND started_ms = ?3",
    )?
    .execute(params![
        bounded(&call.account),
        bounded(&call.remote_uri),
        unix_ms(call.started),
    ])?;
    Ok(())
}
