//! What the window knows about each call, kept up to date from the engine's events.

use parla_core::api::{CallDirection, CallState, ErrorKind, RecordingState, TransferState};
use parla_core::{AccountId, CallId, Event};
use std::time::Instant;

/// How a call sounds, from the engine's estimated MOS, for a three-bar indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualityLevel {
    Good,
    Fair,
    Poor,
}

impl QualityLevel {
    /// G.109's categories on the E-model's scale: R 80 (MOS 4.0) and up "users satisfied",
    /// R 70 (MOS 3.6) and up "some users dissatisfied", below that many are.
    pub fn from_mos(mos: f32) -> QualityLevel {
        if mos >= 4.0 {
            QualityLevel::Good
        } else if mos >= 3.6 {
            QualityLevel::Fair
        } else {
            QualityLevel::Poor
        }
    }

    pub fn bars(self) -> usize {
        match self {
            QualityLevel::Good => 3,
            QualityLevel::Fair => 2,
            QualityLevel::Poor => 1,
        }
    }
}

/// A MOS as the window shows it: `MOS 4.3` (`MOS 4,3` where the comma is the decimal mark).
pub fn mos_text(i18n: &crate::i18n::I18n, mos: f32) -> String {
    let figure = format!("{mos:.1}");
    let figure = if i18n.language().code() == "en" {
        figure
    } else {
        figure.replace('.', ",")
    };
    format!("MOS {figure}")
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub id: CallId,
    pub account: Option<AccountId>,
    pub direction: CallDirection,
    /// The far end's URI or number as the engine reported it.
    pub remote: String,
    pub name: Option<String>,
    pub state: CallState,
    pub connected_at: Option<Instant>,
    pub muted: bool,
    pub codec: Option<String>,
    pub quality: Option<QualityLevel>,
    /// The estimated mean opinion score of the last quality report (1 to 4.5).
    pub mos: Option<f32>,
    pub ended_reason: Option<String>,
    /// A transfer of this call is under way (a `transfer` event said trying or ringing).
    pub transferring: bool,
    /// The line's answering machine took the call (it may have been picked up since).
    pub taken_by_machine: bool,
    /// In the local conference, and left out of its mix (`mute_participant`).
    pub in_conference: bool,
    pub participant_muted: bool,
    /// Being recorded since then (a `recording` event said `recording`).
    pub recording_since: Option<Instant>,
    /// The SRTP suite while the audio is encrypted both ways (`call_encryption`); the padlock.
    pub encrypted: Option<String>,
}

impl CallView {
    fn new(id: CallId, direction: CallDirection, state: CallState) -> Self {
        Self {
            id,
            account: None,
            direction,
            remote: String::new(),
            name: None,
            state,
            connected_at: None,
            muted: false,
            codec: None,
            quality: None,
            mos: None,
            ended_reason: None,
            transferring: false,
            taken_by_machine: false,
            in_conference: false,
            participant_muted: false,
            recording_since: None,
            encrypted: None,
        }
    }

    /// What to show as the far end: the contact's name, else the user part or number.
    pub fn title(&self) -> String {
        if let Some(name) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            return name.to_string();
        }
        display_number(&self.remote)
    }

    pub fn is_ringing_in(&self) -> bool {
        self.state == CallState::Incoming
    }

    /// The answering machine has the caller: the person can still pick the call up.
    pub fn is_taking_message(&self) -> bool {
        self.state == CallState::AnsweringMachine
    }

    /// Waiting for the person: ringing, or with the answering machine (popup, banner).
    pub fn wants_pick_up(&self) -> bool {
        self.is_ringing_in() || self.is_taking_message()
    }

    pub fn is_live(&self) -> bool {
        matches!(
            self.state,
            CallState::Connected | CallState::Held | CallState::OnHold
        )
    }

    pub fn elapsed_secs(&self, now: Instant) -> Option<u64> {
        self.connected_at
            .map(|t| now.saturating_duration_since(t).as_secs())
    }

    /// How long the recording has run, while it runs.
    pub fn recording_secs(&self, now: Instant) -> Option<u64> {
        self.recording_since
            .map(|t| now.saturating_duration_since(t).as_secs())
    }
}

