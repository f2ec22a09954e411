//! The line's busy lamps and colleagues' presence ([`crate::ua::lamps`]): the watcher task,
//! the `dialog`/`presence` NOTIFYs it is handed, `pickup` of a call ringing at a watched
//! extension; and our own presence ([`crate::ua::publication`]).

use super::{Running, Shared};
use crate::api::{CallId, ErrorKind, Event, OwnPresence};
use crate::ua::call::sip_dialog::header_value;
use crate::ua::calls::CallCommand;
use crate::ua::lamps::{pickup, LampsTask, Notified, Watched, MAX_WATCHED};
use crate::ua::publication::{PublicationTask, Publisher};
use crate::ua::subscription::{Subscriber, DIALOG, PRESENCE};
use crate::ua::uri::dial_target;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{StatusCode, Uri};
use rsipstack::transaction::Transaction;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

impl Shared {
    /// What `set_presence` chose.
    pub fn own_presence(&self) -> OwnPresence {
        *self.own_presence.borrow()
    }

    pub fn set_own_presence(&self, state: OwnPresence) {
        self.own_presence.send_replace(state);
    }

    /// Changes when `set_presence` or do not disturb does.
    pub fn watch_own_presence(&self) -> tokio::sync::watch::Receiver<OwnPresence> {
        self.own_presence.subscribe()
    }
}

impl Running {
    /// The address a `watch` entry (or a `pickup` uri) stands for, as the events name it.
    fn watched_uri(&self, entry: &str) -> Option<String> {
        let config = &self.config;
        dial_target(
            entry,
            &config.domain,
            config.international_prefix.as_deref(),
        )
        .ok()
        .map(|uri| uri.to_string())
    }

