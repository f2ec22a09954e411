//! Desktop notifications (org.freedesktop.Notifications through `notify-rust`): an incoming
//! call with Answer and Decline buttons, a plain "missed call" and "new voicemail", and a text
//! message with Reply (message.rs).
//!
//! [`channel`] gives a [`Notifier`] (kept by the app, cheap to clone) and the [`NotifyActions`]
//! stream on which the person's choices arrive as [`NotifyAction`]s. Each incoming-call
//! notification gets its own short-lived thread that waits for the daemon's signals, so
//! nothing blocks the GUI or an async worker, and nothing runs while nobody is calling.

mod message;
#[cfg(test)]
mod tests;

pub use message::MessageResponse;

use std::pin::Pin;
use std::sync::mpsc as std_mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use notify_rust::{Hint, Notification, NotificationResponse, Timeout, Urgency};
use parla_core::CallId;
use tokio::sync::{mpsc, oneshot};

/// How long showing a notification may take before the caller gets [`NotifyError::Timeout`].
const SHOW_TIMEOUT: Duration = Duration::from_secs(3);
/// Caller names and numbers come from the network: longer ones are cut to this many characters.
const MAX_FIELD_CHARS: usize = 80;
/// The desktop entry (assets/parla.desktop) the daemon may take the icon and app name from.
const DESKTOP_ENTRY: &str = "parla";

const ACTION_ANSWER: &str = "answer";
const ACTION_DECLINE: &str = "decline";
/// The spec's name for a click on the notification itself.
const ACTION_DEFAULT: &str = "default";

/// The notifications' texts, already translated by the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyLabels {
    /// Sent as the application name.
    pub app_name: String,
    /// Heading of the incoming-call notification.
    pub incoming_call: String,
    /// Heading of the missed-call notification.
    pub missed_call: String,
    pub answer: String,
    pub decline: String,
    /// The action behind a click on the notification itself (some daemons show it).
    pub open: String,
    /// A text message's button: open the conversation to answer it.
    pub reply: String,
}

impl Default for NotifyLabels {
    /// English, for tests and as a fallback.
    fn default() -> Self {
        NotifyLabels {
            app_name: "Parla".into(),
            incoming_call: "Incoming call".into(),
            missed_call: "Missed call".into(),
            answer: "Answer".into(),
            decline: "Decline".into(),
            open: "Open Parla".into(),
            reply: "Reply".into(),
        }
    }
}

/// What the person did with an incoming-call notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallResponse {
    Answer,
    Decline,
    /// Clicked the notification itself: bring up the app (the call still rings).
    Opened,
    /// Closed it without choosing (the call still rings).
    Dismissed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyAction {
    pub call: CallId,
    pub action: CallResponse,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// No session bus, no notification service on it, or the service refused it.
    #[error("cannot show a desktop notification: {0}")]
    Unavailable(String),
    #[error("the notification service did not answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot start the notification thread: {0}")]
    Thread(String),
}

/// A new [`Notifier`] and the stream its notifications' answers arrive on.
pub fn channel() -> (Notifier, NotifyActions) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Notifier { actions: tx }, NotifyActions(rx))
}

/// Shows notifications; their answers go to the [`NotifyActions`] made with it.
#[derive(Debug, Clone)]
pub struct Notifier {
    actions: mpsc::UnboundedSender<NotifyAction>,
}

impl Notifier {
    /// Shows "incoming call" with Answer and Decline until the person picks one, closes it, or
    /// the app calls [`IncomingNotification::close`] (answered elsewhere, caller gave up).
    /// Blocks until the daemon has taken it: a few milliseconds, at most 3 s.
    pub fn incoming_call(
        &self,
        call: CallId,
        caller_name: Option<&str>,
        number: &str,
        labels: &NotifyLabels,
    ) -> Result<IncomingNotification, NotifyError> {
        let notification = incoming_call_notification(caller_name, number, labels);
        let (close_tx, close_rx) = oneshot::channel();
        let actions = self.actions.clone();
        let id = on_own_thread(move |shown| async move {
            wait_for_response(notification, call, actions, shown, close_rx).await;
        })?;
        Ok(IncomingNotification {
            call,
            id,
            close: Some(close_tx),
        })
    }

