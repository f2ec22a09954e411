//! The Chat tab's drawing: the conversations, the thread of the one opened with its compose
//! field, and the new message field with the contacts that match.

use super::{short_time, Chat, Msg, NewMessage, Thread, COMPOSE_ID, TO_ID};
use crate::app::calls::display_number;
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, avatar, empty_state, icon_button, round, tip, Glyph, Press};
use chrono::NaiveDateTime;
use iced::widget::{button, column, container, row, scrollable, text, text_input, tooltip};
use iced::{Alignment, Element, Length};
use parla_core::store::{ConversationEntry, MessageDirection, MessageEntry, MessageState};

/// The widest a bubble grows: room stays on the other side, so who said it shows.
const BUBBLE_WIDTH: f32 = 300.0;

impl Chat {
    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let now = crate::when::local(std::time::SystemTime::now());
        let body = if let Some(thread) = &self.thread {
            thread_view(thread, now, i18n)
        } else if let Some(field) = &self.new_message {
            new_message_view(field, i18n)
        } else {
            self.list(now, i18n)
        };
        let mut content = column![].spacing(space::S).padding(space::M);
        if let Some(error) = &self.error {
            content = content.push(text(error.clone()).size(size::CAPTION).style(text::danger));
        }
        content.push(body).into()
    }

    fn list<'a>(&'a self, now: NaiveDateTime, i18n: &I18n) -> Element<'a, Msg> {
        let new =
            || action(Glyph::NewMessage, i18n.tr("chat-new"), Tone::Accent).press(Msg::NewMessage);
        if self.conversations.is_empty() {
            if !self.loaded {
                return column![].into();
            }
            return empty_state(
                Glyph::Chat,
                i18n.tr("chat-empty-title"),
                i18n.tr("chat-empty-hint"),
                vec![new()],
            );
        }
        let unread: Element<'a, Msg> = if self.unread > 0 {
            text(i18n.tr_count("chat-unread", self.unread))
                .size(size::CAPTION)
                .style(text::secondary)
                .into()
        } else {
            iced::widget::space().into()
        };
        let top = row![container(unread).width(Length::Fill), new()]
            .spacing(space::S)
            .align_y(Alignment::Center);
        let list = column(
            self.conversations
                .iter()
                .map(|c| conversation_row(c, now, i18n)),
        )
        .spacing(2);
        column![
            top,
            scrollable(list).height(Length::Fill).spacing(space::XS)
        ]
        .spacing(space::M)
        .into()
    }
}

/// The name a conversation goes by: the contact's (or the one the peer sent), else the
/// address.
pub fn conversation_name(entry: &ConversationEntry) -> String {
    if entry.name.trim().is_empty() {
        display_number(&entry.peer)
    } else {
        entry.name.clone()
    }
}

/// One conversation: who, the last message on one line (ours after "You:"), when, and how
/// many are unread.
fn conversation_row<'a>(
    entry: &'a ConversationEntry,
    now: NaiveDateTime,
    i18n: &I18n,
) -> Element<'a, Msg> {
    let name = conversation_name(entry);
    let last = one_line(&entry.last_text);
    let last = match entry.last_direction {
        MessageDirection::Outgoing => i18n.tr_args("chat-you", &[("text", &last)]),
        MessageDirection::Incoming => last,
    };
    let unread = entry.unread > 0;
    let last = text(last)
        .size(size::CAPTION)
        .wrapping(text::Wrapping::None)
        .width(Length::Fill);
    // Unread: the text in full ink, not the grey of what has been read.
    let last = if unread {
        last
    } else {
        last.style(text::secondary)
    };
    let mut under = row![last].spacing(space::S).align_y(Alignment::Center);
    if unread {
        let count = u32::try_from(entry.unread).unwrap_or(u32::MAX);
        under = under.push(
            container(text(crate::widget::action::badge_text(count)).size(size::CAPTION))
                .padding([1.0, 6.0])
                .style(style::unread_count),
        );
    }
    let top = row![
        text(name.clone())
            .size(size::BODY)
            .wrapping(text::Wrapping::None)
            .width(Length::Fill),
        text(short_time(entry.last_ms, now, i18n))
            .size(size::CAPTION)
            .style(text::secondary)
            .wrapping(text::Wrapping::None),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    button(
        row![
            avatar(&name, 40.0),
            column![top, under]
                .spacing(2)
                .width(Length::Fill)
                .clip(true),
        ]
        .spacing(space::M)
        .align_y(Alignment::Center),
    )
    .width(Length::Fill)
    .padding([space::S, space::S])
    .style(style::list_row)
    .press(Msg::Open(entry.peer.clone()))
}

