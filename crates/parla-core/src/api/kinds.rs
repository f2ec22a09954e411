//! The small types of the vocabulary: error kinds, states, and what `status` and the contact
//! events carry.

use super::{AccountId, CallId};
use crate::store::{Contact, ContactFields, ContactId};
use serde::{Deserialize, Serialize};

/// What went wrong, for programs and for the window to say in the person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A line of input that is not a command (bad JSON, unknown command or field).
    BadCommand,
    /// The engine's command queue is full or the engine has stopped.
    EngineBusy,
    /// The command names a call that does not exist (any more).
    NoSuchCall,
    /// The command names a line that does not exist or is not enabled.
    NoSuchAccount,
    /// No line to call from: none is configured or enabled.
    NoAccount,
    /// The line has stopped while the command was on its way.
    AccountStopped,
    /// `set_account` with settings that cannot work (the message says which).
    InvalidAccount,
    /// `set_audio` with settings that cannot work.
    InvalidAudio,
    /// Already as many calls as Parla takes at once.
    TooManyCalls,
    /// The call is not connected yet (keys, hold, mute need a call that is up).
    CallNotConnected,
    /// `answer` on a call that is already answered, or outgoing.
    CannotAnswer,
    /// Hold or resume: the far end refused or did not answer the re-INVITE.
    HoldFailed,
    /// A blind transfer did not happen: the target is not dialable, a transfer or hold is
    /// under way, the far end refused the REFER, or the transfer target's call failed. The
    /// call stays as it was.
    TransferFailed,
    /// DTMF could not be sent.
    DtmfFailed,
    /// The call's audio could not move to the devices asked for.
    DevicesNotSwitched,
    /// The sound devices could not be listed.
    DevicesUnavailable,
    /// `echo_test` with `stop` while none runs.
    EchoTestNotRunning,
    /// The contacts and history database cannot be used (not open, or failing).
    StoreUnavailable,
    /// A contact that cannot be saved (no name nor number, a number that is not one...).
    InvalidContact,
    /// The command names a contact or history entry that does not exist.
    NotFound,
    /// The diagnostics bundle could not be written (the message says why).
    DiagnosticsFailed,
    /// `import_contacts`: the file cannot be read or is not a CSV or vCard contacts file
    /// (missing, too large, not UTF-8 text, no name or phone column...); nothing was imported.
    ImportFailed,
    /// `call_voicemail` on a line with no voicemail number (none set, none from the server).
    NoVoicemailNumber,
    /// The answering machine, a greeting being recorded, or a call's recording could not
    /// write its file (disk full, folder gone, read-only): a machine's call was ended after
    /// the beep, a recorded call goes on; earlier files are kept.
    RecordingFailed,
    /// A message's (or greeting's) audio file is gone or unreadable: it cannot be played or
    /// exported, only deleted.
    FileMissing,
    /// `export_voicemail`: the file could not be written, or its extension is neither `.wav`
    /// nor `.ogg`/`.opus`.
    ExportFailed,
    /// `send_message`: empty, or longer than `MAX_MESSAGE_BYTES`; nothing was sent or kept.
    InvalidMessage,
    /// `pickup`: no call rings at that extension as far as its busy lamp says, and the line
    /// has no `pickup_code` ("no call to pick up").
    PickupFailed,
    /// `conference`/`split`/`mute_participant`: a call that is not connected or held, more
    /// calls than `conference_size`, a call not in the conference, or no audio to mix.
    ConferenceFailed,
    /// `park`: the line has no `park` feature code, or the park server refused the call.
    ParkFailed,
    /// `feature_code`: the line has no feature code by that name (or it is empty), or an
    /// in-call code without a connected call.
    NoSuchFeatureCode,
    /// `dial` with an `identity` that is not one of the line's.
    NoSuchIdentity,
    /// `set_forwarding`: a target that cannot be dialled, or (by the provider) a code missing
    /// or failing.
    ForwardingFailed,
    /// Something inside Parla went wrong that should not (a bug); the message says what.
    Internal,
}

/// Why an incoming call was refused without ringing.
/// Where a blind transfer stands (the `transfer` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    Trying,
    Ringing,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The caller is a blocked contact: 603 Decline.
    Blocked,
    /// Do not disturb is on: 486 Busy Here.
    DoNotDisturb,
    /// Forwarded elsewhere (302) by the line's forwarding.
    Forwarded,
}

/// How an incoming call is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// 603 Decline: the person does not want to take it.
    #[default]
    Decline,
    /// 486 Busy Here.
    Busy,
}

/// A contact as events carry it: its id, the name to show, and every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEntry {
    pub id: ContactId,
    /// "First Last", or the company when there is no name.
    pub name: String,
    #[serde(flatten)]
    pub fields: ContactFields,
}

impl From<Contact> for ContactEntry {
    fn from(contact: Contact) -> Self {
        ContactEntry {
            id: contact.id,
            name: contact.fields.display_name(),
            fields: contact.fields,
        }
    }
}

/// The state of the contacts and history database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    Ready,
    /// It could not be opened: calls go on without names or history.
    Unavailable,
}

/// How a company directory sync went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Synced,
    /// The previous contacts are kept.
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    /// A REGISTER is on its way (first attempt or a retry after a failure).
    Registering,
    Registered,
    /// Refused or unreachable; the engine keeps retrying with backoff.
    Failed,
    /// Not registered, on purpose (quit, disabled, or registration turned off).
    Unregistered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// Outgoing, INVITE sent.
    Calling,
    /// Outgoing, the far end rings (180 or 183).
    Ringing,
    /// Incoming, waiting for the person to answer.
    Incoming,
    Connected,
    /// The far end put the call on hold.
    Held,
    /// We put the call on hold.
    OnHold,
    /// Incoming, answered by the line's answering machine: the caller hears the greeting, then
    /// leaves a message. `answer` picks the call up (the recording stops, the microphone opens:
    /// `connected`).
    AnsweringMachine,
    Ended,
}

/// Where the playback of a message or greeting stands (the `playback` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaybackState {
    Playing,
    Paused,
    /// Stopped, played to the end, or replaced by another playback.
    Stopped,
}

/// Where the recording of a greeting stands (the `greeting` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GreetingState {
    Recording,
    /// Recorded as a draft: listen with `play_greeting`, keep with `keep_greeting`.
    Recorded,
    Kept,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outgoing,
    Incoming,
}

/// One account in a `status` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatus {
    pub account: AccountId,
    pub state: RegistrationState,
}

/// One call in a `status` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStatus {
    pub call: CallId,
    pub account: AccountId,
    pub direction: CallDirection,
    pub remote: String,
    pub state: CallState,
}

/// What a watched colleague is, as the `presence` event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    Available,
    Away,
    Busy,
    /// A busy lamp: a call rings at the watched extension.
    Ringing,
    Offline,
    Unknown,
}

/// What the person says about themselves (`set_presence`); do not disturb and being in a call
/// are published on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnPresence {
    #[default]
    Available,
    Away,
    Busy,
}

/// Where a call's recording stands (the `recording` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingState {
    Recording,
    Stopped,
    Failed,
}