/// `sip:+15551234@host;user=phone` -> `+15551234`; `sip:bob@example.com` -> `bob@example.com`.
pub fn display_number(remote: &str) -> String {
    let inner = remote.trim().trim_start_matches('<').trim_end_matches('>');
    let without_scheme = inner
        .strip_prefix("sips:")
        .or_else(|| inner.strip_prefix("sip:"))
        .or_else(|| inner.strip_prefix("tel:"))
        .unwrap_or(inner);
    let without_params = without_scheme.split(';').next().unwrap_or(without_scheme);
    match without_params.split_once('@') {
        Some((user, _)) if user.starts_with('+') || user.chars().all(|c| c.is_ascii_digit()) => {
            user.to_string()
        }
        _ => without_params.to_string(),
    }
}

/// The calls a Merge would name, when it would bring someone in: the conference's calls
/// first, then `focused`, then the other connected and held calls, at most `limit`. A first
/// merge needs two such calls, one of them on hold; a running conference needs a call not in
/// it yet and room for it.
pub fn merge_set(calls: &[&CallView], focused: CallId, limit: usize) -> Option<Vec<CallId>> {
    let joinable = |c: &&&CallView| c.is_live() && !c.transferring;
    let members: Vec<CallId> = calls
        .iter()
        .filter(|c| c.in_conference)
        .map(|c| c.id)
        .collect();
    let mut set = members.clone();
    let mut others: Vec<&CallView> = calls
        .iter()
        .filter(joinable)
        .filter(|c| !c.in_conference)
        .copied()
        .collect();
    // The call on screen comes first among the new ones, so a full conference takes it.
    others.sort_by_key(|c| c.id != focused);
    if members.is_empty() && !others.iter().any(|c| c.state == CallState::OnHold) {
        return None;
    }
    set.extend(others.iter().map(|c| c.id));
    set.truncate(limit);
    (set.len() >= 2 && set.len() > members.len()).then_some(set)
}

/// The calls in the order they started; ended calls leave the list.
#[derive(Debug, Default)]
pub struct Calls {
    calls: Vec<CallView>,
    /// The local conference's calls in the engine's order (empty: none), and since when it runs.
    conference: Vec<CallId>,
    conference_since: Option<Instant>,
}

/// What an event changed that the window should react to beyond redrawing.
#[derive(Debug, Clone, PartialEq)]
pub enum CallChange {
    None,
    RingingIn(CallId),
    Connected(CallId),
    /// The call is gone; `missed` when it rang in and was never answered here.
    Ended {
        call: CallView,
        missed: bool,
    },
}

impl Calls {
    pub fn iter(&self) -> impl Iterator<Item = &CallView> {
        self.calls.iter()
    }

    pub fn get(&self, id: CallId) -> Option<&CallView> {
        self.calls.iter().find(|c| c.id == id)
    }

    pub fn get_mut(&mut self, id: CallId) -> Option<&mut CallView> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    pub fn ringing_in(&self) -> impl Iterator<Item = &CallView> {
        self.calls.iter().filter(|c| c.is_ringing_in())
    }

    /// The conference's calls still here, in its order; empty when there is none.
    pub fn conference(&self) -> Vec<&CallView> {
        self.conference
            .iter()
            .filter_map(|id| self.get(*id))
            .collect()
    }

    /// When the conference started (the first `conference` event naming calls).
    pub fn conference_since(&self) -> Option<Instant> {
        self.conference_since
    }

    fn apply_conference(&mut self, calls: &[CallId], muted: &[CallId], now: Instant) {
        let members: Vec<CallId> = calls
            .iter()
            .copied()
            .filter(|id| self.get(*id).is_some())
            .collect();
        if members.is_empty() {
            self.conference_since = None;
        } else if self.conference.is_empty() {
            self.conference_since = Some(now);
        }
        for view in &mut self.calls {
            view.in_conference = members.contains(&view.id);
            view.participant_muted = view.in_conference && muted.contains(&view.id);
        }
        self.conference = members;
    }

