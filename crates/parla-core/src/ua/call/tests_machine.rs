//! The answering machine on a call, below the socket: when it answers, what the call shows,
//! picking up, and what is kept when the call ends. The audio is the fake's (the machine's
//! own audio is tested in parla-media); the store is a real SQLite file.

use super::dialog::DialogEvent::*;
use super::dialog::EndReason;
use super::fake::*;
use super::machine::{MachineSettings, MIN_MESSAGE_MS};
use crate::api::{CallState, ErrorKind, Event};
use crate::config::AnsweringMachineConfig;
use crate::store::{CallResult, HistoryFilter, Store};
use crate::ua::calls::CallCommand;
use crate::ua::store_link::StoreLink;
use parla_media::{Greeting, MachineEnd, MachinePhase, MachineStatus};
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

fn settings(folder: &Path) -> MachineSettings {
    MachineSettings {
        config: AnsweringMachineConfig {
            enabled: true,
            answer_after_s: 15,
            greeting: "file:/greetings/hello.wav".into(),
            max_message_s: 60,
            silence_s: 5,
            ..AnsweringMachineConfig::default()
        },
        folder: folder.to_path_buf(),
    }
}

fn status(phase: MachinePhase, recorded_ms: u64) -> MachineStatus {
    MachineStatus {
        phase,
        recorded_ms,
        error: None,
        greeting_fallback: None,
    }
}

/// Answered by the machine and ACKed: the call shows `answering_machine`. Returns the
/// message file the machine was given (created here, as the recorder would).
async fn taken_by_machine(t: &mut Harness) -> std::path::PathBuf {
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let Sent::Accept(_) = t.far.next().await else {
        panic!("200 OK from the machine")
    };
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::AnsweringMachine);
    let machine = t
        .media
        .log()
        .machine
        .clone()
        .expect("started as the machine");
    std::fs::write(&machine.recording, b"RIFF").expect("the message file");
    machine.recording
}

#[tokio::test(start_paused = true)]
async fn the_machine_answers_when_no_one_has_after_the_ring_time() {
    let folder = tempfile::tempdir().expect("folder");
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        StoreLink::none(),
        false,
    );
    let start = Instant::now();
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    assert_eq!(t.media.log().tones, ["ringtone"]);
    let (at, sent) = t.far.next_at().await;
    assert!(matches!(sent, Sent::Accept(_)), "{sent:?}");
    assert_eq!(at - start, Duration::from_secs(15), "after answer_after_s");
    assert_eq!(t.media.log().tones, ["ringtone", "ringtone stopped"]);
    let machine = t.media.log().machine.clone().expect("the machine's audio");
    assert_eq!(
        machine.greeting,
        Greeting::File("/greetings/hello.wav".into())
    );
    assert_eq!(machine.max_message, Duration::from_secs(60));
    assert_eq!(machine.silence_limit, Duration::from_secs(5));
    assert_eq!(machine.recording.parent(), Some(folder.path()));
    assert!(machine.recording.to_string_lossy().ends_with(".wav"));
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::AnsweringMachine);
}

#[tokio::test(start_paused = true)]
async fn answered_in_time_the_machine_stays_out() {
    let folder = tempfile::tempdir().expect("folder");
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        StoreLink::none(),
        false,
    );
    t.event_where(|e| matches!(e, Event::IncomingCall { .. }))
        .await;
    tokio::time::sleep(Duration::from_secs(14)).await;
    t.command(CallCommand::Answer);
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let Sent::Accept(_) = t.far.next().await else {
        panic!("200 OK")
    };
    t.far.send(Confirmed { ack_sdp: None });
    assert_eq!(t.state().await, CallState::Connected);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(t.media.log().machine.is_none(), "not the machine");
    assert_eq!(t.far.taken(), [], "no second answer");
}

#[tokio::test(start_paused = true)]
async fn under_do_not_disturb_it_answers_at_once_without_ringing() {
    let folder = tempfile::tempdir().expect("folder");
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        StoreLink::none(),
        true,
    );
    let start = Instant::now();
    assert_eq!(t.far.next().await, Sent::Open);
    assert_eq!(t.far.next().await, Sent::Ringing);
    let (at, sent) = t.far.next_at().await;
    assert!(matches!(sent, Sent::Accept(_)), "{sent:?}");
    assert_eq!(at, start, "at once");
    assert!(t.media.log().tones.is_empty(), "nothing rings");
}

#[tokio::test(start_paused = true)]
async fn picking_up_from_the_machine_connects_and_keeps_nothing() {
    let folder = tempfile::tempdir().expect("folder");
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        StoreLink::none(),
        true,
    );
    let file = taken_by_machine(&mut t).await;
    t.media.log().machine_status = Some(status(MachinePhase::Greeting, 0));
    t.command(CallCommand::Answer);
    assert_eq!(t.state().await, CallState::Connected);
    assert!(t.media.log().picked_up, "the devices replace the machine");
    assert!(!file.exists(), "the recording is dropped");
    // Now an ordinary call: keys and hold work, and the machine does not hang up.
    t.media.log().machine_status = Some(status(MachinePhase::Done(MachineEnd::Silence), 0));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(t.far.taken(), [], "no BYE from the machine");
    t.command(CallCommand::Hangup);
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, _, before) = t.ended().await;
    assert_eq!(reason, "local hangup");
    assert!(
        !before
            .iter()
            .any(|e| matches!(e, Event::VoicemailMessage { .. })),
        "no message"
    );
}

