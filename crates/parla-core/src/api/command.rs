//! What clients ask of the engine: the `{"cmd":...}` half of the vocabulary.

use super::kinds::{DeclineReason, OwnPresence};
use super::{AccountId, CallId, RequestId};
use crate::config::{AccountConfig, AudioConfig, ForwardingConfig};
use crate::store::{
    ContactFields, ContactId, HistoryFilter, HistoryId, MessageId, SearchFilter, VoicemailId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Call `to` (a SIP URI, `user`, `user@host` or a number) from `account`, or from the
    /// default account when none is named.
    /// `identity`: the `user` of one of the line's `identities` to call as (its default one,
    /// else the line's own, when absent); `anonymous`: hide who calls (RFC 3323/3325), as a
    /// line with `anonymous = true` always does.
    Dial {
        #[serde(default)]
        account: Option<AccountId>,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        anonymous: bool,
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
    /// Stop (or resume) sending the microphone. For a call in the conference: the
    /// microphone is muted for the whole conference (the participants still hear each other).
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
        /// The codec the loop runs through (`opus` unless given): hear, or measure, what a call
        /// in it adds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        codec: Option<crate::sdp::Codec>,
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
    /// Merge calls into one local conference mixed here: every participant hears the others
    /// and us, we hear them all. Held calls are resumed; the calls of a running conference
    /// may be named again with new ones to add them (at most `[audio] conference_size`).
    /// Answered with `conference`.
    Conference {
        calls: Vec<CallId>,
    },
    /// Take a call out of the conference: it is held, the others go on (a conference left
    /// with one call becomes that call). Answered with `conference`.
    Split {
        call: CallId,
    },
    /// In a conference, leave one participant out of the mix (nobody hears them) or let them
    /// back in. Answered with `conference`.
    MuteParticipant {
        call: CallId,
        muted: bool,
    },
    /// Record a connected call (both directions) into the profile's `recordings/` folder,
    /// or stop. Answered with `recording`.
    Record {
        call: CallId,
        on: bool,
    },
    /// Park a call: transfer it to the line's `park` feature code (with `orbit`, that orbit).
    /// Answered with `transfer` events and `parked` (with the orbit when the server said it).
    Park {
        call: CallId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        orbit: Option<String>,
    },
    /// Use one of the line's feature codes, by its `name` in `feature_codes`: dialled (with
    /// `argument` in its `{}` or after it), or sent as DTMF in `call` when it is an in-call
    /// code.
    FeatureCode {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        argument: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<CallId>,
    },
    /// Change a line's forwarding (all of it: a target left out turns that forward off).
    /// Parla forwards by itself (302), or with `by_provider` dials the provider's codes.
    /// Answered with `forwarding`.
    SetForwarding {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<AccountId>,
        forwarding: ForwardingConfig,
    },
    /// Who is answered without a click: `enabled` answers every call when no other is under
    /// way; `only` limits that (and intercom) to these callers; `intercom` honours a
    /// caller's answer-after=0 / auto-answer header.
    SetAutoAnswer {
        enabled: bool,
        #[serde(default)]
        only: Vec<String>,
        #[serde(default)]
        intercom: bool,
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

pub(super) fn default_contact_limit() -> usize {
    200
}

pub(super) fn default_history_limit() -> usize {
    300
}
