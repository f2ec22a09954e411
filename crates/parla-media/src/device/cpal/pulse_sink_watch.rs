//! Watching a sink picked by name (`pulse:NAME`) for its removal.
//!
//! Why: the speaker is written through ALSA's pulse plugin (`alsa_playback.rs`), whose stream
//! the sound server moves to its default sink, unseen, when the named one goes (a headset
//! unplugged). The call would go on in the laptop's speakers while Parla still showed the
//! headset. The watch turns the sink's removal into the failure of a vanished device, so the
//! playback falls back to the default and says so, as a named microphone does
//! (`pulse_capture.rs`, `DONT_MOVE`). It is a connection of its own on a thread that sleeps:
//! nothing on the audio path.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{mpsc, Arc};

use libpulse_binding as pulse;
use pulse::callbacks::ListResult;
use pulse::context::subscribe::{Facility, InterestMaskSet, Operation};
use pulse::context::{self, Context};

use super::device_error;
use super::health::Failure;
use super::pulse_capture::on_end;
use super::pulse_connection::{Connection, CONNECT_TIMEOUT};
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

/// A running watch; dropping it ends its thread, which disconnects.
pub(crate) struct SinkWatch {
    _stop: mpsc::Sender<()>,
}

/// Records [`Failure::Gone`] in `shared` when the server's sink `sink` is removed (or is
/// already gone), and [`Failure::ServerGone`] when the server goes.
pub(crate) fn watch(sink: &str, shared: Arc<Shared>) -> Result<SinkWatch, MediaError> {
    let (answer, answered) = mpsc::channel::<Result<(), MediaError>>();
    let (stop, stopped) = mpsc::channel::<()>();
    let sink = sink.to_owned();
    // libpulse's objects are not `Send`: they live and die on this thread.
    std::thread::Builder::new()
        .name("parla-sinkwatch".into())
        .spawn(move || {
            // Made before the connection, so dropped after it (its callbacks hold clones).
            let watched = Rc::new(Cell::new(Watched::Asked));
            let connected =
                Connection::connect("the speaker's watch").and_then(|mut connection| {
                    connection.watch_sink(&sink, &watched, shared)?;
                    Ok(connection)
                });
            match connected {
                Ok(connection) => {
                    if answer.send(Ok(())).is_ok() {
                        // Until the watch is dropped.
                        let _ = stopped.recv();
                    }
                    drop(connection);
                }
                Err(e) => {
                    let _ = answer.send(Err(e));
                }
            }
        })
        .map_err(|e| device_error(format!("no thread to watch the sound server's sink: {e}")))?;
    answered
        .recv_timeout(CONNECT_TIMEOUT * 2)
        .map_err(|_| device_error("the sound server did not answer".into()))??;
    Ok(SinkWatch { _stop: stop })
}

impl Connection {
    /// Subscribes to the server's sink events, then asks for `sink`'s index: the server
    /// answers in order, so a removal after the answer is seen by the event callback, and one
    /// before it makes the answer "no such sink".
    fn watch_sink(
        &mut self,
        sink: &str,
        watched: &Rc<Cell<Watched>>,
        shared: Arc<Shared>,
    ) -> Result<(), MediaError> {
        self.mainloop.lock();
        {
            let mut context = self.context.borrow_mut();
            let (on_event, on_event_shared) = (Rc::clone(watched), Arc::clone(&shared));
            context.set_subscribe_callback(Some(Box::new(move |facility, operation, index| {
                if removes(facility, operation, index, on_event.get()) {
                    Failure::Gone.record(&on_event_shared);
                }
            })));
            context.subscribe(InterestMaskSet::SINK, |_| {});
            let (on_info, on_info_shared) = (Rc::clone(watched), Arc::clone(&shared));
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
            context.set_state_callback(Some(Box::new(on_end(
                Rc::downgrade(&self.context),
                |c: &Context| {
                    matches!(
                        c.get_state(),
                        context::State::Failed | context::State::Terminated
                    )
                },
                Failure::ServerGone,
                shared,
            ))));
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
}
