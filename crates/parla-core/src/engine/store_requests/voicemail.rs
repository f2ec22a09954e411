//! The answering machine's messages in the one vocabulary: `list_voicemail`,
//! `set_voicemail_heard`, `delete_voicemail` and `export_voicemail`. The rows are the store's;
//! the audio files sit in the profile's `voicemail/` folder.

use super::store_error;
use crate::api::{Command, ErrorKind, Event, RequestId, MAX_LIST_LIMIT};
use crate::store::{Store, StoreError, VoicemailEntry, VoicemailFileError};
use parla_media::clip::ExportError;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

/// Answers one voicemail command on the store thread; `dir` is the messages' folder (none:
/// the engine has no profile, so no file can be found). An export is written on a thread of
/// its own (encoding Opus takes a while: caller lookups must not wait for it), which sends
/// its answer to `events` itself.
pub(super) fn answer(
    store: &mut Store,
    command: Command,
    dir: Option<&Path>,
    request: Option<RequestId>,
    events: &UnboundedSender<Event>,
) -> Vec<Event> {
    let result = match command {
        Command::ListVoicemail { limit, .. } => list(store, limit, dir, request),
        Command::SetVoicemailHeard { id, heard, .. } => store
            .set_voicemail_heard(id, heard)
            .and_then(|()| changed(store, request)),
        Command::DeleteVoicemail { id, .. } => return delete(store, id, dir, request),
        Command::ExportVoicemail { id, output, .. } => match store.voicemail(id) {
            Ok(Some(entry)) => {
                export(entry, dir, output, request, events);
                return Vec::new();
            }
            Ok(None) => Err(StoreError::VoicemailNotFound(id)),
            Err(e) => Err(e),
        },
        _ => return Vec::new(),
    };
    match result {
        Ok(event) => vec![event],
        Err(e) => vec![store_error(request, &e)],
    }
}

fn list(
    store: &Store,
    limit: usize,
    dir: Option<&Path>,
    request: Option<RequestId>,
) -> Result<Event, StoreError> {
    let mut messages = store.list_voicemail(limit.min(MAX_LIST_LIMIT))?;
    for message in &mut messages {
        match dir {
            Some(dir) => message.check_file(dir),
            None => message.missing = true,
        }
    }
    Ok(Event::VoicemailMessages {
        request,
        messages,
        unheard: store.unheard_voicemail()?,
    })
}

fn changed(store: &Store, request: Option<RequestId>) -> Result<Event, StoreError> {
    Ok(Event::VoicemailChanged {
        request,
        unheard: store.unheard_voicemail()?,
    })
}

/// Removes the file, then the row (see [`Store::delete_voicemail_and_file`]); without a
/// folder there is no file to remove, only the row.
fn delete(
    store: &mut Store,
    id: crate::store::VoicemailId,
    dir: Option<&Path>,
    request: Option<RequestId>,
) -> Vec<Event> {
    let deleted = match dir {
        Some(dir) => store.delete_voicemail_and_file(id, dir),
        None => store.delete_voicemail(id).map_err(VoicemailFileError::from),
    };
    match deleted.and_then(|_| Ok(changed(store, request)?)) {
        Ok(event) => vec![event],
        Err(VoicemailFileError::Store(e)) => vec![store_error(request, &e)],
        Err(e) => vec![Event::request_error(
            request,
            ErrorKind::Internal,
            e.to_string(),
        )],
    }
}

fn export(
    entry: VoicemailEntry,
    dir: Option<&Path>,
    output: PathBuf,
    request: Option<RequestId>,
    events: &UnboundedSender<Event>,
) {
    let Some(dir) = dir.map(Path::to_path_buf) else {
        let _ = events.send(Event::request_error(
            request,
            ErrorKind::FileMissing,
            format!("message {} has no folder to be found in", entry.id),
        ));
        return;
    };
    let answers = events.clone();
    let job = move || {
        let event = match entry.export(&dir, &output) {
            Ok(()) => Event::VoicemailExported {
                request,
                id: entry.id,
                path: output.display().to_string(),
            },
            Err(e) => Event::request_error(request, export_error_kind(&e), e.to_string()),
        };
        let _ = answers.send(event);
    };
    if let Err(e) = std::thread::Builder::new()
        .name("parla-export".into())
        .spawn(job)
    {
        tracing::warn!(error = %e, "cannot start the export thread");
        let _ = events.send(Event::request_error(
            request,
            ErrorKind::ExportFailed,
            format!("cannot start the export: {e}"),
        ));
    }
}

/// A message that is gone or unreadable is `file_missing`; anything about the output is
/// `export_failed`.
fn export_error_kind(error: &VoicemailFileError) -> ErrorKind {
    match error {
        VoicemailFileError::Missing { .. }
        | VoicemailFileError::Export(ExportError::Read { .. }) => ErrorKind::FileMissing,
        _ => ErrorKind::ExportFailed,
    }
}

#[cfg(test)]
mod tests;
