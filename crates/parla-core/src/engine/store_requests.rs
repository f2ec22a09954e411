//! The contacts and history commands of the one vocabulary: each runs on the store thread
//! (SQLite never runs on an async worker nor in the window) and is answered with events that
//! carry the command's `request`.

use crate::api::{
    Command, ContactEntry, ErrorKind, Event, RequestId, MAX_LIST_LIMIT, MAX_QUERY_CHARS,
};
use crate::store::{
    is_vcard, ContactFields, ContactId, ImportError, ImportReport, Region, Store, StoreError,
};
use crate::ua::store_link::StoreLink;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

mod messages;
mod voicemail;

/// Where answers go and how numbers without a country code are read.
#[derive(Clone)]
pub struct StoreRequests {
    pub link: StoreLink,
    pub events: UnboundedSender<Event>,
    pub region: Region,
    /// The profile's `voicemail/` folder, where the messages' audio files are.
    pub voicemail_dir: Option<PathBuf>,
}

fn bounded(query: String) -> String {
    query.chars().take(MAX_QUERY_CHARS).collect()
}

fn store_error(request: Option<RequestId>, error: &StoreError) -> Event {
    let kind = match error {
        StoreError::NotFound(_)
        | StoreError::HistoryNotFound(_)
        | StoreError::VoicemailNotFound(_)
        | StoreError::MessageNotFound(_) => ErrorKind::NotFound,
        StoreError::MessageTooLong(_) => ErrorKind::InvalidMessage,
        StoreError::NotAnAddress(_) => ErrorKind::BadCommand,
        StoreError::EmptyContact
        | StoreError::TooManyPhones(_)
        | StoreError::TooManyEmails(_)
        | StoreError::ReadOnly(_)
        | StoreError::UnknownRegion(_) => ErrorKind::InvalidContact,
        _ => ErrorKind::StoreUnavailable,
    };
    Event::request_error(request, kind, error.to_string())
}

/// Most refusal reasons a `contacts_imported` carries; the counts cover them all.
pub const MAX_REFUSED_ROWS: usize = 100;

/// Imports a CSV or vCard file (as `parla contacts import` does: by the extension, else by
/// the content) and says what came of it.
fn import(
    store: &mut Store,
    path: &Path,
    region: Region,
    request: Option<RequestId>,
) -> Vec<Event> {
    let result = crate::store::read_bounded(path).and_then(|bytes| {
        if is_vcard(path, &bytes) {
            store.import_vcard_bytes(&bytes, region)
        } else {
            store.import_csv_bytes(&bytes, region)
        }
    });
    match result {
        Ok(report) => {
            let imported = imported_event(request, &report);
            if report.accepted() > 0 {
                vec![imported, Event::ContactsChanged { request }]
            } else {
                vec![imported]
            }
        }
        Err(ImportError::Store(e)) => vec![store_error(request, &e)],
        Err(e) => vec![Event::request_error(
            request,
            ErrorKind::ImportFailed,
            e.to_string(),
        )],
    }
}

fn imported_event(request: Option<RequestId>, report: &ImportReport) -> Event {
    let refused: Vec<_> = report.refused().collect();
    Event::ContactsImported {
        request,
        imported: report.accepted(),
        refused: refused.len(),
        refused_rows: refused
            .iter()
            .take(MAX_REFUSED_ROWS)
            .map(ToString::to_string)
            .collect(),
    }
}

/// Adds a contact, or replaces one keeping its favourite and blocked marks.
fn save(
    store: &mut Store,
    id: Option<ContactId>,
    mut fields: ContactFields,
    region: Region,
) -> Result<ContactId, StoreError> {
    match id {
        Some(id) => {
            let old = store.contact(id)?.ok_or(StoreError::NotFound(id))?;
            fields.favourite = old.fields.favourite;
            fields.blocked = old.fields.blocked;
            fields.source = old.fields.source;
            store.update_contact(id, &fields, region).map(|()| id)
        }
        None => {
            fields.source = crate::store::Source::Personal;
            store.add_contact(&fields, region)
        }
    }
}

