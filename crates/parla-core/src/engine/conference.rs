//! Conference, recording and park commands: what spans calls (a conference mixes several) or
//! asks a call for more than a SIP request (a recording file, a park orbit). The conference
//! counts as one active call: holding or resuming a member holds or resumes them all, `mute`
//! of a member mutes the microphone for the whole conference, and `set_call_devices` of a
//! member moves the conference's devices.

use super::Engine;
use crate::api::{CallId, Command, ErrorKind, Event};
use crate::config::FeatureKind;
use crate::ua::calls::{CallCommand, RecordingRequest, HOLD_OTHERS_WAIT};
use crate::ua::conference::{merge, ConferenceError};

#[cfg(test)]
mod tests;

/// Where recordings go, in the profile folder.
pub const RECORDINGS_DIR: &str = "recordings";

/// The `error` (conference_failed) for `why`, about `call` when it concerns one.
fn conference_error(call: Option<CallId>, why: &ConferenceError) -> Event {
    let message = format!("conference: {why}");
    match call {
        Some(call) => Event::call_error(call, ErrorKind::ConferenceFailed, message),
        None => Event::error(ErrorKind::ConferenceFailed, message),
    }
}

impl Engine {
    pub(super) fn handle_conference(&mut self, command: Command) {
        match command {
            Command::Conference { calls } => self.conference(calls),
            Command::Split { call } => self.split(call),
            Command::MuteParticipant { call, muted } => {
                let hub = self.shared.calls.conference();
                match hub.set_participant_muted(call, muted) {
                    Ok(()) => self.emit(hub.event()),
                    Err(why) => self.conference_failed(Some(call), &why),
                }
            }
            Command::Record { call, on } => self.record(call, on),
            Command::Park { call, orbit } => self.park(call, orbit),
            other => tracing::debug!(?other, "not a conference command"),
        }
    }

    fn conference_failed(&self, call: Option<CallId>, why: &ConferenceError) {
        self.emit(conference_error(call, why));
    }

    fn conference(&self, wanted: Vec<CallId>) {
        let (calls, events, audio) = (
            self.shared.calls.clone(),
            self.shared.events.clone(),
            self.shared.audio(),
        );
        tokio::spawn(async move {
            let event = match merge(&calls, &wanted, audio).await {
                Ok(_) => calls.conference().event(),
                Err(why) => {
                    tracing::info!(%why, "no conference");
                    conference_error(None, &why)
                }
            };
            let _ = events.send(event);
        });
    }

    /// Takes a call out of the conference: back to the devices, and held.
    fn split(&self, call: CallId) {
        let calls = &self.shared.calls;
        // Back to the conference's devices, as the last call of a conference goes.
        let (input, output) = calls.conference().devices();
        let Some(event) = calls.leave_conference(call) else {
            return self.conference_failed(Some(call), &ConferenceError::NotAMember(call));
        };
        calls.send(call, CallCommand::LeaveConference { input, output });
        calls.send(call, CallCommand::Hold);
        self.emit(event);
    }

    /// A call command for a member of the conference, carried out for the conference; false
    /// when `call` is no member or the command is the call's own.
    pub(super) fn conference_call_command(&self, call: CallId, command: &CallCommand) -> bool {
        let calls = &self.shared.calls;
        let hub = calls.conference();
        if !hub.is_member(call) {
            return false;
        }
        match command {
            CallCommand::Hold => {
                for member in hub.members() {
                    calls.send(member, CallCommand::Hold);
                }
            }
            CallCommand::Resume => {
                let calls = calls.clone();
                tokio::spawn(async move {
                    let members = calls.conference().members();
                    let deadline = tokio::time::Instant::now() + HOLD_OTHERS_WAIT;
                    calls.hold_all_but(&members, deadline).await;
                    for member in members {
                        calls.send(member, CallCommand::Resume);
                    }
                });
            }
            CallCommand::Mute(muted) => hub.set_microphone_muted(*muted),
            CallCommand::SetDevices { input, output } => {
                // Opening devices blocks (tens of ms, up to the hand-over's 2 s).
                let (hub, events) = (hub.clone(), self.shared.events.clone());
                let (input, output) = (input.clone(), output.clone());
                tokio::task::spawn_blocking(move || {
                    let event = match hub.switch_devices(input, output) {
                        Ok((input, output)) => Event::CallDevices {
                            call,
                            input,
                            output,
                        },
                        Err(why) => Event::call_error(
                            call,
                            ErrorKind::DevicesNotSwitched,
                            format!("conference: audio devices not switched: {why}"),
                        ),
                    };
                    let _ = events.send(event);
                });
            }
            _ => return false,
        }
        true
    }

    fn record(&self, call: CallId, on: bool) {
        let request = if on {
            let Some(profile) = &self.shared.profile else {
                return self.emit(Event::call_error(
                    call,
                    ErrorKind::RecordingFailed,
                    "no profile folder to keep recordings in",
                ));
            };
            let audio = self.shared.audio();
            Some(RecordingRequest {
                folder: profile.join(RECORDINGS_DIR),
                format: audio.recording_format,
                channels: audio.recording_channels,
            })
        } else {
            None
        };
        self.send_or_no_call(call, CallCommand::Record(request));
    }

    /// A blind transfer to the line's park code (with the orbit), or its keys when the code
    /// is dialled in the call.
    fn park(&self, call: CallId, orbit: Option<String>) {
        let Some(status) = self.shared.calls.status(call) else {
            return self.no_such_call(call);
        };
        let code = self
            .config
            .account(status.account.as_str())
            .and_then(|a| a.feature_codes_of(FeatureKind::Park).next());
        let Some(code) = code else {
            return self.emit(Event::call_error(
                call,
                ErrorKind::ParkFailed,
                format!("line {} has no feature code of kind `park`", status.account),
            ));
        };
        let orbit = orbit
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty());
        let Some(target) = code.expand(orbit.as_deref()) else {
            return;
        };
        let command = if code.in_call {
            CallCommand::Dtmf(target)
        } else {
            CallCommand::Park { target, orbit }
        };
        self.send_or_no_call(call, command);
    }

    fn send_or_no_call(&self, call: CallId, command: CallCommand) {
        if !self.shared.calls.send(call, command) {
            self.no_such_call(call);
        }
    }

    fn no_such_call(&self, call: CallId) {
        self.emit(Event::call_error(
            call,
            ErrorKind::NoSuchCall,
            format!("there is no call {call}"),
        ));
    }
}
