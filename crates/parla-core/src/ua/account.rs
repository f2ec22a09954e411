//! One task per account ("line"): brings its SIP stack up (retrying while the server cannot be
//! found), keeps it registered, takes incoming requests and starts calls.

use super::call::{incoming::caller_of, record, run_incoming, run_outgoing, CallEnv};
use super::calls::{CallCommand, CallRegistry};
use super::registration::RegistrationLoop;
use super::sip_registrar::SipRegistrar;
use super::stack::{SipStack, StackError};
use super::store_link::{region_of, StoreLink};
use super::uri::dial_target;
use crate::api::{AccountId, CallDirection, CallId, CallState, Event, RegistrationState};
use crate::config::{AccountConfig, AudioConfig};
use crate::secrets::{SecretError, SecretStore};
use crate::store::{CallResult, Region};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Method, StatusCode, Uri};
use rsipstack::transaction::{Transaction, TransactionReceiver};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Most calls at once, all lines together: beyond it an INVITE gets 486, so a flood of INVITEs
/// cannot exhaust ports and threads.
pub const MAX_CALLS: usize = 16;
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY, MESSAGE";
const SETUP_RETRY_FIRST: Duration = Duration::from_secs(5);
const SETUP_RETRY_CAP: Duration = Duration::from_secs(300);

/// Why a line that must register does not: no password in the config nor in the keyring.
pub const NO_PASSWORD: &str = "no password saved for this line";

/// What every account task shares with the engine.
#[derive(Clone)]
pub struct Shared {
    pub events: mpsc::UnboundedSender<Event>,
    pub calls: CallRegistry,
    pub dns_servers: Vec<SocketAddr>,
    /// Where passwords missing from the config are looked up; none: nowhere.
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// Caller names and the call history (the profile's database); none: no names, no history.
    pub store: StoreLink,
    /// Read when a call or tone starts; `set_audio` changes it for the ones after.
    audio: Arc<RwLock<AudioConfig>>,
    do_not_disturb: Arc<AtomicBool>,
    next_call: Arc<AtomicU64>,
}

impl Shared {
    pub fn new(
        events: mpsc::UnboundedSender<Event>,
        audio: AudioConfig,
        dns_servers: Vec<SocketAddr>,
    ) -> Self {
        Self {
            events,
            calls: CallRegistry::default(),
            dns_servers,
            secrets: None,
            store: StoreLink::none(),
            audio: Arc::new(RwLock::new(audio)),
            do_not_disturb: Arc::new(AtomicBool::new(false)),
            next_call: Arc::new(AtomicU64::new(1)),
        }
    }

    pub fn next_call_id(&self) -> CallId {
        CallId(self.next_call.fetch_add(1, Ordering::Relaxed))
    }

    pub fn audio(&self) -> AudioConfig {
        self.audio
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_audio(&self, audio: AudioConfig) {
        *self.audio.write().unwrap_or_else(PoisonError::into_inner) = audio;
    }

    pub fn do_not_disturb(&self) -> bool {
        self.do_not_disturb.load(Ordering::Relaxed)
    }

    pub fn set_do_not_disturb(&self, on: bool) {
        self.do_not_disturb.store(on, Ordering::Relaxed);
    }

    fn emit_registration(
        &self,
        account: &AccountId,
        state: RegistrationState,
        reason: Option<String>,
    ) {
        let _ = self.events.send(Event::Registration {
            account: account.clone(),
            state,
            code: None,
            reason,
            expires: None,
        });
    }
}

pub enum AccountMessage {
    Dial {
        call: CallId,
        to: String,
        commands: mpsc::UnboundedReceiver<CallCommand>,
    },
}

pub struct AccountTask {
    pub config: AccountConfig,
    pub shared: Shared,
}

struct Running {
    id: AccountId,
    config: AccountConfig,
    /// The country for numbers without a country code (caller lookup, history).
    region: Region,
    shared: Shared,
    stack: Arc<SipStack>,
    contact: watch::Receiver<Option<Uri>>,
}

impl AccountTask {
    /// Runs the line until `stop` (or until the engine drops its sender); the last event of a
    /// line is always `unregistered`.
    pub async fn run(
        self,
        messages: mpsc::UnboundedReceiver<AccountMessage>,
        stop: CancellationToken,
    ) {
        let id = AccountId::new(self.config.id.clone());
        let shared = self.shared.clone();
        if !self.run_line(id.clone(), messages, stop).await {
            shared.emit_registration(&id, RegistrationState::Unregistered, None);
        }
    }

