//! The Calls section: do not disturb, answering by itself (for everyone or only the callers on
//! a list, and intercom calls at once: the engine answers, told with `set_auto_answer`), which
//! line a link calls from, and what a held caller hears.

use iced::widget::{column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::MAX_LIST_ENTRIES;
use parla_core::{Command, Config};

use super::parts::{group, hint, labelled, switch};
use super::{Effect, Msg, MusicItem};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{icon_button, Glyph};

/// The longest auto-answer entry taken: an address a person types or pastes.
pub(super) const MAX_ENTRY: usize = 256;

/// What the engine is told when who is answered by itself changes.
pub(super) fn set_auto_answer(config: &Config) -> Command {
    Command::SetAutoAnswer {
        enabled: config.app.auto_answer,
        only: config.app.auto_answer_only.clone(),
        intercom: config.app.intercom,
    }
}

/// A caller added to the auto-answer list (trimmed; a repeat or an empty one is ignored).
pub(super) fn add_entry(config: &mut Config, entry: &str) -> Effect {
    let entry = entry.trim();
    let only = &mut config.app.auto_answer_only;
    if entry.is_empty()
        || entry.len() > MAX_ENTRY
        || only.len() >= MAX_LIST_ENTRIES
        || only.iter().any(|e| e.eq_ignore_ascii_case(entry))
    {
        return Effect::default();
    }
    only.push(entry.to_string());
    Effect {
        save: true,
        commands: vec![set_auto_answer(config)],
        ..Effect::default()
    }
}

pub(super) fn view<'a>(i18n: &I18n, config: &'a Config, draft: &'a str) -> Element<'a, Msg> {
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
            auto_answer_only(i18n, config, draft),
            switch(app.intercom, i18n.tr("setting-intercom"), Msg::Intercom),
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

/// "Only these callers": the entries, each removable, and the field to add one.
fn auto_answer_only<'a>(i18n: &I18n, config: &'a Config, draft: &'a str) -> Element<'a, Msg> {
    let mut list = column![hint(i18n.tr("setting-auto-answer-only-hint"))].spacing(space::XS);
    for entry in &config.app.auto_answer_only {
        list = list.push(
            row![
                text(entry.clone())
                    .size(size::BODY)
                    .width(Length::Fill)
                    .wrapping(text::Wrapping::WordOrGlyph),
                icon_button(
                    Glyph::Delete,
                    i18n.tr("setting-auto-answer-remove"),
                    Tone::Quiet,
                    Some(Msg::AutoAnswerRemove(entry.clone())),
                ),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        );
    }
    let add = (!draft.trim().is_empty()).then(|| Msg::AutoAnswerAdd(draft.to_string()));
    let mut field = text_input(&i18n.tr("setting-auto-answer-placeholder"), draft)
        .on_input(Msg::AutoAnswerDraft)
        .size(size::BODY)
        .width(Length::Fill);
    if let Some(add) = add.clone() {
        field = field.on_submit(add);
    }
    labelled(
        i18n.tr("setting-auto-answer-only"),
        list.push(
            row![
                field,
                icon_button(
                    Glyph::Add,
                    i18n.tr("setting-auto-answer-add"),
                    Tone::Accent,
                    add
                )
            ]
            .spacing(space::S)
            .align_y(Alignment::Center),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{apply, Settings};
    use super::*;

    #[test]
    fn who_is_answered_by_itself_reaches_the_engine() {
        let mut config = Config::default();
        let mut settings = Settings::default();
        let effect = settings.update(&mut config, Msg::AutoAnswer(true));
        assert!(effect.save);
        assert_eq!(
            effect.commands,
            vec![Command::SetAutoAnswer {
                enabled: true,
                only: vec![],
                intercom: false
            }]
        );
        let effect = settings.update(&mut config, Msg::AutoAnswerDraft("201".into()));
        assert!(!effect.save && effect.commands.is_empty());
        assert_eq!(settings.auto_answer_draft, "201");
        let effect = settings.update(&mut config, Msg::AutoAnswerAdd(" 201 ".into()));
        assert!(effect.save && settings.auto_answer_draft.is_empty());
        let effect = apply(&mut config, Msg::AutoAnswerAdd("201".into()));
        assert_eq!(effect, Effect::default(), "a repeat");
        let effect = apply(&mut config, Msg::Intercom(true));
        assert_eq!(
            effect.commands,
            vec![Command::SetAutoAnswer {
                enabled: true,
                only: vec!["201".into()],
                intercom: true
            }]
        );
        apply(&mut config, Msg::AutoAnswerRemove("201".into()));
        assert!(config.app.auto_answer_only.is_empty());
    }
}
