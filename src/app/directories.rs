//! Company directories: each line may name a CardDAV address book or a CSV/vCard file whose
//! contacts are kept read-only in the store. Fetched off the window's thread at start and
//! every hour, then swapped in with one transaction (a failed fetch keeps the old ones).

use super::Message;
use iced::Task;
use parla_core::store::{fetch_directory, DirectorySource, SharedContact};
use parla_core::Config;
use std::sync::Arc;
use std::time::Duration;

pub const EVERY: Duration = Duration::from_secs(3600);

/// What a fetch brought: the contacts and the entries skipped, or why it failed.
pub type Fetched = Result<Arc<(Vec<SharedContact>, Vec<String>)>, String>;

pub fn any(config: &Config) -> bool {
    config
        .accounts
        .iter()
        .any(|a| a.enabled && a.directory.is_some())
}

pub fn fetch_all(config: &Config) -> Task<Message> {
    let tasks = config
        .accounts
        .iter()
        .filter(|a| a.enabled)
        .filter_map(|account| {
            let directory = account.directory.as_ref()?;
            let source = DirectorySource::from_config(directory, account.ca_file.as_deref());
            let id = account.id.clone();
            Some(Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || {
                        fetch_directory(&source)
                            .map(Arc::new)
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
                },
                move |fetched| Message::DirectoryFetched(id.clone(), fetched),
            ))
        });
    Task::batch(tasks)
}
