//! The Advanced section: the codecs' order, how Parla starts, and help (the diagnostics bundle
//! for a bug report).

use iced::widget::{column, row, text};
use iced::{Alignment, Element, Length};
use parla_core::Config;

use super::parts::{group, hint, switch};
use super::{codec_order, Msg};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{action, icon_button, Glyph};

pub(super) fn view<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let app = &config.app;
    column![
        group(i18n.tr("settings-codecs"), codecs(i18n, config)),
        group(
            i18n.tr("settings-startup"),
            column![
                switch(
                    app.start_minimised,
                    i18n.tr("setting-start-minimised"),
                    Msg::StartMinimised
                ),
                switch(
                    app.start_at_login,
                    i18n.tr("setting-start-at-login"),
                    Msg::StartAtLogin
                ),
            ]
            .spacing(space::M),
        ),
        group(
            i18n.tr("settings-help"),
            column![
                hint(i18n.tr("help-diagnostics-hint")),
                action(Glyph::Help, i18n.tr("help-save-diagnostics"), Tone::Neutral)
                    .on_press(Msg::SaveDiagnostics),
            ]
            .spacing(space::M),
        ),
    ]
    .spacing(space::L)
    .into()
}

fn codecs<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let order = codec_order(config);
    let last = order.len().saturating_sub(1);
    column(order.iter().enumerate().map(|(index, codec)| {
        row![
            text(format!("{}. {}", index + 1, codec.encoding_name()))
                .size(size::BODY)
                .width(Length::Fill),
            icon_button(
                Glyph::MoveUp,
                i18n.tr("codec-earlier"),
                Tone::Quiet,
                (index > 0).then_some(Msg::CodecEarlier(index)),
            ),
            icon_button(
                Glyph::MoveDown,
                i18n.tr("codec-later"),
                Tone::Quiet,
                (index < last).then_some(Msg::CodecLater(index)),
            ),
        ]
        .spacing(space::XS)
        .align_y(Alignment::Center)
        .into()
    }))
    .spacing(space::XS)
    .into()
}
