//! The Calls section: do not disturb, answering by itself, and which line a link calls from.

use iced::widget::column;
use iced::Element;
use parla_core::Config;

use super::parts::{group, switch};
use super::Msg;
use crate::i18n::I18n;
use crate::style::space;

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
        ]
        .spacing(space::M),
    )
}
