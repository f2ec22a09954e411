//! The established call, until either side hangs up: our hold and resume (re-INVITE with
//! `sendonly`/`sendrecv`, retried after 491 with the RFC 3261 14.1 wait), the far end's
//! re-INVITEs and UPDATEs (491 while ours is under way), keys, mute, devices, quality reports.
//! Our re-INVITE runs beside everything else: a BYE while it is pending ends the call at once.
//! A blind transfer ([`super::transfer`]) runs the same way: a REFER, then NOTIFYs; hold and
//! resume asked meanwhile wait for its outcome (sent if it fails, moot if it succeeds), and a
//! transfer is refused while a hold or resume is under way.

use super::dialog::{CallDialog, DialogEvent, ReInviteFailure, RequestId};
use super::transfer::Transfer;
use super::{answer_request, Call, QUALITY_EVERY};
use crate::api::{CallState, ErrorKind};
use crate::sdp::{Direction, LocalMedia};
use crate::ua::calls::CallCommand;
use crate::ua::media::{CallAudio, DtmfError, MediaBackend};
use parla_media::MediaEvent;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

mod being_transferred;
mod parking;
mod recording;
mod transferring;

use being_transferred::BeingTransferred;
pub(crate) use being_transferred::BYE_WAIT;
use parking::Parking;
#[cfg(test)]
pub(crate) use parking::PARK_GRACE;
use transferring::Attended;

/// Tries of one hold or resume that the far end answers with 491 Request Pending.
const REINVITE_ATTEMPTS: u32 = 3;

/// RFC 3261 14.1: after a 491, wait 2.1-4 s if we made the Call-ID (we placed the call),
/// 0-2 s otherwise, in steps of 10 ms.
pub(crate) fn glare_wait(owns_call_id: bool) -> Duration {
    let steps: u64 = if owns_call_id {
        rand::random_range(210..=400)
    } else {
        rand::random_range(0..=200)
    };
    Duration::from_millis(steps * 10)
}

/// Our hold or resume re-INVITE.
struct Reinvite {
    hold: bool,
    local: LocalMedia,
    offer: String,
    /// Our SDP version when the offer was made: if we answered an offer since, a retry needs a
    /// new one.
    version: u64,
    attempts: u32,
}

struct Established<D, M: MediaBackend> {
    call: Call<M>,
    dialog: D,
    /// Our re-INVITE waiting for its final response.
    sent: Option<Reinvite>,
    /// Our re-INVITE that got 491, and when to send it again.
    retry: Option<(Instant, Reinvite)>,
    /// Hold (true) or resume asked for while another was under way: sent once it is done.
    queued: Option<bool>,
    /// We hold the call (our hold was answered), so every answer and offer of ours says we
    /// do not want to receive.
    local_hold: bool,
    /// The far end holds us (its last SDP does not want our audio).
    remote_hold: bool,
    /// Our transfer, from the REFER until its outcome.
    transfer: Option<Transfer>,
    /// The consult call of our attended transfer under way.
    attended: Option<Attended>,
    /// An attended transfer waiting for our hold to be answered before its REFER.
    refer_after_hold: Option<Attended>,
    /// The far end's REFER we carry out: the new call's progress.
    referred: Option<BeingTransferred>,
    /// Our offer in a 200 to the far end's offerless re-INVITE: its answer comes in the ACK.
    offered_in_200: Option<LocalMedia>,
    /// Transferred: the new call is up and the far end told so; it is to say BYE by then,
    /// else we do (RFC 5589: the transferor ends the old dialog).
    leaving_at: Option<Instant>,
    /// Our transfer under way is a park.
    parking: Option<Parking>,
    /// The network changed while a re-INVITE or transfer was under way: offer again after.
    reoffer_queued: bool,
}

