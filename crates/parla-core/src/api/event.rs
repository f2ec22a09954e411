//! What the engine reports: the `{"event":...}` half of the vocabulary.

use super::kinds::*;
use super::{AccountId, CallId, RequestId};
use crate::store::{
    ContactId, ConversationEntry, HistoryEntry, MessageEntry, MessageId, MessageState,
    VoicemailEntry, VoicemailId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The engine is up: every enabled account has started registering.
    Ready { version: String },
    Registration {
        account: AccountId,
        state: RegistrationState,
        /// The SIP status code of a failure (408 when the registrar does not answer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Seconds the registrar granted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<u32>,
    },
    IncomingCall {
        call: CallId,
        account: AccountId,
        from: String,
        /// The contact owning the caller's number, else the display name the caller sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// An incoming call was refused without ringing: `reason` is `do_not_disturb` (486),
    /// `blocked` (603: the caller is a blocked contact) or `forwarded` (302 to `forwarded_to`:
    /// the line forwards always, or when busy). `name`: the contact's, else the display name
    /// the caller sent.
    CallRefused {
        account: AccountId,
        from: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        reason: RefusalReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forwarded_to: Option<String>,
    },
    CallState {
        call: CallId,
        state: CallState,
        /// Set on `calling`: the account and the dialled URI.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remote: Option<String>,
        /// Set on `calling` when the dialled number belongs to a contact: the contact's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Set on `ended`: a short plain reason, and the SIP code when one ended it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<u16>,
        /// Set on `calling` of a call placed because the far end of that call transferred
        /// us (a REFER); that call ends as `transferred` when this one connects.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transferred_from: Option<CallId>,
        /// Set on `connected` of an incoming call that took the place of that call (an
        /// INVITE with Replaces: the other end of an attended transfer); it was answered
        /// without ringing, and that call ends as `replaced`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<CallId>,
    },
    /// How a blind transfer goes: `trying` (the far end accepted the REFER, 202, or its call
    /// to the target is trying, 100), `ringing` (18x), `succeeded` (2xx: the call then ends
    /// with reason `transferred`) or `failed` (the REFER refused, the target's call failed, or
    /// no NOTIFY in time: 408). `code`: the SIP status it comes from.
    Transfer {
        call: CallId,
        state: TransferState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<u16>,
        /// An attended transfer: the consult call the far end is put through to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_call: Option<CallId>,
        /// The far end of `to_call` could not take the REFER, so it went the other way:
        /// `call` here is the consult call, and `to_call` the one first asked for.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reversed: bool,
    },
    /// Message waiting (RFC 3842) on a line changed: whether messages wait, and how many
    /// new and old voice messages the server counts. `unavailable` (said once): the server
    /// does not offer message waiting (it refused the subscription with 489, 405 or 501, or
    /// has no mailbox for the line), so the line stopped asking.
    Voicemail {
        account: AccountId,
        waiting: bool,
        new: u32,
        old: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unavailable: Option<String>,
    },
    /// The answering machine kept a message. `duration_ms`: the message only (after the
    /// beep), not the call.
    VoicemailMessage {
        account: AccountId,
        id: VoicemailId,
        from: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        duration_ms: u64,
    },
    /// The answer to `list_voicemail`, with the count of messages not heard yet.
    VoicemailMessages {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        messages: Vec<VoicemailEntry>,
        unheard: u64,
    },
    /// Messages were added, deleted or marked: lists shown are stale. `unheard`: how many
    /// are not heard now.
    VoicemailChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        unheard: u64,
    },
    /// The answer to `export_voicemail`: where the message was written.
    VoicemailExported {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        id: VoicemailId,
        path: String,
    },
    /// What plays: a message (`id`) or a line's greeting (`greeting`), where it is, how long
    /// it is. About 5 times a second while playing, and once on every change of state.
    Playback {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<VoicemailId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        greeting: Option<AccountId>,
        state: PlaybackState,
        position_ms: u64,
        duration_ms: u64,
    },
    /// A greeting being recorded (`recording`, about 5 times a second with its length so
    /// far), recorded as a draft (`recorded`), or kept (`kept`, with the file it is in).
    Greeting {
        account: AccountId,
        state: GreetingState,
        duration_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// Where a message we send stands: `sending` (stored, with its `id`), then `sent` (2xx:
    /// `code` 202 means the server stored it to deliver later) or `failed` (`code` and
    /// `reason` when a response said why).
    MessageState {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        id: MessageId,
        /// The conversation it belongs to.
        peer: String,
        state: MessageState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A message came in (and is stored as `id`). `from`: the sender's `sip:user@host` (the
    /// conversation); `name`: the contact's, else the display name it carried.
    Message {
        account: AccountId,
        id: MessageId,
        from: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        text: String,
    },
    /// The answer to `list_conversations`, with the count of unread messages.
    Conversations {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        conversations: Vec<ConversationEntry>,
        unread: u64,
    },
    /// The answer to `list_messages`.
    Messages {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        peer: String,
        messages: Vec<MessageEntry>,
    },
    /// Messages were marked read or deleted; `unread` is the count now.
    MessagesChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        unread: u64,
    },
    /// A watched colleague's state: their presence, or their busy lamp (`ringing` while a
    /// call rings at the extension, `busy` while they are in a call, `available` when idle).
    /// `uri` is the address as the line's `watch` list resolves it.
    Presence {
        account: AccountId,
        uri: String,
        state: PresenceState,
    },
    /// The local conference now: its calls (empty: it ended) and the participants left out
    /// of the mix (`mute_participant`).
    Conference {
        calls: Vec<CallId>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        muted: Vec<CallId>,
    },
    /// A call's recording: `recording` into `path`, `stopped` (the file is complete), or
    /// `failed` (it could not be written: `reason`; the call goes on).
    Recording {
        call: CallId,
        state: RecordingState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A call was parked (the park server took it); `orbit`: where, when it said so (its
    /// NOTIFY) or when we chose it. The call then ends as `parked`.
    Parked {
        call: CallId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        orbit: Option<String>,
    },
    /// A line's forwarding (at start, and on every change); `active`: some forward is on.
    Forwarding {
        account: AccountId,
        forwarding: crate::config::ForwardingConfig,
        active: bool,
    },
    /// Media negotiated (or renegotiated) for a call.
    Media {
        call: CallId,
        codec: String,
        remote_rtp: String,
        /// Plain text when the audio path could not start; the call goes on without audio.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warning: Option<String>,
    },
    /// Every 2 s of a connected call: how it sounds (jitter buffer and RTCP figures).
    Quality {
        call: CallId,
        jitter_ms: f32,
        target_delay_ms: u32,
        lost: u64,
        late: u64,
        concealed: u64,
        /// What the far end reports losing of our audio, percent, and the round trip.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remote_loss_percent: Option<f32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rtt_ms: Option<f32>,
        /// Estimated mean opinion score, 1 to 4.5 (ITU-T G.107 E-model from delay, loss and
        /// jitter); absent before anything was received.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mos: Option<f32>,
    },
    /// Whether a call's media is encrypted (SRTP both ways), said when its media starts and
    /// whenever a re-INVITE changes it. `suite`: the crypto suite in use when encrypted
    /// (`AES_CM_128_HMAC_SHA1_80`, `AEAD_AES_128_GCM`).
    CallEncryption {
        call: CallId,
        encrypted: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suite: Option<String>,
    },
    /// Where a line can be called directly (a line that does not register: the Local line),
    /// said when it starts listening and when the machine's addresses change.
    Reachable {
        account: AccountId,
        /// `sip:user@192.168.1.20:5060` for each address it listens on.
        uris: Vec<String>,
    },
    /// A DTMF digit from the far end (RFC 4733), once per key press.
    Dtmf { call: CallId, digit: String },
    /// Something about the audio devices the person should know; the call goes on.
    Device {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<CallId>,
        message: String,
    },
    /// The devices a call's audio uses now (the answer to `set_call_devices`).
    CallDevices {
        call: CallId,
        input: String,
        output: String,
    },
    /// The sound devices there are, by the names `[audio] input`/`output` and
    /// `set_call_devices` take; `default` first. `labels` names them as people know them
    /// (`hw:CARD=PCH,DEV=0` -> "HDA Intel PCH, ALC3246 Analog"); not `default`, and not
    /// unique (ALSA's `hw:` and `plughw:` of one card share a label).
    Devices {
        inputs: Vec<String>,
        outputs: Vec<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        labels: BTreeMap<String, String>,
    },
    /// While the echo test runs, about 10 times a second: the microphone's peak level over the
    /// last ~100 ms, 0.0 (silence) to 1.0 (full scale).
    Level { input: f32 },
    /// The audio self-test started (`running`) or ended (`stopped`, with `reason` if it failed).
    EchoTest {
        state: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Status {
        accounts: Vec<AccountStatus>,
        calls: Vec<CallStatus>,
        #[serde(default)]
        do_not_disturb: bool,
    },
    /// The contacts and history database is open (`ready`, with the number of missed calls
    /// not yet seen and of answering machine messages not heard yet, and where an unreadable
    /// old file was moved), or cannot be (`unavailable`).
    Database {
        state: DatabaseState,
        #[serde(default)]
        unseen_missed: u64,
        #[serde(default)]
        unheard_voicemail: u64,
        /// Text messages not read yet.
        #[serde(default)]
        unread_messages: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_aside: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The answer to `search_contacts`.
    Contacts {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        contacts: Vec<ContactEntry>,
    },
    /// The answer to `get_contact`: none when there is no such contact.
    Contact {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact: Option<Box<ContactEntry>>,
    },
    /// The answer to `save_contact`.
    ContactSaved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        id: ContactId,
    },
    /// The answer to `import_contacts`: how many contacts were added and how many rows (or
    /// cards) were refused, with the first refusals' reasons (`row 3: ...`) in English.
    ContactsImported {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        imported: usize,
        refused: usize,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        refused_rows: Vec<String>,
    },
    /// The contacts changed (a save, delete, mark or directory sync): lists shown are stale.
    /// `request` is that of the command that changed them, if any.
    ContactsChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The answer to `list_history`.
    History {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        calls: Vec<HistoryEntry>,
    },
    /// History entries were deleted.
    HistoryChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// How many missed calls have not been seen (after `mark_missed_seen`: 0).
    MissedCalls {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        unseen: u64,
    },
    /// A company directory was synced (`contacts` it holds now, `skipped` entries not taken)
    /// or failed (`reason`; the previous contacts are kept).
    DirectorySync {
        account: AccountId,
        state: SyncState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contacts: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skipped: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The answer to `save_diagnostics`: where the bundle was written.
    DiagnosticsSaved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
        path: String,
    },
    /// A command could not be carried out, or a line of input was not a command. `kind` is
    /// for programs and the window (which says it in the person's language); `message` is
    /// English, for logs and headless users.
    Error {
        kind: ErrorKind,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<CallId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        /// The `request` of the command that failed, when it carried one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
}