    /// The password from the config, else from the keyring. `Err` says why there is none.
    async fn resolve_password(&mut self, id: &AccountId) -> Result<(), String> {
        if self.config.password.is_some() {
            return Ok(());
        }
        let Some(store) = self.shared.secrets.clone() else {
            return Err(NO_PASSWORD.into());
        };
        let account = id.to_string();
        match crate::secrets::call(store, move |s| s.get(&account)).await {
            Ok(Some(password)) => {
                self.config.password = Some(password);
                Ok(())
            }
            Ok(None) => Err(NO_PASSWORD.into()),
            Err(SecretError::Unavailable) => Err(format!("{NO_PASSWORD} (no keyring is running)")),
            Err(e) => Err(format!("{NO_PASSWORD} ({e})")),
        }
    }

    /// Returns whether the registration loop ran (it reports `unregistered` itself).
    async fn run_line(
        mut self,
        id: AccountId,
        mut messages: mpsc::UnboundedReceiver<AccountMessage>,
        stop: CancellationToken,
    ) -> bool {
        // A line that only listens needs no password (and must not wake a locked keyring).
        let needs_password = self.config.register || self.config.outbound_proxy.is_some();
        let resolved = if needs_password {
            tokio::select! {
                _ = stop.cancelled() => return false,
                resolved = self.resolve_password(&id) => resolved,
            }
        } else {
            Ok(())
        };
        if let Err(reason) = resolved {
            if self.config.register {
                tracing::warn!(account = %id, %reason, "line not registered");
                self.shared
                    .emit_registration(&id, RegistrationState::Failed, Some(reason));
                // Nothing to retry until the person saves a password (a new set_account).
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => return false,
                        message = messages.recv() => match message {
                            Some(message) => refuse_dial(&self.shared, message, NO_PASSWORD),
                            None => return false,
                        },
                    }
                }
            }
        }
        let mut failures = 0u32;
        let parts = loop {
            let started = tokio::select! {
                _ = stop.cancelled() => return false,
                started = SipStack::start(&self.config, &self.shared.dns_servers) => started,
            };
            match started {
                Ok(parts) => break parts,
                Err(e) => {
                    failures += 1;
                    self.report_setup_failure(&id, &e, failures);
                    let wait = SETUP_RETRY_FIRST
                        .saturating_mul(1 << failures.min(6))
                        .min(SETUP_RETRY_CAP);
                    tokio::select! {
                        _ = stop.cancelled() => return false,
                        _ = tokio::time::sleep(wait) => {}
                        // Dial attempts while the line is down are answered at once.
                        Some(message) = messages.recv() => refuse_dial(&self.shared, message, "the line is not connected"),
                    }
                }
            }
        };
        let (contact_tx, contact) = watch::channel(None);
        let running = Arc::new(Running {
            id: id.clone(),
            region: region_of(&self.config),
            config: self.config,
            shared: self.shared,
            stack: parts.stack,
            contact,
        });

        let registration_stop = stop.child_token();
        let registration = if running.config.register {
            let registrar =
                SipRegistrar::new(&running.stack, running.credential_or_empty(), contact_tx);
            let lp = RegistrationLoop {
                account: id.clone(),
                registrar,
                expires: running.config.expires,
                events: running.shared.events.clone(),
            };
            Some(tokio::spawn(lp.run(registration_stop.clone())))
        } else {
            None
        };
        let incoming = tokio::spawn(serve_incoming(running.clone(), parts.incoming));

        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                message = messages.recv() => match message {
                    Some(AccountMessage::Dial { call, to, commands }) => running.dial(call, &to, commands),
                    None => break,
                },
            }
        }
        registration_stop.cancel();
        let registered = registration.is_some();
        if let Some(task) = registration {
            let _ = task.await;
        }
        incoming.abort();
        running.stack.shutdown();
        registered
    }

    fn report_setup_failure(&self, id: &AccountId, error: &StackError, failures: u32) {
        tracing::warn!(account = %id, error = %error, "line cannot start");
        if failures == 1 {
            let _ = self.shared.events.send(Event::Registration {
                account: id.clone(),
                state: RegistrationState::Failed,
                code: Some(match error {
                    StackError::Config(_) | StackError::Tls(_) => 400,
                    _ => 408,
                }),
                reason: Some(error.to_string()),
                expires: None,
            });
        }
    }
}

