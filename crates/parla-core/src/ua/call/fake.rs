//! For the call logic's unit tests: a far end the test scripts ([`FarEnd`], behind
//! [`FakeDialog`]) and an audio backend that records instead of opening sockets and devices
//! ([`FakeBackend`]), plus starters that run a call task against them.

use super::dialog::{
    CallDialog, DialogEvent, IncomingDialog, IncomingInvite, OutgoingDialog, RequestId,
    SignallingError,
};
use super::referred::LineRequest;
use super::replaces::DialogInfo;
use super::{incoming, outgoing, CallEnv};
use crate::api::{AccountId, CallDirection, CallId, CallState, Event};
use crate::sdp::{Codec, Direction, LocalMedia, NegotiatedMedia};
use crate::store::Region;
use crate::ua::calls::{CallCommand, CallRegistry};
use crate::ua::media::{ApplyError, BindError, CallAudio, DtmfError, MediaBackend, SwitchError};
use crate::ua::store_link::StoreLink;
use parla_media::{MediaError, MediaEvent, MediaEventSink, MediaStats};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Longer than any wait a call makes; with the paused clock it costs nothing.
const PATIENCE: Duration = Duration::from_secs(3600);

/// A SIP action the call logic took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Invite(String),
    Cancel,
    Bye,
    ReInvite(String),
    /// A REFER to this target.
    Refer(String),
    Respond {
        request: RequestId,
        code: u16,
        sdp: Option<String>,
    },
    Open,
    Ringing,
    Accept(String),
    Reject(u16),
    /// 302 with this Contact.
    Redirect(String),
    /// 202 to the far end's REFER.
    AcceptRefer {
        request: RequestId,
        subscription: bool,
    },
    /// A NOTIFY of the far end's REFER: the sipfrag status.
    NotifyRefer {
        code: u16,
        terminated: bool,
    },
}

/// The dialog every fake call has once the far end's tag is known: `tag` tells calls apart.
pub fn dialog_info(tag: &str, remote_uri: &str) -> DialogInfo {
    DialogInfo {
        call_id: format!("call-{tag}"),
        local_tag: format!("ours-{tag}"),
        remote_tag: format!("theirs-{tag}"),
        remote_uri: remote_uri.to_string(),
    }
}

/// The call's side of the fake: hands the call what the test scripts, records what it does.
pub struct FakeDialog {
    events: UnboundedReceiver<DialogEvent>,
    sent: UnboundedSender<(Instant, Sent)>,
    fail_open: bool,
    pub info: Option<DialogInfo>,
}

/// The test's side: the far end and the stack in one.
pub struct FarEnd {
    events: UnboundedSender<DialogEvent>,
    sent: UnboundedReceiver<(Instant, Sent)>,
}

pub fn dialog() -> (FakeDialog, FarEnd) {
    let (events_tx, events) = unbounded_channel();
    let (sent_tx, sent) = unbounded_channel();
    (
        FakeDialog {
            events,
            sent: sent_tx,
            fail_open: false,
            info: Some(dialog_info("7", "sip:far@example.com")),
        },
        FarEnd {
            events: events_tx,
            sent,
        },
    )
}

impl FakeDialog {
    fn record(&self, sent: Sent) {
        let _ = self.sent.send((Instant::now(), sent));
    }

    /// A dialog the stack cannot make.
    pub fn failing_open(mut self) -> Self {
        self.fail_open = true;
        self
    }
}

impl CallDialog for FakeDialog {
    async fn next_event(&mut self) -> Option<DialogEvent> {
        self.events.recv().await
    }

    async fn bye(&mut self) -> Result<(), SignallingError> {
        self.record(Sent::Bye);
        Ok(())
    }

    fn reinvite(&mut self, offer: String) {
        self.record(Sent::ReInvite(offer));
    }

    fn refer(&mut self, target: String) {
        self.record(Sent::Refer(target));
    }

    fn info(&self) -> Option<DialogInfo> {
        self.info.clone()
    }

    async fn accept_refer(&mut self, request: RequestId, subscription: bool) {
        self.record(Sent::AcceptRefer {
            request,
            subscription,
        });
    }

    fn notify_refer(&mut self, code: u16, terminated: bool) {
        self.record(Sent::NotifyRefer { code, terminated });
    }

    async fn respond(&mut self, request: RequestId, code: u16, sdp: Option<String>) {
        self.record(Sent::Respond { request, code, sdp });
    }
}

impl OutgoingDialog for FakeDialog {
    fn invite(&mut self, offer: String) -> Result<(), SignallingError> {
        self.record(Sent::Invite(offer));
        Ok(())
    }

