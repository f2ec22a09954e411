//! Incoming calls below the socket: ringing, answer and ACK, the caller's CANCEL, refusals,
//! and which INVITEs become calls at all.

use super::admission::{take_incoming_call, Line};
use super::dialog::DialogEvent::*;
use super::dialog::{EndReason, IncomingInvite};
use super::fake::*;
use crate::api::RefusalReason;
use crate::api::{AccountId, CallDirection, CallId, CallState, DeclineReason, ErrorKind, Event};
use crate::config::AudioConfig;
use crate::store::Region;
use crate::ua::account::{Shared, MAX_CALLS};
use crate::ua::calls::CallCommand;

fn is_media(event: &Event) -> bool {
    matches!(event, Event::Media { .. })
}

#[tokio::test(start_paused = true)]
async fn an_incoming_call_rings_is_answered_and_connects_on_the_ack() {
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let Event::IncomingCall {
        call, from, name, ..
    } = t.event().await
    else {
        panic!("incoming_call first")
    };
    assert_eq!(call, t.call);
    assert_eq!(from, "sip:carol@example.com");
    assert_eq!(name.as_deref(), Some("Carol"));
    assert_eq!(t.media.log().tones, ["ringtone"]);

    t.command(CallCommand::Answer);
    let Sent::Accept(answer) = t.far.next().await else {
        panic!("200 OK")
    };
    assert!(answer.contains("m=audio 40000 RTP/AVP 0"), "{answer}");
    t.event_where(is_media).await;
    assert_eq!(t.media.log().tones, ["ringtone", "ringtone stopped"]);
    // Answered, but connected only once the ACK comes.
    assert_eq!(t.calls.snapshot()[0].state, CallState::Incoming);
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Connected);

    t.command(CallCommand::Hangup);
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("local hangup", None));
    assert!(t.media.log().dropped);
}

#[tokio::test(start_paused = true)]
async fn the_caller_cancelling_while_it_rings_ends_it_cancelled_by_caller_487() {
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    t.far.send(Terminated(EndReason::CallerCancelled));
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("cancelled by caller", Some(487)));
    assert_eq!(t.media.log().tones, ["ringtone", "ringtone stopped"]);
    assert_eq!(t.far.taken(), [Sent::Open, Sent::Ringing]);
}

