//! The window's side of conferences, call recording and park: the call screen's actions
//! become commands, and what the engine says about them (`conference`, `recording`, `parked`)
//! is shown. The call list keeps who is in the conference and what is recorded (calls.rs).
//! And a recording listed in the history opens in the desktop's player.

use super::{errors, App, Message};
use crate::app::calls::merge_set;
use crate::screen::call;
use iced::Task;
use parla_core::api::{ErrorKind, RecordingState};
use parla_core::config::FeatureKind;
use parla_core::{CallId, Command, Event};

/// Stands for the reason in a translated sentence until the reason is known.
const DETAIL: &str = "\u{1}";

impl App {
    /// `conference`, `recording` and `parked` events (before the call list takes them).
    pub(super) fn on_conference_event(&mut self, event: &Event) {
        match event {
            Event::Conference { calls, .. } => {
                // The participant on screen was split off (or hung up): show the conference,
                // or, when that ended it, who is still talking (the split call waits on hold).
                let focused_left = self
                    .focused
                    .and_then(|id| self.calls.get(id))
                    .is_some_and(|c| c.in_conference && !calls.contains(&c.id));
                if focused_left || self.focused.is_none() {
                    let next = calls
                        .iter()
                        .copied()
                        .find(|id| self.calls.get(*id).is_some())
                        .or_else(|| {
                            self.calls
                                .conference()
                                .iter()
                                .map(|c| c.id)
                                .find(|id| Some(*id) != self.focused)
                        });
                    if let Some(next) = next {
                        self.focused = Some(next);
                    }
                }
            }
            Event::Recording {
                state: RecordingState::Failed,
                reason,
                ..
            } => {
                let reason = reason.as_deref().unwrap_or_default();
                self.notice = Some(errors::describe(
                    &self.i18n,
                    ErrorKind::RecordingFailed,
                    reason,
                ));
            }
            Event::Parked { orbit, .. } => {
                // Stays until dismissed: the person has to tell a colleague where it is.
                self.notice = Some(match orbit.as_deref().filter(|o| !o.trim().is_empty()) {
                    Some(orbit) => self.i18n.tr_args("park-parked-on", &[("orbit", orbit)]),
                    None => self.i18n.tr("park-parked"),
                });
            }
            _ => {}
        }
    }

    /// What the call screen offers for `focused` beyond the calls: park, the conference's
    /// size and time.
    pub(super) fn in_call_features(&self, focused: CallId) -> call::InCall {
        let line = self
            .calls
            .get(focused)
            .and_then(|c| c.account.as_ref())
            .and_then(|account| self.config.account(account.as_str()));
        let can_park =
            line.is_some_and(|line| line.feature_codes_of(FeatureKind::Park).next().is_some());
        call::InCall {
            can_park,
            conference_size: self.config.audio.conference_size,
            conference_since: self.calls.conference_since(),
        }
    }

    /// The call screen's conference, recording and park actions; mute, hold and keys on a
    /// call in the conference act on the whole conference.
    pub(super) fn on_conference_action(
        &mut self,
        call: CallId,
        action: call::Action,
    ) -> Task<Message> {
        let members: Vec<CallId> = self.calls.conference().iter().map(|c| c.id).collect();
        match action {
            call::Action::Merge => {
                let calls: Vec<_> = self.calls.iter().collect();
                if let Some(calls) = merge_set(&calls, call, self.config.audio.conference_size) {
                    self.send(Command::Conference { calls });
                }
            }
            call::Action::Split => self.send(Command::Split { call }),
            call::Action::MuteParticipant(muted) => {
                if let Some(view) = self.calls.get_mut(call) {
                    view.participant_muted = muted;
                }
                self.send(Command::MuteParticipant { call, muted });
            }
            call::Action::EndConference => {
                for member in members {
                    self.send(Command::Hangup { call: member });
                }
            }
            call::Action::Record(on) => self.send(Command::Record { call, on }),
            call::Action::Park => {
                self.transfer_to = None;
                self.send(Command::Park { call, orbit: None });
            }
            // The engine mutes the microphone for the whole conference on any member.
            call::Action::Mute(muted) => {
                for member in &members {
                    if let Some(view) = self.calls.get_mut(*member) {
                        view.muted = muted;
                    }
                }
                self.send(Command::Mute { call, muted });
            }
            // The engine holds or resumes every member for one of them.
            call::Action::Hold(true) => self.send(Command::Hold { call }),
            call::Action::Hold(false) => self.send(Command::Resume { call }),
            // Everyone hears the keys in the mix; each leg gets them as DTMF too.
            call::Action::Digit(digit) => {
                for member in members {
                    self.send(Command::Dtmf {
                        call: member,
                        digits: digit.to_string(),
                    });
                }
            }
            _ => {}
        }
        Task::none()
    }

    /// Opens a call's recording with the desktop's default player, off the window's thread;
    /// a failure is said in the notice bar.
    pub(super) fn open_recording(&mut self, path: String) -> Task<Message> {
        let failed = self
            .i18n
            .tr_args("history-recording-not-opened", &[("detail", DETAIL)]);
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || open_with_desktop(&path))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            },
            move |opened| Message::Notice(opened.err().map(|why| failed.replace(DETAIL, &why))),
        )
    }
}

/// `xdg-open path`: the desktop's default application for the file.
pub(super) fn open_with_desktop(path: &str) -> Result<(), String> {
    let file = std::path::Path::new(path);
    if !file.is_file() {
        return Err(path.to_string());
    }
    let status = std::process::Command::new("xdg-open")
        .arg(file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("xdg-open: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("xdg-open: {status}"))
    }
}
