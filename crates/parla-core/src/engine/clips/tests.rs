//! The clips commands against real files in a temporary profile, the real store thread on a
//! SQLite file, and `file:` devices (what "plays" is written to a WAV file).

use super::*;
use crate::config::AudioConfig;
use crate::store::{CallRecord, CallResult, NewVoicemail, Region, DB_FILE_NAME};
use crate::test_wav::write_wav;
use std::time::{Instant, SystemTime};
use tokio::sync::mpsc;

const WAV_HEADER: u64 = 44;

/// How long a 48 kHz mono 16-bit WAV written by a `file:` output plays.
fn played_ms(path: &Path) -> u64 {
    let len = std::fs::metadata(path).unwrap().len();
    (len - WAV_HEADER) / 2 * 1000 / 48_000
}

struct Bench {
    clips: Clips,
    shared: Shared,
    events: mpsc::UnboundedReceiver<Event>,
    dir: tempfile::TempDir,
}

impl Bench {
    fn new(max_greeting: Duration) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (tx, events) = mpsc::unbounded_channel();
        let audio = AudioConfig {
            input: format!("file:{}", dir.path().join("mic.wav").display()),
            output: format!("file:{}", dir.path().join("out.wav").display()),
            ..AudioConfig::default()
        };
        write_wav(&dir.path().join("mic.wav"), 1000);
        let mut shared = Shared::new(tx.clone(), audio, Vec::new());
        shared.store = StoreLink::open(dir.path().join(DB_FILE_NAME));
        shared.profile = Some(dir.path().to_path_buf());
        let clips = Clips::new(tx).with_max_greeting(max_greeting);
        Self {
            clips,
            shared,
            events,
            dir,
        }
    }

    fn send(&mut self, command: Command) {
        self.clips.handle(command, &self.shared);
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out.wav")
    }

    /// A message of `ms` whose file is written (or not).
    async fn message(&self, ms: u32, with_file: bool) -> VoicemailId {
        let folder = self.dir.path().join(VOICEMAIL_DIR);
        std::fs::create_dir_all(&folder).unwrap();
        let file = format!("msg-{ms}-{with_file}.wav");
        if with_file {
            write_wav(&folder.join(&file), ms);
        }
        let message = NewVoicemail {
            account: "work".into(),
            from: "sip:201@pbx.example".into(),
            name: String::new(),
            started: SystemTime::now(),
            duration_ms: u64::from(ms),
            file,
        };
        let call = CallRecord::incoming_now(CallResult::Missed);
        let region: Region = "NL".parse().unwrap();
        let entry = self
            .shared
            .store
            .record_voicemail(call, message, Default::default(), region)
            .await;
        entry.expect("recorded").id
    }

    /// Events up to and including the first that `done` accepts (at most 10 s).
    async fn until(&mut self, what: &str, done: impl Fn(&Event) -> bool) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no {what} within 10 s; saw {seen:#?}"))
                .expect("events flow");
            let stop = done(&event);
            seen.push(event);
            if stop {
                return seen;
            }
        }
    }
}

fn playback_state(event: &Event) -> Option<(PlaybackState, u64, u64)> {
    match event {
        Event::Playback {
            state,
            position_ms,
            duration_ms,
            ..
        } => Some((*state, *position_ms, *duration_ms)),
        _ => None,
    }
}

fn is_playback(state: PlaybackState) -> impl Fn(&Event) -> bool {
    move |e| playback_state(e).is_some_and(|(s, _, _)| s == state)
}

#[tokio::test]
async fn a_message_plays_to_the_end_with_rising_positions_and_is_marked_heard() {
    let mut bench = Bench::new(MAX_GREETING);
    let id = bench.message(1200, true).await;
    bench.send(Command::PlayVoicemail {
        id,
        position_ms: None,
    });
    let seen = bench
        .until("stopped", is_playback(PlaybackState::Stopped))
        .await;
    let playback: Vec<_> = seen.iter().filter_map(playback_state).collect();
    assert_eq!(playback[0], (PlaybackState::Playing, 0, 1200), "{seen:#?}");
    assert!(matches!(
        seen.iter().find(|e| matches!(e, Event::Playback { .. })),
        Some(Event::Playback { id: Some(i), greeting: None, .. }) if *i == id
    ));
    let positions: Vec<u64> = playback
        .iter()
        .filter(|(s, _, _)| *s == PlaybackState::Playing)
        .map(|(_, p, _)| *p)
        .collect();
    assert!(positions.len() >= 4, "about 5 a second: {positions:?}");
    assert!(positions.windows(2).all(|w| w[0] <= w[1]), "{positions:?}");
    assert!(
        positions.iter().any(|p| (1..1200).contains(p)),
        "{positions:?}"
    );
    assert_eq!(
        playback.last(),
        Some(&(PlaybackState::Stopped, 1200, 1200)),
        "played to the end"
    );
    assert_eq!(played_ms(&bench.out()), 1200);
    // Heard: no message is left unheard.
    let changed = seen
        .iter()
        .any(|e| matches!(e, Event::VoicemailChanged { unheard: 0, .. }));
    let changed = changed
        || bench
            .until("voicemail_changed", |e| {
                matches!(e, Event::VoicemailChanged { .. })
            })
            .await
            .iter()
            .any(|e| matches!(e, Event::VoicemailChanged { unheard: 0, .. }));
    assert!(changed);
}

