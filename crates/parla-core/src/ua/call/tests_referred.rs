//! Being transferred and being replaced, below the socket on the paused clock: the far end's
//! REFER (policy, 202, NOTIFY sipfrag from the new call's progress, the end once it
//! connects) and an INVITE with Replaces (answered at once, the old call handed over;
//! 481/486/403/400 when it names no call it may take).

use super::admission::{take_incoming_call, Line};
use super::dialog::DialogEvent::*;
use super::dialog::IncomingInvite;
use super::fake::*;
use super::referred::{LineRequest, Progress};
use super::replaces::Replaces;
use crate::api::{AccountId, CallDirection, CallId, CallState, Event};
use crate::store::Region;
use crate::ua::account::Shared;
use crate::ua::calls::{CallCommand, CallRegistry};

/// A connected call we took from carol.
async fn connected() -> Harness {
    answered(incoming(&far_sdp(1, "sendrecv"))).await
}

async fn answered(mut t: Harness) -> Harness {
    t.command(CallCommand::Answer);
    while !matches!(t.far.next().await, Sent::Accept(_)) {}
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Connected);
    t.far.taken();
    t
}

fn refer(target: &str, subscription: bool) -> super::dialog::DialogEvent {
    Referred {
        request: 9,
        target: target.into(),
        replaces: Some("call-x;to-tag=a;from-tag=b".into()),
        referred_by: Some("<sip:carol@example.com>".into()),
        subscription,
    }
}

/// The far end REFERs; returns the progress sender of the call the line is asked to place.
async fn referred(t: &mut Harness) -> tokio::sync::mpsc::UnboundedSender<Progress> {
    t.far.send(refer("sip:dave@example.com", true));
    assert_eq!(
        t.far.next().await,
        Sent::AcceptRefer {
            request: 9,
            subscription: true
        }
    );
    assert_eq!(
        t.far.next().await,
        Sent::NotifyRefer {
            code: 100,
            terminated: false
        }
    );
    let Some(LineRequest::PlaceReferred(placed)) = t.line.recv().await else {
        panic!("the line is asked to place the call")
    };
    assert_eq!(placed.from, CALL);
    assert_eq!(placed.target, "sip:dave@example.com");
    assert_eq!(
        placed.replaces.as_deref(),
        Some("call-x;to-tag=a;from-tag=b")
    );
    assert_eq!(
        placed.referred_by.as_deref(),
        Some("<sip:carol@example.com>")
    );
    placed.progress
}

#[tokio::test(start_paused = true)]
async fn the_new_call_connecting_notifies_200_and_ends_the_call_as_transferred() {
    let mut t = connected().await;
    let progress = referred(&mut t).await;
    progress.send(Progress::Ringing(180)).expect("call alive");
    assert_eq!(
        t.far.next().await,
        Sent::NotifyRefer {
            code: 180,
            terminated: false
        }
    );
    progress.send(Progress::Connected).expect("call alive");
    let (connected_at, notify) = t.far.next_at().await;
    assert_eq!(
        notify,
        Sent::NotifyRefer {
            code: 200,
            terminated: true
        }
    );
    let (at, sent) = t.far.next_at().await;
    assert_eq!(sent, Sent::Bye, "ours, as the transferor said none");
    let waited = at - connected_at;
    let wait = super::confirmed::BYE_WAIT;
    assert!(
        waited >= wait && waited < wait + std::time::Duration::from_millis(100),
        "{waited:?}"
    );
    let (reason, _, _) = t.ended().await;
    assert_eq!(reason, "transferred");
}

#[tokio::test(start_paused = true)]
async fn the_transferors_bye_after_our_notify_200_ends_the_call_as_transferred() {
    let mut t = connected().await;
    let progress = referred(&mut t).await;
    progress.send(Progress::Connected).expect("call alive");
    assert!(matches!(
        t.far.next().await,
        Sent::NotifyRefer { code: 200, .. }
    ));
    t.far
        .send(Terminated(super::dialog::EndReason::RemoteHangup));
    let (reason, _, _) = t.ended().await;
    assert_eq!(reason, "transferred");
    assert_eq!(t.far.taken(), [], "no BYE of ours");
}