impl StoreRequests {
    /// Queues `command` on the store thread; a command that is not the store's is ignored.
    pub fn handle(&self, command: Command) {
        let request = request_of(&command);
        let events = self.events.clone();
        let region = self.region;
        let dir = self.voicemail_dir.clone();
        let job = move |store: Option<&mut Store>| {
            let answers = match store {
                Some(store) if is_voicemail(&command) => {
                    voicemail::answer(store, command, dir.as_deref(), request, &events)
                }
                Some(store) if messages::is_messages(&command) => {
                    messages::answer(store, command, region, request)
                }
                Some(store) => answer(store, command, region),
                None => vec![unavailable(request)],
            };
            for event in answers {
                let _ = events.send(event);
            }
        };
        if !self.link.run(job) {
            let _ = self.events.send(unavailable(request));
        }
    }
}

fn unavailable(request: Option<RequestId>) -> Event {
    Event::request_error(
        request,
        ErrorKind::StoreUnavailable,
        "the contacts database is not available",
    )
}

fn request_of(command: &Command) -> Option<RequestId> {
    match command {
        Command::SearchContacts { request, .. }
        | Command::GetContact { request, .. }
        | Command::SaveContact { request, .. }
        | Command::DeleteContact { request, .. }
        | Command::SetFavourite { request, .. }
        | Command::SetBlocked { request, .. }
        | Command::ListHistory { request, .. }
        | Command::DeleteHistory { request, .. }
        | Command::ClearHistory { request }
        | Command::MarkMissedSeen { request }
        | Command::ImportContacts { request, .. }
        | Command::SyncDirectories { request, .. }
        | Command::ListVoicemail { request, .. }
        | Command::SetVoicemailHeard { request, .. }
        | Command::DeleteVoicemail { request, .. }
        | Command::ExportVoicemail { request, .. }
        | Command::ListConversations { request, .. }
        | Command::ListMessages { request, .. }
        | Command::MarkConversationRead { request, .. }
        | Command::DeleteConversation { request, .. } => *request,
        _ => None,
    }
}

fn is_voicemail(command: &Command) -> bool {
    matches!(
        command,
        Command::ListVoicemail { .. }
            | Command::SetVoicemailHeard { .. }
            | Command::DeleteVoicemail { .. }
            | Command::ExportVoicemail { .. }
    )
}

/// Runs one command against the store and says what came of it.
fn answer(store: &mut Store, command: Command, region: Region) -> Vec<Event> {
    let request = request_of(&command);
    let changed = |result: Result<(), StoreError>, event: Event| match result {
        Ok(()) => vec![event],
        Err(e) => vec![store_error(request, &e)],
    };
    let contacts_changed = Event::ContactsChanged { request };
    let history_changed = Event::HistoryChanged { request };
    match command {
        Command::SearchContacts {
            query,
            filter,
            limit,
            ..
        } => match store.search(&bounded(query), filter, limit.min(MAX_LIST_LIMIT)) {
            Ok(found) => vec![Event::Contacts {
                request,
                contacts: found.into_iter().map(ContactEntry::from).collect(),
            }],
            Err(e) => vec![store_error(request, &e)],
        },
        Command::GetContact { id, .. } => match store.contact(id) {
            Ok(contact) => vec![Event::Contact {
                request,
                contact: contact.map(|c| Box::new(ContactEntry::from(c))),
            }],
            Err(e) => vec![store_error(request, &e)],
        },
        Command::SaveContact { id, contact, .. } => match save(store, id, *contact, region) {
            Ok(id) => vec![Event::ContactSaved { request, id }, contacts_changed],
            Err(e) => vec![store_error(request, &e)],
        },
        Command::DeleteContact { id, .. } => changed(store.delete_contact(id), contacts_changed),
        Command::SetFavourite { id, on, .. } => {
            changed(store.set_favourite(id, on), contacts_changed)
        }
        Command::SetBlocked { id, on, .. } => changed(store.set_blocked(id, on), contacts_changed),
        Command::ListHistory {
            filter,
            query,
            limit,
            ..
        } => match store.history(filter, &bounded(query), limit.min(MAX_LIST_LIMIT)) {
            Ok(calls) => vec![Event::History { request, calls }],
            Err(e) => vec![store_error(request, &e)],
        },
        Command::DeleteHistory { id, .. } => {
            changed(store.delete_history_entry(id), history_changed)
        }
        Command::ClearHistory { .. } => changed(store.clear_history().map(drop), history_changed),
        Command::MarkMissedSeen { .. } => match store.mark_missed_seen() {
            Ok(_) => vec![Event::MissedCalls { request, unseen: 0 }],
            Err(e) => vec![store_error(request, &e)],
        },
        Command::ImportContacts { path, .. } => import(store, &path, region, request),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