#[tokio::test]
async fn pause_holds_seek_moves_and_playing_again_resumes() {
    let mut bench = Bench::new(MAX_GREETING);
    let id = bench.message(3000, true).await;
    bench.send(Command::PlayVoicemail {
        id,
        position_ms: None,
    });
    bench
        .until("some playback", |e| {
            playback_state(e).is_some_and(|(s, p, _)| s == PlaybackState::Playing && p >= 200)
        })
        .await;
    bench.send(Command::PausePlayback);
    let seen = bench
        .until("paused", is_playback(PlaybackState::Paused))
        .await;
    let (_, paused_at, _) = seen.iter().rev().find_map(playback_state).unwrap();
    assert!(paused_at < 3000);
    // While paused nothing reports progress.
    let watch = tokio::time::Instant::now() + Duration::from_millis(500);
    while let Ok(event) = tokio::time::timeout_at(watch, bench.events.recv()).await {
        assert!(
            playback_state(event.as_ref().unwrap()).is_none(),
            "progress while paused: {event:?}"
        );
    }

    bench.send(Command::SeekPlayback { position_ms: 2500 });
    let seen = bench
        .until("the seek", is_playback(PlaybackState::Paused))
        .await;
    assert_eq!(
        seen.last().and_then(playback_state),
        Some((PlaybackState::Paused, 2500, 3000))
    );
    bench.send(Command::PlayVoicemail {
        id,
        position_ms: None,
    });
    let seen = bench
        .until("resumed", is_playback(PlaybackState::Playing))
        .await;
    let (_, resumed_at, _) = seen.last().and_then(playback_state).unwrap();
    assert!(resumed_at >= 2500, "resumed at {resumed_at}");
    bench
        .until("the end", is_playback(PlaybackState::Stopped))
        .await;
    // What reached the output: the start until the pause, then the last half second.
    let played = played_ms(&bench.out());
    assert!((700..2000).contains(&played), "played {played} ms of 3000");

    // Starting at a position, then stopping.
    bench.send(Command::PlayVoicemail {
        id,
        position_ms: Some(1000),
    });
    let seen = bench
        .until("playing", is_playback(PlaybackState::Playing))
        .await;
    assert_eq!(
        seen.last().and_then(playback_state),
        Some((PlaybackState::Playing, 1000, 3000))
    );
    bench.send(Command::StopPlayback);
    let seen = bench
        .until("stopped", is_playback(PlaybackState::Stopped))
        .await;
    let (_, at, _) = seen.last().and_then(playback_state).unwrap();
    assert!((1000..3000).contains(&at), "stopped at {at}");
}

