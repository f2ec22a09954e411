//! The app's side of the desktop: the tray icon, notifications and the control socket, turned
//! into message streams and fed from the app's state.

use super::{App, Message};
use crate::desktop::instance::ControlServer;
use crate::desktop::notify::{self, IncomingNotification, Notifier, NotifyLabels};
use crate::desktop::tray::{self, LinesStatus, TrayHandle, TrayLabels, TrayStatus};
use crate::i18n::I18n;
use iced::futures::Stream;
use iced::Task;
use parla_core::api::RegistrationState;
use parla_core::CallId;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What the tray tells the app.
#[derive(Debug, Clone)]
pub enum TrayEvent {
    Ready(TrayHandle),
    /// No tray, ever: no session bus.
    Failed(String),
    /// The icon is on a panel, or not; `at_start` for the first report.
    Shown {
        shown: bool,
        at_start: bool,
    },
    Action(tray::TrayAction),
}

/// Starts the tray and turns what it tells into messages; a failure is one message, not a panic.
pub fn start_tray(status: TrayStatus) -> impl Stream<Item = TrayEvent> {
    enum State {
        Start(Box<TrayStatus>),
        Running {
            notices: tray::TrayNotices,
            reported: bool,
        },
        Done,
    }
    iced::futures::stream::unfold(State::Start(Box::new(status)), |state| async move {
        match state {
            State::Start(status) => match tray::start(*status).await {
                Ok((handle, notices)) => Some((
                    TrayEvent::Ready(handle),
                    State::Running {
                        notices,
                        reported: false,
                    },
                )),
                Err(e) => Some((TrayEvent::Failed(e.to_string()), State::Done)),
            },
            State::Running {
                mut notices,
                reported,
            } => {
                let event = match notices.recv().await? {
                    tray::TrayNotice::Shown(shown) => TrayEvent::Shown {
                        shown,
                        at_start: !reported,
                    },
                    tray::TrayNotice::Action(action) => TrayEvent::Action(action),
                };
                let reported = reported || matches!(event, TrayEvent::Shown { .. });
                Some((event, State::Running { notices, reported }))
            }
            State::Done => None,
        }
    })
}

pub fn tray_labels(i18n: &I18n, missed: u32, new_voicemail: u32, unread: u32) -> TrayLabels {
    TrayLabels {
        title: "Parla".into(),
        all_registered: i18n.tr("tray-registered"),
        some_down: i18n.tr("tray-some-down"),
        none_registered: i18n.tr("tray-unregistered"),
        no_lines: i18n.tr("tray-no-lines"),
        dnd_on: i18n.tr("dnd-on"),
        missed_calls: if missed > 0 {
            i18n.tr_count("missed-calls", u64::from(missed))
        } else {
            String::new()
        },
        new_voicemail: if new_voicemail > 0 {
            i18n.tr_count("voicemail-new", u64::from(new_voicemail))
        } else {
            String::new()
        },
        unread_messages: if unread > 0 {
            i18n.tr_count("chat-unread-messages", u64::from(unread))
        } else {
            String::new()
        },
        // Filled in by the app when calls are forwarded.
        forwarding: String::new(),
        show_window: i18n.tr("tray-show"),
        hide_window: i18n.tr("tray-hide"),
        do_not_disturb: i18n.tr("tray-dnd"),
        quit: i18n.tr("tray-quit"),
    }
}

pub fn notify_labels(i18n: &I18n) -> NotifyLabels {
    NotifyLabels {
        app_name: "Parla".into(),
        incoming_call: i18n.tr("notify-incoming-title"),
        missed_call: i18n.tr("notify-missed-title"),
        answer: i18n.tr("answer"),
        decline: i18n.tr("decline"),
        open: i18n.tr("tray-show"),
        reply: i18n.tr("chat-reply"),
    }
}

/// The control socket's commands as messages.
pub fn control_commands(server: &mut ControlServer) -> Task<Message> {
    match server.take_commands() {
        Some(rx) => Task::run(
            iced::futures::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|c| (c, rx)) },
            ),
            Message::Control,
        ),
        None => Task::none(),
    }
}

/// Incoming-call notifications on screen, by call. Shared with the threads that show them:
/// showing one waits for the notification daemon, which must not hold up the window.
#[derive(Clone, Default)]
pub struct Notifications {
    shown: Arc<Mutex<BTreeMap<CallId, IncomingNotification>>>,
    /// Calls that stopped ringing while their notification was still on its way.
    gone: Arc<Mutex<Vec<CallId>>>,
}

