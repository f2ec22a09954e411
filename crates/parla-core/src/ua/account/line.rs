//! A line's run on one network address: its stack brought up (retried while the server cannot
//! be found), its registration, incoming requests and features, until it is stopped or the
//! route to its server moves to another local address (then [`AccountTask::run`] starts it
//! again there).

use super::*;

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
        let (requests, mut line_requests) = mpsc::unbounded_channel();
        let (mwi, notifies) = mpsc::unbounded_channel();
        let (lamp_notifies, lamp_notified) = mpsc::unbounded_channel();
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
        });
        if !running.config.register {
            let uris = running.stack.reachable_uris(&running.config.username);
            let _ = running.shared.events.send(Event::Reachable {
                account: id.clone(),
                uris,
            });
        }

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
        let mut network_changed = false;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                new = &mut moved => {
                    tracing::info!(account = %id, old = %running.stack.local_ip, %new, "the network changed: the line starts again");
                    network_changed = true;
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
        if network_changed {
            // The old address is gone: nothing sent from it arrives, so nothing is waited for.
            for task in [mwi, lamps, publication] {
                task.abort();
            }
            if let Some(task) = registration {
                task.abort();
            }
            incoming.abort();
            running.stack.shutdown();
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
