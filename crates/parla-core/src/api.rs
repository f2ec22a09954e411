//! The one vocabulary: what the GUI, `parla --headless`, the control socket and a second launch
//! send (`Command`) and what the engine reports back (`Event`). Serialised as internally tagged
//! JSON (`{"cmd":"dial",...}` / `{"event":"call_state",...}`).

use crate::config::{AccountConfig, AudioConfig};
use crate::store::{
    ContactFields, ContactId, ConversationEntry, HistoryEntry, HistoryFilter, HistoryId,
    MessageEntry, MessageId, MessageState, SearchFilter, VoicemailEntry, VoicemailId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

mod constructors;
mod kinds;
#[cfg(test)]
mod tests;

pub use kinds::{
    AccountStatus, CallDirection, CallState, CallStatus, ContactEntry, DatabaseState,
    DeclineReason, ErrorKind, GreetingState, OwnPresence, PlaybackState, PresenceState,
    RefusalReason, RegistrationState, SyncState, TransferState,
};

/// An account ("line") as named by `id` in the profile's config.toml.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub String);

impl AccountId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A call, numbered by the engine from 1 upwards for the life of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a client puts in a command's `request` to find the events that answer it.
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Call `to` (a SIP URI, `user`, `user@host` or a number) from `account`, or from the
    /// default account when none is named.
    Dial {
        #[serde(default)]
        account: Option<AccountId>,
        to: String,
    },
    Answer {
        call: CallId,
    },
    /// Refuse a ringing incoming call.
    Decline {
        call: CallId,
        #[serde(default)]
        reason: DeclineReason,
    },
    /// End a call in any state: CANCEL while calling, 603 while ringing in, BYE when connected.
    Hangup {
        call: CallId,
    },
    /// Send DTMF digits (`0-9 * # A-D`) as RFC 4733 events on a connected call.
    Dtmf {
        call: CallId,
        digits: String,
    },
    /// Put a connected call on hold (re-INVITE with `sendonly`), and take it off.
    Hold {
        call: CallId,
    },
    Resume {
        call: CallId,
    },
    /// Transfer (RFC 3515), with exactly one of `to` and `to_call`.
    /// - Blind: ask the far end to call `to` (a SIP URI, `user`, `user@host` or a number, read
    ///   as `dial` reads it) with a REFER in the call's dialog.
    /// - Attended: `to_call` is our consult call with the target; the REFER's Refer-To names
    ///   its far end with `Replaces` (RFC 3891), so the far end of `call` takes our place in
    ///   it. `call` is held (and the hold answered) first. A far end that cannot take a REFER
    ///   (405, 501) is transferred the other way round: the REFER goes on `to_call`.
    ///
    /// Progress comes as `transfer` events; on success the call (and the consult call) ends
    /// with reason `transferred`, on failure it stays as it was and an `error` of kind
    /// `transfer_failed` says why. Hold and resume asked meanwhile wait for the outcome.
    Transfer {
        call: CallId,
        #[serde(default)]
        to: Option<String>,
        #[serde(default)]
        to_call: Option<CallId>,
    },
    /// Call the line's mailbox: its `voicemail_number`, else the `Message-Account` its server
    /// sent; the default line when none is named.
    CallVoicemail {
        #[serde(default)]
        account: Option<AccountId>,
    },
    /// Stop (or resume) sending the microphone.
    Mute {
        call: CallId,
        muted: bool,
    },
    /// Move a call's audio to other devices while it goes on (headset / speakers): names as
    /// `list_devices` gives them (or `default`, `null`, `file:/path.wav`); a direction left out
    /// stays as it is. Answered with `call_devices`, or an `error` (the call goes on).
    SetCallDevices {
        call: CallId,
        #[serde(default)]
        input: Option<String>,
        #[serde(default)]
        output: Option<String>,
    },
    /// Ask for the sound devices there are (answered with `devices`).
    ListDevices,
    /// The audio self-test: microphone -> encode -> jitter buffer -> decode -> speaker, with no
    /// account. `stop: true` ends it.
    EchoTest {
        #[serde(default)]
        stop: bool,
    },
    /// Ask the engine to report every account and call (answered with `status`).
    Status,
    /// Add a line, or replace the one with the same id: the old one un-registers and stops (its
    /// calls end), then the new one starts. Without `password` it comes from the keyring.
    SetAccount {
        account: Box<AccountConfig>,
    },
    /// Un-register and stop a line; its calls end.
    RemoveAccount {
        account: AccountId,
    },
    /// While on, incoming calls on every line are answered 486 Busy Here without ringing.
    SetDoNotDisturb {
        on: bool,
    },
    /// Devices and Opus settings for calls and tones started from now on.
    SetAudio {
        audio: AudioConfig,
    },
    /// Contacts matching every word of `query` (empty: all), sorted by name, at most `limit`
    /// (default 200, at most 10,000). Answered with `contacts`.
    SearchContacts {
        #[serde(default)]
        query: String,
        #[serde(default)]
        filter: SearchFilter,
        #[serde(default = "default_contact_limit")]
        limit: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// One contact by id. Answered with `contact` (without one when there is none).
    GetContact {
        id: ContactId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Adds a personal contact, or with `id` replaces one (its favourite and blocked marks
    /// stay: `set_favourite`/`set_blocked` change those). Answered with `contact_saved`.
    SaveContact {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<ContactId>,
        contact: Box<ContactFields>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Deletes a personal contact. Answered with `contacts_changed`.
    DeleteContact {
        id: ContactId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    SetFavourite {
        id: ContactId,
        on: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Calls from a blocked contact are refused (603) without ringing.
    SetBlocked {
        id: ContactId,
        on: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The call history, newest first: `filter`, words of `query` in the name or number, at
    /// most `limit` (default 300, at most 10,000). Answered with `history`.
    ListHistory {
        #[serde(default)]
        filter: HistoryFilter,
        #[serde(default)]
        query: String,
        #[serde(default = "default_history_limit")]
        limit: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Deletes one history entry. Answered with `history_changed`.
    DeleteHistory {
        id: HistoryId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Deletes the whole history. Answered with `history_changed`.
    ClearHistory {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The person has seen the missed calls. Answered with `missed_calls`.
    MarkMissedSeen {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Syncs the company directory of `account` (every line's when absent) now; the engine
    /// also syncs them at start and every hour. Answered with a `directory_sync` per directory.
    SyncDirectories {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Imports the contacts of a CSV or vCard file (told apart by the extension, else by the
    /// content; at most 50 MB) as personal contacts, numbers read in the default line's region.
    /// Rows that are duplicates or cannot be read are refused one by one; the rest are written
    /// in one go. Answered with `contacts_imported` (and `contacts_changed` when any was
    /// added), or an `error` of kind `import_failed` when the file cannot be imported.
    ImportContacts {
        path: std::path::PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Write the diagnostics bundle (logs, SIP trace, call quality, devices, settings without
    /// passwords) to `output` (a `.zip` or `.tar.gz`; default: the Downloads folder, else the
    /// profile). Carried out by the program around the engine (`--headless` or the window);
    /// answered with `diagnostics_saved`.
    SaveDiagnostics {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        output: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The answering machine's messages, newest first, at most `limit` (default 300).
    /// Answered with `voicemail_messages`.
    ListVoicemail {
        #[serde(default = "default_history_limit")]
        limit: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Marks a message heard (or unheard again). Answered with `voicemail_changed`.
    SetVoicemailHeard {
        id: VoicemailId,
        heard: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Deletes a message: its file and its row. Answered with `voicemail_changed`.
    DeleteVoicemail {
        id: VoicemailId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Writes a message to `output`: `.wav` as WAV, `.ogg` or `.opus` as Ogg Opus; any other
    /// extension is refused (`export_failed`). Answered with `voicemail_exported`.
    ExportVoicemail {
        id: VoicemailId,
        output: std::path::PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Plays a message on the output device from `position_ms` (default: the start; a
    /// paused message resumes where it was), and marks it heard. Progress comes as
    /// `playback` events. One thing plays at a time: a new `play_*` stops the previous one.
    PlayVoicemail {
        id: VoicemailId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position_ms: Option<u64>,
    },
    /// Plays the line's greeting as callers hear it (the one being kept, or the one just
    /// recorded with `record_greeting` while it is not kept yet).
    PlayGreeting {
        account: AccountId,
    },
    /// Pauses what plays (`playback` with `paused`).
    PausePlayback,
    /// Moves what plays (or is paused) to `position_ms`.
    SeekPlayback {
        position_ms: u64,
    },
    /// Stops what plays (`playback` with `stopped`).
    StopPlayback,
    /// Records a new greeting for the line from the microphone (`stop: true` ends it; it
    /// also ends by itself after 60 s). Answered with `greeting` events. The recording is a
    /// draft until `keep_greeting`.
    RecordGreeting {
        account: AccountId,
        #[serde(default)]
        stop: bool,
    },
    /// Keeps the draft greeting: it becomes the profile's `greetings/ACCOUNT.wav`, and the
    /// line's `answering_machine.greeting` points at it. Answered with `greeting` `kept`.
    KeepGreeting {
        account: AccountId,
    },
    /// Send a text message (SIP MESSAGE, `text/plain; charset=UTF-8`) to `to` (read as `dial`
    /// reads it) from `account` (the default line when none is named). It is stored at once
    /// and answered with `message_state` `sending` (with its `id`), then `sent` or `failed`.
    SendMessage {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        to: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Send a failed message again (the same stored message). Answered like `send_message`.
    RetryMessage {
        id: MessageId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The conversations, newest first, at most `limit` (default 300). Answered with
    /// `conversations`.
    ListConversations {
        #[serde(default = "default_history_limit")]
        limit: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// One conversation's messages (`peer` as `conversations` names it), oldest first, the
    /// last `limit` (default 300). Answered with `messages`.
    ListMessages {
        peer: String,
        #[serde(default = "default_history_limit")]
        limit: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// The person has read the conversation. Answered with `messages_changed`.
    MarkConversationRead {
        peer: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// Deletes a conversation's messages. Answered with `messages_changed`.
    DeleteConversation {
        peer: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestId>,
    },
    /// What the lines publish about us (PUBLISH `presence`, PIDF) where the server takes it:
    /// `available`, `away` or `busy`; while do not disturb is on it says do not disturb, and
    /// while we are in a call it says busy, whatever was chosen.
    SetPresence {
        state: OwnPresence,
    },
    /// Pick up the call ringing at a watched extension (`uri`, as `presence` events name it):
    /// an INVITE with Replaces built from the dialog its busy lamp reported, else the line's
    /// `pickup_code` followed by the extension. Progress as for `dial` (`call_state`).
    Pickup {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        uri: String,
    },
    /// Desktop app: bring the main window forward; the headless engine ignores it.
    Show,
    /// Un-register every account, end every call, then stop.
    Quit,
}

/// Most contacts or history rows one answer carries.
pub const MAX_LIST_LIMIT: usize = 10_000;
/// Longest search text taken (characters); the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 256;

fn default_contact_limit() -> usize {
    200
}

fn default_history_limit() -> usize {
    300
}

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
    /// An incoming call was refused without ringing: `reason` is `do_not_disturb` (486) or
    /// `blocked` (603: the caller is a blocked contact). `name`: the contact's, else the
    /// display name the caller sent.
    CallRefused {
        account: AccountId,
        from: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        reason: RefusalReason,
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
