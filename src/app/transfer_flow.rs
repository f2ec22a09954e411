//! Transfers with a consult call, and adding a call: the window remembers the consult pair
//! (the held call and the call placed to talk to the target first) from the `calling` event
//! that follows its dial, and forgets it when either call ends.

use super::{App, Message};
use crate::screen::call::{self, Consult, Suggestion};
use iced::Task;
use parla_core::api::{CallState, RequestId};
use parla_core::store::SearchFilter;
use parla_core::{CallId, Command, Event};

/// Most contact numbers offered under the transfer or add call field.
const MOST_SUGGESTIONS: usize = 5;

/// The contacts offered under the transfer or add call field, and the search that will
/// replace them.
#[derive(Debug, Default)]
pub struct Suggestions {
    pub found: Vec<Suggestion>,
    asked: Option<RequestId>,
}

impl App {
    /// The call screen's transfer and add call actions (the rest are in call_control.rs).
    pub(super) fn on_transfer_action(
        &mut self,
        call: CallId,
        action: call::Action,
    ) -> Task<Message> {
        let account = self
            .calls
            .get(call)
            .and_then(|c| c.account.clone())
            .or_else(|| self.default_line());
        match action {
            call::Action::Consult => {
                let to = self.transfer_to.take().filter(|t| !t.trim().is_empty());
                if let (Some(to), None) = (to, self.consult) {
                    self.send(Command::Dial {
                        account,
                        to: to.trim().to_string(),
                        identity: None,
                        anonymous: false,
                    });
                    self.consult = Some(Consult {
                        held: call,
                        target: None,
                    });
                }
            }
            call::Action::CompleteTransfer => {
                if let Some(Consult {
                    held,
                    target: Some(target),
                }) = self.consult
                {
                    self.send(Command::Transfer {
                        call: held,
                        to: None,
                        to_call: Some(target),
                    });
                }
            }
            call::Action::CancelConsult => {
                if let Some(Consult { held, target }) = self.consult.take() {
                    if let Some(target) = target {
                        self.send(Command::Hangup { call: target });
                    }
                    self.send(Command::Resume { call: held });
                    self.focus_call(held);
                }
            }
            call::Action::ToggleAddCall => {
                self.add_call_to = match self.add_call_to {
                    Some(_) => None,
                    None => Some(String::new()),
                };
                self.transfer_to = None;
                self.call_suggestions = Suggestions::default();
                if self.add_call_to.is_some() {
                    return iced::widget::operation::focus("add-call-to");
                }
            }
            call::Action::AddCallTo(to) => {
                self.look_up_contacts(&to);
                self.add_call_to = Some(to);
            }
            call::Action::Pick(number) => {
                if self.add_call_to.is_some() {
                    self.add_call_to = Some(number);
                } else if self.transfer_to.is_some() {
                    self.transfer_to = Some(number);
                }
                self.call_suggestions = Suggestions::default();
            }
            call::Action::AddCall => {
                if let Some(to) = self.add_call_to.take().filter(|t| !t.trim().is_empty()) {
                    self.send(Command::Dial {
                        account,
                        to: to.trim().to_string(),
                        identity: None,
                        anonymous: false,
                    });
                }
            }
            _ => {}
        }
        Task::none()
    }

    /// Shows `call` with its fields closed.
    pub(super) fn focus_call(&mut self, call: CallId) {
        self.focused = Some(call);
        self.keypad_open = false;
        self.transfer_to = None;
        self.add_call_to = None;
        self.call_suggestions = Suggestions::default();
    }

    /// Asks for the contacts matching what the transfer or add call field holds (two
    /// characters at least, a letter among them: a number is dialled as typed); the answer
    /// replaces the ones offered.
    pub(super) fn look_up_contacts(&mut self, typed: &str) {
        let query = typed.trim();
        if query.chars().count() < 2 || !query.chars().any(char::is_alphabetic) {
            self.call_suggestions = Suggestions::default();
            return;
        }
        let request = self.requests.next();
        self.call_suggestions.asked = Some(request);
        self.send(Command::SearchContacts {
            query: query.to_string(),
            filter: SearchFilter::All,
            limit: MOST_SUGGESTIONS,
            request: Some(request),
        });
    }

    /// Before the call list takes `event`: a call placed while a consult was asked for is
    /// the consult call; a call that came of a transfer is shown.
    pub(super) fn note_transfer_event(&mut self, event: &Event) {
        match event {
            Event::CallState {
                call,
                state: CallState::Calling,
                transferred_from,
                ..
            } => {
                let new = self.calls.get(*call).is_none();
                if let Some(consult) = self.consult.as_mut().filter(|c| c.target.is_none()) {
                    if new && transferred_from.is_none() && *call != consult.held {
                        consult.target = Some(*call);
                    }
                }
            }
            Event::Contacts {
                request: Some(request),
                contacts,
            } if self.call_suggestions.asked == Some(*request) => {
                self.call_suggestions.found = contacts
                    .iter()
                    .filter(|c| !c.fields.blocked)
                    .flat_map(|c| {
                        c.fields.phones.iter().map(|p| Suggestion {
                            name: c.name.clone(),
                            number: p.number.clone(),
                        })
                    })
                    .take(MOST_SUGGESTIONS)
                    .collect();
            }
            // The consult dial failed before any call was placed.
            Event::Error {
                call: None,
                request: None,
                ..
            } if self.consult.is_some_and(|c| c.target.is_none()) => self.consult = None,
            _ => {}
        }
    }

    /// After a call ended: a consult pair it was in is forgotten; when the consult call went,
    /// the held call is shown (its screen offers Resume).
    pub(super) fn forget_consult_of(&mut self, ended: CallId) {
        let Some(consult) = self.consult.filter(|c| c.involves(ended)) else {
            return;
        };
        self.consult = None;
        if consult.target == Some(ended) && self.calls.get(consult.held).is_some() {
            self.focus_call(consult.held);
        }
    }
}
