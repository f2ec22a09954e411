//! Playing messages and greetings on the output device, and recording greetings: the
//! `play_voicemail`, `play_greeting`, `pause_playback`, `seek_playback`, `stop_playback`,
//! `record_greeting` and `keep_greeting` commands.
//!
//! One task (started with the first such command) owns what plays and what records, and
//! takes the commands in order. Opening devices and files, and joining the player's or
//! recorder's thread, happen on tokio's blocking pool; the store is asked on its own thread.
//! While something plays or records the task reports it every [`REPORT_EVERY`].

#[cfg(test)]
mod tests;

use crate::api::{AccountId, Command, ErrorKind, Event, GreetingState, PlaybackState};
use crate::store::{VoicemailEntry, VoicemailId, VOICEMAIL_DIR};
use crate::ua::account::Shared;
use crate::ua::store_link::StoreLink;
use parla_media::clip::{self, ClipPlayer, ClipRecorder};
use parla_media::{AudioEndpoint, MediaError};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;

/// How often `playback` and `greeting` events report progress.
pub const REPORT_EVERY: Duration = Duration::from_millis(200);
/// The longest greeting recorded.
pub const MAX_GREETING: Duration = Duration::from_secs(60);
/// The profile's folder for greetings: `ACCOUNT.wav` kept, `ACCOUNT-draft.wav` recorded.
pub const GREETINGS_DIR: &str = "greetings";

/// The kept greeting of `account` in `profile`.
pub fn greeting_path(profile: &Path, account: &AccountId) -> PathBuf {
    profile
        .join(GREETINGS_DIR)
        .join(format!("{}.wav", file_stem(account)))
}

/// The greeting of `account` recorded but not kept yet.
fn draft_path(profile: &Path, account: &AccountId) -> PathBuf {
    profile
        .join(GREETINGS_DIR)
        .join(format!("{}-draft.wav", file_stem(account)))
}

/// An account id as a file name: letters, digits, `-`, `_` and inner dots kept, the rest `_`.
fn file_stem(account: &AccountId) -> String {
    let stem: String = account
        .as_str()
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    if stem.is_empty() {
        "line".to_owned()
    } else {
        stem.to_owned()
    }
}

/// What one command needs of the engine, as it is when the command is given.
struct Job {
    command: Command,
    store: StoreLink,
    profile: Option<PathBuf>,
    input: String,
    output: String,
}

pub struct Clips {
    events: UnboundedSender<Event>,
    jobs: Option<UnboundedSender<Job>>,
    max_greeting: Duration,
}

impl Clips {
    pub fn new(events: UnboundedSender<Event>) -> Self {
        Self {
            events,
            jobs: None,
            max_greeting: MAX_GREETING,
        }
    }

    /// Greetings end by themselves after `max` (tests; the engine's is [`MAX_GREETING`]).
    #[cfg(test)]
    fn with_max_greeting(mut self, max: Duration) -> Self {
        self.max_greeting = max;
        self
    }

    /// Whether anything was ever asked of the clips task (so there may be something to stop).
    pub fn started(&self) -> bool {
        self.jobs.is_some()
    }

    /// Hands `command` to the clips task (started now if it is not running). Must be called
    /// inside the tokio runtime.
    pub fn handle(&mut self, command: Command, shared: &Shared) {
        let audio = shared.audio();
        let mut job = Job {
            command,
            store: shared.store.clone(),
            profile: shared.profile.clone(),
            input: audio.input,
            output: audio.output,
        };
        if let Some(jobs) = &self.jobs {
            match jobs.send(job) {
                Ok(()) => return,
                Err(mpsc::error::SendError(back)) => job = back,
            }
        }
        let (jobs, rx) = mpsc::unbounded_channel();
        tokio::spawn(Task::new(self.events.clone(), self.max_greeting).run(rx));
        let _ = jobs.send(job);
        self.jobs = Some(jobs);
    }
}

/// What plays.
#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    Voicemail(VoicemailId),
    Greeting(AccountId),
}

struct Playing {
    player: ClipPlayer,
    what: What,
}

struct Recording {
    recorder: ClipRecorder,
    account: AccountId,
    path: PathBuf,
}

struct Task {
    events: UnboundedSender<Event>,
    max_greeting: Duration,
    playing: Option<Playing>,
    recording: Option<Recording>,
}

