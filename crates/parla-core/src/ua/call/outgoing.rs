//! An outgoing call: INVITE with our offer, 1xx (early media on 183 with SDP), CANCEL when hung
//! up before the answer, the final response.

use super::record::CallLog;
use super::{failure_reason, sdp_refusal, Call, CallEnv};
use crate::api::{CallId, CallState, Event};
use crate::sdp::Direction;
use crate::store;
use crate::ua::calls::CallCommand;
use crate::ua::tones;
use rsipstack::dialog::dialog::DialogState;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::sip::{StatusCodeKind, Uri};
use tokio::sync::mpsc::UnboundedReceiver;

pub async fn run_outgoing(
    id: CallId,
    env: CallEnv,
    target: Uri,
    mut commands: UnboundedReceiver<CallCommand>,
) {
    let remote = target.to_string();
    // One indexed query on the store thread (bounded by its timeout): `calling` names the contact.
    let name = env
        .store
        .caller_name(&remote, env.region)
        .await
        .map(|c| c.name)
        .filter(|n| !n.is_empty());
    let log = CallLog::new(store::Direction::Outgoing, remote.clone(), None);
    let mut call = Call::new(id, env, log);
    call.emit(Event::CallState {
        call: id,
        state: CallState::Calling,
        account: Some(call.env.account.clone()),
        remote: Some(remote),
        name,
        reason: None,
        code: None,
    });
    if let Err(e) = call.bind_media() {
        return call.end(&e, None).await;
    }
    let Some(local) = call.local_media(Direction::SendRecv) else {
        return call.end("no RTP port", None).await;
    };
    let offer = call.sdp.create_offer(&local);
    let stack = call.env.stack.clone();
    let (state_tx, mut states) = stack.dialog_layer.new_dialog_state_channel();
    let option = InviteOption {
        caller_display_name: call.env.display_name.clone(),
        caller: call.env.aor.clone(),
        callee: target,
        destination: stack.destination(),
        content_type: Some("application/sdp".into()),
        offer: Some(offer.into_bytes()),
        contact: call.env.contact.clone(),
        credential: call.env.credential.clone(),
        ..Default::default()
    };
    let (dialog, mut invite) = match stack.dialog_layer.do_invite_async(option, state_tx) {
        Ok(started) => started,
        Err(e) => {
            return call
                .end(&format!("cannot send the INVITE: {e}"), None)
                .await
        }
    };

    let mut cancelled = false;
    let mut ringback = None;
    let result = loop {
        tokio::select! {
            result = &mut invite => break result,
            state = states.recv() => {
                if let Some(DialogState::Early(_, response)) = state {
                    call.set_state(CallState::Ringing);
                    if !response.body.is_empty() {
                        // The far end plays its own ringback (or an announcement) as early media.
                        ringback = None;
                        early_media(&mut call, &local, &response.body);
                    } else if ringback.is_none() && call.media.as_ref().is_none_or(|m| !m.is_running()) {
                        ringback = tones::ringback(&call.env.audio);
                    }
                }
            }
            command = commands.recv() => match command {
                Some(CallCommand::Hangup) | Some(CallCommand::Decline(_)) | None => {
                    if !cancelled {
                        cancelled = true;
                        call.log.cancelled = true;
                        if let Err(e) = dialog.cancel().await {
                            tracing::warn!(call = %id, error = %e, "CANCEL failed");
                        }
                    }
                }
                Some(CallCommand::Answer) => call.emit(Event::error(format!("call {id} is outgoing"))),
                // Early media may be playing.
                Some(CallCommand::SetDevices { input, output }) => call.switch_devices(input, output),
                Some(_) => call.emit(Event::error(format!("call {id} is not connected yet"))),
            },
        }
    };

    let response = match result {
        Ok(Ok((_, Some(response)))) => response,
        Ok(Ok((_, None))) => {
            return call
                .end(if cancelled { "cancelled" } else { "no answer" }, None)
                .await
        }
        Ok(Err(e)) => {
            let reason = if cancelled {
                "cancelled".to_string()
            } else {
                format!("call failed: {e}")
            };
            return call.end(&reason, None).await;
        }
        Err(e) => return call.end(&format!("call task failed: {e}"), None).await,
    };
    drop(ringback);
    let code = response.status_code.code();
    if response.status_code.kind() != StatusCodeKind::Successful {
        if matches!(code, 486 | 600) {
            tones::busy(&call.env.audio);
        }
        return call.end(failure_reason(code), Some(code)).await;
    }
    if cancelled {
        // The answer crossed our CANCEL; rsipstack ends such a dialog with a BYE.
        return call.end("cancelled", None).await;
    }
    let answer = String::from_utf8_lossy(&response.body).into_owned();
    match call.sdp.apply_answer(&local, &answer) {
        Ok(negotiated) => {
            call.log.answered = Some(std::time::SystemTime::now());
            call.start_media(&negotiated);
            call.set_state(Call::state_for(&negotiated));
        }
        Err(e) => {
            let _ = dialog.bye().await;
            return call
                .end(
                    &format!("the answer's SDP is unusable: {e}"),
                    Some(sdp_refusal(&e).code()),
                )
                .await;
        }
    }
    call.confirmed(dialog, states, commands).await;
}

fn early_media(call: &mut Call, local: &crate::sdp::LocalMedia, body: &[u8]) {
    let answer = String::from_utf8_lossy(body).into_owned();
    match call.sdp.apply_answer(local, &answer) {
        Ok(negotiated) => call.start_media(&negotiated),
        Err(e) => tracing::info!(error = %e, "early media SDP ignored"),
    }
}
