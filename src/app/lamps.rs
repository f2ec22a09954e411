//! Busy lamps and presence in the window: `presence` events kept for the Phone tab's lamps,
//! the contacts' dots and the Online filter; a click on a lamp picks the call up (ringing),
//! transfers our active call there (blind) or calls the extension on its line; a contact's
//! number watched on a line; our own status sent to the engine.

use super::{App, Message};
use crate::screen::lamps::{self, Click, LampView, Msg};
use crate::screen::settings::{self, LampChange};
use iced::{Element, Task};
use parla_core::api::OwnPresence;
use parla_core::{AccountId, CallId, Command, Event};

/// The window's view of presence: what the engine reported, and what we publish.
#[derive(Debug, Clone, Default)]
pub struct LampsState {
    pub presence: lamps::Presence,
    pub own: OwnPresence,
}

impl App {
    pub(super) fn on_lamps_event(&mut self, event: &Event) {
        self.lamps.presence.on_event(event);
    }

    /// The call a click on a lamp transfers: the focused call while it is up, else any
    /// connected one.
    fn active_call(&self) -> Option<CallId> {
        self.focused
            .and_then(|id| self.calls.get(id))
            .filter(|c| c.is_live())
            .or_else(|| {
                self.calls
                    .iter()
                    .find(|c| c.state == parla_core::api::CallState::Connected)
            })
            .map(|c| c.id)
    }

    pub(super) fn on_lamps_msg(&mut self, msg: Msg) -> Task<Message> {
        match msg {
            Msg::Own(state) => {
                self.lamps.own = state;
                self.send(Command::SetPresence { state });
            }
            Msg::Press(account, entry) => {
                let reported = self.lamps.presence.of_entry(&account, &entry);
                let state = reported.map(|(_, state)| state);
                // The engine knows the lamp by the address it resolved the entry to.
                let uri = reported.map_or_else(|| entry.clone(), |(uri, _)| uri.to_string());
                let call = self.active_call();
                match (Click::of(state, call.is_some()), call) {
                    (Click::Pickup, _) => self.send(Command::Pickup {
                        account: Some(account),
                        uri,
                    }),
                    (Click::Transfer, Some(call)) => self.send(Command::Transfer {
                        call,
                        to: Some(entry),
                        to_call: None,
                    }),
                    _ => self.dial(Some(account), entry),
                }
            }
        }
        Task::none()
    }

    /// Watches `entry` (a contact's number or SIP address) on the default line, saved like
    /// the line's other settings.
    pub(super) fn watch_on_default_line(&mut self, entry: String) -> Task<Message> {
        match self.default_line() {
            Some(line) => self.on_settings(settings::Msg::Lamps(
                line.as_str().to_string(),
                LampChange::Add(entry),
            )),
            None => Task::none(),
        }
    }

    /// The watch list of the default line (the contact card's Watch shows what is watched).
    pub(super) fn watched_on_default_line(&self) -> &[String] {
        let default = self.default_line();
        self.config
            .accounts
            .iter()
            .find(|a| Some(a.id.as_str()) == default.as_ref().map(AccountId::as_str))
            .map_or(&[], |a| a.watch.as_slice())
    }

    /// The Phone tab's panel: the watched extensions of the enabled lines.
    pub(super) fn lamps_panel(&self) -> Element<'_, Message> {
        let lamps: Vec<LampView<'_>> = self
            .config
            .accounts
            .iter()
            .filter(|a| a.enabled)
            .flat_map(|a| {
                a.watch
                    .iter()
                    .map(move |entry| (AccountId::new(a.id.clone()), entry))
            })
            .map(|(account, entry)| {
                let state = self
                    .lamps
                    .presence
                    .of_entry(&account, entry)
                    .map(|(_, state)| state);
                LampView {
                    account,
                    entry,
                    state,
                }
            })
            .collect();
        lamps::panel(&self.i18n, lamps, self.active_call().is_some()).map(Message::Lamps)
    }
}
