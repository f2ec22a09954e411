//! Shared company directories: an account may point at a CardDAV address book or a CSV /
//! vCard file. Its contacts are stored as read-only [`Source::Shared`] contacts tagged with the
//! directory's name (the account id), and a sync replaces them all in ONE transaction: a sync
//! that fails (server down, bad file) leaves the previous contacts as they were. Favourite and
//! blocked marks the user set on a shared contact survive syncs (matched by the card's path on
//! the server, or by name and first number for files).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::params;

use super::carddav;
use super::contacts::{analyse_phones, insert_analysed, ContactFields, Source};
use super::import_csv::{parse_csv, ImportError, RowOutcome};
use super::numbers::{self, Region};
use super::vcard::{parse_vcards, read_bounded};
use super::{Store, StoreError};
use crate::config::DirectoryConfig;

/// Where a shared directory comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectorySource {
    CardDav(CardDavSource),
    /// A CSV or vCard file (by extension, else by content).
    File(PathBuf),
}

/// A CardDAV address book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDavSource {
    /// The address book collection (`https://dav.example.com/addressbooks/staff/company/`).
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// An extra CA (PEM) to trust besides the system roots.
    pub ca_file: Option<PathBuf>,
}

impl DirectorySource {
    /// The source an account's `directory` setting names; `ca_file` is the account's.
    pub fn from_config(config: &DirectoryConfig, ca_file: Option<&Path>) -> DirectorySource {
        match (&config.url, &config.path) {
            (Some(url), _) => DirectorySource::CardDav(CardDavSource {
                url: url.clone(),
                username: config.username.clone(),
                password: config.password.clone(),
                ca_file: ca_file.map(Path::to_path_buf),
            }),
            (None, Some(path)) => DirectorySource::File(path.clone()),
            (None, None) => DirectorySource::File(PathBuf::new()),
        }
    }
}

/// Why a directory sync failed. The directory's previous contacts are untouched.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("the directory file: {0}")]
    File(#[from] ImportError),
    #[error("directory {url}: {message}")]
    Http { url: String, message: String },
    #[error("directory {url}: the server refused the user name or password (401)")]
    Unauthorized { url: String },
    #[error("directory {url}: the server answered {code}")]
    Status { url: String, code: u16 },
    #[error("directory {url}: refusing to send a password over plain http; use https")]
    Insecure { url: String },
    #[error("directory address {url:?}: {message}")]
    BadUrl { url: String, message: String },
    #[error("the directory server's answer is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the directory holds more than {limit} cards")]
    TooManyCards { limit: usize },
    #[error("the directory server's answer is not valid WebDAV XML: {0}")]
    Xml(String),
    #[error("directory TLS: {0}")]
    Trust(#[from] crate::tls::TrustError),
    #[error("directory: {0}")]
    Store(#[from] StoreError),
}

/// A contact fetched from a directory, with a key that stays the same across syncs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedContact {
    pub key: String,
    pub fields: ContactFields,
}

/// What a sync found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// How many contacts the directory holds now.
    pub contacts: usize,
    /// Entries that were not taken, with the reason (`/book/x.vcf: no phone number`).
    pub skipped: Vec<String>,
}

/// Fetches a directory's contacts without touching the database (it may block for the
/// network: call it off the async workers, then hand the result to
/// [`Store::replace_directory`]).
pub fn fetch_directory(
    source: &DirectorySource,
) -> Result<(Vec<SharedContact>, Vec<String>), DirectoryError> {
    let mut contacts = Vec::new();
    let mut skipped = Vec::new();
    match source {
        DirectorySource::File(path) => {
            let bytes = read_bounded(path)?;
            let parsed = if is_vcard(path, &bytes) {
                parse_vcards(&bytes)?
            } else {
                parse_csv(&bytes)?
            };
            skipped.extend(parsed.report.refused().map(ToString::to_string));
            for (_, fields) in parsed.accepted {
                contacts.push(SharedContact {
                    key: file_key(&fields),
                    fields,
                });
            }
        }
        DirectorySource::CardDav(dav) => {
            for card in carddav::fetch_address_book(dav)? {
                match parse_vcards(card.vcard.as_bytes()) {
                    Ok(parsed) => {
                        if let Some(refused) =
                            parsed.report.rows.iter().find_map(|r| match &r.outcome {
                                RowOutcome::Refused(why) => Some(why),
                                RowOutcome::Accepted(_) => None,
                            })
                        {
                            skipped.push(format!("{}: {refused}", card.href));
                        }
                        if let Some((_, fields)) = parsed.accepted.into_iter().next() {
                            contacts.push(SharedContact {
                                key: card.href.clone(),
                                fields,
                            });
                        }
                    }
                    Err(e) => skipped.push(format!("{}: {e}", card.href)),
                }
            }
        }
    }
    Ok((contacts, skipped))
}

