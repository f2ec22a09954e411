//! The settings tab: the section picker at the top, the chosen section below it, scrolling.

use iced::widget::{button, column, container, responsive, row, scrollable, text};
use iced::{Alignment, Element, Length};
use parla_core::api::RegistrationState;
use parla_core::Config;

use super::parts::tip;
use super::{advanced, appearance, audio, calls, lines, Msg, Section, Settings};
use crate::i18n::I18n;
use crate::style::{self, button_style, size, space, Tone};
use crate::widget::{icon, Glyph};

impl Settings {
    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        config: &'a Config,
        line_state: impl Fn(&str) -> Option<RegistrationState>,
    ) -> Element<'a, Msg> {
        let body = match self.section {
            Section::Lines => lines::view(self, i18n, config, line_state),
            Section::Audio => audio::view(self, i18n, config),
            Section::Calls => calls::view(i18n, config, &self.auto_answer_draft),
            Section::Appearance => appearance::view(i18n, config),
            Section::Advanced => advanced::view(i18n, config),
        };
        let mut top = column![picker(i18n, self.section)].spacing(space::M);
        if let Some(notice) = &self.notice {
            top = top.push(text(notice.clone()).size(size::BODY).style(text::warning));
        }
        // The scroll bar runs down the window's edge, over the margin, clear of the cards.
        let page = column![
            container(top).padding([space::M, space::L]),
            scrollable(container(body).padding(iced::Padding {
                top: 0.0,
                right: space::L,
                bottom: space::L,
                left: space::L,
            }))
            .height(Length::Fill),
        ];
        container(page).height(Length::Fill).into()
    }
}

/// What each section is called and its picture.
fn face(section: Section) -> (Glyph, &'static str) {
    match section {
        Section::Lines => (Glyph::Line, "settings-lines"),
        Section::Audio => (Glyph::Speaker, "settings-audio"),
        Section::Calls => (Glyph::Call, "settings-calls"),
        Section::Appearance => (Glyph::Appearance, "settings-appearance"),
        Section::Advanced => (Glyph::Advanced, "settings-advanced"),
    }
}

/// The sections side by side on a card, the chosen one lit: alike in width when the longest
/// name fits in a fifth, else each as wide as its name needs; in a window too narrow even for
/// that, their icons alone, each named in a tooltip.
fn picker<'a>(i18n: &I18n, chosen: Section) -> Element<'a, Msg> {
    let faces: Vec<(Section, Glyph, String)> = Section::ALL
        .into_iter()
        .map(|section| {
            let (glyph, key) = face(section);
            (section, glyph, i18n.tr(key))
        })
        .collect();
    responsive(move |room| {
        let fit = Fit::of(room.width - 2.0 * space::XS, &faces);
        let items = faces.iter().map(|(section, glyph, label)| {
            let tone = if *section == chosen {
                Tone::On
            } else {
                Tone::Quiet
            };
            let mut face = column![icon(*glyph, size::ICON)]
                .spacing(space::XS)
                .width(Length::Fill)
                .align_x(Alignment::Center);
            if fit != Fit::IconsOnly {
                face = face.push(
                    text(label.clone())
                        .size(size::CAPTION)
                        .wrapping(text::Wrapping::None),
                );
            }
            let width = match fit {
                Fit::AsNeeded => Length::FillPortion(portion(label)),
                Fit::Alike | Fit::IconsOnly => Length::Fill,
            };
            let item = button(face)
                .width(width)
                .padding([space::S, 0.0])
                .style(button_style(tone, None))
                .on_press(Msg::Section(*section));
            if fit == Fit::IconsOnly {
                tip(item, label.clone())
            } else {
                item.into()
            }
        });
        container(row(items))
            .padding(space::XS)
            .style(style::card)
            .into()
    })
    .height(Length::Shrink)
    .into()
}

/// How the section names fit in the picker's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    Alike,
    AsNeeded,
    IconsOnly,
}

impl Fit {
    fn of(width: f32, faces: &[(Section, Glyph, String)]) -> Fit {
        let widest = faces.iter().map(|(_, _, l)| needs(l)).fold(0.0, f32::max);
        let all: f32 = faces.iter().map(|(_, _, l)| needs(l)).sum();
        if widest * faces.len() as f32 <= width {
            Fit::Alike
        } else if all <= width {
            Fit::AsNeeded
        } else {
            Fit::IconsOnly
        }
    }
}

/// The width a name needs under its icon, roughly: 0.58 em a character in the window's font,
/// and a little room either side.
fn needs(label: &str) -> f32 {
    label.chars().count() as f32 * size::CAPTION * 0.58 + space::XS
}

/// A name's share of the picker when the shares follow the names.
fn portion(label: &str) -> u16 {
    u16::try_from(label.chars().count() + 2).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn faces(language: Language) -> Vec<(Section, Glyph, String)> {
        let i18n = I18n::new(language);
        Section::ALL
            .into_iter()
            .map(|s| {
                let (glyph, key) = face(s);
                (s, glyph, i18n.tr(key))
            })
            .collect()
    }

    #[test]
    fn the_picker_names_its_sections_while_they_fit() {
        // The default window's picker: 420 less the margins and the card's padding.
        let width = 420.0 - 2.0 * space::L - 2.0 * space::XS;
        assert_eq!(Fit::of(width, &faces(Language::English)), Fit::Alike);
        assert_eq!(Fit::of(width, &faces(Language::Dutch)), Fit::AsNeeded);
        assert_eq!(Fit::of(200.0, &faces(Language::English)), Fit::IconsOnly);
    }
}