/// Runs the confirmed call until it ends.
pub(crate) async fn run<D: CallDialog, M: MediaBackend>(
    call: Call<M>,
    dialog: D,
    commands: UnboundedReceiver<CallCommand>,
) {
    let established = Established {
        call,
        dialog,
        sent: None,
        retry: None,
        queued: None,
        local_hold: false,
        remote_hold: false,
        transfer: None,
        attended: None,
        refer_after_hold: None,
        referred: None,
        leaving_at: None,
        offered_in_200: None,
        parking: None,
        reoffer_queued: false,
    };
    established.call.note_dialog(&established.dialog);
    established.run(commands).await;
}

impl<D: CallDialog, M: MediaBackend> Established<D, M> {
    async fn run(mut self, mut commands: UnboundedReceiver<CallCommand>) {
        let mut quality = tokio::time::interval(QUALITY_EVERY);
        quality.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut machine = tokio::time::interval(super::machine::MACHINE_POLL);
        machine.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let id = self.call.id;
        loop {
            let retry_at = self.retry.as_ref().map(|(at, _)| *at);
            let transfer_due = self.transfer.as_ref().and_then(Transfer::deadline);
            let leaving_at = self.leaving_at;
            tokio::select! {
                _ = quality.tick() => self.call.report_quality(),
                _ = machine.tick(), if self.call.machine.is_some() => {
                    if let Some(why) = self.call.machine_stopped() {
                        if let Err(e) = self.dialog.bye().await {
                            tracing::warn!(call = %id, error = %e, "BYE failed");
                        }
                        return self.call.end(why, None).await;
                    }
                }
                _ = tokio::time::sleep_until(leaving_at.unwrap_or_else(Instant::now)), if leaving_at.is_some() => {
                    return self.transferred().await;
                }
                _ = tokio::time::sleep_until(transfer_due.unwrap_or_else(Instant::now)), if transfer_due.is_some() => {
                    if self.transfer_timed_out() {
                        return self.transferred().await;
                    }
                }
                _ = tokio::time::sleep_until(retry_at.unwrap_or_else(Instant::now)), if retry_at.is_some() => {
                    self.send_retry();
                }
                command = commands.recv() => match command {
                    Some(CallCommand::Hangup) | Some(CallCommand::Decline(_)) | None => {
                        if let Err(e) = self.dialog.bye().await {
                            tracing::warn!(call = %id, error = %e, "BYE failed");
                        }
                        return self.call.end("local hangup", None).await;
                    }
                    Some(CallCommand::Answer) if self.call.machine.is_some() => self.call.pick_up(),
                    // Keys, hold and transfers wait until the person has picked the call up.
                    Some(CallCommand::Dtmf(_) | CallCommand::Hold | CallCommand::Resume | CallCommand::Transfer(_) | CallCommand::TransferReplacing { .. } | CallCommand::Park { .. } | CallCommand::Record(Some(_))) if self.call.machine.is_some() => {
                        self.call.not_connected();
                    }
                    Some(CallCommand::Answer) => self.call.error(
                        ErrorKind::CannotAnswer,
                        format!("call {id} is already answered"),
                    ),
                    Some(CallCommand::Dtmf(digits)) => self.send_dtmf(&digits),
                    Some(CallCommand::Mute(muted)) => {
                        if let Some(media) = self.call.media.as_mut() {
                            media.set_muted(muted);
                        }
                    }
                    Some(CallCommand::SetDevices { input, output }) => self.call.switch_devices(input, output),
                    Some(CallCommand::Hold) => self.hold(true),
                    Some(CallCommand::Resume) => self.hold(false),
                    Some(CallCommand::Transfer(to)) => self.transfer(&to),
                    Some(CallCommand::TransferReplacing { consult, target, reversed }) => {
                        self.transfer_replacing(Attended { consult, target, reversed });
                    }
                    Some(CallCommand::JoinConference(seat)) => self.call.join_conference(seat),
                    Some(CallCommand::LeaveConference { input, output }) => self.call.leave_conference(input, output),
                    Some(CallCommand::Record(request)) => self.call.record(request),
                    Some(CallCommand::Park { target, orbit }) => self.park(&target, orbit),
                    Some(CallCommand::NetworkChanged { from, to }) => self.network_changed(from, to),
                    Some(CallCommand::HandedOver { reason }) => {
                        if let Err(e) = self.dialog.bye().await {
                            tracing::debug!(call = %id, error = %e, "BYE of a handed-over call failed");
                        }
                        return self.call.end(reason, None).await;
                    }
                },
                Some(progress) = being_transferred::next(&mut self.referred) => {
                    let subscription = self.referred.as_ref().is_some_and(|r| r.subscription);
                    if self.referred_progress(progress) {
                        // Without NOTIFYs nothing tells the transferor to say BYE: we do.
                        let wait = if subscription { BYE_WAIT } else { Duration::ZERO };
                        self.leaving_at = Some(Instant::now() + wait);
                    }
                }
                Some(event) = self.call.media_events.recv() => match event {
                    MediaEvent::Dtmf(digit) => self.call.emit(crate::api::Event::Dtmf { call: id, digit: digit.to_string() }),
                    MediaEvent::DeviceChanged { message } => self.call.emit(crate::api::Event::Device { call: Some(id), message }),
                    MediaEvent::RtpTimeout => {
                        let _ = self.dialog.bye().await;
                        return self.call.end("no audio from the far end", None).await;
                    }
                    MediaEvent::RecordingFailed { message } => self.call.recording_stopped_by_media(message),
                },
                event = self.dialog.next_event() => match event {
                    None => return self.call.end("dialog lost", None).await,
                    Some(DialogEvent::Terminated(reason)) => {
                        if self.parking.is_some() && self.leaving_at.is_none() {
                            // The park server took the call and hung up before its NOTIFY.
                            self.parked();
                        }
                        if self.leaving_at.is_some() {
                            let reason = self.leaving_reason();
                            return self.call.end(reason, None).await;
                        }
                        // A hold or resume still pending simply ends with the call.
                        let (text, code) = reason.describe();
                        return self.call.end(text, code).await;
                    }
                    Some(DialogEvent::RemoteOffer { request, sdp }) => self.remote_offer(request, sdp).await,
                    Some(DialogEvent::ReInviteAnswered { code, reason, sdp }) => {
                        if let Some(gone) = self.answered(code, &reason, sdp) {
                            // RFC 3261 14.1: the far end has lost the dialog (481) or does not
                            // answer in it (408): end the call, saying goodbye in case it hears.
                            let _ = self.dialog.bye().await;
                            return self.call.end(gone, Some(code)).await;
                        }
                    }
                    Some(DialogEvent::ReInviteFailed(failure)) => self.failed(failure),
                    Some(event @ (DialogEvent::ReferAnswered { .. }
                    | DialogEvent::ReferFailed(_)
                    | DialogEvent::ReferNotify { .. })) => {
                        if self.transfer_event(event).await {
                            return self.transferred().await;
                        }
                    }
                    Some(DialogEvent::Confirmed { ack_sdp: Some(answer) }) => self.answer_in_ack(&answer),
                    Some(DialogEvent::Referred { request, target, replaces, referred_by, subscription }) => {
                        self.referred_to(request, target, replaces, referred_by, subscription).await;
                    }
                    Some(DialogEvent::Request { request, method }) => {
                        self.dialog.respond(request, answer_request(method), None).await;
                    }
                    // The ACK of a re-INVITE, late responses to the INVITE: nothing to do.
                    Some(other) => tracing::debug!(call = %id, ?other, "ignored in a confirmed call"),
                },
            }
        }
    }