/// `.vcf` / `.vcard`, else a file whose first bytes hold `BEGIN:VCARD`.
pub fn is_vcard(path: &Path, bytes: &[u8]) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("vcf" | "vcard") => true,
        Some("csv" | "tsv" | "txt") => false,
        _ => {
            let head = &bytes[..bytes.len().min(4096)];
            String::from_utf8_lossy(head)
                .to_ascii_uppercase()
                .contains("BEGIN:VCARD")
        }
    }
}

/// A file contact's key: its name and first number.
fn file_key(f: &ContactFields) -> String {
    let number = f.phones.first().map_or(String::new(), |p| {
        numbers::digits(&p.number)
            .trim_start_matches('0')
            .to_string()
    });
    format!(
        "{}|{}|{}",
        f.first_name.to_lowercase(),
        f.last_name.to_lowercase(),
        number
    )
}

impl Store {
    /// Fetches the directory and replaces its contacts (see the module documentation).
    pub fn sync_directory(
        &mut self,
        directory: &str,
        source: &DirectorySource,
        region: Region,
    ) -> Result<SyncReport, DirectoryError> {
        let (contacts, skipped) = fetch_directory(source)?;
        let n = self.replace_directory(directory, &contacts, region)?;
        tracing::info!(
            directory,
            contacts = n,
            skipped = skipped.len(),
            "directory synced"
        );
        Ok(SyncReport {
            contacts: n,
            skipped,
        })
    }

    /// Replaces every contact of `directory` with `contacts` (as shared contacts) in one
    /// transaction, keeping the favourite and blocked marks of contacts whose key is unchanged.
    /// Contacts that fail validation (too many numbers, nothing to show) are left out.
    pub fn replace_directory(
        &mut self,
        directory: &str,
        contacts: &[SharedContact],
        region: Region,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut marks: HashMap<String, (bool, bool)> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT directory_key, favourite, blocked FROM contacts
                 WHERE directory = ?1 AND directory_key IS NOT NULL",
            )?;
            let rows = stmt.query_map([directory], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
            })?;
            for row in rows {
                let (key, flags) = row?;
                marks.insert(key, flags);
            }
        }
        for index in ["contact_search", "contact_words"] {
            // `index` is one of two literals, never input.
            tx.execute(
                &format!(
                    "DELETE FROM {index} WHERE rowid IN
                        (SELECT id FROM contacts WHERE directory = ?1)"
                ),
                [directory],
            )?;
        }
        tx.execute("DELETE FROM contacts WHERE directory = ?1", [directory])?;
        let mut written = 0;
        for c in contacts {
            let mut fields = c.fields.clone();
            fields.source = Source::Shared;
            (fields.favourite, fields.blocked) =
                marks.get(&c.key).copied().unwrap_or((false, false));
            if fields.validate().is_err() {
                continue;
            }
            let id = insert_analysed(&tx, &fields, &analyse_phones(&fields, region))?;
            tx.execute(
                "UPDATE contacts SET directory = ?2, directory_key = ?3 WHERE id = ?1",
                params![id.0, directory, c.key],
            )?;
            written += 1;
        }
        tx.commit()?;
        Ok(written)
    }

    /// How many contacts the shared directory `directory` holds.
    pub fn directory_count(&self, directory: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM contacts WHERE directory = ?1",
            [directory],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }
}

#[cfg(test)]
mod tests;
