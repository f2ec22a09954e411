//! The Calls section: do not disturb, answering by itself, which line a link calls from, and
//! what a held caller hears.

use iced::widget::{column, pick_list};
use iced::{Element, Length};
use parla_core::Config;

use super::parts::{group, labelled, switch};
use super::{Msg, MusicItem};
use crate::i18n::I18n;
use crate::style::{size, space};

pub(super) fn view<'a>(i18n: &I18n, config: &Config) -> Element<'a, Msg> {
    let app = &config.app;
    group(
        i18n.tr("settings-calls"),
        column![
            switch(
                app.do_not_disturb,
                i18n.tr("setting-dnd"),
                Msg::DoNotDisturb
            ),
            switch(
                app.auto_answer,
                i18n.tr("setting-auto-answer"),
                Msg::AutoAnswer
            ),
            switch(
                app.ask_line_for_links,
                i18n.tr("setting-ask-line"),
                Msg::AskLineForLinks
            ),
            labelled(i18n.tr("setting-music-on-hold"), {
                let items = MusicItem::choices(&config.audio.music_on_hold, i18n);
                let chosen = items
                    .iter()
                    .find(|i| i.setting == config.audio.music_on_hold)
                    .cloned();
                pick_list(items, chosen, Msg::MusicOnHold)
                    .text_size(size::BODY)
                    .width(Length::Fill)
            }),
        ]
        .spacing(space::M),
    )
}
