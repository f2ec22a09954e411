//! The Lines section: each line with its state, the default mark, its switch, edit, remove and
//! its own page (line_page.rs: transfers, voicemail, answering machine); and adding one.

use iced::widget::{button, column, row, text, toggler};
use iced::{Alignment, Element, Length};
use parla_core::api::RegistrationState;
use parla_core::config::AccountConfig;
use parla_core::Config;

use super::parts::{group, tip};
use super::{line_page, Msg, Settings};
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, empty_state, icon_button, Glyph, Press};

pub(super) fn view<'a>(
    settings: &'a Settings,
    i18n: &I18n,
    config: &'a Config,
    line_state: impl Fn(&str) -> Option<RegistrationState>,
) -> Element<'a, Msg> {
    let default = config.default_account().map(|a| a.id.as_str());
    let open = settings
        .line_open
        .as_ref()
        .and_then(|id| config.accounts.iter().find(|a| &a.id == id));
    if let Some(account) = open {
        let (name, caption) = describe(
            i18n,
            account,
            line_state(&account.id),
            default == Some(account.id.as_str()),
            settings.reachable.get(&account.id),
        );
        return line_page::view(settings, i18n, config, account, name, caption);
    }
    let add = action(Glyph::Add, i18n.tr("line-add"), Tone::Accent).on_press(Msg::AddLine);
    if config.accounts.is_empty() {
        return empty_state(
            Glyph::Line,
            i18n.tr("lines-empty"),
            i18n.tr("lines-empty-hint"),
            vec![add.into()],
        );
    }
    let rows = column(config.accounts.iter().map(|account| {
        let is_default = default == Some(account.id.as_str());
        let reachable = settings.reachable.get(&account.id);
        line_row(
            i18n,
            account,
            line_state(&account.id),
            is_default,
            reachable,
        )
    }))
    .spacing(space::M);
    column![group(i18n.tr("settings-lines"), rows), add]
        .spacing(space::M)
        .into()
}

/// The line's name and the caption under it: its state, whether it is the default, whether
/// its answering machine is on. The Local line shows where others can call it (`reachable`).
pub(super) fn describe(
    i18n: &I18n,
    account: &AccountConfig,
    state: Option<RegistrationState>,
    is_default: bool,
    reachable: Option<&Vec<String>>,
) -> (String, String) {
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
        let callable = reachable
            .and_then(|uris| uris.first())
            .map(|uri| i18n.tr_args("line-callable-at", &[("address", uri.as_str())]))
            .unwrap_or(address);
        (i18n.tr("line-local"), vec![callable, state])
    } else {
        (address, vec![state])
    };
    if is_default {
        caption.push(i18n.tr("line-is-default"));
    }
    if account.answering_machine.enabled {
        caption.push(i18n.tr("machine-on"));
    }
    (name, caption.join(" · "))
}

fn line_row<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    state: Option<RegistrationState>,
    is_default: bool,
    reachable: Option<&Vec<String>>,
) -> Element<'a, Msg> {
    let (dot, dot_style): (&str, fn(&iced::Theme) -> text::Style) = match state {
        _ if !account.enabled => ("○", text::secondary),
        Some(RegistrationState::Registered) => ("●", text::success),
        Some(RegistrationState::Failed) => ("●", text::danger),
        _ if !account.register => ("●", text::primary),
        _ => ("○", text::secondary),
    };
    let (name, caption) = describe(i18n, account, state, is_default, reachable);
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
    // The name opens the line's own page, as the arrow at the end does.
    let open = Msg::OpenLine(Some(id.clone()));
    let about = button(
        row![
            text(dot).size(size::BODY).style(dot_style),
            column![
                text(name)
                    .size(size::BODY)
                    .wrapping(text::Wrapping::WordOrGlyph),
                text(caption).size(size::CAPTION).style(text::secondary),
            ]
            .spacing(2),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center),
    )
    .width(Length::Fill)
    .padding([space::XS, space::XS])
    .style(style::list_row)
    .press(open.clone());
    row![
        about,
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
        icon_button(
            Glyph::Details,
            i18n.tr("line-details"),
            Tone::Quiet,
            Some(open)
        ),
    ]
    .spacing(space::XS)
    .align_y(Alignment::Center)
    .into()
}