fn refuse_dial(shared: &Shared, message: AccountMessage, why: &str) {
    let AccountMessage::Dial { call, .. } = message;
    shared.calls.remove(call);
    let _ = shared.events.send(Event::call_ended(call, why, None));
}

impl Running {
    fn credential(&self) -> Option<Credential> {
        self.config.password.as_ref().map(|password| Credential {
            username: self.config.username.clone(),
            password: password.clone(),
            realm: None,
            auth_username: self.config.auth_username.clone(),
        })
    }

    fn credential_or_empty(&self) -> Credential {
        self.credential().unwrap_or_else(|| Credential {
            username: self.config.username.clone(),
            ..Default::default()
        })
    }

    fn aor(&self) -> Option<Uri> {
        Uri::try_from(format!("sip:{}@{}", self.config.username, self.config.domain).as_str()).ok()
    }

    /// The Contact for dialogs: what the registrar saw of us, else our own UDP address.
    fn contact(&self) -> Option<Uri> {
        if let Some(uri) = self.contact.borrow().clone() {
            return Some(uri);
        }
        let addr = self.stack.udp_addr()?;
        Some(Uri {
            scheme: Some(rsipstack::sip::Scheme::Sip),
            auth: Some(rsipstack::sip::Auth {
                user: self.config.username.clone(),
                password: None,
            }),
            host_with_port: addr.addr,
            params: vec![],
            headers: vec![],
        })
    }

    fn call_env(&self) -> Option<CallEnv> {
        Some(CallEnv {
            account: self.id.clone(),
            stack: self.stack.clone(),
            events: self.shared.events.clone(),
            calls: self.shared.calls.clone(),
            audio: self.shared.audio(),
            codecs: self.config.codecs.clone(),
            aor: self.aor()?,
            display_name: self.config.display_name.clone(),
            contact: self.contact()?,
            credential: self.credential(),
            store: self.shared.store.clone(),
            region: self.region,
        })
    }

    fn dial(&self, call: CallId, to: &str, commands: mpsc::UnboundedReceiver<CallCommand>) {
        let target = match dial_target(
            to,
            &self.config.domain,
            self.config.international_prefix.as_deref(),
        ) {
            Ok(target) => target,
            Err(e) => {
                return refuse_dial(
                    &self.shared,
                    AccountMessage::Dial {
                        call,
                        to: to.into(),
                        commands,
                    },
                    &e,
                )
            }
        };
        let Some(env) = self.call_env() else {
            let message = AccountMessage::Dial {
                call,
                to: to.into(),
                commands,
            };
            return refuse_dial(&self.shared, message, "the account's address is not valid");
        };
        tokio::spawn(run_outgoing(call, env, target, commands));
    }