    /// Shows "missed call" (no buttons; the daemon decides when it goes away).
    pub fn missed_call(
        &self,
        caller_name: Option<&str>,
        number: &str,
        labels: &NotifyLabels,
    ) -> Result<(), NotifyError> {
        let notification = missed_call_notification(caller_name, number, labels);
        on_own_thread(move |shown| async move {
            let result = notification.show_async().await;
            let _ = shown.send(result.map(|handle| handle.id()).map_err(|e| show_error(&e)));
        })?;
        Ok(())
    }

    /// Shows "2 new voicemail messages" with the line's name (no buttons).
    pub fn voicemail(
        &self,
        summary: &str,
        line: &str,
        labels: &NotifyLabels,
    ) -> Result<(), NotifyError> {
        let notification = voicemail_notification(summary, line, labels);
        on_own_thread(move |shown| async move {
            let result = notification.show_async().await;
            let _ = shown.send(result.map(|handle| handle.id()).map_err(|e| show_error(&e)));
        })?;
        Ok(())
    }
}

/// An incoming-call notification on screen. Closing or dropping it takes it off the screen.
#[derive(Debug)]
pub struct IncomingNotification {
    call: CallId,
    /// The daemon's id for it.
    id: u32,
    close: Option<oneshot::Sender<()>>,
}

impl IncomingNotification {
    /// Takes it off the screen, e.g. when the call was answered in the window or ended.
    pub fn close(mut self) {
        self.send_close();
    }

    fn send_close(&mut self) {
        // Err: its thread has already finished (the person answered): nothing to close.
        if let Some(Ok(())) = self.close.take().map(|close| close.send(())) {
            tracing::debug!(call = %self.call, id = self.id, "closing the incoming-call notification");
        }
    }
}

impl Drop for IncomingNotification {
    fn drop(&mut self) {
        self.send_close();
    }
}

/// The answers to incoming-call notifications, in order.
#[derive(Debug)]
pub struct NotifyActions(mpsc::UnboundedReceiver<NotifyAction>);

impl Stream for NotifyActions {
    type Item = NotifyAction;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<NotifyAction>> {
        self.0.poll_recv(cx)
    }
}

type Shown = std_mpsc::SyncSender<Result<u32, NotifyError>>;

/// Runs `task` on a new thread with its own small tokio runtime and waits (bounded) for it to
/// report the notification's id through the `Shown` sender it is given.
fn on_own_thread<F, Fut>(task: F) -> Result<u32, NotifyError>
where
    F: FnOnce(Shown) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (shown_tx, shown_rx) = std_mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("parla-notify".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = shown_tx.send(Err(NotifyError::Thread(e.to_string())));
                    return;
                }
            };
            runtime.block_on(task(shown_tx));
        })
        .map_err(|e| NotifyError::Thread(e.to_string()))?;
    match shown_rx.recv_timeout(SHOW_TIMEOUT) {
        Ok(result) => result,
        Err(std_mpsc::RecvTimeoutError::Timeout) => Err(NotifyError::Timeout(SHOW_TIMEOUT)),
        Err(std_mpsc::RecvTimeoutError::Disconnected) => Err(NotifyError::Thread(
            "the notification thread ended early".into(),
        )),
    }
}

/// Shows `notification` and reports what the person did with it, or closes it when asked.
///
/// notify-rust listens for the daemon's answer on the connection that sent the notification
/// (dunst, for one, sends its signals to that connection only), from just after the daemon
/// has taken it: a click within that instant would go unnoticed, which no person can manage.
async fn wait_for_response(
    notification: Notification,
    call: CallId,
    actions: mpsc::UnboundedSender<NotifyAction>,
    shown: Shown,
    close: oneshot::Receiver<()>,
) {
    let handle = match notification.show_async().await {
        Ok(handle) => handle,
        Err(e) => {
            let _ = shown.send(Err(show_error(&e)));
            return;
        }
    };
    if shown.send(Ok(handle.id())).is_err() {
        // The caller gave up waiting (timeout) and knows nothing of this one: take it away.
        handle.close_async().await;
        return;
    }
    let mut response = None;
    tokio::select! {
        () = handle.wait_for_action_async(|r| response = response_of(r)) => {}
        // Sent by close() or by dropping the IncomingNotification.
        _ = close => handle.close_async().await,
    }
    if let Some(action) = response {
        let _ = actions.send(NotifyAction { call, action });
    }
}

