//! A line's feature codes on its page (the provider's star codes): each with its name, code,
//! what it does and whether it is sent during a call, removable; one added with the fields.
//! Saved like the line's other settings (`set_account`, then the file).

use iced::widget::{column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::{AccountConfig, FeatureCode, FeatureKind, MAX_LIST_ENTRIES};
use parla_core::Config;
use std::collections::BTreeMap;

use super::parts::{hint, switch, Choice};
use super::{restart, Effect, Msg};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{icon_button, Glyph};

/// The longest name or code taken.
const MAX_FIELD: usize = 64;

/// Every kind with its translated name's key, in the menu's order.
pub const KINDS: [(FeatureKind, &str); 15] = [
    (FeatureKind::Other, "feature-kind-other"),
    (FeatureKind::Voicemail, "feature-kind-voicemail"),
    (
        FeatureKind::ForwardAlwaysOn,
        "feature-kind-forward-always-on",
    ),
    (
        FeatureKind::ForwardAlwaysOff,
        "feature-kind-forward-always-off",
    ),
    (FeatureKind::ForwardBusyOn, "feature-kind-forward-busy-on"),
    (FeatureKind::ForwardBusyOff, "feature-kind-forward-busy-off"),
    (
        FeatureKind::ForwardNoAnswerOn,
        "feature-kind-forward-no-answer-on",
    ),
    (
        FeatureKind::ForwardNoAnswerOff,
        "feature-kind-forward-no-answer-off",
    ),
    (FeatureKind::DoNotDisturbOn, "feature-kind-dnd-on"),
    (FeatureKind::DoNotDisturbOff, "feature-kind-dnd-off"),
    (FeatureKind::Park, "feature-kind-park"),
    (FeatureKind::Unpark, "feature-kind-unpark"),
    (FeatureKind::Pickup, "feature-kind-pickup"),
    (FeatureKind::AnonymousOn, "feature-kind-anonymous-on"),
    (FeatureKind::AnonymousOff, "feature-kind-anonymous-off"),
];

/// A change to a line's feature codes.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeChange {
    /// The new code's fields as they are typed (the screen's own, not saved).
    Name(String),
    Code(String),
    Kind(FeatureKind),
    InCall(bool),
    /// Add this code (one without a name or code, a repeated name, or an in-call code that
    /// DTMF cannot carry, is ignored).
    Add(FeatureCode),
    /// Forget the code with this name.
    Remove(String),
}

/// Whether `code` may be added to `codes`.
pub fn is_valid(code: &FeatureCode, codes: &[FeatureCode]) -> bool {
    let name = code.name.trim();
    let digits = code.code.trim();
    !name.is_empty()
        && !digits.is_empty()
        && codes.len() < MAX_LIST_ENTRIES
        && !codes
            .iter()
            .any(|c| c.name.trim().eq_ignore_ascii_case(name))
        && (!code.in_call
            || digits
                .chars()
                .all(|d| d.is_ascii_digit() || "*#ABCDabcd{}".contains(d)))
}

pub(super) fn note(drafts: &mut BTreeMap<String, FeatureCode>, id: &str, change: &CodeChange) {
    let draft = drafts.entry(id.to_string()).or_default();
    match change {
        CodeChange::Name(name) => draft.name = name.chars().take(MAX_FIELD).collect(),
        CodeChange::Code(code) => draft.code = code.chars().take(MAX_FIELD).collect(),
        CodeChange::Kind(kind) => draft.kind = *kind,
        CodeChange::InCall(on) => draft.in_call = *on,
        CodeChange::Add(_) => *draft = FeatureCode::default(),
        CodeChange::Remove(_) => {}
    }
}

pub(super) fn apply(config: &mut Config, id: &str, change: CodeChange) -> Effect {
    let mut effect = Effect::default();
    let Some(account) = config.account_mut(id) else {
        return effect;
    };
    let changed = match change {
        CodeChange::Add(code) => {
            let valid = is_valid(&code, &account.feature_codes);
            if valid {
                account.feature_codes.push(FeatureCode {
                    name: code.name.trim().to_string(),
                    code: code.code.trim().to_string(),
                    ..code
                });
            }
            valid
        }
        CodeChange::Remove(name) => {
            let before = account.feature_codes.len();
            account.feature_codes.retain(|c| c.name != name);
            account.feature_codes.len() != before
        }
        CodeChange::Name(_) | CodeChange::Code(_) | CodeChange::Kind(_) | CodeChange::InCall(_) => {
            false
        }
    };
    if changed {
        effect.save = true;
        if account.enabled {
            effect.commands.push(restart(account));
        }
    }
    effect
}

