//! Attended transfer below the socket on the paused clock: the hold answered before the
//! REFER, the Replaces in its Refer-To, the consult call handed over on success, and the
//! reversed REFER when the far end cannot take one.

use super::dialog::DialogEvent::*;
use super::fake::*;
use crate::api::{AccountId, CallDirection, CallId, CallState, ErrorKind, Event, TransferState};
use crate::ua::calls::CallCommand;
use tokio::sync::mpsc::UnboundedReceiver;

const CONSULT: CallId = CallId(8);

/// A connected call we placed, and a consult call beside it (its commands to read).
async fn with_consult() -> (Harness, UnboundedReceiver<CallCommand>) {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.state().await, CallState::Connected);
    let consult = t.calls.insert(
        CONSULT,
        AccountId::new("alice"),
        CallDirection::Outgoing,
        "sip:carol@example.com".into(),
        CallState::Connected,
    );
    (t, consult)
}

fn replacing() -> CallCommand {
    CallCommand::TransferReplacing {
        consult: CONSULT,
        target: dialog_info("8", "sip:carol@example.com"),
        reversed: false,
    }
}

async fn transfer_event(t: &mut Harness) -> Event {
    t.event_where(|e| matches!(e, Event::Transfer { .. }))
        .await
        .0
}

/// Holds the call as the far end accepts it.
async fn hold_answered(t: &mut Harness) {
    match t.far.next().await {
        Sent::ReInvite(offer) => assert_eq!(direction_of(&offer), "sendonly"),
        other => panic!("expected the hold first, got {other:?}"),
    }
    t.settle().await;
    assert_eq!(t.far.taken(), [], "no REFER before the hold is answered");
    t.far.send(ReInviteAnswered {
        code: 200,
        reason: "OK".into(),
        sdp: Some(far_sdp(2, "recvonly")),
    });
}

#[tokio::test(start_paused = true)]
async fn the_call_is_held_then_referred_with_replaces_and_both_calls_end() {
    let (mut t, mut consult) = with_consult().await;
    t.command(replacing());
    hold_answered(&mut t).await;
    let expected = "sip:carol@example.com?Replaces=call-8%3Bto-tag%3Dtheirs-8%3Bfrom-tag%3Dours-8";
    assert_eq!(t.far.next().await, Sent::Refer(expected.into()));
    t.far.send(ReferAnswered { code: 202 });
    assert_eq!(
        transfer_event(&mut t).await,
        Event::Transfer {
            call: CALL,
            state: TransferState::Trying,
            code: Some(202),
            to_call: Some(CONSULT),
            reversed: false,
        }
    );
    t.far.send(ReferNotify {
        request: 1,
        status: Some(200),
        terminated: true,
        orbit: None,
    });
    assert!(matches!(
        t.far.next().await,
        Sent::Respond { code: 200, .. }
    ));
    let Event::Transfer { state, .. } = transfer_event(&mut t).await else {
        unreachable!()
    };
    assert_eq!(state, TransferState::Succeeded);
    assert_eq!(t.far.next().await, Sent::Bye);
    assert_eq!(
        consult.recv().await,
        Some(CallCommand::HandedOver {
            reason: "transferred"
        })
    );
    t.calls.remove(CONSULT);
    let (reason, _, before) = t.ended().await;
    assert_eq!(reason, "transferred");
    assert_eq!(errors(&before), []);
}

#[tokio::test(start_paused = true)]
async fn a_call_already_held_is_referred_at_once() {
    let (mut t, _consult) = with_consult().await;
    t.command(CallCommand::Hold);
    hold_answered(&mut t).await;
    assert_eq!(t.state().await, CallState::OnHold);
    t.command(replacing());
    assert!(matches!(t.far.next().await, Sent::Refer(target) if target.contains("?Replaces=")));
}

#[tokio::test(start_paused = true)]
async fn a_far_end_without_refer_is_transferred_the_other_way() {
    let (mut t, mut consult) = with_consult().await;
    t.command(replacing());
    hold_answered(&mut t).await;
    assert!(matches!(t.far.next().await, Sent::Refer(_)));
    t.far.send(ReferAnswered { code: 501 });
    // The consult call is asked to REFER its far end to ours, replacing our dialog.
    assert_eq!(
        consult.recv().await,
        Some(CallCommand::TransferReplacing {
            consult: CALL,
            target: dialog_info("7", "sip:far@example.com"),
            reversed: true,
        })
    );
    t.settle().await;
    let events = t.pending_events();
    assert!(
        !events.iter().any(|e| matches!(
            e,
            Event::Transfer {
                state: TransferState::Failed,
                ..
            }
        )),
        "not failed: it goes on the other way {events:?}"
    );
    assert_eq!(errors(&events), []);
}

#[tokio::test(start_paused = true)]
async fn a_hold_the_far_end_refuses_fails_the_transfer_without_a_refer() {
    let (mut t, _consult) = with_consult().await;
    t.command(replacing());
    assert!(matches!(t.far.next().await, Sent::ReInvite(_)));
    t.far.send(ReInviteAnswered {
        code: 488,
        reason: "Not Acceptable Here".into(),
        sdp: None,
    });
    let Event::Transfer { state, to_call, .. } = transfer_event(&mut t).await else {
        unreachable!()
    };
    assert_eq!((state, to_call), (TransferState::Failed, Some(CONSULT)));
    let (error, _) = t
        .event_where(|e| {
            matches!(
                e,
                Event::Error {
                    kind: ErrorKind::TransferFailed,
                    ..
                }
            )
        })
        .await;
    assert!(errors(&[error])[0].1.contains("hold"));
    t.settle().await;
    assert_eq!(t.far.taken(), [], "no REFER");
}

#[tokio::test(start_paused = true)]
async fn the_reversed_transfer_on_the_consult_call_reports_itself_reversed() {
    let (mut t, _first) = with_consult().await;
    t.command(CallCommand::TransferReplacing {
        consult: CONSULT,
        target: dialog_info("8", "sip:carol@example.com"),
        reversed: true,
    });
    hold_answered(&mut t).await;
    assert!(matches!(t.far.next().await, Sent::Refer(_)));
    t.far.send(ReferAnswered { code: 405 });
    let Event::Transfer {
        state, reversed, ..
    } = transfer_event(&mut t).await
    else {
        unreachable!()
    };
    // No second fallback: a reversed transfer that is refused fails.
    assert_eq!((state, reversed), (TransferState::Failed, true));
}
