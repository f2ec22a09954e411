//! The answering machine's messages: the list (newest first, unheard ones marked) and, for the
//! message picked, a player (play/pause, a slider that seeks, where it is of how long) with call
//! back, export, mark heard/unheard and delete (asked twice). The engine owns the messages and
//! plays them: this screen sends commands and draws what the events say.

use crate::i18n::I18n;
use parla_core::api::{PlaybackState, RequestId};
use parla_core::store::{VoicemailEntry, VoicemailId};
use parla_core::{AccountId, Command, Event};
use std::path::{Path, PathBuf};

mod view;

/// How many messages the list asks for.
const LIST_LIMIT: usize = 300;

/// Where the playback of the picked message stands, as the last `playback` event said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Playback {
    pub id: VoicemailId,
    pub state: PlaybackState,
    pub position_ms: u64,
    pub duration_ms: u64,
}

#[derive(Debug, Default)]
pub struct Voicemail {
    /// Newest first, as the engine lists them.
    pub messages: Vec<VoicemailEntry>,
    /// Messages not heard yet (the engine's count).
    pub unheard: u64,
    pub selected: Option<VoicemailId>,
    /// The last `playback` event about a message.
    pub playback: Option<Playback>,
    /// The slider's place while it is dragged (ms), sent as a seek when it is let go; kept as
    /// the start for the next play when nothing plays.
    pub seek_to: Option<u64>,
    /// The message whose delete button was pressed once (pressed again: deleted).
    pub confirm_delete: Option<VoicemailId>,
    /// Where the last export went.
    pub exported: Option<String>,
    pub error: Option<String>,
    /// The list has come at least once (until then the empty state is not shown).
    pub loaded: bool,
    /// The listing whose answer the screen waits for.
    listing: Option<RequestId>,
    /// Requests whose errors belong to this screen (export, mark, delete).
    asked: Vec<RequestId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Select(VoicemailId),
    Play,
    Pause,
    /// The slider moved (ms).
    Seek(f64),
    /// The slider was let go.
    SeekDone,
    CallBack,
    Export,
    ToggleHeard,
    /// First press of delete: asks to confirm.
    AskDelete,
    ConfirmDelete,
    CancelDelete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    Dial {
        account: AccountId,
        to: String,
    },
    Send(Vec<Command>),
    /// Export the message: the app picks the folder (see [`export_path`]).
    Export(VoicemailId),
}

impl Voicemail {
    /// Asks for the list again.
    pub fn refresh(&mut self, request: RequestId) -> Command {
        self.listing = Some(request);
        Command::ListVoicemail {
            limit: LIST_LIMIT,
            request: Some(request),
        }
    }

    pub fn selected_entry(&self) -> Option<&VoicemailEntry> {
        let id = self.selected?;
        self.messages.iter().find(|m| m.id == id)
    }

    /// Picks a message (from the history's link); the player shows it.
    pub fn select(&mut self, id: VoicemailId) {
        if self.selected != Some(id) {
            self.selected = Some(id);
            self.seek_to = None;
            self.confirm_delete = None;
            self.exported = None;
        }
    }

    /// The playback of `id`, if the last event was about it.
    fn playback_of(&self, id: VoicemailId) -> Option<Playback> {
        self.playback.filter(|p| p.id == id)
    }

    /// Where the slider stands for the picked message (ms).
    pub fn position_ms(&self) -> u64 {
        let Some(id) = self.selected else {
            return 0;
        };
        if let Some(at) = self.seek_to {
            return at;
        }
        match self.playback_of(id) {
            Some(p) if p.state != PlaybackState::Stopped => p.position_ms,
            _ => 0,
        }
    }

    /// The picked message's length (ms): the player's, else the list's.
    pub fn duration_ms(&self) -> u64 {
        let Some(entry) = self.selected_entry() else {
            return 0;
        };
        match self.playback_of(entry.id) {
            Some(p) if p.duration_ms > 0 => p.duration_ms,
            _ => entry.duration_ms,
        }
    }

    /// The picked message plays now.
    pub fn playing(&self) -> bool {
        self.selected
            .and_then(|id| self.playback_of(id))
            .is_some_and(|p| p.state == PlaybackState::Playing)
    }

