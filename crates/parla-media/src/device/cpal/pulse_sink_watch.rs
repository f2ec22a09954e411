//! Watching a sink picked by name (`pulse:NAME`) for its removal.
//!
//! Why: the speaker is written through ALSA's pulse plugin (`alsa_playback.rs`), whose stream
//! the sound server moves to its default sink, unseen, when the named one goes (a headset
//! unplugged). The call would go on in the laptop's speakers while Parla still showed the
//! headset. The watch turns the sink's removal into the failure of a vanished device, so the
//! playback falls back to the default and says so, as a named microphone does
//! (`pulse_capture.rs`, `DONT_MOVE`). It is a connection of its own on a thread that sleeps:
//! nothing on the audio path.

use std::sync::{Arc, Mutex, PoisonError};

use libpulse_binding as pulse;
use pulse::callbacks::ListResult;
use pulse::context::subscribe::{Facility, InterestMaskSet, Operation};

use super::health::Failure;
use super::pulse_connection::{Connection, OwnThread};
use super::rt::Shared;
use crate::error::MediaError;

/// The watched sink as the server numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watched {
    /// The server has not answered yet.
    Asked,
    Sink(u32),
    /// The server has no sink of that name (any more).
    Missing,
}

/// [`Watched`] shared between the owning thread and libpulse's client thread: behind an `Arc`,
/// not an `Rc`, because libpulse drops a finished query's callback, and its clone, on its own
/// thread.
#[derive(Debug)]
struct WatchedCell(Mutex<Watched>);

impl WatchedCell {
    fn new() -> Self {
        Self(Mutex::new(Watched::Asked))
    }

    fn get(&self) -> Watched {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, watched: Watched) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = watched;
    }
}

/// A running watch; dropping it ends its thread, which disconnects.
pub(crate) struct SinkWatch {
    _connection: OwnThread,
}

/// Records [`Failure::Gone`] in `shared` when the server's sink `sink` is removed (or is
/// already gone), and [`Failure::ServerGone`] when the server goes.
pub(crate) fn watch(sink: &str, shared: Arc<Shared>) -> Result<SinkWatch, MediaError> {
    let sink = sink.to_owned();
    let connection =
        Connection::on_own_thread("parla-sinkwatch", "the speaker's watch", move |c| {
            c.watch_sink(&sink, shared)
        })?;
    Ok(SinkWatch {
        _connection: connection,
    })
}

impl Connection {
    /// Subscribes to the server's sink events, then asks for `sink`'s index: the server
    /// answers in order, so a removal after the answer is seen by the event callback, and one
    /// before it makes the answer "no such sink".
    fn watch_sink(&mut self, sink: &str, shared: Arc<Shared>) -> Result<(), MediaError> {
        let watched = Arc::new(WatchedCell::new());
        self.mainloop.lock();
        self.record_end_in(Arc::clone(&shared));
        {
            let mut context = self.context.borrow_mut();
            let (on_event, on_event_shared) = (Arc::clone(&watched), Arc::clone(&shared));
            context.set_subscribe_callback(Some(Box::new(move |facility, operation, index| {
                if removes(facility, operation, index, on_event.get()) {
                    Failure::Gone.record(&on_event_shared);
                }
            })));
            context.subscribe(InterestMaskSet::SINK, |_| {});
            let (on_info, on_info_shared) = (Arc::clone(&watched), Arc::clone(&shared));
            context
                .introspect()
                .get_sink_info_by_name(sink, move |item| match item {
                    ListResult::Item(info) => on_info.set(Watched::Sink(info.index)),
                    ListResult::End => {}
                    ListResult::Error => {
                        on_info.set(Watched::Missing);
                        Failure::Gone.record(&on_info_shared);
                    }
                });
        }
        self.mainloop.unlock();
        self.wait_until(|_| (watched.get() != Watched::Asked).then_some(Ok(())))
    }
}

/// Whether a sink event is the removal of the watched sink.
fn removes(
    facility: Option<Facility>,
    operation: Option<Operation>,
    index: u32,
    watched: Watched,
) -> bool {
    facility == Some(Facility::Sink)
        && operation == Some(Operation::Removed)
        && watched == Watched::Sink(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_watched_sinks_removal_counts() {
        let sink = Some(Facility::Sink);
        let removed = Some(Operation::Removed);
        assert!(removes(sink, removed, 7, Watched::Sink(7)));
        assert!(!removes(sink, removed, 8, Watched::Sink(7)), "another sink");
        assert!(!removes(
            sink,
            Some(Operation::Changed),
            7,
            Watched::Sink(7)
        ));
        assert!(!removes(sink, Some(Operation::New), 7, Watched::Sink(7)));
        assert!(!removes(
            Some(Facility::Source),
            removed,
            7,
            Watched::Sink(7)
        ));
        assert!(!removes(sink, removed, 7, Watched::Asked), "not yet known");
        assert!(!removes(sink, removed, 7, Watched::Missing));
    }

    #[test]
    fn the_shared_cell_keeps_every_state() {
        let cell = WatchedCell::new();
        assert_eq!(cell.get(), Watched::Asked);
        for watched in [
            Watched::Sink(0),
            Watched::Sink(u32::MAX),
            Watched::Missing,
            Watched::Asked,
        ] {
            cell.set(watched);
            assert_eq!(cell.get(), watched);
        }
    }
}
