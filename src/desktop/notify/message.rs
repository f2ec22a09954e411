//! The notification of a text message that came in: who (the summary), the text cut short (the
//! body) and a Reply button. The person's answer comes back on a one-shot channel of its own,
//! so the app can open the conversation it was about.

use super::{
    escape_markup, on_own_thread, show_error, NotifyError, NotifyLabels, Shown, DESKTOP_ENTRY,
};
use notify_rust::{Hint, Notification, NotificationResponse, Urgency};
use tokio::sync::oneshot;

const ACTION_REPLY: &str = "reply";
/// A message's text is cut to this many characters in its notification.
pub(crate) const MAX_TEXT_CHARS: usize = 160;

/// What the person did with a message's notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageResponse {
    /// Reply: the window opens on the conversation.
    Reply,
    /// Clicked the notification itself: the same.
    Opened,
    /// Closed it, or it expired.
    Dismissed,
}

impl super::Notifier {
    /// Shows "NAME: text" with a Reply button (the daemon decides when it goes away). The
    /// receiver gets what the person did with it, once.
    pub fn message(
        &self,
        sender: &str,
        text: &str,
        labels: &NotifyLabels,
    ) -> Result<oneshot::Receiver<MessageResponse>, NotifyError> {
        let notification = message_notification(sender, text, labels);
        let (answer_tx, answer_rx) = oneshot::channel();
        on_own_thread(move |shown| async move {
            wait_for_reply(notification, shown, answer_tx).await;
        })?;
        Ok(answer_rx)
    }
}

async fn wait_for_reply(
    notification: Notification,
    shown: Shown,
    answer: oneshot::Sender<MessageResponse>,
) {
    let handle = match notification.show_async().await {
        Ok(handle) => handle,
        Err(e) => {
            let _ = shown.send(Err(show_error(&e)));
            return;
        }
    };
    if shown.send(Ok(handle.id())).is_err() {
        handle.close_async().await;
        return;
    }
    let mut response = None;
    handle
        .wait_for_action_async(|r| response = message_response_of(r))
        .await;
    let _ = answer.send(response.unwrap_or(MessageResponse::Dismissed));
}

/// What the daemon's answer means; `None` for what we did not offer.
pub(crate) fn message_response_of(response: &NotificationResponse) -> Option<MessageResponse> {
    match response {
        NotificationResponse::Default => Some(MessageResponse::Opened),
        NotificationResponse::Action(key) if key == ACTION_REPLY => Some(MessageResponse::Reply),
        NotificationResponse::Action(key) if key == super::ACTION_DEFAULT => {
            Some(MessageResponse::Opened)
        }
        NotificationResponse::Action(_) => None,
        NotificationResponse::Closed(_) => Some(MessageResponse::Dismissed),
        // An inline reply (a daemon's own text field) is not offered: Reply opens the window.
        NotificationResponse::Reply(_) => Some(MessageResponse::Reply),
    }
}

fn message_notification(sender: &str, text: &str, labels: &NotifyLabels) -> Notification {
    let mut notification = Notification::new();
    notification
        .appname(&labels.app_name)
        .summary(&shorten(sender.trim(), super::MAX_FIELD_CHARS))
        .body(&escape_markup(&shorten(text.trim(), MAX_TEXT_CHARS)))
        .icon("mail-message-new")
        .hint(Hint::Category("im.received".into()))
        .hint(Hint::DesktopEntry(DESKTOP_ENTRY.into()))
        .urgency(Urgency::Normal)
        .action(super::ACTION_DEFAULT, &labels.open)
        .action(ACTION_REPLY, &labels.reply);
    notification
}

/// `text` on one line, cut to `max` characters with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let mut cut: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_to_one_line() {
        assert_eq!(shorten(" hi\nthere ", 160), "hi there");
        let long = "a".repeat(500);
        let cut = shorten(&long, MAX_TEXT_CHARS);
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn answers_map_to_responses() {
        use notify_rust::CloseReason;
        let action = |key: &str| message_response_of(&NotificationResponse::Action(key.into()));
        assert_eq!(action("reply"), Some(MessageResponse::Reply));
        assert_eq!(action("default"), Some(MessageResponse::Opened));
        assert_eq!(action("answer"), None);
        assert_eq!(
            message_response_of(&NotificationResponse::Closed(CloseReason::Dismissed)),
            Some(MessageResponse::Dismissed)
        );
    }
}
