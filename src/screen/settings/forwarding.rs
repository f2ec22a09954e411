//! A line's forwarding on its page: where calls go always, when busy and when not answered
//! (after how long), and whether the provider forwards (by its codes) instead of Parla.
//! Typed into a draft and saved with one button: `set_forwarding` (never `set_account`: the
//! line does not re-register), then the file.

use iced::widget::{column, pick_list, row, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::{AccountConfig, ForwardingConfig, MAX_NO_ANSWER_S};
use parla_core::{AccountId, Command, Config};
use std::collections::BTreeMap;

use super::parts::{hint, labelled, switch};
use super::{Effect, Msg};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{action, Glyph};

/// The longest forward target taken: an address a person types or pastes.
const MAX_TARGET: usize = 256;

/// The ring times offered before a no-answer forward, in seconds.
const RING_TIMES: [u32; 9] = [5, 10, 15, 20, 25, 30, 45, 60, 90];

/// A change to a line's forwarding.
#[derive(Debug, Clone, PartialEq)]
pub enum ForwardingChange {
    Always(String),
    Busy(String),
    NoAnswer(String),
    Seconds(u32),
    ByProvider(bool),
    /// Save this forwarding (also the banner's "Turn off": every target left out).
    Save(ForwardingConfig),
}

/// The screen's side: the forwarding being typed, started from the saved one.
pub(super) fn note(
    drafts: &mut BTreeMap<String, ForwardingConfig>,
    saved: Option<&ForwardingConfig>,
    id: &str,
    change: &ForwardingChange,
) {
    if let ForwardingChange::Save(_) = change {
        drafts.remove(id);
        return;
    }
    let Some(saved) = saved else { return };
    let draft = drafts
        .entry(id.to_string())
        .or_insert_with(|| saved.clone());
    let target = |typed: &str| Some(typed.chars().take(MAX_TARGET).collect::<String>());
    match change {
        ForwardingChange::Always(t) => draft.always = target(t),
        ForwardingChange::Busy(t) => draft.busy = target(t),
        ForwardingChange::NoAnswer(t) => draft.no_answer = target(t),
        ForwardingChange::Seconds(s) => draft.no_answer_after_s = (*s).min(MAX_NO_ANSWER_S),
        ForwardingChange::ByProvider(on) => draft.by_provider = *on,
        ForwardingChange::Save(_) => {}
    }
}

/// Targets trimmed, blank ones left out.
pub fn tidy(forwarding: &ForwardingConfig) -> ForwardingConfig {
    let target = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(MAX_TARGET).collect())
    };
    ForwardingConfig {
        always: target(&forwarding.always),
        busy: target(&forwarding.busy),
        no_answer: target(&forwarding.no_answer),
        no_answer_after_s: forwarding.no_answer_after_s.min(MAX_NO_ANSWER_S),
        by_provider: forwarding.by_provider,
    }
}

/// The same forwarding with every forward off (the ring time and who forwards kept).
pub fn turned_off(forwarding: &ForwardingConfig) -> ForwardingConfig {
    ForwardingConfig {
        always: None,
        busy: None,
        no_answer: None,
        ..forwarding.clone()
    }
}

/// The config's side: a saved forwarding goes to the engine with `set_forwarding`.
pub(super) fn apply(config: &mut Config, id: &str, change: ForwardingChange) -> Effect {
    let mut effect = Effect::default();
    let ForwardingChange::Save(forwarding) = change else {
        return effect;
    };
    let Some(account) = config.account_mut(id) else {
        return effect;
    };
    let forwarding = tidy(&forwarding);
    if account.forwarding == forwarding {
        return effect;
    }
    account.forwarding = forwarding.clone();
    effect.save = true;
    if account.enabled {
        effect.commands.push(Command::SetForwarding {
            account: Some(AccountId::new(id)),
            forwarding,
        });
    }
    effect
}

