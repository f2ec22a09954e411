//! The call's dialog over rsipstack: [`SipOutgoing`] and [`SipIncoming`] turn an `InviteDialog`
//! and its `DialogState` stream into [`DialogEvent`]s and carry out what the call logic asks.
//! The only part of a call that knows rsipstack types; it decides nothing.

use super::dialog::{
    CallDialog, DialogEvent, EndReason, InDialogMethod, IncomingDialog, IncomingInvite,
    OutgoingDialog, ReInviteFailure, RequestId, SignallingError,
};
use super::replaces::{parse_replaces, DialogInfo};
use super::transfer;
use crate::ua::identity::{caller_from, CallerId};
use crate::ua::stack::SipStack;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{
    DialogState, DialogStateReceiver, TerminatedReason, TransactionHandle,
};
use rsipstack::dialog::invitation::{InviteAsyncResult, InviteOption};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Method, Request, StatusCode, StatusCodeKind, Uri};
use rsipstack::transaction::Transaction;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

/// What a call's dialog needs from its line.
#[derive(Clone)]
pub struct SipEnv {
    pub stack: Arc<SipStack>,
    /// Our address of record, `sip:user@domain`.
    pub aor: Uri,
    pub display_name: Option<String>,
    pub contact: Uri,
    pub credential: Option<Credential>,
}

fn sdp_headers() -> Vec<Header> {
    vec![Header::ContentType("application/sdp".into())]
}

/// What we take inside a call (RFC 3261 20.5), and that we take INVITEs with Replaces.
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY, MESSAGE, REFER";
pub const SUPPORTED: &str = "replaces";

/// Allow and Supported, on our INVITEs, on our 200s to INVITEs and on OPTIONS.
pub fn capability_headers() -> Vec<Header> {
    vec![
        Header::Allow(ALLOW.into()),
        Header::Supported(SUPPORTED.into()),
    ]
}

/// The value of the first header named `name` (any case).
pub(crate) fn header_value(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
        .map(|h| h.value().trim().to_string())
}

fn body_text(body: &[u8]) -> Option<String> {
    (!body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned())
}

fn failed(e: impl std::fmt::Display) -> SignallingError {
    SignallingError(e.to_string())
}

/// The caller as an INVITE names it, and its offer.
pub fn incoming_invite(tx: &Transaction) -> IncomingInvite {
    invite_of(&tx.original)
}

/// [`incoming_invite`] of the request itself (the fuzz target reaches it without a transaction).
pub fn invite_of(request: &Request) -> IncomingInvite {
    let (from, display_name) = match request.from_header().and_then(|h| h.typed()) {
        Ok(from) => (
            from.uri.to_string(),
            from.display_name.filter(|n| !n.trim().is_empty()),
        ),
        Err(_) => ("unknown".into(), None),
    };
    IncomingInvite {
        from,
        display_name,
        sdp: String::from_utf8_lossy(&request.body).into_owned(),
        replaces: header_value(request, "Replaces").map(|v| parse_replaces(&v).ok_or(v)),
    }
}

fn end_reason(reason: &TerminatedReason) -> EndReason {
    match reason {
        // rsipstack names a BYE from the far end UacBye on server dialogs and UasBye on client
        // ones (our own BYE ends the call task before its state is read).
        TerminatedReason::UacBye | TerminatedReason::UasBye => EndReason::RemoteHangup,
        TerminatedReason::UacCancel => EndReason::CallerCancelled,
        TerminatedReason::Timeout => EndReason::Timeout,
        TerminatedReason::UacBusy | TerminatedReason::UasBusy => EndReason::Busy,
        TerminatedReason::UasDecline => EndReason::Declined,
        TerminatedReason::ProxyAuthRequired => EndReason::AuthFailed,
        TerminatedReason::ProxyError(code)
        | TerminatedReason::UacOther(code)
        | TerminatedReason::UasOther(code) => EndReason::Network(code.code()),
    }
}