    async fn cancel(&mut self) -> Result<(), SignallingError> {
        self.record(Sent::Cancel);
        Ok(())
    }
}

impl IncomingDialog for FakeDialog {
    fn open(&mut self) -> Result<(), SignallingError> {
        if self.fail_open {
            return Err(SignallingError("no dialog for you".into()));
        }
        self.record(Sent::Open);
        Ok(())
    }

    fn ringing(&mut self) -> Result<(), SignallingError> {
        self.record(Sent::Ringing);
        Ok(())
    }

    fn accept(&mut self, sdp: String) -> Result<(), SignallingError> {
        self.record(Sent::Accept(sdp));
        Ok(())
    }

    async fn reject(&mut self, code: u16) {
        self.record(Sent::Reject(code));
    }

    async fn redirect(&mut self, target: String) {
        self.record(Sent::Redirect(target));
    }
}

impl FarEnd {
    pub fn send(&self, event: DialogEvent) {
        self.events.send(event).expect("the call task is gone");
    }

    /// The next SIP action, and when it was taken.
    pub async fn next_at(&mut self) -> (Instant, Sent) {
        tokio::time::timeout(PATIENCE, self.sent.recv())
            .await
            .expect("no SIP action")
            .expect("the call task is gone")
    }

    pub async fn next(&mut self) -> Sent {
        self.next_at().await.1
    }

    /// What was sent so far and not yet looked at.
    pub fn taken(&mut self) -> Vec<Sent> {
        let mut out = Vec::new();
        while let Ok((_, sent)) = self.sent.try_recv() {
            out.push(sent);
        }
        out
    }
}

/// What the fake audio was asked to do.
#[derive(Debug, Default)]
pub struct MediaLog {
    pub applied: Vec<NegotiatedMedia>,
    pub local_hold: bool,
    pub muted: bool,
    pub dtmf: Vec<String>,
    /// "ringback", "ringback stopped", "ringtone", "ringtone stopped", "busy".
    pub tones: Vec<String>,
    /// The call's audio was released.
    pub dropped: bool,
    /// The answering machine the audio was started as, and where it stands (tests set it).
    pub machine: Option<parla_media::AnsweringMachine>,
    pub machine_status: Option<parla_media::MachineStatus>,
    pub picked_up: bool,
    /// The conference seat the audio went to, while in one.
    pub seat: Option<crate::ua::conference::Seat>,
    /// The file being recorded, and the ones finished.
    pub recording: Option<std::path::PathBuf>,
    pub recorded: Vec<std::path::PathBuf>,
    /// Recording is refused with this message.
    pub refuse_recording: Option<String>,
}

#[derive(Clone, Default)]
pub struct FakeBackend {
    log: Arc<Mutex<MediaLog>>,
    sink: Arc<Mutex<Option<MediaEventSink>>>,
    fail_bind: bool,
}

impl FakeBackend {
    pub fn failing_bind() -> Self {
        Self {
            fail_bind: true,
            ..Self::default()
        }
    }

    pub fn log(&self) -> MutexGuard<'_, MediaLog> {
        self.log.lock().expect("media log")
    }

    /// What the media thread would report.
    pub fn emit(&self, event: MediaEvent) {
        let sink = self.sink.lock().expect("sink").clone();
        sink.expect("no audio bound").emit(event);
    }
}

pub struct FakeTone {
    name: &'static str,
    log: Arc<Mutex<MediaLog>>,
}

impl Drop for FakeTone {
    fn drop(&mut self) {
        if let Ok(mut log) = self.log.lock() {
            log.tones.push(format!("{} stopped", self.name));
        }
    }
}

impl FakeBackend {
    fn tone(&self, name: &'static str) -> Option<FakeTone> {
        self.log().tones.push(name.to_string());
        Some(FakeTone {
            name,
            log: self.log.clone(),
        })
    }
}

impl MediaBackend for FakeBackend {
    type Audio = FakeAudio;
    type Tone = FakeTone;

    fn bind(&self, events: MediaEventSink) -> Result<FakeAudio, BindError> {
        if self.fail_bind {
            return Err(BindError(std::io::Error::other("every port is taken")));
        }
        *self.sink.lock().expect("sink") = Some(events);
        Ok(FakeAudio {
            log: self.log.clone(),
            running: false,
        })
    }

    fn ringback(&self) -> Option<FakeTone> {
        self.tone("ringback")
    }

    fn ringtone(&self) -> Option<FakeTone> {
        self.tone("ringtone")
    }

