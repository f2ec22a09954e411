//! Notifications shown by a real daemon (dunst, on a test-started session bus and Xvfb); the
//! person's clicks made through dunst's own context menu.

use std::time::Duration;

use futures_util::StreamExt;
use parla_testbench::{Dunst, SessionBus, Xvfb};

use super::*;

const WAIT: Duration = Duration::from_secs(10);

struct Desktop {
    dunst: Dunst,
    bus: SessionBus,
    _x: Xvfb,
}

fn desktop() -> Desktop {
    assert!(
        SessionBus::available() && Xvfb::available() && Dunst::available(),
        "dbus-daemon, Xvfb or dunst missing: scripts/install-test-deps.sh installs them"
    );
    let bus = SessionBus::start().expect("start a session bus");
    let x = Xvfb::start().expect("start Xvfb");
    let dunst = Dunst::start(&bus, &x).expect("start dunst");
    Desktop { dunst, bus, _x: x }
}

async fn next_action(actions: &mut NotifyActions) -> NotifyAction {
    tokio::time::timeout(WAIT, actions.next())
        .await
        .expect("an answer in time")
        .expect("the stream is open")
}

#[tokio::test]
async fn incoming_call_shows_caller_and_buttons_and_answer_comes_back() {
    let mut desktop = desktop();
    let _env = desktop.bus.use_in_this_process();
    let (notifier, mut actions) = channel();
    let labels = NotifyLabels::default();

    let shown = notifier
        .incoming_call(CallId(7), Some("Ana <López>"), "+34 912 345 678", &labels)
        .expect("notification shown");
    assert_eq!(shown.call, CallId(7));

    let received = desktop.dunst.wait_received(1, WAIT).expect("dunst got it");
    let got = &received[0];
    assert_eq!(got.id, shown.id);
    assert_eq!(got.app_name, "Parla");
    assert_eq!(got.summary, "Incoming call");
    assert_eq!(got.body, "Ana &lt;López&gt;\n+34 912 345 678");
    assert_eq!(got.urgency, "CRITICAL");
    assert_eq!(got.category, "call.incoming");
    assert_eq!(got.desktop_entry, "parla");
    assert_eq!(got.timeout, "0", "rings until answered: no expiry");
    desktop.dunst.wait_displayed(1, WAIT).expect("on screen");

    let menu = desktop.dunst.invoke_action("answer").expect("pick Answer");
    let id = shown.id;
    for expected in [
        format!("#Answer (Incoming call) [{id},answer]"),
        format!("#Decline (Incoming call) [{id},decline]"),
        format!("#Open Parla (Incoming call) [{id},default]"),
    ] {
        assert!(menu.contains(&expected), "{expected:?} not in {menu:?}");
    }
    assert_eq!(
        next_action(&mut actions).await,
        NotifyAction {
            call: CallId(7),
            action: CallResponse::Answer
        }
    );
}

#[tokio::test]
async fn decline_and_dismiss_come_back_and_close_reports_nothing() {
    let mut desktop = desktop();
    let _env = desktop.bus.use_in_this_process();
    let (notifier, mut actions) = channel();
    let labels = NotifyLabels::default();

    // Closed by the app (answered in the window): off screen, no answer reported.
    let first = notifier
        .incoming_call(CallId(1), None, "1001", &labels)
        .expect("first shown");
    desktop
        .dunst
        .wait_displayed(1, WAIT)
        .expect("first on screen");
    first.close();
    desktop.dunst.wait_displayed(0, WAIT).expect("first closed");

    // Dismissed by the person.
    let _second = notifier
        .incoming_call(CallId(2), None, "1002", &labels)
        .expect("second shown");
    desktop
        .dunst
        .wait_displayed(1, WAIT)
        .expect("second on screen");
    desktop.dunst.close_all().expect("close-all");
    // The first answer on the stream is the second call's: the closed one said nothing.
    assert_eq!(
        next_action(&mut actions).await,
        NotifyAction {
            call: CallId(2),
            action: CallResponse::Dismissed
        }
    );

    // Declined by the person.
    let _third = notifier
        .incoming_call(CallId(3), Some("Bob"), "1003", &labels)
        .expect("third shown");
    desktop
        .dunst
        .wait_displayed(1, WAIT)
        .expect("third on screen");
    desktop
        .dunst
        .invoke_action("decline")
        .expect("pick Decline");
    assert_eq!(
        next_action(&mut actions).await,
        NotifyAction {
            call: CallId(3),
            action: CallResponse::Decline
        }
    );
}

#[tokio::test]
async fn missed_call_is_a_plain_notification() {
    let mut desktop = desktop();
    let _env = desktop.bus.use_in_this_process();
    let (notifier, _actions) = channel();
    notifier
        .missed_call(Some("Bob"), "+1 555 1234", &NotifyLabels::default())
        .expect("shown");
    let received = desktop.dunst.wait_received(1, WAIT).expect("dunst got it");
    let got = &received[0];
    assert_eq!(got.summary, "Missed call");
    assert_eq!(got.body, "Bob\n+1 555 1234");
    assert_eq!(got.urgency, "NORMAL");
    assert_eq!(got.category, "call.unanswered");
}

#[tokio::test]
async fn no_notification_daemon_is_an_error_not_a_hang() {
    assert!(SessionBus::available(), "dbus-daemon missing");
    let bus = SessionBus::start().expect("start a session bus");
    let _env = bus.use_in_this_process();
    let (notifier, _actions) = channel();
    match notifier.incoming_call(CallId(1), None, "1001", &NotifyLabels::default()) {
        Err(NotifyError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[test]
fn daemon_answers_map_to_responses() {
    use notify_rust::CloseReason;
    let action = |key: &str| response_of(&NotificationResponse::Action(key.into()));
    assert_eq!(action("answer"), Some(CallResponse::Answer));
    assert_eq!(action("decline"), Some(CallResponse::Decline));
    assert_eq!(action("default"), Some(CallResponse::Opened));
    assert_eq!(action("something-else"), None);
    assert_eq!(
        response_of(&NotificationResponse::Default),
        Some(CallResponse::Opened)
    );
    assert_eq!(
        response_of(&NotificationResponse::Closed(CloseReason::Expired)),
        Some(CallResponse::Dismissed)
    );
    assert_eq!(response_of(&NotificationResponse::Reply("hi".into())), None);
}

#[test]
fn caller_text_is_escaped_trimmed_and_bounded() {
    assert_eq!(caller_body(None, " 1001 "), "1001");
    assert_eq!(caller_body(Some("  "), "1001"), "1001");
    assert_eq!(caller_body(Some("1001"), "1001"), "1001");
    assert_eq!(
        caller_body(Some("<b>Evil</b> & co\nfake line"), "1"),
        "&lt;b&gt;Evil&lt;/b&gt; &amp; co fake line\n1"
    );
    let long = "9".repeat(500);
    let body = caller_body(None, &long);
    assert_eq!(body.chars().count(), MAX_FIELD_CHARS + 1);
    assert!(body.ends_with('…'));
}