fn invite_outcome(result: Result<InviteAsyncResult, tokio::task::JoinError>) -> DialogEvent {
    match result {
        Ok(Ok((_, Some(response))))
            if response.status_code.kind() == StatusCodeKind::Successful =>
        {
            DialogEvent::Answered {
                sdp: String::from_utf8_lossy(&response.body).into_owned(),
            }
        }
        Ok(Ok((_, Some(response)))) => DialogEvent::Refused {
            code: response.status_code.code(),
        },
        Ok(Ok((_, None))) => DialogEvent::NoFinalResponse,
        Ok(Err(e)) => DialogEvent::InviteFailed {
            error: e.to_string(),
        },
        Err(e) => DialogEvent::InviteFailed {
            error: format!("the INVITE task stopped: {e}"),
        },
    }
}

/// Sends the NOTIFYs of the REFERs we carry out, in order, until the dialog's end. A REFER's
/// first (100 Trying) waits a moment: the 202 leaves through the REFER's transaction task,
/// and strict peers want it before the NOTIFY (RFC 6665 allows either). rsipstack's own
/// `notify_refer` writes the reason as `BusyHere`: the sipfrag is ours.
async fn send_notifies(dialog: InviteDialog, mut queue: UnboundedReceiver<(u16, bool)>) {
    while let Some((code, terminated)) = queue.recv().await {
        if code == 100 {
            tokio::time::sleep(RESPONSE_LEAD).await;
        }
        let state = if terminated {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        };
        let headers = vec![
            Header::Event("refer".into()),
            Header::SubscriptionState(state.into()),
            Header::ContentType("message/sipfrag;version=2.0".into()),
        ];
        let body = format!("SIP/2.0 {code} {}\r\n", StatusCode::from(code).text());
        match dialog.notify(Some(headers), Some(body.into_bytes())).await {
            Ok(Some(response)) if response.status_code.kind() != StatusCodeKind::Successful => {
                tracing::info!(code, answer = %response.status_code, "NOTIFY of the transfer refused")
            }
            Ok(_) => {}
            Err(e) => tracing::info!(code, error = %e, "NOTIFY of the transfer not sent"),
        }
    }
}

/// Responses leave through their transaction's task, requests we send in the dialog go out
/// at once: a request right after a response can overtake it on the wire. Strict peers
/// (SIPp) then see a NOTIFY before our 202, or our BYE before our 200 to their NOTIFY. A
/// request that follows a response waits this long after it.
const RESPONSE_LEAD: std::time::Duration = std::time::Duration::from_millis(20);

/// How long the end of a call waits for the answer to its BYE.
const BYE_ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Provisional NOTIFYs sent for one REFER of the far end; the final one always goes.
const MAX_REFER_PROGRESS: usize = 8;

/// What both directions share: the dialog once there is one, its states, the far end's
/// requests waiting for our answer, and the outcome of our re-INVITE.
struct Core {
    /// Server (UAS) dialog: our own 18x are not news, the ACK is.
    server: bool,
    /// The far end's address of record: what a Replaces-carrying Refer-To names.
    remote_uri: String,
    dialog: Option<InviteDialog>,
    states: Option<DialogStateReceiver>,
    waiting: HashMap<RequestId, TransactionHandle>,
    /// NOTIFYs of the far end's REFER, in order, to the task that sends them.
    notifies: Option<UnboundedSender<(u16, bool)>>,
    /// Provisional NOTIFYs queued for the REFER under way (see [`MAX_REFER_PROGRESS`]).
    refer_progress: usize,
    /// The CSeq of the far end's offerless re-INVITEs waiting for our answer: our 200 carries
    /// the offer and their ACK the answer.
    offerless: HashMap<RequestId, u32>,
    /// When we last handed a response to its transaction (see [`RESPONSE_LEAD`]).
    answered_at: Option<tokio::time::Instant>,
    next_request: RequestId,
    reinvite_tx: UnboundedSender<DialogEvent>,
    reinvite_rx: UnboundedReceiver<DialogEvent>,
}

impl Core {
    fn new(server: bool, remote_uri: String) -> Self {
        // Unbounded: one outcome per request of ours, never per request of the far end.
        let (reinvite_tx, reinvite_rx) = mpsc::unbounded_channel();
        Self {
            server,
            remote_uri,
            dialog: None,
            states: None,
            waiting: HashMap::new(),
            offerless: HashMap::new(),
            answered_at: None,
            notifies: None,
            refer_progress: 0,
            next_request: 1,
            reinvite_tx,
            reinvite_rx,
        }
    }

