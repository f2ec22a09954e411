//! Conference, recording and park commands: what spans calls (a conference mixes several) or
//! asks a call for more than a SIP request (a recording file, a park orbit).

use super::Engine;
use crate::api::{Command, ErrorKind, Event};

impl Engine {
    pub(super) fn handle_conference(&mut self, command: Command) {
        // STUB: being built.
        self.emit(Event::error(
            ErrorKind::Internal,
            format!("not built yet: {command:?}"),
        ));
    }
}
