//! `parla --headless`: the engine with JSON commands on stdin and JSON events on stdout.

use crate::desktop::instance::ControlServer;
use parla_core::api::ErrorKind;
use parla_core::control::{read_commands, write_event};
use parla_core::{Command, Config, Engine, Event};
use std::net::SocketAddr;
use tokio::sync::mpsc;

/// Commands queued before the engine takes them; a client that floods stdin gets errors, not memory growth.
const COMMAND_QUEUE: usize = 256;

/// `PARLA_DNS_SERVERS=ip:port,...` replaces the system resolvers (tests run their own DNS server).
pub fn dns_servers() -> Vec<SocketAddr> {
    std::env::var("PARLA_DNS_SERVERS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| {
            let s = s.trim();
            let parsed = s.parse().ok();
            if parsed.is_none() && !s.is_empty() {
                tracing::warn!(
                    server = s,
                    "PARLA_DNS_SERVERS entry is not ip:port; ignored"
                );
            }
            parsed
        })
        .collect()
}

/// Runs until `quit` or the end of stdin. With `control`, commands from the control socket
/// are carried out too and every event also goes to its clients; `dial` is called once the
/// engine is up.
pub fn run(
    config: Config,
    profile: &std::path::Path,
    mut control: Option<ControlServer>,
    dial: Option<String>,
) -> anyhow::Result<()> {
    let socket_commands = control.as_mut().and_then(ControlServer::take_commands);
    let broadcaster = control.as_ref().map(ControlServer::broadcaster);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (event_tx, mut event_rx) = mpsc::unbounded_channel::<Event>();
        let (command_tx, command_rx) = mpsc::channel::<Command>(COMMAND_QUEUE);
        // A line with no password in config.toml finds it in the keyring (saved by the app).
        let keyring = std::sync::Arc::new(parla_core::secrets::OsKeyring::new(profile));
        let engine = Engine::new(config, event_tx.clone(), dns_servers())
            .with_secrets(keyring)
            .with_store(profile.join(parla_core::store::DB_FILE_NAME));
        let engine_task = tokio::spawn(engine.run(command_rx));
        // Commands from stdin and the socket pass here first: the few the engine leaves to the
        // program around it (the diagnostics bundle) are carried out, the rest go on.
        let (front_tx, front_rx) = mpsc::channel::<Command>(COMMAND_QUEUE);
        let dispatcher = tokio::spawn(dispatch(
            front_rx,
            command_tx,
            event_tx.clone(),
            profile.to_path_buf(),
        ));
        let command_tx = front_tx;
        // The engine reads commands only after it has reported `ready`.
        if let Some(to) = dial {
            let _ = command_tx.try_send(Command::Dial {
                account: None,
                to,
                identity: None,
                anonymous: false,
            });
        }
        let forwarder = tokio::spawn(forward(socket_commands, command_tx.clone()));
        let (forwardings, changed) = mpsc::unbounded_channel();
        let persister = tokio::spawn(persist_forwarding(changed, profile.to_path_buf()));

        let writer = tokio::spawn(async move {
            let mut stdout = tokio::io::stdout();
            let mut stdout_open = true;
            while let Some(event) = event_rx.recv().await {
                if let Event::Forwarding {
                    account,
                    forwarding,
                    ..
                } = &event
                {
                    let _ = forwardings.send((account.clone(), forwarding.clone()));
                }
                if let Some(broadcaster) = &broadcaster {
                    broadcaster.broadcast(&event);
                }
                if stdout_open && write_event(&mut stdout, &event).await.is_err() {
                    stdout_open = false;
                }
            }
        });

        let errors = event_tx.clone();
        let reader = tokio::spawn(async move {
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let submit = |command: Command| {
                let quit = command == Command::Quit;
                if let Err(e) = command_tx.try_send(command) {
                    let _ = errors.send(Event::error(
                        ErrorKind::EngineBusy,
                        format!("command not taken: {e}"),
                    ));
                }
                !quit
            };
            let reject = |message: String| {
                let _ = errors.send(Event::error(ErrorKind::BadCommand, message));
            };
            if let Err(e) = read_commands(stdin, submit, reject).await {
                tracing::warn!(error = %e, "stdin closed with an error");
            }
            // EOF on stdin quits too (after a `quit` this one finds the engine gone).
            let _ = command_tx.send(Command::Quit).await;
        });

        let _ = engine_task.await;
        reader.abort();
        forwarder.abort();
        dispatcher.abort();
        drop(event_tx);
        let _ = writer.await;
        let _ = persister.await;
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    drop(control);
    Ok(())
}

/// Carries out `save_diagnostics` (off the async workers) and hands every other command to
/// the engine.
async fn dispatch(
    mut commands: mpsc::Receiver<Command>,
    engine: mpsc::Sender<Command>,
    events: mpsc::UnboundedSender<Event>,
    profile: std::path::PathBuf,
) {
    while let Some(command) = commands.recv().await {
        match command {
            Command::SaveDiagnostics { output, request } => {
                let profile = profile.clone();
                let events = events.clone();
                tokio::spawn(async move {
                    let answer = tokio::task::spawn_blocking(move || {
                        crate::diagnostics::answer(&profile, output.as_deref(), request)
                    })
                    .await
                    .unwrap_or_else(|e| {
                        Event::request_error(request, ErrorKind::Internal, e.to_string())
                    });
                    let _ = events.send(answer);
                });
            }
            command => {
                if engine.send(command).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Commands from the control socket go to the engine like those read from stdin.
async fn forward(commands: Option<mpsc::Receiver<Command>>, engine: mpsc::Sender<Command>) {
    let Some(mut commands) = commands else {
        return;
    };
    while let Some(command) = commands.recv().await {
        if engine.send(command).await.is_err() {
            return;
        }
    }
}

/// The engine does not write config.toml: a line's forwarding it reports (`set_forwarding`)
/// is kept there, one change after the other, when it differs from what the file says. The
/// first report of each line (its start, from the file) is only noted: no file work at start.
async fn persist_forwarding(
    mut changed: mpsc::UnboundedReceiver<(
        parla_core::api::AccountId,
        parla_core::config::ForwardingConfig,
    )>,
    profile: std::path::PathBuf,
) {
    let mut known = std::collections::HashMap::new();
    while let Some((account, forwarding)) = changed.recv().await {
        match known.insert(account.clone(), forwarding.clone()) {
            None => continue,
            Some(before) if before == forwarding => continue,
            Some(_) => {}
        }
        let profile = profile.clone();
        let saved = tokio::task::spawn_blocking(move || {
            let mut config = Config::load_profile(&profile)?;
            let Some(line) = config
                .accounts
                .iter_mut()
                .find(|a| a.id == account.as_str())
            else {
                return Ok(());
            };
            if line.forwarding == forwarding {
                return Ok(());
            }
            line.forwarding = forwarding;
            config.save_profile(&profile)
        })
        .await;
        match saved {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "forwarding not saved to config.toml"),
            Err(e) => tracing::warn!(error = %e, "forwarding not saved to config.toml"),
        }
    }
}