    fn call_waiting(&self) -> Option<FakeTone> {
        self.tone("call waiting")
    }

    fn busy(&self) {
        self.log().tones.push("busy".into());
    }
}

pub struct FakeAudio {
    log: Arc<Mutex<MediaLog>>,
    running: bool,
}

impl FakeAudio {
    fn log(&self) -> MutexGuard<'_, MediaLog> {
        self.log.lock().expect("media log")
    }
}

impl CallAudio for FakeAudio {
    fn local_media(&self, codecs: &[Codec], direction: Direction) -> LocalMedia {
        LocalMedia {
            address: "192.0.2.10".parse().expect("address"),
            port: 40000,
            codecs: codecs.to_vec(),
            direction,
            ptime_ms: 20,
            srtp: Default::default(),
        }
    }

    fn apply(&mut self, negotiated: &NegotiatedMedia) -> Result<(), ApplyError> {
        self.running = true;
        self.log().applied.push(negotiated.clone());
        Ok(())
    }

    fn set_local_hold(&mut self, held: bool) {
        self.log().local_hold = held;
    }

    fn set_muted(&mut self, muted: bool) {
        self.log().muted = muted;
    }

    fn switch_devices(
        &mut self,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(String, String), SwitchError> {
        if !self.running {
            return Err(SwitchError::NoAudio);
        }
        Ok((
            input.unwrap_or_else(|| "default".into()),
            output.unwrap_or_else(|| "default".into()),
        ))
    }

    fn send_dtmf(&self, digits: &str) -> Result<(), DtmfError> {
        if !self.running {
            return Err(DtmfError::NoAudio);
        }
        if let Some(bad) = digits.chars().find(|c| !"0123456789*#ABCD".contains(*c)) {
            return Err(DtmfError::Media(MediaError::InvalidConfig(format!(
                "{bad:?} is not a DTMF digit"
            ))));
        }
        self.log().dtmf.push(digits.to_string());
        Ok(())
    }

    fn stats(&self) -> Option<MediaStats> {
        None
    }

    fn is_running(&self) -> bool {
        self.running
    }

    fn set_machine(&mut self, machine: parla_media::AnsweringMachine) {
        self.log().machine = Some(machine);
    }

    fn machine_status(&self) -> Option<parla_media::MachineStatus> {
        let log = self.log();
        log.machine.as_ref()?;
        log.machine_status.clone()
    }

    fn pick_up(&mut self) -> Result<(), SwitchError> {
        self.log().picked_up = true;
        Ok(())
    }

    fn finish_machine(&mut self) -> Option<parla_media::MachineStatus> {
        self.running = false;
        self.machine_status()
    }

    fn join_conference(&mut self, seat: crate::ua::conference::Seat) -> Result<(), SwitchError> {
        self.log().seat = Some(seat);
        Ok(())
    }

    fn leave_conference(&mut self, _input: String, _output: String) -> Result<(), SwitchError> {
        self.log().seat = None;
        Ok(())
    }

    fn start_recording(
        &mut self,
        path: &std::path::Path,
        _format: parla_media::RecordFormat,
        _channels: parla_media::RecordChannels,
    ) -> Result<(), crate::ua::media::RecordError> {
        let mut log = self.log();
        if let Some(why) = log.refuse_recording.clone() {
            return Err(crate::ua::media::RecordError::Media(
                MediaError::InvalidConfig(why),
            ));
        }
        std::fs::write(path, b"").map_err(|e| {
            crate::ua::media::RecordError::Media(MediaError::InvalidConfig(e.to_string()))
        })?;
        log.recording = Some(path.to_path_buf());
        Ok(())
    }

    fn stop_recording(&mut self) -> Option<parla_media::RecordingSummary> {
        let mut log = self.log();
        let path = log.recording.take()?;
        log.recorded.push(path.clone());
        Some(parla_media::RecordingSummary {
            path,
            duration_ms: 0,
        })
    }
}

impl Drop for FakeAudio {
    fn drop(&mut self) {
        if let Ok(mut log) = self.log.lock() {
            log.dropped = true;
        }
    }
}

/// An SDP from the far end at 192.0.2.20:50000 offering or answering PCMU with `direction`.
pub fn far_sdp(version: u32, direction: &str) -> String {
    [
        "v=0".to_string(),
        format!("o=far 7 {version} IN IP4 192.0.2.20"),
        "s=-".into(),
        "c=IN IP4 192.0.2.20".into(),
        "t=0 0".into(),
        "m=audio 50000 RTP/AVP 0 101".into(),
        "a=rtpmap:0 PCMU/8000".into(),
        "a=rtpmap:101 telephone-event/8000".into(),
        "a=fmtp:101 0-16".into(),
        format!("a={direction}"),
        String::new(),
    ]
    .join("\r\n")
}

/// The SDP's direction attribute (`sendrecv`, `sendonly`...).
pub fn direction_of(sdp: &str) -> &str {
    sdp.lines()
        .filter_map(|l| l.trim().strip_prefix("a="))
        .find(|a| ["sendrecv", "sendonly", "recvonly", "inactive"].contains(a))
        .unwrap_or("sendrecv")
}

/// One call task running against the fakes.
pub struct Harness {
    pub call: CallId,
    pub far: FarEnd,
    pub media: FakeBackend,
    pub events: UnboundedReceiver<Event>,
    pub calls: CallRegistry,
    /// What the call asked of its line.
    pub line: UnboundedReceiver<LineRequest>,
    /// The call task; it ends with the call.
    pub task: JoinHandle<()>,
}

pub fn env(
    events: UnboundedSender<Event>,
    calls: CallRegistry,
) -> (CallEnv, UnboundedReceiver<LineRequest>) {
    let (line, requests) = unbounded_channel();
    let env = CallEnv {
        srtp: SRTP.with(|m| m.replace(crate::sdp::SrtpMode::Off)),
        account: AccountId::new("alice"),
        events,
        calls,
        codecs: vec![],
        store: StoreLink::none(),
        region: Region::US,
        dial_plan: crate::ua::uri::DialPlan {
            domain: "example.com".into(),
            international_prefix: None,
        },
        transfers: POLICY.with(|p| p.replace(crate::config::TransferPolicy::Any)),
        line,
        machine: None,
    };
    (env, requests)
}

pub const CALL: CallId = CallId(7);

/// A call to `sip:bob@example.com`, just started.
pub fn outgoing_with(media: FakeBackend) -> Harness {
    let (dialog, far) = dialog();
    let (events_tx, events) = unbounded_channel();
    let calls = CallRegistry::default();
    let remote = "sip:bob@example.com".to_string();
    let commands = calls.insert(
        CALL,
        AccountId::new("alice"),
        CallDirection::Outgoing,
        remote.clone(),
        CallState::Calling,
    );
    let (env, line) = env(events_tx, calls.clone());
    let task = tokio::spawn(outgoing::run(
        CALL,
        env,
        media.clone(),
        dialog,
        remote,
        commands,
        None,
    ));
    Harness {
        call: CALL,
        far,
        media,
        events,
        calls,
        line,
        task,
    }
}

pub fn outgoing() -> Harness {
    outgoing_with(FakeBackend::default())
}

/// A call from `sip:carol@example.com` with `sdp` in its INVITE, just started.
pub fn incoming_with(sdp: &str, dialog: FakeDialog, far: FarEnd, media: FakeBackend) -> Harness {
    incoming_in(
        CallRegistry::default(),
        sdp,
        dialog,
        far,
        media,
        Line::default(),
    )
}

/// An incoming call while another call, in `other` state, is on the line.
pub fn incoming_beside(other: CallState, sdp: &str) -> Harness {
    let calls = CallRegistry::default();
    let _other = calls.insert(
        CallId(CALL.0 + 1),
        AccountId::new("alice"),
        CallDirection::Outgoing,
        "sip:bob@example.com".into(),
        other,
    );
    let (dialog, far) = dialog();
    incoming_in(
        calls,
        sdp,
        dialog,
        far,
        FakeBackend::default(),
        Line::default(),
    )
}

/// An incoming call whose INVITE replaces call `old` (in `calls`): answered at once.
pub fn incoming_replacing(calls: CallRegistry, old: CallId, sdp: &str) -> Harness {
    let (dialog, far) = dialog();
    let line = Line {
        replacing: Some(old),
        ..Line::default()
    };
    incoming_in(calls, sdp, dialog, far, FakeBackend::default(), line)
}

/// An incoming call on a line that takes transfers as `policy` says.
pub fn incoming_taking_transfers(policy: crate::config::TransferPolicy, sdp: &str) -> Harness {
    POLICY.with(|p| p.set(policy));
    incoming(sdp)
}

thread_local! {
    /// The SRTP mode of the next fake line ([`env`] takes it and resets it to off).
    pub static SRTP: std::cell::Cell<crate::sdp::SrtpMode> =
        const { std::cell::Cell::new(crate::sdp::SrtpMode::Off) };
}

thread_local! {
    /// The transfer policy of the next fake line ([`env`] takes it and resets it to `any`).
    static POLICY: std::cell::Cell<crate::config::TransferPolicy> =
        const { std::cell::Cell::new(crate::config::TransferPolicy::Any) };
}

/// How the fake line takes an incoming call.
#[derive(Default)]
pub struct Line {
    /// The call the INVITE replaces.
    pub replacing: Option<CallId>,
    /// The line's answering machine, its store, and whether it answers at once (DND).
    pub machine: Option<(super::machine::MachineSettings, StoreLink, bool)>,
}

/// An incoming call on a line with an answering machine (`at_once`: under do not disturb).
pub fn incoming_to_machine(
    sdp: &str,
    settings: super::machine::MachineSettings,
    store: StoreLink,
    at_once: bool,
) -> Harness {
    let (dialog, far) = dialog();
    let line = Line {
        machine: Some((settings, store, at_once)),
        ..Line::default()
    };
    incoming_in(
        CallRegistry::default(),
        sdp,
        dialog,
        far,
        FakeBackend::default(),
        line,
    )
}

fn incoming_in(
    calls: CallRegistry,
    sdp: &str,
    dialog: FakeDialog,
    far: FarEnd,
    media: FakeBackend,
    line_setup: Line,
) -> Harness {
    let (events_tx, events) = unbounded_channel();
    let from = "sip:carol@example.com".to_string();
    let commands = calls.insert(
        CALL,
        AccountId::new("alice"),
        CallDirection::Incoming,
        from.clone(),
        CallState::Incoming,
    );
    let invite = IncomingInvite {
        from,
        display_name: Some("Carol".into()),
        sdp: sdp.to_string(),
        replaces: None,
    };
    let (mut env, line) = env(events_tx, calls.clone());
    let mut machine_at_once = false;
    if let Some((settings, store, at_once)) = line_setup.machine {
        env.machine = Some(settings);
        env.store = store;
        machine_at_once = at_once;
    }
    let caller = incoming::Caller {
        name: Some("Carol".into()),
        replacing: line_setup.replacing,
        machine_at_once,
        ..incoming::Caller::default()
    };
    let task = tokio::spawn(incoming::run(
        CALL,
        env,
        media.clone(),
        dialog,
        invite,
        commands,
        caller,
    ));
    Harness {
        call: CALL,
        far,
        media,
        events,
        calls,
        line,
        task,
    }
}

pub fn incoming(sdp: &str) -> Harness {
    let (dialog, far) = dialog();
    incoming_with(sdp, dialog, far, FakeBackend::default())
}

impl Harness {
    pub fn command(&self, command: CallCommand) {
        assert!(self.calls.send(self.call, command), "no such call");
    }

