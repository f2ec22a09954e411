//! The Appearance section: the colours, the language, the size and the compact window.

use iced::widget::{column, pick_list};
use iced::{Element, Length};
use parla_core::config::ThemeSetting;
use parla_core::Config;

use super::parts::{group, labelled, switch};
use super::{Msg, ScaleItem, ThemeItem};
use crate::i18n::{I18n, Language};
use crate::style::{size, space};

pub(super) fn view<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let themes: Vec<ThemeItem> = [
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
    let theme = themes
        .iter()
        .find(|i| i.setting == config.app.theme)
        .cloned();
    group(
        i18n.tr("settings-appearance"),
        column![
            labelled(
                i18n.tr("setting-theme"),
                pick_list(themes, theme, Msg::Theme)
                    .text_size(size::BODY)
                    .width(Length::Fill),
            ),
            labelled(
                i18n.tr("setting-language"),
                pick_list(Language::ALL, Some(i18n.language()), Msg::Language)
                    .text_size(size::BODY)
                    .width(Length::Fill),
            ),
            labelled(
                i18n.tr("setting-scale"),
                pick_list(
                    ScaleItem::ALL,
                    Some(ScaleItem::of(config.app.scale)),
                    Msg::Scale
                )
                .text_size(size::BODY)
                .width(Length::Fill),
            ),
            switch(config.app.compact, i18n.tr("setting-compact"), Msg::Compact),
        ]
        .spacing(space::M),
    )
}