    pub fn apply(&mut self, event: &Event, now: Instant) -> CallChange {
        match event {
            Event::IncomingCall {
                call,
                account,
                from,
                name,
            } => {
                let mut view = CallView::new(*call, CallDirection::Incoming, CallState::Incoming);
                view.account = Some(account.clone());
                view.remote = from.clone();
                view.name = name.clone();
                self.calls.retain(|c| c.id != *call);
                self.calls.push(view);
                CallChange::RingingIn(*call)
            }
            Event::CallState {
                call,
                state,
                account,
                remote,
                name,
                reason,
                replaces,
                ..
            } => {
                let change = self.apply_state(*call, *state, account, remote, reason, now);
                if let Some(view) = self.get_mut(*call) {
                    // `calling` names the contact dialled; so does `connected` of a call
                    // that took another's place.
                    if let Some(name) = name {
                        view.name = Some(name.clone());
                    }
                    // Such a call came in (an INVITE with Replaces), answered without ringing.
                    if replaces.is_some() {
                        view.direction = CallDirection::Incoming;
                    }
                }
                change
            }
            Event::Transfer {
                call,
                state,
                to_call,
                ..
            } => {
                let under_way = matches!(state, TransferState::Trying | TransferState::Ringing);
                for id in std::iter::once(*call).chain(*to_call) {
                    if let Some(view) = self.get_mut(id) {
                        view.transferring = under_way;
                    }
                }
                CallChange::None
            }
            Event::Error {
                kind: ErrorKind::TransferFailed,
                call: Some(call),
                ..
            } => {
                if let Some(view) = self.get_mut(*call) {
                    view.transferring = false;
                }
                CallChange::None
            }
            Event::Conference { calls, muted } => {
                self.apply_conference(calls, muted, now);
                CallChange::None
            }
            Event::Recording { call, state, .. } => {
                if let Some(view) = self.get_mut(*call) {
                    view.recording_since = match state {
                        RecordingState::Recording => view.recording_since.or(Some(now)),
                        RecordingState::Stopped | RecordingState::Failed => None,
                    };
                }
                CallChange::None
            }
            Event::Media { call, codec, .. } => {
                if let Some(view) = self.get_mut(*call) {
                    view.codec = Some(codec.clone());
                }
                CallChange::None
            }
            Event::CallEncryption {
                call,
                encrypted,
                suite,
            } => {
                if let Some(view) = self.get_mut(*call) {
                    view.encrypted =
                        encrypted.then(|| suite.clone().unwrap_or_else(|| "SRTP".to_owned()));
                }
                CallChange::None
            }
            Event::Quality { call, mos, .. } => {
                if let Some(view) = self.get_mut(*call) {
                    let mos = mos.filter(|m| m.is_finite());
                    view.mos = mos;
                    view.quality = mos.map(QualityLevel::from_mos);
                }
                CallChange::None
            }
            _ => CallChange::None,
        }
    }