/// The part: the three targets, the ring time, who forwards, and Save while the draft differs.
pub(super) fn view<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    draft: Option<&'a ForwardingConfig>,
) -> Element<'a, Msg> {
    let id = &account.id;
    let change = {
        let id = id.clone();
        move |change: ForwardingChange| Msg::Forwarding(id.clone(), change)
    };
    let shown = draft.unwrap_or(&account.forwarding);
    let field =
        |placeholder: String, value: &Option<String>, on: fn(String) -> ForwardingChange| {
            let change = change.clone();
            text_input(&placeholder, value.as_deref().unwrap_or(""))
                .on_input(move |typed| change(on(typed)))
                .size(size::BODY)
                .width(Length::Fill)
        };
    let placeholder = i18n.tr("forwarding-target-placeholder");
    let seconds = match shown.no_answer_after_s {
        0 => ForwardingConfig::DEFAULT_NO_ANSWER_S,
        s => s,
    };
    let mut times: Vec<RingTime> = RING_TIMES.iter().map(|s| RingTime(*s)).collect();
    if !RING_TIMES.contains(&seconds) {
        times.push(RingTime(seconds));
        times.sort();
    }
    let ring_time = pick_list(times, Some(RingTime(seconds)), {
        let change = change.clone();
        move |t: RingTime| change(ForwardingChange::Seconds(t.0))
    })
    .text_size(size::BODY);
    let no_answer = row![
        field(
            placeholder.clone(),
            &shown.no_answer,
            ForwardingChange::NoAnswer
        ),
        ring_time,
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    let mut part = column![
        hint(i18n.tr("forwarding-hint")),
        labelled(
            i18n.tr("forwarding-always"),
            field(placeholder.clone(), &shown.always, ForwardingChange::Always)
        ),
        labelled(
            i18n.tr("forwarding-busy"),
            field(placeholder, &shown.busy, ForwardingChange::Busy)
        ),
        labelled(i18n.tr("forwarding-no-answer"), no_answer),
        switch(shown.by_provider, i18n.tr("forwarding-by-provider"), {
            let change = change.clone();
            move |on| change(ForwardingChange::ByProvider(on))
        }),
    ]
    .spacing(space::M);
    if shown.by_provider {
        part = part.push(hint(i18n.tr("forwarding-by-provider-hint")));
    }
    if tidy(shown) != account.forwarding {
        part = part.push(
            action(Glyph::Save, i18n.tr("forwarding-save"), Tone::Accent)
                .on_press(change(ForwardingChange::Save(shown.clone()))),
        );
    }
    part.into()
}

/// A ring time in the menu ("20 s").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RingTime(u32);

impl std::fmt::Display for RingTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} s", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn typing_changes_the_draft_and_saving_sends_set_forwarding() {
        let mut config = config();
        let mut drafts = BTreeMap::new();
        let saved = config.accounts[0].forwarding.clone();
        note(
            &mut drafts,
            Some(&saved),
            "work",
            &ForwardingChange::Busy(" 201 ".into()),
        );
        note(
            &mut drafts,
            Some(&saved),
            "work",
            &ForwardingChange::Seconds(9999),
        );
        let draft = drafts.get("work").cloned().expect("a draft");
        assert_eq!(draft.no_answer_after_s, MAX_NO_ANSWER_S);
        assert_eq!(config.accounts[0].forwarding, saved, "typing saves nothing");
        let change = ForwardingChange::Save(draft);
        note(&mut drafts, Some(&saved), "work", &change);
        assert!(drafts.is_empty());
        let effect = apply(&mut config, "work", change);
        assert!(effect.save);
        let [Command::SetForwarding {
            account,
            forwarding,
        }] = effect.commands.as_slice()
        else {
            panic!("one set_forwarding, got {:?}", effect.commands);
        };
        assert_eq!(account.as_ref().map(AccountId::as_str), Some("work"));
        assert_eq!(forwarding.busy.as_deref(), Some("201"), "trimmed");
        assert_eq!(forwarding.always, None);
        let effect = apply(
            &mut config,
            "work",
            ForwardingChange::Save(forwarding.clone()),
        );
        assert_eq!(effect, Effect::default(), "unchanged: nothing to do");
        let off = turned_off(&config.accounts[0].forwarding);
        assert!(!off.is_active());
        assert_eq!(off.no_answer_after_s, MAX_NO_ANSWER_S, "kept");
    }
}
