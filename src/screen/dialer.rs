//! The dialer: a number or address field (paste tolerant), the keypad, the line to call from,
//! who to call as (the line's identities, or anonymously), the line's feature codes, and the
//! line's voicemail with its count of new messages.

use crate::i18n::I18n;
use crate::style::list_row;
use crate::style::{size, space, Tone};
use crate::widget::keypad::{is_key, keypad};
use crate::widget::{counted_action, icon, icon_button, round, tip, Glyph, Press};
use iced::widget::{button, column, container, pick_list, row, text, text_input, tooltip};
use iced::{Alignment, Element, Length};
use parla_core::config::{FeatureCode, Identity};
use parla_core::AccountId;

#[derive(Debug, Clone, Default)]
pub struct Dialer {
    pub input: String,
    /// The line picked for the next call; `None` is the default line.
    pub line: Option<AccountId>,
    /// Who the next call is from, as picked in the "Call as" menu; `None`: the line's default.
    pub call_as: Option<CallAs>,
    /// The feature codes menu is open.
    pub codes_open: bool,
}

/// Who a call is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallAs {
    /// The line's own user (no identity named).
    Own,
    /// One of the line's identities, by its user.
    Identity(String),
    /// Hidden (RFC 3323/3325).
    Anonymous,
}

/// An entry of the "Call as" menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAsChoice {
    pub call_as: CallAs,
    pub label: String,
}

impl std::fmt::Display for CallAsChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// What the dialer offers for the line picked: who to call as, and its feature codes.
#[derive(Debug, Clone, Copy)]
pub struct LineFeatures<'a> {
    /// The line's own user part (what the far end sees without an identity).
    pub user: &'a str,
    pub identities: &'a [Identity],
    /// The line calls anonymously always.
    pub anonymous: bool,
    pub codes: &'a [FeatureCode],
    /// A call is up: in-call codes can be sent to it.
    pub in_call: bool,
}

