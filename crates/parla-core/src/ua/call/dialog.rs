//! The seam between a call's decisions and SIP: what the call logic asks of its dialog and
//! what the dialog tells it, in our own types only (SDP as text, status codes as numbers).
//! [`super::sip_dialog`] implements it over rsipstack; the unit tests script it with a fake far
//! end, so INVITE, CANCEL, re-INVITE, glare and BYE run below the socket on a paused clock.
//!
//! The logic drives the dialog with the methods below and reads one stream of
//! [`DialogEvent`]s: responses to our INVITE and re-INVITE, the far end's requests, the end.

use super::replaces::{DialogInfo, Replaces};
use std::future::Future;

/// Names a request from the far end that waits for our answer ([`CallDialog::respond`]).
pub type RequestId = u64;

/// What the far end (or the stack, on its behalf) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogEvent {
    /// A provisional response to our INVITE (180, 183), with its SDP when it carries early
    /// media.
    Progress { code: u16, sdp: Option<String> },
    /// A 2xx to our INVITE, with the answer.
    Answered { sdp: String },
    /// A final failure response (3xx-6xx) to our INVITE.
    Refused { code: u16 },
    /// Our INVITE ended with no final response at all.
    NoFinalResponse,
    /// Our INVITE could not go on (transport, authentication, the stack); the text says why.
    InviteFailed { error: String },
    /// The ACK for our 2xx to the far end's INVITE; its SDP when our 200 carried the offer.
    Confirmed { ack_sdp: Option<String> },
    /// A re-INVITE or UPDATE from the far end, with its offer (none: it asks for ours, or
    /// only refreshes the session).
    RemoteOffer {
        request: RequestId,
        sdp: Option<String>,
    },
    /// The final response to our re-INVITE.
    ReInviteAnswered {
        code: u16,
        reason: String,
        sdp: Option<String>,
    },
    /// Our re-INVITE got no final response.
    ReInviteFailed(ReInviteFailure),
    /// The final response to our REFER (202 Accepted, or a refusal).
    ReferAnswered { code: u16 },
    /// Our REFER got no final response, or could not be sent; the text says why.
    ReferFailed(String),
    /// A NOTIFY of the subscription our REFER made (RFC 3515, `Event: refer`): the status
    /// code of its `message/sipfrag` body (`None` when it has none that reads), and whether
    /// `Subscription-State` says the subscription is over. Answer it with
    /// [`CallDialog::respond`].
    ReferNotify {
        request: RequestId,
        status: Option<u16>,
        terminated: bool,
        /// Where the sipfrag says the call went (a park server's orbit), if it says.
        orbit: Option<String>,
    },
    /// A REFER from the far end (RFC 3515): it asks us to call `target` (a URI, Refer-To
    /// with its headers taken off), replacing the dialog `replaces` names if any (RFC 3891,
    /// the value decoded). `subscription`: false when it asked for no NOTIFYs (RFC 4488
    /// `Refer-Sub: false`). Answer with [`CallDialog::accept_refer`] or
    /// [`CallDialog::respond`].
    Referred {
        request: RequestId,
        target: String,
        replaces: Option<String>,
        referred_by: Option<String>,
        subscription: bool,
    },
    /// Another request inside the dialog.
    Request {
        request: RequestId,
        method: InDialogMethod,
    },
    /// The dialog is over.
    Terminated(EndReason),
}

/// Why our re-INVITE has no final response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReInviteFailure {
    /// The dialog is not (or no longer) confirmed: nothing was sent.
    NotEstablished,
    /// Sending failed or no response came; the text says why.
    Error(String),
}

/// In-dialog requests other than re-INVITE/UPDATE, BYE and CANCEL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InDialogMethod {
    Options,
    Info,
    Notify,
    Message,
    Publish,
}

/// How the dialog ended when the call did not end it itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// BYE from the far end.
    RemoteHangup,
    /// The caller sent CANCEL before we answered.
    CallerCancelled,
    /// No ACK, or no response, in time.
    Timeout,
    Busy,
    Declined,
    /// The proxy kept asking for credentials.
    AuthFailed,
    /// Any other failure, with its SIP code.
    Network(u16),
}