#[tokio::test(start_paused = true)]
async fn a_new_call_that_fails_notifies_its_code_and_the_call_goes_on() {
    let mut t = connected().await;
    let progress = referred(&mut t).await;
    progress
        .send(Progress::Ended(Some(486)))
        .expect("call alive");
    assert_eq!(
        t.far.next().await,
        Sent::NotifyRefer {
            code: 486,
            terminated: true
        }
    );
    t.settle().await;
    assert!(!t.task.is_finished(), "the call goes on");
    assert_eq!(t.far.taken(), [], "no BYE");
    // And the far end may try again.
    referred(&mut t).await;
}

#[tokio::test(start_paused = true)]
async fn refer_sub_false_gets_no_notifies() {
    let mut t = connected().await;
    t.far.send(refer("sip:dave@example.com", false));
    assert_eq!(
        t.far.next().await,
        Sent::AcceptRefer {
            request: 9,
            subscription: false
        }
    );
    let Some(LineRequest::PlaceReferred(placed)) = t.line.recv().await else {
        panic!("placed")
    };
    placed.progress.send(Progress::Connected).expect("alive");
    assert_eq!(t.far.next().await, Sent::Bye, "no NOTIFY first");
    assert_eq!(t.ended().await.0, "transferred");
}

#[tokio::test(start_paused = true)]
async fn a_refer_to_a_target_that_is_no_sip_uri_gets_416_and_the_call_goes_on() {
    let mut t = connected().await;
    // The fake line's policy is `any`, so the URI scheme is what is refused here; the
    // policy itself is tested in `referred`.
    t.far.send(refer("tel:+31201234567", true));
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request: 9,
            code: 416,
            sdp: None
        }
    );
    t.settle().await;
    assert!(t.line.try_recv().is_err(), "nothing placed");
    assert!(!t.task.is_finished());
}

#[tokio::test(start_paused = true)]
async fn a_refer_the_lines_policy_forbids_gets_603_and_the_call_goes_on() {
    use crate::config::TransferPolicy;
    let sdp = far_sdp(1, "sendrecv");
    let mut t = answered(incoming_taking_transfers(TransferPolicy::Never, &sdp)).await;
    t.far.send(refer("sip:dave@example.com", true));
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request: 9,
            code: 603,
            sdp: None
        }
    );
    let mut t = answered(incoming_taking_transfers(TransferPolicy::Domain, &sdp)).await;
    t.far.send(refer("sip:dave@elsewhere.example.org", true));
    assert!(matches!(
        t.far.next().await,
        Sent::Respond { code: 603, .. }
    ));
    t.far.send(refer("sip:2002@example.com", true));
    assert!(matches!(t.far.next().await, Sent::AcceptRefer { .. }));
    t.settle().await;
    assert!(!t.task.is_finished());
}

#[tokio::test(start_paused = true)]
async fn a_second_refer_while_one_is_carried_out_gets_491() {
    let mut t = connected().await;
    let _progress = referred(&mut t).await;
    t.far.send(refer("sip:erin@example.com", true));
    assert_eq!(
        t.far.next().await,
        Sent::Respond {
            request: 9,
            code: 491,
            sdp: None
        }
    );
}

