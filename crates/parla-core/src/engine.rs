//! The engine: takes `Command`s, runs one task per account, and reports `Event`s. The GUI,
//! `parla --headless` and the control socket all drive it the same way.

mod call_features;
mod clips;
mod conference;
mod directories;
mod lines;
mod store_requests;
#[cfg(test)]
mod tests;

use crate::api::{
    AccountId, AccountStatus, CallDirection, CallId, CallState, Command, DatabaseState, ErrorKind,
    Event, RegistrationState,
};
use crate::config::{AccountConfig, AudioConfig, Config};
use crate::sdp::Codec;
use crate::secrets::SecretStore;
use crate::ua::account::{AccountMessage, Shared};
use crate::ua::calls::CallCommand;
use crate::ua::echo::EchoTest;
use crate::ua::store_link::{locale_region, region_of, StoreLink};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use store_requests::StoreRequests;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long quitting waits for calls to end and accounts to un-register.
const QUIT_GRACE: Duration = Duration::from_secs(5);
/// How long quitting then waits for the last calls to be written to the history.
const STORE_GRACE: Duration = Duration::from_secs(3);

struct AccountEntry {
    messages: mpsc::UnboundedSender<AccountMessage>,
    state: RegistrationState,
    stop: CancellationToken,
    task: JoinHandle<()>,
}

pub struct Engine {
    config: Config,
    shared: Shared,
    internal: mpsc::UnboundedReceiver<Event>,
    out: mpsc::UnboundedSender<Event>,
    accounts: BTreeMap<AccountId, AccountEntry>,
    stop: CancellationToken,
    /// Lines being stopped (removed or replaced): quitting waits for them too.
    stopping: Vec<JoinHandle<()>>,
    echo: Option<EchoTest>,
    /// What plays outside calls (messages, greetings) and greetings being recorded.
    clips: clips::Clips,
}

use crate::ua::calls::HOLD_OTHERS_WAIT;

impl Engine {
    /// `dns_servers` overrides the system resolvers (tests point it at their own DNS server).
    pub fn new(
        config: Config,
        out: mpsc::UnboundedSender<Event>,
        dns_servers: Vec<SocketAddr>,
    ) -> Self {
        let (internal_tx, internal) = mpsc::unbounded_channel();
        let shared = Shared::new(internal_tx, config.audio.clone(), dns_servers);
        shared.set_do_not_disturb(config.app.do_not_disturb);
        shared.set_auto_answer(crate::ua::auto_answer::AutoAnswer::from_app(&config.app));
        let clips = clips::Clips::new(shared.events.clone());
        Self {
            clips,
            config,
            shared,
            internal,
            out,
            accounts: BTreeMap::new(),
            stop: CancellationToken::new(),
            stopping: Vec::new(),
            echo: None,
        }
    }

    /// Where a line whose config has no password finds it (the OS keyring in the app). Without
    /// one, such a line reports `failed`.
    pub fn with_secrets(mut self, secrets: Arc<dyn SecretStore>) -> Self {
        self.shared.secrets = Some(secrets);
        self
    }

    /// The profile's database (`PROFILE/parla.db`, [`crate::store::DB_FILE_NAME`]): incoming
    /// calls are named (and blocked contacts refused) from its contacts, and every call is
    /// recorded in its history. It is opened on its own thread; one that cannot be opened is
    /// logged and the engine runs on without names and history. Without this call: neither.
    pub fn with_store(mut self, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        self.shared.profile = path.parent().map(std::path::Path::to_path_buf);
        let events = self.shared.events.clone();
        self.shared.store = StoreLink::open_then(path, move |opening| {
            let event = match opening {
                Ok(opened) => Event::Database {
                    state: DatabaseState::Ready,
                    unseen_missed: opened.unseen_missed,
                    unheard_voicemail: opened.unheard_voicemail,
                    unread_messages: opened.unread_messages,
                    moved_aside: opened.moved_aside.map(|p| p.display().to_string()),
                    reason: None,
                },
                Err(error) => Event::Database {
                    state: DatabaseState::Unavailable,
                    unseen_missed: 0,
                    unheard_voicemail: 0,
                    unread_messages: 0,
                    moved_aside: None,
                    reason: Some(error.to_string()),
                },
            };
            let _ = events.send(event);
        });
        self
    }