impl Notifications {
    pub fn show_incoming(
        &self,
        notifier: &Notifier,
        call: CallId,
        name: Option<String>,
        number: String,
        labels: NotifyLabels,
    ) -> Task<Message> {
        let notifier = notifier.clone();
        let this = self.clone();
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    match notifier.incoming_call(call, name.as_deref(), &number, &labels) {
                        Ok(shown) => {
                            let gone = this.gone.lock().map(|g| g.contains(&call)).unwrap_or(false);
                            if gone {
                                shown.close();
                            } else if let Ok(mut map) = this.shown.lock() {
                                map.insert(call, shown);
                            }
                            None
                        }
                        Err(e) => Some(e.to_string()),
                    }
                })
                .await
                .ok()
                .flatten()
            },
            Message::NotificationFailed,
        )
    }

    pub fn missed(
        &self,
        notifier: &Notifier,
        name: Option<String>,
        number: String,
        labels: NotifyLabels,
    ) {
        let notifier = notifier.clone();
        std::thread::spawn(move || {
            let _ = notifier.missed_call(name.as_deref(), &number, &labels);
        });
    }

    /// "2 new voicemail messages" on `line` (no buttons), off the window's thread.
    pub fn voicemail(
        &self,
        notifier: &Notifier,
        summary: String,
        line: String,
        labels: NotifyLabels,
    ) {
        let notifier = notifier.clone();
        std::thread::spawn(move || {
            let _ = notifier.voicemail(&summary, &line, &labels);
        });
    }

    /// "NAME: text" with Reply, off the window's thread; what the person does with it comes
    /// back as a message about `peer`'s conversation (nothing when it cannot be shown).
    pub fn message(
        &self,
        notifier: &Notifier,
        peer: String,
        sender: String,
        text: String,
        labels: NotifyLabels,
    ) -> Task<Message> {
        let notifier = notifier.clone();
        Task::perform(
            async move {
                let shown =
                    tokio::task::spawn_blocking(move || notifier.message(&sender, &text, &labels))
                        .await;
                match shown {
                    Ok(Ok(answer)) => answer.await.ok(),
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "no notification for a text message");
                        None
                    }
                    Err(_) => None,
                }
            },
            move |response| Message::ChatNotification(peer, response),
        )
    }

    /// Takes the call's notification off the screen (answered, declined or ended).
    pub fn close(&self, call: CallId) {
        let shown = self.shown.lock().ok().and_then(|mut map| map.remove(&call));
        match shown {
            Some(notification) => notification.close(),
            None => {
                if let Ok(mut gone) = self.gone.lock() {
                    gone.push(call);
                    // Only the last few matter: a notification on its way for an old call.
                    let excess = gone.len().saturating_sub(32);
                    gone.drain(..excess);
                }
            }
        }
    }
}

impl App {
    pub(super) fn tray_status(&self) -> TrayStatus {
        let lines: Vec<_> = self
            .config
            .accounts
            .iter()
            .filter(|a| a.enabled && a.register)
            .map(|a| {
                self.lines
                    .get(&parla_core::AccountId::new(a.id.clone()))
                    .map(|l| l.state)
            })
            .collect();
        let registered = lines
            .iter()
            .filter(|s| **s == Some(RegistrationState::Registered))
            .count();
        // The lines' mailboxes and the answering machine's messages not heard yet.
        let new_voicemail = self
            .new_voicemail()
            .saturating_add(self.unheard_voicemail());
        let forwarding = self.forwarding_tray_text();
        TrayStatus {
            lines: match (lines.len(), registered) {
                (0, _) => LinesStatus::NoLines,
                (n, r) if n == r => LinesStatus::AllRegistered,
                (_, 0) => LinesStatus::NoneRegistered,
                _ => LinesStatus::SomeDown,
            },
            dnd: self.dnd,
            missed_calls: self.missed,
            new_voicemail,
            unread_messages: self.unread_messages(),
            window_visible: self.main_visible,
            forwarding: !forwarding.is_empty(),
            labels: TrayLabels {
                forwarding,
                ..tray_labels(
                    &self.i18n,
                    self.missed,
                    new_voicemail,
                    self.unread_messages(),
                )
            },
        }
    }

    pub(super) fn refresh_tray(&self) {
        if let Some(tray) = &self.tray {
            tray.update(self.tray_status());
        }
    }
}

pub fn notifier() -> (Notifier, Task<Message>) {
    let (notifier, actions) = notify::channel();
    (notifier, Task::run(actions, Message::Notification))
}
