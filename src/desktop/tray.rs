//! The tray icon: a StatusNotifierItem on the session D-Bus (through `ksni`, no GTK) with the
//! state of the lines, do-not-disturb and missed calls, and a menu (show/hide, do not disturb,
//! quit). Left click shows or hides the window.
//!
//! The app drives it with [`start`] (inside the tokio runtime, e.g. from an iced
//! `Subscription::run`), then [`TrayHandle::update`] whenever something shown changes, and
//! reads the person's clicks from [`TrayActions`]. Nothing here wakes up unless D-Bus traffic
//! or an update arrives. Dropping every [`TrayHandle`] removes the icon and ends the actions.

mod icon;
mod item;
#[cfg(test)]
mod tests;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use ksni::TrayMethods;
use tokio::sync::{mpsc, watch};

use item::ParlaTray;

/// How long [`start`] may take (connect, register with the panel) before it gives up.
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
    /// Picks "Hide" or "Show" for the menu's first entry.
    pub window_visible: bool,
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

impl From<ksni::Error> for TrayError {
    fn from(error: ksni::Error) -> Self {
        match error {
            ksni::Error::Dbus(
                e @ (zbus::Error::Address(_)
                | zbus::Error::Connection(..)
                | zbus::Error::InputOutput(_)
                | zbus::Error::Handshake(_)),
            ) => TrayError::NoSessionBus(e.to_string()),
            ksni::Error::Watcher(
                zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_),
            ) => TrayError::NoWatcher,
            ksni::Error::WontShow => TrayError::NoHost,
            other => TrayError::Dbus(other.to_string()),
        }
    }
}

/// Puts the icon on the session bus and registers it with the panel's
/// StatusNotifierWatcher. Must run inside the tokio runtime. Fails (within a few seconds) when
/// there is no session bus, no tray, or the bus does not answer.
pub async fn start(status: TrayStatus) -> Result<(TrayHandle, TrayActions), TrayError> {
    let (actions_tx, actions_rx) = mpsc::unbounded_channel();
    let tray = ParlaTray::new(status.clone(), actions_tx);
    let service = tokio::time::timeout(START_TIMEOUT, tray.spawn())
        .await
        .map_err(|_| TrayError::Timeout(START_TIMEOUT))??;
    let (status_tx, status_rx) = watch::channel(status);
    tokio::spawn(forward_updates(service, status_rx));
    Ok((
        TrayHandle {
            status: Arc::new(status_tx),
        },
        TrayActions(actions_rx),
    ))
}

/// Hands each new status to ksni (which sends only what changed); stops the item when every
/// [`TrayHandle`] is gone.
async fn forward_updates(
    service: ksni::Handle<ParlaTray>,
    mut status: watch::Receiver<TrayStatus>,
) {
    while status.changed().await.is_ok() {
        let latest = status.borrow_and_update().clone();
        if service
            .update(|tray| tray.set_status(latest))
            .await
            .is_none()
        {
            return;
        }
    }
    service.shutdown().await;
}

/// Changes what the tray shows. Cheap and non-blocking: callable from the GUI's `update`.
#[derive(Debug, Clone)]
pub struct TrayHandle {
    status: Arc<watch::Sender<TrayStatus>>,
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

    /// False once the item has stopped (its D-Bus service ended).
    pub fn is_running(&self) -> bool {
        !self.status.is_closed()
    }
}

/// The person's clicks, in order. Ends when the item stops.
#[derive(Debug)]
pub struct TrayActions(mpsc::UnboundedReceiver<TrayAction>);

impl TrayActions {
    pub async fn recv(&mut self) -> Option<TrayAction> {
        self.0.recv().await
    }
}

impl futures_util::Stream for TrayActions {
    type Item = TrayAction;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TrayAction>> {
        self.0.poll_recv(cx)
    }
}
