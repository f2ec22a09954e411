//! The Lines section: each line with its state, the default mark, its switch, edit and remove;
//! and adding one.

use iced::widget::{column, pick_list, row, text, text_input, toggler};
use iced::{Alignment, Element, Length};
use parla_core::api::RegistrationState;
use parla_core::config::{AccountConfig, TransferPolicy};
use parla_core::Config;
use std::collections::BTreeMap;

use super::parts::{group, tip};
use super::Msg;
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{action, empty_state, icon_button, Glyph};

pub(super) fn view<'a>(
    i18n: &I18n,
    config: &'a Config,
    line_state: impl Fn(&str) -> Option<RegistrationState>,
    voicemail_drafts: &'a BTreeMap<String, String>,
) -> Element<'a, Msg> {
    let add = action(Glyph::Add, i18n.tr("line-add"), Tone::Accent).on_press(Msg::AddLine);
    if config.accounts.is_empty() {
        return empty_state(
            Glyph::Line,
            i18n.tr("lines-empty"),
            i18n.tr("lines-empty-hint"),
            vec![add.into()],
        );
    }
    let default = config.default_account().map(|a| a.id.as_str());
    let rows = column(config.accounts.iter().map(|account| {
        let is_default = default == Some(account.id.as_str());
        line_row(
            i18n,
            account,
            line_state(&account.id),
            is_default,
            voicemail_drafts.get(&account.id),
        )
    }))
    .spacing(space::M);
    column![group(i18n.tr("settings-lines"), rows), add]
        .spacing(space::M)
        .into()
}

fn line_row<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    state: Option<RegistrationState>,
    is_default: bool,
    voicemail_draft: Option<&'a String>,
) -> Element<'a, Msg> {
    let (dot, dot_style): (&str, fn(&iced::Theme) -> text::Style) = match state {
        _ if !account.enabled => ("○", text::secondary),
        Some(RegistrationState::Registered) => ("●", text::success),
        Some(RegistrationState::Failed) => ("●", text::danger),
        _ if !account.register => ("●", text::primary),
        _ => ("○", text::secondary),
    };
    let state = match state {
        _ if !account.enabled => i18n.tr("line-off"),
        Some(RegistrationState::Registered) => i18n.tr("line-registered"),
        Some(RegistrationState::Registering) => i18n.tr("line-registering"),
        Some(RegistrationState::Failed) => i18n.tr("line-failed"),
        _ if !account.register => i18n.tr("line-listening"),
        _ => i18n.tr("line-off"),
    };
    let address = format!("{}@{}", account.username, account.domain);
    let (name, mut caption) = if account.id == crate::app::LOCAL_LINE {
        (i18n.tr("line-local"), vec![address, state])
    } else {
        (address, vec![state])
    };
    if is_default {
        caption.push(i18n.tr("line-is-default"));
    }
    let id = &account.id;
    // Lit on the default line; on another, it makes that one the default.
    let default_mark = if is_default {
        icon_button(
            Glyph::Favourite,
            i18n.tr("line-is-default"),
            Tone::On,
            Some(Msg::DefaultLine(id.clone())),
        )
    } else {
        icon_button(
            Glyph::Favourite,
            i18n.tr("line-make-default"),
            Tone::Quiet,
            account.enabled.then(|| Msg::DefaultLine(id.clone())),
        )
    };
    let switch = tip(
        toggler(account.enabled).on_toggle({
            let id = id.clone();
            move |on| Msg::EnableLine(id.clone(), on)
        }),
        i18n.tr("line-enable"),
    );
    let transfers = TransferChoice::all(i18n);
    let selected = transfers
        .iter()
        .find(|c| c.policy == account.accept_transfers)
        .cloned();
    let transfers = row![
        text(i18n.tr("line-transfers"))
            .size(size::CAPTION)
            .style(text::secondary),
        pick_list(transfers, selected, {
            let id = id.clone();
            move |c: TransferChoice| Msg::LineTransfers(id.clone(), c.policy)
        })
        .text_size(size::CAPTION),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center)
    .wrap();
    // A line that does not register (the Local line) has no server, so no mailbox.
    let voicemail = account
        .register
        .then(|| voicemail_settings(i18n, account, voicemail_draft));
    row![
        text(dot).size(size::BODY).style(dot_style),
        column![
            text(name)
                .size(size::BODY)
                .wrapping(text::Wrapping::WordOrGlyph),
            text(caption.join(" · "))
                .size(size::CAPTION)
                .style(text::secondary),
            transfers,
        ]
        .extend(voicemail)
        .spacing(2)
        .width(Length::Fill),
        default_mark,
        switch,
        icon_button(
            Glyph::Edit,
            i18n.tr("edit"),
            Tone::Quiet,
            account.register.then(|| Msg::EditLine(id.clone())),
        ),
        icon_button(
            Glyph::Delete,
            i18n.tr("remove"),
            Tone::Quiet,
            Some(Msg::RemoveLine(id.clone())),
        ),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center)
    .into()
}

/// The voicemail light (message waiting) switch and the voicemail number, saved on Enter or
/// with the save button beside it while it differs from the saved one.
fn voicemail_settings<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    draft: Option<&'a String>,
) -> Element<'a, Msg> {
    let id = &account.id;
    let light = toggler(account.message_waiting)
        .label(i18n.tr("line-message-waiting"))
        .text_size(size::CAPTION)
        .on_toggle({
            let id = id.clone();
            move |on| Msg::LineMessageWaiting(id.clone(), on)
        });
    let saved = account.voicemail_number.as_deref().unwrap_or("");
    let typed = draft.map_or(saved, String::as_str);
    let changed = typed.trim() != saved;
    let field = text_input(&i18n.tr("line-voicemail-number-placeholder"), typed)
        .on_input({
            let id = id.clone();
            move |number| Msg::VoicemailNumberDraft(id.clone(), number)
        })
        .on_submit(Msg::LineVoicemailNumber(id.clone(), typed.to_string()))
        .size(size::CAPTION)
        .width(Length::Fixed(160.0));
    let mut number = row![
        text(i18n.tr("line-voicemail-number"))
            .size(size::CAPTION)
            .style(text::secondary),
        field,
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    if changed {
        number = number.push(icon_button(
            Glyph::Save,
            i18n.tr("sign-in-save"),
            Tone::Accent,
            Some(Msg::LineVoicemailNumber(id.clone(), typed.to_string())),
        ));
    }
    column![light, number.wrap()].spacing(2).into()
}

/// An entry of a line's transfers menu: the policy and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TransferChoice {
    policy: TransferPolicy,
    label: String,
}

impl TransferChoice {
    fn all(i18n: &I18n) -> Vec<TransferChoice> {
        [
            (TransferPolicy::Any, "transfers-any"),
            (TransferPolicy::Domain, "transfers-domain"),
            (TransferPolicy::Never, "transfers-never"),
        ]
        .into_iter()
        .map(|(policy, key)| TransferChoice {
            policy,
            label: i18n.tr(key),
        })
        .collect()
    }
}

impl std::fmt::Display for TransferChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}
