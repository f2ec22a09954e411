//! Outgoing calls below the socket: INVITE, 1xx and early media, CANCEL and its races, the
//! final responses.

use super::dialog::DialogEvent::*;
use super::dialog::EndReason;
use super::fake::*;
use crate::api::{CallState, ErrorKind, Event};
use crate::ua::calls::CallCommand;

fn is_media(event: &Event) -> bool {
    matches!(event, Event::Media { .. })
}

/// An outgoing call whose INVITE is out and whose far end sent 180.
async fn ringing() -> Harness {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Progress {
        code: 180,
        sdp: None,
    });
    t
}

#[tokio::test(start_paused = true)]
async fn an_answered_call_rings_connects_and_ends_on_the_far_ends_bye() {
    let mut t = outgoing();
    let Event::CallState {
        state,
        account,
        remote,
        ..
    } = t.event().await
    else {
        panic!("calling first")
    };
    assert_eq!(state, CallState::Calling);
    assert_eq!(account.map(|a| a.to_string()).as_deref(), Some("alice"));
    assert_eq!(remote.as_deref(), Some("sip:bob@example.com"));
    let Sent::Invite(offer) = t.far.next().await else {
        panic!("INVITE first")
    };
    assert!(offer.contains("m=audio 40000 RTP/AVP"), "{offer}");
    assert_eq!(direction_of(&offer), "sendrecv");

    t.far.send(Progress {
        code: 180,
        sdp: None,
    });
    assert_eq!(t.state().await, CallState::Ringing);
    assert_eq!(t.media.log().tones, ["ringback"]);

    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    let (media, _) = t.event_where(is_media).await;
    let Event::Media {
        codec, remote_rtp, ..
    } = media
    else {
        unreachable!()
    };
    assert_eq!(
        (codec.as_str(), remote_rtp.as_str()),
        ("PCMU", "192.0.2.20:50000")
    );
    assert_eq!(t.state().await, CallState::Connected);
    assert_eq!(t.media.log().tones, ["ringback", "ringback stopped"]);
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);

    t.far.send(Terminated(EndReason::RemoteHangup));
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("remote hangup", None));
    assert!(t.media.log().dropped);
    assert_eq!(t.far.taken(), [], "nothing more sent");
}

#[tokio::test(start_paused = true)]
async fn early_media_from_a_183_starts_audio_and_no_local_ringback() {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Progress {
        code: 183,
        sdp: Some(far_sdp(1, "sendrecv")),
    });
    assert_eq!(t.state().await, CallState::Ringing);
    t.event_where(is_media).await;
    // A later 180 without SDP: the far end's audio is already playing.
    t.far.send(Progress {
        code: 180,
        sdp: None,
    });
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.state().await, CallState::Connected);
    let log = t.media.log();
    assert!(log.tones.is_empty(), "no ringback: {:?}", log.tones);
    assert_eq!(log.applied.len(), 2, "early media, then the answer");
}

#[tokio::test(start_paused = true)]
async fn a_183_stops_the_ringback_a_180_started() {
    let mut t = ringing().await;
    t.far.send(Progress {
        code: 183,
        sdp: Some(far_sdp(1, "sendrecv")),
    });
    t.event_where(is_media).await;
    assert_eq!(t.media.log().tones, ["ringback", "ringback stopped"]);
}

#[tokio::test(start_paused = true)]
async fn hanging_up_while_it_rings_sends_cancel_and_the_487_ends_it_cancelled() {
    let mut t = ringing().await;
    assert_eq!(t.state().await, CallState::Ringing);
    t.command(CallCommand::Hangup);
    assert_eq!(t.far.next().await, Sent::Cancel);
    // Hanging up again sends no second CANCEL.
    t.command(CallCommand::Hangup);
    t.settle().await;
    t.far.send(Refused { code: 487 });
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("cancelled", Some(487)));
    assert_eq!(t.far.taken(), []);
    assert_eq!(t.media.log().tones, ["ringback", "ringback stopped"]);
}

