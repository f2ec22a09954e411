//! One task per call. The decisions are written against two seams: the call's SIP dialog
//! ([`dialog`], implemented over rsipstack in [`sip_dialog`]) and its audio
//! ([`crate::ua::media::MediaBackend`]), so they run as unit tests on a paused clock with a
//! scripted far end. `outgoing` and `incoming` take a call to the confirmed dialog; from there
//! both run [`confirmed`]: hold and resume (with glare), the far end's re-INVITEs, BYE either
//! way. [`admission`] decides whether an incoming INVITE becomes a call at all.

pub mod admission;
pub mod confirmed;
pub mod dialog;
mod emodel;
pub mod incoming;
pub mod machine;
pub mod outgoing;
pub(crate) mod record;
pub mod referred;
pub mod replaces;
pub mod sip_dialog;
mod summary;
pub mod transfer;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests_attended;
#[cfg(test)]
mod tests_confirmed;
#[cfg(test)]
mod tests_encryption;
#[cfg(test)]
mod tests_forwarding;
#[cfg(test)]
mod tests_incoming;
#[cfg(test)]
mod tests_machine;
#[cfg(test)]
mod tests_outgoing;
#[cfg(test)]
mod tests_park;
#[cfg(test)]
mod tests_recording;
#[cfg(test)]
mod tests_referred;
#[cfg(test)]
mod tests_transfer;

use super::calls::CallRegistry;
use super::in_flight::{Rate, DIGITS_PER_SECOND, MEDIA_EVENTS, MEDIA_EVENTS_DROPPED};
use super::media::{CallAudio, MediaBackend, SwitchError};
use super::store_link::StoreLink;
use crate::api::{AccountId, CallId, CallState, ErrorKind, Event};
use crate::sdp::{Codec, Direction, NegotiatedMedia, SdpSession};
use crate::store::Region;
use dialog::{CallDialog, InDialogMethod, RequestId};
use parla_media::{MediaEvent, MediaEventSink};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{Receiver, Sender, UnboundedSender};

/// What a call task needs from its line, SIP aside.
#[derive(Clone)]
pub struct CallEnv {
    pub account: AccountId,
    pub events: UnboundedSender<Event>,
    pub calls: CallRegistry,
    pub codecs: Vec<Codec>,
    /// Caller names and the call history.
    pub store: StoreLink,
    /// The line's country for reading numbers without a country code.
    pub region: Region,
    /// How the line reads dial strings (transfer targets are read the same way).
    pub dial_plan: crate::ua::uri::DialPlan,
    /// Where the far end may transfer us.
    pub transfers: crate::config::TransferPolicy,
    /// Asks the line for what a call cannot do alone (place the call a REFER asks for).
    pub line: UnboundedSender<referred::LineRequest>,
    /// The line's answering machine, when it has one turned on.
    pub machine: Option<machine::MachineSettings>,
    /// What the line does about SRTP (its policy, narrowed by its transport).
    pub srtp: crate::sdp::SrtpMode,
}

/// How often a connected call reports its quality.
const QUALITY_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// A call's state shared by every phase: its audio, its SDP session, what it reported.
pub(crate) struct Call<M: MediaBackend> {
    id: CallId,
    env: CallEnv,
    backend: M,
    media: Option<M::Audio>,
    sdp: SdpSession,
    state: CallState,
    /// We placed the call, so we made its Call-ID (RFC 3261 14.1 glare timing).
    owns_call_id: bool,
    media_events: Receiver<MediaEvent>,
    media_events_tx: Sender<MediaEvent>,
    /// What the call history will keep of this call.
    log: record::CallLog,
    /// A call placed for a REFER: the call that got the REFER hears how this one goes.
    referred: Option<UnboundedSender<referred::Progress>>,
    /// The answering machine took the call (until it is picked up).
    machine: Option<machine::MachineRun>,
    /// The caller's name as the call showed it (the contact's, else the display name).
    caller_name: Option<String>,
    /// The file being recorded into, while a recording runs.
    recording: Option<String>,
    /// The file the history row names: the last recording of the call.
    recorded: Option<String>,
    /// The MOS of each quality report, and of the whole call for the history.
    quality: summary::QualityTally,
    /// Our SRTP keys, the same in every offer and answer of the call.
    srtp: crate::sdp::LocalSrtp,
    /// The suite the media runs with (`None`: plain), as last reported.
    encryption: Option<Option<&'static str>>,
}

