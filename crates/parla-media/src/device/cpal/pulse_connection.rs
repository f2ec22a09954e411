//! One connection to the sound server through libpulse's threaded main loop: the capture's
//! (`pulse_capture.rs`), the device list's (`pulse_devices.rs`) and a named sink's watch
//! (`pulse_sink_watch.rs`).

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use libpulse_binding as pulse;
use pulse::context::{self, Context};
use pulse::mainloop::threaded::Mainloop;
use pulse::stream::Stream;

use super::device_error;
use super::health::Failure;
use super::rt::Shared;
use crate::error::MediaError;

/// Longest wait for the server to accept the connection, a stream or a query.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the state is looked at while waiting.
const CONNECT_POLL: Duration = Duration::from_millis(2);

/// libpulse's objects for one connection. Everything in them is touched only with the threaded
/// main loop's lock held: by the client thread in callbacks (it holds the lock while it runs
/// them) and by the owning thread, which takes it.
pub(super) struct Connection {
    // Dropped in this order, after `Drop::drop` has disconnected and stopped the thread.
    pub stream: Option<Rc<RefCell<Stream>>>,
    pub context: Rc<RefCell<Context>>,
    pub mainloop: Mainloop,
}

/// A connection kept on a thread of its own (see [`Connection::on_own_thread`]); dropping this
/// ends the thread, which disconnects. Nothing waits for that.
pub(super) struct OwnThread {
    _stop: mpsc::Sender<()>,
}

impl Connection {
    /// Connects on a new thread named `thread` and runs `set_up` there, then keeps the
    /// connection, its thread asleep, until the returned handle is dropped. libpulse's objects
    /// are not `Send` (libpulse-binding shares them through `Rc`), so they live and die on
    /// that thread; `set_up`'s error, or the server's silence, is this call's.
    pub fn on_own_thread(
        thread: &str,
        purpose: &'static str,
        set_up: impl FnOnce(&mut Connection) -> Result<(), MediaError> + Send + 'static,
    ) -> Result<OwnThread, MediaError> {
        let (answer, answered) = mpsc::channel::<Result<(), MediaError>>();
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name(thread.into())
            .spawn(move || {
                let connected = Connection::connect(purpose).and_then(|mut connection| {
                    set_up(&mut connection)?;
                    Ok(connection)
                });
                match connected {
                    Ok(connection) => {
                        if answer.send(Ok(())).is_ok() {
                            // Until the handle is dropped.
                            let _ = stopped.recv();
                        }
                        drop(connection);
                    }
                    Err(e) => {
                        let _ = answer.send(Err(e));
                    }
                }
            })
            .map_err(|e| device_error(format!("no thread for {purpose}: {e}")))?;
        answered
            .recv_timeout(CONNECT_TIMEOUT * 2)
            .map_err(|_| device_error("the sound server did not answer".into()))??;
        Ok(OwnThread { _stop: stop })
    }

    /// Connects to the server `PULSE_SERVER` names, else the user's own (never started for us);
    /// `purpose` ("audio input") goes into the errors.
    pub fn connect(purpose: &str) -> Result<Self, MediaError> {
        let fail = |what: &str| device_error(format!("no sound server for {purpose}: {what}"));
        let mainloop = Mainloop::new().ok_or_else(|| fail("no main loop"))?;
        let context = Context::new(&mainloop, "Parla").ok_or_else(|| fail("no context"))?;
        let mut connection = Self {
            stream: None,
            context: Rc::new(RefCell::new(context)),
            mainloop,
        };
        connection
            .context
            .borrow_mut()
            .connect(None, context::FlagSet::NOAUTOSPAWN, None)
            .map_err(|e| fail(&e.to_string().unwrap_or_default()))?;
        connection
            .mainloop
            .start()
            .map_err(|e| fail(&e.to_string().unwrap_or_default()))?;
        connection.wait_until(|c| match c.context.borrow().get_state() {
            context::State::Ready => Some(Ok(())),
            context::State::Failed | context::State::Terminated => Some(Err(fail("refused"))),
            _ => None,
        })?;
        Ok(connection)
    }

    /// From now on the connection's end (the server gone) is recorded in `shared` as
    /// [`Failure::ServerGone`]. With the lock held.
    pub fn record_end_in(&self, shared: Arc<Shared>) {
        let ended = on_end(
            Rc::downgrade(&self.context),
            |c: &Context| {
                matches!(
                    c.get_state(),
                    context::State::Failed | context::State::Terminated
                )
            },
            Failure::ServerGone,
            shared,
        );
        self.context
            .borrow_mut()
            .set_state_callback(Some(Box::new(ended)));
    }

    /// Looks at `done` under the lock until it gives an answer or [`CONNECT_TIMEOUT`] passes.
    pub fn wait_until(
        &mut self,
        mut done: impl FnMut(&Self) -> Option<Result<(), MediaError>>,
    ) -> Result<(), MediaError> {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        loop {
            self.mainloop.lock();
            let answer = done(self);
            self.mainloop.unlock();
            if let Some(answer) = answer {
                return answer;
            }
            if Instant::now() >= deadline {
                return Err(device_error(
                    "the sound server did not answer within 2 s".into(),
                ));
            }
            std::thread::sleep(CONNECT_POLL);
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.mainloop.lock();
        if let Some(stream) = &self.stream {
            if let Ok(mut stream) = stream.try_borrow_mut() {
                stream.set_read_callback(None);
                stream.set_state_callback(None);
                let _ = stream.disconnect();
            }
        }
        if let Ok(mut context) = self.context.try_borrow_mut() {
            context.set_state_callback(None);
            context.disconnect();
        }
        self.mainloop.unlock();
        self.mainloop.stop();
    }
}

/// A state callback that records `failure` once `ended` says the object has ended.
pub(super) fn on_end<T: 'static>(
    object: Weak<RefCell<T>>,
    ended: impl Fn(&T) -> bool + 'static,
    failure: Failure,
    shared: Arc<Shared>,
) -> impl FnMut() + 'static {
    move || {
        let Some(object) = object.upgrade() else {
            return;
        };
        let Ok(object) = object.try_borrow() else {
            return;
        };
        if ended(&object) {
            failure.record(&shared);
        }
    }
}
