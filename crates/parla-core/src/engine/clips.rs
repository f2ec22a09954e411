//! Playing messages and greetings on the output device, and recording greetings: the
//! `play_voicemail`, `play_greeting`, `pause_playback`, `seek_playback`, `stop_playback`,
//! `record_greeting` and `keep_greeting` commands.

use crate::api::{Command, ErrorKind, Event};
use tokio::sync::mpsc::UnboundedSender;

pub struct Clips {
    events: UnboundedSender<Event>,
}

impl Clips {
    pub fn new(events: UnboundedSender<Event>) -> Self {
        Self { events }
    }

    pub fn handle(&mut self, command: Command) {
        let _ = self.events.send(Event::error(
            ErrorKind::Internal,
            format!("not built yet: {command:?}"),
        ));
    }
}