    /// The next state worth telling the call; `None` when the state channel closed.
    async fn next_state(&mut self) -> Option<DialogEvent> {
        loop {
            let state = tokio::select! {
                Some(event) = self.reinvite_rx.recv() => return Some(event),
                state = async {
                    match self.states.as_mut() {
                        Some(states) => states.recv().await,
                        None => std::future::pending().await,
                    }
                } => state?,
            };
            if let Some(event) = self.convert(state) {
                return Some(event);
            }
        }
    }

    fn wait_for_answer(&mut self, handle: TransactionHandle) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        self.waiting.insert(id, handle);
        id
    }

    fn convert(&mut self, state: DialogState) -> Option<DialogEvent> {
        let (method, handle) = match state {
            DialogState::Early(_, response) if !self.server => {
                return Some(DialogEvent::Progress {
                    code: response.status_code.code(),
                    sdp: body_text(&response.body),
                })
            }
            DialogState::Confirmed(_, _) if self.server => {
                let ack = self.dialog.as_ref().and_then(InviteDialog::last_remote_ack);
                return Some(DialogEvent::Confirmed {
                    ack_sdp: ack.and_then(|a| body_text(&a.body)),
                });
            }
            DialogState::Updated(_, request, handle) => {
                let request_id = self.wait_for_answer(handle);
                if request.method == Method::Invite && request.body.is_empty() {
                    if let Ok(seq) = request.cseq_header().and_then(|c| c.seq()) {
                        self.offerless.insert(request_id, seq);
                    }
                }
                return Some(DialogEvent::RemoteOffer {
                    request: request_id,
                    sdp: body_text(&request.body),
                });
            }
            DialogState::Terminated(_, reason) => {
                return Some(DialogEvent::Terminated(end_reason(&reason)))
            }
            DialogState::Options(_, _, handle) => (InDialogMethod::Options, handle),
            DialogState::Info(_, _, handle) => (InDialogMethod::Info, handle),
            DialogState::Notify(_, request, handle) => return Some(self.notify(&request, handle)),
            DialogState::Message(_, _, handle) => (InDialogMethod::Message, handle),
            DialogState::Refer(_, request, handle) => return Some(self.referred(&request, handle)),
            DialogState::Publish(_, _, handle) => (InDialogMethod::Publish, handle),
            DialogState::Calling(_)
            | DialogState::Trying(_)
            | DialogState::Early(_, _)
            | DialogState::WaitAck(_, _)
            | DialogState::Confirmed(_, _) => return None,
        };
        let request = self.wait_for_answer(handle);
        Some(DialogEvent::Request { request, method })
    }

    /// A NOTIFY: one of our REFER's subscription is read; any other is answered as before.
    fn notify(&mut self, request: &Request, handle: TransactionHandle) -> DialogEvent {
        let request_id = self.wait_for_answer(handle);
        if !header_value(request, "Event").is_some_and(|e| transfer::is_event_package(&e, "refer"))
        {
            return DialogEvent::Request {
                request: request_id,
                method: InDialogMethod::Notify,
            };
        }
        let terminated = header_value(request, "Subscription-State")
            .is_some_and(|s| transfer::subscription_terminated(&s));
        let body = String::from_utf8_lossy(&request.body);
        DialogEvent::ReferNotify {
            request: request_id,
            status: transfer::sipfrag_status(&body),
            terminated,
            orbit: transfer::sipfrag_orbit(&body),
        }
    }

    /// Our 200 to an offerless re-INVITE carries our offer; the answer is in the far end's
    /// ACK. rsipstack signals that ACK (`Confirmed`) on server dialogs only: on a dialog we
    /// made, it just records it, so it is watched for here (by its CSeq) until the 64*T1 an
    /// ACK may take.
    fn await_ack_answer(&self, seq: u32) {
        let Some(dialog) = self.dialog.clone() else {
            return;
        };
        let events = self.reinvite_tx.clone();
        tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(32);
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(20));
            while tokio::time::Instant::now() < deadline {
                tick.tick().await;
                let ack = dialog
                    .last_remote_ack()
                    .filter(|ack| ack.cseq_header().and_then(|c| c.seq()).ok() == Some(seq));
                if let Some(ack) = ack {
                    let ack_sdp = body_text(&ack.body);
                    let _ = events.send(DialogEvent::Confirmed { ack_sdp });
                    return;
                }
                if events.is_closed() {
                    return;
                }
            }
        });
    }

    /// The far end's REFER: where to, replacing what, and whether it wants NOTIFYs.
    fn referred(&mut self, request: &Request, handle: TransactionHandle) -> DialogEvent {
        let refer_to = header_value(request, "Refer-To").unwrap_or_default();
        let target = rsipstack::sip::event_packages::parse_refer_to(&refer_to);
        let subscription =
            !header_value(request, "Refer-Sub").is_some_and(|v| v.eq_ignore_ascii_case("false"));
        DialogEvent::Referred {
            request: self.wait_for_answer(handle),
            target: target.uri,
            replaces: target.replaces,
            referred_by: header_value(request, "Referred-By"),
            subscription,
        }
    }

    fn info(&self) -> Option<DialogInfo> {
        let id = self.dialog.as_ref()?.id();
        if id.local_tag.is_empty() || id.remote_tag.is_empty() {
            return None;
        }
        Some(DialogInfo {
            call_id: id.call_id,
            local_tag: id.local_tag,
            remote_tag: id.remote_tag,
            remote_uri: self.remote_uri.clone(),
        })
    }

    async fn accept_refer(&mut self, request: RequestId, subscription: bool) {
        let Some(handle) = self.waiting.remove(&request) else {
            return;
        };
        let headers =
            (!subscription).then(|| vec![Header::Other("Refer-Sub".into(), "false".into())]);
        if handle
            .respond(StatusCode::Accepted, headers, None)
            .await
            .is_err()
        {
            tracing::debug!(request, "the REFER's transaction is gone");
        }
    }

    /// Queues a NOTIFY of the far end's REFER. They go out one after the other from one task
    /// (each waits for the previous one's answer), so they reach the far end in CSeq order: a
    /// NOTIFY 200 overtaking the 100 gets 500 (its CSeq is lower than the last one seen).
    fn notify_refer(&mut self, code: u16, terminated: bool) {
        let Some(dialog) = self.dialog.clone() else {
            return;
        };
        if terminated {
            self.refer_progress = 0;
        } else if self.refer_progress >= MAX_REFER_PROGRESS {
            // Each 18x of the referred call would be one: a target sending 18x after 18x
            // must not queue NOTIFYs (each waiting for the last one's answer) without end.
            crate::ua::in_flight::REFER_PROGRESS_SKIPPED.note(None);
            return;
        } else {
            self.refer_progress += 1;
        }
        let notifies = self.notifies.get_or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(send_notifies(dialog, rx));
            tx
        });
        let _ = notifies.send((code, terminated));
    }

    /// The REFER in its own task, like the re-INVITE: the NOTIFYs may come before its 202.
    fn refer(&self, target: String, referred_by: Option<&Uri>) {
        let events = self.reinvite_tx.clone();
        let Some(dialog) = self.dialog.clone() else {
            let _ = events.send(DialogEvent::ReferFailed(
                "the call is not established".into(),
            ));
            return;
        };
        let headers = referred_by.map(|aor| vec![Header::ReferredBy(format!("<{aor}>").into())]);
        // As text: a Replaces in the URI must reach the wire as we escaped it.
        let refer_to = format!("<{target}>");
        tokio::spawn(async move {
            let event = match dialog.refer(refer_to, headers, None).await {
                Ok(Some(response)) => DialogEvent::ReferAnswered {
                    code: response.status_code.code(),
                },
                Ok(None) => DialogEvent::ReferFailed("the call is not established".into()),
                Err(e) => DialogEvent::ReferFailed(e.to_string()),
            };
            let _ = events.send(event);
        });
    }

    /// Sends BYE. The session is over once it is sent (RFC 3261 15.1.1): the call ends after
    /// the answer or [`BYE_ANSWER_WAIT`], whichever comes first, while the BYE's transaction
    /// goes on retransmitting in the background. A far end that never answers no longer holds
    /// the call's end (and the history, and quitting) for Timer F's 32 s.
    async fn bye(&self) -> Result<(), SignallingError> {
        let Some(dialog) = self.dialog.clone() else {
            return Ok(());
        };
        if let Some(answered_at) = self.answered_at {
            tokio::time::sleep_until(answered_at + RESPONSE_LEAD).await;
        }
        let sent = tokio::spawn(async move { dialog.bye().await });
        match tokio::time::timeout(BYE_ANSWER_WAIT, sent).await {
            Ok(Ok(result)) => result.map_err(failed),
            Ok(Err(e)) => Err(failed(e)),
            Err(_) => {
                tracing::info!("no answer to our BYE yet: the call ends all the same");
                Ok(())
            }
        }
    }

    fn reinvite(&self, offer: String) {
        let events = self.reinvite_tx.clone();
        let Some(dialog) = self.dialog.clone() else {
            let _ = events.send(DialogEvent::ReInviteFailed(ReInviteFailure::NotEstablished));
            return;
        };
        // Its own task, so that the call hears the far end while the re-INVITE is pending.
        tokio::spawn(async move {
            let body = Some(offer.into_bytes());
            let event = match dialog.reinvite(Some(sdp_headers()), body).await {
                Ok(Some(response)) => DialogEvent::ReInviteAnswered {
                    code: response.status_code.code(),
                    reason: response
                        .wire_reason
                        .clone()
                        .unwrap_or_else(|| response.status_code.text().to_string()),
                    sdp: body_text(&response.body),
                },
                Ok(None) => DialogEvent::ReInviteFailed(ReInviteFailure::NotEstablished),
                Err(e) => DialogEvent::ReInviteFailed(ReInviteFailure::Error(e.to_string())),
            };
            let _ = events.send(event);
        });
    }

    async fn respond(&mut self, request: RequestId, code: u16, sdp: Option<String>) {
        let Some(handle) = self.waiting.remove(&request) else {
            return;
        };
        self.answered_at = Some(tokio::time::Instant::now());
        let offerless = self.offerless.remove(&request);
        if let (Some(seq), true, false) = (offerless, sdp.is_some(), self.server) {
            self.await_ack_answer(seq);
        }
        let status = StatusCode::from(code);
        let sent = match sdp {
            Some(sdp) => {
                handle
                    .respond(status, Some(sdp_headers()), Some(sdp.into_bytes()))
                    .await
            }
            None => handle.reply(status).await,
        };
        if sent.is_err() {
            tracing::debug!(request, code, "the request's transaction is gone");
        }
    }
}