impl<M: MediaBackend> Call<M> {
    fn new(id: CallId, env: CallEnv, backend: M, log: record::CallLog, state: CallState) -> Self {
        let (media_events_tx, media_events) = tokio::sync::mpsc::channel(MEDIA_EVENTS);
        // Noted as under way: a crash before `end` leaves it in the history as interrupted.
        env.store
            .call_under_way(id.0, log.finish(&env.account, "", None), env.region);
        Self {
            id,
            backend,
            owns_call_id: log.direction == crate::store::Direction::Outgoing,
            log,
            media: None,
            sdp: SdpSession::new(),
            state,
            media_events,
            media_events_tx,
            referred: None,
            machine: None,
            caller_name: None,
            recording: None,
            recorded: None,
            quality: summary::QualityTally::default(),
            srtp: crate::sdp::LocalSrtp::generate(env.srtp),
            encryption: None,
            env,
        }
    }

    /// Tells the call that got the REFER (if this call was placed for one) how this one goes.
    fn tell_referrer(&self, progress: referred::Progress) {
        if let Some(referrer) = &self.referred {
            let _ = referrer.send(progress);
        }
    }

    /// Notes the dialog in the registry once it has both tags (attended transfer, Replaces).
    fn note_dialog(&self, dialog: &impl CallDialog) {
        if let Some(info) = dialog.info() {
            self.env.calls.set_dialog(self.id, info);
        }
    }

    fn emit(&self, event: Event) {
        let _ = self.env.events.send(event);
    }

    fn error(&self, kind: ErrorKind, message: String) {
        self.emit(Event::call_error(self.id, kind, message));
    }

    fn set_state(&mut self, state: CallState) {
        if self.state == state {
            return;
        }
        self.state = state;
        if self.log.answered.is_some() && state != CallState::Ended {
            let now = self.log.finish(&self.env.account, "", None);
            self.env
                .store
                .call_under_way(self.id.0, now, self.env.region);
        }
        let events = &self.env.events;
        self.env.calls.set_state_announced(self.id, state, || {
            let _ = events.send(Event::call_state(self.id, state));
        });
    }

    async fn end(mut self, reason: &str, code: Option<u16>) {
        self.tell_referrer(referred::Progress::Ended(code));
        // Handed over, it ends so whoever said BYE first.
        let reason = self.env.calls.handed_over(self.id).unwrap_or(reason);
        // Measured before the machine's audio stops with it.
        let stats = self.media.as_ref().and_then(|media| media.stats());
        let mos = stats.as_ref().and_then(|s| self.quality.call_mos(s));
        if let Some(stats) = &stats {
            summary::log(self.id, stats, mos);
        }
        let machine = self.finish_machine();
        // `stopped` comes before `ended`, and the call leaves the conference first.
        self.finish_recording();
        if let Some(event) = self.env.calls.leave_conference(self.id) {
            self.emit(event);
        }
        if let Some(media) = self.media.take() {
            // Stopping joins the media thread and finalises files: not on an async worker. The
            // `ended` event waits for it, so a recording is complete when the event says so.
            let _ = tokio::task::spawn_blocking(move || drop(media)).await;
        }
        // Written (or queued, if the database is slow) before the call leaves the registry and
        // `ended` is reported: the history has the row when the window re-reads it, and quitting
        // (which waits for the registry to empty, then closes the store) loses none.
        let extras = crate::store::CallExtras {
            recording: self.recorded.take(),
            mos,
        };
        match machine {
            Some(machine::Outcome::Message(message)) => {
                let record = self.log.finish(&self.env.account, "voicemail", None);
                let env = self.env.clone();
                machine::keep_message(env, self.id, record, extras, message).await;
            }
            Some(machine::Outcome::Nothing(why)) => {
                let record = self.log.finish(&self.env.account, why, None);
                let store = &self.env.store;
                store.record_with(record, extras, self.env.region).await;
            }
            None => {
                let record = self.log.finish(&self.env.account, reason, code);
                let store = &self.env.store;
                store.record_with(record, extras, self.env.region).await;
            }
        }
        self.env.calls.remove(self.id);
        tracing::info!(call = %self.id, reason, ?code, "call ended");
        self.emit(Event::call_ended(self.id, reason, code));
    }

    fn bind_media(&mut self) -> Result<(), super::media::BindError> {
        let tx = self.media_events_tx.clone();
        let digits = std::sync::Mutex::new(Rate::new(DIGITS_PER_SECOND));
        // Called on the media thread: it never waits, and what does not fit is counted.
        let sink = MediaEventSink::new(move |event| {
            if matches!(event, MediaEvent::Dtmf(_)) {
                let mut digits = digits.lock().unwrap_or_else(|p| p.into_inner());
                if !digits.allow(std::time::Instant::now()) {
                    MEDIA_EVENTS_DROPPED.note(None);
                    return;
                }
            }
            if let Err(TrySendError::Full(_)) = tx.try_send(event) {
                MEDIA_EVENTS_DROPPED.note(None);
            }
        });
        self.media = Some(self.backend.bind(sink)?);
        Ok(())
    }

