//! A line's message-waiting loop: subscribes when the plan says so, reads the NOTIFYs the
//! line hands over (of the subscription, or unsolicited from the server), reports each
//! change as a `voicemail` event, and ends the subscription when the line stops.

use super::summary::{self, Mailbox};
use crate::api::{AccountId, Event};
use crate::ua::subscription::{self as plan, Next, Plan, Subscriber, MESSAGE_SUMMARY};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, UnboundedSender};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// A `message-summary` NOTIFY the line received (and answered 200).
#[derive(Debug, Clone)]
pub struct Notified {
    pub body: Vec<u8>,
    /// Its `Subscription-State`, if any (unsolicited ones have none).
    pub state: Option<String>,
}

/// The mailbox addresses the servers gave (`Message-Account`), by line: what
/// `call_voicemail` dials when the line has no voicemail number of its own.
pub type Mailboxes = Arc<Mutex<HashMap<AccountId, String>>>;

/// How long ending the subscription may take when the line stops.
const UNSUBSCRIBE_WAIT: Duration = Duration::from_secs(2);

pub struct MwiTask {
    pub account: AccountId,
    /// None: no subscription (the line's setting, or no server): unsolicited NOTIFYs only.
    pub subscriber: Option<Subscriber>,
    pub events: UnboundedSender<Event>,
    pub notifies: Receiver<Notified>,
    pub mailboxes: Mailboxes,
}

impl MwiTask {
    pub async fn run(mut self, stop: CancellationToken) {
        let mut plan = Plan::new(MESSAGE_SUMMARY);
        let mut next = self.subscriber.as_ref().map(|_| Instant::now());
        let mut subscribed = false;
        let mut last: Option<Mailbox> = None;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                    let Some(subscriber) = self.subscriber.as_mut() else { break };
                    let answer = tokio::select! {
                        _ = stop.cancelled() => break,
                        answer = subscriber.subscribe(plan::EXPIRES) => answer,
                    };
                    subscribed = matches!(answer, plan::Answer::Accepted { .. });
                    next = self.follow(plan.answered(&answer));
                }
                Some(notified) = self.notifies.recv() => {
                    if let Some(mailbox) = summary::read(&notified.body) {
                        self.report(&mut last, mailbox);
                    }
                    let ended = notified.state.as_deref().and_then(plan::termination);
                    if let (Some(reason), Some(subscriber)) = (ended, self.subscriber.as_mut()) {
                        subscriber.reset();
                        subscribed = false;
                        next = self.follow(plan.terminated(reason.as_deref()));
                    }
                }
            }
        }
        if let (true, Some(subscriber)) = (subscribed, self.subscriber.as_mut()) {
            let _ = tokio::time::timeout(UNSUBSCRIBE_WAIT, subscriber.subscribe(0)).await;
        }
    }

    fn follow(&self, next: Next) -> Option<Instant> {
        match next {
            Next::SubscribeAt(at) => Some(at),
            Next::Stop(why) => {
                tracing::info!(account = %self.account, %why, "no message-waiting subscription");
                let _ = self.events.send(Event::Voicemail {
                    account: self.account.clone(),
                    waiting: false,
                    new: 0,
                    old: 0,
                    unavailable: Some(why),
                });
                None
            }
        }
    }

    /// A `voicemail` event when the counts or the flag changed.
    fn report(&self, last: &mut Option<Mailbox>, mailbox: Mailbox) {
        if let Some(account) = &mailbox.account {
            self.mailboxes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(self.account.clone(), account.clone());
        }
        let same = last.as_ref().is_some_and(|l| {
            (l.waiting, l.new, l.old) == (mailbox.waiting, mailbox.new, mailbox.old)
        });
        if !same {
            let _ = self.events.send(Event::Voicemail {
                account: self.account.clone(),
                waiting: mailbox.waiting,
                new: mailbox.new,
                old: mailbox.old,
                unavailable: None,
            });
        }
        *last = Some(mailbox);
    }
}