impl Task {
    fn new(events: UnboundedSender<Event>, max_greeting: Duration) -> Self {
        Self {
            events,
            max_greeting,
            playing: None,
            recording: None,
        }
    }

    async fn run(mut self, mut jobs: UnboundedReceiver<Job>) {
        let mut report = tokio::time::interval(REPORT_EVERY);
        report.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let busy = self.playing.is_some() || self.recording.is_some();
            tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => self.command(job).await,
                    None => break,
                },
                _ = report.tick(), if busy => self.report().await,
            }
        }
        self.stop_playback().await;
        self.finish_recording().await;
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    async fn command(&mut self, job: Job) {
        match job.command.clone() {
            Command::PlayVoicemail { id, position_ms } => {
                self.play_voicemail(&job, id, position_ms).await;
            }
            Command::PlayGreeting { account } => self.play_greeting(&job, account).await,
            Command::PausePlayback => self.pause(),
            Command::SeekPlayback { position_ms } => self.seek(position_ms),
            Command::StopPlayback => self.stop_playback().await,
            Command::RecordGreeting { account, stop } => {
                if stop {
                    self.finish_recording().await;
                } else {
                    self.record_greeting(&job, account).await;
                }
            }
            Command::KeepGreeting { account } => self.keep_greeting(&job, account).await,
            other => tracing::debug!(?other, "not a clips command"),
        }
    }

    async fn report(&mut self) {
        if let Some(playing) = &self.playing {
            if playing.player.is_finished() {
                // Played to the end: the position is the duration.
                self.stop_playback().await;
            } else if !playing.player.is_paused() {
                self.emit(playback(playing, PlaybackState::Playing));
            }
        }
        if let Some(recording) = &self.recording {
            if recording.recorder.is_finished() {
                self.finish_recording().await;
            } else {
                self.emit(Event::Greeting {
                    account: recording.account.clone(),
                    state: GreetingState::Recording,
                    duration_ms: recording.recorder.elapsed_ms(),
                    path: None,
                });
            }
        }
    }

    /// A paused message played again resumes (at `position_ms` when given).
    fn resume(&mut self, what: &What, position_ms: Option<u64>) -> bool {
        let Some(playing) = &self.playing else {
            return false;
        };
        if playing.what != *what || !playing.player.is_paused() || playing.player.is_finished() {
            return false;
        }
        if let Some(position) = position_ms {
            playing.player.seek(position);
        }
        playing.player.resume();
        let mut event = playback(playing, PlaybackState::Playing);
        if let (Some(position), Event::Playback { position_ms, .. }) = (position_ms, &mut event) {
            *position_ms = position.min(playing.player.duration_ms());
        }
        self.emit(event);
        true
    }

    async fn play_voicemail(&mut self, job: &Job, id: VoicemailId, position_ms: Option<u64>) {
        self.finish_recording().await;
        if self.resume(&What::Voicemail(id), position_ms) {
            return;
        }
        let entry = match lookup(&job.store, id).await {
            Ok(entry) => entry,
            Err((kind, message)) => return self.emit(Event::error(kind, message)),
        };
        let path = job
            .profile
            .as_deref()
            .and_then(|profile| entry.path_in(&profile.join(VOICEMAIL_DIR)));
        let Some(path) = path.filter(|p| p.is_file()) else {
            return self.emit(Event::error(
                ErrorKind::FileMissing,
                format!("the audio file of message {id} ({}) is missing", entry.file),
            ));
        };
        let started = self
            .start(What::Voicemail(id), path, &job.output, position_ms)
            .await;
        if started && !entry.heard {
            mark_heard(&job.store, id, self.events.clone());
        }
    }

    async fn play_greeting(&mut self, job: &Job, account: AccountId) {
        self.finish_recording().await;
        if self.resume(&What::Greeting(account.clone()), None) {
            return;
        }
        let found = job.profile.as_deref().and_then(|profile| {
            [
                draft_path(profile, &account),
                greeting_path(profile, &account),
            ]
            .into_iter()
            .find(|p| p.is_file())
        });
        let Some(path) = found else {
            return self.emit(Event::account_error(
                account.clone(),
                ErrorKind::FileMissing,
                format!("line {account} has no recorded greeting"),
            ));
        };
        self.start(What::Greeting(account), path, &job.output, None)
            .await;
    }

    /// Stops what plays and starts `path`; false (with an error event) if it cannot.
    async fn start(
        &mut self,
        what: What,
        path: PathBuf,
        output: &str,
        position_ms: Option<u64>,
    ) -> bool {
        self.stop_playback().await;
        let endpoint = match AudioEndpoint::parse(output) {
            Ok(endpoint) => endpoint,
            Err(e) => {
                self.emit(Event::error(ErrorKind::InvalidAudio, e.to_string()));
                return false;
            }
        };
        let position = position_ms.unwrap_or(0);
        let opened =
            tokio::task::spawn_blocking(move || ClipPlayer::start(&path, &endpoint, position))
                .await;
        match opened {
            Ok(Ok(player)) => {
                let playing = Playing { player, what };
                let mut event = playback(&playing, PlaybackState::Playing);
                if let Event::Playback { position_ms, .. } = &mut event {
                    *position_ms = position.min(playing.player.duration_ms());
                }
                self.emit(event);
                self.playing = Some(playing);
                true
            }
            Ok(Err(e)) => {
                let kind = match e {
                    MediaError::Wav { .. } | MediaError::WavFormat { .. } => ErrorKind::FileMissing,
                    _ => ErrorKind::InvalidAudio,
                };
                let event = match &what {
                    What::Greeting(account) => {
                        Event::account_error(account.clone(), kind, e.to_string())
                    }
                    What::Voicemail(_) => Event::error(kind, e.to_string()),
                };
                self.emit(event);
                false
            }
            Err(e) => {
                self.emit(Event::error(ErrorKind::Internal, e.to_string()));
                false
            }
        }
    }

    fn pause(&mut self) {
        let Some(playing) = &self.playing else {
            return tracing::debug!("pause_playback with nothing playing");
        };
        if !playing.player.is_paused() && !playing.player.is_finished() {
            playing.player.pause();
            self.emit(playback(playing, PlaybackState::Paused));
        }
    }

    fn seek(&mut self, position_ms: u64) {
        let Some(playing) = &self.playing else {
            return tracing::debug!("seek_playback with nothing playing");
        };
        playing.player.seek(position_ms);
        let state = if playing.player.is_paused() {
            PlaybackState::Paused
        } else {
            PlaybackState::Playing
        };
        let mut event = playback(playing, state);
        if let Event::Playback { position_ms: p, .. } = &mut event {
            *p = position_ms.min(playing.player.duration_ms());
        }
        self.emit(event);
    }

    /// Stops what plays (if anything) and says so with its last position.
    async fn stop_playback(&mut self) {
        let Some(playing) = self.playing.take() else {
            return;
        };
        let Playing { player, what } = playing;
        let duration_ms = player.duration_ms();
        let stopped = tokio::task::spawn_blocking(move || {
            let position = player.position_ms();
            player.stop();
            position
        })
        .await;
        let position_ms = stopped.unwrap_or(0);
        self.emit(playback_event(
            &what,
            PlaybackState::Stopped,
            position_ms,
            duration_ms,
        ));
    }

    async fn record_greeting(&mut self, job: &Job, account: AccountId) {
        self.stop_playback().await;
        self.finish_recording().await;
        let fail = |message: String| {
            Event::account_error(account.clone(), ErrorKind::RecordingFailed, message)
        };
        let Some(profile) = job.profile.clone() else {
            return self.emit(fail(
                "there is no profile folder to keep greetings in".into(),
            ));
        };
        let input = match AudioEndpoint::parse(&job.input) {
            Ok(input) => input,
            Err(e) => {
                return self.emit(Event::account_error(
                    account.clone(),
                    ErrorKind::InvalidAudio,
                    e.to_string(),
                ))
            }
        };
        let path = draft_path(&profile, &account);
        let (target, max) = (path.clone(), self.max_greeting);
        let started = tokio::task::spawn_blocking(move || {
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            ClipRecorder::start(&input, &target, max).map_err(|e| e.to_string())
        })
        .await;
        match started {
            Ok(Ok(recorder)) => {
                self.emit(Event::Greeting {
                    account: account.clone(),
                    state: GreetingState::Recording,
                    duration_ms: 0,
                    path: None,
                });
                self.recording = Some(Recording {
                    recorder,
                    account,
                    path,
                });
            }
            Ok(Err(message)) => self.emit(fail(message)),
            Err(e) => self.emit(fail(e.to_string())),
        }
    }

    /// Ends the greeting being recorded (if one is): `recorded`, or `recording_failed` with
    /// the draft removed.
    async fn finish_recording(&mut self) {
        let Some(Recording {
            recorder,
            account,
            path,
        }) = self.recording.take()
        else {
            return;
        };
        let stopped = tokio::task::spawn_blocking(move || recorder.stop()).await;
        let error = match stopped {
            Ok(Ok(duration_ms)) => {
                return self.emit(Event::Greeting {
                    account,
                    state: GreetingState::Recorded,
                    duration_ms,
                    path: None,
                });
            }
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        let _ = tokio::fs::remove_file(&path).await;
        self.emit(Event::account_error(
            account,
            ErrorKind::RecordingFailed,
            format!("the greeting could not be recorded: {error}"),
        ));
    }

    async fn keep_greeting(&mut self, job: &Job, account: AccountId) {
        self.finish_recording().await;
        let Some(profile) = job.profile.clone() else {
            return self.emit(Event::account_error(
                account,
                ErrorKind::FileMissing,
                "there is no profile folder with greetings",
            ));
        };
        if self
            .playing
            .as_ref()
            .is_some_and(|p| p.what == What::Greeting(account.clone()))
        {
            self.stop_playback().await;
        }
        let (draft, kept) = (
            draft_path(&profile, &account),
            greeting_path(&profile, &account),
        );
        let target = kept.clone();
        let renamed = tokio::task::spawn_blocking(move || {
            if !draft.is_file() {
                return Err((
                    ErrorKind::FileMissing,
                    "no greeting was recorded".to_owned(),
                ));
            }
            std::fs::rename(&draft, &target).map_err(|e| {
                (
                    ErrorKind::RecordingFailed,
                    format!("cannot keep the greeting as {}: {e}", target.display()),
                )
            })?;
            Ok(clip::wav_duration_ms(&target).unwrap_or(0))
        })
        .await
        .unwrap_or_else(|e| Err((ErrorKind::Internal, e.to_string())));
        match renamed {
            Ok(duration_ms) => self.emit(Event::Greeting {
                account,
                state: GreetingState::Kept,
                duration_ms,
                path: Some(kept.display().to_string()),
            }),
            Err((kind, message)) => self.emit(Event::account_error(account, kind, message)),
        }
    }
}

