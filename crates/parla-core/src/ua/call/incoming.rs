//! An incoming call: 180 while the person decides, then 200 with our answer, or 603/486;
//! a 302 to the line's no-answer target when nobody answers in time (if the answering
//! machine is on too, whichever comes first takes the call); answered by itself at once
//! (or after the caller's `answer-after`) when auto-answer or intercom says so.

use super::dialog::{DialogEvent, IncomingDialog, IncomingInvite};
use super::record::CallLog;
use super::{answer_early_request, confirmed, Call, CallEnv};
use crate::api::{CallId, CallState, DeclineReason, Event};
use crate::sdp::{Direction, LocalMedia, NegotiatedMedia};
use crate::store;
use crate::ua::calls::CallCommand;
use crate::ua::media::{CallAudio, MediaBackend};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{sleep_until, Instant};

/// Who is calling, as admission found out.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The contact's name, else the caller's display name.
    pub name: Option<String>,
    /// The call this one takes the place of (its INVITE has a Replaces naming it): answered
    /// at once, without ringing, and that call is handed over.
    pub replacing: Option<CallId>,
    /// Do not disturb is on and the line's answering machine takes such calls at once.
    pub machine_at_once: bool,
    /// Forward to this target (a SIP URI) when not answered within the time.
    pub no_answer_forward: Option<(String, std::time::Duration)>,
    /// Answer by itself after this long (auto-answer, intercom).
    pub auto_answer_after: Option<std::time::Duration>,
}

/// Takes the call: 180, `incoming_call` with the caller's name, then what the person
/// decides; or, replacing another call, 200 at once.
pub async fn run<D: IncomingDialog, M: MediaBackend>(
    id: CallId,
    env: CallEnv,
    backend: M,
    mut dialog: D,
    invite: IncomingInvite,
    mut commands: UnboundedReceiver<CallCommand>,
    caller: Caller,
) {
    let IncomingInvite {
        from,
        display_name,
        sdp: offer,
        ..
    } = invite;
    let Caller {
        name,
        replacing,
        machine_at_once,
        no_answer_forward,
        auto_answer_after,
    } = caller;
    let log = CallLog::new(store::Direction::Incoming, from.clone(), display_name);
    let mut call = Call::new(id, env, backend, log, CallState::Incoming);
    call.caller_name = name.clone();
    // When the line's answering machine answers, if no one has.
    let machine_at = call
        .env
        .machine
        .as_ref()
        .filter(|_| replacing.is_none())
        .map(|m| Instant::now() + m.answer_after(machine_at_once));
    let auto_answer_at = auto_answer_after.map(|after| Instant::now() + after);
    let (forward_to, forward_at) = match no_answer_forward {
        Some((target, after)) => (Some(target), Some(Instant::now() + after)),
        None => (None, None),
    };
    if let Err(e) = dialog.open() {
        dialog.reject(500).await;
        return call
            .end(&format!("cannot take the call: {e}"), Some(500))
            .await;
    }
    if let Err(e) = call.bind_media() {
        dialog.reject(503).await;
        return call.end(&e.to_string(), Some(503)).await;
    }
    let Some(local) = call.local_media(Direction::SendRecv) else {
        dialog.reject(503).await;
        return call.end("no RTP port", Some(503)).await;
    };
    // With no offer in the INVITE we offer in the 200 and the answer comes in the ACK.
    let (body, mut negotiated): (String, Option<NegotiatedMedia>) = if offer.trim().is_empty() {
        (call.sdp.create_offer(&local), None)
    } else {
        match call.sdp.answer_offer(&offer, &local) {
            Ok((answer, negotiated)) => (answer, Some(negotiated)),
            Err(e) => {
                let code = e.sip_status();
                dialog.reject(code).await;
                return call
                    .end(&format!("the caller's SDP is unusable: {e}"), Some(code))
                    .await;
            }
        }
    };

    call.note_dialog(&dialog);
    let mut ringtone = None;
    let mut answered = false;
    if let Some(old) = replacing {
        answered = true;
        // The far end of the replaced call may hang up as soon as it sees our 200.
        call.env.calls.expect_hand_over(old, Some("replaced"));
        if let Err(e) = answer(&mut call, &mut dialog, &body, negotiated.as_ref()) {
            return call.end(&e, None).await;
        }
    } else {
        if let Err(e) = dialog.ringing() {
            tracing::warn!(call = %id, error = %e, "180 Ringing failed");
        }
        call.emit(Event::IncomingCall {
            call: id,
            account: call.env.account.clone(),
            from: from.clone(),
            name: name.clone(),
        });
        // During another call: soft beeps in the earpiece, not the ringtone on the speaker.
        // Under do not disturb the machine answers at once: nothing rings.
        ringtone = if machine_at_once || auto_answer_after.is_some_and(|a| a.is_zero()) {
            None
        } else if call.env.calls.another_in_progress(id) {
            call.backend.call_waiting()
        } else {
            call.backend.ringtone()
        };
    }
    loop {
        tokio::select! {
            _ = sleep_until(auto_answer_at.unwrap_or_else(Instant::now)), if auto_answer_at.is_some() && !answered => {
                tracing::info!(call = %id, "answered by itself");
                answered = true;
                drop(ringtone.take());
                if let Err(e) = answer(&mut call, &mut dialog, &body, negotiated.as_ref()) {
                    return call.end(&e, None).await;
                }
            }
            _ = sleep_until(forward_at.unwrap_or_else(Instant::now)), if forward_at.is_some() && !answered => {
                let target = forward_to.clone().unwrap_or_default();
                tracing::info!(call = %id, "not answered: forwarded");
                drop(ringtone.take());
                dialog.redirect(target).await;
                return call.end("forwarded", Some(302)).await;
            }
            _ = sleep_until(machine_at.unwrap_or_else(Instant::now)), if machine_at.is_some() && !answered => {
                if call.take_by_machine() {
                    answered = true;
                    drop(ringtone.take());
                    if let Err(e) = answer(&mut call, &mut dialog, &body, negotiated.as_ref()) {
                        return call.end(&e, None).await;
                    }
                }
            }
            command = commands.recv() => match command {
                Some(CallCommand::Answer) if !answered => {
                    answered = true;
                    drop(ringtone.take());
                    if let Err(e) = answer(&mut call, &mut dialog, &body, negotiated.as_ref()) {
                        return call.end(&e, None).await;
                    }
                }
                Some(CallCommand::Answer) => {}
                Some(CallCommand::SetDevices { input, output }) => call.switch_devices(input, output),
                Some(CallCommand::Decline(reason)) if !answered => {
                    let (code, text) = match reason {
                        DeclineReason::Busy => (486, "busy"),
                        DeclineReason::Decline => (603, "declined"),
                    };
                    dialog.reject(code).await;
                    return call.end(text, Some(code)).await;
                }
                Some(CallCommand::Hangup) | None if !answered => {
                    dialog.reject(603).await;
                    return call.end("declined", Some(603)).await;
                }
                Some(CallCommand::HandedOver { reason }) if !answered => {
                    dialog.reject(487).await;
                    return call.end(reason, Some(487)).await;
                }
                // Answered, waiting for the ACK: hanging up (or declining) sends BYE.
                Some(CallCommand::Hangup | CallCommand::Decline(_) | CallCommand::HandedOver { .. }) | None => {
                    let _ = dialog.bye().await;
                    return call.end("local hangup", None).await;
                }
                Some(CallCommand::Mute(muted)) if answered => {
                    if let Some(media) = call.media.as_mut() {
                        media.set_muted(muted);
                    }
                }
                Some(CallCommand::NetworkChanged { .. }) => {}
                // Keys, hold and mute need a call that is up: say so, and leave the call alone.
                Some(CallCommand::Mute(_) | CallCommand::Dtmf(_) | CallCommand::Hold | CallCommand::Resume | CallCommand::Transfer(_) | CallCommand::TransferReplacing { .. } | CallCommand::JoinConference(_) | CallCommand::LeaveConference { .. } | CallCommand::Record(_) | CallCommand::Park { .. }) => {
                    call.not_connected();
                }
            },
            event = dialog.next_event() => match event {
                Some(DialogEvent::Confirmed { ack_sdp }) if answered => {
                    if negotiated.is_none() {
                        negotiated = answer_from_ack(&mut call, &local, ack_sdp.as_deref());
                        if let Some(n) = &negotiated {
                            call.start_media(n);
                        }
                    }
                    let state = call.machine_state().unwrap_or_else(|| {
                        negotiated.as_ref().map_or(CallState::Connected, Call::<M>::state_for)
                    });
                    match replacing {
                        Some(old) => took_the_place_of(&mut call, old, state, &from, name.clone()),
                        None => call.set_state(state),
                    }
                    return confirmed::run(call, dialog, commands).await;
                }
                Some(DialogEvent::Terminated(reason)) => {
                    let (text, code) = reason.describe();
                    return call.end(text, code).await;
                }
                Some(DialogEvent::Request { request, method }) => {
                    answer_early_request(&mut dialog, request, Some(method)).await;
                }
                Some(DialogEvent::RemoteOffer { request, .. } | DialogEvent::Referred { request, .. }) => {
                    answer_early_request(&mut dialog, request, None).await;
                }
                None => return call.end("dialog lost", None).await,
                Some(other) => tracing::debug!(call = %id, ?other, "ignored before the ACK"),
            },
        }
    }
}

