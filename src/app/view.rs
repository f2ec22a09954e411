//! What each window shows.

use super::{App, Message, Tab, LOCAL_LINE};
use crate::screen::settings::devices::device_choices;
use crate::screen::{call, dialer, popup};
use crate::style::{size, space};
use crate::widget::nav::{nav_bar, nav_item};
use crate::widget::Glyph;
use iced::widget::{button, column, container, row, text};
use iced::{window, Alignment, Element, Length};
use parla_core::api::RegistrationState;
use parla_core::AccountId;

impl App {
    pub fn view(&self, window: window::Id) -> Element<'_, Message> {
        if let Some((popup_window, call)) = self.popup {
            if popup_window == window {
                return match self.calls.get(call) {
                    Some(view) => {
                        popup::view(&self.i18n, view, self.line_label_of(view.account.as_ref()))
                            .map(move |choice| Message::Popup(call, choice))
                    }
                    None => text("").into(),
                };
            }
        }
        self.main_view()
    }

    fn line_label_of(&self, account: Option<&AccountId>) -> Option<String> {
        let account = account?;
        if self.config.accounts.iter().filter(|a| a.enabled).count() < 2 {
            return None;
        }
        Some(self.line_label(account.as_str()))
    }

    pub(super) fn line_label(&self, id: &str) -> String {
        if id == LOCAL_LINE {
            return self.i18n.tr("line-local");
        }
        self.config
            .accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| format!("{}@{}", a.username, a.domain))
            .unwrap_or_else(|| id.to_string())
    }

    fn line_state(&self, id: &str) -> Option<RegistrationState> {
        self.lines.get(&AccountId::new(id)).map(|l| l.state)
    }

    fn top_bar(&self) -> Element<'_, Message> {
        let mut lines = row![].spacing(10).align_y(Alignment::Center);
        for account in self.config.accounts.iter().filter(|a| a.enabled) {
            let (dot, style): (&str, fn(&iced::Theme) -> text::Style) =
                match self.line_state(&account.id) {
                    Some(RegistrationState::Registered) => ("●", text::success),
                    Some(RegistrationState::Failed) => ("●", text::danger),
                    _ if !account.register => ("●", text::primary),
                    _ => ("○", text::secondary),
                };
            lines = lines.push(
                row![
                    text(dot).style(style),
                    text(self.line_label(&account.id)).size(size::CAPTION)
                ]
                .spacing(space::XS)
                .align_y(Alignment::Center),
            );
        }
        // The lines take what room is left, cut off rather than pushing the rest out.
        let mut bar = row![lines.width(Length::Fill).clip(true)]
            .spacing(space::S)
            .align_y(Alignment::Center);
        let compact = self.config.app.compact;
        // Do not disturb says more than our status, so it takes its place; the compact bar
        // has no room for the picker.
        if self.dnd {
            bar = bar.push(
                text(self.i18n.tr("dnd-on"))
                    .size(size::CAPTION)
                    .style(text::danger),
            );
        } else if !compact {
            bar = bar.push(
                crate::screen::lamps::own_picker(&self.i18n, self.lamps.own).map(Message::Lamps),
            );
        }
        let places = [
            (Glyph::Phone, "tab-phone", Tab::Phone, self.new_voicemail()),
            (Glyph::Contacts, "tab-contacts", Tab::Contacts, 0),
            (Glyph::History, "tab-history", Tab::History, self.missed),
            (Glyph::Chat, "tab-chat", Tab::Chat, self.unread_messages()),
            (
                Glyph::Voicemail,
                "tab-voicemail",
                Tab::Voicemail,
                self.unheard_voicemail(),
            ),
            (Glyph::Settings, "tab-settings", Tab::Settings, 0),
        ];
        let items = places.map(|(glyph, key, tab, count)| {
            nav_item(
                glyph,
                self.i18n.tr(key),
                count,
                self.tab == tab,
                Message::Tab(tab),
                compact,
            )
        });
        if compact {
            // One line: the lines' state, then the places as icons.
            return bar
                .push(row(items).spacing(2))
                .padding([space::XS, space::S])
                .into();
        }
        column![bar, nav_bar(items.into())]
            .spacing(space::S)
            .padding([space::S, space::M])
            .into()
    }

    fn main_view(&self) -> Element<'_, Message> {
        if let Some(form) = &self.sign_in {
            return column![self.notices(), form.view(&self.i18n).map(Message::SignIn)].into();
        }
        let body: Element<'_, Message> = match self.tab {
            Tab::Contacts => self
                .contacts
                .view(
                    &self.i18n,
                    &self.lamps.presence,
                    self.watched_on_default_line(),
                )
                .map(Message::Contacts),
            Tab::History => self.history.view(&self.i18n).map(Message::History),
            Tab::Chat => self.chat.view(&self.i18n).map(Message::Chat),
            Tab::Voicemail => self.voicemail_list.view(&self.i18n).map(Message::Voicemail),
            Tab::Settings => self
                .settings
                .view(&self.i18n, &self.config, |id| self.line_state(id))
                .map(Message::Settings),
            Tab::Phone => match self.focused.filter(|id| self.calls.get(*id).is_some()) {
                Some(focused) => {
                    let output = self
                        .call_outputs
                        .get(&focused)
                        .or(Some(&self.config.audio.output));
                    let mut outputs = self.settings.outputs.clone();
                    if let Some(current) = output.filter(|o| !outputs.contains(o)) {
                        outputs.push(current.clone());
                    }
                    let line = self
                        .calls
                        .get(focused)
                        .and_then(|c| self.line_label_of(c.account.as_ref()));
                    call::CallScreen {
                        calls: self.calls.iter().collect(),
                        focused,
                        keypad_open: self.keypad_open,
                        transfer_to: self.transfer_to.as_deref(),
                        add_call_to: self.add_call_to.as_deref(),
                        consult: self.consult,
                        suggestions: &self.call_suggestions.found,
                        outputs: device_choices(&outputs, &self.settings.device_labels, &self.i18n),
                        output,
                        line,
                        compact: self.config.app.compact,
                        now: self.now,
                        in_call: self.in_call_features(focused),
                    }
                    .view(&self.i18n)
                    .map(|(call, action)| Message::Call(call, action))
                }
                None => {
                    let voicemail = self.dialer_voicemail();
                    self.dialer
                        .view(
                            &self.i18n,
                            self.line_choices(),
                            voicemail,
                            self.config.app.compact,
                            self.dialer_features(),
                        )
                        .map(Message::Dialer)
                }
            },
        };
        let mut page = column![self.top_bar()];
        if let Some(banner) = self.forwarding_banner() {
            page = page.push(banner);
        }
        page = page.push(self.notices());
        page = page.push(container(body).height(Length::Fill));
        if self.tab == Tab::Phone {
            page = page.push(self.lamps_panel());
        }
        page.into()
    }

    pub(super) fn line_choices(&self) -> Vec<dialer::LineChoice> {
        let default = self.default_line();
        let mut choices: Vec<dialer::LineChoice> = self
            .config
            .accounts
            .iter()
            .filter(|a| a.enabled)
            .map(|a| dialer::LineChoice {
                id: AccountId::new(a.id.clone()),
                label: self.line_label(&a.id),
            })
            .collect();
        // The default line first, so an untouched menu shows it.
        if let Some(default) = default {
            if let Some(at) = choices.iter().position(|c| c.id == default) {
                let first = choices.remove(at);
                choices.insert(0, first);
            }
        }
        choices
    }

    fn notices(&self) -> Element<'_, Message> {
        let mut column = column![].spacing(6).padding([0, 12]);
        if let Some(question) = &self.password_question {
            let account = question.account.clone();
            column = column.push(
                container(
                    column![
                        text(self.i18n.tr("keyring-missing")).size(13),
                        text(question.why.clone()).size(11),
                        row![
                            button(text(self.i18n.tr("keyring-keep-in-file")))
                                .style(button::secondary)
                                .on_press(Message::KeepPasswordInFile(account.clone(), true)),
                            button(text(self.i18n.tr("keyring-do-not-keep")))
                                .on_press(Message::KeepPasswordInFile(account, false)),
                        ]
                        .spacing(8)
                    ]
                    .spacing(6),
                )
                .padding(8)
                .style(container::bordered_box),
            );
        }
        if let Some(notice) = &self.notice {
            column = column.push(
                row![
                    text(notice.clone())
                        .size(12)
                        .style(text::warning)
                        .width(Length::Fill),
                    button(text("×"))
                        .style(button::text)
                        .on_press(Message::DismissNotice),
                ]
                .align_y(Alignment::Center),
            );
        }
        column.into()
    }
}
