//! Forwarding and auto-answer below the socket: the 302 and its Contact (always, busy, do not
//! disturb, no answer), the no-answer timer against answering, and who is answered by
//! itself (auto-answer list, intercom headers, another call under way).

use super::admission::{take_incoming_call_asking, Line};
use super::dialog::DialogEvent::*;
use super::dialog::IncomingInvite;
use super::fake::*;
use super::incoming::{self, Caller};
use crate::api::{AccountId, CallDirection, CallId, CallState, Event, RefusalReason};
use crate::config::AudioConfig;
use crate::store::{CallResult, Direction, Region};
use crate::ua::account::Shared;
use crate::ua::auto_answer::AutoAnswer;
use crate::ua::calls::{CallCommand, CallRegistry};
use crate::ua::forwarding::LineForwarding;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::time::Instant;

const BOB: &str = "sip:bob@example.com";

fn line() -> (Shared, UnboundedReceiver<Event>) {
    let (events_tx, events) = unbounded_channel();
    (
        Shared::new(events_tx, AudioConfig::default(), vec![]),
        events,
    )
}

fn forwarding(always: Option<&str>, busy: Option<&str>) -> LineForwarding {
    LineForwarding {
        always: always.map(Into::into),
        busy: busy.map(Into::into),
        no_answer: None,
    }
}

fn busy_with_another_call(shared: &Shared) {
    let _ = shared.calls.insert(
        CallId(1000),
        AccountId::new("alice"),
        CallDirection::Outgoing,
        "sip:someone@example.com".into(),
        CallState::Connected,
    );
}

fn invite(from: &str) -> IncomingInvite {
    IncomingInvite {
        from: from.into(),
        display_name: Some("Carol".into()),
        sdp: far_sdp(1, "sendrecv"),
        replaces: None,
    }
}

/// Offers an INVITE from `from` (asking to be answered after `asked`) to the line; true when
/// it became a call task.
async fn offer(shared: &Shared, from: &str, asked: Option<Duration>) -> (FarEnd, bool) {
    let (dialog, far) = dialog();
    let account = AccountId::new("alice");
    let line = Line {
        account: &account,
        shared,
        region: Region::US,
        machine_under_dnd: false,
    };
    let started = std::cell::Cell::new(false);
    take_incoming_call_asking(line, dialog, invite(from), asked, || {
        started.set(true);
        let (env, _line) = env(shared.events.clone(), shared.calls.clone());
        Some((env, FakeBackend::default()))
    })
    .await;
    (far, started.get())
}

