//! An outgoing call: INVITE with our offer, 1xx (early media on 183 with SDP, else our
//! ringback), CANCEL when hung up before the answer, the final response.

use super::dialog::{DialogEvent, OutgoingDialog};
use super::record::CallLog;
use super::referred::Progress;
use super::{answer_early_request, confirmed, failure_reason, Call, CallEnv};
use crate::api::{CallId, CallState, ErrorKind, Event};
use crate::sdp::{Direction, LocalMedia};
use crate::store;
use crate::ua::calls::CallCommand;
use crate::ua::media::MediaBackend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// How the INVITE ended.
enum Final {
    Answered(String),
    Refused(u16),
    NoFinalResponse,
    Failed(String),
}

/// A call placed for the far end of call `from`'s REFER, telling it how it goes.
pub struct Referral {
    pub from: CallId,
    pub progress: UnboundedSender<Progress>,
}

/// Places the call to `remote` (the dialled URI, for the events and the history) over
/// `dialog`, and runs it until it ends.
pub async fn run<D: OutgoingDialog, M: MediaBackend>(
    id: CallId,
    env: CallEnv,
    backend: M,
    mut dialog: D,
    remote: String,
    mut commands: UnboundedReceiver<CallCommand>,
    referral: Option<Referral>,
) {
    // One indexed query on the store thread (bounded by its timeout): `calling` names the contact.
    let name = env
        .store
        .caller_name(&remote, env.region)
        .await
        .map(|c| c.name)
        .filter(|n| !n.is_empty());
    let log = CallLog::new(store::Direction::Outgoing, remote.clone(), None);
    let mut call = Call::new(id, env, backend, log, CallState::Calling);
    let transferred_from = referral.as_ref().map(|r| r.from);
    call.referred = referral.map(|r| r.progress);
    call.emit(Event::CallState {
        call: id,
        state: CallState::Calling,
        account: Some(call.env.account.clone()),
        remote: Some(remote),
        name,
        reason: None,
        code: None,
        transferred_from,
        replaces: None,
    });
    if let Err(e) = call.bind_media() {
        return call.end(&e.to_string(), None).await;
    }
    let Some(local) = call.local_media(Direction::SendRecv) else {
        return call.end("no RTP port", None).await;
    };
    let offer = call.sdp.create_offer(&local);
    if let Err(e) = dialog.invite(offer) {
        return call
            .end(&format!("cannot send the INVITE: {e}"), None)
            .await;
    }

    let mut cancelled = false;
    let mut ringback = None;
    let mut commands_open = true;
    let result = loop {
        tokio::select! {
            event = dialog.next_event() => match event {
                Some(DialogEvent::Progress { code, sdp }) => {
                    call.set_state(CallState::Ringing);
                    call.tell_referrer(Progress::Ringing(code));
                    call.note_dialog(&dialog);
                    if let Some(sdp) = sdp {
                        // The far end plays its own ringback (or an announcement) as early media.
                        ringback = None;
                        early_media(&mut call, &local, &sdp);
                    } else if ringback.is_none() && !call.media_running() {
                        ringback = call.backend.ringback();
                    }
                }
                Some(DialogEvent::Answered { sdp }) => break Final::Answered(sdp),
                Some(DialogEvent::Refused { code }) => break Final::Refused(code),
                Some(DialogEvent::NoFinalResponse) => break Final::NoFinalResponse,
                Some(DialogEvent::InviteFailed { error }) => break Final::Failed(error),
                Some(DialogEvent::Request { request, method }) => {
                    answer_early_request(&mut dialog, request, Some(method)).await;
                }
                Some(DialogEvent::RemoteOffer { request, .. } | DialogEvent::Referred { request, .. }) => {
                    answer_early_request(&mut dialog, request, None).await;
                }
                // The INVITE's own outcome decides.
                Some(other) => tracing::debug!(call = %id, ?other, "ignored before the answer"),
                None => break Final::Failed("dialog lost".into()),
            },
            command = commands.recv(), if commands_open => match command {
                // Handed over early: an INVITE with Replaces took this call's place.
                Some(CallCommand::Hangup | CallCommand::Decline(_) | CallCommand::HandedOver { .. }) | None => {
                    commands_open &= command.is_some();
                    if !cancelled {
                        cancelled = true;
                        call.log.cancelled = true;
                        if let Err(e) = dialog.cancel().await {
                            tracing::warn!(call = %id, error = %e, "CANCEL failed");
                        }
                    }
                }
                Some(CallCommand::Answer) => {
                    call.error(ErrorKind::CannotAnswer, format!("call {id} is outgoing"));
                }
                // Early media may be playing.
                Some(CallCommand::SetDevices { input, output }) => call.switch_devices(input, output),
                // Not asked by anyone: a call not yet up has nothing to move.
                Some(CallCommand::NetworkChanged { .. }) => {}
                Some(_) => call.not_connected(),
            },
        }
    };
    drop(ringback);

    let answer = match result {
        Final::Answered(answer) => answer,
        Final::Refused(code) => {
            if matches!(code, 486 | 600) {
                call.backend.busy();
            }
            return call.end(failure_reason(code), Some(code)).await;
        }
        Final::NoFinalResponse => {
            let reason = if cancelled { "cancelled" } else { "no answer" };
            return call.end(reason, None).await;
        }
        Final::Failed(error) => {
            let reason = if cancelled {
                "cancelled".to_string()
            } else {
                format!("call failed: {error}")
            };
            return call.end(&reason, None).await;
        }
    };
    if cancelled {
        // The answer crossed our CANCEL: the session it made ends at once (RFC 3261 9.1).
        if let Err(e) = dialog.bye().await {
            tracing::debug!(call = %id, error = %e, "BYE after a crossing 200 failed");
        }
        return call.end("cancelled", None).await;
    }
    match call.sdp.apply_answer(&local, &answer) {
        Ok(negotiated) => {
            call.log.answered = Some(std::time::SystemTime::now());
            call.start_media(&negotiated);
            call.set_state(Call::<M>::state_for(&negotiated));
            call.tell_referrer(Progress::Connected);
        }
        Err(e) => {
            let _ = dialog.bye().await;
            return call
                .end(
                    &format!("the answer's SDP is unusable: {e}"),
                    Some(e.sip_status()),
                )
                .await;
        }
    }
    confirmed::run(call, dialog, commands).await;
}

fn early_media<M: MediaBackend>(call: &mut Call<M>, local: &LocalMedia, sdp: &str) {
    match call.sdp.apply_answer(local, sdp) {
        Ok(negotiated) => call.start_media(&negotiated),
        Err(e) => tracing::info!(error = %e, "early media SDP ignored"),
    }
}
