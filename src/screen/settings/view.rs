//! The settings tab, one function per section: lines, audio, codecs, calls, general, help.

use super::{codec_order, Msg, Settings, ThemeItem};
use crate::i18n::{I18n, Language};
use iced::widget::{
    button, checkbox, column, container, pick_list, progress_bar, row, scrollable, space, text,
};
use iced::{Alignment, Element, Length};
use parla_core::api::RegistrationState;
use parla_core::config::{AccountConfig, ThemeSetting};
use parla_core::Config;

fn section<'a>(title: String, body: impl Into<Element<'a, Msg>>) -> Element<'a, Msg> {
    column![text(title).size(18), body.into()].spacing(8).into()
}

pub(super) fn device_list(current: &str, found: &[String]) -> Vec<String> {
    let mut list = vec!["default".to_string()];
    for device in found {
        if !list.contains(device) {
            list.push(device.clone());
        }
    }
    if !current.is_empty() && !list.iter().any(|d| d == current) {
        list.push(current.to_string());
    }
    list
}

impl Settings {
    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        config: &'a Config,
        line_state: impl Fn(&str) -> Option<RegistrationState>,
    ) -> Element<'a, Msg> {
        let mut content = column![
            section(i18n.tr("settings-lines"), lines(i18n, config, line_state)),
            section(i18n.tr("settings-audio"), self.audio(i18n, config)),
            section(i18n.tr("settings-codecs"), codecs(config)),
            section(i18n.tr("settings-calls"), calls(i18n, config)),
            section(i18n.tr("settings-appearance"), appearance(i18n, config)),
            section(i18n.tr("settings-general"), general(i18n, config)),
            section(i18n.tr("settings-help"), help(i18n)),
            space().height(12),
        ]
        .spacing(18)
        .padding(16);
        if let Some(notice) = &self.notice {
            content = column![text(notice.clone()).style(text::warning), content].spacing(6);
        }
        container(scrollable(content)).height(Length::Fill).into()
    }

    fn audio<'a>(&'a self, i18n: &I18n, config: &'a Config) -> Element<'a, Msg> {
        let device_row = |label: String, current: &str, found: &[String], on: fn(String) -> Msg| {
            let list = device_list(current, found);
            let selected = list.iter().find(|d| *d == current).cloned();
            row![
                text(label).width(110),
                pick_list(list, selected, on).width(Length::Fill)
            ]
            .spacing(8)
            .align_y(Alignment::Center)
        };
        let ring_current = if config.audio.ring.is_empty() {
            config.audio.output.as_str()
        } else {
            config.audio.ring.as_str()
        };
        column![
            device_row(
                i18n.tr("audio-input"),
                &config.audio.input,
                &self.inputs,
                Msg::Input
            ),
            device_row(
                i18n.tr("audio-output"),
                &config.audio.output,
                &self.outputs,
                Msg::Output
            ),
            device_row(
                i18n.tr("audio-ring"),
                ring_current,
                &self.outputs,
                Msg::Ring
            ),
            row![
                button(text(if self.echo_running {
                    i18n.tr("audio-test-stop")
                } else {
                    i18n.tr("audio-test-start")
                }))
                .on_press(Msg::EchoTest(!self.echo_running)),
                button(text(i18n.tr("audio-refresh")))
                    .style(button::secondary)
                    .on_press(Msg::RefreshDevices),
                progress_bar(0.0..=1.0, if self.echo_running { self.level } else { 0.0 })
                    .length(Length::Fill)
                    .girth(10),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            text(i18n.tr("audio-test-hint")).size(11),
        ]
        .spacing(6)
        .into()
    }
}

fn lines<'a>(
    i18n: &I18n,
    config: &'a Config,
    line_state: impl Fn(&str) -> Option<RegistrationState>,
) -> Element<'a, Msg> {
    let default = config.default_account().map(|a| a.id.clone());
    let mut lines = column![].spacing(6);
    for account in &config.accounts {
        let is_default = default.as_deref() == Some(account.id.as_str());
        lines = lines.push(line_row(i18n, account, line_state(&account.id), is_default));
    }
    lines
        .push(button(text(i18n.tr("line-add"))).on_press(Msg::AddLine))
        .into()
}

