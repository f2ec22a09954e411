//! Established calls below the socket: our hold and resume with 491 glare on the paused clock,
//! the far end's re-INVITEs, BYE while a re-INVITE is pending, in-dialog requests, media events.

use super::dialog::DialogEvent::*;
use super::dialog::{EndReason, InDialogMethod, ReInviteFailure};
use super::fake::*;
use crate::api::{CallState, ErrorKind, Event};
use crate::ua::calls::CallCommand;
use parla_media::MediaEvent;
use std::time::Duration;

/// A call we placed, answered and connected; nothing sent since the INVITE.
async fn connected_outgoing() -> Harness {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.state().await, CallState::Connected);
    t
}

/// A call we received, answered and ACKed; nothing sent since the 200.
async fn connected_incoming() -> Harness {
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    t.command(CallCommand::Answer);
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    assert!(matches!(t.far.next().await, Sent::Accept(_)));
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Connected);
    t
}

fn ok(sdp: String) -> super::dialog::DialogEvent {
    ReInviteAnswered {
        code: 200,
        reason: "OK".into(),
        sdp: Some(sdp),
    }
}

fn pending_491() -> super::dialog::DialogEvent {
    ReInviteAnswered {
        code: 491,
        reason: "Request Pending".into(),
        sdp: None,
    }
}

async fn reinvite(t: &mut Harness) -> (tokio::time::Instant, String) {
    match t.far.next_at().await {
        (at, Sent::ReInvite(offer)) => (at, offer),
        (_, other) => panic!("expected a re-INVITE, got {other:?}"),
    }
}

/// The far end's re-INVITE `request` with `sdp`, and the SDP of our 200 to it.
async fn answered(t: &mut Harness, request: u64, sdp: String) -> String {
    t.far.send(RemoteOffer {
        request,
        sdp: Some(sdp),
    });
    match t.far.next().await {
        Sent::Respond {
            request: r,
            code: 200,
            sdp: Some(answer),
        } if r == request => answer,
        other => panic!("200 with our answer to {request}, got {other:?}"),
    }
}

fn origin_version(sdp: &str) -> u64 {
    let origin = sdp.lines().find(|l| l.starts_with("o=")).expect("o=");
    origin
        .split(' ')
        .nth(2)
        .expect("version")
        .parse()
        .expect("number")
}

#[tokio::test(start_paused = true)]
async fn our_hold_and_resume_are_reinvites_with_sendonly_then_sendrecv() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "sendonly");
    t.far.send(ok(far_sdp(2, "recvonly")));
    assert_eq!(t.state().await, CallState::OnHold);
    assert!(t.media.log().local_hold);

    t.command(CallCommand::Resume);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "sendrecv");
    t.far.send(ok(far_sdp(3, "sendrecv")));
    assert_eq!(t.state().await, CallState::Connected);
    assert!(!t.media.log().local_hold);
    assert_eq!(errors(&t.pending_events()), []);
}

#[tokio::test(start_paused = true)]
async fn our_hold_gets_491_and_is_retried_after_2_1_to_4_s_on_a_call_we_placed() {
    for _ in 0..5 {
        let mut t = connected_outgoing().await;
        t.command(CallCommand::Hold);
        let (sent, first) = reinvite(&mut t).await;
        t.far.send(pending_491());
        let (retried, second) = reinvite(&mut t).await;
        let waited = retried - sent;
        assert!(
            waited >= Duration::from_millis(2100) && waited <= Duration::from_millis(4000),
            "waited {waited:?}"
        );
        assert_eq!(second, first, "the same offer again");
        t.far.send(ok(far_sdp(2, "recvonly")));
        let (_, before) = t
            .event_where(|e| {
                matches!(
                    e,
                    Event::CallState {
                        state: CallState::OnHold,
                        ..
                    }
                )
            })
            .await;
        assert_eq!(errors(&before), [], "nothing odd to report");
    }
}

#[tokio::test(start_paused = true)]
async fn on_a_call_we_received_the_glare_wait_is_under_2_s() {
    for _ in 0..5 {
        let mut t = connected_incoming().await;
        t.command(CallCommand::Hold);
        let (sent, _) = reinvite(&mut t).await;
        t.far.send(pending_491());
        let (retried, _) = reinvite(&mut t).await;
        assert!(
            retried - sent <= Duration::from_secs(2),
            "waited {:?}",
            retried - sent
        );
        t.far.send(ok(far_sdp(2, "recvonly")));
        assert_eq!(t.state().await, CallState::OnHold);
    }
}

