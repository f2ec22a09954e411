//! The engine: takes `Command`s, runs one task per account, and reports `Event`s. The GUI,
//! `parla --headless` and the control socket all drive it the same way.

use crate::api::{
    AccountId, AccountStatus, CallDirection, CallState, Command, Event, RegistrationState,
};
use crate::config::Config;
use crate::ua::account::{AccountMessage, AccountTask, Shared};
use crate::ua::calls::CallCommand;
use crate::ua::echo::EchoTest;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long quitting waits for calls to end and accounts to un-register.
const QUIT_GRACE: Duration = Duration::from_secs(5);

struct AccountEntry {
    messages: mpsc::UnboundedSender<AccountMessage>,
    state: RegistrationState,
    task: JoinHandle<()>,
}

pub struct Engine {
    config: Config,
    shared: Shared,
    internal: mpsc::UnboundedReceiver<Event>,
    out: mpsc::UnboundedSender<Event>,
    accounts: BTreeMap<AccountId, AccountEntry>,
    stop: CancellationToken,
    echo: Option<EchoTest>,
}

impl Engine {
    /// `dns_servers` overrides the system resolvers (tests point it at their own DNS server).
    pub fn new(
        config: Config,
        out: mpsc::UnboundedSender<Event>,
        dns_servers: Vec<SocketAddr>,
    ) -> Self {
        let (internal_tx, internal) = mpsc::unbounded_channel();
        let shared = Shared::new(internal_tx, config.audio.clone(), dns_servers);
        Self {
            config,
            shared,
            internal,
            out,
            accounts: BTreeMap::new(),
            stop: CancellationToken::new(),
            echo: None,
        }
    }

    /// Runs until `quit` or until the command channel closes.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        for account in self.config.accounts.iter().filter(|a| a.enabled) {
            let (tx, rx) = mpsc::unbounded_channel();
            let task = AccountTask {
                config: account.clone(),
                shared: self.shared.clone(),
            };
            let handle = tokio::spawn(task.run(rx, self.stop.child_token()));
            let state = RegistrationState::Unregistered;
            self.accounts.insert(
                AccountId::new(account.id.clone()),
                AccountEntry {
                    messages: tx,
                    state,
                    task: handle,
                },
            );
        }
        self.emit(Event::Ready {
            version: env!("CARGO_PKG_VERSION").into(),
        });
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Quit) | None => break,
                    Some(command) => self.handle(command),
                },
                Some(event) = self.internal.recv() => self.forward(event),
            }
        }
        self.quit().await;
    }

    fn emit(&self, event: Event) {
        let _ = self.out.send(event);
    }

    fn forward(&mut self, event: Event) {
        if let Event::Registration { account, state, .. } = &event {
            if let Some(entry) = self.accounts.get_mut(account) {
                entry.state = *state;
            }
        }
        self.emit(event);
    }

    fn handle(&mut self, command: Command) {
        let call_command = match command {
            Command::Dial { account, to } => return self.dial(account, to),
            Command::Status => return self.status(),
            Command::Quit => return,
            Command::Answer { call } => (call, CallCommand::Answer),
            Command::Decline { call, reason } => (call, CallCommand::Decline(reason)),
            Command::Hangup { call } => (call, CallCommand::Hangup),
            Command::Dtmf { call, digits } => (call, CallCommand::Dtmf(digits)),
            Command::Hold { call } => (call, CallCommand::Hold),
            Command::Resume { call } => (call, CallCommand::Resume),
            Command::Mute { call, muted } => (call, CallCommand::Mute(muted)),
            Command::EchoTest { stop } => return self.echo_test(stop),
        };
        if !self
            .shared
            .calls
            .send(call_command.0, call_command.1.clone())
        {
            self.emit(Event::error(format!("there is no call {}", call_command.0)));
        }
    }

    fn dial(&mut self, account: Option<AccountId>, to: String) {
        let account = match account {
            Some(id) => id,
            None => match self.config.default_account() {
                Some(a) => AccountId::new(a.id.clone()),
                None => {
                    return self.emit(Event::error(
                        "no account to call from: add one to config.toml",
                    ))
                }
            },
        };
        let Some(entry) = self.accounts.get(&account) else {
            return self.emit(Event::error(format!(
                "there is no enabled account {account:?}"
            )));
        };
        if self.shared.calls.ids().len() >= crate::ua::account::MAX_CALLS {
            return self.emit(Event::error("too many calls at once"));
        }
        let call = self.shared.next_call_id();
        let commands = self.shared.calls.insert(
            call,
            account.clone(),
            CallDirection::Outgoing,
            to.clone(),
            CallState::Calling,
        );
        if entry
            .messages
            .send(AccountMessage::Dial { call, to, commands })
            .is_err()
        {
            self.shared.calls.remove(call);
            self.emit(Event::error(format!("account {account} has stopped")));
        }
    }

    fn echo_test(&mut self, stop: bool) {
        if let Some(running) = self.echo.take() {
            // Stopping joins the media thread and closes files: off the async workers, and
            // `stopped` only once the speaker file is complete.
            let events = self.shared.events.clone();
            tokio::spawn(async move {
                let _ = tokio::task::spawn_blocking(move || running.stop()).await;
                if stop {
                    let _ = events.send(Event::EchoTest {
                        state: "stopped".into(),
                        reason: None,
                    });
                }
            });
            if stop {
                return;
            }
        } else if stop {
            return self.emit(Event::error("the echo test is not running"));
        }
        match EchoTest::start(&self.config.audio) {
            Ok(echo) => {
                self.echo = Some(echo);
                self.emit(Event::EchoTest {
                    state: "running".into(),
                    reason: None,
                });
            }
            Err(reason) => self.emit(Event::EchoTest {
                state: "stopped".into(),
                reason: Some(reason),
            }),
        }
    }

    fn status(&self) {
        let accounts = self
            .accounts
            .iter()
            .map(|(account, entry)| AccountStatus {
                account: account.clone(),
                state: entry.state,
            })
            .collect();
        self.emit(Event::Status {
            accounts,
            calls: self.shared.calls.snapshot(),
        });
    }

    /// Hangs up every call, then un-registers every account, within a grace period.
    async fn quit(mut self) {
        if let Some(echo) = self.echo.take() {
            let _ = tokio::task::spawn_blocking(move || echo.stop()).await;
        }
        for call in self.shared.calls.ids() {
            self.shared.calls.send(call, CallCommand::Hangup);
        }
        let deadline = tokio::time::Instant::now() + QUIT_GRACE;
        while !self.shared.calls.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                Some(event) = self.internal.recv() => self.forward(event),
            }
        }
        self.stop.cancel();
        let tasks: Vec<JoinHandle<()>> = std::mem::take(&mut self.accounts)
            .into_values()
            .map(|a| a.task)
            .collect();
        let all = futures_join_all(tasks);
        tokio::pin!(all);
        loop {
            tokio::select! {
                _ = &mut all => break,
                _ = tokio::time::sleep_until(deadline) => break,
                Some(event) = self.internal.recv() => self.forward(event),
            }
        }
        while let Ok(event) = self.internal.try_recv() {
            self.forward(event);
        }
    }
}

async fn futures_join_all(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}
