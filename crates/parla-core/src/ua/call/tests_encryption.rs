//! The `call_encryption` event below the socket: said when the media starts, and again only
//! when a re-INVITE changes it; a required line refuses a plain offer with 488.

use super::dialog::DialogEvent::*;
use super::fake::*;
use crate::api::{CallState, Event};
use crate::sdp::SrtpMode;
use crate::ua::calls::CallCommand;

const KEY: &str = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

fn with_key(version: u32) -> String {
    far_sdp(version, "sendrecv") + &format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}\r\n")
}

fn encryption(events: &[Event]) -> Vec<(bool, Option<String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::CallEncryption {
                encrypted, suite, ..
            } => Some((*encrypted, suite.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn encryption_is_said_at_start_and_when_a_reinvite_changes_it() {
    SRTP.with(|m| m.set(SrtpMode::Accept));
    let mut t = incoming(&with_key(1));
    t.command(CallCommand::Answer);
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let Sent::Accept(answer) = t.far.next().await else {
        panic!("200 with our answer")
    };
    assert!(
        answer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"),
        "{answer}"
    );
    assert!(!answer.contains(KEY), "our own key, not theirs");
    t.far.send(Confirmed { ack_sdp: None });
    let (_, mut seen) = t
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
    let srtp = Some("AES_CM_128_HMAC_SHA1_80".to_owned());

    // The same keys again: nothing new to say. Then plain: said.
    for (request, sdp) in [(1, with_key(2)), (2, far_sdp(3, "sendrecv"))] {
        t.far.send(RemoteOffer {
            request,
            sdp: Some(sdp),
        });
        assert!(matches!(
            t.far.next().await,
            Sent::Respond { code: 200, .. }
        ));
    }
    t.far
        .send(Terminated(super::dialog::EndReason::RemoteHangup));
    seen.extend(t.ended().await.2);
    assert_eq!(encryption(&seen), [(true, srtp), (false, None)]);
}

#[tokio::test(start_paused = true)]
async fn a_required_line_refuses_a_plain_offer_with_488() {
    SRTP.with(|m| m.set(SrtpMode::Mandatory));
    let mut t = incoming(&far_sdp(1, "sendrecv"));
    let (_, code, _) = t.ended().await;
    assert_eq!(code, Some(488));
    assert!(
        t.far.taken().contains(&Sent::Reject(488)),
        "{:?}",
        t.far.taken()
    );
}
