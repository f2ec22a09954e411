//! Caller ID through Kamailio: a call with an identity shows its display name and user to
//! baresip; an anonymous call arrives with `From: "Anonymous" <sip:anonymous@anonymous.invalid>`,
//! `Privacy: id` and the real identity in P-Preferred-Identity, as Kamailio logs them. Digest
//! authentication keeps using the line's own credentials.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use support::*;

#[test]
fn baresip_sees_the_identity_and_kamailio_logs_the_anonymous_headers() {
    let kamailio = Kamailio::start(KamailioOptions {
        caller_ids: true,
        ..KamailioOptions::with_users(&[("alice", "alicepw"), ("bob", "bobpw")])
    })
    .expect("kamailio");
    let mut alice = Line::at(&kamailio, "alice", "alicepw");
    alice.extra =
        "[[accounts.identities]]\ndisplay_name = \"Sales Desk\"\nuser = \"sales\"\n".into();
    let mut app = start(&[alice], None, &[]);
    app.wait_registered("alice");
    let bob = start_bob(&kamailio, None, None);

    app.send(json!({"cmd": "dial", "account": "alice", "to": "bob", "identity": "Sales Desk"}));
    let calling = app.wait("calling", |v| {
        is_event(v, "call_state") && v["state"] == "calling"
    });
    let call = calling["call"].as_u64().expect("call id");
    assert_eq!(
        calling["account"], "alice",
        "the history keeps the real line"
    );
    // bob answers by himself: baresip 1.0.0 then reports the call established only.
    let answered = bob
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("bob answers");
    let peer = answered["peeruri"].as_str().unwrap_or_default();
    assert!(peer.starts_with("sip:sales@"), "{answered}");
    assert_eq!(answered["peerdisplayname"], "Sales Desk", "{answered}");
    let logged = kamailio.caller_ids().expect("kamailio log");
    let first = logged.last().expect("the INVITE logged");
    assert!(
        first.from.starts_with("\"Sales Desk\" <sip:sales@"),
        "{first:?}"
    );
    assert_eq!(first.privacy, "<null>", "{first:?}");
    app.wait_call(call, "connected");
    app.hang_up(call);

    app.send(json!({"cmd": "dial", "account": "alice", "to": "bob", "anonymous": true}));
    let calling = app.wait("calling", |v| {
        is_event(v, "call_state") && v["state"] == "calling" && v["call"] != call
    });
    let anonymous = calling["call"].as_u64().expect("call id");
    app.wait_call(anonymous, "connected");
    let logged = kamailio.caller_ids().expect("kamailio log");
    let invite = logged.last().expect("the anonymous INVITE logged");
    assert!(
        invite
            .from
            .starts_with("\"Anonymous\" <sip:anonymous@anonymous.invalid>"),
        "{invite:?}"
    );
    assert_eq!(invite.privacy, "id", "{invite:?}");
    assert!(
        invite.p_preferred_identity.contains("<sip:alice@127.0.0.1"),
        "{invite:?}"
    );
    app.hang_up(anonymous);
    app.quit();
}