    /// The next event, whatever it is.
    pub async fn event(&mut self) -> Event {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("no event")
            .expect("the events channel closed")
    }

    /// Skips events until one `wanted`; returns it and the ones skipped.
    pub async fn event_where(&mut self, wanted: impl Fn(&Event) -> bool) -> (Event, Vec<Event>) {
        let mut skipped = Vec::new();
        loop {
            let event = self.event().await;
            if wanted(&event) {
                return (event, skipped);
            }
            skipped.push(event);
        }
    }

    /// The next state the call reports after `calling`, skipping other events.
    pub async fn state(&mut self) -> CallState {
        let (event, _) = self
            .event_where(
                |e| matches!(e, Event::CallState { state, .. } if *state != CallState::Calling),
            )
            .await;
        match event {
            Event::CallState { state, .. } => state,
            _ => unreachable!(),
        }
    }

    /// Waits for the end: its reason and code, and every event before it. The task is over.
    pub async fn ended(&mut self) -> (String, Option<u16>, Vec<Event>) {
        let (event, before) = self
            .event_where(|e| {
                matches!(
                    e,
                    Event::CallState {
                        state: CallState::Ended,
                        ..
                    }
                )
            })
            .await;
        let Event::CallState { reason, code, .. } = event else {
            unreachable!()
        };
        assert!(self.calls.is_empty(), "the call left the registry");
        tokio::time::timeout(PATIENCE, &mut self.task)
            .await
            .expect("the call task ends")
            .expect("the call task did not panic");
        (reason.unwrap_or_default(), code, before)
    }

    /// Lets the call task run until it waits for something.
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }

    /// Events that are already there.
    pub fn pending_events(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            out.push(event);
        }
        out
    }
}

/// The error events among `events`: (kind, message).
pub fn errors(events: &[Event]) -> Vec<(crate::api::ErrorKind, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Error { kind, message, .. } => Some((*kind, message.clone())),
            _ => None,
        })
        .collect()
}
