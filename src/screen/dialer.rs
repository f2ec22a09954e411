//! The dialer: a number or address field (paste tolerant), the keypad, the line to call from.

use crate::i18n::I18n;
use crate::widget::keypad::{is_key, keypad};
use iced::widget::{button, column, container, pick_list, row, text, text_input};
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

    pub fn view<'a>(&'a self, i18n: &I18n, lines: Vec<LineChoice>) -> Element<'a, Msg> {
        let field = text_input(&i18n.tr("dialer-placeholder"), &self.input)
            .id("dialer-input")
            .on_input(Msg::Input)
            .on_submit(Msg::Call)
            .size(20)
            .padding(10);
        let backspace = button(text("⌫").size(18))
            .style(button::text)
            .on_press(Msg::Backspace);
        let mut content = column![row![field, backspace].spacing(6).align_y(Alignment::Center)]
            .spacing(12)
            .align_x(Alignment::Center);
        if lines.len() > 1 {
            let selected = self
                .line
                .as_ref()
                .and_then(|id| lines.iter().find(|l| &l.id == id).cloned())
                .or_else(|| lines.first().cloned());
            content = content.push(
                row![
                    text(i18n.tr("dialer-line")).size(14),
                    pick_list(lines, selected, Msg::Line).width(Length::Fill),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        content = content.push(keypad(Msg::Key));
        content = content.push(
            button(text(i18n.tr("dialer-call")).size(18))
                .style(button::success)
                .padding([10, 40])
                .on_press_maybe((!self.input.trim().is_empty()).then_some(Msg::Call)),
        );
        container(content.max_width(320))
            .center_x(Length::Fill)
            .padding(12)
            .into()
    }
}

/// A typed or pasted phone number loses its visual separators; anything else (a SIP address,
/// a name) is kept as typed.
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