    fn send_dtmf(&self, digits: &str) {
        let sent = match self.call.media.as_ref() {
            Some(media) => media.send_dtmf(digits),
            None => Err(DtmfError::NoAudio),
        };
        if let Err(why) = sent {
            self.call.error(
                ErrorKind::DtmfFailed,
                format!("call {}: DTMF not sent: {why}", self.call.id),
            );
        }
    }

    /// What we offer or answer with: we do not receive while we hold, and we do not send to a
    /// far end that holds us (RFC 3264 8.4: holding a held call makes it `inactive`).
    fn our_direction(&self, hold: bool) -> Direction {
        Direction::from_flags(!self.remote_hold, !hold)
    }

    /// The state the call shows after a negotiation: our hold wins over theirs.
    fn state_after(&mut self, negotiated: &crate::sdp::NegotiatedMedia) -> CallState {
        self.remote_hold = negotiated.remote_on_hold;
        if self.local_hold {
            CallState::OnHold
        } else {
            Call::<M>::state_for(negotiated)
        }
    }

    /// Our hold (re-INVITE with `sendonly`, or `inactive` when the far end holds us too) or
    /// resume (`sendrecv`, or `recvonly` while they hold us); one at a time.
    fn hold(&mut self, hold: bool) {
        if self.transfer.is_some() {
            // Waits for the transfer: sent if it fails, moot if it succeeds.
            self.queued = (hold != self.local_hold).then_some(hold);
            return;
        }
        let pending = self
            .sent
            .as_ref()
            .or(self.retry.as_ref().map(|(_, r)| r))
            .map(|r| r.hold);
        if let Some(pending) = pending {
            // The latest wish wins; one that the pending re-INVITE already brings needs none.
            self.queued = (pending != hold).then_some(hold);
            return;
        }
        if hold == self.local_hold {
            // Already so (a hold asked twice, as when a second call holds this one too).
            return;
        }
        self.offer(hold);
    }

