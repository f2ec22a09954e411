//! Parla's local database: contacts (personal, and shared from company directories) and the
//! call history, the voicemail index and text messages.
//!
//! One SQLite file (bundled SQLite, WAL journal, foreign keys on) in the profile's data folder.
//! The schema is versioned with `PRAGMA user_version`; each migration runs in its own
//! transaction (see [`migrations`]). A file that SQLite cannot read as a database is moved aside
//! to `NAME.broken-YYYYMMDD-HHMMSS` and a fresh database is started, and [`Opened::moved_aside`]
//! says so, so the caller can tell the user.
//!
//! ```no_run
//! # use parla_core::store::{Store, Region, ContactFields, SearchFilter};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let opened = Store::open(std::path::Path::new("/tmp/parla.db"))?;
//! if let Some(old) = &opened.moved_aside {
//!     eprintln!("the contacts database was unreadable; it was kept as {}", old.display());
//! }
//! let mut store = opened.store;
//! let region: Region = "NL".parse()?;
//! let hits = store.search("jans", SearchFilter::All, 50)?;
//! let caller = store.find_by_number("sip:0612345678@pbx.example", region)?;
//! # let _ = (hits, caller); Ok(()) }
//! ```

mod carddav;
mod contacts;
mod directory;
mod export_csv;
mod history;
mod import_csv;
mod messages;
pub mod migrations;
mod numbers;
mod search;
mod sip_addresses;
mod vcard;
mod voicemail;
pub(crate) use vcard::read_bounded;
/// The import parsers without the database, for the fuzz targets (`crate::fuzzing`).
#[cfg(feature = "fuzzing")]
pub(crate) use {import_csv::parse_csv, numbers::analyse as analyse_number, vcard::parse_vcards};

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode};

pub use contacts::{Address, Contact, ContactFields, ContactId, Phone, PhoneLabel, Source};
pub use directory::{
    fetch_directory, is_vcard, CardDavSource, DirectoryError, DirectorySource, SharedContact,
    SyncReport,
};
pub use export_csv::{ExportError, CONTACT_CSV_HEADER};
pub use history::{
    CallExtras, CallRecord, CallResult, Direction, HistoryEntry, HistoryFilter, HistoryId,
    MAX_HISTORY_TEXT_BYTES,
};
pub use import_csv::{
    ImportError, ImportReport, RowKind, RowOutcome, RowReport, MAX_FIELD_BYTES, MAX_FILE_BYTES,
};
pub use messages::{
    conversation_peer, ConversationEntry, MessageDirection, MessageEntry, MessageId, MessageState,
    NewMessage, MAX_MESSAGE_BYTES, NOT_SENT_STOPPED,
};
pub use numbers::{normalise_number, Region};
pub use search::{CallerName, SearchFilter};
pub use vcard::{VCardVersion, MAX_CARD_BYTES};
pub use voicemail::{
    is_export_format, NewVoicemail, VoicemailEntry, VoicemailFileError, VoicemailId, VOICEMAIL_DIR,
};

/// At most this many phone numbers per contact.
pub const MAX_PHONES: usize = 3;
/// At most this many email addresses per contact.
pub const MAX_EMAILS: usize = 3;

/// Errors from the local database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database {path} is unreadable and could not be moved aside to {to}: {source}")]
    MoveAside {
        path: PathBuf,
        to: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database {path} has schema version {found}, newer than this Parla knows ({known}); \
         update Parla or use another profile"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("no contact with id {0}")]
    NotFound(ContactId),
    #[error("no call history entry with id {0}")]
    HistoryNotFound(HistoryId),
    #[error("no voicemail message with id {0}")]
    VoicemailNotFound(VoicemailId),
    #[error("no text message with id {0}")]
    MessageNotFound(MessageId),
    #[error("a text message is at most {MAX_MESSAGE_BYTES} bytes, this one has {0}")]
    MessageTooLong(usize),
    #[error("{0:?} is not a SIP address (sip:user@host) a conversation can be kept with")]
    NotAnAddress(String),
    #[error("contact {0} comes from a shared directory and cannot be edited here")]
    ReadOnly(ContactId),
    #[error("a contact has at most {MAX_PHONES} phone numbers, this one has {0}")]
    TooManyPhones(usize),
    #[error("a contact has at most {MAX_EMAILS} email addresses, this one has {0}")]
    TooManyEmails(usize),
    #[error("a contact needs a name, a company or a phone number")]
    EmptyContact,
    #[error("unknown region {0:?}: use a two-letter country code such as NL or DE")]
    UnknownRegion(String),
}

/// The result of [`Store::open`]: the store, and where an unreadable old file was moved, if any.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    /// `Some(path)` when the file at the requested path could not be read as a database and was
    /// renamed to `path` before a fresh, empty database was created. Tell the user.
    pub moved_aside: Option<PathBuf>,
}

/// The database file's name in the profile folder.
pub const DB_FILE_NAME: &str = "parla.db";