#[tokio::test(start_paused = true)]
async fn three_491s_give_up_and_say_the_hold_failed() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    for _ in 0..3 {
        reinvite(&mut t).await;
        t.far.send(pending_491());
    }
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    let [(kind, message)] = errors(&[error]).try_into().expect("one error");
    assert_eq!(kind, ErrorKind::HoldFailed);
    assert!(message.contains("491"), "{message}");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(t.far.taken(), [], "no fourth re-INVITE");
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);
}

#[tokio::test(start_paused = true)]
async fn bye_from_the_far_end_while_our_reinvite_is_pending_ends_the_call_quietly() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    t.far.send(Terminated(EndReason::RemoteHangup));
    let (reason, code, before) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("remote hangup", None));
    assert_eq!(errors(&before), [], "the pending hold reports nothing");
    assert!(
        !before.iter().any(|e| matches!(
            e,
            Event::CallState {
                state: CallState::OnHold,
                ..
            }
        )),
        "{before:?}"
    );
    assert_eq!(t.far.taken(), [], "no BYE of ours");
}

#[tokio::test(start_paused = true)]
async fn bye_from_the_far_end_during_the_glare_wait_ends_the_call() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    t.far.send(pending_491());
    t.settle().await;
    t.far.send(Terminated(EndReason::RemoteHangup));
    let (reason, _, before) = t.ended().await;
    assert_eq!(reason, "remote hangup");
    assert_eq!(errors(&before), []);
    assert_eq!(t.far.taken(), [], "no retry after the end");
}

#[tokio::test(start_paused = true)]
async fn a_reinvite_from_the_far_end_while_ours_is_pending_gets_491() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    t.far.send(RemoteOffer {
        request: 1,
        sdp: Some(far_sdp(2, "sendonly")),
    });
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request: 1,
            code: 491,
            sdp: None
        }
    );
    t.far.send(ok(far_sdp(2, "recvonly")));
    assert_eq!(t.state().await, CallState::OnHold);
}

#[tokio::test(start_paused = true)]
async fn an_offer_answered_during_the_glare_wait_makes_the_retry_a_newer_offer() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    let (_, first) = reinvite(&mut t).await;
    t.far.send(pending_491());
    t.settle().await;
    // Ours is not under way while we wait: the far end's re-INVITE is answered.
    let answer = answered(&mut t, 1, far_sdp(2, "sendrecv")).await;
    let (_, second) = reinvite(&mut t).await;
    assert!(origin_version(&answer) > origin_version(&first));
    assert!(origin_version(&second) > origin_version(&answer));
    assert_eq!(direction_of(&second), "sendonly");
}

#[tokio::test(start_paused = true)]
async fn the_far_end_holds_with_sendonly_then_resumes_with_sendrecv() {
    let mut t = connected_incoming().await;
    let answer = answered(&mut t, 1, far_sdp(2, "sendonly")).await;
    assert_eq!(direction_of(&answer), "recvonly");
    assert_eq!(t.state().await, CallState::Held);

    let answer = answered(&mut t, 2, far_sdp(3, "sendrecv")).await;
    assert_eq!(direction_of(&answer), "sendrecv");
    assert_eq!(t.state().await, CallState::Connected);
    assert_eq!(t.media.log().applied.len(), 3, "the answer, hold, resume");
}

#[tokio::test(start_paused = true)]
async fn while_we_hold_our_answers_say_we_do_not_receive() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "sendonly");
    t.far.send(ok(far_sdp(2, "recvonly")));
    assert_eq!(t.state().await, CallState::OnHold);
    // A refresh from the far end: still held by us, so sendonly, not sendrecv.
    let answer = answered(&mut t, 1, far_sdp(3, "sendrecv")).await;
    assert_eq!(direction_of(&answer), "sendonly");
    // The far end holds us too: nobody sends.
    let answer = answered(&mut t, 2, far_sdp(4, "sendonly")).await;
    assert_eq!(direction_of(&answer), "inactive");
    assert!(t.media.log().local_hold);
    assert!(
        !t.pending_events()
            .iter()
            .any(|e| matches!(e, Event::CallState { .. })),
        "still on hold by us: no state change"
    );
    // We resume while they still hold us: recvonly, and the call shows their hold.
    t.command(CallCommand::Resume);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "recvonly");
    t.far.send(ok(far_sdp(5, "sendonly")));
    assert_eq!(t.state().await, CallState::Held);
    assert!(!t.media.log().local_hold);
    assert_eq!(errors(&t.pending_events()), []);
}