    /// The contacts and history commands go to the store thread; numbers without a country
    /// code are read with the default line's region.
    fn store_request(&self, command: Command) {
        let region = self
            .config
            .default_account()
            .map(region_of)
            .or_else(locale_region)
            .unwrap_or(crate::store::Region::US);
        StoreRequests {
            link: self.shared.store.clone(),
            events: self.shared.events.clone(),
            region,
            voicemail_dir: self
                .shared
                .profile
                .as_ref()
                .map(|p| p.join(crate::store::VOICEMAIL_DIR)),
        }
        .handle(command);
    }

    fn sync_directories(&self, only: Option<&AccountId>, request: Option<crate::api::RequestId>) {
        directories::sync(
            &self.config,
            only,
            &self.shared.store,
            &self.shared.events,
            request,
        );
    }

    /// Runs until `quit` or until the command channel closes.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let enabled: Vec<AccountConfig> = self
            .config
            .accounts
            .iter()
            .filter(|a| a.enabled)
            .cloned()
            .collect();
        for account in enabled {
            let id = AccountId::new(account.id.clone());
            let entry = self.spawn_account(account, None);
            self.accounts.insert(id, entry);
        }
        self.emit(Event::Ready {
            version: env!("CARGO_PKG_VERSION").into(),
        });
        // The first tick is at once: directories are synced at start, then every hour.
        let mut directory_sync = tokio::time::interval(directories::EVERY);
        directory_sync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Quit) | None => break,
                    Some(command) => self.handle(command),
                },
                Some(event) = self.internal.recv() => self.forward(event),
                _ = directory_sync.tick(), if directories::any(&self.config) => {
                    self.sync_directories(None, None);
                }
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
        let a_call_starts = matches!(
            event,
            Event::IncomingCall { .. }
                | Event::CallState {
                    state: CallState::Calling,
                    ..
                }
        );
        self.emit(event);
        if a_call_starts && self.clips.started() {
            // A message playing on the speaker would talk over the ringtone or the call.
            self.clips.handle(Command::StopPlayback, &self.shared);
        }
    }

    fn handle(&mut self, command: Command) {
        let call_command = match command {
            Command::Dial {
                account,
                to,
                identity,
                anonymous,
            } => return self.dial(account, to, identity, anonymous),
            Command::CallVoicemail { account } => return self.call_voicemail(account),
            Command::Status => return self.status(),
            // Carried out around the engine: the window, or `--headless`.
            Command::Quit | Command::Show | Command::SaveDiagnostics { .. } => return,
            Command::Answer { call } => (call, CallCommand::Answer),
            Command::Decline { call, reason } => (call, CallCommand::Decline(reason)),
            Command::Hangup { call } => (call, CallCommand::Hangup),
            Command::Dtmf { call, digits } => (call, CallCommand::Dtmf(digits)),
            Command::Hold { call } => (call, CallCommand::Hold),
            Command::Resume { call } => (call, CallCommand::Resume),
            Command::Transfer { call, to, to_call } => match (to, to_call) {
                (Some(to), None) => (call, CallCommand::Transfer(to)),
                (None, Some(consult)) => return self.attended_transfer(call, consult),
                _ => {
                    return self.emit(Event::call_error(
                        call,
                        ErrorKind::BadCommand,
                        "transfer takes exactly one of `to` and `to_call`",
                    ))
                }
            },
            Command::Mute { call, muted } => (call, CallCommand::Mute(muted)),
            Command::EchoTest { stop, codec } => return self.echo_test(stop, codec),
            Command::ListDevices => return self.list_devices(),
            Command::SetCallDevices {
                call,
                input,
                output,
            } => (call, CallCommand::SetDevices { input, output }),
            Command::SetAccount { account } => return self.set_account(*account),
            Command::RemoveAccount { account } => return self.remove_account(account),
            Command::SetDoNotDisturb { on } => {
                self.shared.set_do_not_disturb(on);
                self.config.app.do_not_disturb = on;
                return;
            }
            Command::SetAudio { audio } => return self.set_audio(audio),
            Command::SyncDirectories { account, request } => {
                return self.sync_directories(account.as_ref(), request)
            }
            store @ (Command::SearchContacts { .. }
            | Command::GetContact { .. }
            | Command::SaveContact { .. }
            | Command::DeleteContact { .. }
            | Command::SetFavourite { .. }
            | Command::SetBlocked { .. }
            | Command::ListHistory { .. }
            | Command::DeleteHistory { .. }
            | Command::ClearHistory { .. }
            | Command::MarkMissedSeen { .. }
            | Command::ImportContacts { .. }
            | Command::ListVoicemail { .. }
            | Command::SetVoicemailHeard { .. }
            | Command::DeleteVoicemail { .. }
            | Command::ExportVoicemail { .. }
            | Command::ListConversations { .. }
            | Command::ListMessages { .. }
            | Command::MarkConversationRead { .. }
            | Command::DeleteConversation { .. }) => return self.store_request(store),
            Command::Pickup { account, uri } => return self.place(account, uri, Place::Pickup),
            Command::SetPresence { state } => return self.shared.set_own_presence(state),
            // Messages: the line sends; the store keeps and lists.
            Command::SendMessage {
                account,
                to,
                text,
                request,
            } => return self.send_message(account, to, text, request),
            Command::RetryMessage { id, request } => {
                let lines = self
                    .accounts
                    .iter()
                    .map(|(id, entry)| (id.clone(), entry.messages.clone()))
                    .collect();
                let (store, events) = (self.shared.store.clone(), self.shared.events.clone());
                tokio::spawn(crate::ua::message::retry(store, events, id, request, lines));
                return;
            }
            conference @ (Command::Conference { .. }
            | Command::Split { .. }
            | Command::MuteParticipant { .. }
            | Command::Record { .. }
            | Command::Park { .. }) => return self.handle_conference(conference),
            feature @ (Command::FeatureCode { .. }
            | Command::SetForwarding { .. }
            | Command::SetAutoAnswer { .. }) => return self.handle_call_feature(feature),
            clip @ (Command::PlayVoicemail { .. }
            | Command::PlayGreeting { .. }
            | Command::PausePlayback
            | Command::SeekPlayback { .. }
            | Command::StopPlayback
            | Command::RecordGreeting { .. }
            | Command::KeepGreeting { .. }) => return self.clips.handle(clip, &self.shared),
        };
        let (call, command) = call_command;
        if self.conference_call_command(call, &command) {
            return;
        }
        let makes_active = matches!(command, CallCommand::Answer | CallCommand::Resume);
        if makes_active && self.shared.calls.another_connected(call) {
            // One active call: the others are held (and the holds answered) first.
            let calls = self.shared.calls.clone();
            tokio::spawn(async move {
                calls
                    .hold_others(call, tokio::time::Instant::now() + HOLD_OTHERS_WAIT)
                    .await;
                if !calls.send(call, command) {
                    tracing::debug!(%call, "the call ended while the others were being held");
                }
            });
            return;
        }
        let call_command = (call, command);
        if !self
            .shared
            .calls
            .send(call_command.0, call_command.1.clone())
        {
            self.emit(Event::call_error(
                call_command.0,
                ErrorKind::NoSuchCall,
                format!("there is no call {}", call_command.0),
            ));
        }
    }

    fn set_audio(&mut self, audio: AudioConfig) {
        if let Err(message) = audio.validate() {
            return self.emit(Event::error(
                ErrorKind::InvalidAudio,
                format!("audio: {message}"),
            ));
        }
        self.shared.set_audio(audio.clone());
        self.config.audio = audio;
    }

    /// Dials the line's mailbox: its own voicemail number, else the server's Message-Account.
    fn call_voicemail(&mut self, account: Option<AccountId>) {
        let account = account.or_else(|| {
            self.config
                .default_account()
                .map(|a| AccountId::new(a.id.clone()))
        });
        let Some(account) = account else {
            return self.emit(Event::error(
                ErrorKind::NoAccount,
                "no account to call from: add one to config.toml",
            ));
        };
        let configured = self
            .config
            .accounts
            .iter()
            .find(|a| a.id == account.as_str())
            .and_then(|a| a.voicemail_number.clone())
            .filter(|n| !n.trim().is_empty());
        let learned = || {
            self.shared
                .mailboxes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&account)
                .cloned()
        };
        let number = configured
            .or_else(learned)
            .or_else(|| self.voicemail_code(&account));
        match number {
            Some(number) => self.place(Some(account), number, Place::Dial),
            None => self.emit(Event::account_error(
                account.clone(),
                ErrorKind::NoVoicemailNumber,
                format!("account {account} has no voicemail number (set voicemail_number)"),
            )),
        }
    }

    /// Attended transfer of `call` to the far end of `consult`: the call gets the consult
    /// call's dialog to name in its REFER.
    fn attended_transfer(&mut self, call: CallId, consult: CallId) {
        let refused = |why: String| Event::call_error(call, ErrorKind::TransferFailed, why);
        if call == consult {
            return self.emit(refused(format!(
                "call {call}: not transferred: a call cannot be transferred to itself"
            )));
        }
        let Some((status, target)) = self.shared.calls.dialog_of(consult) else {
            return self.emit(refused(format!(
                "call {call}: not transferred: call {consult} is not connected"
            )));
        };
        if !matches!(
            status.state,
            CallState::Connected | CallState::OnHold | CallState::Held
        ) {
            return self.emit(refused(format!(
                "call {call}: not transferred: call {consult} is not connected"
            )));
        }
        let command = CallCommand::TransferReplacing {
            consult,
            target,
            reversed: false,
        };
        if !self.shared.calls.send(call, command) {
            self.emit(Event::call_error(
                call,
                ErrorKind::NoSuchCall,
                format!("there is no call {call}"),
            ));
        }
    }

    /// `send_message`: to the named line, else the default one, which checks and sends it.
    fn send_message(
        &mut self,
        account: Option<AccountId>,
        to: String,
        text: String,
        request: Option<crate::api::RequestId>,
    ) {
        let refused = |kind, message: String, account| Event::Error {
            kind,
            message,
            call: None,
            account,
            request,
        };
        if let Err(why) = crate::ua::message::check_text(&text) {
            return self.emit(refused(ErrorKind::InvalidMessage, why, account));
        }
        let Some(account) = account.or_else(|| {
            let line = self.config.default_account();
            line.map(|a| AccountId::new(a.id.clone()))
        }) else {
            let why = "no account to send from: add one to config.toml".into();
            return self.emit(refused(ErrorKind::NoAccount, why, None));
        };
        let Some(entry) = self.accounts.get(&account) else {
            let why = format!("there is no enabled account {account:?}");
            return self.emit(refused(ErrorKind::NoSuchAccount, why, Some(account)));
        };
        let message = AccountMessage::SendMessage { to, text, request };
        if entry.messages.send(message).is_err() {
            let why = format!("account {account} has stopped");
            self.emit(refused(ErrorKind::AccountStopped, why, Some(account)));
        }
    }

    /// A new outgoing call on a line: `dial`, or `pickup` (`to` is then the watched uri).
    fn place(&mut self, account: Option<AccountId>, to: String, how: Place) {
        self.place_as(account, to, how, None);
    }

    /// [`Self::place`] showing `caller_id` (an identity of the line, or anonymous).
    fn place_as(
        &mut self,
        account: Option<AccountId>,
        to: String,
        how: Place,
        caller_id: Option<crate::ua::identity::CallerId>,
    ) {
        let account = match account {
            Some(id) => id,
            None => match self.config.default_account() {
                Some(a) => AccountId::new(a.id.clone()),
                None => {
                    return self.emit(Event::error(
                        ErrorKind::NoAccount,
                        "no account to call from: add one to config.toml",
                    ))
                }
            },
        };
        let Some(entry) = self.accounts.get(&account) else {
            return self.emit(Event::account_error(
                account.clone(),
                ErrorKind::NoSuchAccount,
                format!("there is no enabled account {account:?}"),
            ));
        };
        if self.shared.calls.ids().len() >= crate::ua::account::MAX_CALLS {
            return self.emit(Event::error(
                ErrorKind::TooManyCalls,
                "too many calls at once",
            ));
        }
        let call = self.shared.next_call_id();
        let others_connected = self.shared.calls.another_connected(call);
        let commands = self.shared.calls.insert(
            call,
            account.clone(),
            CallDirection::Outgoing,
            to.clone(),
            CallState::Calling,
        );
        if others_connected {
            // One active call: the new one is placed once the others are held.
            let (calls, messages, events) = (
                self.shared.calls.clone(),
                entry.messages.clone(),
                self.shared.events.clone(),
            );
            tokio::spawn(async move {
                calls
                    .hold_others(call, tokio::time::Instant::now() + HOLD_OTHERS_WAIT)
                    .await;
                if messages
                    .send(how.message(call, to, commands, caller_id))
                    .is_err()
                {
                    calls.remove(call);
                    let _ = events.send(Event::account_error(
                        account.clone(),
                        ErrorKind::AccountStopped,
                        format!("account {account} has stopped"),
                    ));
                }
            });
            return;
        }
        if entry
            .messages
            .send(how.message(call, to, commands, caller_id))
            .is_err()
        {
            self.shared.calls.remove(call);
            self.emit(Event::account_error(
                account.clone(),
                ErrorKind::AccountStopped,
                format!("account {account} has stopped"),
            ));
        }
    }

    fn echo_test(&mut self, stop: bool, codec: Option<Codec>) {
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
            return self.emit(Event::error(
                ErrorKind::EchoTestNotRunning,
                "the echo test is not running",
            ));
        }
        let codec = codec.unwrap_or(Codec::Opus);
        match EchoTest::start(&self.config.audio, codec, self.shared.events.clone()) {
            Ok(echo) => {
                self.echo = Some(echo);
                self.emit(Event::EchoTest {
                    state: "running".into(),
                    reason: None,
                });
            }
            Err(reason) => self.emit(Event::EchoTest {
                state: "stopped".into(),
                reason: Some(reason.to_string()),
            }),
        }
    }

    /// Asking the audio system can block (ALSA probes its plugins): off the async workers.
    fn list_devices(&self) {
        let events = self.shared.events.clone();
        tokio::spawn(async move {
            let listing = tokio::task::spawn_blocking(crate::ua::devices::labelled_devices);
            let event = match listing.await {
                Ok((inputs, outputs, labels)) => Event::Devices {
                    inputs,
                    outputs,
                    labels,
                },
                Err(e) => Event::error(
                    ErrorKind::DevicesUnavailable,
                    format!("cannot list the audio devices: {e}"),
                ),
            };
            let _ = events.send(event);
        });
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
            do_not_disturb: self.shared.do_not_disturb(),
        });
    }

    /// Hangs up every call, then un-registers every account, within a grace period.
    async fn quit(mut self) {
        if self.clips.started() {
            self.clips.handle(Command::StopPlayback, &self.shared);
        }
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
        let mut tasks: Vec<JoinHandle<()>> = std::mem::take(&mut self.accounts)
            .into_values()
            .map(|a| a.task)
            .collect();
        tasks.append(&mut self.stopping);
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
        // Every ended call has queued its history row by now: let them be written.
        self.shared.store.close(STORE_GRACE).await;
    }
}

async fn futures_join_all(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

/// Which kind of outgoing call [`Engine::place`] starts.
#[derive(Clone, Copy)]
enum Place {
    Dial,
    Pickup,
}

impl Place {
    fn message(
        self,
        call: CallId,
        to: String,
        commands: mpsc::UnboundedReceiver<CallCommand>,
        caller_id: Option<crate::ua::identity::CallerId>,
    ) -> AccountMessage {
        match self {
            Place::Dial => AccountMessage::Dial {
                call,
                to,
                commands,
                caller_id,
            },
            Place::Pickup => AccountMessage::Pickup {
                call,
                uri: to,
                commands,
            },
        }
    }
}
