//! The Chat tab's line to the engine: the conversations asked for when the database is ready and
//! again when messages come, change state or are read; the thread opened from the list, the
//! contact card, the call screen or a notification; the unread count for the tab's badge and
//! the tray; a desktop notification (with Reply) for a message that comes in while its
//! conversation is not in front of the person.

use super::{calls, desktop_glue, App, Message, Tab};
use crate::desktop::notify::MessageResponse;
use crate::screen::chat::{self, Outcome, Target};
use iced::{window, Task};
use parla_core::api::DatabaseState;
use parla_core::Event;

impl App {
    pub(super) fn on_chat_msg(&mut self, msg: chat::Msg) -> Task<Message> {
        let requests = &mut self.requests;
        match self.chat.update(msg, &mut || requests.next()) {
            Outcome::None => Task::none(),
            Outcome::Send(commands) => {
                self.send_all(commands);
                Task::none()
            }
            Outcome::Opened(commands) => {
                self.send_all(commands);
                iced::widget::operation::focus(chat::COMPOSE_ID)
            }
            Outcome::Composing => iced::widget::operation::focus(chat::TO_ID),
            Outcome::Dial { account, to } => {
                self.dial(account, to);
                Task::none()
            }
        }
    }

    /// The Chat tab is in front of the person: shown, in the focused main window.
    fn reading_chat(&self) -> bool {
        self.tab == Tab::Chat && self.main_visible && self.main_focused && self.sign_in.is_none()
    }

    /// Keeps the tab in step with the engine; a message that came in is told of in a
    /// notification unless its conversation is being read.
    pub(super) fn on_chat_event(&mut self, event: &Event) -> Task<Message> {
        let reading = self.reading_chat();
        let requests = &mut self.requests;
        let mut next = || requests.next();
        let commands = match event {
            Event::Database {
                state: DatabaseState::Ready,
                unread_messages,
                ..
            } => {
                self.chat.unread = *unread_messages;
                self.chat.refresh(&mut next)
            }
            _ => self.chat.on_event(event, &self.i18n, reading, &mut next),
        };
        self.send_all(commands);
        match event {
            Event::Message {
                from, name, text, ..
            } if !(reading && self.chat.is_open(from)) => {
                self.notify_message(from, name.as_deref(), text)
            }
            _ => Task::none(),
        }
    }

    /// "NAME" over the message's text, with Reply.
    fn notify_message(&mut self, from: &str, name: Option<&str>, text: &str) -> Task<Message> {
        let sender = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => name.to_string(),
            None => match self.chat.conversations.iter().find(|c| c.peer == from) {
                Some(known) => chat::conversation_name(known),
                None => calls::display_number(from),
            },
        };
        self.chat_notice = Some((from.to_string(), sender.clone()));
        self.notifications.message(
            &self.notifier,
            from.to_string(),
            sender,
            text.to_string(),
            desktop_glue::notify_labels(&self.i18n),
        )
    }

    /// Reply (or a click) on a message's notification: the window comes up on its
    /// conversation, ready to type.
    pub(super) fn on_chat_notification(
        &mut self,
        peer: String,
        response: Option<MessageResponse>,
    ) -> Task<Message> {
        match response {
            Some(MessageResponse::Reply | MessageResponse::Opened) => {
                let open = self.open_chat(Target {
                    to: peer,
                    ..Target::default()
                });
                Task::batch([self.show_main(), open])
            }
            Some(MessageResponse::Dismissed) | None => Task::none(),
        }
    }

    /// The Chat tab on the conversation with `target` (the contact card's Message, the call
    /// screen's, a notification's Reply): its messages asked for and marked read, the
    /// compose field ready.
    pub(super) fn open_chat(&mut self, target: Target) -> Task<Message> {
        if self.sign_in.is_some() {
            return Task::none();
        }
        self.tab = Tab::Chat;
        let requests = &mut self.requests;
        let mut next = || requests.next();
        let mut commands = self.chat.open(target, &mut next);
        commands.extend(self.chat.seen(&mut next));
        commands.push(self.chat.ask_list(&mut next));
        self.send_all(commands);
        iced::widget::operation::focus(chat::COMPOSE_ID)
    }

    /// The main window took or lost the keyboard: coming back to an open conversation with
    /// unread messages reads them.
    pub(super) fn on_window_focus(&mut self, id: window::Id, focused: bool) {
        if Some(id) != self.main_window {
            return;
        }
        self.main_focused = focused;
        if self.reading_chat() && self.chat.open_unread() > 0 {
            let requests = &mut self.requests;
            let commands = self.chat.seen(&mut || requests.next());
            self.send_all(commands);
        }
    }

    /// Text messages not read yet, for the Chat tab's badge and the tray.
    pub(super) fn unread_messages(&self) -> u32 {
        u32::try_from(self.chat.unread).unwrap_or(u32::MAX)
    }
}
