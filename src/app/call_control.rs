//! Calls from the window: dialling, the call screen's actions, keyboard shortcuts, a ringing
//! call's popup and notification, and what is left when a call ends.

use super::{calls, desktop_glue, keys, windows, App, Message, Tab};
use crate::screen::{call, chat, contacts, dialer};
use iced::{window, Task};
use parla_core::api::{CallState, DeclineReason};
use parla_core::{AccountId, CallId, Command};

impl App {
    pub(super) fn on_ringing_in(&mut self, call: CallId) -> Task<Message> {
        if self.focused.is_none() {
            self.focused = Some(call);
        }
        let notification = match self.calls.get(call) {
            Some(view) => self.notifications.show_incoming(
                &self.notifier,
                call,
                view.name.clone(),
                calls::display_number(&view.remote),
                desktop_glue::notify_labels(&self.i18n),
            ),
            None => Task::none(),
        };
        // Enter answers a ringing call: a control left focused by Tab would take it instead.
        let unfocus = iced::advanced::widget::operate(
            iced::advanced::widget::operation::focusable::unfocus::<()>(),
        )
        .discard();
        if self.popup.is_some() {
            return Task::batch([notification, unfocus]);
        }
        let (id, open) = window::open(windows::popup_settings());
        self.popup = Some((id, call));
        Task::batch([open.discard(), notification, unfocus])
    }

    pub(super) fn on_call_ended(&mut self, call: &calls::CallView, missed: bool) -> Task<Message> {
        let call_view = call;
        let call = call.id;
        self.call_outputs.remove(&call);
        self.notifications.close(call);
        if missed {
            self.missed += 1;
        }
        // A call the answering machine took is told of by its message, if one was left.
        if missed && !call_view.taken_by_machine {
            self.notifications.missed(
                &self.notifier,
                call_view.name.clone(),
                calls::display_number(&call_view.remote),
                desktop_glue::notify_labels(&self.i18n),
            );
        }
        if self.focused == Some(call) {
            self.focused = self
                .calls
                .iter()
                .find(|c| c.is_live())
                .or_else(|| self.calls.iter().next())
                .map(|c| c.id);
            self.keypad_open = false;
            self.transfer_to = None;
            self.add_call_to = None;
        }
        self.close_popup_for(call)
    }

    pub(super) fn on_call_action(&mut self, call: CallId, action: call::Action) -> Task<Message> {
        let for_conference = matches!(
            action,
            call::Action::Mute(_) | call::Action::Hold(_) | call::Action::Digit(_)
        ) && self.calls.get(call).is_some_and(|c| c.in_conference);
        if for_conference {
            return self.on_conference_action(call, action);
        }
        let Some(view) = self.calls.get_mut(call) else {
            return Task::none();
        };
        let mut task = Task::none();
        match action {
            call::Action::Focus => self.focus_call(call),
            call::Action::Swap => {
                self.send(Command::Resume { call });
                self.focus_call(call);
            }
            call::Action::Answer => {
                self.send(Command::Answer { call });
                self.focused = Some(call);
                self.tab = Tab::Phone;
                task = Task::batch([self.close_popup_for(call), self.show_main()]);
            }
            // The answering machine has answered: refusing it now is hanging up.
            call::Action::Decline if view.is_taking_message() => {
                self.send(Command::Hangup { call });
                task = self.close_popup_for(call);
            }
            call::Action::Decline => {
                self.send(Command::Decline {
                    call,
                    reason: DeclineReason::Decline,
                });
                task = self.close_popup_for(call);
            }
            call::Action::Hangup => self.send(Command::Hangup { call }),
            call::Action::Mute(muted) => {
                view.muted = muted;
                self.send(Command::Mute { call, muted });
            }
            call::Action::Hold(true) => self.send(Command::Hold { call }),
            call::Action::Hold(false) => self.send(Command::Resume { call }),
            call::Action::ToggleKeypad => self.keypad_open = !self.keypad_open,
            call::Action::ToggleTransfer => {
                self.transfer_to = match self.transfer_to {
                    Some(_) => None,
                    None => Some(String::new()),
                };
                self.add_call_to = None;
                self.call_suggestions = Default::default();
                if self.transfer_to.is_some() {
                    task = iced::widget::operation::focus("transfer-to");
                }
            }
            call::Action::TransferTo(to) => {
                self.look_up_contacts(&to);
                self.transfer_to = Some(to);
            }
            call::Action::Transfer => {
                if let Some(to) = self.transfer_to.take().filter(|t| !t.trim().is_empty()) {
                    self.send(Command::Transfer {
                        call,
                        to: Some(to.trim().to_string()),
                        to_call: None,
                    });
                }
            }
            call::Action::Digit(digit) => self.send(Command::Dtmf {
                call,
                digits: digit.to_string(),
            }),
            call::Action::Consult
            | call::Action::CompleteTransfer
            | call::Action::CancelConsult
            | call::Action::ToggleAddCall
            | call::Action::AddCallTo(_)
            | call::Action::Pick(_)
            | call::Action::AddCall => task = self.on_transfer_action(call, action),
            call::Action::Message => {
                let target = chat::Target {
                    to: view.remote.clone(),
                    name: view.name.clone().unwrap_or_default(),
                    account: view.account.clone(),
                };
                task = self.open_chat(target);
            }
            call::Action::Merge
            | call::Action::Split
            | call::Action::MuteParticipant(_)
            | call::Action::EndConference
            | call::Action::Record(_)
            | call::Action::Park => task = self.on_conference_action(call, action),
            call::Action::Output(device) => {
                self.call_outputs.insert(call, device.clone());
                self.send(Command::SetCallDevices {
                    call,
                    input: None,
                    output: Some(device),
                });
            }
        }
        task
    }