    /// The local address changed: a re-INVITE offers the audio at the new one (RFC 3264 8.3.1)
    /// so the far end sends there. One under way already carries it once readdressed, unless
    /// it was offered before: then this one is queued like a hold.
    fn network_changed(&mut self, from: std::net::IpAddr, to: std::net::IpAddr) {
        let moved = self
            .call
            .media
            .as_mut()
            .is_some_and(|media| media.readdress(from, to));
        tracing::info!(call = %self.call.id, %from, %to, moved, "the network changed: offering the audio again");
        if self.sent.is_some() || self.retry.is_some() || self.transfer.is_some() {
            self.reoffer_queued = true;
            return;
        }
        self.reoffer();
    }

    /// A re-INVITE that keeps the hold state as it is, with a new offer.
    fn reoffer(&mut self) {
        self.offer(self.local_hold);
    }

    /// A re-INVITE offering our audio on hold or not.
    fn offer(&mut self, hold: bool) {
        let direction = self.our_direction(hold);
        let Some(local) = self.call.local_media(direction) else {
            return;
        };
        let offer = self.call.sdp.create_offer(&local);
        self.dialog.reinvite(offer.clone());
        self.sent = Some(Reinvite {
            hold,
            local,
            offer,
            version: self.call.sdp.version(),
            attempts: 1,
        });
    }

    /// The glare wait is over: the same re-INVITE again.
    fn send_retry(&mut self) {
        let Some((_, mut reinvite)) = self.retry.take() else {
            return;
        };
        if self.call.sdp.version() != reinvite.version {
            reinvite.offer = self.call.sdp.create_offer(&reinvite.local);
            reinvite.version = self.call.sdp.version();
        }
        reinvite.attempts += 1;
        self.dialog.reinvite(reinvite.offer.clone());
        self.sent = Some(reinvite);
    }