    pub fn update(&mut self, msg: Msg, next_request: &mut impl FnMut() -> RequestId) -> Outcome {
        self.error = None;
        if !matches!(msg, Msg::ConfirmDelete | Msg::AskDelete) {
            self.confirm_delete = None;
        }
        if let Msg::Select(id) = msg {
            let mut commands = Vec::new();
            if self.selected != Some(id) && self.playing() {
                commands.push(Command::StopPlayback);
            }
            self.select(id);
            return Outcome::Send(commands);
        }
        let Some(entry) = self.selected_entry().cloned() else {
            return Outcome::None;
        };
        let id = entry.id;
        let command = match msg {
            Msg::Select(_) => return Outcome::None,
            Msg::Play if entry.missing => return Outcome::None,
            Msg::Play => {
                // From where the slider was put; else a paused message resumes where it
                // was, and any other starts from the beginning.
                Command::PlayVoicemail {
                    id,
                    position_ms: self.seek_to.take(),
                }
            }
            Msg::Pause => Command::PausePlayback,
            Msg::Seek(at) => {
                let at = at.clamp(0.0, self.duration_ms() as f64) as u64;
                self.seek_to = Some(at);
                return Outcome::None;
            }
            Msg::SeekDone => {
                let active = self
                    .playback_of(id)
                    .is_some_and(|p| p.state != PlaybackState::Stopped);
                match self.seek_to {
                    Some(at) if active => {
                        self.seek_to = None;
                        // Shown where it was let go until the player says otherwise.
                        if let Some(p) = self.playback.as_mut() {
                            p.position_ms = at;
                        }
                        Command::SeekPlayback { position_ms: at }
                    }
                    // Nothing plays: the next play starts there.
                    _ => return Outcome::None,
                }
            }
            Msg::CallBack => {
                return Outcome::Dial {
                    account: AccountId::new(entry.account.clone()),
                    to: entry.from.clone(),
                }
            }
            Msg::Export if entry.missing => return Outcome::None,
            Msg::Export => return Outcome::Export(id),
            Msg::ToggleHeard => {
                let request = next_request();
                self.asked.push(request);
                self.mark(id, !entry.heard);
                Command::SetVoicemailHeard {
                    id,
                    heard: !entry.heard,
                    request: Some(request),
                }
            }
            Msg::AskDelete => {
                self.confirm_delete = Some(id);
                return Outcome::None;
            }
            Msg::CancelDelete => return Outcome::None,
            Msg::ConfirmDelete => {
                if self.confirm_delete.take() != Some(id) {
                    return Outcome::None;
                }
                let request = next_request();
                self.asked.push(request);
                let mut commands = Vec::new();
                if self
                    .playback_of(id)
                    .is_some_and(|p| p.state != PlaybackState::Stopped)
                {
                    commands.push(Command::StopPlayback);
                }
                // Gone from the list at once; the engine confirms with `voicemail_changed`.
                self.messages.retain(|m| m.id != id);
                self.selected = None;
                self.seek_to = None;
                commands.push(Command::DeleteVoicemail {
                    id,
                    request: Some(request),
                });
                return Outcome::Send(commands);
            }
        };
        Outcome::Send(vec![command])
    }

    /// Shows `id` heard (or not) at once; the engine's count follows.
    fn mark(&mut self, id: VoicemailId, heard: bool) {
        if let Some(m) = self.messages.iter_mut().find(|m| m.id == id) {
            m.heard = heard;
        }
    }

    /// The export command for `id` to `output`, remembered so its answer is shown here.
    pub fn export(&mut self, id: VoicemailId, output: PathBuf, request: RequestId) -> Command {
        self.exported = None;
        self.asked.push(request);
        Command::ExportVoicemail {
            id,
            output,
            request: Some(request),
        }
    }