    fn apply_state(
        &mut self,
        call: CallId,
        state: CallState,
        account: &Option<AccountId>,
        remote: &Option<String>,
        reason: &Option<String>,
        now: Instant,
    ) -> CallChange {
        if state == CallState::Ended {
            let Some(index) = self.calls.iter().position(|c| c.id == call) else {
                return CallChange::None;
            };
            let mut view = self.calls.remove(index);
            self.conference.retain(|id| *id != call);
            if self.conference.is_empty() {
                self.conference_since = None;
            }
            let missed = view.direction == CallDirection::Incoming && view.connected_at.is_none();
            view.state = CallState::Ended;
            view.ended_reason = reason.clone();
            return CallChange::Ended { call: view, missed };
        }
        if self.get(call).is_none() {
            self.calls
                .push(CallView::new(call, CallDirection::Outgoing, state));
        }
        let Some(view) = self.get_mut(call) else {
            return CallChange::None;
        };
        if let Some(account) = account {
            view.account = Some(account.clone());
        }
        if let Some(remote) = remote {
            view.remote = remote.clone();
        }
        let was_connected = view.connected_at.is_some();
        view.state = state;
        if state == CallState::AnsweringMachine {
            view.taken_by_machine = true;
        }
        if state == CallState::Connected && !was_connected {
            view.connected_at = Some(now);
            return CallChange::Connected(call);
        }
        CallChange::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_without_the_sip_dressing() {
        assert_eq!(
            display_number("sip:+15551234@10.0.0.1;user=phone"),
            "+15551234"
        );
        assert_eq!(display_number("<sip:2001@pbx.example.com>"), "2001");
        assert_eq!(display_number("sip:bob@example.com"), "bob@example.com");
        assert_eq!(display_number("tel:+3120123"), "+3120123");
        assert_eq!(display_number("+34912345678"), "+34912345678");
    }

    #[test]
    fn quality_levels_follow_the_mos() {
        assert_eq!(QualityLevel::from_mos(4.41), QualityLevel::Good);
        assert_eq!(QualityLevel::from_mos(4.0), QualityLevel::Good);
        assert_eq!(QualityLevel::from_mos(3.99), QualityLevel::Fair);
        assert_eq!(QualityLevel::from_mos(3.6), QualityLevel::Fair);
        assert_eq!(QualityLevel::from_mos(3.59), QualityLevel::Poor);
        assert_eq!(QualityLevel::from_mos(1.0), QualityLevel::Poor);
    }

    #[test]
    fn the_quality_event_sets_the_level_and_figure() {
        let mut calls = Calls::default();
        let now = Instant::now();
        let id = CallId(7);
        calls.apply(&Event::call_state(id, CallState::Connected), now);
        let quality = |mos| Event::Quality {
            call: id,
            jitter_ms: 3.0,
            target_delay_ms: 40,
            lost: 0,
            late: 0,
            concealed: 0,
            remote_loss_percent: None,
            rtt_ms: None,
            mos,
        };
        calls.apply(&quality(Some(3.7)), now);
        let view = calls.get(id).unwrap();
        assert_eq!(
            (view.quality, view.mos),
            (Some(QualityLevel::Fair), Some(3.7))
        );
        // Nothing received yet: no indicator rather than a guess.
        calls.apply(&quality(None), now);
        assert_eq!(calls.get(id).unwrap().quality, None);
    }

    #[test]
    fn an_unanswered_incoming_call_is_missed() {
        let mut calls = Calls::default();
        let now = Instant::now();
        let call = CallId(1);
        calls.apply(
            &Event::IncomingCall {
                call,
                account: AccountId::new("a"),
                from: "sip:bob@x".into(),
                name: Some("Bob".into()),
            },
            now,
        );
        assert_eq!(calls.ringing_in().count(), 1);
        let change = calls.apply(&Event::call_ended(call, "caller gave up", Some(487)), now);
        assert!(
            matches!(change, CallChange::Ended { missed: true, .. }),
            "{change:?}"
        );
        assert!(calls.iter().next().is_none());
    }

    #[test]
    fn a_call_the_machine_takes_stays_until_picked_up() {
        let mut calls = Calls::default();
        let now = Instant::now();
        let call = CallId(3);
        calls.apply(
            &Event::IncomingCall {
                call,
                account: AccountId::new("a"),
                from: "sip:bob@x".into(),
                name: None,
            },
            now,
        );
        let change = calls.apply(&Event::call_state(call, CallState::AnsweringMachine), now);
        assert_eq!(change, CallChange::None, "no timer, no ring");
        let view = calls.get(call).expect("still listed");
        assert!(view.taken_by_machine && view.is_taking_message() && !view.is_live());
        assert_eq!(calls.ringing_in().count(), 0);
        assert_eq!(
            calls.apply(&Event::call_state(call, CallState::Connected), now),
            CallChange::Connected(call),
            "picked up"
        );
        assert!(calls
            .get(call)
            .is_some_and(|c| c.is_live() && c.taken_by_machine));
    }

    #[test]
    fn a_connected_call_starts_its_timer_once() {
        let mut calls = Calls::default();
        let start = Instant::now();
        let call = CallId(2);
        calls.apply(&Event::call_state(call, CallState::Calling), start);
        let later = start + std::time::Duration::from_secs(3);
        assert_eq!(
            calls.apply(&Event::call_state(call, CallState::Connected), later),
            CallChange::Connected(call)
        );
        calls.apply(&Event::call_state(call, CallState::OnHold), later);
        calls.apply(
            &Event::call_state(call, CallState::Connected),
            later + std::time::Duration::from_secs(5),
        );
        let view = calls.get(call).expect("call");
        assert_eq!(
            view.elapsed_secs(later + std::time::Duration::from_secs(10)),
            Some(10)
        );
        let change = calls.apply(&Event::call_ended(call, "hangup", None), later);
        assert!(matches!(change, CallChange::Ended { missed: false, .. }));
    }
}
