//! A line's call features: forwarding, caller-ID identities, the provider's feature codes;
//! and how calls are recorded.

use serde::{Deserialize, Serialize};

/// Longest ring before a no-answer forward that the settings take (seconds).
pub const MAX_NO_ANSWER_S: u32 = 300;
/// Most identities, feature codes and auto-answer entries a line keeps.
pub const MAX_LIST_ENTRIES: usize = 64;

/// Where a line's incoming calls go instead of ringing here (`[accounts.forwarding]`). A target
/// is a number, extension or SIP address, read as `dial` reads it; absent or empty: that
/// forward is off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForwardingConfig {
    /// Every call, without ringing.
    pub always: Option<String>,
    /// Calls that arrive while another call is under way (or under do not disturb).
    pub busy: Option<String>,
    /// Calls not answered within `no_answer_after_s`.
    pub no_answer: Option<String>,
    pub no_answer_after_s: u32,
    /// The provider forwards, not Parla: changing a forward dials the line's feature codes of
    /// kinds `forward_*_on` (with the target) and `forward_*_off`, and Parla itself forwards
    /// nothing.
    pub by_provider: bool,
}

impl ForwardingConfig {
    pub const DEFAULT_NO_ANSWER_S: u32 = 20;

    fn target(t: &Option<String>) -> Option<&str> {
        t.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    pub fn always_target(&self) -> Option<&str> {
        Self::target(&self.always)
    }

    pub fn busy_target(&self) -> Option<&str> {
        Self::target(&self.busy)
    }

    pub fn no_answer_target(&self) -> Option<&str> {
        Self::target(&self.no_answer)
    }

    /// Whether any forward is on (the window shows it at a glance).
    pub fn is_active(&self) -> bool {
        self.always_target().is_some()
            || self.busy_target().is_some()
            || self.no_answer_target().is_some()
    }

    /// The ring time before a no-answer forward (the default when unset).
    pub fn no_answer_after(&self) -> std::time::Duration {
        let s = match self.no_answer_after_s {
            0 => Self::DEFAULT_NO_ANSWER_S,
            s => s.min(MAX_NO_ANSWER_S),
        };
        std::time::Duration::from_secs(u64::from(s))
    }
}

/// Who the other side sees as the caller: a display name and a user part (number or name)
/// of the line's domain (`[[accounts.identities]]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Identity {
    pub display_name: Option<String>,
    /// The user part of the From address (`+31201234567`, `sales`); the line's own when empty.
    pub user: String,
    /// Used when a call names none (the line's own user otherwise).
    pub default: bool,
}

/// What a feature code does, so that Parla can dial it for a feature (forwarding by the
/// provider, park, pickup, the mailbox). `other`: only shown in the dialer's menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    #[default]
    Other,
    Voicemail,
    ForwardAlwaysOn,
    ForwardAlwaysOff,
    ForwardBusyOn,
    ForwardBusyOff,
    ForwardNoAnswerOn,
    ForwardNoAnswerOff,
    DoNotDisturbOn,
    DoNotDisturbOff,
    /// Transfer a call here to park it (the orbit comes back in the NOTIFY or the
    /// announcement); with an argument, park on that orbit.
    Park,
    /// Take back a parked call: the code and the orbit.
    Unpark,
    /// Pick up a call ringing in the group; with an extension, at that extension.
    Pickup,
    AnonymousOn,
    AnonymousOff,
}

/// A provider's star code (`[[accounts.feature_codes]]`), e.g. `*72` to forward all calls.
/// `{}` in `code` is where an argument goes (a forward target, an orbit, an extension);
/// without it the argument is appended.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeatureCode {
    /// What the menu says ("Forward all calls on").
    pub name: String,
    pub code: String,
    pub kind: FeatureKind,
    /// Sent as DTMF in the current call (e.g. a PBX's in-call park `#72`), not dialled.
    pub in_call: bool,
}

impl FeatureCode {
    /// The code with `argument` in place of `{}` (or appended); `None` when the code is empty.
    pub fn expand(&self, argument: Option<&str>) -> Option<String> {
        let code = self.code.trim();
        if code.is_empty() {
            return None;
        }
        let argument = argument.map(str::trim).unwrap_or_default();
        Some(if code.contains("{}") {
            code.replacen("{}", argument, 1)
        } else {
            format!("{code}{argument}")
        })
    }
}

/// The file format of call recordings (`[audio] recording_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingFormat {
    /// Opus in Ogg (`.ogg`): small.
    #[default]
    Ogg,
    /// 16-bit PCM WAV (`.wav`): opens anywhere.
    Wav,
}

/// How the two directions of a recorded call are kept (`[audio] recording_channels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingChannels {
    /// Our side on the left, the far end on the right.
    #[default]
    Stereo,
    /// Both sides mixed into one channel.
    Mono,
}