    /// Takes the engine's answers; returns what to ask next.
    pub fn on_event(
        &mut self,
        event: &Event,
        i18n: &I18n,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Vec<Command> {
        match event {
            Event::VoicemailMessages {
                request,
                messages,
                unheard,
            } if *request == self.listing => {
                self.listing = None;
                self.loaded = true;
                self.messages = messages.clone();
                self.unheard = *unheard;
                if self.selected_entry().is_none() {
                    self.selected = None;
                }
            }
            Event::VoicemailChanged { unheard, request } => {
                self.unheard = *unheard;
                if let Some(request) = request {
                    self.asked.retain(|r| r != request);
                }
                return vec![self.refresh(next_request())];
            }
            Event::VoicemailMessage { .. } => return vec![self.refresh(next_request())],
            Event::VoicemailExported {
                request: Some(request),
                path,
                ..
            } if self.asked.contains(request) => {
                self.asked.retain(|r| r != request);
                self.exported = Some(path.clone());
            }
            Event::Playback {
                id: Some(id),
                state,
                position_ms,
                duration_ms,
                ..
            } => {
                self.playback = Some(Playback {
                    id: *id,
                    state: *state,
                    position_ms: *position_ms,
                    duration_ms: *duration_ms,
                });
                // Playing marks the message heard (the engine's `voicemail_changed` follows).
                if *state == PlaybackState::Playing {
                    self.mark(*id, true);
                }
            }
            // A greeting plays (the settings' business): no message does.
            Event::Playback { id: None, .. } => self.playback = None,
            Event::Error {
                request: Some(request),
                kind,
                message,
                ..
            } if Some(*request) == self.listing || self.asked.contains(request) => {
                if Some(*request) == self.listing {
                    self.listing = None;
                }
                self.asked.retain(|r| r != request);
                self.error = Some(crate::app::errors::describe(i18n, *kind, message));
            }
            _ => {}
        }
        Vec::new()
    }
}

/// Who left the message, as the list shows it: the name, else the number, else the URI.
pub fn caller(entry: &VoicemailEntry) -> &str {
    if !entry.name.trim().is_empty() {
        &entry.name
    } else if !entry.number.trim().is_empty() {
        &entry.number
    } else {
        &entry.from
    }
}

/// When the message was left, in local time.
pub fn local_start(entry: &VoicemailEntry) -> chrono::NaiveDateTime {
    // Up to the year 9999: chrono cannot show later times.
    let at = u64::try_from(entry.start_ms)
        .ok()
        .filter(|ms| *ms < 253_402_300_799_000)
        .and_then(|ms| std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_millis(ms)))
        .unwrap_or(std::time::UNIX_EPOCH);
    crate::when::local(at)
}

/// Where an export goes in `dir`: `voicemail-YYYYMMDD-HHMM-NAME.wav`, with the message's local
/// time and the caller's name (or number) made safe for a file name.
pub fn export_path(dir: &Path, entry: &VoicemailEntry) -> PathBuf {
    let stamp = local_start(entry).format("%Y%m%d-%H%M");
    let mut name = String::new();
    for c in caller(entry).chars() {
        if c.is_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name: String = name.trim_end_matches('-').chars().take(40).collect();
    let name = if name.is_empty() {
        "caller".into()
    } else {
        name
    };
    dir.join(format!("voicemail-{stamp}-{name}.wav"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, number: &str) -> VoicemailEntry {
        VoicemailEntry {
            id: VoicemailId(1),
            account: "work".into(),
            from: "sip:+31201234567@pbx.example.com".into(),
            number: number.into(),
            name: name.into(),
            start: "2026-03-04T10:05:00Z".into(),
            start_ms: 1_772_618_700_000,
            duration_ms: 5_000,
            heard: false,
            file: "1.wav".into(),
            missing: false,
            history: None,
        }
    }

    #[test]
    fn export_names_carry_the_time_and_a_safe_caller_name() {
        let path = export_path(
            Path::new("/tmp/x"),
            &entry("Anna de Vries / Sales", "+3120"),
        );
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        let stamp = local_start(&entry("", ""))
            .format("%Y%m%d-%H%M")
            .to_string();
        assert_eq!(file, format!("voicemail-{stamp}-Anna-de-Vries-Sales.wav"));
        let path = export_path(Path::new("/tmp/x"), &entry("", "+31 20"));
        assert!(path.to_string_lossy().ends_with("-31-20.wav"), "{path:?}");
        let path = export_path(Path::new("/tmp/x"), &entry("", "../"));
        assert_eq!(path.parent(), Some(Path::new("/tmp/x")));
    }

    #[test]
    fn a_bad_start_time_does_not_crash() {
        let mut bad = entry("A", "1");
        bad.start_ms = -5;
        let _ = export_path(Path::new("/tmp"), &bad);
        bad.start_ms = i64::MAX;
        let _ = export_path(Path::new("/tmp"), &bad);
    }
}
