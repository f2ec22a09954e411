//! Every live call, by id: how commands reach a call task and how `status` sees them, and
//! the one-active-call rule (the others held before one is answered, dialled or resumed).

use super::call::replaces::{DialogInfo, Replaces};
use super::conference::{ConferenceHub, Seat};
use crate::api::{AccountId, CallDirection, CallId, CallState, CallStatus, DeclineReason};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{mpsc, watch};

/// How long answering, dialling or resuming waits for the other calls' holds to be answered:
/// room for two 491 retries (RFC 3261 14.1: up to 4 s each).
pub const HOLD_OTHERS_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The states of a call that is under way: answered, held or holding.
const UNDER_WAY: [CallState; 3] = [CallState::Connected, CallState::OnHold, CallState::Held];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCommand {
    Answer,
    Decline(DeclineReason),
    Hangup,
    Dtmf(String),
    Hold,
    Resume,
    Mute(bool),
    /// Blind transfer to a dial string (read as `dial` reads it).
    Transfer(String),
    /// Attended transfer: the far end is to take our place in `consult`'s dialog (a REFER
    /// with Replaces), after this call is held. `reversed`: this is the consult call, asked
    /// because the first call's far end could not take a REFER (no second fallback).
    TransferReplacing {
        consult: CallId,
        target: DialogInfo,
        reversed: bool,
    },
    /// The call was handed over (the other call of our attended transfer succeeded, or an
    /// INVITE with Replaces took its place): say goodbye and end with `reason`.
    HandedOver {
        reason: &'static str,
    },
    /// Move the call's audio; `None` keeps that direction's device.
    SetDevices {
        input: Option<String>,
        output: Option<String>,
    },
    /// Join the local conference: the call's audio goes to this place of the mixer.
    JoinConference(Seat),
    /// Leave the conference: the call's audio goes back to these devices.
    LeaveConference {
        input: String,
        output: String,
    },
    /// Start recording the call (as asked), or stop (`None`).
    Record(Option<RecordingRequest>),
    /// Park: a blind transfer to the line's park code `target`; `orbit`: the one asked for.
    Park {
        target: String,
        orbit: Option<String>,
    },
    /// The line's local address moved from `from` to `to` (the SIP and RTP sockets listen on
    /// every address): an established call offers its audio at the new one (a re-INVITE).
    NetworkChanged {
        from: std::net::IpAddr,
        to: std::net::IpAddr,
    },
}

/// Where and how a call is to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRequest {
    /// The profile's `recordings/` folder (made if missing).
    pub folder: std::path::PathBuf,
    pub format: crate::config::RecordingFormat,
    pub channels: crate::config::RecordingChannels,
}

struct Entry {
    commands: mpsc::UnboundedSender<CallCommand>,
    status: CallStatus,
    /// The call's dialog once it has one with a far-end tag.
    dialog: Option<DialogInfo>,
    /// An incoming call we answered (its ACK may still be on the way).
    answered: bool,
    /// Handed over (transferred, replaced): how it ends, whoever says BYE first.
    handed_over: Option<&'static str>,
}

#[derive(Clone)]
pub struct CallRegistry {
    calls: Arc<Mutex<HashMap<CallId, Entry>>>,
    /// Bumped whenever a call goes, so that stopping a line can wait for its calls to end.
    removed: Arc<watch::Sender<u64>>,
    /// Bumped whenever a call changes state or goes, so that a call can wait for another's.
    changed: Arc<watch::Sender<u64>>,
    /// The local conference: its members count as one active call.
    conference: ConferenceHub,
}

impl Default for CallRegistry {
    fn default() -> Self {
        Self {
            calls: Arc::default(),
            removed: Arc::new(watch::Sender::new(0)),
            changed: Arc::new(watch::Sender::new(0)),
            conference: ConferenceHub::default(),
        }
    }
}