#[tokio::test(start_paused = true)]
async fn holding_a_call_the_far_end_holds_offers_inactive() {
    let mut t = connected_incoming().await;
    let answer = answered(&mut t, 1, far_sdp(2, "sendonly")).await;
    assert_eq!(direction_of(&answer), "recvonly");
    assert_eq!(t.state().await, CallState::Held);
    t.command(CallCommand::Hold);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "inactive");
    t.far.send(ok(far_sdp(3, "inactive")));
    assert_eq!(t.state().await, CallState::OnHold);
}

#[tokio::test(start_paused = true)]
async fn an_offerless_reinvite_gets_our_offer_in_the_200() {
    let mut t = connected_outgoing().await;
    t.far.send(RemoteOffer {
        request: 4,
        sdp: None,
    });
    let Sent::Respond {
        request: 4,
        code: 200,
        sdp: Some(offer),
    } = t.far.next().await
    else {
        panic!("200 with our offer")
    };
    assert_eq!(direction_of(&offer), "sendrecv");
    // The answer in the ACK holds us: it is applied.
    t.far.send(Confirmed {
        ack_sdp: Some(far_sdp(2, "sendonly")),
    });
    assert_eq!(t.state().await, CallState::Held);
    let applied = t.media.log().applied.last().cloned().expect("applied");
    assert!(applied.remote_on_hold, "{applied:?}");
}

#[tokio::test(start_paused = true)]
async fn an_unusable_offer_from_the_far_end_gets_488_and_the_call_goes_on() {
    let mut t = connected_outgoing().await;
    t.far.send(RemoteOffer {
        request: 1,
        sdp: Some(far_sdp(2, "sendrecv").replace("RTP/AVP 0 101", "RTP/AVP 34")),
    });
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request: 1,
            code: 488,
            sdp: None
        }
    );
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);
}

#[tokio::test(start_paused = true)]
async fn a_refused_or_failed_hold_is_reported_and_the_call_stays_connected() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    t.far.send(ReInviteAnswered {
        code: 488,
        reason: "Not Acceptable Here".into(),
        sdp: None,
    });
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(
        errors(&[error]),
        [(
            ErrorKind::HoldFailed,
            format!(
                "call {}: the far end refused (488 Not Acceptable Here)",
                t.call
            )
        )]
    );

    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    t.far
        .send(ReInviteFailed(ReInviteFailure::Error("timed out".into())));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(
        errors(&[error]),
        [(
            ErrorKind::HoldFailed,
            format!("call {}: re-INVITE failed: timed out", t.call)
        )]
    );
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);
    assert!(!t.media.log().local_hold);
}

#[tokio::test(start_paused = true)]
async fn a_481_or_408_to_our_reinvite_ends_the_call() {
    for (code, reason) in [
        (481, "Call/Transaction Does Not Exist"),
        (408, "Request Timeout"),
    ] {
        let mut t = connected_outgoing().await;
        t.command(CallCommand::Hold);
        reinvite(&mut t).await;
        t.far.send(ReInviteAnswered {
            code,
            reason: reason.into(),
            sdp: None,
        });
        assert_eq!(t.far.next().await, Sent::Bye, "{code}");
        let (_, ended_code, _) = t.ended().await;
        assert_eq!(ended_code, Some(code));
    }
}

#[tokio::test(start_paused = true)]
async fn hold_and_resume_while_one_is_pending_wait_their_turn() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    t.command(CallCommand::Resume);
    t.settle().await;
    assert_eq!(t.far.taken(), [], "one re-INVITE at a time");
    t.far.send(ok(far_sdp(2, "recvonly")));
    assert_eq!(t.state().await, CallState::OnHold);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "sendrecv");
    t.far.send(ok(far_sdp(3, "sendrecv")));
    assert_eq!(t.state().await, CallState::Connected);
}

