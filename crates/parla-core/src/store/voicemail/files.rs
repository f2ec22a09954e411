//! A message's audio file in the profile's `voicemail/` folder: where it is, whether it is
//! still there, removing it with its row and writing it out for the user. The engine's
//! requests and `parla voicemail` both go through here, so they agree.

use std::ffi::OsStr;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use parla_media::clip::{self, ExportError};

use super::{Store, StoreError, VoicemailEntry, VoicemailId};

/// Why a message's file could not be exported or removed.
#[derive(Debug, thiserror::Error)]
pub enum VoicemailFileError {
    /// The row could not be read or deleted (or there is no such message).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file is gone (deleted by hand) or the row names no file of the folder.
    #[error("the audio file of message {id} is missing ({})", path.display())]
    Missing { id: VoicemailId, path: PathBuf },
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("cannot delete {}: {source}", path.display())]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// True for the names a message can be exported to: `.wav`, `.ogg` or `.opus` (any case).
pub fn is_export_format(output: &Path) -> bool {
    output
        .extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| ["wav", "ogg", "opus"].contains(&ext.to_ascii_lowercase().as_str()))
}

impl Store {
    /// Deletes a message: its file in `dir` first, then its row, and returns the row. A file
    /// that cannot be removed keeps its row (the user can try again); a file already gone is
    /// fine.
    pub fn delete_voicemail_and_file(
        &mut self,
        id: VoicemailId,
        dir: &Path,
    ) -> Result<VoicemailEntry, VoicemailFileError> {
        let entry = self
            .voicemail(id)?
            .ok_or(StoreError::VoicemailNotFound(id))?;
        entry.remove_file(dir)?;
        Ok(self.delete_voicemail(id)?)
    }
}

impl VoicemailEntry {
    /// The audio file in `dir` (the profile's `voicemail/` folder). `None` when the row's
    /// name is not a plain file name (Parla never writes one): nothing outside the folder is
    /// ever read or removed for a message.
    pub fn path_in(&self, dir: &Path) -> Option<PathBuf> {
        let name = Path::new(&self.file);
        let mut parts = name.components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(file)), None) => Some(dir.join(file)),
            _ => None,
        }
    }

    /// Sets [`VoicemailEntry::missing`] by looking for the file in `dir`.
    pub fn check_file(&mut self, dir: &Path) {
        self.missing = !self.path_in(dir).is_some_and(|path| path.is_file());
    }

    /// Removes the audio file from `dir`; a file already gone is fine.
    pub fn remove_file(&self, dir: &Path) -> Result<(), VoicemailFileError> {
        let Some(path) = self.path_in(dir) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(source) => Err(VoicemailFileError::Remove { path, source }),
        }
    }

    /// Writes the message in `dir` to `output`: `.wav` as WAV, `.ogg` / `.opus` as Ogg Opus.
    /// Another extension is refused before anything is read.
    pub fn export(&self, dir: &Path, output: &Path) -> Result<(), VoicemailFileError> {
        if !is_export_format(output) {
            return Err(ExportError::UnsupportedFormat(output.to_path_buf()).into());
        }
        let missing = |path: PathBuf| VoicemailFileError::Missing { id: self.id, path };
        let source = self
            .path_in(dir)
            .ok_or_else(|| missing(dir.join(&self.file)))?;
        if !source.is_file() {
            return Err(missing(source));
        }
        clip::export(&source, output)?;
        Ok(())
    }
}
