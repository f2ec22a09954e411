//! The window's side of a line's call features: forwarding (shown at a glance), identities,
//! feature codes, auto-answer.

use super::App;
use parla_core::Event;

impl App {
    /// `forwarding` events and calls refused as `forwarded`. STUB: being built.
    pub(super) fn on_call_features_event(&mut self, _event: &Event) {}
}
