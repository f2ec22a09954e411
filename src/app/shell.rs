//! The shell around the window: the main window shown and hidden, the tray, commands from
//! the control socket, the popup window, quitting.

use super::desktop_glue::TrayEvent;
use super::{windows, App, Message, Tab};
use crate::desktop::tray::{TrayAction, TrayHandle};
use crate::screen::dialer::CallAs;
use crate::screen::settings;
use iced::{window, Task};
use parla_core::api::ErrorKind;
use parla_core::config::WindowGeometry;
use parla_core::{CallId, Command, Event};

#[cfg(test)]
mod tests;

impl App {
    pub(super) fn close_popup_for(&mut self, call: CallId) -> Task<Message> {
        self.notifications.close(call);
        match self.popup {
            Some((window, ringing)) if ringing == call => {
                self.popup = None;
                // Another call may still be ringing (or with the answering machine): it gets
                // the popup.
                let next = self
                    .calls
                    .iter()
                    .filter(|c| c.wants_pick_up())
                    .map(|c| c.id)
                    .find(|id| *id != call);
                let close = window::close(window);
                match next {
                    Some(next) => {
                        let (id, open) = window::open(windows::popup_settings());
                        self.popup = Some((id, next));
                        Task::batch([close, open.discard()])
                    }
                    None => close,
                }
            }
            _ => Task::none(),
        }
    }

    pub(super) fn on_control(&mut self, command: Command) -> Task<Message> {
        match command {
            Command::Show => self.show_main(),
            Command::Dial {
                account,
                to,
                identity,
                anonymous,
            } => {
                let ask = account.is_none()
                    && self.config.app.ask_line_for_links
                    && self.config.accounts.iter().filter(|a| a.enabled).count() > 1;
                if ask {
                    self.dialer.input = to;
                    self.tab = Tab::Phone;
                } else {
                    let call_as = match (identity, anonymous) {
                        (_, true) => Some(CallAs::Anonymous),
                        (Some(user), false) => Some(CallAs::Identity(user)),
                        (None, false) => None,
                    };
                    self.dial_as(account, to, call_as);
                }
                self.show_main()
            }
            Command::Quit => self.quit(),
            Command::SaveDiagnostics { output, request } => {
                let profile = self.profile.clone();
                Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || {
                            crate::diagnostics::answer(&profile, output.as_deref(), request)
                        })
                        .await
                        .unwrap_or_else(|e| {
                            Event::request_error(request, ErrorKind::Internal, e.to_string())
                        })
                    },
                    Message::Engine,
                )
            }
            other => {
                self.send(other);
                Task::none()
            }
        }
    }

    pub(super) fn show_main(&mut self) -> Task<Message> {
        self.main_visible = true;
        match self.main_window {
            Some(id) => Task::batch([
                window::set_mode(id, window::Mode::Windowed),
                window::gain_focus(id),
            ]),
            None => {
                let (id, open) = window::open(windows::main_settings(
                    true,
                    self.config.app.window,
                    self.config.app.compact,
                ));
                self.main_window = Some(id);
                open.discard()
            }
        }
    }

    pub(super) fn on_close_requested(&mut self, id: window::Id) -> Task<Message> {
        if Some(id) != self.main_window {
            return Task::none();
        }
        if self.tray_running() {
            self.hide_main()
        } else {
            self.quit()
        }
    }

    /// True while the tray icon is on a panel (so the window can be hidden and come back).
    pub(super) fn tray_running(&self) -> bool {
        self.tray.as_ref().is_some_and(TrayHandle::is_shown)
    }

    pub(super) fn on_tray(&mut self, event: TrayEvent) -> Task<Message> {
        match event {
            TrayEvent::Ready(handle) => {
                self.tray = Some(handle);
                Task::none()
            }
            TrayEvent::Failed(why) => {
                tracing::info!(%why, "no tray icon");
                self.show_if_unreachable()
            }
            TrayEvent::Shown { shown, at_start } => {
                tracing::info!(shown, "tray icon on a panel");
                // A panel that leaves later is mostly one restarting: the window stays hidden
                // (a second launch still shows it).
                if !shown && at_start {
                    self.show_if_unreachable()
                } else {
                    Task::none()
                }
            }
            TrayEvent::Action(TrayAction::ToggleWindow) => {
                if self.main_visible {
                    self.hide_main()
                } else {
                    self.show_main()
                }
            }
            TrayEvent::Action(TrayAction::SetDnd(on)) => {
                self.on_settings(settings::Msg::DoNotDisturb(on))
            }
            TrayEvent::Action(TrayAction::Quit) => self.quit(),
        }
    }

    /// Started hidden but there is no tray to come back from: show the window.
    fn show_if_unreachable(&mut self) -> Task<Message> {
        if self.main_visible {
            Task::none()
        } else {
            self.show_main()
        }
    }

    pub(super) fn hide_main(&mut self) -> Task<Message> {
        self.main_visible = false;
        self.keep_window_geometry();
        match self.main_window {
            Some(id) => window::set_mode(id, window::Mode::Hidden),
            None => Task::none(),
        }
    }

    pub(super) fn on_window_moved(&mut self, id: window::Id, at: iced::Point) {
        if Some(id) == self.main_window {
            let geometry = self.window_geometry();
            self.window_geometry = Some(WindowGeometry {
                x: Some(at.x.round() as i32),
                y: Some(at.y.round() as i32),
                ..geometry
            });
        }
    }

    pub(super) fn on_window_resized(&mut self, id: window::Id, size: iced::Size) {
        if Some(id) == self.main_window {
            let geometry = self.window_geometry();
            self.window_geometry = Some(WindowGeometry {
                width: size.width.round().max(1.0) as u32,
                height: size.height.round().max(1.0) as u32,
                ..geometry
            });
        }
    }

    /// The main window's place as last seen, else as the settings have it, else the default.
    fn window_geometry(&self) -> WindowGeometry {
        self.window_geometry
            .or(self.config.app.window)
            .unwrap_or(WindowGeometry {
                width: windows::MAIN_SIZE.width as u32,
                height: windows::MAIN_SIZE.height as u32,
                x: None,
                y: None,
            })
    }

    /// Writes the window's place into the settings when it changed (on hide and quit: not on
    /// every pixel of a drag).
    fn keep_window_geometry(&mut self) {
        if let Some(geometry) = self.window_geometry.take() {
            if self.config.app.window != Some(geometry) {
                self.config.app.window = Some(geometry);
                self.save();
            }
        }
    }

    pub(super) fn quit(&mut self) -> Task<Message> {
        if self.quitting {
            return Task::none();
        }
        self.quitting = true;
        self.keep_window_geometry();
        let engine = self.engine.clone();
        Task::perform(engine.quit(), |_| Message::Exited)
    }
}