/// notify-rust keeps the error's kind private: its text (zbus's or the daemon's) is the detail.
fn show_error(error: &notify_rust::error::Error) -> NotifyError {
    NotifyError::Unavailable(error.to_string())
}

/// What the daemon's answer means for the call; `None` for what we did not offer.
pub(crate) fn response_of(response: &NotificationResponse) -> Option<CallResponse> {
    match response {
        NotificationResponse::Default => Some(CallResponse::Opened),
        NotificationResponse::Action(key) => response_to_action(key),
        NotificationResponse::Closed(_) => Some(CallResponse::Dismissed),
        NotificationResponse::Reply(_) => None,
    }
}

/// Maps the daemon's action key to what the app does; keys we did not offer are ignored.
fn response_to_action(key: &str) -> Option<CallResponse> {
    match key {
        ACTION_ANSWER => Some(CallResponse::Answer),
        ACTION_DECLINE => Some(CallResponse::Decline),
        ACTION_DEFAULT => Some(CallResponse::Opened),
        _ => None,
    }
}

/// What both call notifications share: who, from which app, for which desktop entry.
fn call_notification(
    summary: &str,
    icon: &str,
    category: &str,
    caller_name: Option<&str>,
    number: &str,
    labels: &NotifyLabels,
) -> Notification {
    let mut notification = Notification::new();
    notification
        .appname(&labels.app_name)
        .summary(summary)
        .body(&caller_body(caller_name, number))
        .icon(icon)
        .hint(Hint::Category(category.into()))
        .hint(Hint::DesktopEntry(DESKTOP_ENTRY.into()));
    notification
}

fn incoming_call_notification(
    caller_name: Option<&str>,
    number: &str,
    labels: &NotifyLabels,
) -> Notification {
    let mut notification = call_notification(
        &labels.incoming_call,
        "call-start",
        "call.incoming",
        caller_name,
        number,
        labels,
    );
    notification
        .urgency(Urgency::Critical)
        .timeout(Timeout::Never)
        .action(ACTION_DEFAULT, &labels.open)
        .action(ACTION_ANSWER, &labels.answer)
        .action(ACTION_DECLINE, &labels.decline);
    notification
}

fn missed_call_notification(
    caller_name: Option<&str>,
    number: &str,
    labels: &NotifyLabels,
) -> Notification {
    let mut notification = call_notification(
        &labels.missed_call,
        "call-missed",
        "call.unanswered",
        caller_name,
        number,
        labels,
    );
    notification.urgency(Urgency::Normal);
    notification
}

fn voicemail_notification(summary: &str, line: &str, labels: &NotifyLabels) -> Notification {
    let mut notification = Notification::new();
    notification
        .appname(&labels.app_name)
        .summary(summary)
        .body(&escape_markup(&truncate(line.trim())))
        .icon("mail-unread")
        .hint(Hint::DesktopEntry(DESKTOP_ENTRY.into()))
        .urgency(Urgency::Normal);
    notification
}

/// "Name\nnumber" (or just the number), cut to a sane length and escaped: daemons read the
/// body as markup, and the name comes from whoever is calling.
pub(crate) fn caller_body(caller_name: Option<&str>, number: &str) -> String {
    let number = escape_markup(&truncate(number.trim()));
    match caller_name.map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) => {
            let name = escape_markup(&truncate(name));
            if name == number {
                number
            } else {
                format!("{name}\n{number}")
            }
        }
        None => number,
    }
}

fn truncate(text: &str) -> String {
    let mut chars = text.chars();
    let mut cut: String = chars.by_ref().take(MAX_FIELD_CHARS).collect();
    if chars.next().is_some() {
        cut.push('…');
    }
    // a newline in a caller name would fake a second line: keep it on one
    cut.replace(['\n', '\r'], " ")
}

fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