/// The thread: who at the top (back, call), the messages oldest first (the newest in view),
/// the compose field at the bottom.
fn thread_view<'a>(thread: &'a Thread, now: NaiveDateTime, i18n: &I18n) -> Element<'a, Msg> {
    let title = thread.title();
    let address = display_number(thread.peer.as_deref().unwrap_or(&thread.to));
    let mut who = column![text(title.clone())
        .size(size::BODY)
        .wrapping(text::Wrapping::None)]
    .spacing(2)
    .width(Length::Fill)
    .clip(true);
    if address != title {
        who = who.push(
            text(address)
                .size(size::CAPTION)
                .style(text::secondary)
                .wrapping(text::Wrapping::None),
        );
    }
    let header = row![
        icon_button(Glyph::Back, i18n.tr("back"), Tone::Quiet, Some(Msg::Back)),
        avatar(&title, 36.0),
        who,
        icon_button(
            Glyph::Call,
            i18n.tr("dialer-call"),
            Tone::Answer,
            Some(Msg::Call)
        ),
        icon_button(
            Glyph::Delete,
            i18n.tr("chat-delete"),
            Tone::HangUp,
            thread.peer.is_some().then_some(Msg::AskDelete)
        ),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);
    let header: Element<'a, Msg> = if thread.confirm_delete {
        let confirm = row![
            text(i18n.tr_args("chat-delete-ask", &[("name", &title)]))
                .size(size::CAPTION)
                .style(text::secondary)
                .width(Length::Fill),
            action(Glyph::Delete, i18n.tr("chat-delete-confirm"), Tone::HangUp)
                .press(Msg::ConfirmDelete),
            action(Glyph::Close, i18n.tr("cancel"), Tone::Quiet).press(Msg::CancelDelete),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center);
        column![header, confirm].spacing(space::S).into()
    } else {
        header.into()
    };

    let messages: Element<'a, Msg> = if thread.messages.is_empty() {
        if thread.loaded {
            empty_state(
                Glyph::Chat,
                i18n.tr("chat-thread-empty-title"),
                i18n.tr_args("chat-thread-empty-hint", &[("name", &title)]),
                Vec::new(),
            )
        } else {
            iced::widget::space().into()
        }
    } else {
        scrollable(
            column(thread.messages.iter().map(|m| bubble(m, now, i18n)))
                .spacing(space::M)
                .padding([space::S, 0.0]),
        )
        .anchor_bottom()
        .spacing(space::XS)
        .height(Length::Fill)
        .into()
    };

    let ready = !thread.draft.trim().is_empty();
    let compose = row![
        text_input(&i18n.tr("chat-compose"), &thread.draft)
            .id(COMPOSE_ID)
            .on_input(Msg::Draft)
            .on_submit(Msg::Send)
            .size(size::BODY)
            .padding(space::S),
        tip(
            round(Glyph::Send, Tone::Accent, 36.0).press_maybe(ready.then_some(Msg::Send)),
            i18n.tr("chat-send"),
            tooltip::Position::Top,
        ),
    ]
    .spacing(space::S)
    .align_y(Alignment::Center);

    column![header, container(messages).height(Length::Fill), compose]
        .spacing(space::S)
        .into()
}

