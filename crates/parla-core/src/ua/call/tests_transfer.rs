//! Blind transfer below the socket on the paused clock: REFER, its response, the NOTIFYs of
//! its subscription, the 32 s wait for the first NOTIFY, and hold asked meanwhile.

use super::dialog::DialogEvent::*;
use super::fake::*;
use crate::api::{CallState, ErrorKind, Event, TransferState};
use crate::ua::calls::CallCommand;
use std::time::Duration;

/// A call we placed, answered and connected; nothing sent since the INVITE.
async fn connected() -> Harness {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.state().await, CallState::Connected);
    t
}

/// Transfers to `to` and returns the REFER's target.
async fn refer(t: &mut Harness, to: &str) -> String {
    t.command(CallCommand::Transfer(to.into()));
    match t.far.next().await {
        Sent::Refer(target) => target,
        other => panic!("expected a REFER, got {other:?}"),
    }
}

/// The far end NOTIFYs `status` as request `request`; we answer 200.
async fn notify(t: &mut Harness, request: u64, status: u16, terminated: bool) {
    t.far.send(ReferNotify {
        request,
        status: Some(status),
        terminated,
        orbit: None,
    });
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request,
            code: 200,
            sdp: None
        }
    );
}

/// The next `transfer` event: its state and code.
async fn transfer_event(t: &mut Harness) -> (TransferState, Option<u16>) {
    let (event, _) = t.event_where(|e| matches!(e, Event::Transfer { .. })).await;
    match event {
        Event::Transfer { state, code, .. } => (state, code),
        _ => unreachable!(),
    }
}

fn connected_still(t: &Harness) {
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);
    assert!(!t.task.is_finished(), "the call goes on");
}

#[tokio::test(start_paused = true)]
async fn accepted_then_trying_ringing_succeeded_ends_the_call_as_transferred() {
    let mut t = connected().await;
    assert_eq!(
        refer(&mut t, "sip:carol@example.com").await,
        "sip:carol@example.com"
    );
    t.far.send(ReferAnswered { code: 202 });
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Trying, Some(202))
    );
    notify(&mut t, 1, 100, false).await;
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Trying, Some(100))
    );
    notify(&mut t, 2, 180, false).await;
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Ringing, Some(180))
    );
    notify(&mut t, 3, 200, true).await;
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Succeeded, Some(200))
    );
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, code, before) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("transferred", None));
    assert_eq!(errors(&before), []);
}

#[tokio::test(start_paused = true)]
async fn a_number_is_read_as_the_line_dials_it() {
    let mut t = connected().await;
    assert_eq!(refer(&mut t, "carol").await, "sip:carol@example.com");
}

#[tokio::test(start_paused = true)]
async fn a_refer_refused_with_405_fails_and_the_call_stays_connected() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.far.send(ReferAnswered { code: 405 });
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Failed, Some(405))
    );
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    let [(kind, message)] = errors(&[error]).try_into().expect("one error");
    assert_eq!(kind, ErrorKind::TransferFailed);
    assert!(message.contains("405"), "{message}");
    t.settle().await;
    connected_still(&t);
    assert_eq!(t.far.taken(), [], "no BYE");
    // And the call can be transferred again.
    refer(&mut t, "sip:dave@example.com").await;
}

#[tokio::test(start_paused = true)]
async fn a_notify_486_fails_with_486_and_the_call_stays_connected() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.far.send(ReferAnswered { code: 202 });
    assert_eq!(transfer_event(&mut t).await.0, TransferState::Trying);
    notify(&mut t, 1, 100, false).await;
    assert_eq!(transfer_event(&mut t).await.0, TransferState::Trying);
    notify(&mut t, 2, 486, true).await;
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Failed, Some(486))
    );
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(errors(&[error])[0].0, ErrorKind::TransferFailed);
    t.settle().await;
    connected_still(&t);
    assert_eq!(t.far.taken(), [], "no BYE");
}

