//! A line's own page in the settings: back to the list, then its transfers, its forwarding
//! (forwarding.rs), its identities and feature codes (identities.rs, feature_codes.rs), its
//! security and network settings (security.rs), its voicemail (message waiting light and
//! number; lines with a server only), its busy lamps (busy_lamps.rs) and its answering machine
//! (machine_view.rs).

use iced::widget::{column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::{AccountConfig, TransferPolicy};
use parla_core::Config;

use super::parts::{group, labelled, switch};
use super::{
    busy_lamps, feature_codes, forwarding, identities, machine_view, security, Msg, Settings,
};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{icon_button, Glyph};

pub(super) fn view<'a>(
    settings: &'a Settings,
    i18n: &I18n,
    config: &'a Config,
    account: &'a AccountConfig,
    name: String,
    caption: String,
) -> Element<'a, Msg> {
    let id = &account.id;
    let header = row![
        icon_button(
            Glyph::Back,
            i18n.tr("back"),
            Tone::Quiet,
            Some(Msg::OpenLine(None))
        ),
        column![
            text(name)
                .size(size::TITLE)
                .wrapping(text::Wrapping::WordOrGlyph),
            text(caption).size(size::CAPTION).style(text::secondary),
        ]
        .spacing(2)
        .width(Length::Fill),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    let transfers = TransferChoice::all(i18n);
    let selected = transfers
        .iter()
        .find(|c| c.policy == account.accept_transfers)
        .cloned();
    let transfers = labelled(
        i18n.tr("line-transfers"),
        pick_list(transfers, selected, {
            let id = id.clone();
            move |c: TransferChoice| Msg::LineTransfers(id.clone(), c.policy)
        })
        .text_size(size::BODY)
        .width(Length::Fill),
    );
    let mut page = column![header, group(i18n.tr("line-calls"), transfers)].spacing(space::M);
    page = page.push(group(
        i18n.tr("forwarding-title"),
        forwarding::view(i18n, account, settings.forwarding_drafts.get(id)),
    ));
    // Identities and codes are the provider's: a line without a server has neither.
    if account.register {
        page = page.push(group(
            i18n.tr("identities-title"),
            identities::view(i18n, account, settings.identity_drafts.get(id)),
        ));
        page = page.push(group(
            i18n.tr("codes-title"),
            feature_codes::view(i18n, account, settings.code_drafts.get(id)),
        ));
    }
    // Below the provider's parts: the desktop tests find those at fixed scroll positions.
    page = page.push(group(
        i18n.tr("security-title"),
        security::view(i18n, account),
    ));
    // A line that does not register (the Local line) has no server, so no mailbox.
    if account.register {
        page = page.push(group(
            i18n.tr("voicemail"),
            voicemail_settings(i18n, account, settings.voicemail_drafts.get(id)),
        ));
    }
    // Busy lamps are the server's too: subscriptions at the line's registrar.
    if account.register {
        page = page.push(group(
            i18n.tr("lamps-title"),
            busy_lamps::view(i18n, account, settings.lamp_drafts.get(id)),
        ));
    }
    page.push(group(
        i18n.tr("machine-title"),
        machine_view::view(
            i18n,
            account,
            settings.greetings.get(id),
            config.app.do_not_disturb,
        ),
    ))
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
    let light = switch(account.message_waiting, i18n.tr("line-message-waiting"), {
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
        .size(size::BODY)
        .width(Length::Fill);
    let mut number = row![field].spacing(space::S).align_y(Alignment::Center);
    if changed {
        number = number.push(icon_button(
            Glyph::Save,
            i18n.tr("sign-in-save"),
            Tone::Accent,
            Some(Msg::LineVoicemailNumber(id.clone(), typed.to_string())),
        ));
    }
    column![light, labelled(i18n.tr("line-voicemail-number"), number)]
        .spacing(space::M)
        .into()
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
