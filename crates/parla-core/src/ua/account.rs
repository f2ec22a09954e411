//! One task per account ("line"): brings its SIP stack up (retrying while the server cannot be
//! found), keeps it registered, takes incoming requests and starts calls.

pub(crate) mod features;
mod line;
use line::LineEnd;
mod watching;

use super::call::machine::MachineSettings;
use super::call::outgoing::Referral;
use super::call::referred::{LineRequest, ReferredCall};
use super::call::sip_dialog::{capability_headers, header_value, SipEnv, SipOutgoing};
use super::call::transfer::is_event_package;
use super::call::{outgoing, CallEnv};
use super::calls::{CallCommand, CallRegistry, HOLD_OTHERS_WAIT};
use super::lamps::{self, Lamps};
use super::media::DeviceMedia;
use super::message::incoming::Senders;
use super::message::MessageLine;
use super::mwi::task::{Mailboxes, MwiTask, Notified};
use super::registration::RegistrationLoop;
use super::sip_registrar::SipRegistrar;
use super::stack::{SipStack, StackError};
use super::store_link::{region_of, StoreLink};
use super::subscription::{Subscriber, MESSAGE_SUMMARY};
use super::uri::{dial_target, DialPlan};
use crate::api::{
    AccountId, CallDirection, CallId, CallState, ErrorKind, Event, OwnPresence, RegistrationState,
    RequestId,
};
use crate::config::{AccountConfig, AudioConfig, LOCAL_LINE};
use crate::secrets::{SecretError, SecretStore};
use crate::store::{MessageEntry, Region};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Method, StatusCode, Uri};
use rsipstack::transaction::Transaction;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Most calls at once, all lines together: beyond it an INVITE gets 486, so a flood of INVITEs
/// cannot exhaust ports and threads.
pub const MAX_CALLS: usize = 16;
const SETUP_RETRY_FIRST: Duration = Duration::from_secs(5);
const SETUP_RETRY_CAP: Duration = Duration::from_secs(300);

/// Why a line that must register does not: no password in the config nor in the keyring.
pub const NO_PASSWORD: &str = "no password saved for this line";

/// Why a line that must register has no password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Neither the config nor the keyring has one.
    #[error("{}", NO_PASSWORD)]
    Missing,
    /// The config has none and there is no keyring to ask.
    #[error("{} (no keyring is running)", NO_PASSWORD)]
    NoKeyring,
    /// The keyring could not be read (locked, timed out, failing).
    #[error("{} ({})", NO_PASSWORD, .0)]
    Keyring(#[source] SecretError),
}

/// What a call task on this line needs: the call's own environment, its dialog's and its audio.
struct CallParts {
    env: CallEnv,
    sip: SipEnv,
    media: DeviceMedia,
}

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
    /// The profile folder (the database's): the answering machine's messages go to its
    /// `voicemail/`, recorded greetings to its `greetings/`. None: no answering machine.
    pub profile: Option<std::path::PathBuf>,
    /// Read when a call or tone starts; `set_audio` changes it for the ones after.
    audio: Arc<RwLock<AudioConfig>>,
    /// The mailbox addresses the lines' servers gave (`call_voicemail` dials them).
    pub mailboxes: Mailboxes,
    do_not_disturb: Arc<AtomicBool>,
    /// What `set_presence` chose; notified on do-not-disturb changes too (the lines publish).
    own_presence: Arc<watch::Sender<OwnPresence>>,
    next_call: Arc<AtomicU64>,
    /// Each running line's own forwarding (`set_forwarding` changes it in place).
    pub forwardings: super::forwarding::Forwardings,
    /// Who is answered without a click (`[app]`, then `set_auto_answer`).
    auto_answer: Arc<RwLock<super::auto_answer::AutoAnswer>>,
}