/// The first of `codes` of `kind` to dial as a call (not an in-call one), with `argument`.
pub fn dial_code(
    codes: &[FeatureCode],
    kind: FeatureKind,
    argument: Option<&str>,
) -> Option<String> {
    codes
        .iter()
        .filter(|c| c.kind == kind && !c.in_call)
        .find_map(|c| c.expand(argument))
}

impl super::AccountConfig {
    /// The line's feature codes of `kind` that have a code, in the order given.
    pub fn feature_codes_of(&self, kind: FeatureKind) -> impl Iterator<Item = &FeatureCode> {
        self.feature_codes
            .iter()
            .filter(move |c| c.kind == kind && !c.code.trim().is_empty())
    }

    /// The first code of `kind` to dial as a call (not an in-call one), with `argument`.
    pub fn dial_code(&self, kind: FeatureKind, argument: Option<&str>) -> Option<String> {
        dial_code(&self.feature_codes, kind, argument)
    }

    /// What is wrong with the line's forwarding, identities or feature codes, if anything.
    pub(super) fn call_features_problem(&self) -> Option<String> {
        if self.identities.len() > MAX_LIST_ENTRIES {
            return Some(format!("`identities`: at most {MAX_LIST_ENTRIES}"));
        }
        if self.feature_codes.len() > MAX_LIST_ENTRIES {
            return Some(format!("`feature_codes`: at most {MAX_LIST_ENTRIES}"));
        }
        if self.identities.iter().filter(|i| i.default).count() > 1 {
            return Some("`identities`: more than one is the default".into());
        }
        if let Some(bad) = self.identities.iter().find(|i| !is_user_part(&i.user)) {
            return Some(format!(
                "`identities`: {:?} is not a number or SIP user name",
                bad.user
            ));
        }
        if let Some(bad) = self.feature_codes.iter().find(|c| {
            c.in_call
                && !c
                    .code
                    .chars()
                    .all(|d| d.is_ascii_digit() || "*#ABCDabcd{}".contains(d))
        }) {
            return Some(format!(
                "`feature_codes`: {:?} is sent as DTMF and may hold only 0-9 * # A-D",
                bad.name
            ));
        }
        if self.forwarding.no_answer_after_s > MAX_NO_ANSWER_S {
            return Some(format!(
                "`forwarding.no_answer_after_s`: at most {MAX_NO_ANSWER_S}"
            ));
        }
        None
    }
}

/// A SIP user part as people type one: digits with an optional `+`, or a name.
fn is_user_part(user: &str) -> bool {
    let user = user.trim();
    !user.is_empty()
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-_.!~*'()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_take_their_argument_in_place_or_at_the_end() {
        let code = |code: &str| FeatureCode {
            name: "Forward".into(),
            code: code.into(),
            ..FeatureCode::default()
        };
        assert_eq!(code("*72").expand(Some("0612")).as_deref(), Some("*720612"));
        assert_eq!(
            code("*72{}#").expand(Some(" 0612 ")).as_deref(),
            Some("*720612#")
        );
        assert_eq!(code("*73").expand(None).as_deref(), Some("*73"));
        assert_eq!(code("  ").expand(Some("1")), None);
    }

    #[test]
    fn forwarding_is_active_when_any_target_is_set() {
        let mut f = ForwardingConfig::default();
        assert!(!f.is_active());
        f.busy = Some("  ".into());
        assert!(!f.is_active(), "blank is off");
        f.no_answer = Some("201".into());
        assert!(f.is_active());
        assert_eq!(f.no_answer_target(), Some("201"));
        assert_eq!(f.no_answer_after().as_secs(), 20);
        f.no_answer_after_s = 9999;
        assert_eq!(f.no_answer_after().as_secs(), u64::from(MAX_NO_ANSWER_S));
    }

    #[test]
    fn identities_and_codes_are_checked() {
        let mut line = super::super::AccountConfig {
            id: "a".into(),
            username: "u".into(),
            domain: "d".into(),
            ..Default::default()
        };
        line.identities = vec![Identity {
            display_name: Some("Sales".into()),
            user: "+31201234567".into(),
            default: true,
        }];
        assert_eq!(line.call_features_problem(), None);
        line.identities.push(Identity {
            user: "bad user@x".into(),
            ..Identity::default()
        });
        assert!(line
            .call_features_problem()
            .expect("bad")
            .contains("bad user@x"));
        line.identities.pop();
        line.feature_codes = vec![FeatureCode {
            name: "Park".into(),
            code: "#72;".into(),
            in_call: true,
            ..FeatureCode::default()
        }];
        assert!(line.call_features_problem().expect("bad").contains("DTMF"));
    }
}
