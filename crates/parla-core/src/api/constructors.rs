//! Shorthands for building the events the engine sends most.

use super::{AccountId, CallId, CallState, ErrorKind, Event, RequestId};

impl Event {
    /// An error that concerns no call or line in particular.
    pub fn error(kind: ErrorKind, message: impl Into<String>) -> Self {
        Event::Error {
            kind,
            message: message.into(),
            call: None,
            account: None,
            request: None,
        }
    }

    /// An error about one call.
    pub fn call_error(call: CallId, kind: ErrorKind, message: impl Into<String>) -> Self {
        Event::Error {
            kind,
            message: message.into(),
            call: Some(call),
            account: None,
            request: None,
        }
    }

    /// An error about one line.
    pub fn account_error(account: AccountId, kind: ErrorKind, message: impl Into<String>) -> Self {
        Event::Error {
            kind,
            message: message.into(),
            call: None,
            account: Some(account),
            request: None,
        }
    }

    /// An error answering the command that carried `request`.
    pub fn request_error(
        request: Option<RequestId>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Event::Error {
            kind,
            message: message.into(),
            call: None,
            account: None,
            request,
        }
    }

    pub fn call_state(call: CallId, state: CallState) -> Self {
        Event::CallState {
            call,
            state,
            account: None,
            remote: None,
            name: None,
            reason: None,
            code: None,
            transferred_from: None,
            replaces: None,
        }
    }

    pub fn call_ended(call: CallId, reason: impl Into<String>, code: Option<u16>) -> Self {
        Event::CallState {
            call,
            state: CallState::Ended,
            account: None,
            remote: None,
            name: None,
            reason: Some(reason.into()),
            code,
            transferred_from: None,
            replaces: None,
        }
    }
}
