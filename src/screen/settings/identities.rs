//! A line's identities on its page (who the other side sees as the caller): each with its
//! name and number, one the default (a radio), removable; one added with the fields; and the
//! line's "Always call anonymously" switch. Saved like the line's other settings
//! (`set_account`, then the file).

use iced::widget::{column, radio, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::{AccountConfig, Identity, MAX_LIST_ENTRIES};
use parla_core::Config;
use std::collections::BTreeMap;

use super::parts::{hint, switch};
use super::{restart, Effect, Msg};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{icon_button, Glyph};

/// The longest display name or user part taken.
const MAX_FIELD: usize = 64;

/// A change to a line's identities.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityChange {
    /// The new identity's fields as they are typed (the screen's own, not saved).
    NameDraft(String),
    UserDraft(String),
    /// Add this identity (a repeat of a user, or a user that is not one, is ignored).
    Add {
        name: String,
        user: String,
    },
    /// Forget the identity with this user.
    Remove(String),
    /// Make the identity with this user the default (again on the default: none is).
    Default(String),
    /// The line's "Always call anonymously".
    Anonymous(bool),
}

/// What is being typed for a new identity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityDraft {
    pub name: String,
    pub user: String,
}

/// A user part as the engine takes one: digits with an optional `+`, or a name.
pub fn is_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= MAX_FIELD
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-_.!~*'()".contains(c))
}

/// A typed number without its spaces and dashes between digit groups.
fn tidy_user(user: &str) -> String {
    let user = user.trim();
    if user
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
    {
        user.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    } else {
        user.to_string()
    }
}

pub(super) fn note(
    drafts: &mut BTreeMap<String, IdentityDraft>,
    id: &str,
    change: &IdentityChange,
) {
    let draft = drafts.entry(id.to_string()).or_default();
    match change {
        IdentityChange::NameDraft(name) => draft.name = name.chars().take(MAX_FIELD).collect(),
        IdentityChange::UserDraft(user) => draft.user = user.chars().take(MAX_FIELD).collect(),
        IdentityChange::Add { .. } => *draft = IdentityDraft::default(),
        _ => {}
    }
}

