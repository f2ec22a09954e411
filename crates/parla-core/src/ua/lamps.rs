//! Busy lamps (RFC 4235) and colleagues' presence (RFC 3856): per line, one `dialog`
//! subscription at the line's server for each watched extension (the line's `watch` list, at
//! most [`MAX_WATCHED`]) and one `presence` subscription for each contact with a SIP address
//! on the line's domain (as many again at most), refreshed and made again like message
//! waiting ([`crate::ua::subscription`]). The line hands over the NOTIFYs whose Call-ID a
//! watcher knows ([`Lamps::knows`]); each change of a lamp or a presence is a `presence`
//! event, and the ringing dialog a lamp last reported is kept for `pickup`
//! ([`Lamps::ringing`]).
//!
//! - [`pickup`]: the Replaces header a pickup sends, from that dialog.

pub mod pickup;

use crate::api::{AccountId, Event, PresenceState};
use crate::ua::presence::dialog_info::{Dialog, DialogInfo};
use crate::ua::presence::pidf;
use crate::ua::subscription::{self as plan, Next, Package, Plan, Subscriber, DIALOG};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, UnboundedSender};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Most extensions one line watches; the rest of the list is ignored (and logged).
pub const MAX_WATCHED: usize = 50;

/// How long ending the subscriptions may take when the line stops (all of them together).
const UNSUBSCRIBE_WAIT: Duration = Duration::from_secs(2);

/// A `dialog` or `presence` NOTIFY the line received (and answered 200) for one of the watchers.
#[derive(Debug, Clone)]
pub struct Notified {
    pub call_id: String,
    pub body: Vec<u8>,
    pub state: Option<String>,
}

#[derive(Default)]
struct State {
    /// The Call-IDs of the subscriptions (made or being made): their NOTIFYs are ours.
    known: HashSet<String>,
    /// The ringing dialog each watched URI last reported.
    ringing: HashMap<String, Dialog>,
}

/// What the line and the watcher task share: which NOTIFYs are ours, what rings where.
#[derive(Clone, Default)]
pub struct Lamps {
    state: Arc<Mutex<State>>,
}

impl Lamps {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a NOTIFY with this Call-ID belongs to one of the line's watchers.
    pub fn knows(&self, call_id: &str) -> bool {
        self.lock().known.contains(call_id)
    }

    /// The call ringing at `uri` (as the `presence` events name it), if its lamp says one does.
    pub fn ringing(&self, uri: &str) -> Option<Dialog> {
        self.lock().ringing.get(uri).cloned()
    }
}

/// One watched extension.
pub struct Watched {
    /// The resolved address, as the events name it.
    pub uri: String,
    pub subscriber: Subscriber,
    /// `dialog` (a busy lamp) or `presence`.
    package: Package,
    plan: Plan,
    next: Option<Instant>,
    subscribed: bool,
    lamp: Option<PresenceState>,
}

impl Watched {
    pub fn new(uri: String, subscriber: Subscriber, package: Package) -> Self {
        Self {
            uri,
            subscriber,
            package,
            plan: Plan::new(package),
            next: Some(Instant::now()),
            subscribed: false,
            lamp: None,
        }
    }
}

pub struct LampsTask {
    pub account: AccountId,
    pub watched: Vec<Watched>,
    pub events: UnboundedSender<Event>,
    pub notifies: Receiver<Notified>,
    pub lamps: Lamps,
}

impl LampsTask {
    pub async fn run(mut self, stop: CancellationToken) {
        loop {
            let due = self
                .watched
                .iter()
                .enumerate()
                .filter_map(|(i, w)| w.next.map(|at| (i, at)))
                .min_by_key(|(_, at)| *at);
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep_until(due.map_or_else(Instant::now, |(_, at)| at)), if due.is_some() => {
                    let Some((i, _)) = due else { continue };
                    let Some(watched) = self.watched.get_mut(i) else { continue };
                    let call_id = watched.subscriber.prepare().to_string();
                    self.lamps.lock().known.insert(call_id.clone());
                    let answer = tokio::select! {
                        _ = stop.cancelled() => break,
                        answer = watched.subscriber.subscribe(plan::EXPIRES) => answer,
                    };
                    watched.subscribed = matches!(answer, plan::Answer::Accepted { expires } if expires > 0);
                    if !watched.subscribed {
                        self.lamps.lock().known.remove(&call_id);
                    }
                    let next = watched.plan.answered(&answer);
                    let package = watched.package;
                    let unsupported = matches!(next, Next::Stop(_));
                    self.follow(i, next);
                    if unsupported {
                        // 489/405/501: the server has no such package for any of them.
                        for w in self.watched.iter_mut().filter(|w| w.package == package) {
                            w.next = None;
                        }
                    }
                }
                Some(notified) = self.notifies.recv() => self.notified(notified),
            }
        }
        let ending = async {
            for watched in self.watched.iter_mut().filter(|w| w.subscribed) {
                watched.subscriber.subscribe(0).await;
            }
        };
        let _ = tokio::time::timeout(UNSUBSCRIBE_WAIT, ending).await;
    }

    fn notified(&mut self, notified: Notified) {
        let Some(i) = self
            .watched
            .iter()
            .position(|w| w.subscriber.call_id() == notified.call_id)
        else {
            return;
        };
        if self.watched[i].package != DIALOG {
            let state = pidf::read_state(&notified.body);
            tracing::debug!(account = %self.account, uri = %self.watched[i].uri, ?state, note = ?pidf::read_note(&notified.body), "presence");
            // An empty NOTIFY (nothing published yet) says nothing.
            if !notified.body.is_empty() {
                self.report(i, state);
            }
        } else if let Some(info) = DialogInfo::parse(&notified.body) {
            let lamp = info.lamp();
            let ringing = info.ringing().cloned();
            let uri = self.watched[i].uri.clone();
            tracing::debug!(account = %self.account, %uri, ?lamp, ?ringing, "busy lamp");
            {
                let mut state = self.lamps.lock();
                match ringing {
                    Some(dialog) => state.ringing.insert(uri, dialog),
                    None => state.ringing.remove(&uri),
                };
            }
            self.report(i, lamp);
        }
        let ended = notified.state.as_deref().and_then(plan::termination);
        if let Some(reason) = ended {
            let watched = &mut self.watched[i];
            watched.subscriber.reset();
            watched.subscribed = false;
            self.lamps.lock().known.remove(&notified.call_id);
            let next = watched.plan.terminated(reason.as_deref());
            self.follow(i, next);
        }
    }

    fn follow(&mut self, i: usize, next: Next) {
        let at = match next {
            Next::SubscribeAt(at) => Some(at),
            Next::Stop(why) => {
                let uri = &self.watched[i].uri;
                let what = self.watched[i].package.what;
                tracing::info!(account = %self.account, %uri, %why, "no {what}");
                self.report(i, PresenceState::Unknown);
                None
            }
        };
        self.watched[i].next = at;
    }

    /// A `presence` event when the lamp changed.
    fn report(&mut self, i: usize, lamp: PresenceState) {
        let watched = &mut self.watched[i];
        if watched.lamp == Some(lamp) {
            return;
        }
        watched.lamp = Some(lamp);
        let _ = self.events.send(Event::Presence {
            account: self.account.clone(),
            uri: watched.uri.clone(),
            state: lamp,
        });
    }
}