/// The translated name of a kind.
pub fn kind_label(i18n: &I18n, kind: FeatureKind) -> String {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or_else(String::new, |(_, key)| i18n.tr(key))
}

pub(super) fn view<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    draft: Option<&'a FeatureCode>,
) -> Element<'a, Msg> {
    let id = &account.id;
    let change = {
        let id = id.clone();
        move |change: CodeChange| Msg::Codes(id.clone(), change)
    };
    let mut list = column![].spacing(space::XS);
    if account.feature_codes.is_empty() {
        list = list.push(hint(i18n.tr("codes-none")));
    }
    for code in &account.feature_codes {
        let mut about = format!("{} · {}", code.code, kind_label(i18n, code.kind));
        if code.in_call {
            about = format!("{about} · {}", i18n.tr("codes-in-call-short"));
        }
        list = list.push(
            row![
                column![
                    text(code.name.clone())
                        .size(size::BODY)
                        .wrapping(text::Wrapping::WordOrGlyph),
                    text(about).size(size::CAPTION).style(text::secondary),
                ]
                .width(Length::Fill),
                icon_button(
                    Glyph::Delete,
                    i18n.tr("codes-remove"),
                    Tone::Quiet,
                    Some(change(CodeChange::Remove(code.name.clone()))),
                ),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        );
    }
    let typed = draft.cloned().unwrap_or_default();
    let add =
        is_valid(&typed, &account.feature_codes).then(|| change(CodeChange::Add(typed.clone())));
    let kinds: Vec<Choice<FeatureKind>> = super::parts::choices(i18n, &KINDS);
    let selected = kinds.iter().find(|c| c.value == typed.kind).cloned();
    let mut code = text_input(&i18n.tr("codes-code-placeholder"), &typed.code)
        .on_input({
            let change = change.clone();
            move |code| change(CodeChange::Code(code))
        })
        .size(size::BODY)
        .width(Length::FillPortion(2));
    if let Some(add) = add.clone() {
        code = code.on_submit(add);
    }
    let fields = row![
        text_input(&i18n.tr("codes-name-placeholder"), &typed.name)
            .on_input({
                let change = change.clone();
                move |name| change(CodeChange::Name(name))
            })
            .size(size::BODY)
            .width(Length::FillPortion(3)),
        code,
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    let kind = row![
        pick_list(kinds, selected, {
            let change = change.clone();
            move |c: Choice<FeatureKind>| change(CodeChange::Kind(c.value))
        })
        .text_size(size::BODY)
        .width(Length::Fill),
        icon_button(Glyph::Add, i18n.tr("codes-add"), Tone::Accent, add),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    column![
        hint(i18n.tr("codes-hint")),
        list,
        fields,
        kind,
        switch(typed.in_call, i18n.tr("codes-in-call"), {
            let change = change.clone();
            move |on| change(CodeChange::InCall(on))
        }),
    ]
    .spacing(space::M)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_added_checked_and_removed() {
        let mut config = Config::default();
        config.accounts.push(AccountConfig {
            id: "work".into(),
            username: "2001".into(),
            domain: "example.com".into(),
            ..AccountConfig::default()
        });
        let code = |name: &str, code: &str, in_call: bool| FeatureCode {
            name: name.into(),
            code: code.into(),
            kind: FeatureKind::Park,
            in_call,
        };
        let mut drafts = BTreeMap::new();
        note(&mut drafts, "work", &CodeChange::Name("Park".into()));
        note(&mut drafts, "work", &CodeChange::Kind(FeatureKind::Park));
        assert_eq!(drafts["work"].kind, FeatureKind::Park);
        let effect = apply(
            &mut config,
            "work",
            CodeChange::Add(code(" Park ", "#72", true)),
        );
        assert!(effect.save && effect.commands.len() == 1);
        assert_eq!(config.accounts[0].feature_codes[0].name, "Park");
        let effect = apply(
            &mut config,
            "work",
            CodeChange::Add(code("park", "*8", false)),
        );
        assert!(!effect.save, "the name is taken");
        let effect = apply(
            &mut config,
            "work",
            CodeChange::Add(code("Hold", "#7;", true)),
        );
        assert!(!effect.save, "not DTMF");
        apply(
            &mut config,
            "work",
            CodeChange::Add(code("Mailbox", "*98", false)),
        );
        apply(&mut config, "work", CodeChange::Remove("Park".into()));
        let names: Vec<_> = config.accounts[0]
            .feature_codes
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["Mailbox"]);
        let i18n = I18n::new(crate::i18n::Language::English);
        assert_eq!(kind_label(&i18n, FeatureKind::Voicemail), "Voicemail");
    }
}