impl<'a> LineFeatures<'a> {
    /// The menu's entries: the line's own user unless an identity is the default, the
    /// identities, then Anonymous.
    pub fn call_as_choices(&self, i18n: &I18n) -> Vec<CallAsChoice> {
        let mut choices = Vec::new();
        if !self.identities.iter().any(|i| i.default) {
            choices.push(CallAsChoice {
                call_as: CallAs::Own,
                label: i18n.tr_args("dialer-call-as-own", &[("user", self.user)]),
            });
        }
        // The name alone where there is one: the menu is narrow.
        choices.extend(self.identities.iter().map(|i| {
            CallAsChoice {
                call_as: CallAs::Identity(i.user.clone()),
                label: i
                    .display_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| i.user.clone(), str::to_string),
            }
        }));
        choices.push(CallAsChoice {
            call_as: CallAs::Anonymous,
            label: i18n.tr("dialer-call-as-anonymous"),
        });
        choices
    }

    /// The codes the menu offers: in-call ones only while a call is up.
    pub fn usable_codes(&self) -> impl Iterator<Item = &'a FeatureCode> + 'a {
        let in_call = self.in_call;
        self.codes.iter().filter(move |c| !c.in_call || in_call)
    }

    /// Who a call is from when the menu was not touched.
    pub fn default_call_as(&self) -> CallAs {
        if self.anonymous {
            return CallAs::Anonymous;
        }
        match self.identities.iter().find(|i| i.default) {
            Some(identity) => CallAs::Identity(identity.user.clone()),
            None => CallAs::Own,
        }
    }
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
    CallAs(CallAsChoice),
    /// Open or close the feature codes menu.
    ToggleCodes,
    /// Use the line's feature code of this name (`true`: an in-call one, for the call up).
    Code(String, bool),
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
        /// Picked in the "Call as" menu (`None`: the line's default).
        call_as: Option<CallAs>,
    },
    /// Call the mailbox of the line picked (the app knows which one that is).
    Voicemail,
    /// Use this feature code of the line, with what the field held as its argument.
    Code {
        account: Option<AccountId>,
        name: String,
        argument: Option<String>,
        in_call: bool,
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
            Msg::Line(choice) => {
                if self.line.as_ref() != Some(&choice.id) {
                    self.call_as = None;
                    self.codes_open = false;
                }
                self.line = Some(choice.id);
            }
            Msg::Voicemail => return Outcome::Voicemail,
            Msg::CallAs(choice) => self.call_as = Some(choice.call_as),
            Msg::ToggleCodes => self.codes_open = !self.codes_open,
            Msg::Code(name, in_call) => {
                self.codes_open = false;
                let typed = self.input.trim().to_string();
                // An in-call code goes to the call as DTMF: the field is not its argument.
                let argument = (!typed.is_empty() && !in_call).then_some(typed);
                if argument.is_some() {
                    self.input.clear();
                }
                return Outcome::Code {
                    account: self.line.clone(),
                    name,
                    argument,
                    in_call,
                };
            }
            Msg::Call => {
                let to = self.input.trim().to_string();
                if to.is_empty() {
                    return Outcome::None;
                }
                self.input.clear();
                return Outcome::Dial {
                    account: self.line.clone(),
                    to,
                    call_as: self.call_as.clone(),
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
        features: Option<LineFeatures<'a>>,
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
        let mut menu_open = false;
        if let Some(features) = features {
            content = content.push(self.features_row(i18n, &features));
            if self.codes_open && features.usable_codes().next().is_some() {
                // The codes take the keypad's place while their menu is open.
                content = content.push(codes_menu(i18n, &features));
                menu_open = true;
            }
        }
        if !menu_open {
            content = content.push(keypad(Msg::Key, compact));
        }
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

impl Dialer {
    /// "Call as" (a menu) and the Codes button, on one line under the line picker.
    fn features_row<'a>(&self, i18n: &I18n, features: &LineFeatures<'a>) -> Element<'a, Msg> {
        let choices = features.call_as_choices(i18n);
        let wanted = self
            .call_as
            .clone()
            .unwrap_or_else(|| features.default_call_as());
        let selected = choices.iter().find(|c| c.call_as == wanted).cloned();
        let mut line = row![
            tip(
                icon(Glyph::Contacts, size::ICON),
                i18n.tr("dialer-call-as"),
                tooltip::Position::Bottom
            ),
            pick_list(choices, selected, Msg::CallAs)
                .text_size(size::BODY)
                .width(Length::Fill),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center);
        if features.usable_codes().next().is_some() {
            line = line.push(
                crate::widget::action(
                    Glyph::Keypad,
                    i18n.tr("dialer-codes"),
                    if self.codes_open {
                        Tone::On
                    } else {
                        Tone::Neutral
                    },
                )
                .on_press(Msg::ToggleCodes),
            );
        }
        line.into()
    }
}

/// The line's feature codes, one row each (its name, its code); in-call codes only while a
/// call is up.
fn codes_menu<'a>(i18n: &I18n, features: &LineFeatures<'a>) -> Element<'a, Msg> {
    let mut list = column![].spacing(2);
    for code in features.usable_codes() {
        let mut about = code.code.replace("{}", "…");
        if code.in_call {
            about = format!("{about} · {}", i18n.tr("codes-in-call-short"));
        }
        list = list.push(
            button(
                row![
                    text(code.name.clone())
                        .size(size::BODY)
                        .width(Length::Fill)
                        .wrapping(text::Wrapping::WordOrGlyph),
                    text(about).size(size::CAPTION).style(text::secondary),
                ]
                .spacing(space::S)
                .align_y(Alignment::Center),
            )
            .width(Length::Fill)
            .padding([space::XS, space::S])
            .style(list_row)
            .on_press(Msg::Code(code.name.clone(), code.in_call)),
        );
    }
    container(list)
        .padding(space::XS)
        .width(Length::Fill)
        .style(crate::style::card)
        .into()
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
                to: "12".into(),
                call_as: None,
            }
        );
        assert!(dialer.input.is_empty());
        assert_eq!(dialer.update(Msg::Call), Outcome::None, "nothing to call");
    }
}