    fn local_media(&self, direction: Direction) -> Option<crate::sdp::LocalMedia> {
        self.media.as_ref().map(|m| crate::sdp::LocalMedia {
            srtp: self.srtp.clone(),
            ..m.local_media(&self.env.codecs, direction)
        })
    }

    fn media_running(&self) -> bool {
        self.media.as_ref().is_some_and(CallAudio::is_running)
    }

    /// Starts or adjusts the audio; a failure is reported and the call goes on without audio.
    fn start_media(&mut self, negotiated: &NegotiatedMedia) {
        let Some(media) = self.media.as_mut() else {
            return;
        };
        let warning = media.apply(negotiated).err().map(|e| e.to_string());
        if let Some(w) = &warning {
            tracing::warn!(call = %self.id, warning = %w, "call has no audio");
        }
        self.quality.set_codec(negotiated.codec.encoding_name());
        let suite = negotiated.srtp.as_ref().map(|s| s.suite_name());
        if self.encryption != Some(suite) {
            self.encryption = Some(suite);
            tracing::info!(call = %self.id, suite = ?suite, "media encryption");
            self.emit(Event::CallEncryption {
                call: self.id,
                encrypted: suite.is_some(),
                suite: suite.map(str::to_owned),
            });
        }
        self.emit(Event::Media {
            call: self.id,
            codec: negotiated.codec.encoding_name().to_string(),
            remote_rtp: negotiated.remote_rtp.to_string(),
            warning,
        });
    }

    /// Moves the audio to other devices; the call goes on whatever happens.
    fn switch_devices(&mut self, input: Option<String>, output: Option<String>) {
        let switched = match self.media.as_mut() {
            Some(media) => media.switch_devices(input, output),
            None => Err(SwitchError::NoAudio),
        };
        match switched {
            Ok((input, output)) => self.emit(Event::CallDevices {
                call: self.id,
                input,
                output,
            }),
            Err(why) => {
                tracing::warn!(call = %self.id, %why, "audio devices not switched");
                self.error(
                    ErrorKind::DevicesNotSwitched,
                    format!("call {}: audio devices not switched: {why}", self.id),
                );
            }
        }
    }

    fn report_quality(&mut self) {
        let Some(stats) = self.media.as_ref().and_then(CallAudio::stats) else {
            return;
        };
        let q = stats.quality;
        let mos = self.quality.interval(&stats);
        self.emit(Event::Quality {
            call: self.id,
            jitter_ms: q.jitter_ms,
            target_delay_ms: q.target_delay_ms,
            lost: q.lost,
            late: q.late,
            concealed: q.concealed,
            remote_loss_percent: q.remote_fraction_lost.map(|f| f * 100.0),
            rtt_ms: q.rtt_ms,
            mos,
        });
    }

    /// Keys, hold and mute need a call that is up.
    fn not_connected(&self) {
        self.error(
            ErrorKind::CallNotConnected,
            format!("call {} is not connected yet", self.id),
        );
    }

    fn state_for(negotiated: &NegotiatedMedia) -> CallState {
        if negotiated.remote_on_hold {
            CallState::Held
        } else {
            CallState::Connected
        }
    }
}

/// The answer to an in-dialog request that is neither an offer nor the end nor a REFER:
/// OPTIONS, INFO, NOTIFY and MESSAGE are taken, PUBLISH is not implemented.
fn answer_request(method: InDialogMethod) -> u16 {
    match method {
        InDialogMethod::Options
        | InDialogMethod::Info
        | InDialogMethod::Notify
        | InDialogMethod::Message => 200,
        InDialogMethod::Publish => 501,
    }
}

/// Requests a call cannot take before it is established (an early UPDATE with an offer, a
/// REFER): 501, and other in-dialog requests as [`answer_request`] says.
async fn answer_early_request(
    dialog: &mut impl CallDialog,
    request: RequestId,
    method: Option<InDialogMethod>,
) {
    let code = method.map_or(501, answer_request);
    dialog.respond(request, code, None).await;
}

/// A short plain-language reason for a final failure response to our INVITE.
fn failure_reason(code: u16) -> &'static str {
    match code {
        486 | 600 => "busy",
        603 => "declined",
        487 => "cancelled",
        404 | 604 => "not found",
        401 | 407 => "authentication failed",
        408 | 480 => "no answer",
        484 => "incomplete number",
        488 | 606 => "no common codec",
        _ if code >= 500 => "server error",
        _ => "call failed",
    }
}