/// The local database. Not `Sync`: keep it on one thread (or behind a mutex).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`, migrating it to the current schema.
    ///
    /// A file that is not a database, or fails SQLite's `quick_check`, is moved aside (with its
    /// `-wal`/`-shm` files) and a fresh database is created; [`Opened::moved_aside`] says where.
    /// A database from a newer Parla is never moved: that is [`StoreError::SchemaTooNew`].
    pub fn open(path: &Path) -> Result<Opened, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        match open_retrying_busy(path) {
            Ok(conn) => Ok(Opened {
                store: Store { conn },
                moved_aside: None,
            }),
            Err(e) if is_unreadable(&e) => {
                tracing::warn!(path = %path.display(), error = %e, "database unreadable; moving it aside");
                let to = move_aside(path)?;
                let conn = open_checked(path)?;
                Ok(Opened {
                    store: Store { conn },
                    moved_aside: Some(to),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The schema version of the open database (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

/// [`open_checked`], again after a short wait while another connection holds the file: two
/// processes (or threads) opening a new database at once can get SQLITE_BUSY from the switch to
/// WAL without SQLite's busy handler being consulted (it is not, where waiting could deadlock),
/// or SQLITE_SCHEMA when the other one's migration changes the schema under a statement (the
/// full-text table's constructor, while a migration rebuilds a table).
fn open_retrying_busy(path: &Path) -> Result<Connection, StoreError> {
    const ATTEMPTS: u32 = 20;
    let mut attempt = 1;
    loop {
        match open_checked(path) {
            Err(e) if is_busy(&e) && attempt < ATTEMPTS => {
                tracing::debug!(attempt, "database busy while opening; trying again");
                std::thread::sleep(std::time::Duration::from_millis(25 * u64::from(attempt)));
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_busy(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(
                f.code,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::SchemaChanged
            )
    )
}

/// Opens the file, sets the connection options, checks it and migrates it.
fn open_checked(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Reading the journal mode is the first real read of the file: garbage fails here.
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "SQLite refused WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(format!("quick_check: {check}")),
        )));
    }
    migrations::migrate(&mut conn, path)?;
    Ok(conn)
}

/// True for errors meaning "this file is not a usable SQLite database".
fn is_unreadable(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// Renames `path` (and its `-wal`/`-shm` companions) to `NAME.broken-TIMESTAMP[-N]`.
fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = utc_stamp(SystemTime::now());
    let mut to = PathBuf::from(format!("{}.broken-{stamp}", path.display()));
    let mut n = 1;
    while to.exists() {
        to = PathBuf::from(format!("{}.broken-{stamp}-{n}", path.display()));
        n += 1;
    }
    std::fs::rename(path, &to).map_err(|source| StoreError::MoveAside {
        path: path.to_path_buf(),
        to: to.clone(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let side_to = PathBuf::from(format!("{}{suffix}", to.display()));
            std::fs::rename(&side, &side_to).map_err(|source| StoreError::MoveAside {
                path: side.clone(),
                to: side_to.clone(),
                source,
            })?;
        }
    }
    Ok(to)
}

/// `YYYYMMDD-HHMMSS` in UTC.
fn utc_stamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let [y, m, d, hh, mm, ss] = civil_utc(secs as i64);
    format!("{y:04}{m:02}{d:02}-{hh:02}{mm:02}{ss:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC) for milliseconds since the Unix epoch.
pub fn rfc3339_utc(ms: i64) -> String {
    let [y, m, d, hh, mm, ss] = civil_utc(ms.div_euclid(1000));
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// Year, month, day, hour, minute, second in UTC of `secs` since the Unix epoch.
pub fn civil_utc(secs: i64) -> [i64; 6] {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    [y, m, d, rem / 3600, (rem / 60) % 60, rem % 60]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_civil_utc() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(utc_stamp(t), "20231114-221320");
        assert_eq!(rfc3339_utc(1_700_000_000_123), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(-1_000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn fresh_file_gets_current_schema_and_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/parla.db");
        let opened = Store::open(&path).unwrap();
        assert!(opened.moved_aside.is_none());
        let store = opened.store;
        assert_eq!(
            store.schema_version().unwrap(),
            migrations::MIGRATIONS.len() as i64
        );
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn existing_file_is_reopened_without_loss() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parla.db");
        let region: Region = "NL".parse().unwrap();
        let id = {
            let mut store = Store::open(&path).unwrap().store;
            let fields = ContactFields {
                first_name: "Anna".into(),
                last_name: "Jansen".into(),
                ..Default::default()
            };
            store.add_contact(&fields, region).unwrap()
        };
        let opened = Store::open(&path).unwrap();
        assert!(opened.moved_aside.is_none());
        let c = opened.store.contact(id).unwrap().unwrap();
        assert_eq!(c.fields.first_name, "Anna");
    }

    #[test]
    fn newer_schema_is_refused_not_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parla.db");
        {
            let store = Store::open(&path).unwrap().store;
            store.conn.pragma_update(None, "user_version", 999).unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found: 999, .. }),
            "{err}"
        );
        assert!(path.exists());
    }

    #[test]
    fn garbage_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parla.db");
        let garbage =
            b"this is not a database, just some text that is long enough to look like a header...."
                .repeat(20);
        std::fs::write(&path, &garbage).unwrap();
        let opened = Store::open(&path).unwrap();
        let moved = opened.moved_aside.clone().expect("should be moved aside");
        assert!(moved
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("parla.db.broken-"));
        assert_eq!(std::fs::read(&moved).unwrap(), garbage);
        assert_eq!(
            opened.store.schema_version().unwrap(),
            migrations::MIGRATIONS.len() as i64
        );
        // The fresh one is a real, reopenable database.
        drop(opened);
        assert!(Store::open(&path).unwrap().moved_aside.is_none());
    }

    #[test]
    fn damaged_database_pages_are_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parla.db");
        {
            let mut store = Store::open(&path).unwrap().store;
            let region: Region = "NL".parse().unwrap();
            for i in 0..300 {
                let f = ContactFields {
                    first_name: format!("Name{i}"),
                    last_name: "X".repeat(200),
                    ..Default::default()
                };
                store.add_contact(&f, region).unwrap();
            }
            store
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .unwrap();
        }
        // Keep the header valid, scribble over the pages after it.
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 16_384);
        for b in &mut bytes[4096..16_384] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let opened = Store::open(&path).unwrap();
        assert!(opened.moved_aside.is_some());
        assert_eq!(
            opened
                .store
                .search("", SearchFilter::All, 10)
                .unwrap()
                .len(),
            0
        );
    }
}
