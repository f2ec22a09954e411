//! The dialer: a number or address field (paste tolerant), the keypad, the line to call from,
//! and the line's voicemail with its count of new messages.

use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::keypad::{is_key, keypad};
use crate::widget::{counted_action, icon, icon_button, round, tip, Glyph, Press};
use iced::widget::{column, container, pick_list, row, text_input, tooltip};
use iced::{Alignment, Element, Length};
use parla_core::AccountId;

#[derive(Debug, Clone, Default)]
pub struct Dialer {
    pub input: String,
    /// The line picked for the next call; `None` is the default line.
    pub line: Option<AccountId>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Input(String),
    Key(char),
    Backspace,
    Line(LineChoice),
    Call,
    /// Call the selected line's mailbox.
    Voicemail,
}

/// An entry of the line menu: the line id and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineChoice {
    pub id: AccountId,
    pub label: String,
}

impl std::fmt::Display for LineChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    /// Call this target from this line (`None`: the default line).
    Dial {
        account: Option<AccountId>,
        to: String,
    },
    /// Call the mailbox of the line picked (the app knows which one that is).
    Voicemail,
}

/// Longest thing the field takes: a SIP URI is bounded by what a person types or pastes.
const MAX_INPUT: usize = 256;

impl Dialer {
    pub fn update(&mut self, msg: Msg) -> Outcome {
        match msg {
            Msg::Input(value) => self.input = tidy(&value),
            Msg::Key(c) if is_key(c) || c == '+' => {
                if self.input.len() < MAX_INPUT {
                    self.input.push(c);
                }
            }
            Msg::Key(_) => {}
            Msg::Backspace => {
                self.input.pop();
            }
            Msg::Line(choice) => self.line = Some(choice.id),
            Msg::Voicemail => return Outcome::Voicemail,
            Msg::Call => {
                let to = self.input.trim().to_string();
                if to.is_empty() {
                    return Outcome::None;
                }
                self.input.clear();
                return Outcome::Dial {
                    account: self.line.clone(),
                    to,
                };
            }
        }
        Outcome::None
    }

    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        lines: Vec<LineChoice>,
        new_voicemail: u32,
        compact: bool,
    ) -> Element<'a, Msg> {
        let has_line = !lines.is_empty();
        let field = text_input(&i18n.tr("dialer-placeholder"), &self.input)
            .id("dialer-input")
            .on_input(Msg::Input)
            .on_submit(Msg::Call)
            .size(size::TITLE + 2.0)
            .padding([space::S, space::M])
            .align_x(Alignment::Center);
        let backspace = icon_button(
            Glyph::Backspace,
            i18n.tr("dialer-backspace"),
            Tone::Quiet,
            (!self.input.is_empty()).then_some(Msg::Backspace),
        );
        let mut content = column![row![field, backspace]
            .spacing(space::S)
            .align_y(Alignment::Center)]
        .spacing(if compact { space::M } else { space::L })
        .align_x(Alignment::Center);
        if lines.len() > 1 {
            let selected = self
                .line
                .as_ref()
                .and_then(|id| lines.iter().find(|l| &l.id == id).cloned())
                .or_else(|| lines.first().cloned());
            content = content.push(
                row![
                    tip(
                        icon(Glyph::Line, size::ICON),
                        i18n.tr("dialer-line"),
                        tooltip::Position::Bottom
                    ),
                    pick_list(lines, selected, Msg::Line).width(Length::Fill),
                ]
                .spacing(space::S)
                .align_y(Alignment::Center),
            );
        }
        content = content.push(keypad(Msg::Key, compact));
        let call = round(Glyph::Call, Tone::Answer, if compact { 52.0 } else { 64.0 })
            .press_maybe((!self.input.trim().is_empty()).then_some(Msg::Call));
        content = content.push(tip(call, i18n.tr("dialer-call"), tooltip::Position::Top));
        if has_line {
            content = content.push(
                counted_action(
                    Glyph::Voicemail,
                    i18n.tr("voicemail"),
                    Tone::Quiet,
                    new_voicemail,
                )
                .on_press(Msg::Voicemail),
            );
        }
        container(content.max_width(300))
            .center_x(Length::Fill)
            .padding([space::L, space::M])
            .into()
    }
}

fn tidy(value: &str) -> String {
    let value: String = value.chars().take(MAX_INPUT).collect();
    let looks_like_a_number = value
        .chars()
        .all(|c| is_key(c) || " +-.()/\t\u{a0}".contains(c));
    if looks_like_a_number {
        crate::desktop::links::normalise_typed_number(&value)
    } else {
        value.trim_start().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_numbers_are_normalised_and_addresses_kept() {
        let mut dialer = Dialer::default();
        dialer.update(Msg::Input("+34 (912) 345-678".into()));
        assert_eq!(dialer.input, "+34912345678");
        dialer.update(Msg::Input("bob.smith@example.com".into()));
        assert_eq!(dialer.input, "bob.smith@example.com");
        dialer.update(Msg::Input("bob.smith".into()));
        assert_eq!(dialer.input, "bob.smith");
    }

    #[test]
    fn keys_build_the_number_and_call_sends_it() {
        let mut dialer = Dialer::default();
        for c in ['1', '2', 'x', '#'] {
            dialer.update(Msg::Key(c));
        }
        dialer.update(Msg::Backspace);
        assert_eq!(dialer.input, "12");
        dialer.update(Msg::Line(LineChoice {
            id: AccountId::new("work"),
            label: "work".into(),
        }));
        assert_eq!(
            dialer.update(Msg::Call),
            Outcome::Dial {
                account: Some(AccountId::new("work")),
                to: "12".into()
            }
        );
        assert!(dialer.input.is_empty());
        assert_eq!(dialer.update(Msg::Call), Outcome::None, "nothing to call");
    }
}
