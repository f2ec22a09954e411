//! A line's run on one network address: its stack brought up (retried while the server cannot
//! be found), its registration, incoming requests and features, until it is stopped or the
//! route to its server moves to another local address (then [`AccountTask::run`] starts it
//! again there).

use super::*;
use crate::ua::in_flight::{
    InFlight, IN_DIALOG, IN_DIALOG_REFUSED, NEW_REQUESTS, NEW_REQUESTS_REFUSED,
};

/// Why a line's run on one address ended.
pub(super) enum LineEnd {
    Stopped {
        registered: bool,
    },
    /// The route to the server now leaves from another local address.
    NetworkChanged,
}

impl AccountTask {
    /// Runs the line on one network address; `registered` says whether the registration loop
    /// ran (it reports `unregistered` itself).
    pub(super) async fn run_line(
        &mut self,
        id: AccountId,
        messages: &mut mpsc::UnboundedReceiver<AccountMessage>,
        stop: &CancellationToken,
    ) -> LineEnd {
        let stopped = LineEnd::Stopped { registered: false };
        // A line that only listens needs no password (and must not wake a locked keyring).
        let needs_password = self.config.register || self.config.outbound_proxy.is_some();
        let resolved = if needs_password {
            tokio::select! {
                _ = stop.cancelled() => return stopped,
                resolved = self.resolve_password(&id) => resolved,
            }
        } else {
            Ok(())
        };
        if let Err(reason) = resolved {
            if self.config.register {
                tracing::warn!(account = %id, %reason, "line not registered");
                self.shared.emit_registration(
                    &id,
                    RegistrationState::Failed,
                    Some(reason.to_string()),
                );
                // Nothing to retry until the person saves a password (a new set_account).
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => return stopped,
                        message = messages.recv() => match message {
                            Some(message) => refuse_dial(&self.shared, message, NO_PASSWORD),
                            None => return stopped,
                        },
                    }
                }
            }
        }
        let mut failures = 0u32;
        let parts = loop {
            let started = tokio::select! {
                _ = stop.cancelled() => return stopped,
                started = SipStack::start(&self.config, &self.shared.dns_servers) => started,
            };
            match started {
                Ok(parts) => break parts,
                Err(e) => {
                    failures += 1;
                    self.report_setup_failure(&id, &e, failures);
                    let wait = SETUP_RETRY_FIRST
                        .saturating_mul(1 << failures.min(6))
                        .min(SETUP_RETRY_CAP);
                    tokio::select! {
                        _ = stop.cancelled() => return stopped,
                        _ = tokio::time::sleep(wait) => {}
                        // Dial attempts while the line is down are answered at once.
                        Some(message) = messages.recv() => refuse_dial(&self.shared, message, "the line is not connected"),
                    }
                }
            }
        };
        let (contact_tx, contact) = watch::channel(None);
        // Unbounded: one request per REFER a call accepts, and a call takes one at a time.
        let (requests, mut line_requests) = mpsc::unbounded_channel();
        let (mwi, notifies) = mpsc::channel(crate::ua::in_flight::MWI_QUEUE);
        let (lamp_notifies, lamp_notified) = mpsc::channel(crate::ua::in_flight::LAMP_QUEUE);
        let running = Arc::new(Running {
            id: id.clone(),
            region: region_of(&self.config),
            config: self.config.clone(),
            shared: self.shared.clone(),
            stack: parts.stack,
            contact,
            requests,
            mwi,
            lamps: Lamps::default(),
            lamp_notifies,
            new_requests: InFlight::new(NEW_REQUESTS, &NEW_REQUESTS_REFUSED),
            in_dialog: InFlight::new(IN_DIALOG, &IN_DIALOG_REFUSED),
        });
        let reachable = if running.config.register {
            None
        } else {
            announce_reachable(&running)
        };

        let registration_stop = stop.child_token();
        let registration = if running.config.register {
            let registrar =
                SipRegistrar::new(&running.stack, running.credential_or_empty(), contact_tx);
            let lp = RegistrationLoop {
                account: id.clone(),
                registrar,
                expires: running.config.expires,
                keepalive: (running.config.keepalive_s > 0)
                    .then(|| Duration::from_secs(u64::from(running.config.keepalive_s))),
                events: running.shared.events.clone(),
            };
            Some(tokio::spawn(lp.run(registration_stop.clone())))
        } else {
            None
        };
        let inbox = crate::ua::inbox::Inbox::new(parts.incoming);
        let incoming = tokio::spawn(serve_incoming(running.clone(), inbox));
        let mwi_stop = stop.child_token();
        let mwi = tokio::spawn(running.clone().message_waiting(notifies, mwi_stop.clone()));
        let lamps = tokio::spawn(running.clone().busy_lamps(lamp_notified, mwi_stop.clone()));
        let publication = tokio::spawn(running.clone().publication(mwi_stop.clone()));

        let moved = crate::ua::netwatch::route_change(
            running.stack.local_ip,
            running.stack.server.as_ref().map(|s| s.addr.ip()),
        );
        tokio::pin!(moved);
        let mut network_changed = None;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                new = &mut moved => {
                    tracing::info!(account = %id, old = %running.stack.local_ip, %new, "the network changed: the line starts again");
                    network_changed = Some(new);
                    break;
                }
                message = messages.recv() => match message {
                    Some(AccountMessage::Dial { call, to, commands, caller_id }) => running.dial(call, &to, commands, caller_id),
                    Some(AccountMessage::SendMessage { to, text, request }) => running.send_message(&to, text, request),
                    Some(AccountMessage::RetryMessage { entry, request }) => running.retry_message(entry, request),
                    Some(AccountMessage::Pickup { call, uri, commands }) => running.pickup(call, &uri, commands),
                    None => break,
                },
                Some(LineRequest::PlaceReferred(referred)) = line_requests.recv() => running.place_referred(referred),
            }
        }
        if let Some(task) = reachable {
            task.abort();
        }
        if let Some(new) = network_changed {
            // The old address is gone: nothing sent from it arrives, so nothing is waited for.
            for task in [mwi, lamps, publication] {
                task.abort();
            }
            if let Some(task) = registration {
                task.abort();
            }
            self.calls_follow(
                &id,
                running.stack.local_ip,
                new,
                running.stack.clone(),
                incoming,
            );
            return LineEnd::NetworkChanged;
        }
        // Ends the subscription (Expires: 0) while the line can still send.
        mwi_stop.cancel();
        let _ = mwi.await;
        let _ = lamps.await;
        let _ = publication.await;
        registration_stop.cancel();
        let registered = registration.is_some();
        if let Some(task) = registration {
            let _ = task.await;
        }
        incoming.abort();
        running.stack.shutdown();
        LineEnd::Stopped { registered }
    }

    /// The calls on the old stack stay on it (its UDP socket listens on every address: see
    /// `SipStack::start`) and offer their audio at `to`; the stack, and its incoming requests
    /// (the calls' in-dialog ones), end with the last of them.
    fn calls_follow(
        &self,
        id: &AccountId,
        from: std::net::IpAddr,
        to: std::net::IpAddr,
        stack: Arc<SipStack>,
        incoming: tokio::task::JoinHandle<()>,
    ) {
        let calls = self.shared.calls.clone();
        let ours = calls.ids_of(id);
        for &call in &ours {
            calls.send(call, CallCommand::NetworkChanged { from, to });
        }
        if ours.is_empty() {
            incoming.abort();
            stack.shutdown();
            return;
        }
        let id = id.clone();
        tokio::spawn(async move {
            let mut changes = calls.watch_changes();
            loop {
                let left = calls.ids_of(&id);
                if !ours.iter().any(|call| left.contains(call)) {
                    break;
                }
                if changes.changed().await.is_err() {
                    break;
                }
            }
            incoming.abort();
            stack.shutdown();
        });
    }

    fn report_setup_failure(&self, id: &AccountId, error: &StackError, failures: u32) {
        tracing::warn!(account = %id, error = %error, "line cannot start");
        if failures == 1 {
            let _ = self.shared.events.send(Event::Registration {
                account: id.clone(),
                state: RegistrationState::Failed,
                code: Some(match error {
                    StackError::Config(_) | StackError::Tls(_) => 400,
                    _ => 408,
                }),
                reason: Some(error.to_string()),
                expires: None,
            });
        }
    }
}

/// Tells where the line can be called; for one listening on every address (the Local line),
/// again each time the machine's addresses change, from a task that lives as long as the run.
fn announce_reachable(running: &Arc<Running>) -> Option<tokio::task::JoinHandle<()>> {
    let uris = running.stack.reachable_uris(&running.config.username);
    let _ = running.shared.events.send(Event::Reachable {
        account: running.id.clone(),
        uris: uris.clone(),
    });
    if !running.stack.listens_everywhere {
        return None;
    }
    let (source, sink) = (running.clone(), running.clone());
    Some(tokio::spawn(crate::ua::netwatch::on_change(
        uris,
        move || source.stack.reachable_uris(&source.config.username),
        move |uris: &Vec<String>| {
            tracing::info!(account = %sink.id, ?uris, "the machine's addresses changed");
            let _ = sink.shared.events.send(Event::Reachable {
                account: sink.id.clone(),
                uris: uris.clone(),
            });
        },
    )))
}