#[tokio::test(start_paused = true)]
async fn keys_and_hold_wait_until_the_call_is_picked_up() {
    let folder = tempfile::tempdir().expect("folder");
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        StoreLink::none(),
        true,
    );
    taken_by_machine(&mut t).await;
    t.command(CallCommand::Hold);
    t.command(CallCommand::Dtmf("1".into()));
    let (_, before) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert!(before.is_empty(), "{before:?}");
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert!(matches!(
        error,
        Event::Error {
            kind: ErrorKind::CallNotConnected,
            ..
        }
    ));
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(t.far.taken(), [], "no re-INVITE");
}

#[tokio::test(start_paused = true)]
async fn the_machine_stopping_by_itself_says_bye() {
    for (end, reason) in [
        (MachineEnd::Silence, "voicemail: silence"),
        (MachineEnd::MaxLength, "voicemail: longest message"),
    ] {
        let folder = tempfile::tempdir().expect("folder");
        let mut t = incoming_to_machine(
            &far_sdp(1, "sendrecv"),
            settings(folder.path()),
            StoreLink::none(),
            true,
        );
        taken_by_machine(&mut t).await;
        t.media.log().machine_status = Some(status(MachinePhase::Recording, 2_000));
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(t.far.taken(), [], "recording: the call goes on");
        t.media.log().machine_status = Some(status(MachinePhase::Done(end), 4_000));
        let (at, sent) = t.far.next_at().await;
        assert_eq!(sent, Sent::Bye);
        assert!(at.elapsed() <= super::machine::MACHINE_POLL);
        let (ended, _, _) = t.ended().await;
        assert_eq!(ended, reason);
    }
}

#[tokio::test(start_paused = true)]
async fn a_recording_that_cannot_be_written_hangs_up_and_says_why() {
    let folder = tempfile::tempdir().expect("folder");
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        StoreLink::none(),
        true,
    );
    let file = taken_by_machine(&mut t).await;
    t.media.log().machine_status = Some(MachineStatus {
        error: Some("No space left on device".into()),
        ..status(MachinePhase::Done(MachineEnd::WriteFailed), 1_200)
    });
    assert_eq!(t.far.next().await, Sent::Bye);
    let (reason, _, before) = t.ended().await;
    assert_eq!(reason, "voicemail: recording failed");
    let errors = errors(&before);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, ErrorKind::RecordingFailed);
    assert!(
        errors[0].1.contains("No space left on device"),
        "{}",
        errors[0].1
    );
    assert!(!file.exists(), "the broken file is removed");
}

/// The store runs on its own thread: these use the real clock (a paused one would time the
/// store's answer out), and the machine answers at once, so no timer is involved.
async fn left_a_message_of(
    recorded_ms: u64,
) -> (Vec<Event>, Store, std::path::PathBuf, tempfile::TempDir) {
    let folder = tempfile::tempdir().expect("folder");
    let db = folder.path().join("parla.db");
    let store = StoreLink::open(db.clone());
    let mut t = incoming_to_machine(
        &far_sdp(1, "sendrecv"),
        settings(folder.path()),
        store.clone(),
        true,
    );
    let file = taken_by_machine(&mut t).await;
    t.media.log().machine_status = Some(status(MachinePhase::Recording, recorded_ms));
    t.far.send(Terminated(EndReason::RemoteHangup));
    let (_, _, before) = t.ended().await;
    store.close(Duration::from_secs(5)).await;
    let opened = Store::open(&db).expect("the database");
    (before, opened.store, file, folder)
}

#[tokio::test]
async fn a_message_is_kept_with_its_history_row_when_the_caller_hangs_up() {
    let (events, store, file, _folder) = left_a_message_of(3_400).await;
    let message = events
        .iter()
        .find_map(|e| match e {
            Event::VoicemailMessage {
                id,
                from,
                name,
                duration_ms,
                account,
            } => Some((
                *id,
                from.clone(),
                name.clone(),
                *duration_ms,
                account.clone(),
            )),
            _ => None,
        })
        .expect("voicemail_message");
    assert_eq!(message.1, "sip:carol@example.com");
    assert_eq!(message.2.as_deref(), Some("Carol"));
    assert_eq!(message.3, 3_400, "the recording's length, not the call's");
    assert_eq!(message.4.as_str(), "alice");
    assert!(file.exists(), "the message file stays");
    let listed = store.list_voicemail(10).expect("messages");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, message.0);
    assert_eq!(
        Some(listed[0].file.as_str()),
        file.file_name().and_then(|f| f.to_str())
    );
    assert!(!listed[0].heard);
    let history = store.history(HistoryFilter::All, "", 10).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].call.result, CallResult::Missed);
    assert_eq!(history[0].call.reason, "voicemail");
    assert_eq!(
        history[0].voicemail,
        Some(message.0),
        "linked to the message"
    );
}

#[tokio::test]
async fn a_caller_who_hangs_up_at_the_beep_leaves_a_missed_call_and_no_file() {
    let (events, store, file, _folder) = left_a_message_of(MIN_MESSAGE_MS - 100).await;
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::VoicemailMessage { .. })));
    assert!(!file.exists(), "nothing worth keeping");
    assert!(store.list_voicemail(10).expect("messages").is_empty());
    let history = store.history(HistoryFilter::All, "", 10).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].call.result, CallResult::Missed);
    assert_eq!(history[0].call.reason, "no message left");
    assert_eq!(history[0].voicemail, None);
}