    /// A new INVITE: refused at once when there are too many calls, when the caller is a
    /// blocked contact (603) or under do not disturb (486); else a call task takes it, with the
    /// caller's name from the contacts.
    async fn take_incoming_call(&self, mut tx: Transaction) {
        if self.shared.calls.ids().len() >= MAX_CALLS {
            // A flood: no lookup, no history row.
            tracing::info!(account = %self.id, "incoming call refused: too many calls");
            let _ = tx.reply(StatusCode::BusyHere).await;
            return;
        }
        let (from, sent_name) = caller_of(&tx);
        let contact = self.shared.store.caller_name(&from, self.region).await;
        let blocked = contact.as_ref().is_some_and(|c| c.blocked);
        let name = contact
            .map(|c| c.name)
            .filter(|n| !n.is_empty())
            .or_else(|| sent_name.clone());
        if blocked {
            tracing::info!(account = %self.id, "incoming call refused: blocked contact");
            self.refuse(tx, Refusal::Blocked, &from, sent_name, name)
                .await;
            return;
        }
        if self.shared.do_not_disturb() {
            tracing::info!(account = %self.id, "incoming call refused: do not disturb");
            self.refuse(tx, Refusal::DoNotDisturb, &from, sent_name, name)
                .await;
            return;
        }
        let refusal = if self.shared.calls.ids().len() >= MAX_CALLS {
            StatusCode::BusyHere
        } else if let Some(env) = self.call_env() {
            let call = self.shared.next_call_id();
            let commands = self.shared.calls.insert(
                call,
                self.id.clone(),
                CallDirection::Incoming,
                from,
                CallState::Incoming,
            );
            tokio::spawn(run_incoming(call, env, tx, commands, name));
            return;
        } else {
            StatusCode::ServerInternalError
        };
        tracing::info!(code = refusal.code(), "incoming call refused");
        let _ = tx.reply(refusal).await;
    }

    /// Answers without ringing, says so (`call_refused`) and records the call.
    async fn refuse(
        &self,
        mut tx: Transaction,
        refusal: Refusal,
        from: &str,
        sent_name: Option<String>,
        name: Option<String>,
    ) {
        let (code, reason, result, text) = match refusal {
            Refusal::Blocked => (
                StatusCode::Decline,
                "blocked",
                CallResult::Blocked,
                "blocked",
            ),
            // Missed, so the person sees who called while they were not to be disturbed.
            Refusal::DoNotDisturb => (
                StatusCode::BusyHere,
                "do_not_disturb",
                CallResult::Missed,
                "do not disturb",
            ),
        };
        let _ = tx.reply(code.clone()).await;
        let row = record::refused(
            &self.id,
            from,
            sent_name.as_deref(),
            result,
            text,
            code.code(),
        );
        self.shared.store.record(row, self.region).await;
        let _ = self.shared.events.send(Event::CallRefused {
            account: self.id.clone(),
            from: from.to_string(),
            name,
            reason: reason.into(),
        });
    }
}

/// Why an incoming call is refused without ringing.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// The caller is a blocked contact: 603 Decline, recorded as blocked.
    Blocked,
    /// Do not disturb is on: 486 Busy Here, recorded as missed.
    DoNotDisturb,
}

fn has_to_tag(tx: &Transaction) -> bool {
    tx.original
        .to_header()
        .ok()
        .and_then(|to| to.tag().ok().flatten())
        .is_some()
}

async fn serve_incoming(account: Arc<Running>, mut incoming: TransactionReceiver) {
    while let Some(mut tx) = incoming.recv().await {
        if let Some(mut dialog) = account.stack.dialog_layer.match_dialog(&tx) {
            tokio::spawn(async move {
                if let Err(e) = dialog.handle(&mut tx).await {
                    tracing::debug!(error = %e, "in-dialog request failed");
                }
            });
            continue;
        }
        let method = tx.original.method;
        let reply = match method {
            Method::Invite if !has_to_tag(&tx) => {
                // Its own task: the caller lookup must not hold up other requests.
                let account = account.clone();
                tokio::spawn(async move { account.take_incoming_call(tx).await });
                continue;
            }
            Method::Ack => None,
            Method::Options => {
                let headers = vec![
                    Header::Allow(ALLOW.into()),
                    Header::Accept("application/sdp".into()),
                ];
                let _ = tx.reply_with(StatusCode::OK, headers, None).await;
                None
            }
            Method::Invite
            | Method::Bye
            | Method::Cancel
            | Method::Update
            | Method::Info
            | Method::PRack
            | Method::Notify
            | Method::Refer => Some(StatusCode::CallTransactionDoesNotExist),
            _ => Some(StatusCode::MethodNotAllowed),
        };
        if let Some(code) = reply {
            tracing::debug!(%method, code = code.code(), "out-of-dialog request refused");
            let _ = tx.reply(code).await;
        }
    }
}
