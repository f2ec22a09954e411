//! One task per account ("line"): brings its SIP stack up (retrying while the server cannot be
//! found), keeps it registered, takes incoming requests and starts calls.

use super::call::{incoming::caller_of, run_incoming, run_outgoing, CallEnv};
use super::calls::{CallCommand, CallRegistry};
use super::registration::RegistrationLoop;
use super::sip_registrar::SipRegistrar;
use super::stack::{SipStack, StackError};
use super::uri::dial_target;
use crate::api::{AccountId, CallDirection, CallId, CallState, Event, RegistrationState};
use crate::config::{AccountConfig, AudioConfig};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Method, StatusCode, Uri};
use rsipstack::transaction::{Transaction, TransactionReceiver};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Most calls at once, all lines together: beyond it an INVITE gets 486, so a flood of INVITEs
/// cannot exhaust ports and threads.
pub const MAX_CALLS: usize = 16;
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY, MESSAGE";
const SETUP_RETRY_FIRST: Duration = Duration::from_secs(5);
const SETUP_RETRY_CAP: Duration = Duration::from_secs(300);

/// What every account task shares with the engine.
#[derive(Clone)]
pub struct Shared {
    pub events: mpsc::UnboundedSender<Event>,
    pub calls: CallRegistry,
    pub audio: AudioConfig,
    pub dns_servers: Vec<SocketAddr>,
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
            audio,
            dns_servers,
            next_call: Arc::new(AtomicU64::new(1)),
        }
    }

    pub fn next_call_id(&self) -> CallId {
        CallId(self.next_call.fetch_add(1, Ordering::Relaxed))
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
    shared: Shared,
    stack: Arc<SipStack>,
    contact: watch::Receiver<Option<Uri>>,
}

impl AccountTask {
    pub async fn run(
        self,
        mut messages: mpsc::UnboundedReceiver<AccountMessage>,
        stop: CancellationToken,
    ) {
        let id = AccountId::new(self.config.id.clone());
        let mut failures = 0u32;
        let parts = loop {
            let started = tokio::select! {
                _ = stop.cancelled() => return,
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
                        _ = stop.cancelled() => return,
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
        if let Some(task) = registration {
            let _ = task.await;
        }
        incoming.abort();
        running.stack.shutdown();
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
            audio: self.shared.audio.clone(),
            codecs: self.config.codecs.clone(),
            aor: self.aor()?,
            display_name: self.config.display_name.clone(),
            contact: self.contact()?,
            credential: self.credential(),
        })
    }

    fn dial(&self, call: CallId, to: &str, commands: mpsc::UnboundedReceiver<CallCommand>) {
        let target = match dial_target(to, &self.config.domain) {
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

    async fn take_incoming_call(&self, mut tx: Transaction) {
        let refusal = if self.shared.calls.ids().len() >= MAX_CALLS {
            StatusCode::BusyHere
        } else if let Some(env) = self.call_env() {
            let call = self.shared.next_call_id();
            let (from, _) = caller_of(&tx);
            let commands = self.shared.calls.insert(
                call,
                self.id.clone(),
                CallDirection::Incoming,
                from,
                CallState::Incoming,
            );
            tokio::spawn(run_incoming(call, env, tx, commands));
            return;
        } else {
            StatusCode::ServerInternalError
        };
        tracing::info!(code = refusal.code(), "incoming call refused");
        let _ = tx.reply(refusal).await;
    }
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
                account.take_incoming_call(tx).await;
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