#[tokio::test(start_paused = true)]
async fn an_invite_replacing_a_call_is_answered_at_once_and_the_old_call_handed_over() {
    let calls = CallRegistry::default();
    let old = CallId(3);
    let mut old_commands = calls.insert(
        old,
        AccountId::new("alice"),
        CallDirection::Outgoing,
        "sip:bob@example.com".into(),
        CallState::Connected,
    );
    let mut t = incoming_replacing(calls, old, &far_sdp(1, "sendrecv"));
    assert_eq!(t.far.next().await, Sent::Open);
    assert!(
        matches!(t.far.next().await, Sent::Accept(_)),
        "no 180 first"
    );
    t.far.send(Confirmed { ack_sdp: None });
    let (event, skipped) = t
        .event_where(|e| matches!(e, Event::CallState { .. }))
        .await;
    assert!(
        !skipped
            .iter()
            .any(|e| matches!(e, Event::IncomingCall { .. })),
        "it does not ring"
    );
    let Event::CallState {
        state,
        replaces,
        remote,
        account,
        ..
    } = event
    else {
        unreachable!()
    };
    assert_eq!(state, CallState::Connected);
    assert_eq!(replaces, Some(old));
    assert_eq!(remote.as_deref(), Some("sip:carol@example.com"));
    assert_eq!(account, Some(AccountId::new("alice")));
    assert_eq!(
        old_commands.recv().await,
        Some(CallCommand::HandedOver { reason: "replaced" })
    );
    assert!(t.media.log().tones.is_empty(), "no ringtone");
}

/// Admission of an INVITE whose Replaces names `replaces`, with call 3 (`state`, on
/// `line`, dialog tagged "3") on the books: the code it is refused with, if refused.
async fn admit_replacing(
    state: CallState,
    line: &str,
    replaces: Result<Replaces, String>,
) -> Option<u16> {
    let (events, _events) = tokio::sync::mpsc::unbounded_channel();
    let shared = Shared::new(events, Default::default(), vec![]);
    let _old = shared.calls.insert(
        CallId(3),
        AccountId::new(line),
        CallDirection::Outgoing,
        "sip:bob@example.com".into(),
        state,
    );
    shared
        .calls
        .set_dialog(CallId(3), dialog_info("3", "sip:bob@example.com"));
    let (dialog, mut far) = dialog();
    let invite = IncomingInvite {
        from: "sip:carol@example.com".into(),
        display_name: None,
        sdp: far_sdp(1, "sendrecv"),
        replaces: Some(replaces),
    };
    let account = AccountId::new("alice");
    let admitted = Line {
        account: &account,
        shared: &shared,
        region: Region::US,
        machine_under_dnd: false,
    };
    let backend = FakeBackend::default();
    take_incoming_call(admitted, dialog, invite, || {
        let (env, _line) = env(shared.events.clone(), shared.calls.clone());
        Some((env, backend))
    })
    .await;
    match far.next().await {
        Sent::Reject(code) => Some(code),
        Sent::Open => None,
        other => panic!("{other:?}"),
    }
}

fn naming(tag: &str, early_only: bool) -> Result<Replaces, String> {
    // As the far end of call 3's dialog sees it: our tag is its to-tag.
    Ok(Replaces {
        call_id: format!("call-{tag}"),
        to_tag: format!("ours-{tag}"),
        from_tag: format!("theirs-{tag}"),
        early_only,
    })
}

#[tokio::test(start_paused = true)]
async fn an_invite_with_replaces_is_refused_unless_it_names_a_call_it_may_take() {
    use CallState::*;
    assert_eq!(
        admit_replacing(Connected, "alice", naming("3", false)).await,
        None
    );
    assert_eq!(
        admit_replacing(OnHold, "alice", naming("3", false)).await,
        None
    );
    assert_eq!(
        admit_replacing(Ringing, "alice", naming("3", true)).await,
        None
    );
    assert_eq!(
        admit_replacing(Connected, "alice", naming("4", false)).await,
        Some(481)
    );
    assert_eq!(
        admit_replacing(Connected, "bob", naming("3", false)).await,
        Some(403)
    );
    assert_eq!(
        admit_replacing(Incoming, "alice", naming("3", false)).await,
        Some(486)
    );
    assert_eq!(
        admit_replacing(Connected, "alice", naming("3", true)).await,
        Some(486)
    );
    assert_eq!(
        admit_replacing(Connected, "alice", Err("garbage".into())).await,
        Some(400)
    );
}
