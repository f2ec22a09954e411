//! One task per call. `outgoing` and `incoming` take a call to the confirmed dialog; from there
//! both run [`Call::confirmed`]: remote re-INVITEs (hold, codec change), BYE either way.

pub mod incoming;
pub mod outgoing;
pub(crate) mod record;

pub use incoming::run_incoming;
pub use outgoing::run_outgoing;

use super::calls::{CallCommand, CallRegistry};
use super::media::CallMedia;
use super::stack::SipStack;
use super::store_link::StoreLink;
use crate::api::{AccountId, CallId, CallState, Event};
use crate::config::AudioConfig;
use crate::sdp::{Codec, Direction, NegotiatedMedia, SdpError, SdpSession};
use crate::store::Region;
use parla_media::{MediaEvent, MediaEventSink};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{
    DialogState, DialogStateReceiver, TerminatedReason, TransactionHandle,
};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{Header, Request, StatusCode, Uri};
use std::sync::Arc;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// What a call task needs from its account.
#[derive(Clone)]
pub struct CallEnv {
    pub account: AccountId,
    pub stack: Arc<SipStack>,
    pub events: UnboundedSender<Event>,
    pub calls: CallRegistry,
    pub audio: AudioConfig,
    pub codecs: Vec<Codec>,
    /// Our address of record, `sip:user@domain`.
    pub aor: Uri,
    pub display_name: Option<String>,
    pub contact: Uri,
    pub credential: Option<Credential>,
    /// Caller names and the call history.
    pub store: StoreLink,
    /// The line's country for reading numbers without a country code.
    pub region: Region,
}

/// How often a connected call reports its quality.
const QUALITY_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

pub(crate) fn sdp_headers() -> Vec<Header> {
    vec![Header::ContentType("application/sdp".into())]
}

pub(crate) struct Call {
    id: CallId,
    env: CallEnv,
    media: Option<CallMedia>,
    sdp: SdpSession,
    state: CallState,
    media_events: UnboundedReceiver<MediaEvent>,
    media_events_tx: UnboundedSender<MediaEvent>,
    /// What the call history will keep of this call.
    log: record::CallLog,
}

impl Call {
    fn new(id: CallId, env: CallEnv, log: record::CallLog) -> Self {
        let (media_events_tx, media_events) = tokio::sync::mpsc::unbounded_channel();
        Self {
            id,
            env,
            log,
            media: None,
            sdp: SdpSession::new(),
            state: CallState::Calling,
            media_events,
            media_events_tx,
        }
    }

    fn emit(&self, event: Event) {
        let _ = self.env.events.send(event);
    }

    fn set_state(&mut self, state: CallState) {
        if self.state == state {
            return;
        }
        self.state = state;
        self.env.calls.set_state(self.id, state);
        self.emit(Event::call_state(self.id, state));
    }

    async fn end(mut self, reason: &str, code: Option<u16>) {
        if let Some(media) = self.media.take() {
            // Stopping joins the media thread and finalises files: not on an async worker. The
            // `ended` event waits for it, so a recording is complete when the event says so.
            let _ = tokio::task::spawn_blocking(move || drop(media)).await;
        }
        // Written (or queued, if the database is slow) before the call leaves the registry and
        // `ended` is reported: the history has the row when the window re-reads it, and quitting
        // (which waits for the registry to empty, then closes the store) loses none.
        let record = self.log.finish(&self.env.account, reason, code);
        self.env.store.record(record, self.env.region).await;
        self.env.calls.remove(self.id);
        tracing::info!(call = %self.id, reason, ?code, "call ended");
        self.emit(Event::call_ended(self.id, reason, code));
    }

    fn bind_media(&mut self) -> Result<(), String> {
        let tx = self.media_events_tx.clone();
        let sink = MediaEventSink::new(move |event| {
            let _ = tx.send(event);
        });
        let media = CallMedia::bind(self.env.stack.local_ip, self.env.audio.clone(), sink)
            .map_err(|e| format!("no RTP port: {e}"))?;
        self.media = Some(media);
        Ok(())
    }

    fn local_media(&self, direction: Direction) -> Option<crate::sdp::LocalMedia> {
        self.media
            .as_ref()
            .map(|m| m.local_media(&self.env.codecs, direction))
    }

