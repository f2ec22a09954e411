//! Recording a call below the socket: the `recording` events, a recording that cannot be
//! written (the call goes on), the end of the call stopping it before `ended`, and the
//! history row naming the file.

use super::dialog::DialogEvent::*;
use super::dialog::EndReason;
use super::fake::*;
use crate::api::{AccountId, CallDirection, CallState, ErrorKind, Event, RecordingState};
use crate::store::{HistoryFilter, Store};
use crate::ua::calls::{CallCommand, CallRegistry, RecordingRequest};
use crate::ua::store_link::StoreLink;
use parla_media::MediaEvent;
use std::path::Path;
use tokio::sync::mpsc::unbounded_channel;

async fn connected_with(media: FakeBackend, store: StoreLink) -> Harness {
    let (dialog, far) = dialog();
    let (events_tx, events) = unbounded_channel();
    let calls = CallRegistry::default();
    let remote = "sip:+31612345678@example.com".to_string();
    let commands = calls.insert(
        CALL,
        AccountId::new("alice"),
        CallDirection::Outgoing,
        remote.clone(),
        CallState::Calling,
    );
    let (mut env, line) = env(events_tx, calls.clone());
    env.store = store;
    let task = tokio::spawn(super::outgoing::run(
        CALL,
        env,
        media.clone(),
        dialog,
        remote,
        commands,
        None,
    ));
    let mut t = Harness {
        call: CALL,
        far,
        media,
        events,
        calls,
        line,
        task,
    };
    t.far.next().await;
    t.far.send(Answered {
        sdp: far_sdp(1, "sendrecv"),
    });
    assert_eq!(t.state().await, CallState::Connected);
    t
}

fn request(folder: &Path) -> RecordingRequest {
    RecordingRequest {
        folder: folder.join("recordings"),
        format: crate::config::RecordingFormat::Wav,
        channels: crate::config::RecordingChannels::Stereo,
    }
}

/// The next `recording` event: its state, path and reason.
async fn recording(t: &mut Harness) -> (RecordingState, Option<String>, Option<String>) {
    let (event, _) = t
        .event_where(|e| matches!(e, Event::Recording { .. }))
        .await;
    match event {
        Event::Recording {
            state,
            path,
            reason,
            ..
        } => (state, path, reason),
        _ => unreachable!(),
    }
}

#[tokio::test(start_paused = true)]
async fn recording_starts_in_the_folder_and_stops_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = connected_with(FakeBackend::default(), StoreLink::none()).await;
    t.command(CallCommand::Record(Some(request(dir.path()))));
    let (state, path, reason) = recording(&mut t).await;
    assert_eq!((state, reason), (RecordingState::Recording, None));
    let path = path.expect("a path");
    let file = Path::new(&path);
    assert_eq!(file.parent(), Some(dir.path().join("recordings").as_path()));
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(name.ends_with("_+31612345678.wav"), "{name}");
    assert_eq!(t.media.log().recording.as_deref(), Some(file));
    t.command(CallCommand::Record(None));
    assert_eq!(
        recording(&mut t).await,
        (RecordingState::Stopped, Some(path.clone()), None)
    );
    assert_eq!(t.media.log().recorded, [file.to_path_buf()]);
    // Stopping again says nothing; the call goes on.
    t.command(CallCommand::Record(None));
    t.settle().await;
    assert_eq!(t.pending_events(), []);
    assert_eq!(t.calls.snapshot()[0].state, CallState::Connected);
}

#[tokio::test(start_paused = true)]
async fn a_recording_that_cannot_start_fails_and_the_call_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let media = FakeBackend::default();
    media.log().refuse_recording = Some("Permission denied".into());
    let mut t = connected_with(media, StoreLink::none()).await;
    t.command(CallCommand::Record(Some(request(dir.path()))));
    let (state, path, reason) = recording(&mut t).await;
    assert_eq!((state, path), (RecordingState::Failed, None));
    assert!(reason.unwrap().contains("Permission denied"));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(errors(&[error])[0].0, ErrorKind::RecordingFailed);
    t.settle().await;
    assert!(!t.task.is_finished(), "the call goes on");
    assert_eq!(t.far.taken(), [], "no BYE");
}

#[tokio::test(start_paused = true)]
async fn the_media_giving_up_on_the_file_is_a_failure_and_the_call_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = connected_with(FakeBackend::default(), StoreLink::none()).await;
    t.command(CallCommand::Record(Some(request(dir.path()))));
    let (_, path, _) = recording(&mut t).await;
    t.media.emit(MediaEvent::RecordingFailed {
        message: "No space left on device".into(),
    });
    let (state, failed_path, reason) = recording(&mut t).await;
    assert_eq!((state, failed_path), (RecordingState::Failed, path));
    assert_eq!(reason.as_deref(), Some("No space left on device"));
    let (error, _) = t.event_where(|e| matches!(e, Event::Error { .. })).await;
    assert_eq!(errors(&[error])[0].0, ErrorKind::RecordingFailed);
    // Hanging up now has no recording to stop.
    t.command(CallCommand::Hangup);
    let (_, _, before) = t.ended().await;
    assert!(!before.iter().any(|e| matches!(e, Event::Recording { .. })));
}

/// Real clock: the history is written by the store's own thread.
#[tokio::test]
async fn the_end_stops_the_recording_before_ended_and_the_history_keeps_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parla.db");
    let mut t = connected_with(FakeBackend::default(), StoreLink::open(db.clone())).await;
    t.command(CallCommand::Record(Some(request(dir.path()))));
    let (_, path, _) = recording(&mut t).await;
    t.far.send(Terminated(EndReason::RemoteHangup));
    let (reason, _, before) = t.ended().await;
    assert_eq!(reason, "remote hangup");
    assert!(
        before.iter().any(|e| matches!(
            e,
            Event::Recording { state: RecordingState::Stopped, path: p, .. } if *p == path
        )),
        "stopped before ended: {before:?}"
    );
    let history = Store::open(&db)
        .unwrap()
        .store
        .history(HistoryFilter::All, "", 10)
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].recording, path);
}
