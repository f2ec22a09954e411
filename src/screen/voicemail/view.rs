//! The Voicemail tab's drawing: the player card of the picked message over the list.

use super::{caller, local_start, Msg, Voicemail};
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, avatar, empty_state, icon, round, Glyph, Press};
use chrono::NaiveDateTime;
use iced::widget::{button, column, container, row, scrollable, slider, text, Space};
use iced::{Alignment, Element, Length};
use parla_core::store::VoicemailEntry;

/// "0:03 / 0:12" from milliseconds.
pub fn position_text(position_ms: u64, duration_ms: u64) -> String {
    format!(
        "{} / {}",
        crate::when::duration(position_ms / 1000),
        crate::when::duration(duration_ms.div_ceil(1000))
    )
}

impl Voicemail {
    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let mut content = column![].spacing(space::M).padding(space::M);
        if let Some(error) = &self.error {
            content = content.push(text(error.clone()).size(size::CAPTION).style(text::danger));
        }
        if self.messages.is_empty() {
            if !self.loaded {
                return content.into();
            }
            return content
                .push(empty_state(
                    Glyph::Voicemail,
                    i18n.tr("voicemail-empty-title"),
                    i18n.tr("voicemail-empty-hint"),
                    Vec::new(),
                ))
                .into();
        }
        let now = crate::when::local(std::time::SystemTime::now());
        if let Some(entry) = self.selected_entry() {
            content = content.push(self.player(entry, now, i18n));
        }
        let list = column(
            self.messages
                .iter()
                .map(|entry| message_row(entry, self.selected == Some(entry.id), now, i18n)),
        )
        .spacing(space::XS);
        content
            .push(scrollable(list).height(Length::Fill).spacing(space::XS))
            .into()
    }

    /// The picked message: who and when, play/pause with the slider, then the actions.
    fn player<'a>(
        &'a self,
        entry: &'a VoicemailEntry,
        now: NaiveDateTime,
        i18n: &I18n,
    ) -> Element<'a, Msg> {
        let name = caller(entry).to_string();
        let mut details = vec![crate::when::call_time(local_start(entry), now, i18n)];
        if !entry.number.is_empty() && entry.number != name {
            details.push(entry.number.clone());
        }
        let who = row![
            avatar(&name, 44.0),
            column![
                text(name.clone())
                    .size(size::TITLE)
                    .wrapping(text::Wrapping::None),
                text(details.join(" · "))
                    .size(size::CAPTION)
                    .style(text::secondary)
                    .wrapping(text::Wrapping::None),
            ]
            .spacing(2)
            .width(Length::Fill)
            .clip(true),
        ]
        .spacing(space::M)
        .align_y(Alignment::Center);

        let controls: Element<'a, Msg> = if entry.missing {
            row![
                icon(Glyph::Close, size::ICON).style(text::danger),
                text(i18n.tr("voicemail-missing-file"))
                    .size(size::BODY)
                    .style(text::danger),
            ]
            .spacing(space::S)
            .align_y(Alignment::Center)
            .into()
        } else {
            let (glyph, label, msg) = if self.playing() {
                (Glyph::Hold, "voicemail-pause", Msg::Pause)
            } else {
                (Glyph::Resume, "voicemail-play", Msg::Play)
            };
            let duration = self.duration_ms();
            let position = self.position_ms().min(duration);
            row![
                crate::widget::tip(
                    round(glyph, Tone::Accent, 40.0).press(msg),
                    i18n.tr(label),
                    iced::widget::tooltip::Position::Bottom,
                ),
                slider(0.0..=duration.max(1) as f64, position as f64, Msg::Seek)
                    .on_release(Msg::SeekDone)
                    .step(100.0)
                    .width(Length::Fill),
                text(position_text(position, duration))
                    .size(size::CAPTION)
                    .style(text::secondary),
            ]
            .spacing(space::M)
            .align_y(Alignment::Center)
            .into()
        };

        let mut actions = row![
            action(Glyph::Call, i18n.tr("history-call-back"), Tone::Answer).press(Msg::CallBack)
        ]
        .spacing(space::S)
        .align_y(Alignment::Center);
        actions = actions.push(
            action(Glyph::Export, i18n.tr("voicemail-export"), Tone::Neutral)
                .press_maybe((!entry.missing).then_some(Msg::Export)),
        );
        let (glyph, key) = if entry.heard {
            (Glyph::Unheard, "voicemail-mark-unheard")
        } else {
            (Glyph::Heard, "voicemail-mark-heard")
        };
        actions = actions.push(action(glyph, i18n.tr(key), Tone::Neutral).press(Msg::ToggleHeard));
        if self.confirm_delete == Some(entry.id) {
            actions = actions.push(
                action(
                    Glyph::Delete,
                    i18n.tr("voicemail-delete-confirm"),
                    Tone::HangUp,
                )
                .press(Msg::ConfirmDelete),
            );
            actions = actions.push(
                action(Glyph::Close, i18n.tr("cancel"), Tone::Quiet).press(Msg::CancelDelete),
            );
        } else {
            actions = actions.push(
                action(Glyph::Delete, i18n.tr("voicemail-delete"), Tone::HangUp)
                    .press(Msg::AskDelete),
            );
        }

        let mut card =
            column![who, controls, actions.wrap().vertical_spacing(space::S)].spacing(space::M);
        if let Some(path) = &self.exported {
            card = card.push(
                text(i18n.tr_args("voicemail-exported", &[("path", path)]))
                    .size(size::CAPTION)
                    .style(text::secondary),
            );
        }
        container(card)
            .padding(space::M)
            .width(Length::Fill)
            .style(style::card)
            .into()
    }
}

