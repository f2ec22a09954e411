//! The tray icon: a StatusNotifierItem on the session D-Bus (through `ksni`, no GTK) with the
//! state of the lines, do-not-disturb, forwarding, missed calls and new voicemail, and a menu (show/hide, do not disturb,
//! quit). Left click shows or hides the window.
//!
//! The app drives it with [`start`] (inside the tokio runtime, e.g. from an iced
//! `Subscription::run`), then [`TrayHandle::update`] whenever something shown changes, and
//! reads the person's clicks and the icon appearing or going from [`TrayNotices`]. The icon
//! outlives the panel: it is registered whenever a panel (a StatusNotifierWatcher with a host)
//! is there, however late it starts or often it restarts. Nothing here wakes up unless D-Bus
//! traffic or an update arrives. Dropping every [`TrayHandle`] removes the icon and ends the
//! notices.

mod icon;
mod item;
mod keeper;
mod panel;
#[cfg(test)]
mod tests;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

/// How long connecting to the bus, or registering with the panel, may take before it gives up.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// The registration state of the configured lines, as the tray shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinesStatus {
    AllRegistered,
    SomeDown,
    #[default]
    NoneRegistered,
    NoLines,
}

/// The tray's texts, already translated by the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayLabels {
    /// The item's title and the tooltip's heading: the app's name.
    pub title: String,
    pub all_registered: String,
    pub some_down: String,
    pub none_registered: String,
    pub no_lines: String,
    /// Tooltip line while do-not-disturb is on.
    pub dnd_on: String,
    /// Tooltip line while there are missed calls, with the count in it ("3 missed calls").
    pub missed_calls: String,
    /// Tooltip line while the lines' mailboxes hold new messages ("2 new voicemail messages").
    pub new_voicemail: String,
    /// Tooltip line while text messages are unread ("3 unread messages").
    pub unread_messages: String,
    /// Tooltip lines while calls are forwarded ("Calls forwarded to 0612 345 678").
    pub forwarding: String,
    pub show_window: String,
    pub hide_window: String,
    /// The menu's checkbox.
    pub do_not_disturb: String,
    pub quit: String,
}

impl Default for TrayLabels {
    /// English, for tests and as a fallback.
    fn default() -> Self {
        TrayLabels {
            title: "Parla".into(),
            all_registered: "Connected".into(),
            some_down: "Some lines are not connected".into(),
            none_registered: "Not connected".into(),
            no_lines: "No lines set up".into(),
            dnd_on: "Do not disturb is on".into(),
            missed_calls: String::new(),
            new_voicemail: String::new(),
            unread_messages: String::new(),
            forwarding: String::new(),
            show_window: "Show Parla".into(),
            hide_window: "Hide Parla".into(),
            do_not_disturb: "Do not disturb".into(),
            quit: "Quit".into(),
        }
    }
}

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrayStatus {
    pub lines: LinesStatus,
    pub dnd: bool,
    /// Calls missed since the person last looked; above 0 the icon gets a dot and the item
    /// asks for attention.
    pub missed_calls: u32,
    /// New voicemail messages on all lines; shown like missed calls (the dot, attention).
    pub new_voicemail: u32,
    /// Text messages not read yet; shown like missed calls too.
    pub unread_messages: u32,
    /// Picks "Hide" or "Show" for the menu's first entry.
    pub window_visible: bool,
    /// Calls are forwarded on some line: the icon gets an arrow in its corner (a forgotten
    /// forward loses calls).
    pub forwarding: bool,
    pub labels: TrayLabels,
}

/// What the person asked for through the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    /// Left click on the icon or the menu's Show/Hide entry.
    ToggleWindow,
    /// The Do not disturb checkbox: the new value.
    SetDnd(bool),
    Quit,
}

/// What the tray tells the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayNotice {
    /// The icon is on a panel now (`true`), or there is no panel to show it (`false`). Sent
    /// first once the state at start is known, then on every change.
    Shown(bool),
    Action(TrayAction),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrayError {
    #[error("no session D-Bus to put the tray icon on: {0}")]
    NoSessionBus(String),
    #[error("no system tray is running (nothing provides org.kde.StatusNotifierWatcher)")]
    NoWatcher,
    #[error("the system tray shows no icons (no StatusNotifierHost is registered)")]
    NoHost,
    #[error("the tray icon did not start within {0:?}")]
    Timeout(Duration),
    #[error("tray icon: D-Bus error: {0}")]
    Dbus(String),
}

impl From<zbus::Error> for TrayError {
    fn from(error: zbus::Error) -> Self {
        match error {
            e @ (zbus::Error::Address(_)
            | zbus::Error::Connection(..)
            | zbus::Error::InputOutput(_)
            | zbus::Error::Handshake(_)) => TrayError::NoSessionBus(e.to_string()),
            other => TrayError::Dbus(other.to_string()),
        }
    }
}

impl From<ksni::Error> for TrayError {
    fn from(error: ksni::Error) -> Self {
        match error {
            ksni::Error::Dbus(e) => e.into(),
            ksni::Error::Watcher(
                zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_),
            ) => TrayError::NoWatcher,
            ksni::Error::WontShow => TrayError::NoHost,
            other => TrayError::Dbus(other.to_string()),
        }
    }
}

/// Follows the panel on the session bus and keeps the icon registered with it while there is
/// one. Must run inside the tokio runtime. Fails (within a few seconds) only when there is no
/// session bus or it does not answer; no panel is not an error (see [`TrayNotice::Shown`]).
pub async fn start(status: TrayStatus) -> Result<(TrayHandle, TrayNotices), TrayError> {
    let panel = tokio::time::timeout(START_TIMEOUT, panel::Panel::connect())
        .await
        .map_err(|_| TrayError::Timeout(START_TIMEOUT))??;
    let (notices_tx, notices_rx) = mpsc::unbounded_channel();
    let (status_tx, status_rx) = watch::channel(status);
    let (shown_tx, shown_rx) = watch::channel(false);
    tokio::spawn(keeper::keep(panel, status_rx, notices_tx, shown_tx));
    Ok((
        TrayHandle {
            status: Arc::new(status_tx),
            shown: shown_rx,
        },
        TrayNotices(notices_rx),
    ))
}

/// Changes what the tray shows. Cheap and non-blocking: callable from the GUI's `update`.
#[derive(Debug, Clone)]
pub struct TrayHandle {
    status: Arc<watch::Sender<TrayStatus>>,
    shown: watch::Receiver<bool>,
}

impl TrayHandle {
    /// Shows `status`; a status equal to the current one costs nothing.
    pub fn update(&self, status: TrayStatus) {
        self.status.send_if_modified(|current| {
            if *current == status {
                false
            } else {
                *current = status;
                true
            }
        });
    }

    /// False once the tray has stopped (its session bus went away).
    pub fn is_running(&self) -> bool {
        !self.status.is_closed()
    }

    /// True while the icon is on a panel: closing the window can hide it then.
    pub fn is_shown(&self) -> bool {
        self.is_running() && *self.shown.borrow()
    }
}

/// The person's clicks and the icon appearing or going, in order. Ends when the tray stops.
#[derive(Debug)]
pub struct TrayNotices(mpsc::UnboundedReceiver<TrayNotice>);

impl TrayNotices {
    pub async fn recv(&mut self) -> Option<TrayNotice> {
        self.0.recv().await
    }
}

impl futures_util::Stream for TrayNotices {
    type Item = TrayNotice;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TrayNotice>> {
        self.0.poll_recv(cx)
    }
}
