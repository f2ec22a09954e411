//! A line's call features as commands: feature codes, forwarding, who is answered
//! automatically.

use super::Engine;
use crate::api::{Command, ErrorKind, Event};

impl Engine {
    pub(super) fn handle_call_feature(&mut self, command: Command) {
        // STUB: being built.
        self.emit(Event::error(
            ErrorKind::Internal,
            format!("not built yet: {command:?}"),
        ));
    }
}