/// The dialog of a call we place to `target`.
pub struct SipOutgoing {
    env: SipEnv,
    target: Uri,
    /// Headers of a call placed for a transfer: Replaces, Referred-By.
    extra_headers: Vec<Header>,
    /// Who the far end sees as the caller, when not the line itself.
    caller_id: Option<CallerId>,
    core: Core,
    /// The INVITE transaction until its final outcome has been reported.
    invite: Option<JoinHandle<InviteAsyncResult>>,
    cancelled: bool,
}

impl SipOutgoing {
    pub fn new(env: SipEnv, target: Uri) -> Self {
        Self {
            env,
            core: Core::new(false, target.to_string()),
            target,
            extra_headers: Vec::new(),
            caller_id: None,
            invite: None,
            cancelled: false,
        }
    }

    /// The call a REFER asked for: its INVITE carries the REFER's `Replaces` (RFC 3891) and
    /// `Referred-By` (RFC 3892).
    pub fn referred(mut self, replaces: Option<String>, referred_by: Option<String>) -> Self {
        if let Some(replaces) = replaces {
            self.extra_headers.push(Header::Replaces(replaces.into()));
        }
        if let Some(referred_by) = referred_by {
            self.extra_headers
                .push(Header::ReferredBy(referred_by.into()));
        }
        self
    }
}

