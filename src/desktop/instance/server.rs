//! The first instance's side of the control socket. It runs on its own thread with a small
//! tokio runtime, so it can be set up before the window's (iced's) runtime exists and serves
//! whatever runs the app; the app only sees a command receiver and a broadcast handle. When
//! idle the thread sleeps in the kernel: no timers, no polling.

use super::InstanceError;
use interprocess::local_socket::tokio::{prelude::*, Stream};
use interprocess::local_socket::{GenericFilePath, ListenerOptions};
use parla_core::api::ErrorKind;
use parla_core::control::{encode_event, read_commands};
use parla_core::{Command, Event};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::sync::{broadcast, mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

/// Commands from the socket waiting for the app; a client that floods gets errors back.
const COMMAND_QUEUE: usize = 64;
/// Events a client may fall behind by before it is dropped (it never holds the app up).
const EVENT_BACKLOG: usize = 256;
/// Error replies waiting for one client.
const REPLY_QUEUE: usize = 16;
/// Connections served at once; more are closed straight away.
const MAX_CLIENTS: usize = 16;
/// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(200);

/// Sends every event to every connected client. Cheap to clone and to call from sync code.
#[derive(Debug, Clone)]
pub struct EventBroadcaster(broadcast::Sender<Arc<str>>);

impl EventBroadcaster {
    pub fn broadcast(&self, event: &Event) {
        if self.0.receiver_count() == 0 {
            return;
        }
        let mut line = encode_event(event);
        line.push('\n');
        // No receiver left is not an error: nobody is listening.
        let _ = self.0.send(line.into());
    }
}

/// The control socket of the first instance. Dropping it stops serving and removes the socket.
pub struct ControlServer {
    path: PathBuf,
    commands: Option<mpsc::Receiver<Command>>,
    events: EventBroadcaster,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for ControlServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlServer")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl ControlServer {
    /// Binds `path` (mode 0600) and starts serving it on the `parla-control` thread.
    pub(super) fn start(path: PathBuf) -> Result<ControlServer, InstanceError> {
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (event_tx, _) = broadcast::channel(EVENT_BACKLOG);
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let bind_error = |source| InstanceError::Bind {
            path: path.clone(),
            source,
        };
        let serving = Serving {
            path: path.clone(),
            commands: command_tx,
            events: event_tx.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("parla-control".into())
            .spawn(move || serving.run(shutdown_rx, ready_tx))
            .map_err(bind_error)?;
        let started = ready_rx.recv().unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "the control thread ended before binding",
            ))
        });
        if let Err(e) = started {
            let _ = thread.join();
            return Err(bind_error(e));
        }
        Ok(ControlServer {
            path,
            commands: Some(command_rx),
            events: EventBroadcaster(event_tx),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The commands clients send, in order; `None` once taken. They are not checked beyond
    /// parsing: carry them out as if the person had asked (clients are this user's processes).
    pub fn take_commands(&mut self) -> Option<mpsc::Receiver<Command>> {
        self.commands.take()
    }

    pub fn broadcaster(&self) -> EventBroadcaster {
        self.events.clone()
    }

    #[cfg_attr(not(feature = "gui"), allow(dead_code))] // the window keeps the server itself
    pub fn broadcast(&self, event: &Event) {
        self.events.broadcast(event);
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the control thread owns.
struct Serving {
    path: PathBuf,
    commands: mpsc::Sender<Command>,
    events: broadcast::Sender<Arc<str>>,
}

impl Serving {
    fn run(
        self,
        shutdown: oneshot::Receiver<()>,
        ready: std::sync::mpsc::SyncSender<std::io::Result<()>>,
    ) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        runtime.block_on(async move {
            let listener = match bind(&self.path) {
                Ok(listener) => listener,
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            let _ = ready.send(Ok(()));
            tracing::info!(socket = %self.path.display(), "control socket ready");
            tokio::select! {
                _ = shutdown => {}
                () = self.accept_loop(&listener) => {}
            }
            // Dropping the listener removes the socket file.
        });
    }

    async fn accept_loop(&self, listener: &LocalSocketListener) {
        let clients = Arc::new(Semaphore::new(MAX_CLIENTS));
        loop {
            let stream = match listener.accept().await {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "control socket: accept failed");
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            };
            if !same_user(&stream) {
                continue;
            }
            let Ok(permit) = clients.clone().try_acquire_owned() else {
                tracing::warn!("control socket: too many clients; one refused");
                continue;
            };
            // Subscribed before the client's first command is read: it sees every event
            // that command causes.
            let events = self.events.subscribe();
            tokio::spawn(serve_client(stream, self.commands.clone(), events, permit));
        }
    }
}

#[cfg(unix)]
fn bind(path: &Path) -> std::io::Result<LocalSocketListener> {
    use interprocess::os::unix::local_socket::ListenerOptionsExt;
    // 0600: only this user may connect. On Linux connecting needs write permission on the
    // socket file, so this is what keeps requests from other users out.
    ListenerOptions::new()
        .name(path.to_fs_name::<GenericFilePath>()?)
        .mode(0o600)
        .create_tokio()
}

#[cfg(not(unix))]
fn bind(path: &Path) -> std::io::Result<LocalSocketListener> {
    ListenerOptions::new()
        .name(path.to_fs_name::<GenericFilePath>()?)
        .create_tokio()
}

/// Besides the 0600 mode (which some systems ignore for sockets), refuse peers that run as
/// another user.
#[cfg(unix)]
fn same_user(stream: &Stream) -> bool {
    let ours = rustix::process::geteuid().as_raw();
    match stream.peer_creds().map(|creds| creds.euid()) {
        Ok(Some(uid)) if uid == ours => true,
        other => {
            tracing::warn!(peer = ?other, "control socket: a client of another user refused");
            false
        }
    }
}

#[cfg(not(unix))]
fn same_user(_stream: &Stream) -> bool {
    true
}

/// One client: its command lines go to the app, bad lines get an `error` event back, and every
/// event is written to it. Ends when the client closes its side (after the replies are out),
/// or when it falls too far behind on events.
async fn serve_client(
    stream: Stream,
    commands: mpsc::Sender<Command>,
    mut events: broadcast::Receiver<Arc<str>>,
    _permit: OwnedSemaphorePermit,
) {
    let mut send = &stream;
    let (reply_tx, mut replies) = mpsc::channel::<Arc<str>>(REPLY_QUEUE);
    let reading = read_client(&stream, commands, reply_tx);
    tokio::pin!(reading);
    loop {
        let line = tokio::select! {
            () = &mut reading => break,
            Some(reply) = replies.recv() => reply,
            event = events.recv() => match event {
                Ok(line) => line,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "control socket: a client too slow for events dropped");
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if send.write_all(line.as_bytes()).await.is_err() {
            return;
        }
    }
    // The client is done sending: flush the error replies its last lines earned, then close.
    while let Ok(reply) = replies.try_recv() {
        if send.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_client(
    stream: &Stream,
    commands: mpsc::Sender<Command>,
    replies: mpsc::Sender<Arc<str>>,
) {
    let reply_with = |kind: ErrorKind, message: String| {
        let mut line = encode_event(&Event::error(kind, message));
        line.push('\n');
        // A client that sends garbage faster than it reads the answers loses some answers.
        let _ = replies.try_send(line.into());
    };
    let reply = |message: String| reply_with(ErrorKind::BadCommand, message);
    let submit = |command: Command| {
        if let Err(e) = commands.try_send(command) {
            reply_with(ErrorKind::EngineBusy, format!("command not taken: {e}"));
        }
        true
    };
    if let Err(e) = read_commands(BufReader::new(stream), submit, &reply).await {
        tracing::debug!(error = %e, "control socket: a client's connection failed");
    }
}