/// One message: the unheard dot, who, when and how long (or that its file is missing).
fn message_row<'a>(
    entry: &'a VoicemailEntry,
    selected: bool,
    now: NaiveDateTime,
    i18n: &I18n,
) -> Element<'a, Msg> {
    let name = caller(entry).to_string();
    let mut details = vec![crate::when::call_time(local_start(entry), now, i18n)];
    details.push(crate::when::duration(entry.duration_ms.div_ceil(1000)));
    // On the chosen row's tinted background the grey of a caption would fade away.
    let caption = text(details.join(" · "))
        .size(size::CAPTION)
        .wrapping(text::Wrapping::None);
    let caption = if selected {
        caption
    } else {
        caption.style(text::secondary)
    };
    let mut caption = row![caption].spacing(space::S);
    if entry.missing {
        caption = caption.push(
            text(i18n.tr("voicemail-missing"))
                .size(size::CAPTION)
                .style(text::danger)
                .wrapping(text::Wrapping::None),
        );
    }
    let title = text(name.clone())
        .size(size::BODY)
        .wrapping(text::Wrapping::None);
    let marker: Element<'a, Msg> = if entry.heard {
        Space::new().width(8).into()
    } else {
        container(Space::new().width(8).height(8))
            .style(style::unread_dot)
            .into()
    };
    button(
        row![
            marker,
            avatar(&name, 36.0),
            column![title, caption]
                .spacing(2)
                .width(Length::Fill)
                .clip(true),
        ]
        .spacing(space::M)
        .align_y(Alignment::Center),
    )
    .width(Length::Fill)
    .padding([space::S, space::S])
    .style(if selected {
        style::selected_row
    } else {
        style::list_row
    })
    .press(Msg::Select(entry.id))
}

#[cfg(test)]
mod tests {
    use super::position_text;

    #[test]
    fn positions_read_as_minutes_and_seconds() {
        assert_eq!(position_text(0, 12_000), "0:00 / 0:12");
        assert_eq!(position_text(3_400, 12_001), "0:03 / 0:13");
        assert_eq!(position_text(61_000, 3_600_000), "1:01 / 1:00:00");
    }
}