impl Shared {
    pub fn new(
        events: mpsc::UnboundedSender<Event>,
        audio: AudioConfig,
        dns_servers: Vec<SocketAddr>,
    ) -> Self {
        let mut calls = CallRegistry::default();
        calls.set_conference(super::conference::ConferenceHub::reporting_to(
            events.clone(),
        ));
        Self {
            events,
            calls,
            dns_servers,
            secrets: None,
            store: StoreLink::none(),
            profile: None,
            audio: Arc::new(RwLock::new(audio)),
            mailboxes: Mailboxes::default(),
            do_not_disturb: Arc::new(AtomicBool::new(false)),
            own_presence: Arc::new(watch::Sender::new(OwnPresence::default())),
            next_call: Arc::new(AtomicU64::new(1)),
            forwardings: Default::default(),
            auto_answer: Default::default(),
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
        self.own_presence.send_modify(|_| {});
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
        /// The identity (or anonymity) the call shows; none: the line's own From.
        caller_id: Option<super::identity::CallerId>,
    },
    /// `send_message` on this line.
    SendMessage {
        to: String,
        text: String,
        request: Option<RequestId>,
    },
    /// `retry_message` of this failed message of this line.
    RetryMessage {
        entry: MessageEntry,
        request: Option<RequestId>,
    },
    /// `pickup` of the call ringing at a watched extension, as call `call`.
    Pickup {
        call: CallId,
        uri: String,
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
    /// Where the line's calls ask it for things ([`LineRequest`]).
    requests: mpsc::UnboundedSender<LineRequest>,
    /// Where `message-summary` NOTIFYs go (the message-waiting task).
    mwi: mpsc::Sender<Notified>,
    /// The busy lamps' shared state, and where their `dialog` NOTIFYs go.
    lamps: Lamps,
    lamp_notifies: mpsc::Sender<lamps::Notified>,
    /// Caps on the tasks incoming requests start ([`super::in_flight`]).
    new_requests: super::in_flight::InFlight,
    in_dialog: super::in_flight::InFlight,
}

impl AccountTask {
    /// Runs the line until `stop` (or until the engine drops its sender); the last event of a
    /// line is always `unregistered`.
    pub async fn run(
        mut self,
        mut messages: mpsc::UnboundedReceiver<AccountMessage>,
        stop: CancellationToken,
    ) {
        let id = AccountId::new(self.config.id.clone());
        let shared = self.shared.clone();
        features::line_starts(&id, &self.config, &shared);
        // A network change brings the line up again on the new address.
        loop {
            match self.run_line(id.clone(), &mut messages, &stop).await {
                LineEnd::NetworkChanged => continue,
                LineEnd::Stopped { registered: true } => break,
                LineEnd::Stopped { registered: false } => {
                    shared.emit_registration(&id, RegistrationState::Unregistered, None);
                    break;
                }
            }
        }
    }

    /// The password from the config, else from the keyring. `Err` says why there is none.
    async fn resolve_password(&mut self, id: &AccountId) -> Result<(), PasswordError> {
        if self.config.password.is_some() {
            return Ok(());
        }
        let Some(store) = self.shared.secrets.clone() else {
            return Err(PasswordError::Missing);
        };
        let account = id.to_string();
        match crate::secrets::call(store, move |s| s.get(&account)).await {
            Ok(Some(password)) => {
                self.config.password = Some(password);
                Ok(())
            }
            Ok(None) => Err(PasswordError::Missing),
            Err(SecretError::Unavailable) => Err(PasswordError::NoKeyring),
            Err(e) => Err(PasswordError::Keyring(e)),
        }
    }
}

fn refuse_dial(shared: &Shared, message: AccountMessage, why: &str) {
    let request = match message {
        AccountMessage::Dial { call, .. } | AccountMessage::Pickup { call, .. } => {
            shared.calls.remove(call);
            let _ = shared.events.send(Event::call_ended(call, why, None));
            return;
        }
        AccountMessage::SendMessage { request, .. }
        | AccountMessage::RetryMessage { request, .. } => request,
    };
    let _ = shared.events.send(Event::Error {
        kind: ErrorKind::AccountStopped,
        message: format!("the message was not sent: {why}"),
        call: None,
        account: None,
        request,
    });
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

    /// The address the registrar saw us at, when a NAT made it differ from ours.
    fn advertised_ip(&self) -> Option<std::net::IpAddr> {
        let contact = self.contact.borrow();
        match &contact.as_ref()?.host_with_port.host {
            rsipstack::sip::Host::IpAddr(ip) if *ip != self.stack.local_ip => Some(*ip),
            _ => None,
        }
    }

    fn call_parts(&self) -> Option<CallParts> {
        Some(CallParts {
            env: CallEnv {
                account: self.id.clone(),
                events: self.shared.events.clone(),
                calls: self.shared.calls.clone(),
                codecs: self.config.codecs.clone(),
                store: self.shared.store.clone(),
                region: self.region,
                dial_plan: self.dial_plan(),
                transfers: self.config.accept_transfers,
                line: self.requests.clone(),
                machine: self.machine(),
                srtp: crate::sdp::SrtpMode::for_line(
                    self.config.srtp,
                    self.stack.transport == crate::config::Transport::Tls,
                ),
            },
            sip: SipEnv {
                stack: self.stack.clone(),
                aor: self.aor()?,
                display_name: self.config.display_name.clone(),
                contact: self.contact()?,
                credential: self.credential(),
            },
            media: DeviceMedia {
                local_ip: self.stack.local_ip,
                advertised_ip: self.advertised_ip(),
                audio: self.shared.audio(),
            },
        })
    }

    /// The line's answering machine, when it is on and there is a profile to keep messages in.
    fn machine(&self) -> Option<MachineSettings> {
        let config = &self.config.answering_machine;
        let profile = self.shared.profile.as_ref()?;
        config.enabled.then(|| MachineSettings {
            config: config.clone(),
            folder: profile.join(crate::store::VOICEMAIL_DIR),
        })
    }

    fn dial_plan(&self) -> DialPlan {
        DialPlan {
            domain: self.config.domain.clone(),
            international_prefix: self.config.international_prefix.clone(),
        }
    }

    fn dial(
        &self,
        call: CallId,
        to: &str,
        commands: mpsc::UnboundedReceiver<CallCommand>,
        caller_id: Option<super::identity::CallerId>,
    ) {
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
                        caller_id,
                    },
                    &e.to_string(),
                )
            }
        };
        let Some(parts) = self.call_parts() else {
            let message = AccountMessage::Dial {
                call,
                to: to.into(),
                commands,
                caller_id,
            };
            return refuse_dial(&self.shared, message, "the account's address is not valid");
        };
        start_outgoing(call, parts, target, None, commands, caller_id);
    }

    /// The call the far end of call `referred.from` asked for (its REFER): placed like a
    /// dialled one (the others held first), with the REFER's Replaces and Referred-By.
    fn place_referred(&self, referred: ReferredCall) {
        let ReferredCall {
            from,
            target,
            replaces,
            referred_by,
            progress,
        } = referred;
        let shared = &self.shared;
        let (target, parts) = match (Uri::try_from(target.as_str()), self.call_parts()) {
            (Ok(target), Some(parts)) if shared.calls.ids().len() < MAX_CALLS => (target, parts),
            _ => {
                tracing::info!(call = %from, "the call a transfer asked for cannot be placed");
                let _ = progress.send(super::call::referred::Progress::Ended(Some(503)));
                return;
            }
        };
        let call = shared.next_call_id();
        let remote = target.to_string();
        let commands = shared.calls.insert(
            call,
            self.id.clone(),
            CallDirection::Outgoing,
            remote.clone(),
            CallState::Calling,
        );
        let dialog = SipOutgoing::new(parts.sip, target).referred(replaces, referred_by);
        let calls = shared.calls.clone();
        tokio::spawn(async move {
            // One active call. The call that got the REFER is spared: it is about to end, its
            // far end is busy transferring, and its audio is held on our side meanwhile.
            calls
                .hold_all_but(
                    &[call, from],
                    tokio::time::Instant::now() + HOLD_OTHERS_WAIT,
                )
                .await;
            let referral = Referral { from, progress };
            outgoing::run(
                call,
                parts.env,
                parts.media,
                dialog,
                remote,
                commands,
                Some(referral),
            )
            .await;
        });
    }

    /// The message-waiting task: it subscribes once the line is registered (its Contact
    /// known), unless the line says not to or has no server to ask.
    async fn message_waiting(
        self: Arc<Self>,
        notifies: mpsc::Receiver<Notified>,
        stop: CancellationToken,
    ) {
        let subscribing = self.config.message_waiting && self.stack.server.is_some();
        let subscriber = if subscribing {
            if self.config.register {
                let mut contact = self.contact.clone();
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = contact.wait_for(Option::is_some) => {}
                }
            }
            self.aor().zip(self.contact()).map(|(aor, contact)| {
                let resource = aor.clone();
                let (stack, credential) = (self.stack.clone(), self.credential());
                Subscriber::new(stack, MESSAGE_SUMMARY, aor, resource, contact, credential)
            })
        } else {
            None
        };
        let task = MwiTask {
            account: self.id.clone(),
            subscriber,
            events: self.shared.events.clone(),
            notifies,
            mailboxes: self.shared.mailboxes.clone(),
        };
        task.run(stop).await;
    }

    /// A `message-summary` NOTIFY out of any call: taken from the line's server only (the
    /// transport drops SIP from any other address on a line with a server; a line without
    /// one has nobody to trust).
    async fn message_summary(&self, mut tx: Transaction) {
        if self.stack.server.is_none() {
            let _ = tx.reply(StatusCode::Forbidden).await;
            return;
        }
        let Ok(slot) = self.mwi.try_reserve() else {
            super::in_flight::NOTIFY_QUEUE_FULL.note(None);
            let _ = tx.reply(StatusCode::ServiceUnavailable).await;
            return;
        };
        slot.send(Notified {
            body: tx.original.body.clone(),
            state: header_value(&tx.original, "Subscription-State"),
        });
        let _ = tx.reply(StatusCode::OK).await;
    }

    /// What the line's text messages need; none while the line has no valid address.
    fn message_line(&self) -> Option<MessageLine> {
        Some(MessageLine {
            account: self.id.clone(),
            stack: self.stack.clone(),
            aor: self.aor()?,
            display_name: self.config.display_name.clone(),
            contact: self.contact()?,
            credential: self.credential(),
            domain: self.config.domain.clone(),
            international_prefix: self.config.international_prefix.clone(),
            events: self.shared.events.clone(),
            store: self.shared.store.clone(),
        })
    }

    fn send_message(&self, to: &str, text: String, request: Option<RequestId>) {
        match self.message_line() {
            Some(line) => line.send(to, text, request),
            None => refuse_dial(
                &self.shared,
                AccountMessage::SendMessage {
                    to: to.into(),
                    text,
                    request,
                },
                "the account's address is not valid",
            ),
        }
    }

    fn retry_message(&self, entry: MessageEntry, request: Option<RequestId>) {
        match self.message_line() {
            Some(line) => line.retry(entry, request),
            None => refuse_dial(
                &self.shared,
                AccountMessage::RetryMessage { entry, request },
                "the account's address is not valid",
            ),
        }
    }

    /// A MESSAGE out of any call. The server relays everybody's, so only it may send them
    /// (the transport drops SIP from other addresses on a registered line anyway); the Local
    /// line takes them from anyone.
    async fn take_message(&self, tx: Transaction) {
        let senders = if self.id.as_str() == LOCAL_LINE {
            Senders::Anyone
        } else {
            match &self.stack.server {
                Some(server) => Senders::Server(server.addr.ip()),
                None => Senders::Nobody,
            }
        };
        let Some(line) = self.message_line() else {
            let mut tx = tx;
            let _ = tx.reply(StatusCode::ServerInternalError).await;
            return;
        };
        super::message::incoming::take(&line, self.region, senders, tx).await;
    }
}