#[tokio::test(start_paused = true)]
async fn declining_sends_603_busy_sends_486_and_hangup_while_ringing_declines() {
    for (command, sent, reason) in [
        (
            CallCommand::Decline(DeclineReason::Decline),
            603,
            "declined",
        ),
        (CallCommand::Decline(DeclineReason::Busy), 486, "busy"),
        (CallCommand::Hangup, 603, "declined"),
    ] {
        let mut t = incoming(&far_sdp(1, "sendrecv"));
        t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
            .await;
        t.command(command);
        let (ended, code, _) = t.ended().await;
        assert_eq!((ended.as_str(), code), (reason, Some(sent)));
        assert_eq!(
            t.far.taken(),
            [Sent::Open, Sent::Ringing, Sent::Reject(sent)]
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_offerless_invite_gets_our_offer_and_the_answer_comes_in_the_ack() {
    let mut t = incoming("");
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    t.command(CallCommand::Answer);
    t.far.next().await;
    t.far.next().await;
    let Sent::Accept(offer) = t.far.next().await else {
        panic!("200 OK")
    };
    assert_eq!(direction_of(&offer), "sendrecv");
    assert!(
        offer.contains("a=rtpmap:111 opus/48000/2"),
        "all codecs offered: {offer}"
    );
    t.far.send(Confirmed {
        ack_sdp: Some(far_sdp(1, "sendrecv")),
    });
    let (_, before) = t
        .event_where(|e| {
            matches!(
                e,
                Event::CallState {
                    state: CallState::Connected,
                    ..
                }
            )
        })
        .await;
    assert!(before.iter().any(is_media), "audio from the ACK's answer");
}

#[tokio::test(start_paused = true)]
async fn a_far_end_holding_in_its_invite_connects_as_held() {
    let mut t = incoming(&far_sdp(1, "sendonly"));
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    t.command(CallCommand::Answer);
    let sent = [t.far.next().await, t.far.next().await, t.far.next().await];
    let Sent::Accept(answer) = &sent[2] else {
        panic!("{sent:?}")
    };
    assert_eq!(direction_of(answer), "recvonly");
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Held);
}

#[tokio::test(start_paused = true)]
async fn an_unusable_offer_is_refused_with_488_before_ringing() {
    let sdp = far_sdp(1, "sendrecv").replace("RTP/AVP 0 101", "RTP/AVP 34");
    let mut t = incoming(&sdp);
    let (reason, code, before) = t.ended().await;
    assert!(
        reason.starts_with("the caller's SDP is unusable"),
        "{reason}"
    );
    assert_eq!(code, Some(488));
    assert_eq!(t.far.taken(), [Sent::Open, Sent::Reject(488)]);
    assert!(before.is_empty(), "no incoming_call: {before:?}");
}

#[tokio::test(start_paused = true)]
async fn no_ack_after_our_answer_ends_the_call() {
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    t.command(CallCommand::Answer);
    t.far.send(Terminated(EndReason::Timeout));
    let (reason, code, _) = t.ended().await;
    assert_eq!(
        (reason.as_str(), code),
        ("no answer from the far end", Some(408))
    );
}

#[tokio::test(start_paused = true)]
async fn hanging_up_before_the_ack_sends_bye() {
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    t.command(CallCommand::Answer);
    t.command(CallCommand::Hangup);
    let (reason, _, _) = t.ended().await;
    assert_eq!(reason, "local hangup");
    let sent = t.far.taken();
    assert!(matches!(sent[2], Sent::Accept(_)), "{sent:?}");
    assert_eq!(sent[3..], [Sent::Bye]);
}

#[tokio::test(start_paused = true)]
async fn keys_and_hold_while_ringing_are_refused_and_it_keeps_ringing() {
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    t.command(CallCommand::Dtmf("1".into()));
    t.command(CallCommand::Hold);
    let first = t.event().await;
    let second = t.event().await;
    assert_eq!(
        errors(&[first, second])
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        [ErrorKind::CallNotConnected, ErrorKind::CallNotConnected]
    );
    t.far.send(Terminated(EndReason::CallerCancelled));
    t.ended().await;
}

#[tokio::test(start_paused = true)]
async fn a_dialog_the_stack_cannot_make_gets_500() {
    let (dialog, far) = dialog();
    let mut t = incoming_with(
        &far_sdp(1, "sendrecv"),
        dialog.failing_open(),
        far,
        FakeBackend::default(),
    );
    let (reason, code, _) = t.ended().await;
    assert_eq!(
        (reason.as_str(), code),
        ("cannot take the call: no dialog for you", Some(500))
    );
    assert_eq!(t.far.taken(), [Sent::Reject(500)]);
}

#[tokio::test(start_paused = true)]
async fn no_rtp_port_gets_503() {
    let (dialog, far) = dialog();
    let mut t = incoming_with(
        &far_sdp(1, "sendrecv"),
        dialog,
        far,
        FakeBackend::failing_bind(),
    );
    let (_, code, _) = t.ended().await;
    assert_eq!(code, Some(503));
    assert_eq!(t.far.taken(), [Sent::Open, Sent::Reject(503)]);
}

/// A line with `busy` calls already going.
fn line_with_calls(busy: usize) -> (Shared, tokio::sync::mpsc::UnboundedReceiver<Event>) {
    let (events_tx, events) = tokio::sync::mpsc::unbounded_channel();
    let shared = Shared::new(events_tx, AudioConfig::default(), vec![]);
    for n in 0..busy {
        let _ = shared.calls.insert(
            CallId(1000 + n as u64),
            AccountId::new("alice"),
            CallDirection::Outgoing,
            "sip:someone@example.com".into(),
            CallState::Connected,
        );
    }
    (shared, events)
}

fn invite() -> IncomingInvite {
    IncomingInvite {
        from: "sip:carol@example.com".into(),
        display_name: Some("Carol".into()),
        sdp: far_sdp(1, "sendrecv"),
        replaces: None,
    }
}

async fn offer_call(shared: &Shared) -> (FarEnd, FakeBackend, bool) {
    let (dialog, far) = dialog();
    let media = FakeBackend::default();
    let account = AccountId::new("alice");
    let line = Line {
        account: &account,
        shared,
        region: Region::US,
        machine_under_dnd: false,
    };
    let started = std::cell::Cell::new(false);
    let backend = media.clone();
    take_incoming_call(line, dialog, invite(), || {
        started.set(true);
        let (env, _line) = env(shared.events.clone(), shared.calls.clone());
        Some((env, backend))
    })
    .await;
    (far, media, started.get())
}

#[tokio::test(start_paused = true)]
async fn the_17th_invite_gets_486_without_a_call_task() {
    let (shared, mut events) = line_with_calls(MAX_CALLS);
    let (mut far, _, started) = offer_call(&shared).await;
    assert!(!started, "no call task");
    assert_eq!(far.next().await, Sent::Reject(486));
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    assert_eq!(far.taken(), []);
    assert_eq!(shared.calls.ids().len(), MAX_CALLS);
    assert!(events.try_recv().is_err(), "nothing to tell");
}

#[tokio::test(start_paused = true)]
async fn the_16th_invite_becomes_a_ringing_call() {
    let (shared, mut events) = line_with_calls(MAX_CALLS - 1);
    let (mut far, _, started) = offer_call(&shared).await;
    assert!(started);
    assert_eq!(far.next().await, Sent::Open);
    assert_eq!(far.next().await, Sent::Ringing);
    let event = events.recv().await.expect("incoming_call");
    assert!(
        matches!(&event, Event::IncomingCall { from, name, .. }
            if from == "sip:carol@example.com" && name.as_deref() == Some("Carol")),
        "{event:?}"
    );
    assert_eq!(shared.calls.ids().len(), MAX_CALLS);
}

#[tokio::test(start_paused = true)]
async fn do_not_disturb_refuses_with_486_and_says_so() {
    let (shared, mut events) = line_with_calls(0);
    shared.set_do_not_disturb(true);
    let (mut far, _, started) = offer_call(&shared).await;
    assert!(!started);
    assert_eq!(far.next().await, Sent::Reject(486));
    let event = events.recv().await.expect("call_refused");
    assert_eq!(
        event,
        Event::CallRefused {
            account: AccountId::new("alice"),
            from: "sip:carol@example.com".into(),
            name: Some("Carol".into()),
            reason: RefusalReason::DoNotDisturb,
            forwarded_to: None,
        }
    );
    assert!(shared.calls.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_call_arriving_during_another_beeps_instead_of_ringing() {
    for (other, tone) in [
        (CallState::Connected, "call waiting"),
        (CallState::OnHold, "call waiting"),
        (CallState::Ringing, "ringtone"),
    ] {
        let mut t = incoming_beside(other, &far_sdp(1, "sendrecv"));
        t.event().await;
        assert_eq!(t.media.log().tones, [tone], "beside a call {other:?}");
    }
}