    /// Starts or adjusts the audio; a failure is reported and the call goes on without audio.
    fn start_media(&mut self, negotiated: &NegotiatedMedia) {
        let Some(media) = self.media.as_mut() else {
            return;
        };
        let warning = media.apply(negotiated).err();
        if let Some(w) = &warning {
            tracing::warn!(call = %self.id, warning = %w, "call has no audio");
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
            None => Err("the call has no audio".into()),
        };
        match switched {
            Ok((input, output)) => self.emit(Event::CallDevices {
                call: self.id,
                input,
                output,
            }),
            Err(why) => {
                tracing::warn!(call = %self.id, %why, "audio devices not switched");
                self.emit(Event::error(format!(
                    "call {}: audio devices not switched: {why}",
                    self.id
                )))
            }
        }
    }

    fn state_for(negotiated: &NegotiatedMedia) -> CallState {
        if negotiated.remote_on_hold {
            CallState::Held
        } else {
            CallState::Connected
        }
    }

    /// The established call: runs until either side hangs up.
    async fn confirmed(
        mut self,
        dialog: InviteDialog,
        mut states: DialogStateReceiver,
        mut commands: UnboundedReceiver<CallCommand>,
    ) {
        let mut quality = tokio::time::interval(QUALITY_EVERY);
        quality.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = quality.tick() => self.report_quality(),
                command = commands.recv() => match command {
                    Some(CallCommand::Hangup) | Some(CallCommand::Decline(_)) | None => {
                        if let Err(e) = dialog.bye().await {
                            tracing::warn!(call = %self.id, error = %e, "BYE failed");
                        }
                        return self.end("local hangup", None).await;
                    }
                    Some(CallCommand::Answer) => self.emit(Event::error(format!("call {} is already answered", self.id))),
                    Some(CallCommand::Dtmf(digits)) => {
                        let sent = match self.media.as_ref() {
                            Some(media) => media.send_dtmf(&digits),
                            None => Err("the call has no audio".into()),
                        };
                        if let Err(why) = sent {
                            self.emit(Event::error(format!("call {}: DTMF not sent: {why}", self.id)));
                        }
                    }
                    Some(CallCommand::Mute(muted)) => {
                        if let Some(media) = self.media.as_mut() {
                            media.set_muted(muted);
                        }
                    }
                    Some(CallCommand::SetDevices { input, output }) => self.switch_devices(input, output),
                    Some(CallCommand::Hold) => self.local_hold(&dialog, true).await,
                    Some(CallCommand::Resume) => self.local_hold(&dialog, false).await,
                },
                Some(event) = self.media_events.recv() => match event {
                    MediaEvent::Dtmf(digit) => self.emit(Event::Dtmf { call: self.id, digit: digit.to_string() }),
                    MediaEvent::DeviceChanged { message } => self.emit(Event::Device { call: Some(self.id), message }),
                    MediaEvent::RtpTimeout => {
                        let _ = dialog.bye().await;
                        return self.end("no audio from the far end", None).await;
                    }
                },
                state = states.recv() => match state {
                    None => return self.end("dialog lost", None).await,
                    Some(DialogState::Updated(_, request, handle)) => self.remote_offer(&request, handle).await,
                    Some(DialogState::Terminated(_, reason)) => {
                        let (text, code) = terminated_reason(&reason);
                        return self.end(text, code).await;
                    }
                    Some(DialogState::Options(_, _, handle)) | Some(DialogState::Info(_, _, handle))
                    | Some(DialogState::Notify(_, _, handle)) | Some(DialogState::Message(_, _, handle)) => {
                        let _ = handle.reply(StatusCode::OK).await;
                    }
                    Some(DialogState::Refer(_, _, handle)) | Some(DialogState::Publish(_, _, handle)) => {
                        let _ = handle.reply(StatusCode::NotImplemented).await;
                    }
                    Some(_) => {}
                },
            }
        }
    }

    fn report_quality(&self) {
        let Some(stats) = self.media.as_ref().and_then(CallMedia::stats) else {
            return;
        };
        let q = stats.quality;
        self.emit(Event::Quality {
            call: self.id,
            jitter_ms: q.jitter_ms,
            target_delay_ms: q.target_delay_ms,
            lost: q.lost,
            late: q.late,
            concealed: q.concealed,
            remote_loss_percent: q.remote_fraction_lost.map(|f| f * 100.0),
            rtt_ms: q.rtt_ms,
        });
    }

    /// Our hold (re-INVITE with `sendonly`) and resume (`sendrecv`).
    async fn local_hold(&mut self, dialog: &InviteDialog, hold: bool) {
        let direction = if hold {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        };
        let Some(local) = self.local_media(direction) else {
            return;
        };
        let offer = self.sdp.create_offer(&local);
        let response = dialog
            .reinvite_with_glare_retry(Some(sdp_headers()), Some(offer.into_bytes()), 3)
            .await;
        let response = match response {
            Ok(Some(r)) if r.status_code.kind() == rsipstack::sip::StatusCodeKind::Successful => r,
            Ok(Some(r)) => {
                return self.emit(Event::error(format!(
                    "call {}: the far end refused ({})",
                    self.id, r.status_code
                )));
            }
            Ok(None) => {
                return self.emit(Event::error(format!("call {} is not established", self.id)))
            }
            Err(e) => {
                return self.emit(Event::error(format!(
                    "call {}: re-INVITE failed: {e}",
                    self.id
                )))
            }
        };
        let answer = String::from_utf8_lossy(&response.body).into_owned();
        match self.sdp.apply_answer(&local, &answer) {
            Ok(negotiated) => {
                if let Some(media) = self.media.as_mut() {
                    media.set_local_hold(hold);
                }
                self.start_media(&negotiated);
                self.set_state(if hold {
                    CallState::OnHold
                } else {
                    Self::state_for(&negotiated)
                });
            }
            Err(e) => self.emit(Event::error(format!(
                "call {}: unusable answer to our re-INVITE: {e}",
                self.id
            ))),
        }
    }

    /// A re-INVITE or UPDATE from the far end: hold, resume, a new address or codec.
    async fn remote_offer(&mut self, request: &Request, handle: TransactionHandle) {
        if request.body.is_empty() {
            // An offerless re-INVITE asks for our offer; refreshes and UPDATEs without SDP just get 200.
            let body = self
                .local_media(Direction::SendRecv)
                .map(|l| self.sdp.create_offer(&l));
            let _ = handle
                .respond(
                    StatusCode::OK,
                    Some(sdp_headers()),
                    body.map(String::into_bytes),
                )
                .await;
            return;
        }
        let Some(local) = self.local_media(Direction::SendRecv) else {
            let _ = handle.reply(StatusCode::NotAcceptableHere).await;
            return;
        };
        let offer = String::from_utf8_lossy(&request.body).into_owned();
        match self.sdp.answer_offer(&offer, &local) {
            Ok((answer, negotiated)) => {
                let _ = handle
                    .respond(
                        StatusCode::OK,
                        Some(sdp_headers()),
                        Some(answer.into_bytes()),
                    )
                    .await;
                self.start_media(&negotiated);
                self.set_state(Self::state_for(&negotiated));
            }
            Err(e) => {
                tracing::info!(call = %self.id, error = %e, "re-INVITE refused");
                let _ = handle.reply(sdp_refusal(&e)).await;
            }
        }
    }
}

fn sdp_refusal(error: &SdpError) -> StatusCode {
    StatusCode::from(error.sip_status())
}

fn terminated_reason(reason: &TerminatedReason) -> (&'static str, Option<u16>) {
    match reason {
        // rsipstack names a BYE from the far end UacBye on server dialogs and UasBye on client ones.
        TerminatedReason::UacBye | TerminatedReason::UasBye => ("remote hangup", None),
        TerminatedReason::UacCancel => ("cancelled by caller", Some(487)),
        TerminatedReason::Timeout => ("no answer from the far end", Some(408)),
        TerminatedReason::UacBusy | TerminatedReason::UasBusy => ("busy", Some(486)),
        TerminatedReason::UasDecline => ("declined", Some(603)),
        TerminatedReason::ProxyAuthRequired => ("authentication failed", Some(407)),
        TerminatedReason::ProxyError(code)
        | TerminatedReason::UacOther(code)
        | TerminatedReason::UasOther(code) => ("ended by the network", Some(code.code())),
    }
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