fn is_message_summary(tx: &Transaction) -> bool {
    header_value(&tx.original, "Event").is_some_and(|e| is_event_package(&e, "message-summary"))
}

fn is_dialog_event(tx: &Transaction) -> bool {
    header_value(&tx.original, "Event")
        .is_some_and(|e| is_event_package(&e, "dialog") || is_event_package(&e, "presence"))
}

fn has_to_tag(tx: &Transaction) -> bool {
    tx.original
        .to_header()
        .ok()
        .and_then(|to| to.tag().ok().flatten())
        .is_some()
}

async fn serve_incoming(account: Arc<Running>, mut incoming: super::inbox::Inbox) {
    while let Some(mut tx) = incoming.recv().await {
        if let Some((code, why)) = super::stack::request_check::refusal(&tx.original) {
            tracing::debug!(target: "sip", method = %tx.original.method, why, "malformed request refused");
            if tx.original.method != Method::Ack {
                let _ = tx.reply(code).await;
            }
            continue;
        }
        if let Some(mut dialog) = account.stack.dialog_layer.match_dialog(&tx) {
            // An ACK is over at once and cannot be refused.
            let permit = if tx.original.method == Method::Ack {
                None
            } else {
                match account.in_dialog.try_start() {
                    Some(permit) => Some(permit),
                    None => {
                        let _ = tx.reply(StatusCode::ServiceUnavailable).await;
                        continue;
                    }
                }
            };
            tokio::spawn(async move {
                if let Err(e) = dialog.handle(&mut tx).await {
                    tracing::debug!(error = %e, "in-dialog request failed");
                }
                drop(permit);
            });
            continue;
        }
        let method = tx.original.method;
        if method == Method::Notify && is_message_summary(&tx) {
            account.message_summary(tx).await;
            continue;
        }
        if method == Method::Notify && is_dialog_event(&tx) {
            account.lamp_notify(tx).await;
            continue;
        }
        let reply = match method {
            Method::Invite if !has_to_tag(&tx) => {
                let Some(permit) = account.new_requests.try_start() else {
                    let _ = tx.reply(StatusCode::BusyHere).await;
                    continue;
                };
                // Its own task: the caller lookup must not hold up other requests.
                let account = account.clone();
                tokio::spawn(async move {
                    account.take_incoming_call(tx).await;
                    drop(permit);
                });
                continue;
            }
            Method::Ack => None,
            Method::Message => {
                let Some(permit) = account.new_requests.try_start() else {
                    let _ = tx.reply(StatusCode::ServiceUnavailable).await;
                    continue;
                };
                // Its own task: storing and naming it must not hold up other requests.
                let account = account.clone();
                tokio::spawn(async move {
                    account.take_message(tx).await;
                    drop(permit);
                });
                continue;
            }
            Method::Options => {
                let mut headers = capability_headers();
                headers.push(Header::Accept("application/sdp".into()));
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

/// Places call `call` to `target` (with `replaces`: a pickup taking a call that rings
/// elsewhere) on its own task.
fn start_outgoing(
    call: CallId,
    parts: CallParts,
    target: Uri,
    replaces: Option<String>,
    commands: mpsc::UnboundedReceiver<CallCommand>,
    caller_id: Option<super::identity::CallerId>,
) {
    let remote = target.to_string();
    let dialog = SipOutgoing::new(parts.sip, target)
        .referred(replaces, None)
        .calling_as(caller_id);
    tokio::spawn(outgoing::run(
        call,
        parts.env,
        parts.media,
        dialog,
        remote,
        commands,
        None,
    ));
}