/// One message: ours on the right in the accent with how it stands (sending, sent, not sent
/// with why and Retry), theirs on the left; the time under it.
fn bubble<'a>(message: &'a MessageEntry, now: NaiveDateTime, i18n: &I18n) -> Element<'a, Msg> {
    let ours = message.direction == MessageDirection::Outgoing;
    let body = container(text(message.text.as_str()).size(size::BODY))
        .padding([space::S, space::M])
        .max_width(BUBBLE_WIDTH)
        .style(if ours {
            style::bubble_ours
        } else {
            style::bubble_theirs
        });
    let time = short_time(message.time_ms, now, i18n);
    let caption = |s: String| text(s).size(size::CAPTION).style(text::secondary);
    let under: Element<'a, Msg> = match (ours, message.state) {
        (false, _) | (true, MessageState::Received) => caption(time).into(),
        (true, MessageState::Sending) => {
            caption(format!("{time} · {}", i18n.tr("chat-sending"))).into()
        }
        (true, MessageState::Sent) => caption(format!("{time} · {}", i18n.tr("chat-sent"))).into(),
        (true, MessageState::Failed) => {
            let why = failure(message);
            let said = match why {
                Some(why) => i18n.tr_args("chat-failed-why", &[("reason", &why)]),
                None => i18n.tr("chat-failed"),
            };
            column![
                text(format!("{time} · {said}"))
                    .size(size::CAPTION)
                    .style(text::danger)
                    .align_x(iced::alignment::Horizontal::Right),
                action(Glyph::Retry, i18n.tr("chat-retry"), Tone::Neutral)
                    .press(Msg::Retry(message.id)),
            ]
            .spacing(space::XS)
            .align_x(Alignment::End)
            .max_width(BUBBLE_WIDTH)
            .into()
        }
    };
    column![body, under]
        .spacing(space::XS)
        .width(Length::Fill)
        .align_x(if ours {
            Alignment::End
        } else {
            Alignment::Start
        })
        .into()
}

/// Why a send failed, as the response said it: "404 Not Found", "Request Timeout".
fn failure(message: &MessageEntry) -> Option<String> {
    let reason = message
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    match (message.code, reason) {
        (Some(code), Some(reason)) => Some(format!("{code} {reason}")),
        (Some(code), None) => Some(code.to_string()),
        (None, Some(reason)) => Some(reason.to_string()),
        (None, None) => None,
    }
}

/// The new message field: a number or an address, Enter (or Write) opens the thread; the
/// contacts whose name matches are offered under it.
fn new_message_view<'a>(field: &'a NewMessage, i18n: &I18n) -> Element<'a, Msg> {
    let ready = !field.to.trim().is_empty();
    let mut content = column![
        row![
            icon_button(Glyph::Back, i18n.tr("back"), Tone::Quiet, Some(Msg::Back)),
            text(i18n.tr("chat-new"))
                .size(size::TITLE)
                .width(Length::Fill),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center),
        row![
            text_input(&i18n.tr("chat-to"), &field.to)
                .id(TO_ID)
                .on_input(Msg::To)
                .on_submit_maybe(ready.then_some(Msg::Start))
                .size(size::BODY)
                .padding(space::S),
            action(Glyph::Chat, i18n.tr("chat-write"), Tone::Accent)
                .press_maybe(ready.then_some(Msg::Start)),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center),
    ]
    .spacing(space::M);
    if !field.found.is_empty() {
        let rows = field.found.iter().map(|s| {
            button(
                row![
                    avatar(&s.name, 24.0),
                    text(s.name.clone()).size(size::BODY).width(Length::Fill),
                    text(s.address.clone())
                        .size(size::CAPTION)
                        .style(text::secondary),
                ]
                .spacing(space::S)
                .align_y(Alignment::Center),
            )
            .width(Length::Fill)
            .padding([space::XS, space::S])
            .style(style::list_row)
            .press(Msg::Pick(s.clone()))
        });
        content = content.push(
            container(column(rows).spacing(2))
                .padding(space::XS)
                .width(Length::Fill)
                .style(style::card),
        );
    }
    content.into()
}

/// A message's text on one line (a list row's preview).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use parla_core::store::MessageId;

    #[test]
    fn a_preview_is_one_line() {
        assert_eq!(one_line(" hello\n\nthere  you "), "hello there you");
    }

    #[test]
    fn a_failure_says_the_response() {
        let mut m = MessageEntry {
            id: MessageId(1),
            account: "work".into(),
            peer: "sip:bob@example.com".into(),
            direction: MessageDirection::Outgoing,
            text: "hi".into(),
            time_ms: 0,
            state: MessageState::Failed,
            code: Some(404),
            reason: Some("Not Found".into()),
            read: true,
        };
        assert_eq!(failure(&m).as_deref(), Some("404 Not Found"));
        m.reason = Some(" ".into());
        assert_eq!(failure(&m).as_deref(), Some("404"));
        m.code = None;
        assert_eq!(failure(&m), None);
    }
}