/// 200 with our SDP; the audio starts when the offer was the caller's.
fn answer<D: IncomingDialog, M: MediaBackend>(
    call: &mut Call<M>,
    dialog: &mut D,
    body: &str,
    negotiated: Option<&NegotiatedMedia>,
) -> Result<(), String> {
    dialog
        .accept(body.to_string())
        .map_err(|e| format!("cannot answer: {e}"))?;
    call.log.answered = Some(std::time::SystemTime::now());
    call.env.calls.set_answered(call.id);
    if let Some(n) = negotiated {
        call.start_media(n);
    }
    Ok(())
}

/// The call is up in the place of call `old` (the far end of an attended transfer
/// replaced it): say so with who is on the line, and hand `old` over.
fn took_the_place_of<M: MediaBackend>(
    call: &mut Call<M>,
    old: CallId,
    state: CallState,
    from: &str,
    name: Option<String>,
) {
    call.state = state;
    let events = &call.env.events;
    let event = Event::CallState {
        call: call.id,
        state,
        account: Some(call.env.account.clone()),
        remote: Some(from.to_string()),
        name,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: Some(old),
    };
    call.env.calls.set_state_announced(call.id, state, || {
        let _ = events.send(event);
    });
    tracing::info!(call = %call.id, replaced = %old, "call replaced");
    call.env.calls.hand_over(old, "replaced");
}

fn answer_from_ack<M: MediaBackend>(
    call: &mut Call<M>,
    local: &LocalMedia,
    ack_sdp: Option<&str>,
) -> Option<NegotiatedMedia> {
    call.sdp
        .apply_answer(local, ack_sdp?)
        .map_err(|e| tracing::info!(error = %e, "no usable answer in the ACK"))
        .ok()
}
