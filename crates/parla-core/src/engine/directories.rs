//! Company directories: a line may name a CardDAV address book or a CSV/vCard file whose
//! contacts are kept read-only in the store. The engine syncs them at start, every hour and on
//! `sync_directories`: the fetch (network or file) runs on the blocking pool, the swap into
//! the database is one transaction on the store thread (a failed fetch keeps the old ones).

use crate::api::{AccountId, ErrorKind, Event, RequestId, SyncState};
use crate::config::{AccountConfig, Config};
use crate::store::{fetch_directory, DirectorySource, Store};
use crate::ua::store_link::{region_of, StoreLink};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

const UNAVAILABLE: &str = "the contacts database is not available";

/// How often every directory is synced again.
pub const EVERY: Duration = Duration::from_secs(3600);

/// The enabled lines that have a directory.
fn with_directory(config: &Config) -> impl Iterator<Item = &AccountConfig> {
    config
        .accounts
        .iter()
        .filter(|a| a.enabled && a.directory.is_some())
}

pub fn any(config: &Config) -> bool {
    with_directory(config).next().is_some()
}

/// Starts a sync of every directory, or of `only`'s; each reports a `directory_sync`.
pub fn sync(
    config: &Config,
    only: Option<&AccountId>,
    link: &StoreLink,
    events: &UnboundedSender<Event>,
    request: Option<RequestId>,
) {
    let lines: Vec<&AccountConfig> = with_directory(config)
        .filter(|a| only.is_none_or(|id| id.as_str() == a.id))
        .collect();
    if lines.is_empty() {
        if let Some(id) = only {
            let _ = events.send(Event::Error {
                kind: ErrorKind::NoSuchAccount,
                message: format!("line {id:?} has no company directory"),
                call: None,
                account: Some(id.clone()),
                request,
            });
        }
        return;
    }
    for line in lines {
        let Some(directory) = &line.directory else {
            continue;
        };
        let source = DirectorySource::from_config(directory, line.ca_file.as_deref());
        let account = AccountId::new(line.id.clone());
        let region = region_of(line);
        let link = link.clone();
        let events = events.clone();
        tokio::spawn(async move {
            let fetched = tokio::task::spawn_blocking(move || fetch_directory(&source))
                .await
                .map_err(|e| e.to_string())
                .and_then(|fetched| fetched.map_err(|e| e.to_string()));
            let (contacts, skipped) = match fetched {
                Ok(found) => found,
                Err(reason) => {
                    let _ = events.send(failed(account, reason, request));
                    return;
                }
            };
            let answers = events.clone();
            let job_account = account.clone();
            let ran = link.run(move |store: Option<&mut Store>| {
                let name = job_account.as_str().to_string();
                let Some(store) = store else {
                    let _ = answers.send(failed(job_account, UNAVAILABLE.into(), request));
                    return;
                };
                let event = match store.replace_directory(&name, &contacts, region) {
                    Ok(count) => {
                        tracing::info!(line = %name, count, skipped = skipped.len(), "company directory synced");
                        let _ = answers.send(Event::ContactsChanged { request: None });
                        Event::DirectorySync {
                            account: job_account,
                            state: SyncState::Synced,
                            contacts: Some(count),
                            skipped: Some(skipped.len()),
                            reason: None,
                            request,
                        }
                    }
                    Err(e) => failed(job_account, e.to_string(), request),
                };
                let _ = answers.send(event);
            });
            if !ran {
                let _ = events.send(failed(account, UNAVAILABLE.into(), request));
            }
        });
    }
}

fn failed(account: AccountId, reason: String, request: Option<RequestId>) -> Event {
    tracing::warn!(line = %account, %reason, "company directory not synced; the last contacts stay");
    Event::DirectorySync {
        account,
        state: SyncState::Failed,
        contacts: None,
        skipped: None,
        reason: Some(reason),
        request,
    }
}
