//! The conference's decisions against a registry of scripted calls and a mixer that logs:
//! what is checked, held calls resumed before they join, leaving, the end of the
//! conference, and the one-active-call rule with members counted as one.

use super::*;
use crate::api::{AccountId, CallDirection};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Duration, Instant};

#[derive(Clone, Default)]
struct MixerLog(Arc<Mutex<Vec<String>>>);

impl MixerLog {
    fn push(&self, what: String) {
        self.0.lock().unwrap().push(what);
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct FakeMixer {
    log: MixerLog,
    next: AtomicUsize,
}

impl Mixer for FakeMixer {
    fn seat(&self) -> Result<Seat, parla_media::MediaError> {
        Ok(Seat::Test(self.next.fetch_add(1, Ordering::Relaxed)))
    }

    fn set_participant_muted(&self, seat: &Seat, muted: bool) {
        self.log.push(format!("{seat:?} muted {muted}"));
    }

    fn set_microphone_muted(&self, muted: bool) {
        self.log.push(format!("microphone muted {muted}"));
    }

    fn switch_devices(
        &self,
        input: Option<&str>,
        output: Option<&str>,
    ) -> Result<(), parla_media::MediaError> {
        self.log.push(format!("devices {input:?} {output:?}"));
        Ok(())
    }
}

impl Drop for FakeMixer {
    fn drop(&mut self) {
        self.log.push("closed".into());
    }
}

struct Setup {
    calls: CallRegistry,
    rx: Vec<UnboundedReceiver<CallCommand>>,
    mixer: MixerLog,
}

fn setup(states: &[CallState]) -> Setup {
    let mixer = MixerLog::default();
    let started = mixer.clone();
    let mut calls = CallRegistry::default();
    calls.set_conference(ConferenceHub::with_mixer(move |_, _| {
        started.push("started".into());
        Ok(Box::new(FakeMixer {
            log: started.clone(),
            next: AtomicUsize::new(0),
        }))
    }));
    let rx = states
        .iter()
        .enumerate()
        .map(|(i, &state)| {
            calls.insert(
                CallId(i as u64 + 1),
                AccountId::new("alice"),
                CallDirection::Outgoing,
                format!("sip:{i}@example.com"),
                state,
            )
        })
        .collect();
    Setup { calls, rx, mixer }
}

fn audio(size: usize) -> AudioConfig {
    AudioConfig {
        conference_size: size,
        ..AudioConfig::default()
    }
}

fn commands(rx: &mut UnboundedReceiver<CallCommand>) -> Vec<CallCommand> {
    let mut out = Vec::new();
    while let Ok(c) = rx.try_recv() {
        out.push(c);
    }
    out
}

const A: CallId = CallId(1);
const B: CallId = CallId(2);
const C: CallId = CallId(3);

#[tokio::test(start_paused = true)]
async fn calls_that_cannot_join_are_named_and_nothing_starts() {
    use CallState::*;
    let s = setup(&[Connected, OnHold, Incoming, Connected]);
    let merge_of = |wanted: Vec<CallId>, size| {
        let calls = s.calls.clone();
        async move { merge(&calls, &wanted, audio(size)).await }
    };
    assert_eq!(
        merge_of(vec![A, CallId(9)], 5).await,
        Err(ConferenceError::NoSuchCall(CallId(9)))
    );
    assert_eq!(
        merge_of(vec![A, C], 5).await,
        Err(ConferenceError::NotConnected(C))
    );
    assert_eq!(merge_of(vec![A], 5).await, Err(ConferenceError::TooFew));
    assert_eq!(
        merge_of(vec![A, B, CallId(4)], 2).await,
        Err(ConferenceError::TooMany(3, 2))
    );
    s.calls.set_state(B, Ended);
    assert_eq!(
        merge_of(vec![A, B], 5).await,
        Err(ConferenceError::NotConnected(B))
    );
    assert_eq!(s.mixer.all(), Vec::<String>::new(), "no mixer started");
    assert!(s.calls.conference().members().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_held_call_is_resumed_and_joins_once_its_far_end_answered() {
    use CallState::*;
    let mut s = setup(&[Connected, OnHold]);
    let merging = tokio::spawn({
        let calls = s.calls.clone();
        async move { merge(&calls, &[A, B], audio(5)).await }
    });
    assert_eq!(s.rx[1].recv().await, Some(CallCommand::Resume));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(commands(&mut s.rx[0]), [], "nobody joins before the resume");
    assert!(!merging.is_finished());
    s.calls.set_state(B, Connected);
    assert_eq!(merging.await.unwrap(), Ok(vec![A, B]));
    assert_eq!(
        commands(&mut s.rx[0]),
        [CallCommand::JoinConference(Seat::Test(0))]
    );
    assert_eq!(
        commands(&mut s.rx[1]),
        [CallCommand::JoinConference(Seat::Test(1))]
    );
    assert_eq!(s.mixer.all(), ["started"]);
    assert_eq!(
        s.calls.conference().event(),
        Event::Conference {
            calls: vec![A, B],
            muted: vec![]
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_that_stays_held_stays_out() {
    use CallState::*;
    let mut s = setup(&[Connected, OnHold, Connected]);
    let start = Instant::now();
    let merged = merge(&s.calls.clone(), &[A, B, C], audio(5)).await;
    assert_eq!(merged, Ok(vec![A, C]));
    assert_eq!(Instant::now() - start, HOLD_OTHERS_WAIT);
    assert_eq!(commands(&mut s.rx[1]), [CallCommand::Resume]);
}

#[tokio::test(start_paused = true)]
async fn merging_holds_the_calls_left_out_and_adds_to_a_running_conference() {
    use CallState::*;
    let mut s = setup(&[Connected, OnHold, Connected]);
    // C is connected and not named: held first (A, the one active call, is spared).
    let merging = tokio::spawn({
        let calls = s.calls.clone();
        async move { merge(&calls, &[A, B], audio(5)).await }
    });
    assert_eq!(s.rx[2].recv().await, Some(CallCommand::Hold));
    s.calls.set_state(C, OnHold);
    assert_eq!(s.rx[1].recv().await, Some(CallCommand::Resume));
    s.calls.set_state(B, Connected);
    assert_eq!(merging.await.unwrap(), Ok(vec![A, B]));
    assert_eq!(
        commands(&mut s.rx[0]),
        [CallCommand::JoinConference(Seat::Test(0))]
    );
    // Named again with C: C is resumed and joins; A and B are left alone.
    commands(&mut s.rx[1]);
    let merging = tokio::spawn({
        let calls = s.calls.clone();
        async move { merge(&calls, &[A, B, C], audio(5)).await }
    });
    assert_eq!(s.rx[2].recv().await, Some(CallCommand::Resume));
    s.calls.set_state(C, Connected);
    assert_eq!(merging.await.unwrap(), Ok(vec![A, B, C]));
    assert_eq!(
        commands(&mut s.rx[2]),
        [CallCommand::JoinConference(Seat::Test(2))]
    );
    assert_eq!(commands(&mut s.rx[0]), []);
    assert_eq!(s.mixer.all(), ["started"], "one mixer");
}

async fn three_in_conference() -> Setup {
    use CallState::*;
    let mut s = setup(&[Connected, Connected, Connected]);
    let merged = merge(&s.calls.clone(), &[A, B, C], audio(5)).await;
    assert_eq!(merged, Ok(vec![A, B, C]));
    for rx in &mut s.rx {
        commands(rx);
    }
    s
}

#[tokio::test(start_paused = true)]
async fn one_leaving_leaves_the_others_and_the_last_goes_back_to_the_devices() {
    let mut s = three_in_conference().await;
    assert_eq!(
        s.calls.leave_conference(B),
        Some(Event::Conference {
            calls: vec![A, C],
            muted: vec![]
        })
    );
    assert_eq!(s.calls.leave_conference(B), None, "no member any more");
    assert_eq!(commands(&mut s.rx[0]), []);
    s.calls.conference().set_microphone_muted(true);
    assert_eq!(
        s.calls.leave_conference(C),
        Some(Event::Conference {
            calls: vec![],
            muted: vec![]
        })
    );
    let devices = AudioConfig::default();
    assert_eq!(
        commands(&mut s.rx[0]),
        [
            CallCommand::LeaveConference {
                input: devices.input,
                output: devices.output
            },
            CallCommand::Mute(true)
        ],
        "the last call goes back to the devices, still muted"
    );
    tokio::task::yield_now().await;
    // The mixer is closed off the async workers.
    for _ in 0..100 {
        if s.mixer.all().last().map(String::as_str) == Some("closed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(
        s.mixer.all(),
        ["started", "microphone muted true", "closed"]
    );
    assert!(s.calls.conference().members().is_empty());
}

#[tokio::test(start_paused = true)]
async fn participants_are_muted_in_the_mix_and_named_in_the_event() {
    let s = three_in_conference().await;
    let hub = s.calls.conference();
    hub.set_participant_muted(B, true).unwrap();
    assert_eq!(
        hub.set_participant_muted(CallId(9), true),
        Err(ConferenceError::NotAMember(CallId(9)))
    );
    assert_eq!(
        hub.event(),
        Event::Conference {
            calls: vec![A, B, C],
            muted: vec![B]
        }
    );
    assert_eq!(
        hub.switch_devices(Some("null".into()), None)
            .expect("switched"),
        ("null".into(), AudioConfig::default().output)
    );
    assert_eq!(
        s.mixer.all(),
        [
            "started",
            "Test(1) muted true",
            "devices Some(\"null\") None"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_members_count_as_one_active_call() {
    use CallState::*;
    let mut s = three_in_conference().await;
    let d = s.calls.insert(
        CallId(4),
        AccountId::new("alice"),
        CallDirection::Incoming,
        "sip:d@example.com".into(),
        Incoming,
    );
    s.rx.push(d);
    // Resuming (or being) a member does not hold the other members.
    assert!(!s.calls.another_connected(A));
    s.calls
        .hold_all_but(&[B], Instant::now() + Duration::from_secs(1))
        .await;
    for rx in &mut s.rx {
        assert_eq!(commands(rx), []);
    }
    // Answering a new call holds every member.
    assert!(s.calls.another_connected(CallId(4)));
    let answering = tokio::spawn({
        let calls = s.calls.clone();
        async move {
            calls
                .hold_others(CallId(4), Instant::now() + HOLD_OTHERS_WAIT)
                .await
        }
    });
    for (i, rx) in s.rx.iter_mut().take(3).enumerate() {
        assert_eq!(rx.recv().await, Some(CallCommand::Hold));
        s.calls.set_state(CallId(i as u64 + 1), OnHold);
    }
    answering.await.unwrap();
    assert_eq!(s.calls.conference().members(), [A, B, C], "still members");
}
