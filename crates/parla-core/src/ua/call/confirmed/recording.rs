//! Recording a call (`record`): the file is made in the profile's `recordings/` folder,
//! named by when it started (UTC) and the far end's number, and reported with `recording`
//! events: `recording`, then `stopped` (asked, or the call's end, before `ended`), or
//! `failed` with an `error` when it cannot be written (the call goes on). The history row
//! keeps the file. Joining and leaving the conference are here too: both move the audio.

use crate::api::{ErrorKind, Event, RecordingState};
use crate::config::{RecordingChannels, RecordingFormat};
use crate::ua::call::Call;
use crate::ua::calls::RecordingRequest;
use crate::ua::conference::Seat;
use crate::ua::media::{off_the_async_workers, CallAudio, MediaBackend, RecordError};
use parla_media::{RecordChannels, RecordFormat};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How much of the far end's number goes into a file name.
const NAME_CHARS: usize = 32;
/// Files of the same second and number get `-2`, `-3`... up to this.
const SAME_NAME_TRIES: u32 = 100;

impl<M: MediaBackend> Call<M> {
    /// Starts (`Some`) or stops the recording.
    pub(crate) fn record(&mut self, request: Option<RecordingRequest>) {
        match request {
            Some(request) => self.start_recording(&request),
            None => self.finish_recording(),
        }
    }

    fn recording_event(&self, state: RecordingState, path: Option<String>, reason: Option<String>) {
        self.emit(Event::Recording {
            call: self.id,
            state,
            path,
            reason,
        });
    }

    fn start_recording(&mut self, request: &RecordingRequest) {
        if let Some(path) = &self.recording {
            // Asked twice: it runs.
            return self.recording_event(RecordingState::Recording, Some(path.clone()), None);
        }
        let Some(media) = self.media.as_mut() else {
            return self.not_connected();
        };
        let now = SystemTime::now();
        let path = off_the_async_workers(|| {
            std::fs::create_dir_all(&request.folder)?;
            Ok::<_, std::io::Error>(free_name(
                &request.folder,
                &file_stem(now, &self.log.remote_uri),
                extension(request.format),
            ))
        });
        let started = path.map_err(|e| e.to_string()).and_then(|path| {
            media
                .start_recording(&path, format(request.format), channels(request.channels))
                .map(|()| path.clone())
                .map_err(|e: RecordError| format!("{}: {e}", path.display()))
        });
        match started {
            Ok(path) => {
                let path = path.display().to_string();
                tracing::info!(call = %self.id, %path, "recording");
                self.recording = Some(path.clone());
                self.recorded = Some(path.clone());
                self.recording_event(RecordingState::Recording, Some(path), None);
            }
            Err(why) => self.recording_failed(None, why),
        }
    }

    /// The recording could not be written (or started); the call goes on.
    pub(crate) fn recording_failed(&mut self, path: Option<String>, why: String) {
        tracing::warn!(call = %self.id, %why, "recording failed");
        self.recording_event(RecordingState::Failed, path, Some(why.clone()));
        self.error(
            ErrorKind::RecordingFailed,
            format!("call {}: recording failed: {why}", self.id),
        );
    }

    /// The media thread gave up writing the file.
    pub(crate) fn recording_stopped_by_media(&mut self, message: String) {
        let path = self.recording.take();
        if let Some(p) = &path {
            // What was written before the failure is kept, if anything was.
            if !Path::new(p).exists() {
                self.recorded = None;
            }
        }
        self.recording_failed(path, message);
    }

    /// Stops the recording, if one runs, and says so (the file is complete).
    pub(crate) fn finish_recording(&mut self) {
        let Some(path) = self.recording.take() else {
            return;
        };
        if let Some(media) = self.media.as_mut() {
            if let Some(summary) = media.stop_recording() {
                tracing::info!(call = %self.id, path = %summary.path.display(), ms = summary.duration_ms, "recording stopped");
            }
        }
        self.recording_event(RecordingState::Stopped, Some(path), None);
    }