fn line_row<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    state: Option<RegistrationState>,
    is_default: bool,
) -> Element<'a, Msg> {
    let state = match state {
        _ if !account.enabled => i18n.tr("line-off"),
        Some(RegistrationState::Registered) => i18n.tr("line-registered"),
        Some(RegistrationState::Registering) => i18n.tr("line-registering"),
        Some(RegistrationState::Failed) => i18n.tr("line-failed"),
        _ if !account.register => i18n.tr("line-listening"),
        _ => i18n.tr("line-off"),
    };
    let id = account.id.clone();
    let name = if account.id == crate::app::LOCAL_LINE {
        format!(
            "{} · {}@{}",
            i18n.tr("line-local"),
            account.username,
            account.domain
        )
    } else {
        format!("{}@{}", account.username, account.domain)
    };
    row![
        checkbox(account.enabled).on_toggle({
            let id = id.clone();
            move |on| Msg::EnableLine(id.clone(), on)
        }),
        column![text(name).size(14), text(state).size(11)].width(Length::Fill),
        button(text(if is_default {
            i18n.tr("line-is-default")
        } else {
            i18n.tr("line-make-default")
        }))
        .style(button::text)
        .on_press_maybe((!is_default && account.enabled).then(|| Msg::DefaultLine(id.clone()))),
        button(text(i18n.tr("edit")))
            .style(button::secondary)
            .on_press_maybe(account.register.then(|| Msg::EditLine(id.clone()))),
        button(text(i18n.tr("remove")))
            .style(button::danger)
            .on_press(Msg::RemoveLine(id.clone())),
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .into()
}

fn codecs<'a>(config: &Config) -> Element<'a, Msg> {
    let order = codec_order(config);
    let mut codecs = column![].spacing(4);
    for (index, codec) in order.iter().enumerate() {
        codecs = codecs.push(
            row![
                text(format!("{}. {}", index + 1, codec.encoding_name())).width(120),
                button(text("▲"))
                    .style(button::secondary)
                    .on_press_maybe((index > 0).then_some(Msg::CodecEarlier(index))),
                button(text("▼"))
                    .style(button::secondary)
                    .on_press_maybe((index + 1 < order.len()).then_some(Msg::CodecLater(index))),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
        );
    }
    codecs.into()
}

fn calls<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let app = &config.app;
    column![
        checkbox(app.do_not_disturb)
            .label(i18n.tr("setting-dnd"))
            .on_toggle(Msg::DoNotDisturb),
        checkbox(app.auto_answer)
            .label(i18n.tr("setting-auto-answer"))
            .on_toggle(Msg::AutoAnswer),
        checkbox(app.ask_line_for_links)
            .label(i18n.tr("setting-ask-line"))
            .on_toggle(Msg::AskLineForLinks),
    ]
    .spacing(6)
    .into()
}

fn appearance<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let items: Vec<ThemeItem> = [
        (ThemeSetting::System, "theme-system"),
        (ThemeSetting::Light, "theme-light"),
        (ThemeSetting::Dark, "theme-dark"),
    ]
    .into_iter()
    .map(|(setting, key)| ThemeItem {
        setting,
        label: i18n.tr(key),
    })
    .collect();
    let selected = items
        .iter()
        .find(|i| i.setting == config.app.theme)
        .cloned();
    row![
        text(i18n.tr("setting-theme")).width(110),
        pick_list(items, selected, Msg::Theme),
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .into()
}

fn general<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let app = &config.app;
    column![
        row![
            text(i18n.tr("setting-language")).width(110),
            pick_list(Language::ALL, Some(i18n.language()), Msg::Language),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        checkbox(app.start_minimised)
            .label(i18n.tr("setting-start-minimised"))
            .on_toggle(Msg::StartMinimised),
        checkbox(app.start_at_login)
            .label(i18n.tr("setting-start-at-login"))
            .on_toggle(Msg::StartAtLogin),
    ]
    .spacing(6)
    .into()
}

fn help<'a>(i18n: &I18n) -> Element<'a, Msg> {
    column![
        text(i18n.tr("help-diagnostics-hint")).size(11),
        button(text(i18n.tr("help-save-diagnostics")))
            .style(button::secondary)
            .on_press(Msg::SaveDiagnostics),
    ]
    .spacing(6)
    .into()
}