impl SipOutgoing {
    /// The call shows `caller_id` (an identity of the line, or anonymous) as its caller.
    pub fn calling_as(mut self, caller_id: Option<CallerId>) -> Self {
        self.caller_id = caller_id;
        self
    }

    /// The From (display name, URI) and the headers our INVITE carries for its caller ID.
    /// The dialog's ACK, CANCEL and BYE reuse the INVITE's From.
    fn caller_headers(&self) -> (Option<String>, Uri, Vec<Header>) {
        caller_from(
            &self.env.aor,
            self.env.display_name.clone(),
            self.caller_id.as_ref(),
        )
    }
}

impl CallDialog for SipOutgoing {
    async fn next_event(&mut self) -> Option<DialogEvent> {
        let invite = &mut self.invite;
        let core = &mut self.core;
        tokio::select! {
            result = async {
                match invite.as_mut() {
                    Some(invite) => invite.await,
                    None => std::future::pending().await,
                }
            } => {
                *invite = None;
                Some(invite_outcome(result))
            }
            event = core.next_state() => event,
        }
    }

    async fn bye(&mut self) -> Result<(), SignallingError> {
        let confirmed = self
            .core
            .dialog
            .as_ref()
            .is_some_and(|d| matches!(d.state(), DialogState::Confirmed(..)));
        if self.cancelled && !confirmed {
            // rsipstack ends a 2xx to a CANCELled INVITE itself (ACK, then BYE) and never
            // confirms such a dialog. A CANCEL that came after the 2xx left it confirmed: ours.
            return Ok(());
        }
        self.core.bye().await
    }

