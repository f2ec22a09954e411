//! The window's line to the engine: the engine runs on its own tokio runtime thread (it needs a
//! multi-thread runtime for its media hand-offs); the window sends `Command`s without waiting
//! and receives `Event`s as a stream.

use iced::futures::Stream;
use parla_core::secrets::SecretStore;
use parla_core::{Command, Config, Engine, Event};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::mpsc;

const COMMAND_QUEUE: usize = 256;
/// How long quitting waits for the engine to hang up and un-register.
const QUIT_WAIT: Duration = Duration::from_secs(6);

#[derive(Debug, Clone)]
pub struct EngineLink {
    commands: mpsc::Sender<Command>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl EngineLink {
    /// Starts the engine on the profile folder `profile` (its contacts and call history);
    /// the events come out of the returned receiver.
    pub fn start(
        config: Config,
        secrets: Arc<dyn SecretStore>,
        profile: &Path,
    ) -> std::io::Result<(EngineLink, mpsc::UnboundedReceiver<Event>)> {
        let database = profile.join(parla_core::store::DB_FILE_NAME);
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("parla-engine")
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("parla-engine".into())
            .spawn(move || {
                let engine = Engine::new(config, event_tx, crate::headless::dns_servers())
                    .with_secrets(secrets)
                    .with_store(database);
                runtime.block_on(engine.run(command_rx));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok((
            EngineLink {
                commands: command_tx,
                thread: Arc::new(Mutex::new(Some(thread))),
            },
            event_rx,
        ))
    }

    /// A link with no engine behind it: the commands come out of the receiver (logic tests).
    #[cfg(test)]
    pub fn detached() -> (EngineLink, mpsc::Receiver<Command>) {
        let (commands, rx) = mpsc::channel(COMMAND_QUEUE);
        (
            EngineLink {
                commands,
                thread: Arc::new(Mutex::new(None)),
            },
            rx,
        )
    }

    /// Hands a command to the engine; a full queue or a stopped engine is reported, not waited on.
    pub fn send(&self, command: Command) -> Result<(), String> {
        self.commands
            .try_send(command)
            .map_err(|e| format!("the engine did not take the command: {e}"))
    }

    /// Asks the engine to hang up, un-register and stop, and waits (bounded) until it has.
    pub async fn quit(self) {
        let _ = self.commands.send(Command::Quit).await;
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let joined = tokio::task::spawn_blocking(move || thread.join());
            let _ = tokio::time::timeout(QUIT_WAIT, joined).await;
        }
    }
}

/// The engine's events as a stream for `Task::run`.
pub fn events<T: Send + 'static>(rx: mpsc::UnboundedReceiver<T>) -> impl Stream<Item = T> {
    iced::futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) })
}