#[tokio::test]
async fn a_message_whose_file_is_gone_is_file_missing_and_an_unknown_one_not_found() {
    let mut bench = Bench::new(MAX_GREETING);
    let id = bench.message(500, false).await;
    bench.send(Command::PlayVoicemail {
        id,
        position_ms: None,
    });
    let seen = bench
        .until("an error", |e| matches!(e, Event::Error { .. }))
        .await;
    assert!(
        matches!(
            seen.last(),
            Some(Event::Error {
                kind: ErrorKind::FileMissing,
                ..
            })
        ),
        "{seen:?}"
    );
    assert!(!bench.out().exists(), "nothing was opened");
    bench.send(Command::PlayVoicemail {
        id: VoicemailId(999),
        position_ms: None,
    });
    let seen = bench
        .until("an error", |e| matches!(e, Event::Error { .. }))
        .await;
    assert!(
        matches!(
            seen.last(),
            Some(Event::Error {
                kind: ErrorKind::NotFound,
                ..
            })
        ),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_greeting_is_recorded_played_kept_and_played_again() {
    let mut bench = Bench::new(MAX_GREETING);
    let account = AccountId::new("work/1");
    let greetings = bench.dir.path().join(GREETINGS_DIR);
    bench.send(Command::PlayGreeting {
        account: account.clone(),
    });
    let seen = bench
        .until("an error", |e| matches!(e, Event::Error { .. }))
        .await;
    assert!(matches!(
        seen.last(),
        Some(Event::Error { kind: ErrorKind::FileMissing, account: Some(a), .. }) if *a == account
    ));

    bench.send(Command::RecordGreeting {
        account: account.clone(),
        stop: false,
    });
    let seen = bench
        .until("400 ms recorded", |e| {
            matches!(e, Event::Greeting { state: GreetingState::Recording, duration_ms, .. }
                if *duration_ms >= 400)
        })
        .await;
    assert!(matches!(
        &seen[0],
        Event::Greeting { state: GreetingState::Recording, duration_ms: 0, account: a, .. }
            if *a == account
    ));
    bench.send(Command::RecordGreeting {
        account: account.clone(),
        stop: true,
    });
    let seen = bench
        .until("recorded", |e| {
            matches!(
                e,
                Event::Greeting {
                    state: GreetingState::Recorded,
                    ..
                }
            )
        })
        .await;
    let Some(Event::Greeting { duration_ms, .. }) = seen.last() else {
        unreachable!()
    };
    let recorded = *duration_ms;
    assert!(recorded >= 400, "{recorded} ms");
    let draft = greetings.join("work_1-draft.wav");
    assert!(draft.is_file(), "the draft, named safely");

    bench.send(Command::PlayGreeting {
        account: account.clone(),
    });
    let seen = bench
        .until("played", is_playback(PlaybackState::Stopped))
        .await;
    assert!(seen.iter().any(|e| matches!(
        e,
        Event::Playback { greeting: Some(a), id: None, state: PlaybackState::Playing, duration_ms, .. }
            if *a == account && *duration_ms == recorded
    )));
    assert_eq!(played_ms(&bench.out()), recorded);

    bench.send(Command::KeepGreeting {
        account: account.clone(),
    });
    let seen = bench
        .until("kept", |e| {
            matches!(
                e,
                Event::Greeting {
                    state: GreetingState::Kept,
                    ..
                }
            )
        })
        .await;
    let kept = greetings.join("work_1.wav");
    assert_eq!(
        seen.last(),
        Some(&Event::Greeting {
            account: account.clone(),
            state: GreetingState::Kept,
            duration_ms: recorded,
            path: Some(kept.display().to_string()),
        })
    );
    assert!(kept.is_file() && !draft.exists());

    std::fs::remove_file(bench.out()).unwrap();
    bench.send(Command::PlayGreeting {
        account: account.clone(),
    });
    bench
        .until("played", is_playback(PlaybackState::Stopped))
        .await;
    assert_eq!(played_ms(&bench.out()), recorded, "the kept greeting plays");

    bench.send(Command::KeepGreeting {
        account: account.clone(),
    });
    let seen = bench
        .until("an error", |e| matches!(e, Event::Error { .. }))
        .await;
    assert!(matches!(
        seen.last(),
        Some(Event::Error {
            kind: ErrorKind::FileMissing,
            ..
        })
    ));
}

#[tokio::test]
async fn a_greeting_stops_itself_at_its_limit() {
    let mut bench = Bench::new(Duration::from_millis(600));
    let started = Instant::now();
    bench.send(Command::RecordGreeting {
        account: AccountId::new("home"),
        stop: false,
    });
    let seen = bench
        .until("recorded", |e| {
            matches!(
                e,
                Event::Greeting {
                    state: GreetingState::Recorded,
                    ..
                }
            )
        })
        .await;
    assert!(matches!(
        seen.last(),
        Some(Event::Greeting {
            duration_ms: 600,
            ..
        })
    ));
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert!(bench
        .dir
        .path()
        .join(GREETINGS_DIR)
        .join("home-draft.wav")
        .is_file());
}

#[test]
fn account_ids_become_safe_file_names() {
    let name = |s: &str| file_stem(&AccountId::new(s));
    assert_eq!(name("work"), "work");
    assert_eq!(name("a/b\\c d"), "a_b_c_d");
    assert_eq!(name("../x"), "_x");
    assert_eq!(name("..."), "line");
    assert_eq!(name(""), "line");
    assert_eq!(name("alice@pbx.example"), "alice_pbx.example");
}