fn playback(playing: &Playing, state: PlaybackState) -> Event {
    playback_event(
        &playing.what,
        state,
        playing.player.position_ms(),
        playing.player.duration_ms(),
    )
}

fn playback_event(what: &What, state: PlaybackState, position_ms: u64, duration_ms: u64) -> Event {
    let (id, greeting) = match what {
        What::Voicemail(id) => (Some(*id), None),
        What::Greeting(account) => (None, Some(account.clone())),
    };
    Event::Playback {
        id,
        greeting,
        state,
        position_ms,
        duration_ms,
    }
}

/// The message `id`, asked of the store thread.
async fn lookup(store: &StoreLink, id: VoicemailId) -> Result<VoicemailEntry, (ErrorKind, String)> {
    let (reply, answer) = oneshot::channel();
    let sent = store.run(move |store| {
        let found = match store {
            Some(store) => store.voicemail(id).map_err(|e| e.to_string()),
            None => Err("the database could not be opened".to_owned()),
        };
        let _ = reply.send(found);
    });
    let unavailable = |why: &str| (ErrorKind::StoreUnavailable, why.to_owned());
    if !sent {
        return Err(unavailable("there is no database of messages"));
    }
    match answer.await {
        Ok(Ok(Some(entry))) => Ok(entry),
        Ok(Ok(None)) => Err((ErrorKind::NotFound, format!("there is no message {id}"))),
        Ok(Err(why)) => Err(unavailable(&why)),
        Err(_) => Err(unavailable("the database stopped")),
    }
}

/// Marks the message heard on the store thread and tells how many are left unheard.
fn mark_heard(store: &StoreLink, id: VoicemailId, events: UnboundedSender<Event>) {
    store.run(move |store| {
        let Some(store) = store else { return };
        let marked = store
            .set_voicemail_heard(id, true)
            .and_then(|()| store.unheard_voicemail());
        match marked {
            Ok(unheard) => {
                let _ = events.send(Event::VoicemailChanged {
                    request: None,
                    unheard,
                });
            }
            Err(e) => tracing::warn!(%id, error = %e, "cannot mark the message heard"),
        }
    });
}