    fn reinvite(&mut self, offer: String) {
        self.core.reinvite(offer);
    }

    fn refer(&mut self, target: String) {
        self.core.refer(target, Some(&self.env.aor));
    }

    fn info(&self) -> Option<DialogInfo> {
        self.core.info()
    }

    async fn accept_refer(&mut self, request: RequestId, subscription: bool) {
        self.core.accept_refer(request, subscription).await;
    }

    fn notify_refer(&mut self, code: u16, terminated: bool) {
        self.core.notify_refer(code, terminated);
    }

    async fn respond(&mut self, request: RequestId, code: u16, sdp: Option<String>) {
        self.core.respond(request, code, sdp).await;
    }
}

impl OutgoingDialog for SipOutgoing {
    fn invite(&mut self, offer: String) -> Result<(), SignallingError> {
        let stack = &self.env.stack;
        let (state_tx, states) = stack.dialog_layer.new_dialog_state_channel();
        let (caller_display_name, caller, identity_headers) = self.caller_headers();
        let option = InviteOption {
            caller_display_name,
            caller,
            callee: self.target.clone(),
            destination: stack.destination(),
            content_type: Some("application/sdp".into()),
            offer: Some(offer.into_bytes()),
            contact: self.env.contact.clone(),
            credential: self.env.credential.clone(),
            headers: Some(
                capability_headers()
                    .into_iter()
                    .chain(self.extra_headers.iter().cloned())
                    .chain(identity_headers)
                    .collect(),
            ),
            ..Default::default()
        };
        let (dialog, invite) = stack
            .dialog_layer
            .do_invite_async(option, state_tx)
            .map_err(failed)?;
        self.core.dialog = Some(dialog);
        self.core.states = Some(states);
        self.invite = Some(invite);
        Ok(())
    }

    async fn cancel(&mut self) -> Result<(), SignallingError> {
        self.cancelled = true;
        match &self.core.dialog {
            Some(dialog) => dialog.cancel().await.map_err(failed),
            None => Ok(()),
        }
    }
}

/// The dialog of a call we receive: the INVITE's transaction until [`IncomingDialog::open`]
/// makes the dialog.
pub struct SipIncoming {
    stack: Arc<SipStack>,
    /// Our Contact in the dialog.
    contact: Option<Uri>,
    /// Our address of record: the `Referred-By` of a transfer.
    aor: Option<Uri>,
    tx: Option<Transaction>,
    /// Once the dialog has the INVITE's transaction: how to answer it ourselves (a 302
    /// with a Contact of our choosing, which the dialog's own `reject` cannot carry).
    transaction: Option<(
        rsipstack::transaction::endpoint::EndpointInnerRef,
        rsipstack::transaction::transaction::TransactionEventSender,
    )>,
    core: Core,
}

impl SipIncoming {
    pub fn new(
        stack: Arc<SipStack>,
        contact: Option<Uri>,
        aor: Option<Uri>,
        tx: Transaction,
    ) -> Self {
        let caller = incoming_invite(&tx).from;
        Self {
            stack,
            contact,
            aor,
            tx: Some(tx),
            transaction: None,
            core: Core::new(true, caller),
        }
    }
}