impl EndReason {
    /// The plain reason and SIP code a call that ends this way reports.
    pub fn describe(self) -> (&'static str, Option<u16>) {
        match self {
            EndReason::RemoteHangup => ("remote hangup", None),
            EndReason::CallerCancelled => ("cancelled by caller", Some(487)),
            EndReason::Timeout => ("no answer from the far end", Some(408)),
            EndReason::Busy => ("busy", Some(486)),
            EndReason::Declined => ("declined", Some(603)),
            EndReason::AuthFailed => ("authentication failed", Some(407)),
            EndReason::Network(code) => ("ended by the network", Some(code)),
        }
    }
}

/// The caller of an incoming call, as its INVITE names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingInvite {
    /// The From URI.
    pub from: String,
    /// The display name in the From, if any.
    pub display_name: Option<String>,
    /// The INVITE's SDP offer; empty when it has none (we offer in the 200).
    pub sdp: String,
    /// The dialog its `Replaces` header names (RFC 3891): it takes that call's place.
    /// `Err` holds a value that does not read.
    pub replaces: Option<Result<Replaces, String>>,
}

/// A SIP request the dialog could not send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SignallingError(pub String);

/// What both kinds of call do with their dialog.
pub trait CallDialog: Send + 'static {
    /// The next thing that happened; `None` once the dialog is gone. Cancel-safe.
    fn next_event(&mut self) -> impl Future<Output = Option<DialogEvent>> + Send;
    /// Ends a confirmed call (or an answered one still waiting for its ACK).
    fn bye(&mut self) -> impl Future<Output = Result<(), SignallingError>> + Send;
    /// Sends a re-INVITE with `offer`; the outcome arrives as [`DialogEvent::ReInviteAnswered`]
    /// or [`DialogEvent::ReInviteFailed`]. One at a time.
    fn reinvite(&mut self, offer: String);
    /// Sends a REFER asking the far end to call `target`, a SIP URI (with a `Replaces`
    /// header in it for an attended transfer), with our address of record as `Referred-By`. The response arrives as
    /// [`DialogEvent::ReferAnswered`] or [`DialogEvent::ReferFailed`], progress as
    /// [`DialogEvent::ReferNotify`]. One at a time.
    fn refer(&mut self, target: String);
    /// The dialog as a Replaces would name it, once it has both tags.
    fn info(&self) -> Option<DialogInfo>;
    /// 202 Accepted to the far end's REFER; with `Refer-Sub: false` when it asked for no
    /// subscription.
    fn accept_refer(
        &mut self,
        request: RequestId,
        subscription: bool,
    ) -> impl Future<Output = ()> + Send;
    /// A NOTIFY of the subscription the far end's REFER made: the `message/sipfrag` status
    /// line of our call to the target, `terminated` on the last one. Sent in the background.
    fn notify_refer(&mut self, code: u16, terminated: bool);
    /// Answers a request from the far end, with SDP (a 200 to a re-INVITE) or without.
    fn respond(
        &mut self,
        request: RequestId,
        code: u16,
        sdp: Option<String>,
    ) -> impl Future<Output = ()> + Send;
}

/// The dialog of a call we place.
pub trait OutgoingDialog: CallDialog {
    /// Sends the INVITE with our offer.
    fn invite(&mut self, offer: String) -> Result<(), SignallingError>;
    /// CANCELs the INVITE (held back until a provisional response, RFC 3261 9.1).
    fn cancel(&mut self) -> impl Future<Output = Result<(), SignallingError>> + Send;
}

/// The dialog of a call we receive.
pub trait IncomingDialog: CallDialog {
    /// Makes the dialog for the INVITE. On error answer the INVITE with [`Self::reject`].
    fn open(&mut self) -> Result<(), SignallingError>;
    /// 180 Ringing.
    fn ringing(&mut self) -> Result<(), SignallingError>;
    /// 200 OK with our SDP.
    fn accept(&mut self, sdp: String) -> Result<(), SignallingError>;
    /// A final refusal of the INVITE (with or without a dialog).
    fn reject(&mut self, code: u16) -> impl Future<Output = ()> + Send;
    /// 302 Moved Temporarily with `target` (a SIP URI) in Contact: the call is forwarded.
    fn redirect(&mut self, target: String) -> impl Future<Output = ()> + Send;
}
