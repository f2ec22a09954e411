//! A line's answering machine in the settings: the changes to its `[accounts.answering_machine]`
//! (refused when parla-core's `problem()` finds fault with them, so the bounds are the engine's
//! own), and the greeting being recorded, listened to and kept. What the engine reports about
//! the greeting (`greeting` and `playback` events) comes in as [`Machine`] changes too, so one
//! place keeps the screen's picture of it.

use std::collections::BTreeMap;

use parla_core::api::{GreetingState, PlaybackState};
use parla_core::config::AnsweringMachineConfig;
use parla_core::{AccountId, Command, Config};

use super::{restart, Effect};

/// Seconds one press of the answer-after stepper moves.
pub const ANSWER_AFTER_STEP: u32 = 5;
/// Seconds one press of the longest-message stepper moves.
pub const MAX_MESSAGE_STEP: u32 = 30;

/// A change to one line's answering machine, or news of its greeting.
#[derive(Debug, Clone, PartialEq)]
pub enum Machine {
    Enabled(bool),
    /// Ring this many seconds before the machine answers.
    AnswerAfter(u32),
    /// Answer at once while do not disturb is on.
    WhenDoNotDisturb(bool),
    /// The longest message, in seconds.
    MaxMessage(u32),
    /// The person's own greeting (`true`) or the default tones.
    OwnGreeting(bool),
    Record,
    StopRecording,
    Listen,
    StopListening,
    /// Keep the greeting just recorded.
    Keep,
    /// The path of a WAV file as it is typed (kept by the screen, not saved).
    PathDraft(String),
    /// Use the WAV file at this path as the greeting.
    UseFile(String),
    /// From the engine: the greeting is being recorded, recorded, or kept (in `path`).
    Greeting {
        state: GreetingState,
        duration_ms: u64,
        path: Option<String>,
    },
    /// From the engine: the line's greeting plays, or stopped.
    Playback(PlaybackState),
    /// From the engine: recording or playing the greeting failed (its error says why).
    Failed,
}

/// What the screen knows about one line's greeting beyond the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Greeting {
    /// The choice made on the screen (`None`: as the config says). "My recording" shows the
    /// recorder while the line still uses the default tones, until something is kept.
    pub own: Option<bool>,
    /// Milliseconds recorded so far, while recording.
    pub recording: Option<u64>,
    /// A recording not kept yet, and how long it is.
    pub draft: Option<u64>,
    /// The greeting plays.
    pub playing: bool,
    /// The WAV path being typed.
    pub path: Option<String>,
}

impl Greeting {
    /// "My recording" is chosen: by the person, else because the line uses a file.
    pub fn is_own(&self, machine: &AnsweringMachineConfig) -> bool {
        self.own.unwrap_or_else(|| file_of(machine).is_some())
    }

    /// Something to listen to: a draft, or the file the line uses.
    pub fn can_listen(&self, machine: &AnsweringMachineConfig) -> bool {
        self.recording.is_none() && (self.draft.is_some() || file_of(machine).is_some())
    }

    pub fn can_keep(&self) -> bool {
        self.recording.is_none() && self.draft.is_some()
    }
}

/// The file of a `file:` greeting.
pub fn file_of(machine: &AnsweringMachineConfig) -> Option<&str> {
    machine
        .greeting
        .trim()
        .strip_prefix("file:")
        .filter(|p| !p.is_empty())
}

/// Keeps the screen's own picture of the line's greeting up to date with `change`.
pub(super) fn note(greetings: &mut BTreeMap<String, Greeting>, id: &str, change: &Machine) {
    let greeting = greetings.entry(id.to_string()).or_default();
    match change {
        Machine::OwnGreeting(own) => greeting.own = Some(*own),
        // Shown as recording at once; the engine's events give the seconds.
        Machine::Record => {
            greeting.recording = Some(0);
            greeting.playing = false;
        }
        Machine::PathDraft(path) => greeting.path = Some(path.clone()),
        Machine::UseFile(_) => greeting.path = None,
        Machine::Greeting {
            state, duration_ms, ..
        } => match state {
            GreetingState::Recording => greeting.recording = Some(*duration_ms),
            GreetingState::Recorded => {
                greeting.recording = None;
                greeting.draft = Some(*duration_ms);
                greeting.own = Some(true);
            }
            GreetingState::Kept => {
                greeting.recording = None;
                greeting.draft = None;
            }
        },
        Machine::Playback(state) => greeting.playing = *state == PlaybackState::Playing,
        Machine::Failed => {
            greeting.recording = None;
            greeting.playing = false;
        }
        Machine::Enabled(_)
        | Machine::AnswerAfter(_)
        | Machine::WhenDoNotDisturb(_)
        | Machine::MaxMessage(_)
        | Machine::StopRecording
        | Machine::Listen
        | Machine::StopListening
        | Machine::Keep => {}
    }
}

