//! An incoming call: 180 while the person decides, then 200 with our answer, or 603/486.

use super::record::CallLog;
use super::{sdp_headers, Call, CallEnv};
use crate::api::{CallId, CallState, DeclineReason, Event};
use crate::sdp::{Direction, NegotiatedMedia};
use crate::store;
use crate::ua::calls::CallCommand;
use crate::ua::tones;
use rsipstack::dialog::dialog::DialogState;
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::StatusCode;
use rsipstack::transaction::Transaction;
use tokio::sync::mpsc::UnboundedReceiver;

/// The caller as the INVITE names it: (URI, display name).
pub fn caller_of(tx: &Transaction) -> (String, Option<String>) {
    match tx.original.from_header().and_then(|h| h.typed()) {
        Ok(from) => (
            from.uri.to_string(),
            from.display_name.filter(|n| !n.trim().is_empty()),
        ),
        Err(_) => ("unknown".into(), None),
    }
}

/// Takes the call: 180, `incoming_call` with `name` (the contact's, else the caller's display
/// name), then what the person decides.
pub async fn run_incoming(
    id: CallId,
    env: CallEnv,
    mut tx: Transaction,
    mut commands: UnboundedReceiver<CallCommand>,
    name: Option<String>,
) {
    let (from, sent_name) = caller_of(&tx);
    let log = CallLog::new(store::Direction::Incoming, from.clone(), sent_name);
    let mut call = Call::new(id, env, log);
    call.state = CallState::Incoming;
    let stack = call.env.stack.clone();
    let (state_tx, mut states) = stack.dialog_layer.new_dialog_state_channel();
    let dialog = match stack.dialog_layer.get_or_create_server_invite(
        &tx,
        state_tx,
        None,
        Some(call.env.contact.clone()),
    ) {
        Ok(dialog) => dialog,
        Err(e) => {
            let _ = tx.reply(StatusCode::ServerInternalError).await;
            return call
                .end(&format!("cannot take the call: {e}"), Some(500))
                .await;
        }
    };
    let offer = String::from_utf8_lossy(&tx.original.body).into_owned();
    let mut server = dialog.clone();
    tokio::spawn(async move {
        if let Err(e) = server.handle(&mut tx).await {
            tracing::debug!(error = %e, "INVITE transaction ended with an error");
        }
    });

    if let Err(e) = call.bind_media() {
        let _ = dialog.reject(Some(StatusCode::ServiceUnavailable), None);
        return call.end(&e, Some(503)).await;
    }
    let Some(local) = call.local_media(Direction::SendRecv) else {
        return call.end("no RTP port", Some(503)).await;
    };
    // With no offer in the INVITE we offer in the 200 and the answer comes in the ACK.
    let (body, mut negotiated): (String, Option<NegotiatedMedia>) = if offer.trim().is_empty() {
        (call.sdp.create_offer(&local), None)
    } else {
        match call.sdp.answer_offer(&offer, &local) {
            Ok((answer, negotiated)) => (answer, Some(negotiated)),
            Err(e) => {
                let code = super::sdp_refusal(&e);
                let _ = dialog.reject(Some(code.clone()), None);
                return call
                    .end(
                        &format!("the caller's SDP is unusable: {e}"),
                        Some(code.code()),
                    )
                    .await;
            }
        }
    };

    if let Err(e) = dialog.ringing(None, None) {
        tracing::warn!(call = %id, error = %e, "180 Ringing failed");
    }
    call.emit(Event::IncomingCall {
        call: id,
        account: call.env.account.clone(),
        from,
        name,
    });

    let mut ringtone = tones::ringtone(&call.env.audio);
    let mut answered = false;
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(CallCommand::Answer) if !answered => {
                    answered = true;
                    drop(ringtone.take());
                    if let Err(e) = dialog.accept(Some(sdp_headers()), Some(body.clone().into_bytes())) {
                        return call.end(&format!("cannot answer: {e}"), None).await;
                    }
                    call.log.answered = Some(std::time::SystemTime::now());
                    if let Some(n) = &negotiated {
                        call.start_media(n);
                    }
                }
                Some(CallCommand::Answer) => {}
                Some(CallCommand::SetDevices { input, output }) => call.switch_devices(input, output),
                Some(CallCommand::Decline(reason)) if !answered => {
                    let (code, text) = match reason {
                        DeclineReason::Busy => (StatusCode::BusyHere, "busy"),
                        DeclineReason::Decline => (StatusCode::Decline, "declined"),
                    };
                    let _ = dialog.reject(Some(code.clone()), None);
                    return call.end(text, Some(code.code())).await;
                }
                Some(CallCommand::Hangup) | None if !answered => {
                    let _ = dialog.reject(Some(StatusCode::Decline), None);
                    return call.end("declined", Some(603)).await;
                }
                // Answered, waiting for the ACK: hanging up (or declining) sends BYE.
                Some(CallCommand::Hangup | CallCommand::Decline(_)) | None => {
                    let _ = dialog.bye().await;
                    return call.end("local hangup", None).await;
                }
                Some(CallCommand::Mute(muted)) if answered => {
                    if let Some(media) = call.media.as_mut() {
                        media.set_muted(muted);
                    }
                }
                // Keys, hold and mute need a call that is up: say so, and leave the call alone.
                Some(CallCommand::Mute(_) | CallCommand::Dtmf(_) | CallCommand::Hold | CallCommand::Resume) => {
                    call.emit(Event::error(format!("call {id} is not connected yet")));
                }
            },
            state = states.recv() => match state {
                Some(DialogState::Confirmed(_, _)) if answered => {
                    if negotiated.is_none() {
                        negotiated = answer_from_ack(&mut call, &dialog, &local);
                        if let Some(n) = &negotiated {
                            call.start_media(n);
                        }
                    }
                    let state = negotiated.as_ref().map(Call::state_for).unwrap_or(CallState::Connected);
                    call.set_state(state);
                    return call.confirmed(dialog, states, commands).await;
                }
                Some(DialogState::Terminated(_, reason)) => {
                    let (text, code) = super::terminated_reason(&reason);
                    return call.end(text, code).await;
                }
                None => return call.end("dialog lost", None).await,
                Some(_) => {}
            },
        }
    }
}

fn answer_from_ack(
    call: &mut Call,
    dialog: &rsipstack::dialog::invite_dialog::InviteDialog,
    local: &crate::sdp::LocalMedia,
) -> Option<NegotiatedMedia> {
    let ack = dialog.last_remote_ack()?;
    let answer = String::from_utf8_lossy(&ack.body).into_owned();
    call.sdp
        .apply_answer(local, &answer)
        .map_err(|e| tracing::info!(error = %e, "no usable answer in the ACK"))
        .ok()
}
