//! A line's busy lamps on its page: the extensions (or addresses) it watches, each removable,
//! one added with the field, and the pickup code; saved like the line's other settings
//! (`set_account`, then the file).

use iced::widget::{column, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::AccountConfig;
use parla_core::Config;
use std::collections::BTreeMap;

use super::parts::{hint, labelled};
use super::{restart, Effect, Msg};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{icon_button, Glyph};

/// The longest watch entry or pickup code taken: an address a person types or pastes.
const MAX_ENTRY: usize = 256;

/// A change to a line's busy lamps.
#[derive(Debug, Clone, PartialEq)]
pub enum LampChange {
    /// The field for a new entry, as it is typed (the screen's own, not saved).
    Draft(String),
    /// Watch this extension or address (trimmed; a repeat or an empty one is ignored).
    Add(String),
    /// Stop watching this entry.
    Remove(String),
    /// The pickup code as it is typed.
    PickupDraft(String),
    /// Save the pickup code (empty: none).
    Pickup(String),
}

/// What is being typed on a line's busy lamps part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LampDrafts {
    pub entry: String,
    pub pickup: Option<String>,
}

/// The screen's side of a change: the fields being typed.
pub(super) fn note(drafts: &mut BTreeMap<String, LampDrafts>, id: &str, change: &LampChange) {
    let draft = drafts.entry(id.to_string()).or_default();
    match change {
        LampChange::Draft(entry) => draft.entry = entry.chars().take(MAX_ENTRY).collect(),
        LampChange::Add(_) => draft.entry.clear(),
        LampChange::PickupDraft(code) => {
            draft.pickup = Some(code.chars().take(MAX_ENTRY).collect())
        }
        LampChange::Pickup(_) => draft.pickup = None,
        LampChange::Remove(_) => {}
    }
}

/// The config's side: the line's watch list or pickup code changed, the line told.
pub(super) fn apply(config: &mut Config, id: &str, change: LampChange) -> Effect {
    let mut effect = Effect::default();
    let Some(account) = config.accounts.iter_mut().find(|a| a.id == id) else {
        return effect;
    };
    let changed = match change {
        LampChange::Draft(_) | LampChange::PickupDraft(_) => false,
        LampChange::Add(entry) => {
            let entry = entry.trim();
            let new = !entry.is_empty()
                && entry.len() <= MAX_ENTRY
                && !account.watch.iter().any(|w| w.eq_ignore_ascii_case(entry));
            if new {
                account.watch.push(entry.to_string());
            }
            new
        }
        LampChange::Remove(entry) => {
            let before = account.watch.len();
            account.watch.retain(|w| *w != entry);
            account.watch.len() != before
        }
        LampChange::Pickup(code) => {
            let code = Some(code.trim().to_string()).filter(|c| !c.is_empty());
            let new = account.pickup_code != code;
            account.pickup_code = code;
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

/// The part: the watched entries with a remove button each, the field to add one, and the
/// pickup code with its save button while it differs from the saved one.
pub(super) fn view<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    drafts: Option<&'a LampDrafts>,
) -> Element<'a, Msg> {
    let id = &account.id;
    let change = {
        let id = id.clone();
        move |change: LampChange| Msg::Lamps(id.clone(), change)
    };
    let mut watched = column![].spacing(space::XS);
    if account.watch.is_empty() {
        watched = watched.push(hint(i18n.tr("lamps-none")));
    }
    for entry in &account.watch {
        watched = watched.push(
            row![
                text(entry.clone())
                    .size(size::BODY)
                    .width(Length::Fill)
                    .wrapping(text::Wrapping::WordOrGlyph),
                icon_button(
                    Glyph::Delete,
                    i18n.tr("lamps-remove"),
                    Tone::Quiet,
                    Some(change(LampChange::Remove(entry.clone()))),
                ),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        );
    }
    let typed = drafts.map_or("", |d| d.entry.as_str());
    let add = (!typed.trim().is_empty()).then(|| change(LampChange::Add(typed.to_string())));
    let mut field = text_input(&i18n.tr("lamps-add-placeholder"), typed)
        .on_input({
            let change = change.clone();
            move |entry| change(LampChange::Draft(entry))
        })
        .size(size::BODY)
        .width(Length::Fill);
    if let Some(add) = add.clone() {
        field = field.on_submit(add);
    }
    let adding = row![
        field,
        icon_button(Glyph::Add, i18n.tr("lamps-add"), Tone::Accent, add)
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    let saved = account.pickup_code.as_deref().unwrap_or("");
    let code = drafts.and_then(|d| d.pickup.as_deref()).unwrap_or(saved);
    let mut pickup = row![text_input(&i18n.tr("lamps-pickup-placeholder"), code)
        .on_input({
            let change = change.clone();
            move |code| change(LampChange::PickupDraft(code))
        })
        .on_submit(change(LampChange::Pickup(code.to_string())))
        .size(size::BODY)
        .width(Length::Fill)]
    .spacing(space::S)
    .align_y(Alignment::Center);
    if code.trim() != saved {
        pickup = pickup.push(icon_button(
            Glyph::Save,
            i18n.tr("sign-in-save"),
            Tone::Accent,
            Some(change(LampChange::Pickup(code.to_string()))),
        ));
    }
    column![
        hint(i18n.tr("lamps-hint")),
        watched,
        adding,
        labelled(i18n.tr("lamps-pickup-code"), pickup),
    ]
    .spacing(space::M)
    .into()
}