impl CallRegistry {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<CallId, Entry>) -> T) -> T {
        // A panicking call task must not take every other call down with it.
        let mut map = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut map)
    }

    /// Uses `hub` as the conference (the engine's reports device changes; tests give it a
    /// fake mixer). Before any call is placed.
    pub fn set_conference(&mut self, hub: ConferenceHub) {
        self.conference = hub;
    }

    /// The local conference.
    pub fn conference(&self) -> &ConferenceHub {
        &self.conference
    }

    /// `calls`, and every member of the conference when one of them is a member: the
    /// conference counts as one active call.
    pub fn with_conference(&self, calls: &[CallId]) -> Vec<CallId> {
        let mut out = calls.to_vec();
        let members = self.conference.members();
        if calls.iter().any(|c| members.contains(c)) {
            out.extend(members.into_iter().filter(|m| !calls.contains(m)));
        }
        out
    }

    /// A call's status, while it exists.
    pub fn status(&self, call: CallId) -> Option<CallStatus> {
        self.with(|m| m.get(&call).map(|e| e.status.clone()))
    }

    /// Waits until `call` is in none of `states` (or gone), or until `deadline`; true when it
    /// left them in time.
    pub async fn wait_out_of(
        &self,
        call: CallId,
        states: &[CallState],
        deadline: tokio::time::Instant,
    ) -> bool {
        self.wait_for(call, deadline, |status| {
            status.is_none_or(|s| !states.contains(&s.state))
        })
        .await
    }

    /// Waits until `call` has ended (left the registry), or until `deadline`; true when it
    /// did in time.
    pub async fn wait_gone(&self, call: CallId, deadline: tokio::time::Instant) -> bool {
        self.wait_for(call, deadline, |status| status.is_none())
            .await
    }

    /// Waits until `done` holds for `call`'s status (none once it has gone), or `deadline`.
    async fn wait_for(
        &self,
        call: CallId,
        deadline: tokio::time::Instant,
        done: impl Fn(Option<&CallStatus>) -> bool,
    ) -> bool {
        // Subscribed before looking, so a change in between is not missed.
        let mut changed = self.changed.subscribe();
        while !done(self.status(call).as_ref()) {
            tokio::select! {
                gone = changed.changed() => if gone.is_err() { return false },
                _ = tokio::time::sleep_until(deadline) => return false,
            }
        }
        true
    }

    /// Changes whenever a call changes state or goes (a line's published presence follows).
    pub fn watch_changes(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Adds a call and returns the receiving end of its command channel.
    pub fn insert(
        &self,
        call: CallId,
        account: AccountId,
        direction: CallDirection,
        remote: String,
        state: CallState,
    ) -> mpsc::UnboundedReceiver<CallCommand> {
        let (commands, rx) = mpsc::unbounded_channel();
        let status = CallStatus {
            call,
            account,
            direction,
            remote,
            state,
        };
        self.with(|m| {
            m.insert(
                call,
                Entry {
                    commands,
                    status,
                    dialog: None,
                    answered: false,
                    handed_over: None,
                },
            )
        });
        rx
    }

    pub fn remove(&self, call: CallId) {
        self.with(|m| m.remove(&call));
        self.removed.send_modify(|n| *n = n.wrapping_add(1));
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The calls on one line.
    pub fn ids_of(&self, account: &AccountId) -> Vec<CallId> {
        self.with(|m| {
            m.values()
                .filter(|e| &e.status.account == account)
                .map(|e| e.status.call)
                .collect()
        })
    }

    /// Hangs up every call on `account` and waits until they have ended, or until `deadline`.
    pub async fn end_calls_of(&self, account: &AccountId, deadline: tokio::time::Instant) {
        // Subscribed before looking, so a call that ends in between is not missed.
        let mut removed = self.removed.subscribe();
        for call in self.ids_of(account) {
            self.send(call, CallCommand::Hangup);
        }
        while !self.ids_of(account).is_empty() {
            tokio::select! {
                changed = removed.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep_until(deadline) => return,
            }
        }
    }

    #[cfg(test)]
    pub fn set_state(&self, call: CallId, state: CallState) {
        self.set_state_announced(call, state, || {});
    }

    /// [`Self::set_state`], with the event that reports it sent under the same lock: whoever
    /// acts on the registry's new state (a call waiting for this one's hold) sends its events
    /// after this one, and whoever acts on the event finds the registry already changed.
    pub fn set_state_announced(&self, call: CallId, state: CallState, announce: impl FnOnce()) {
        self.with(|m| {
            if let Some(entry) = m.get_mut(&call) {
                entry.status.state = state;
            }
            announce();
        });
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Whether a call other than `except` is connected (not held): answering, dialling or
    /// resuming must hold it first.
    pub fn another_connected(&self, except: CallId) -> bool {
        let spared = self.with_conference(&[except]);
        self.with(|m| {
            m.values()
                .any(|e| !spared.contains(&e.status.call) && e.status.state == CallState::Connected)
        })
    }

    /// One active call at a time: puts every connected call but `except` on hold and waits
    /// until none is connected any more (held, ended), or until `deadline` (a hold the far
    /// end refuses leaves its call connected: the new call goes ahead all the same).
    pub async fn hold_others(&self, except: CallId, deadline: tokio::time::Instant) {
        self.hold_all_but(&[except], deadline).await;
    }

    /// [`Self::hold_others`] sparing several calls (a call placed for a REFER spares the call
    /// that got it, which is about to end).
    pub async fn hold_all_but(&self, spared: &[CallId], deadline: tokio::time::Instant) {
        let spared = &self.with_conference(spared)[..];
        let active = |registry: &Self| -> Vec<CallId> {
            registry.with(|m| {
                m.values()
                    .filter(|e| {
                        !spared.contains(&e.status.call) && e.status.state == CallState::Connected
                    })
                    .map(|e| e.status.call)
                    .collect()
            })
        };
        // Subscribed before looking, so a change in between is not missed.
        let mut changed = self.changed.subscribe();
        let holding = active(self);
        for call in &holding {
            self.send(*call, CallCommand::Hold);
        }
        while active(self).iter().any(|c| holding.contains(c)) {
            tokio::select! {
                gone = changed.changed() => if gone.is_err() { return },
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(?spared, "a call put on hold did not confirm in time");
                    return;
                }
            }
        }
    }

    /// Notes the call's dialog, so that an attended transfer or an INVITE with Replaces can
    /// name it.
    pub fn set_dialog(&self, call: CallId, dialog: DialogInfo) {
        self.with(|m| {
            if let Some(entry) = m.get_mut(&call) {
                entry.dialog = Some(dialog);
            }
        });
    }

    /// The dialog of a call, with its status.
    pub fn dialog_of(&self, call: CallId) -> Option<(CallStatus, DialogInfo)> {
        self.with(|m| {
            let entry = m.get(&call)?;
            Some((entry.status.clone(), entry.dialog.clone()?))
        })
    }

    /// Notes that an incoming call was answered: from now on it is no early dialog of the
    /// far end's, even before its ACK arrives.
    pub fn set_answered(&self, call: CallId) {
        self.with(|m| {
            if let Some(entry) = m.get_mut(&call) {
                entry.answered = true;
            }
        });
    }

    /// The call whose dialog a Replaces header names, and whether it is ringing in still
    /// (an early dialog the far end made, not answered).
    pub fn replaced_by(&self, replaces: &Replaces) -> Option<(CallStatus, bool)> {
        self.with(|m| {
            m.values()
                .find(|e| e.dialog.as_ref().is_some_and(|d| d.is_named_by(replaces)))
                .map(|e| {
                    let ringing_in = e.status.state == CallState::Incoming && !e.answered;
                    (e.status.clone(), ringing_in)
                })
        })
    }

    /// Hands a call over (the other call of a transfer took its place): it says BYE and
    /// ends with `reason`, also if the far end's BYE crosses ours. False when there is no
    /// such call.
    pub fn hand_over(&self, call: CallId, reason: &'static str) -> bool {
        self.expect_hand_over(call, Some(reason));
        self.send(call, CallCommand::HandedOver { reason })
    }

    /// Notes that a call is about to be handed over (`None`: no longer): if its far end says
    /// BYE first, which in a transfer it may, it still ends with `reason`.
    pub fn expect_hand_over(&self, call: CallId, reason: Option<&'static str>) {
        self.with(|m| {
            if let Some(entry) = m.get_mut(&call) {
                entry.handed_over = reason;
            }
        });
    }

    /// Why a call was handed over, if it was.
    pub fn handed_over(&self, call: CallId) -> Option<&'static str> {
        self.with(|m| m.get(&call).and_then(|e| e.handed_over))
    }

    /// False when there is no such call (any more).
    pub fn send(&self, call: CallId, command: CallCommand) -> bool {
        self.with(|m| {
            m.get(&call)
                .is_some_and(|e| e.commands.send(command).is_ok())
        })
    }

    pub fn snapshot(&self) -> Vec<CallStatus> {
        let mut calls: Vec<CallStatus> =
            self.with(|m| m.values().map(|e| e.status.clone()).collect());
        calls.sort_by_key(|c| c.call);
        calls
    }

    /// Whether a call other than `call` is under way (answered, held or holding): a new one
    /// arriving now is a waiting call.
    pub fn another_in_progress(&self, call: CallId) -> bool {
        self.another_in(call, &UNDER_WAY)
    }

    /// Whether any call is under way (answered, held or holding): a new one arriving now
    /// finds the line busy.
    pub fn any_in_progress(&self) -> bool {
        self.with(|m| m.values().any(|e| UNDER_WAY.contains(&e.status.state)))
    }

    /// Whether a call other than `call` is in one of `states`.
    fn another_in(&self, call: CallId, states: &[CallState]) -> bool {
        self.with(|m| {
            m.values()
                .any(|e| e.status.call != call && states.contains(&e.status.state))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.with(|m| m.is_empty())
    }

    pub fn ids(&self) -> Vec<CallId> {
        self.with(|m| m.keys().copied().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{Duration, Instant};

    fn registry_with(
        calls: &[(u64, CallState)],
    ) -> (CallRegistry, Vec<mpsc::UnboundedReceiver<CallCommand>>) {
        let registry = CallRegistry::default();
        let receivers = calls
            .iter()
            .map(|&(id, state)| {
                registry.insert(
                    CallId(id),
                    AccountId::new("alice"),
                    CallDirection::Outgoing,
                    format!("sip:{id}@example.com"),
                    state,
                )
            })
            .collect();
        (registry, receivers)
    }

    #[tokio::test(start_paused = true)]
    async fn the_connected_call_is_held_and_answering_waits_for_the_hold() {
        let (registry, mut rx) = registry_with(&[
            (1, CallState::Connected),
            (2, CallState::OnHold),
            (3, CallState::Incoming),
        ]);
        assert!(registry.another_connected(CallId(3)));
        assert!(!registry.another_connected(CallId(1)));
        let waiting = tokio::spawn({
            let registry = registry.clone();
            async move {
                registry
                    .hold_others(CallId(3), Instant::now() + Duration::from_secs(10))
                    .await;
                Instant::now()
            }
        });
        assert_eq!(rx[0].recv().await, Some(CallCommand::Hold));
        assert!(rx[1].try_recv().is_err(), "the held call is left alone");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "waits for the hold to be answered");
        let held_at = Instant::now();
        registry.set_state(CallId(1), CallState::OnHold);
        assert_eq!(waiting.await.expect("task"), held_at);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_that_never_comes_gives_up_at_the_deadline() {
        let (registry, mut rx) = registry_with(&[(1, CallState::Connected)]);
        let start = Instant::now();
        registry
            .hold_others(CallId(9), start + Duration::from_secs(10))
            .await;
        assert_eq!(Instant::now() - start, Duration::from_secs(10));
        assert_eq!(rx[0].recv().await, Some(CallCommand::Hold));
        // A call that ends counts as no longer active.
        let (registry, _rx) = registry_with(&[(1, CallState::Connected)]);
        let ends = {
            let registry = registry.clone();
            tokio::spawn(async move {
                registry
                    .hold_others(CallId(9), Instant::now() + Duration::from_secs(10))
                    .await
            })
        };
        tokio::task::yield_now().await;
        registry.remove(CallId(1));
        ends.await.expect("task");
    }
}