#[tokio::test(start_paused = true)]
async fn a_hold_asked_twice_sends_one_reinvite() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    // Asked again while the first is pending (the window's button and a second call's
    // one-active-call rule), and a resume then a hold: the last wish is the pending one.
    t.command(CallCommand::Hold);
    t.command(CallCommand::Resume);
    t.command(CallCommand::Hold);
    t.settle().await;
    t.far.send(ok(far_sdp(2, "recvonly")));
    assert_eq!(t.state().await, CallState::OnHold);
    // And once held, another hold changes nothing.
    t.command(CallCommand::Hold);
    t.settle().await;
    assert_eq!(t.far.taken(), [], "no second re-INVITE");
}

#[tokio::test(start_paused = true)]
async fn in_dialog_requests_get_200_or_501() {
    let mut t = connected_outgoing().await;
    for (request, method, code) in [
        (1, InDialogMethod::Options, 200),
        (2, InDialogMethod::Info, 200),
        (3, InDialogMethod::Notify, 200),
        (4, InDialogMethod::Message, 200),
        (5, InDialogMethod::Publish, 501),
    ] {
        t.far.send(Request { request, method });
        assert_eq!(
            t.far.next().await,
            Sent::Respond {
                request,
                code,
                sdp: None
            },
            "{method:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn no_rtp_from_the_far_end_ends_the_call_with_bye() {
    let mut t = connected_incoming().await;
    t.media.emit(MediaEvent::RtpTimeout);
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("no audio from the far end", None));
}

#[tokio::test(start_paused = true)]
async fn keys_mute_devices_and_the_far_ends_digits() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Dtmf("12#".into()));
    t.command(CallCommand::Dtmf("1x".into()));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    let [(kind, message)] = errors(&[error]).try_into().expect("one error");
    assert_eq!(kind, ErrorKind::DtmfFailed);
    assert!(
        message.contains("DTMF not sent") && message.contains("'x'"),
        "{message}"
    );
    assert_eq!(t.media.log().dtmf, ["12#"]);

    t.command(CallCommand::Mute(true));
    t.command(CallCommand::SetDevices {
        input: None,
        output: Some("headset".into()),
    });
    let (devices, _) = t
        .event_where(|e| matches!(e, Event::CallDevices { .. }))
        .await;
    assert_eq!(
        devices,
        Event::CallDevices {
            call: t.call,
            input: "default".into(),
            output: "headset".into()
        }
    );
    assert!(t.media.log().muted);

    t.media.emit(MediaEvent::Dtmf('5'));
    let (digit, _) = t.event_where(|e| matches!(e, Event::Dtmf { .. })).await;
    assert_eq!(
        digit,
        Event::Dtmf {
            call: t.call,
            digit: "5".into()
        }
    );

    t.command(CallCommand::Answer);
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(errors(&[error])[0].0, ErrorKind::CannotAnswer);
    assert_eq!(t.far.taken(), [], "none of it is SIP");
}

#[tokio::test(start_paused = true)]
async fn a_network_change_offers_the_audio_again_in_a_reinvite() {
    let mut t = connected_outgoing().await;
    let (from, to) = (
        "192.0.2.10".parse().expect("ip"),
        "192.0.2.11".parse().expect("ip"),
    );
    t.command(CallCommand::NetworkChanged { from, to });
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "sendrecv");
    assert!(origin_version(&offer) > 1, "a new version of our SDP");
    t.far.send(ok(far_sdp(2, "sendrecv")));
    t.settle().await;
    // Still connected: no state change, no error, nothing more sent.
    assert_eq!(errors(&t.pending_events()), []);
    assert_eq!(t.far.taken(), []);
}

#[tokio::test(start_paused = true)]
async fn a_network_change_during_our_hold_is_offered_after_it_still_held() {
    let mut t = connected_outgoing().await;
    t.command(CallCommand::Hold);
    reinvite(&mut t).await;
    let (from, to) = (
        "192.0.2.10".parse().expect("ip"),
        "192.0.2.11".parse().expect("ip"),
    );
    t.command(CallCommand::NetworkChanged { from, to });
    t.settle().await;
    assert_eq!(t.far.taken(), [], "one re-INVITE at a time");
    t.far.send(ok(far_sdp(2, "recvonly")));
    assert_eq!(t.state().await, CallState::OnHold);
    let (_, offer) = reinvite(&mut t).await;
    assert_eq!(direction_of(&offer), "sendonly", "still held");
    t.far.send(ok(far_sdp(3, "recvonly")));
    t.settle().await;
    assert_eq!(errors(&t.pending_events()), []);
    assert!(t.media.log().local_hold);
}