#[tokio::test(start_paused = true)]
async fn a_202_and_no_notify_for_32_s_fails_with_408_and_keeps_the_call() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    let accepted_at = tokio::time::Instant::now();
    t.far.send(ReferAnswered { code: 202 });
    assert_eq!(transfer_event(&mut t).await.0, TransferState::Trying);
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Failed, Some(408))
    );
    let waited = tokio::time::Instant::now() - accepted_at;
    assert!(
        waited >= Duration::from_secs(32) && waited < Duration::from_secs(33),
        "{waited:?}"
    );
    t.settle().await;
    connected_still(&t);
    // A NOTIFY that comes after all is still answered, and changes nothing.
    notify(&mut t, 1, 200, true).await;
    t.settle().await;
    connected_still(&t);
    assert!(!t
        .pending_events()
        .iter()
        .any(|e| matches!(e, Event::Transfer { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_hold_asked_during_the_transfer_waits_and_is_sent_when_it_fails() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.far.send(ReferAnswered { code: 202 });
    t.command(CallCommand::Hold);
    t.settle().await;
    assert_eq!(
        t.far.taken(),
        [],
        "no re-INVITE while the transfer is pending"
    );
    notify(&mut t, 1, 603, true).await;
    match t.far.next().await {
        Sent::ReInvite(offer) => assert_eq!(direction_of(&offer), "sendonly"),
        other => panic!("expected the hold, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_second_transfer_or_one_during_a_hold_is_refused() {
    let mut t = connected().await;
    t.command(CallCommand::Hold);
    assert!(matches!(t.far.next().await, Sent::ReInvite(_)));
    t.command(CallCommand::Transfer("sip:carol@example.com".into()));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    let [(kind, message)] = errors(&[error]).try_into().expect("one error");
    assert_eq!(kind, ErrorKind::TransferFailed);
    assert!(message.contains("hold"), "{message}");

    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.command(CallCommand::Transfer("sip:dave@example.com".into()));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert!(errors(&[error])[0].1.contains("already"));
    assert_eq!(t.far.taken(), [], "no second REFER");
}

#[tokio::test(start_paused = true)]
async fn a_transfer_before_the_answer_is_refused() {
    let mut t = outgoing();
    t.far.next().await;
    t.command(CallCommand::Transfer("sip:carol@example.com".into()));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(errors(&[error])[0].0, ErrorKind::CallNotConnected);
}

#[tokio::test(start_paused = true)]
async fn a_refer_with_no_response_fails_with_408_and_keeps_the_call() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.far.send(ReferFailed("transaction timed out".into()));
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Failed, Some(408))
    );
    t.settle().await;
    connected_still(&t);
}

#[tokio::test(start_paused = true)]
async fn ringing_with_no_final_notify_gives_up_after_3_minutes() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.far.send(ReferAnswered { code: 202 });
    assert_eq!(transfer_event(&mut t).await.0, TransferState::Trying);
    notify(&mut t, 1, 180, false).await;
    assert_eq!(transfer_event(&mut t).await.0, TransferState::Ringing);
    let ringing_at = tokio::time::Instant::now();
    assert_eq!(
        transfer_event(&mut t).await,
        (TransferState::Failed, Some(408))
    );
    assert_eq!(
        tokio::time::Instant::now() - ringing_at,
        super::transfer::FINAL_WAIT
    );
    t.settle().await;
    connected_still(&t);
}

#[tokio::test(start_paused = true)]
async fn the_far_end_hanging_up_during_the_transfer_ends_the_call_as_a_remote_hangup() {
    let mut t = connected().await;
    refer(&mut t, "sip:carol@example.com").await;
    t.far.send(ReferAnswered { code: 202 });
    t.far
        .send(Terminated(super::dialog::EndReason::RemoteHangup));
    let (reason, _, before) = t.ended().await;
    assert_eq!(reason, "remote hangup");
    assert_eq!(errors(&before), [], "no transfer failure reported");
    assert_eq!(t.far.taken(), [], "no BYE of ours");
}

#[tokio::test(start_paused = true)]
async fn a_notify_that_is_not_about_our_refer_is_just_answered() {
    let mut t = connected().await;
    t.far.send(Request {
        request: 5,
        method: super::dialog::InDialogMethod::Notify,
    });
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request: 5,
            code: 200,
            sdp: None
        }
    );
    // A stray refer NOTIFY with no transfer of ours: answered, nothing reported.
    notify(&mut t, 6, 200, true).await;
    t.settle().await;
    connected_still(&t);
    assert!(!t
        .pending_events()
        .iter()
        .any(|e| matches!(e, Event::Transfer { .. })));
}