pub(super) fn apply(config: &mut Config, id: &str, change: IdentityChange) -> Effect {
    let mut effect = Effect::default();
    let Some(account) = config.account_mut(id) else {
        return effect;
    };
    let changed = match change {
        IdentityChange::NameDraft(_) | IdentityChange::UserDraft(_) => false,
        IdentityChange::Add { name, user } => {
            let user = tidy_user(&user);
            let name = name.trim();
            let new = is_user(&user)
                && account.identities.len() < MAX_LIST_ENTRIES
                && !account.identities.iter().any(|i| i.user == user);
            if new {
                // The first identity is the default one until the person picks another.
                let default = !account.identities.iter().any(|i| i.default);
                account.identities.push(Identity {
                    display_name: (!name.is_empty()).then(|| name.to_string()),
                    user,
                    default,
                });
            }
            new
        }
        IdentityChange::Remove(user) => {
            let before = account.identities.len();
            account.identities.retain(|i| i.user != user);
            account.identities.len() != before
        }
        IdentityChange::Default(user) => {
            let was = account
                .identities
                .iter()
                .any(|i| i.user == user && i.default);
            for identity in &mut account.identities {
                identity.default = !was && identity.user == user;
            }
            true
        }
        IdentityChange::Anonymous(on) => {
            let new = account.anonymous != on;
            account.anonymous = on;
            new
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

pub(super) fn view<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    draft: Option<&'a IdentityDraft>,
) -> Element<'a, Msg> {
    let id = &account.id;
    let change = {
        let id = id.clone();
        move |change: IdentityChange| Msg::Identities(id.clone(), change)
    };
    let mut list = column![].spacing(space::XS);
    if account.identities.is_empty() {
        list = list.push(hint(i18n.tr("identities-none")));
    }
    let default = account.identities.iter().position(|i| i.default);
    for (index, identity) in account.identities.iter().enumerate() {
        let user = identity.user.clone();
        let pick = {
            let change = change.clone();
            move |_: usize| change(IdentityChange::Default(user.clone()))
        };
        list = list.push(
            row![
                column![
                    text(identity.display_name.clone().unwrap_or_default())
                        .size(size::BODY)
                        .wrapping(text::Wrapping::WordOrGlyph),
                    text(identity.user.clone())
                        .size(size::CAPTION)
                        .style(text::secondary),
                ]
                .width(Length::Fill),
                radio(i18n.tr("identities-default"), index, default, pick)
                    .size(size::ICON)
                    .text_size(size::CAPTION),
                icon_button(
                    Glyph::Delete,
                    i18n.tr("identities-remove"),
                    Tone::Quiet,
                    Some(change(IdentityChange::Remove(identity.user.clone()))),
                ),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        );
    }
    let typed = draft.cloned().unwrap_or_default();
    let add = (is_user(&tidy_user(&typed.user)) && account.identities.len() < MAX_LIST_ENTRIES)
        .then(|| {
            change(IdentityChange::Add {
                name: typed.name.clone(),
                user: typed.user.clone(),
            })
        });
    let mut user = text_input(&i18n.tr("identities-user-placeholder"), &typed.user)
        .on_input({
            let change = change.clone();
            move |user| change(IdentityChange::UserDraft(user))
        })
        .size(size::BODY)
        .width(Length::FillPortion(2));
    if let Some(add) = add.clone() {
        user = user.on_submit(add);
    }
    let adding = row![
        text_input(&i18n.tr("identities-name-placeholder"), &typed.name)
            .on_input({
                let change = change.clone();
                move |name| change(IdentityChange::NameDraft(name))
            })
            .size(size::BODY)
            .width(Length::FillPortion(3)),
        user,
        icon_button(Glyph::Add, i18n.tr("identities-add"), Tone::Accent, add),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    column![
        hint(i18n.tr("identities-hint")),
        list,
        adding,
        switch(account.anonymous, i18n.tr("identities-anonymous"), {
            let change = change.clone();
            move |on| change(IdentityChange::Anonymous(on))
        }),
    ]
    .spacing(space::M)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parla_core::Command;

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
    fn identities_are_added_checked_made_default_and_removed() {
        let mut config = config();
        let add = |name: &str, user: &str| IdentityChange::Add {
            name: name.into(),
            user: user.into(),
        };
        let effect = apply(&mut config, "work", add(" Sales ", "+31 20 123 4567"));
        assert!(effect.save);
        assert!(matches!(
            effect.commands.as_slice(),
            [Command::SetAccount { account }] if account.identities.len() == 1
        ));
        let ids = &config.accounts[0].identities;
        assert_eq!(ids[0].user, "+31201234567");
        assert_eq!(ids[0].display_name.as_deref(), Some("Sales"));
        assert!(ids[0].default, "the first is the default");
        apply(&mut config, "work", add("", "support"));
        let effect = apply(&mut config, "work", add("Again", "support"));
        assert!(!effect.save, "a repeat is ignored");
        let effect = apply(&mut config, "work", add("Bad", "bad user@x"));
        assert!(
            !effect.save && effect.commands.is_empty(),
            "not a user part"
        );
        apply(
            &mut config,
            "work",
            IdentityChange::Default("support".into()),
        );
        let ids = &config.accounts[0].identities;
        assert!(!ids[0].default && ids[1].default, "one default");
        apply(
            &mut config,
            "work",
            IdentityChange::Default("support".into()),
        );
        assert!(config.accounts[0].identities.iter().all(|i| !i.default));
        apply(
            &mut config,
            "work",
            IdentityChange::Remove("+31201234567".into()),
        );
        assert_eq!(config.accounts[0].identities.len(), 1);
        let effect = apply(&mut config, "work", IdentityChange::Anonymous(true));
        assert!(config.accounts[0].anonymous && effect.save);
    }
}