#[tokio::test(start_paused = true)]
async fn a_200_crossing_our_cancel_is_answered_with_bye_and_ends_cancelled() {
    let mut t = ringing().await;
    t.command(CallCommand::Hangup);
    assert_eq!(t.far.next().await, Sent::Cancel);
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, code, before) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("cancelled", None));
    assert!(
        !before.iter().any(is_media),
        "no audio for a cancelled call"
    );
    assert!(
        !before.iter().any(|e| matches!(
            e,
            Event::CallState {
                state: CallState::Connected,
                ..
            }
        )),
        "never connected: {before:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn cancel_before_any_response_ends_cancelled_when_the_invite_gives_up() {
    let mut t = outgoing();
    t.far.next().await;
    t.command(CallCommand::Hangup);
    assert_eq!(t.far.next().await, Sent::Cancel);
    t.far.send(NoFinalResponse);
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("cancelled", None));
}

#[tokio::test(start_paused = true)]
async fn busy_plays_the_busy_tone_and_ends_busy() {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Refused { code: 486 });
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("busy", Some(486)));
    assert_eq!(t.media.log().tones, ["busy"]);
}

#[tokio::test(start_paused = true)]
async fn failures_without_a_final_response_say_why() {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(NoFinalResponse);
    assert_eq!(t.ended().await.0, "no answer");

    let mut t = outgoing();
    t.far.next().await;
    t.far.send(InviteFailed {
        error: "proxy auth failed".into(),
    });
    let (reason, code, _) = t.ended().await;
    assert_eq!(
        (reason.as_str(), code),
        ("call failed: proxy auth failed", None)
    );

    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Refused { code: 404 });
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("not found", Some(404)));

    // The proxy's 408 when nobody answers in time.
    let mut t = ringing().await;
    t.far.send(Refused { code: 408 });
    let (reason, code, _) = t.ended().await;
    assert_eq!((reason.as_str(), code), ("no answer", Some(408)));
    assert_eq!(t.media.log().tones, ["ringback", "ringback stopped"]);
}

#[tokio::test(start_paused = true)]
async fn in_call_commands_before_the_answer_are_refused_and_it_keeps_ringing() {
    let mut t = ringing().await;
    assert_eq!(t.state().await, CallState::Ringing);
    for command in [
        CallCommand::Dtmf("1".into()),
        CallCommand::Hold,
        CallCommand::Mute(true),
    ] {
        t.command(command);
        let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
        let Event::Error {
            kind,
            message,
            call,
            ..
        } = error
        else {
            unreachable!()
        };
        assert_eq!(kind, ErrorKind::CallNotConnected);
        assert_eq!(call, Some(t.call));
        assert!(message.contains("not connected"), "{message}");
    }
    t.command(CallCommand::Answer);
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(errors(&[error])[0].0, ErrorKind::CannotAnswer);
    assert_eq!(t.far.taken(), [], "nothing sent");
    assert_eq!(t.calls.snapshot()[0].state, CallState::Ringing);
}

#[tokio::test(start_paused = true)]
async fn an_unusable_answer_ends_the_call_with_bye() {
    let mut t = outgoing();
    t.far.next().await;
    t.far.send(Answered {
        // The far end rejects the audio stream (port 0).
        sdp: far_sdp(1, "sendrecv").replace("m=audio 50000", "m=audio 0"),
    });
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, code, _) = t.ended().await;
    assert!(
        reason.starts_with("the answer's SDP is unusable"),
        "{reason}"
    );
    assert_eq!(code, Some(488));
}

#[tokio::test(start_paused = true)]
async fn no_rtp_port_ends_the_call_before_any_invite() {
    let mut t = outgoing_with(FakeBackend::failing_bind());
    let (reason, code, _) = t.ended().await;
    assert_eq!(
        (reason.as_str(), code),
        ("no RTP port: every port is taken", None)
    );
    assert_eq!(t.far.taken(), []);
}