    /// Joins the conference; a failure takes the call out of it again.
    pub(crate) fn join_conference(&mut self, seat: Seat) {
        let joined = match self.media.as_mut() {
            Some(media) => media.join_conference(seat).map_err(|e| e.to_string()),
            None => Err("the call has no audio".to_string()),
        };
        if let Err(why) = joined {
            tracing::warn!(call = %self.id, %why, "not joined to the conference");
            self.error(
                ErrorKind::ConferenceFailed,
                format!("call {}: not joined to the conference: {why}", self.id),
            );
            if let Some(event) = self.env.calls.leave_conference(self.id) {
                self.emit(event);
            }
        }
    }

    pub(crate) fn leave_conference(&mut self, input: String, output: String) {
        let Some(media) = self.media.as_mut() else {
            return;
        };
        if let Err(why) = media.leave_conference(input, output) {
            tracing::warn!(call = %self.id, %why, "audio not back on the devices");
            self.error(
                ErrorKind::DevicesNotSwitched,
                format!("call {}: audio devices not switched: {why}", self.id),
            );
        }
    }
}

fn format(format: RecordingFormat) -> RecordFormat {
    match format {
        RecordingFormat::Ogg => RecordFormat::Ogg,
        RecordingFormat::Wav => RecordFormat::Wav,
    }
}

fn channels(channels: RecordingChannels) -> RecordChannels {
    match channels {
        RecordingChannels::Stereo => RecordChannels::Stereo,
        RecordingChannels::Mono => RecordChannels::Mono,
    }
}

fn extension(format: RecordingFormat) -> &'static str {
    match format {
        RecordingFormat::Ogg => "ogg",
        RecordingFormat::Wav => "wav",
    }
}

/// `2026-12-02_05-41-07_0612345678`: the start (UTC) and the far end's user part, with only
/// characters every file system takes.
pub(crate) fn file_stem(at: SystemTime, remote_uri: &str) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let [y, mo, d, h, mi, s] = crate::store::civil_utc(secs);
    let uri = remote_uri.trim();
    let rest = ["sips:", "sip:", "tel:"]
        .iter()
        .find_map(|scheme| {
            uri.get(..scheme.len())
                .filter(|p| p.eq_ignore_ascii_case(scheme))
                .map(|_| &uri[scheme.len()..])
        })
        .unwrap_or(uri);
    let user: String = rest
        .split(['@', ';', '?'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_' | '.'))
        .take(NAME_CHARS)
        .collect();
    let user = user.trim_start_matches('.');
    let user = if user.is_empty() { "call" } else { user };
    format!("{y:04}-{mo:02}-{d:02}_{h:02}-{mi:02}-{s:02}_{user}")
}

/// `folder/stem.ext`, or `stem-2.ext`... when that is taken.
fn free_name(folder: &Path, stem: &str, extension: &str) -> PathBuf {
    let first = folder.join(format!("{stem}.{extension}"));
    if !first.exists() {
        return first;
    }
    (2..SAME_NAME_TRIES)
        .map(|n| folder.join(format!("{stem}-{n}.{extension}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn file_names_say_when_and_who_in_safe_characters() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_653_467);
        assert_eq!(
            file_stem(at, "sip:+31612345678@pbx.example;user=phone"),
            "2025-12-02_05-31-07_+31612345678"
        );
        assert_eq!(file_stem(at, "SIP:bob@x"), "2025-12-02_05-31-07_bob");
        assert_eq!(
            file_stem(at, "sip:../../etc/passwd@x"),
            "2025-12-02_05-31-07_etcpasswd"
        );
        assert_eq!(file_stem(at, "sip:@x"), "2025-12-02_05-31-07_call");
        assert_eq!(file_stem(at, "tel:ü;x"), "2025-12-02_05-31-07_call");
        let long = format!("sip:{}@x", "9".repeat(500));
        assert_eq!(file_stem(at, &long).len(), 20 + NAME_CHARS);
    }

    #[test]
    fn a_taken_name_gets_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_name(dir.path(), "a", "wav");
        assert_eq!(first, dir.path().join("a.wav"));
        std::fs::write(&first, b"x").unwrap();
        assert_eq!(
            free_name(dir.path(), "a", "wav"),
            dir.path().join("a-2.wav")
        );
    }
}
