//! The window's side of conferences, call recording and park: what the engine says about them.

use super::App;
use parla_core::Event;

impl App {
    /// `conference`, `recording` and `parked` events. STUB: being built.
    pub(super) fn on_conference_event(&mut self, _event: &Event) {}
}