    /// The far end's answer to our re-INVITE; `Some(why)` when it ends the call.
    fn answered(&mut self, code: u16, reason: &str, sdp: Option<String>) -> Option<&'static str> {
        let Some(reinvite) = self.sent.take() else {
            tracing::debug!(call = %self.call.id, code, "response to no re-INVITE of ours");
            return None;
        };
        let id = self.call.id;
        match code {
            481 => return Some("the far end no longer knows the call"),
            408 => return Some("the far end did not answer"),
            _ => {}
        }
        if code == 491 && reinvite.attempts < REINVITE_ATTEMPTS {
            let wait = glare_wait(self.call.owns_call_id);
            tracing::info!(call = %id, attempt = reinvite.attempts, ?wait, "re-INVITE glare (491), retrying");
            self.retry = Some((Instant::now() + wait, reinvite));
            return None;
        }
        if code == 491 {
            self.call.error(
                ErrorKind::HoldFailed,
                format!(
                    "call {id}: re-INVITE failed: re-INVITE glare: exhausted {REINVITE_ATTEMPTS} retries (491)"
                ),
            );
        } else if !(200..300).contains(&code) {
            self.call.error(
                ErrorKind::HoldFailed,
                format!("call {id}: the far end refused ({code} {reason})"),
            );
        } else {
            tracing::info!(call = %id, code, "our re-INVITE was answered");
            let answer = sdp.unwrap_or_default();
            match self.call.sdp.apply_answer(&reinvite.local, &answer) {
                Ok(negotiated) => {
                    self.local_hold = reinvite.hold;
                    if let Some(media) = self.call.media.as_mut() {
                        media.set_local_hold(reinvite.hold);
                    }
                    self.call.start_media(&negotiated);
                    let state = self.state_after(&negotiated);
                    self.call.set_state(state);
                }
                Err(e) => self.call.error(
                    ErrorKind::HoldFailed,
                    format!("call {id}: unusable answer to our re-INVITE: {e}"),
                ),
            }
        }
        self.send_queued();
        self.refer_if_held();
        None
    }

    fn failed(&mut self, failure: ReInviteFailure) {
        if self.sent.take().is_none() {
            return;
        }
        let id = self.call.id;
        let message = match failure {
            ReInviteFailure::NotEstablished => format!("call {id} is not established"),
            ReInviteFailure::Error(e) => format!("call {id}: re-INVITE failed: {e}"),
        };
        self.call.error(ErrorKind::HoldFailed, message);
        self.send_queued();
        self.refer_if_held();
    }

    fn send_queued(&mut self) {
        if let Some(hold) = self.queued.take() {
            self.hold(hold);
        }
        if self.reoffer_queued && self.retry.is_none() && self.transfer.is_none() {
            // A hold or resume just sent carries the new address too.
            if self.sent.is_none() {
                self.reoffer();
            }
            self.reoffer_queued = false;
        }
    }

    /// The answer to the offer in our 200, from the far end's ACK.
    fn answer_in_ack(&mut self, answer: &str) {
        let Some(local) = self.offered_in_200.take() else {
            return;
        };
        match self.call.sdp.apply_answer(&local, answer) {
            Ok(negotiated) => {
                self.call.start_media(&negotiated);
                let state = self.state_after(&negotiated);
                self.call.set_state(state);
            }
            Err(e) => {
                tracing::info!(call = %self.call.id, error = %e, "no usable answer in the ACK")
            }
        }
    }

    /// A re-INVITE or UPDATE from the far end: hold, resume, a new address or codec.
    async fn remote_offer(&mut self, request: RequestId, sdp: Option<String>) {
        if self.sent.is_some() {
            // RFC 3261 14.2: ours is under way; the far end retries after its own wait.
            self.dialog.respond(request, 491, None).await;
            return;
        }
        let Some(offer) = sdp else {
            // An offerless re-INVITE asks for our offer (the answer comes in its ACK);
            // refreshes and UPDATEs without SDP just get 200.
            let local = self.call.local_media(self.our_direction(self.local_hold));
            let body = local.as_ref().map(|l| self.call.sdp.create_offer(l));
            self.offered_in_200 = local;
            self.dialog.respond(request, 200, body).await;
            return;
        };
        // What we can do; the offer's direction narrows it (their sendonly makes us recvonly).
        let ours = Direction::from_flags(true, !self.local_hold);
        let Some(local) = self.call.local_media(ours) else {
            self.dialog.respond(request, 488, None).await;
            return;
        };
        match self.call.sdp.answer_offer(&offer, &local) {
            Ok((answer, negotiated)) => {
                self.dialog.respond(request, 200, Some(answer)).await;
                self.call.start_media(&negotiated);
                let state = self.state_after(&negotiated);
                self.call.set_state(state);
            }
            Err(e) => {
                tracing::info!(call = %self.call.id, error = %e, "re-INVITE refused");
                self.dialog.respond(request, e.sip_status(), None).await;
            }
        }
    }
}
