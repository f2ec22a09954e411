//! A line's own answering machine (`[accounts.answering_machine]`): when an incoming call is
//! not answered in time (or at once under do not disturb), Parla answers it, plays the
//! greeting and a beep, and records a message.

use serde::{Deserialize, Serialize};

/// Longest ring before the machine answers that the settings take, and longest message.
pub const MAX_ANSWER_AFTER_S: u32 = 300;
pub const MAX_MESSAGE_S: u32 = 3600;
pub const MAX_SILENCE_S: u32 = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnsweringMachineConfig {
    pub enabled: bool,
    /// Ring this long (seconds) before the machine answers.
    pub answer_after_s: u32,
    /// While do not disturb is on, answer at once instead of refusing the call.
    pub when_do_not_disturb: bool,
    /// `"default"` (a short tone sequence made by Parla) or `"file:/path/greeting.wav"`.
    pub greeting: String,
    /// The longest message recorded (seconds).
    pub max_message_s: u32,
    /// The recording stops after this many seconds of silence.
    pub silence_s: u32,
}

impl Default for AnsweringMachineConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            answer_after_s: 15,
            when_do_not_disturb: true,
            greeting: "default".into(),
            max_message_s: 180,
            silence_s: 10,
        }
    }
}

impl AnsweringMachineConfig {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<String> {
        let greeting = self.greeting.trim();
        if greeting != "default" && greeting.strip_prefix("file:").is_none_or(str::is_empty) {
            return Some(format!(
                "answering machine greeting {greeting:?}: expected \"default\" or \"file:/path.wav\""
            ));
        }
        if self.answer_after_s > MAX_ANSWER_AFTER_S {
            return Some(format!(
                "answering machine answer_after_s: at most {MAX_ANSWER_AFTER_S}"
            ));
        }
        if !(1..=MAX_MESSAGE_S).contains(&self.max_message_s) {
            return Some(format!(
                "answering machine max_message_s: 1 to {MAX_MESSAGE_S}"
            ));
        }
        if !(1..=MAX_SILENCE_S).contains(&self.silence_s) {
            return Some(format!("answering machine silence_s: 1 to {MAX_SILENCE_S}"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_off_and_sane() {
        let config = AnsweringMachineConfig::default();
        assert!(!config.enabled);
        assert_eq!(config.problem(), None);
    }

    #[test]
    fn the_documented_table_reads() {
        let config: AnsweringMachineConfig = toml::from_str(
            "enabled = true\nanswer_after_s = 15\nwhen_do_not_disturb = true\n\
             greeting = \"file:/path/greeting.wav\"\nmax_message_s = 180\n",
        )
        .expect("reads");
        assert!(config.enabled);
        assert_eq!(config.greeting, "file:/path/greeting.wav");
        assert_eq!(config.silence_s, 10, "unset fields take their default");
        assert_eq!(config.problem(), None);
    }

    #[test]
    fn bad_values_are_named() {
        let bad = |f: fn(&mut AnsweringMachineConfig)| {
            let mut config = AnsweringMachineConfig::default();
            f(&mut config);
            config.problem().expect("a problem")
        };
        assert!(bad(|c| c.greeting = "beep".into()).contains("greeting"));
        assert!(bad(|c| c.greeting = "file:".into()).contains("greeting"));
        assert!(bad(|c| c.max_message_s = 0).contains("max_message_s"));
        assert!(bad(|c| c.answer_after_s = 100_000).contains("answer_after_s"));
        assert!(bad(|c| c.silence_s = 0).contains("silence_s"));
    }
}