    pub(super) fn on_shortcut(&mut self, shortcut: keys::Shortcut) -> Task<Message> {
        use keys::Shortcut;
        match shortcut {
            Shortcut::FocusNext => return iced::widget::operation::focus_next(),
            Shortcut::FocusPrevious => return iced::widget::operation::focus_previous(),
            _ => {}
        }
        if let Shortcut::Place(tab) = shortcut {
            return match self.sign_in {
                Some(_) => Task::none(),
                None => self.update(Message::Tab(tab)),
            };
        }
        if shortcut == Shortcut::NewContact {
            if self.sign_in.is_some() {
                return Task::none();
            }
            let open = self.update(Message::Tab(Tab::Contacts));
            return Task::batch([open, self.update(Message::Contacts(contacts::Msg::New))]);
        }
        if self.sign_in.is_some() || self.tab != Tab::Phone {
            return Task::none();
        }
        let ringing = self.calls.ringing_in().map(|c| c.id).next();
        let focused = self.focused.and_then(|id| self.calls.get(id)).cloned();
        match shortcut {
            Shortcut::Escape => match (ringing, focused) {
                (Some(call), _) => self.on_call_action(call, call::Action::Decline),
                (None, Some(call)) => self.on_call_action(call.id, call::Action::Hangup),
                _ => Task::none(),
            },
            Shortcut::Enter => match (ringing, focused) {
                (Some(call), _) => self.on_call_action(call, call::Action::Answer),
                (None, Some(call)) if call.is_taking_message() => {
                    self.on_call_action(call.id, call::Action::Answer)
                }
                (None, None) => self.update(Message::Dialer(dialer::Msg::Call)),
                _ => Task::none(),
            },
            Shortcut::Digit(digit) => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::Digit(digit))
                }
                Some(_) => Task::none(),
                None => self.update(Message::Dialer(dialer::Msg::Key(digit))),
            },
            Shortcut::Backspace if focused.is_none() => {
                self.update(Message::Dialer(dialer::Msg::Backspace))
            }
            Shortcut::Backspace => Task::none(),
            Shortcut::Mute => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::Mute(!call.muted))
                }
                _ => Task::none(),
            },
            Shortcut::Hold => match focused {
                Some(call) if call.is_live() => self
                    .on_call_action(call.id, call::Action::Hold(call.state != CallState::OnHold)),
                _ => Task::none(),
            },
            Shortcut::Swap => {
                let held = self
                    .calls
                    .iter()
                    .filter(|c| Some(c.id) != focused.as_ref().map(|f| f.id))
                    .find(|c| c.state == CallState::OnHold)
                    .map(|c| c.id);
                match held {
                    Some(other) => self.on_call_action(other, call::Action::Swap),
                    None => Task::none(),
                }
            }
            Shortcut::Transfer => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::ToggleTransfer)
                }
                _ => Task::none(),
            },
            Shortcut::Consult => match focused {
                Some(call) if self.consult.is_some_and(|c| c.involves(call.id)) => {
                    self.on_call_action(call.id, call::Action::CompleteTransfer)
                }
                Some(call) if call.is_live() => match self.transfer_to.as_deref() {
                    None => self.on_call_action(call.id, call::Action::ToggleTransfer),
                    Some(to) if !to.trim().is_empty() => {
                        self.on_call_action(call.id, call::Action::Consult)
                    }
                    Some(_) => Task::none(),
                },
                _ => Task::none(),
            },
            Shortcut::AddCall => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::ToggleAddCall)
                }
                _ => Task::none(),
            },
            Shortcut::Keypad => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::ToggleKeypad)
                }
                _ => Task::none(),
            },
            Shortcut::Voicemail => {
                if focused.is_none() {
                    self.call_voicemail();
                }
                Task::none()
            }
            Shortcut::Place(_)
            | Shortcut::NewContact
            | Shortcut::FocusNext
            | Shortcut::FocusPrevious => Task::none(),
        }
    }

    pub(super) fn dial(&mut self, account: Option<AccountId>, to: String) {
        let account = account.or_else(|| self.default_line());
        self.tab = Tab::Phone;
        self.send(Command::Dial {
            account,
            to,
            identity: None,
            anonymous: false,
        });
    }
}
