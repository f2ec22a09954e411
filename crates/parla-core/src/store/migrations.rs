//! Schema migrations, keyed by `PRAGMA user_version`.
//!
//! `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`. Each runs in its own
//! transaction together with the `user_version` bump, so a crash leaves the database at the
//! previous version, never in between. Never edit a released migration: append a new one.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// The migrations, oldest first. The schema version is `MIGRATIONS.len()`.
pub const MIGRATIONS: &[&str] = &[
    // 1: contacts, their numbers and emails, and the search index.
    r#"
    CREATE TABLE contacts (
        id          INTEGER PRIMARY KEY,
        first_name  TEXT NOT NULL DEFAULT '',
        last_name   TEXT NOT NULL DEFAULT '',
        company     TEXT NOT NULL DEFAULT '',
        street      TEXT NOT NULL DEFAULT '',
        city        TEXT NOT NULL DEFAULT '',
        state       TEXT NOT NULL DEFAULT '',
        postal_code TEXT NOT NULL DEFAULT '',
        country     TEXT NOT NULL DEFAULT '',
        notes       TEXT NOT NULL DEFAULT '',
        favourite   INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
        blocked     INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
        source      TEXT NOT NULL DEFAULT 'personal' CHECK (source IN ('personal', 'shared'))
    );
    CREATE TABLE contact_phones (
        contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL CHECK (position BETWEEN 0 AND 2),
        label       TEXT NOT NULL CHECK (label IN ('work', 'mobile', 'home', 'other')),
        number      TEXT NOT NULL,
        e164        TEXT,
        digits      TEXT NOT NULL,
        PRIMARY KEY (contact_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX contact_phones_e164 ON contact_phones (e164) WHERE e164 IS NOT NULL;
    CREATE INDEX contact_phones_digits ON contact_phones (digits);
    CREATE TABLE contact_emails (
        contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL CHECK (position BETWEEN 0 AND 2),
        address     TEXT NOT NULL,
        PRIMARY KEY (contact_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX contacts_favourite ON contacts (favourite) WHERE favourite = 1;
    CREATE INDEX contacts_blocked ON contacts (blocked) WHERE blocked = 1;
    -- rowid = contacts.id; `text` is lower-cased names, company, emails and number digits,
    -- kept up to date by the store (see search.rs).
    CREATE VIRTUAL TABLE contact_search USING fts5 (
        text,
        tokenize = 'trigram remove_diacritics 1'
    );
    "#,
    // 2: call history, and which shared directory a shared contact came from.
    r#"
    CREATE TABLE call_history (
        id           INTEGER PRIMARY KEY,
        direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        account      TEXT NOT NULL DEFAULT '',
        remote_uri   TEXT NOT NULL DEFAULT '',
        number       TEXT NOT NULL DEFAULT '',
        e164         TEXT,
        digits       TEXT NOT NULL DEFAULT '',
        -- the digit strings it can be found by (as typed, E.164, national), space separated
        search       TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '',
        started_ms   INTEGER NOT NULL,
        answered_ms  INTEGER,
        ended_ms     INTEGER NOT NULL,
        result       TEXT NOT NULL CHECK (result IN
                         ('answered', 'missed', 'declined', 'busy', 'failed', 'blocked', 'cancelled')),
        reason       TEXT NOT NULL DEFAULT '',
        seen         INTEGER NOT NULL DEFAULT 1 CHECK (seen IN (0, 1))
    );
    CREATE INDEX call_history_started ON call_history (started_ms);
    CREATE INDEX call_history_unseen ON call_history (seen) WHERE seen = 0;
    ALTER TABLE contacts ADD COLUMN directory TEXT;
    ALTER TABLE contacts ADD COLUMN directory_key TEXT;
    CREATE INDEX contacts_directory ON contacts (directory) WHERE directory IS NOT NULL;
    -- Word-start search for terms of one or two characters (the trigram index needs three):
    -- the same text as contact_search, split into words, with prefix indexes.
    CREATE VIRTUAL TABLE contact_words USING fts5 (
        text,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2'
    );
    INSERT INTO contact_words (rowid, text) SELECT rowid, text FROM contact_search;
    -- the list order: a broad search (`j`, `06`) walks this and stops at the limit
    CREATE INDEX contacts_list_order ON contacts
        (last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
    "#,
    // 3: callers by SIP address (`sip:ana@example.com` finds the contact with that address).
    r#"
    CREATE INDEX contact_emails_address ON contact_emails (address COLLATE NOCASE);
    "#,
    // 4: the answering machine's messages; the audio is a file in the profile's `voicemail/`
    // folder, the row says who left it and links the call that did.
    r#"
    CREATE TABLE voicemail (
        id          INTEGER PRIMARY KEY,
        account     TEXT NOT NULL DEFAULT '',
        remote_uri  TEXT NOT NULL DEFAULT '',
        number      TEXT NOT NULL DEFAULT '',
        e164        TEXT,
        name        TEXT NOT NULL DEFAULT '',
        started_ms  INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
        file        TEXT NOT NULL,
        heard       INTEGER NOT NULL DEFAULT 0 CHECK (heard IN (0, 1)),
        history_id  INTEGER REFERENCES call_history(id) ON DELETE SET NULL
    );
    CREATE INDEX voicemail_started ON voicemail (started_ms);
    -- one message per call: the history's LEFT JOIN finds at most one
    CREATE UNIQUE INDEX voicemail_history ON voicemail (history_id) WHERE history_id IS NOT NULL;
    "#,
    // 5: text messages (SIP MESSAGE), one row each; `peer` names the conversation
    // (`sip:user@host`, host lower-cased, no port or parameters: see `conversation_peer`).
    r#"
    CREATE TABLE messages (
        id           INTEGER PRIMARY KEY,
        account      TEXT NOT NULL DEFAULT '',
        peer         TEXT NOT NULL,
        direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        text         TEXT NOT NULL DEFAULT '',
        time_ms      INTEGER NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'received')),
        code         INTEGER,
        reason       TEXT,
        read         INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
        display_name TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX messages_peer_time ON messages (peer, time_ms);
    -- the unread badge (all, and per conversation)
    CREATE INDEX messages_unread ON messages (peer) WHERE read = 0;
    -- the sends left unfinished when Parla stopped, failed when it starts again
    CREATE INDEX messages_sending ON messages (state) WHERE state = 'sending';
    "#,
    // 6: the file a recorded call was recorded into (PROFILE/recordings/...), if any, and
    // `forwarded` as a result. SQLite cannot change a CHECK in place: the table is rebuilt.
    // Dropping the old table sets the voicemail rows' links to NULL (foreign keys are on),
    // so they are kept aside and put back.
    r#"
    CREATE TEMP TABLE voicemail_links AS
        SELECT id, history_id FROM voicemail WHERE history_id IS NOT NULL;
    CREATE TABLE call_history_new (
        id           INTEGER PRIMARY KEY,
        direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        account      TEXT NOT NULL DEFAULT '',
        remote_uri   TEXT NOT NULL DEFAULT '',
        number       TEXT NOT NULL DEFAULT '',
        e164         TEXT,
        digits       TEXT NOT NULL DEFAULT '',
        search       TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '',
        started_ms   INTEGER NOT NULL,
        answered_ms  INTEGER,
        ended_ms     INTEGER NOT NULL,
        result       TEXT NOT NULL CHECK (result IN
                         ('answered', 'missed', 'declined', 'busy', 'failed', 'blocked',
                          'cancelled', 'forwarded')),
        reason       TEXT NOT NULL DEFAULT '',
        seen         INTEGER NOT NULL DEFAULT 1 CHECK (seen IN (0, 1)),
        recording    TEXT
    );
    INSERT INTO call_history_new (id, direction, account, remote_uri, number, e164, digits,
            search, display_name, started_ms, answered_ms, ended_ms, result, reason, seen)
        SELECT id, direction, account, remote_uri, number, e164, digits, search,
               display_name, started_ms, answered_ms, ended_ms, result, reason, seen
        FROM call_history;
    DROP TABLE call_history;
    ALTER TABLE call_history_new RENAME TO call_history;
    CREATE INDEX call_history_started ON call_history (started_ms);
    CREATE INDEX call_history_unseen ON call_history (seen) WHERE seen = 0;
    UPDATE voicemail SET history_id =
            (SELECT l.history_id FROM voicemail_links l WHERE l.id = voicemail.id)
        WHERE id IN (SELECT id FROM voicemail_links);
    DROP TABLE voicemail_links;
    "#,
    // 7: a call's estimated mean opinion score (1 to 4.5), for calls with audio.
    r#"
    ALTER TABLE call_history ADD COLUMN mos REAL;
    "#,
    // 8: crash safety. A call under way has a row in `calls_in_progress` (written when it
    // starts, touched every few seconds); a row left there when Parla was killed becomes an
    // `interrupted` history row at the next start. The history is rebuilt for the new result
    // (as in 6), its voicemail links kept aside and put back.
    r#"
    CREATE TEMP TABLE voicemail_links AS
        SELECT id, history_id FROM voicemail WHERE history_id IS NOT NULL;
    CREATE TABLE call_history_new (
        id           INTEGER PRIMARY KEY,
        direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        account      TEXT NOT NULL DEFAULT '',
        remote_uri   TEXT NOT NULL DEFAULT '',
        number       TEXT NOT NULL DEFAULT '',
        e164         TEXT,
        digits       TEXT NOT NULL DEFAULT '',
        search       TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '',
        started_ms   INTEGER NOT NULL,
        answered_ms  INTEGER,
        ended_ms     INTEGER NOT NULL,
        result       TEXT NOT NULL CHECK (result IN
                         ('answered', 'missed', 'declined', 'busy', 'failed', 'blocked',
                          'cancelled', 'forwarded', 'interrupted')),
        reason       TEXT NOT NULL DEFAULT '',
        seen         INTEGER NOT NULL DEFAULT 1 CHECK (seen IN (0, 1)),
        recording    TEXT,
        mos          REAL
    );
    INSERT INTO call_history_new (id, direction, account, remote_uri, number, e164, digits,
            search, display_name, started_ms, answered_ms, ended_ms, result, reason, seen,
            recording, mos)
        SELECT id, direction, account, remote_uri, number, e164, digits, search,
               display_name, started_ms, answered_ms, ended_ms, result, reason, seen,
               recording, mos
        FROM call_history;
    DROP TABLE call_history;
    ALTER TABLE call_history_new RENAME TO call_history;
    CREATE INDEX call_history_started ON call_history (started_ms);
    CREATE INDEX call_history_unseen ON call_history (seen) WHERE seen = 0;
    UPDATE voicemail SET history_id =
            (SELECT l.history_id FROM voicemail_links l WHERE l.id = voicemail.id)
        WHERE id IN (SELECT id FROM voicemail_links);
    DROP TABLE voicemail_links;
    CREATE TABLE calls_in_progress (
        -- the engine's call id: unique while it runs (the table is emptied at each start)
        call_id      INTEGER PRIMARY KEY,
        direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        account      TEXT NOT NULL DEFAULT '',
        remote_uri   TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '',
        -- the line's country, for reading the number when the row is moved to the history
        region       TEXT NOT NULL DEFAULT '',
        started_ms   INTEGER NOT NULL,
        answered_ms  INTEGER,
        -- the last time the call was known to be up
        checkpoint_ms INTEGER NOT NULL
    );
    "#,
];

/// Brings `conn` to the newest schema, one transaction per migration.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        // The window and the engine open a new profile's database at the same moment: take
        // the write lock first and look again, so only one of them runs each migration.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_processes_opening_a_new_database_at_once_both_get_it() {
        for round in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("parla-{round}.db"));
            let openers: Vec<_> = (0..3)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || super::super::Store::open(&path).map(|_| ()))
                })
                .collect();
            for opener in openers {
                opener.join().unwrap().unwrap();
            }
        }
    }

    #[test]
    fn migrations_apply_from_an_older_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        // A database at version 0 holding something of the user's: migrating must keep it.
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE keep_me (x INTEGER); INSERT INTO keep_me VALUES (42);",
            )
            .unwrap();
        }
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let x: i64 = conn
            .query_row("SELECT x FROM keep_me", [], |r| r.get(0))
            .unwrap();
        assert_eq!(x, 42);
        // Running again is a no-op.
        migrate(&mut conn, &path).unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'contacts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn the_history_rebuilt_for_recordings_keeps_its_rows_and_voicemail_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        for (i, sql) in MIGRATIONS.iter().take(5).enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", (i + 1) as i64)
                .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO call_history (id, direction, started_ms, ended_ms, result, reason)
                 VALUES (7, 'incoming', 1, 2, 'missed', 'voicemail');
             INSERT INTO voicemail (id, started_ms, file, history_id) VALUES (3, 1, 'm.wav', 7);",
        )
        .unwrap();
        migrate(&mut conn, &path).unwrap();
        let (reason, recording): (String, Option<String>) = conn
            .query_row(
                "SELECT reason, recording FROM call_history WHERE id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((reason.as_str(), recording), ("voicemail", None));
        let link: Option<i64> = conn
            .query_row("SELECT history_id FROM voicemail WHERE id = 3", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(link, Some(7));
        conn.execute(
            "INSERT INTO call_history (direction, started_ms, ended_ms, result, recording)
                 VALUES ('incoming', 3, 4, 'forwarded', 'r.ogg')",
            [],
        )
        .unwrap();
        // The link still works: deleting the call unlinks its message.
        conn.execute("DELETE FROM call_history WHERE id = 7", [])
            .unwrap();
        let link: Option<i64> = conn
            .query_row("SELECT history_id FROM voicemail WHERE id = 3", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(link, None);
    }

    #[test]
    fn the_history_at_schema_6_gains_an_empty_mos_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        let conn = Connection::open(&path).unwrap();
        for (i, sql) in MIGRATIONS.iter().take(6).enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", (i + 1) as i64)
                .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO call_history (id, direction, started_ms, ended_ms, result, reason, recording)
                 VALUES (4, 'outgoing', 1, 2, 'answered', 'bye', 'r.wav');",
        )
        .unwrap();
        drop(conn);
        // The store opens it, as a user upgrading would.
        let store = super::super::Store::open(&path).unwrap().store;
        let rows = store
            .history(super::super::HistoryFilter::All, "", 10)
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id.0, 4);
        assert_eq!(rows[0].call.reason, "bye");
        assert_eq!(rows[0].recording.as_deref(), Some("r.wav"));
        assert_eq!(rows[0].mos, None);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let (version, mos): (i64, Option<f64>) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), mos
                 FROM call_history WHERE id = 4",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((version, mos), (MIGRATIONS.len() as i64, None));
    }

    #[test]
    fn the_history_at_schema_7_takes_interrupted_and_keeps_rows_mos_and_voicemail_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        let conn = Connection::open(&path).unwrap();
        for (i, sql) in MIGRATIONS.iter().take(7).enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", (i + 1) as i64)
                .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO call_history (id, direction, started_ms, ended_ms, result, reason, mos)
                 VALUES (9, 'incoming', 1, 2, 'missed', 'gone', 3.5);
             INSERT INTO voicemail (id, started_ms, file, history_id) VALUES (1, 1, 'm.wav', 9);",
        )
        .unwrap();
        drop(conn);
        let store = super::super::Store::open(&path).unwrap().store;
        let rows = store
            .history(super::super::HistoryFilter::All, "", 10)
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].id.0, rows[0].mos), (9, Some(3.5)));
        assert_eq!(rows[0].voicemail.map(|v| v.0), Some(1));
        drop(store);
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO call_history (direction, started_ms, ended_ms, result)
                 VALUES ('outgoing', 1, 2, 'interrupted')",
            [],
        )
        .unwrap();
        let open: i64 = conn
            .query_row("SELECT count(*) FROM calls_in_progress", [], |r| r.get(0))
            .unwrap();
        assert_eq!(open, 0);
    }

    #[test]
    fn a_failing_migration_leaves_the_version_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clash.db");
        let mut conn = Connection::open(&path).unwrap();
        // A table in the way makes migration 1 fail half-way through its batch.
        conn.execute_batch("CREATE TABLE contact_emails (x INTEGER);")
            .unwrap();
        assert!(migrate(&mut conn, &path).is_err());
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 0);
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'contacts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            n, 0,
            "the first statements of the failed migration were rolled back"
        );
    }
}