/// What `change` does to the config and which commands it sends. Settings the engine would
/// refuse (out of bounds, an empty path) change nothing and save nothing.
pub(super) fn apply(config: &mut Config, id: String, change: Machine) -> Effect {
    let account = AccountId::new(id.clone());
    let command = |command: Command| Effect {
        commands: vec![command],
        ..Effect::default()
    };
    match change {
        Machine::Enabled(on) => edit(config, &id, |m| m.enabled = on),
        Machine::AnswerAfter(secs) => edit(config, &id, |m| m.answer_after_s = secs),
        Machine::WhenDoNotDisturb(on) => edit(config, &id, |m| m.when_do_not_disturb = on),
        Machine::MaxMessage(secs) => edit(config, &id, |m| m.max_message_s = secs),
        // The default tones at once; one's own greeting once something is kept or named.
        Machine::OwnGreeting(false) => edit(config, &id, |m| m.greeting = "default".into()),
        Machine::UseFile(path) => {
            let path = path.trim().to_string();
            if path.is_empty() {
                return Effect::default();
            }
            edit(config, &id, |m| m.greeting = format!("file:{path}"))
        }
        Machine::Record => command(Command::RecordGreeting {
            account,
            stop: false,
        }),
        Machine::StopRecording => command(Command::RecordGreeting {
            account,
            stop: true,
        }),
        Machine::Listen => command(Command::PlayGreeting { account }),
        Machine::StopListening => command(Command::StopPlayback),
        Machine::Keep => command(Command::KeepGreeting { account }),
        // The engine already uses the greeting it kept: the file only has to say so.
        Machine::Greeting {
            state: GreetingState::Kept,
            path: Some(path),
            ..
        } => {
            let Some(line) = config.accounts.iter_mut().find(|a| a.id == id) else {
                return Effect::default();
            };
            let greeting = format!("file:{path}");
            let save = line.answering_machine.greeting != greeting;
            line.answering_machine.greeting = greeting;
            Effect {
                save,
                ..Effect::default()
            }
        }
        Machine::OwnGreeting(true)
        | Machine::PathDraft(_)
        | Machine::Greeting { .. }
        | Machine::Playback(_)
        | Machine::Failed => Effect::default(),
    }
}

/// Changes the line's answering machine with `change` when the result is sound and differs:
/// saved, and the line restarted with it when it runs.
fn edit(config: &mut Config, id: &str, change: impl FnOnce(&mut AnsweringMachineConfig)) -> Effect {
    let Some(line) = config.accounts.iter_mut().find(|a| a.id == id) else {
        return Effect::default();
    };
    let mut machine = line.answering_machine.clone();
    change(&mut machine);
    if machine == line.answering_machine {
        return Effect::default();
    }
    if let Some(problem) = machine.problem() {
        tracing::debug!(line = id, %problem, "answering machine setting refused");
        return Effect::default();
    }
    line.answering_machine = machine;
    Effect {
        save: true,
        commands: if line.enabled {
            vec![restart(line)]
        } else {
            Vec::new()
        },
        ..Effect::default()
    }
}

/// `value` moved by `step` up or down, when the machine takes the result (else `None`: the
/// stepper's button is off).
pub fn stepped(
    machine: &AnsweringMachineConfig,
    value: u32,
    step: i64,
    set: fn(&mut AnsweringMachineConfig, u32),
) -> Option<u32> {
    let next = u32::try_from(i64::from(value) + step).ok()?;
    let mut trial = machine.clone();
    set(&mut trial, next);
    trial.problem().is_none().then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parla_core::config::AccountConfig;

    fn config() -> Config {
        let mut config = Config::default();
        config.accounts.push(AccountConfig {
            id: "work".into(),
            username: "2001".into(),
            domain: "example.com".into(),
            ..AccountConfig::default()
        });
        config
    }

    #[test]
    fn steppers_stop_where_the_engine_would_refuse() {
        let machine = AnsweringMachineConfig::default();
        let set_after = |m: &mut AnsweringMachineConfig, s| m.answer_after_s = s;
        assert_eq!(stepped(&machine, 15, 5, set_after), Some(20));
        assert_eq!(stepped(&machine, 300, 5, set_after), None, "at most 300");
        assert_eq!(stepped(&machine, 0, -5, set_after), None, "not below 0");
        let set_max = |m: &mut AnsweringMachineConfig, s| m.max_message_s = s;
        assert_eq!(stepped(&machine, 30, -30, set_max), None, "at least 1 s");
        assert_eq!(stepped(&machine, 180, 30, set_max), Some(210));
    }

    #[test]
    fn an_empty_path_or_a_bad_number_changes_nothing() {
        let mut config = config();
        let before = config.clone();
        let effect = apply(&mut config, "work".into(), Machine::UseFile("  ".into()));
        assert_eq!(effect, Effect::default());
        let effect = apply(&mut config, "work".into(), Machine::MaxMessage(0));
        assert_eq!(effect, Effect::default());
        let effect = apply(&mut config, "nope".into(), Machine::Enabled(true));
        assert_eq!(effect, Effect::default(), "no such line");
        assert_eq!(config, before);
    }

    #[test]
    fn the_screen_follows_the_recording() {
        let mut greetings = BTreeMap::new();
        let machine = AnsweringMachineConfig::default();
        note(&mut greetings, "work", &Machine::Record);
        let greeting = &greetings["work"];
        assert_eq!(greeting.recording, Some(0));
        assert!(!greeting.can_listen(&machine) && !greeting.can_keep());
        assert!(!greeting.is_own(&machine), "nothing kept, nothing chosen");
        let recorded = Machine::Greeting {
            state: GreetingState::Recorded,
            duration_ms: 4200,
            path: None,
        };
        note(&mut greetings, "work", &recorded);
        let greeting = &greetings["work"];
        assert!(greeting.can_listen(&machine) && greeting.can_keep());
        assert!(greeting.is_own(&machine));
    }
}