async fn refused(events: &mut UnboundedReceiver<Event>) -> (RefusalReason, Option<String>) {
    loop {
        match events.recv().await.expect("an event") {
            Event::CallRefused {
                reason,
                forwarded_to,
                ..
            } => return (reason, forwarded_to),
            _ => continue,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn always_forwarding_answers_302_with_the_target_before_ringing() {
    let (shared, mut events) = line();
    shared
        .forwardings
        .set(AccountId::new("alice"), forwarding(Some(BOB), None));
    let (mut far, started) = offer(&shared, "sip:carol@example.com", None).await;
    assert!(!started, "no call task, no ringing");
    assert_eq!(far.next().await, Sent::Redirect(BOB.into()));
    assert_eq!(
        refused(&mut events).await,
        (RefusalReason::Forwarded, Some(BOB.into()))
    );
    assert!(shared.calls.is_empty());
}

#[tokio::test(start_paused = true)]
async fn busy_forwarding_only_while_another_call_is_under_way_or_under_dnd() {
    let (shared, _events) = line();
    shared
        .forwardings
        .set(AccountId::new("alice"), forwarding(None, Some(BOB)));
    let (mut far, started) = offer(&shared, "sip:carol@example.com", None).await;
    assert!(started, "not busy: it rings");
    assert_eq!(far.next().await, Sent::Open);
    assert_eq!(far.next().await, Sent::Ringing);
    shared.calls.ids().into_iter().for_each(|c| {
        shared.calls.send(c, CallCommand::Hangup);
    });

    let (shared, mut events2) = line();
    shared
        .forwardings
        .set(AccountId::new("alice"), forwarding(None, Some(BOB)));
    busy_with_another_call(&shared);
    let (mut far, started) = offer(&shared, "sip:carol@example.com", None).await;
    assert!(!started);
    assert_eq!(far.next().await, Sent::Redirect(BOB.into()));
    assert_eq!(refused(&mut events2).await.0, RefusalReason::Forwarded);

    // Under do not disturb a busy forward takes the call instead of a 486.
    let (shared, mut events3) = line();
    shared
        .forwardings
        .set(AccountId::new("alice"), forwarding(None, Some(BOB)));
    shared.set_do_not_disturb(true);
    let (mut far, _) = offer(&shared, "sip:carol@example.com", None).await;
    assert_eq!(far.next().await, Sent::Redirect(BOB.into()));
    assert_eq!(refused(&mut events3).await.0, RefusalReason::Forwarded);
}

#[test]
fn a_302_is_a_forwarded_row_in_the_history() {
    let result = super::record::call_result(Direction::Incoming, false, false, Some(302));
    assert_eq!(result, CallResult::Forwarded);
}

/// A ringing incoming call task run with `caller`'s settings.
fn ringing(caller: Caller) -> Harness {
    let (dialog, far) = dialog();
    let (events_tx, events) = unbounded_channel();
    let calls = CallRegistry::default();
    let commands = calls.insert(
        CALL,
        AccountId::new("alice"),
        CallDirection::Incoming,
        "sip:carol@example.com".into(),
        CallState::Incoming,
    );
    let (env, line) = env(events_tx, calls.clone());
    let media = FakeBackend::default();
    let task = tokio::spawn(incoming::run(
        CALL,
        env,
        media.clone(),
        dialog,
        invite("sip:carol@example.com"),
        commands,
        caller,
    ));
    Harness {
        call: CALL,
        far,
        media,
        events,
        calls,
        line,
        task,
    }
}

#[tokio::test(start_paused = true)]
async fn no_answer_forwarding_302s_after_the_ring_time_and_ends_forwarded() {
    let start = Instant::now();
    let mut t = ringing(Caller {
        no_answer_forward: Some((BOB.into(), Duration::from_secs(5))),
        ..Caller::default()
    });
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let (at, sent) = t.far.next_at().await;
    assert_eq!(sent, Sent::Redirect(BOB.into()));
    assert_eq!(at - start, Duration::from_secs(5));
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("forwarded", Some(302)));
    assert_eq!(t.media.log().tones, ["ringtone", "ringtone stopped"]);
}

#[tokio::test(start_paused = true)]
async fn answering_before_the_ring_time_keeps_the_call() {
    let mut t = ringing(Caller {
        no_answer_forward: Some((BOB.into(), Duration::from_secs(5))),
        ..Caller::default()
    });
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    t.command(CallCommand::Answer);
    // The ACK follows our 200 (sent together, the call could take the ACK first).
    let mut sent = Vec::new();
    loop {
        let next = t.far.next().await;
        let accepted = matches!(next, Sent::Accept(_));
        sent.push(next);
        if accepted {
            break;
        }
    }
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Connected);
    tokio::time::sleep(Duration::from_secs(10)).await;
    sent.extend(t.far.taken());
    assert!(
        !sent.iter().any(|s| matches!(s, Sent::Redirect(_))),
        "{sent:?}"
    );
    assert!(matches!(sent.last(), Some(Sent::Accept(_))), "{sent:?}");
}

#[tokio::test(start_paused = true)]
async fn an_auto_answered_call_is_answered_at_once_without_a_ringtone() {
    let start = Instant::now();
    let mut t = ringing(Caller {
        auto_answer_after: Some(Duration::ZERO),
        ..Caller::default()
    });
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let (at, sent) = t.far.next_at().await;
    assert!(matches!(sent, Sent::Accept(_)), "{sent:?}");
    assert_eq!(at, start);
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Connected);
    assert!(t.media.log().tones.is_empty(), "no ringtone");
}

/// What the far end saw of an INVITE from `from` on a line with `settings`.
async fn auto_answered(
    settings: AutoAnswer,
    from: &str,
    asked: Option<Duration>,
    busy: bool,
) -> bool {
    let (shared, _events) = line();
    shared.set_auto_answer(settings);
    if busy {
        busy_with_another_call(&shared);
    }
    let (mut far, started) = offer(&shared, from, asked).await;
    assert!(started);
    assert_eq!(far.next().await, Sent::Open);
    assert_eq!(far.next().await, Sent::Ringing);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = far.taken();
    sent.iter().any(|s| matches!(s, Sent::Accept(_)))
}

#[tokio::test(start_paused = true)]
async fn who_is_answered_by_itself() {
    let carol = "sip:carol@example.com";
    let dave = "sip:dave@example.com";
    let asked = Some(Duration::ZERO);
    let intercom = AutoAnswer::new(false, vec!["carol".into()], true);
    assert!(auto_answered(intercom.clone(), carol, asked, false).await);
    assert!(!auto_answered(intercom.clone(), dave, asked, false).await);
    assert!(!auto_answered(intercom.clone(), carol, None, false).await);
    assert!(!auto_answered(intercom, carol, asked, true).await);
    let listed = AutoAnswer::new(true, vec!["sip:carol@example.com".into()], false);
    assert!(auto_answered(listed.clone(), carol, None, false).await);
    assert!(!auto_answered(listed, dave, None, false).await);
    let anyone = AutoAnswer::new(true, vec![], false);
    assert!(auto_answered(anyone.clone(), dave, None, false).await);
    assert!(!auto_answered(anyone, dave, None, true).await);
    // Intercom off: the header alone answers nothing.
    let off = AutoAnswer::new(false, vec![], false);
    assert!(!auto_answered(off, carol, asked, false).await);
}