impl CallDialog for SipIncoming {
    async fn next_event(&mut self) -> Option<DialogEvent> {
        self.core.next_state().await
    }

    async fn bye(&mut self) -> Result<(), SignallingError> {
        self.core.bye().await
    }

    fn reinvite(&mut self, offer: String) {
        self.core.reinvite(offer);
    }

    fn refer(&mut self, target: String) {
        self.core.refer(target, self.aor.as_ref());
    }

    fn info(&self) -> Option<DialogInfo> {
        self.core.info()
    }

    async fn accept_refer(&mut self, request: RequestId, subscription: bool) {
        self.core.accept_refer(request, subscription).await;
    }

    fn notify_refer(&mut self, code: u16, terminated: bool) {
        self.core.notify_refer(code, terminated);
    }

    async fn respond(&mut self, request: RequestId, code: u16, sdp: Option<String>) {
        self.core.respond(request, code, sdp).await;
    }
}

impl IncomingDialog for SipIncoming {
    fn open(&mut self) -> Result<(), SignallingError> {
        let Some(tx) = self.tx.as_ref() else {
            return Err(SignallingError("the INVITE is already taken".into()));
        };
        let contact = self
            .contact
            .clone()
            .ok_or_else(|| SignallingError("no Contact for the dialog".into()))?;
        let (state_tx, states) = self.stack.dialog_layer.new_dialog_state_channel();
        let dialog = self
            .stack
            .dialog_layer
            .get_or_create_server_invite(tx, state_tx, None, Some(contact))
            .map_err(failed)?;
        if let Some(tx) = self.tx.take() {
            self.transaction = Some((tx.endpoint_inner.clone(), tx.tu_sender.clone()));
            tokio::spawn(crate::ua::stack::sweep::handle_invite(dialog.clone(), tx));
        }
        self.core.dialog = Some(dialog);
        self.core.states = Some(states);
        Ok(())
    }

    fn ringing(&mut self) -> Result<(), SignallingError> {
        match &self.core.dialog {
            Some(dialog) => dialog.ringing(None, None).map_err(failed),
            None => Ok(()),
        }
    }

    fn accept(&mut self, sdp: String) -> Result<(), SignallingError> {
        match &self.core.dialog {
            Some(dialog) => {
                let headers = sdp_headers().into_iter().chain(capability_headers());
                dialog
                    .accept(Some(headers.collect()), Some(sdp.into_bytes()))
                    .map_err(failed)
            }
            None => Err(SignallingError("no dialog to answer".into())),
        }
    }

    async fn reject(&mut self, code: u16) {
        let status = StatusCode::from(code);
        if let Some(dialog) = &self.core.dialog {
            let _ = dialog.reject(Some(status), None);
        } else if let Some(tx) = self.tx.as_mut() {
            let _ = tx.reply(status).await;
        }
    }

    async fn redirect(&mut self, target: String) {
        let contact = Header::Contact(format!("<{target}>").into());
        let status = StatusCode::MovedTemporarily;
        match (&self.core.dialog, &self.transaction) {
            (Some(dialog), Some((endpoint, transaction))) => {
                // Through the INVITE's transaction, as the dialog answers, with its To tag.
                let invite = dialog.initial_request();
                let mut response = endpoint.make_response(&invite, status, None);
                let tag = dialog.id().local_tag;
                for header in response.headers.iter_mut() {
                    if let Header::To(to) = header {
                        if let Ok(typed) = to.typed() {
                            if typed.tag().is_none() && !tag.is_empty() {
                                *header = Header::To(typed.with_tag(tag.clone().into()).into());
                            }
                        }
                        break;
                    }
                }
                response.headers.push(contact);
                let event =
                    rsipstack::transaction::transaction::TransactionEvent::Respond(response);
                if transaction.send(event).is_err() {
                    tracing::debug!("the INVITE's transaction is gone: no 302");
                }
            }
            _ => {
                if let Some(tx) = self.tx.as_mut() {
                    let _ = tx.reply_with(status, vec![contact], None).await;
                }
            }
        }
    }
}
