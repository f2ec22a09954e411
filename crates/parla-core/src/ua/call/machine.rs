//! The line's answering machine on one call. An incoming call not answered in time (at once
//! under do not disturb, when the line says so) is answered with the greeting in place of the
//! microphone; the caller's message is recorded after the beep into the profile's `voicemail/`
//! folder. The call then shows `answering_machine` until:
//!
//! - the caller hangs up, or the machine stops by itself (longest message, silence, a file it
//!   cannot write: then we say BYE): a message of at least [`MIN_MESSAGE_MS`] is stored with
//!   the call's history row (`voicemail_message`), a shorter one is dropped and the call is a
//!   missed call;
//! - the person picks the call up (`answer`): the devices replace the machine, nothing is
//!   kept, and the call goes on as an answered call.

use super::Call;
use crate::api::{CallState, ErrorKind, Event};
use crate::config::AnsweringMachineConfig;
use crate::store::NewVoicemail;
use crate::ua::media::{CallAudio, MediaBackend};
use parla_media::{AnsweringMachine, Greeting, MachineEnd, MachinePhase, MachineStatus};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// A shorter recording is no message (the caller hung up at the beep).
pub const MIN_MESSAGE_MS: u64 = 500;
/// How often a call the machine took looks whether the machine has stopped by itself.
pub const MACHINE_POLL: Duration = Duration::from_millis(250);

/// A line's answering machine, as its calls get it.
#[derive(Debug, Clone)]
pub struct MachineSettings {
    pub config: AnsweringMachineConfig,
    /// The profile's `voicemail/` folder.
    pub folder: PathBuf,
}

impl MachineSettings {
    /// How long an incoming call rings before the machine answers; `at_once` under do not
    /// disturb.
    pub fn answer_after(&self, at_once: bool) -> Duration {
        if at_once {
            Duration::ZERO
        } else {
            Duration::from_secs(u64::from(self.config.answer_after_s))
        }
    }

    /// The machine for one call, recording into a new file of the folder.
    fn for_call(&self, call: crate::api::CallId) -> (AnsweringMachine, MachineRun) {
        let started = SystemTime::now();
        let secs = started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let [y, mo, d, h, mi, s] = crate::store::civil_utc(secs as i64);
        let file = format!(
            "{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}-{call}-{:06x}.wav",
            rand::random_range(0..0x100_0000u32)
        );
        let path = self.folder.join(&file);
        let greeting = Greeting::parse(&self.config.greeting).unwrap_or_default();
        let machine = AnsweringMachine {
            greeting,
            recording: path.clone(),
            max_message: Duration::from_secs(u64::from(self.config.max_message_s)),
            silence_limit: Duration::from_secs(u64::from(self.config.silence_s)),
        };
        (machine, MachineRun { file, path })
    }
}

/// The machine on a call, from its answer until the call ends or is picked up.
#[derive(Debug)]
pub(crate) struct MachineRun {
    /// The message file's name in the folder, and its path.
    file: String,
    path: PathBuf,
}

/// What became of the machine's recording when the call ended.
pub(crate) enum Outcome {
    /// A message to keep.
    Message(NewVoicemail),
    /// Nothing worth keeping (the file is gone); the history says why.
    Nothing(&'static str),
}

impl<M: MediaBackend> Call<M> {
    /// The machine answers: the audio that starts with the answer is the machine's.
    pub(super) fn take_by_machine(&mut self) -> bool {
        let Some(settings) = self.env.machine.clone() else {
            return false;
        };
        let Some(media) = self.media.as_mut() else {
            return false;
        };
        if let Err(e) = std::fs::create_dir_all(&settings.folder) {
            // The machine still answers: the caller hears the greeting and the beep, and the
            // recorder says it cannot write.
            tracing::warn!(call = %self.id, error = %e, "voicemail folder cannot be made");
        }
        let (machine, run) = settings.for_call(self.id);
        tracing::info!(call = %self.id, file = %run.file, "the answering machine takes the call");
        media.set_machine(machine);
        self.machine = Some(run);
        self.log.by_machine = true;
        true
    }