    /// The busy-lamp task: one `dialog` subscription per watched extension at the line's
    /// server, once the line is registered.
    pub(super) async fn busy_lamps(
        self: Arc<Self>,
        notifies: mpsc::Receiver<Notified>,
        stop: CancellationToken,
    ) {
        if self.stack.server.is_none() {
            return;
        }
        if self.config.watch.len() > MAX_WATCHED {
            tracing::warn!(account = %self.id, watched = self.config.watch.len(), "only the first {MAX_WATCHED} watched extensions get busy lamps");
        }
        if self.config.register {
            let mut contact = self.contact.clone();
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = contact.wait_for(Option::is_some) => {}
            }
        }
        let (Some(aor), Some(contact)) = (self.aor(), self.contact()) else {
            return;
        };
        let subscriber = |resource: Uri, package| {
            let stack = self.stack.clone();
            Subscriber::new(
                stack,
                package,
                aor.clone(),
                resource,
                contact.clone(),
                self.credential(),
            )
        };
        let mut watched: Vec<Watched> = Vec::new();
        for entry in self.config.watch.iter().take(MAX_WATCHED) {
            let Some(uri) = self.watched_uri(entry) else {
                tracing::info!(account = %self.id, %entry, "not an address to watch");
                continue;
            };
            if watched.iter().any(|w| w.uri == uri) {
                continue;
            }
            let Ok(resource) = Uri::try_from(uri.as_str()) else {
                continue;
            };
            watched.push(Watched::new(uri, subscriber(resource, DIALOG), DIALOG));
        }
        let lamps = watched.len();
        let own = aor.to_string();
        for uri in self.contacts_on_domain().await {
            if watched.iter().any(|w| w.uri == uri) || uri == own {
                continue;
            }
            let Ok(resource) = Uri::try_from(uri.as_str()) else {
                continue;
            };
            watched.push(Watched::new(uri, subscriber(resource, PRESENCE), PRESENCE));
        }
        if watched.is_empty() {
            return;
        }
        tracing::info!(account = %self.id, lamps, presence = watched.len() - lamps, "watching");
        let task = LampsTask {
            account: self.id.clone(),
            watched,
            events: self.shared.events.clone(),
            notifies,
            lamps: self.lamps.clone(),
        };
        task.run(stop).await;
    }

    /// The contacts' SIP addresses on the line's domain (at most [`MAX_WATCHED`]), read once
    /// when the line starts watching.
    async fn contacts_on_domain(&self) -> Vec<String> {
        let domain = self.config.domain.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let asked = self.shared.store.run(move |store| {
            let found = store.map(|s| s.sip_addresses_on(&domain, MAX_WATCHED));
            let _ = tx.send(found);
        });
        if !asked {
            return Vec::new();
        }
        match rx.await {
            Ok(Some(Ok(found))) => found,
            Ok(Some(Err(e))) => {
                tracing::info!(account = %self.id, error = %e, "contacts not read for presence");
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A `dialog` or `presence` NOTIFY out of any call: from the line's server, for a subscription of ours
    /// (200, handed to the task), else 481.
    pub(super) async fn lamp_notify(&self, mut tx: Transaction) {
        if self.stack.server.is_none() {
            let _ = tx.reply(StatusCode::Forbidden).await;
            return;
        }
        let call_id = tx
            .original
            .call_id_header()
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        if !self.lamps.knows(&call_id) {
            let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
            return;
        }
        let Ok(slot) = self.lamp_notifies.try_reserve() else {
            crate::ua::in_flight::NOTIFY_QUEUE_FULL.note(None);
            let _ = tx.reply(StatusCode::ServiceUnavailable).await;
            return;
        };
        slot.send(Notified {
            call_id,
            body: tx.original.body.clone(),
            state: header_value(&tx.original, "Subscription-State"),
        });
        let _ = tx.reply(StatusCode::OK).await;
    }

    /// Our presence, published at the line's server once the line is registered.
    pub(super) async fn publication(self: Arc<Self>, stop: CancellationToken) {
        if !self.config.register || self.stack.server.is_none() {
            return;
        }
        let mut contact = self.contact.clone();
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = contact.wait_for(Option::is_some) => {}
        }
        let Some(aor) = self.aor() else { return };
        let task = PublicationTask {
            entity: aor.to_string(),
            tuple: format!("parla-{}", self.config.username),
            publisher: Publisher::new(self.stack.clone(), aor, self.credential()),
            shared: self.shared.clone(),
        };
        task.run(stop).await;
    }

    /// `pickup` of the call ringing at `uri`: an INVITE with Replaces to its caller when the
    /// lamp reported the dialog, else the line's pickup code and the extension, else an error.
    pub(super) fn pickup(
        &self,
        call: CallId,
        uri: &str,
        commands: mpsc::UnboundedReceiver<CallCommand>,
    ) {
        let watched = self.watched_uri(uri);
        let ringing = watched.as_deref().and_then(|u| self.lamps.ringing(u));
        if let Some(pickup) = ringing.as_ref().and_then(pickup::of) {
            let parts = self.call_parts();
            let target = Uri::try_from(pickup.caller.as_str()).ok();
            if let (Some(parts), Some(target)) = (parts, target) {
                tracing::info!(account = %self.id, %uri, caller = %pickup.caller, "picking up");
                return super::start_outgoing(
                    call,
                    parts,
                    target,
                    Some(pickup.replaces),
                    commands,
                    None,
                );
            }
        }
        if let Some(code) = self.config.pickup_code.as_deref().filter(|c| !c.is_empty()) {
            let extension = extension_of(uri);
            return self.dial(call, &format!("{code}{extension}"), commands, None);
        }
        // Else the line's feature code of kind `pickup`, directed at the extension.
        let code = self
            .config
            .dial_code(crate::config::FeatureKind::Pickup, Some(extension_of(uri)));
        if let Some(code) = code {
            return self.dial(call, &code, commands, None);
        }
        self.shared.calls.remove(call);
        drop(commands);
        let _ = self.shared.events.send(Event::account_error(
            self.id.clone(),
            ErrorKind::PickupFailed,
            format!("no call to pick up at {uri}"),
        ));
    }
}

/// The extension in a watched address: the user part of a SIP URI, else the entry itself.
fn extension_of(uri: &str) -> &str {
    let uri = uri.trim();
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))
        .unwrap_or(uri);
    match rest.split_once('@') {
        Some((user, _)) => user,
        None if rest.len() != uri.len() => "",
        None => rest,
    }
}

#[cfg(test)]
mod tests {
    use super::extension_of;

    #[test]
    fn extensions() {
        assert_eq!(extension_of("201"), "201");
        assert_eq!(extension_of("sip:201@pbx.example"), "201");
        assert_eq!(extension_of("bob@example.com"), "bob");
        assert_eq!(extension_of("sip:pbx.example"), "");
    }
}
