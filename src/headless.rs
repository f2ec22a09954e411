//! `parla --headless`: the engine with JSON commands on stdin and JSON events on stdout.

use parla_core::control::{read_commands, write_event};
use parla_core::{Command, Config, Engine, Event};
use std::net::SocketAddr;
use tokio::sync::mpsc;

/// Commands queued before the engine takes them; a client that floods stdin gets errors, not memory growth.
const COMMAND_QUEUE: usize = 256;

/// `PARLA_DNS_SERVERS=ip:port,...` replaces the system resolvers (tests run their own DNS server).
fn dns_servers() -> Vec<SocketAddr> {
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

pub fn run(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (event_tx, mut event_rx) = mpsc::unbounded_channel::<Event>();
        let (command_tx, command_rx) = mpsc::channel::<Command>(COMMAND_QUEUE);
        let engine = Engine::new(config, event_tx.clone(), dns_servers());
        let engine_task = tokio::spawn(engine.run(command_rx));

        let writer = tokio::spawn(async move {
            let mut stdout = tokio::io::stdout();
            while let Some(event) = event_rx.recv().await {
                if write_event(&mut stdout, &event).await.is_err() {
                    break;
                }
            }
        });

        let errors = event_tx.clone();
        let reader = tokio::spawn(async move {
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let submit = |command: Command| {
                let quit = command == Command::Quit;
                if let Err(e) = command_tx.try_send(command) {
                    let _ = errors.send(Event::error(format!("command not taken: {e}")));
                }
                !quit
            };
            let reject = |message: String| {
                let _ = errors.send(Event::error(message));
            };
            if let Err(e) = read_commands(stdin, submit, reject).await {
                tracing::warn!(error = %e, "stdin closed with an error");
            }
            // EOF on stdin quits too: the command sender is dropped here.
        });

        let _ = engine_task.await;
        reader.abort();
        drop(event_tx);
        let _ = writer.await;
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(())
}