    /// The call as the machine has it, once the caller's ACK came.
    pub(super) fn machine_state(&self) -> Option<CallState> {
        self.machine.as_ref().map(|_| CallState::AnsweringMachine)
    }

    /// Where the machine stands, when it took the call.
    pub(super) fn machine_status(&self) -> Option<MachineStatus> {
        self.machine.as_ref()?;
        self.media.as_ref()?.machine_status()
    }

    /// The machine stopped by itself: why (for the `ended` event), or none while it goes on.
    pub(super) fn machine_stopped(&self) -> Option<&'static str> {
        match self.machine_status()?.phase {
            MachinePhase::Done(MachineEnd::MaxLength) => Some("voicemail: longest message"),
            MachinePhase::Done(MachineEnd::Silence) => Some("voicemail: silence"),
            MachinePhase::Done(MachineEnd::WriteFailed) => Some("voicemail: recording failed"),
            MachinePhase::Greeting | MachinePhase::Recording => None,
        }
    }

    /// The person takes the call from the machine: the microphone and speaker replace it, the
    /// recording is dropped, and the call is an answered one from now.
    pub(super) fn pick_up(&mut self) {
        let Some(run) = self.machine.take() else {
            return;
        };
        let picked = self
            .media
            .as_mut()
            .map(CallAudio::pick_up)
            .unwrap_or(Err(crate::ua::media::SwitchError::NoAudio));
        if let Err(e) = picked {
            // The call goes on with whatever audio it has: the person wanted it.
            tracing::warn!(call = %self.id, error = %e, "picking up: the devices did not open");
            self.error(
                ErrorKind::DevicesNotSwitched,
                format!("call {}: audio devices not switched: {e}", self.id),
            );
        }
        remove_file(&run.path);
        self.log.by_machine = false;
        self.log.answered = Some(SystemTime::now());
        tracing::info!(call = %self.id, "picked up from the answering machine");
        self.set_state(CallState::Connected);
    }

    /// At the end of the call: stops the machine (its file complete) and decides what is kept.
    pub(super) fn finish_machine(&mut self) -> Option<Outcome> {
        let run = self.machine.take()?;
        let status = self.media.as_mut().and_then(CallAudio::finish_machine);
        let outcome = match status {
            Some(MachineStatus {
                phase: MachinePhase::Done(MachineEnd::WriteFailed),
                error,
                ..
            }) => {
                let why = error.unwrap_or_else(|| "the file cannot be written".into());
                self.error(
                    ErrorKind::RecordingFailed,
                    format!(
                        "call {}: the answering machine could not record the message: {why}",
                        self.id
                    ),
                );
                Outcome::Nothing("voicemail: recording failed")
            }
            Some(status) if status.recorded_ms >= MIN_MESSAGE_MS => {
                return Some(Outcome::Message(NewVoicemail {
                    account: self.env.account.to_string(),
                    from: self.log.remote_uri.clone(),
                    name: self.caller_name.clone().unwrap_or_default(),
                    started: self.log.started,
                    duration_ms: status.recorded_ms,
                    file: run.file,
                }))
            }
            _ => Outcome::Nothing("no message left"),
        };
        remove_file(&run.path);
        Some(outcome)
    }
}

/// Stores the message with the call's history row and says so. (Not a method: the future
/// must not hold the call across its await.)
pub(super) async fn keep_message(
    env: super::CallEnv,
    call: crate::api::CallId,
    record: crate::store::CallRecord,
    extras: crate::store::CallExtras,
    message: NewVoicemail,
) {
    let from = message.from.clone();
    let duration_ms = message.duration_ms;
    match env
        .store
        .record_voicemail(record, message, extras, env.region)
        .await
    {
        Some(entry) => {
            let _ = env.events.send(Event::VoicemailMessage {
                account: env.account.clone(),
                id: entry.id,
                from,
                name: (!entry.name.is_empty()).then_some(entry.name),
                duration_ms,
            });
        }
        // The file stays in the folder: nothing is lost, it is only not listed.
        None => tracing::warn!(%call, "the message could not be stored"),
    }
}

fn remove_file(path: &std::path::Path) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(path = %path.display(), error = %e, "removing an unused message file failed");
        }
    }
}
