//! Forwarding per line: which forwards Parla carries out itself (a 302 with the target in
//! Contact), read once from the line's settings and changed in place by `set_forwarding`
//! (no re-registering); and, for a line whose provider forwards, the feature codes that
//! switch the provider's forwards on and off.

use crate::api::AccountId;
use crate::config::{dial_code, FeatureCode, FeatureKind, ForwardingConfig};
use crate::ua::uri::DialPlan;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// A line's forwards with their targets read as `dial` reads them on that line (SIP URIs).
/// A line whose provider forwards (`by_provider`) has none here: Parla forwards nothing.
/// A forwarding target that does not read as a number or address.
#[derive(Debug, thiserror::Error)]
#[error("forwarding target {target:?}: {source}")]
pub struct BadTarget {
    pub target: String,
    #[source]
    pub source: crate::ua::uri::DialError,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineForwarding {
    pub always: Option<String>,
    pub busy: Option<String>,
    /// The target and how long a call rings first.
    pub no_answer: Option<(String, Duration)>,
}

impl LineForwarding {
    /// `Err` names the target that does not read as a number or address.
    pub fn resolve(config: &ForwardingConfig, plan: &DialPlan) -> Result<Self, BadTarget> {
        if config.by_provider {
            return Ok(Self::default());
        }
        let read = |target: Option<&str>| -> Result<Option<String>, BadTarget> {
            target
                .map(|t| {
                    plan.target(t).map_err(|source| BadTarget {
                        target: t.to_string(),
                        source,
                    })
                })
                .transpose()
        };
        Ok(Self {
            always: read(config.always_target())?,
            busy: read(config.busy_target())?,
            no_answer: read(config.no_answer_target())?
                .map(|target| (target, config.no_answer_after())),
        })
    }
}

/// Every running line's forwarding, shared by the engine (which changes it) and the lines'
/// incoming calls (which read it).
#[derive(Clone, Default)]
pub struct Forwardings(Arc<RwLock<HashMap<AccountId, LineForwarding>>>);

impl Forwardings {
    pub fn of(&self, account: &AccountId) -> LineForwarding {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(account)
            .cloned()
            .unwrap_or_default()
    }

    pub fn set(&self, account: AccountId, forwarding: LineForwarding) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(account, forwarding);
    }

    pub fn remove(&self, account: &AccountId) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(account);
    }
}

/// Forwarding by the provider needs a feature code of this kind, and the line has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the line has no feature code of kind {0:?}")]
pub struct MissingCode(pub FeatureKind);

/// The codes that bring the provider's forwards from `old` to `new`, in order (always, busy,
/// no answer): `forward_*_on` with the target for a forward set or changed, `forward_*_off`
/// for one turned off. `Err` names the kind of code the line lacks.
pub fn provider_codes(
    old: &ForwardingConfig,
    new: &ForwardingConfig,
    codes: &[FeatureCode],
) -> Result<Vec<String>, MissingCode> {
    let was_provider = old.by_provider;
    let pairs = [
        (
            old.always_target(),
            new.always_target(),
            FeatureKind::ForwardAlwaysOn,
            FeatureKind::ForwardAlwaysOff,
        ),
        (
            old.busy_target(),
            new.busy_target(),
            FeatureKind::ForwardBusyOn,
            FeatureKind::ForwardBusyOff,
        ),
        (
            old.no_answer_target(),
            new.no_answer_target(),
            FeatureKind::ForwardNoAnswerOn,
            FeatureKind::ForwardNoAnswerOff,
        ),
    ];
    let mut dialled = Vec::new();
    for (before, after, on, off) in pairs {
        // Switching to the provider: what it should do is all news to it.
        let before = if was_provider { before } else { None };
        let (kind, argument) = match (before, after) {
            (b, Some(a)) if b != Some(a) => (on, Some(a)),
            (Some(_), None) => (off, None),
            _ => continue,
        };
        let code = dial_code(codes, kind, argument).ok_or(MissingCode(kind))?;
        dialled.push(code);
    }
    Ok(dialled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> DialPlan {
        DialPlan {
            domain: "pbx.example".into(),
            international_prefix: None,
        }
    }

    #[test]
    fn targets_are_read_as_dial_reads_them() {
        let config = ForwardingConfig {
            always: Some("201".into()),
            busy: Some("sip:carol@example.com".into()),
            no_answer: Some(" 0612 ".into()),
            no_answer_after_s: 5,
            by_provider: false,
        };
        let f = LineForwarding::resolve(&config, &plan()).expect("reads");
        assert_eq!(f.always.as_deref(), Some("sip:201@pbx.example"));
        assert_eq!(f.busy.as_deref(), Some("sip:carol@example.com"));
        assert_eq!(
            f.no_answer,
            Some(("sip:0612@pbx.example".into(), Duration::from_secs(5)))
        );
        let by_provider = ForwardingConfig {
            by_provider: true,
            ..config
        };
        assert_eq!(
            LineForwarding::resolve(&by_provider, &plan()).expect("reads"),
            LineForwarding::default()
        );
        let bad = ForwardingConfig {
            always: Some("sip:".into()),
            ..ForwardingConfig::default()
        };
        assert!(LineForwarding::resolve(&bad, &plan()).is_err());
    }

    fn code(kind: FeatureKind, code: &str) -> FeatureCode {
        FeatureCode {
            name: format!("{kind:?}"),
            code: code.into(),
            kind,
            in_call: false,
        }
    }

    #[test]
    fn provider_codes_for_what_changed_in_order() {
        let codes = [
            code(FeatureKind::ForwardAlwaysOn, "*72{}#"),
            code(FeatureKind::ForwardAlwaysOff, "*73"),
            code(FeatureKind::ForwardBusyOn, "*90"),
            code(FeatureKind::ForwardBusyOff, "*91"),
        ];
        let old = ForwardingConfig {
            always: Some("201".into()),
            busy: Some("202".into()),
            by_provider: true,
            ..ForwardingConfig::default()
        };
        let new = ForwardingConfig {
            always: None,
            busy: Some("203".into()),
            by_provider: true,
            ..ForwardingConfig::default()
        };
        assert_eq!(
            provider_codes(&old, &new, &codes),
            Ok(vec!["*73".to_string(), "*90203".to_string()])
        );
        assert_eq!(provider_codes(&new, &new, &codes), Ok(vec![]));
        // From Parla's own forwarding to the provider's: every forward set is dialled.
        let own = ForwardingConfig {
            by_provider: false,
            ..new.clone()
        };
        assert_eq!(
            provider_codes(&own, &old, &codes),
            Ok(vec!["*72201#".to_string(), "*90202".to_string()])
        );
        let no_answer = ForwardingConfig {
            no_answer: Some("204".into()),
            ..new.clone()
        };
        let missing = provider_codes(&new, &no_answer, &codes).expect_err("no code");
        assert_eq!(missing, MissingCode(FeatureKind::ForwardNoAnswerOn));
    }
}
