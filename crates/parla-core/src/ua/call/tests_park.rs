//! Park below the socket on the paused clock: a REFER to the park code, the orbit from the
//! NOTIFY (or the one asked for), the call ending as `parked`, and a refused park keeping
//! the call.

use super::confirmed::PARK_GRACE;
use super::dialog::DialogEvent::*;
use super::dialog::EndReason;
use super::fake::*;
use crate::api::{CallState, ErrorKind, Event};
use crate::ua::calls::CallCommand;
use tokio::time::Instant;

async fn connected() -> Harness {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.state().await, CallState::Connected);
    t
}

async fn park(t: &mut Harness, orbit: Option<&str>) {
    t.command(CallCommand::Park {
        target: "*70".into(),
        orbit: orbit.map(Into::into),
    });
    assert_eq!(
        t.far.next().await,
        Sent::Refer("sip:*70@example.com".into())
    );
    t.far.send(ReferAnswered { code: 202 });
}

async fn notify(t: &mut Harness, request: u64, status: u16, orbit: Option<&str>) {
    t.far.send(ReferNotify {
        request,
        status: Some(status),
        terminated: status >= 200,
        orbit: orbit.map(Into::into),
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

async fn parked(t: &mut Harness) -> Option<String> {
    let (event, _) = t.event_where(|e| matches!(e, Event::Parked { .. })).await;
    match event {
        Event::Parked { orbit, .. } => orbit,
        _ => unreachable!(),
    }
}

#[tokio::test(start_paused = true)]
async fn the_orbit_comes_from_the_notify_and_the_server_hangs_up() {
    let mut t = connected().await;
    park(&mut t, None).await;
    notify(&mut t, 1, 100, None).await;
    notify(&mut t, 2, 200, Some("701")).await;
    assert_eq!(parked(&mut t).await.as_deref(), Some("701"));
    // The audio stays up for the announcement until the server's BYE.
    t.settle().await;
    assert_eq!(t.far.taken(), []);
    assert!(t.media.log().applied.len() == 1 && !t.media.log().dropped);
    t.far.send(Terminated(EndReason::RemoteHangup));
    let (reason, code, before) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("parked", None));
    assert_eq!(errors(&before), []);
}

#[tokio::test(start_paused = true)]
async fn without_an_orbit_in_the_notify_the_one_asked_for_is_said_and_we_hang_up_after_the_grace() {
    let mut t = connected().await;
    park(&mut t, Some("702")).await;
    notify(&mut t, 1, 200, None).await;
    assert_eq!(parked(&mut t).await.as_deref(), Some("702"));
    let at = Instant::now();
    let (when, sent) = t.far.next_at().await;
    assert_eq!((sent, when - at), (Sent::Bye, PARK_GRACE));
    let (reason, _, _) = t.ended().await;
    assert_eq!(reason, "parked");
}

#[tokio::test(start_paused = true)]
async fn a_server_that_hangs_up_before_its_notify_parked_the_call() {
    let mut t = connected().await;
    park(&mut t, None).await;
    t.far.send(Terminated(EndReason::RemoteHangup));
    assert_eq!(parked(&mut t).await, None);
    let (reason, _, _) = t.ended().await;
    assert_eq!(reason, "parked");
}

#[tokio::test(start_paused = true)]
async fn a_refused_park_keeps_the_call() {
    let mut t = connected().await;
    park(&mut t, None).await;
    t.far.send(ReferAnswered { code: 403 });
    let (error, skipped) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    let [(kind, message)] = errors(&[error]).try_into().expect("one error");
    assert_eq!(kind, ErrorKind::ParkFailed);
    assert!(message.contains("403"), "{message}");
    assert!(!skipped.iter().any(|e| matches!(e, Event::Parked { .. })));
    t.settle().await;
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);
    assert_eq!(t.far.taken(), [], "no BYE");
    // A BYE now is an ordinary hang-up.
    t.far.send(Terminated(EndReason::RemoteHangup));
    let (reason, _, _) = t.ended().await;
    assert_eq!(reason, "remote hangup");
}
