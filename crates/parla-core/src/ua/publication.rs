//! Our own presence (RFC 3903 PUBLISH of a PIDF, RFC 3863/4480), per line, where the server
//! takes it: what `set_presence` chose, busy while any call is up, do not disturb while that is
//! on. Published when the line is registered and whenever that state changes (with
//! `SIP-If-Match`), refreshed before it expires (no body), removed (Expires: 0) when the line
//! stops. A 489/405/501 means the server has no presence: the line stops trying, like
//! message waiting; other failures are retried with the subscription plan's backoff.

use crate::api::{CallState, OwnPresence};
use crate::ua::account::Shared;
use crate::ua::presence::pidf::{self, OwnState};
use crate::ua::stack::SipStack;
use crate::ua::subscription::{Answer, Next, Plan, EXPIRES, PRESENCE};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::sip::{Header, Method, Response, StatusCodeKind, Uri};
use rsipstack::transaction::{make_call_id, make_tag};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long removing the publication may take when the line stops.
const UNPUBLISH_WAIT: Duration = Duration::from_secs(2);
/// Longest entity tag kept from a 2xx.
const MAX_ETAG: usize = 256;

/// What the line publishes, from the shared state.
pub fn own_state(shared: &Shared) -> OwnState {
    if shared.do_not_disturb() {
        return OwnState::DoNotDisturb;
    }
    let in_call = shared.calls.snapshot().iter().any(|c| {
        matches!(
            c.state,
            CallState::Connected | CallState::Held | CallState::OnHold
        )
    });
    if in_call {
        return OwnState::Busy;
    }
    match shared.own_presence() {
        OwnPresence::Available => OwnState::Available,
        OwnPresence::Away => OwnState::Away,
        OwnPresence::Busy => OwnState::Busy,
    }
}

/// The PUBLISH exchange: our AoR as Request-URI, From and To; the entity tag of the last 2xx.
pub struct Publisher {
    stack: Arc<SipStack>,
    aor: Uri,
    credential: Option<Credential>,
    call_id: String,
    cseq: u32,
    etag: Option<String>,
}

impl Publisher {
    pub fn new(stack: Arc<SipStack>, aor: Uri, credential: Option<Credential>) -> Self {
        let endpoint = &stack.endpoint.inner;
        let call_id = make_call_id(
            endpoint.option.callid_suffix.as_deref(),
            endpoint.option.callid_format,
        )
        .value()
        .to_string();
        Self {
            stack,
            aor,
            credential,
            call_id,
            cseq: 0,
            etag: None,
        }
    }

    fn request(
        &mut self,
        body: Option<&str>,
        expires: u32,
    ) -> Result<rsipstack::sip::Request, String> {
        self.cseq += 1;
        let from = rsipstack::sip::typed::From {
            display_name: None,
            uri: self.aor.clone(),
            params: vec![],
        }
        .with_tag(make_tag());
        let to = rsipstack::sip::typed::To {
            display_name: None,
            uri: self.aor.clone(),
            params: vec![],
        };
        let endpoint = &self.stack.endpoint.inner;
        let via = endpoint.get_via(None, None).map_err(|e| e.to_string())?;
        let mut request = endpoint.make_request(
            Method::Publish,
            self.aor.clone(),
            via,
            from,
            to,
            self.cseq,
            Some(self.call_id.clone().into()),
        );
        request.headers.push(Header::Event(PRESENCE.event.into()));
        request.headers.push(Header::Expires(expires.into()));
        if let Some(etag) = &self.etag {
            request
                .headers
                .push(Header::Other("SIP-If-Match".into(), etag.clone()));
        }
        let body = body.unwrap_or_default().as_bytes().to_vec();
        if !body.is_empty() {
            request
                .headers
                .push(Header::ContentType(PRESENCE.accept.into()));
        }
        request
            .headers
            .push(Header::ContentLength((body.len() as u32).into()));
        request.body = body;
        Ok(request)
    }

    /// One PUBLISH: a new state (`body`), a refresh (none), or the removal (`expires` 0).
    pub async fn publish(&mut self, body: Option<&str>, expires: u32) -> Answer {
        let request = match self.request(body, expires) {
            Ok(request) => request,
            Err(e) => {
                tracing::info!(error = %e, "PUBLISH not built");
                return Answer::Silence;
            }
        };
        let answer = crate::ua::out_of_dialog::exchange(
            &self.stack,
            request,
            self.credential.as_ref(),
            &mut self.cseq,
        )
        .await;
        let response = match answer {
            Ok(response) => response,
            Err(e) => {
                tracing::info!(error = %e, "PUBLISH got no answer");
                return Answer::Silence;
            }
        };
        let code = response.status_code.code();
        if response.status_code.kind() != StatusCodeKind::Successful {
            if code == 412 {
                // The server forgot our publication: the next one starts afresh.
                self.etag = None;
            }
            return Answer::Refused { code };
        }
        self.etag = header(&response, "SIP-ETag").filter(|e| e.len() <= MAX_ETAG);
        let granted = header(&response, "Expires")
            .and_then(|e| e.parse().ok())
            .unwrap_or(expires);
        Answer::Accepted { expires: granted }
    }

    pub fn has_etag(&self) -> bool {
        self.etag.is_some()
    }
}

fn header(response: &Response, name: &str) -> Option<String> {
    response.headers.iter().find_map(|h| {
        let (n, v) = match h {
            Header::Expires(e) => ("Expires", e.value().to_string()),
            Header::Other(n, v) => (n.as_str(), v.clone()),
            _ => return None,
        };
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

pub struct PublicationTask {
    pub publisher: Publisher,
    pub shared: Shared,
    /// The `entity` of the PIDF (our AoR) and its tuple id.
    pub entity: String,
    pub tuple: String,
}

impl PublicationTask {
    pub async fn run(mut self, stop: CancellationToken) {
        let mut plan = Plan::new(PRESENCE);
        let mut own = self.shared.watch_own_presence();
        let mut calls = self.shared.calls.watch_changes();
        let mut published: Option<OwnState> = None;
        // When to PUBLISH the state (a body), and when to refresh the one published.
        let mut due = Some(Instant::now());
        let mut refresh: Option<Instant> = None;
        loop {
            let wake = due.or(refresh);
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => {
                    let state = own_state(&self.shared);
                    let full = due.is_some() || !self.publisher.has_etag();
                    let body = full.then(|| pidf::write(&self.entity, &self.tuple, state, None));
                    let publish = self.publisher.publish(body.as_deref(), EXPIRES);
                    tokio::pin!(publish);
                    let answer = tokio::select! {
                        answer = &mut publish => answer,
                        _ = stop.cancelled() => {
                            // An exchange under way finishes (briefly): the entity tag of its
                            // answer is the one the removal below must name.
                            let _ = tokio::time::timeout(UNPUBLISH_WAIT, &mut publish).await;
                            break;
                        }
                    };
                    let accepted = matches!(answer, Answer::Accepted { expires } if expires > 0);
                    match plan.answered(&answer) {
                        Next::SubscribeAt(at) if accepted => {
                            if full {
                                published = Some(state);
                            }
                            due = (own_state(&self.shared) != state).then(Instant::now);
                            refresh = Some(at);
                        }
                        // 412: the server forgot our publication; publish it anew at once.
                        Next::SubscribeAt(_) if answer == (Answer::Refused { code: 412 }) => {
                            due = Some(Instant::now());
                            refresh = None;
                        }
                        Next::SubscribeAt(at) => {
                            due = Some(at);
                            refresh = None;
                        }
                        Next::Stop(why) => {
                            tracing::info!(%why, "our presence is not published");
                            return;
                        }
                    }
                }
                changed = own.changed() => {
                    if changed.is_err() { break }
                    self.changed(published, &mut due);
                }
                changed = calls.changed() => {
                    if changed.is_err() { break }
                    self.changed(published, &mut due);
                }
            }
        }
        if self.publisher.has_etag() {
            let _ = tokio::time::timeout(UNPUBLISH_WAIT, self.publisher.publish(None, 0)).await;
        }
    }

    /// Something the published state depends on changed: publish at once if it differs (a
    /// publication waiting for a retry keeps its time).
    fn changed(&self, published: Option<OwnState>, due: &mut Option<Instant>) {
        if due.is_none() && published != Some(own_state(&self.shared)) {
            *due = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AccountId, CallDirection, CallId};
    use crate::config::AudioConfig;

    #[test]
    fn do_not_disturb_then_a_call_then_the_choice() {
        let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Shared::new(events, AudioConfig::default(), vec![]);
        assert_eq!(own_state(&shared), OwnState::Available);
        shared.set_own_presence(OwnPresence::Away);
        assert_eq!(own_state(&shared), OwnState::Away);
        let call = CallId(1);
        let _commands = shared.calls.insert(
            call,
            AccountId::new("a".to_string()),
            CallDirection::Outgoing,
            "sip:b@x".into(),
            CallState::Ringing,
        );
        assert_eq!(
            own_state(&shared),
            OwnState::Away,
            "a ringing call is not busy"
        );
        shared.calls.set_state(call, CallState::Connected);
        assert_eq!(own_state(&shared), OwnState::Busy);
        shared.set_do_not_disturb(true);
        assert_eq!(own_state(&shared), OwnState::DoNotDisturb);
        shared.set_do_not_disturb(false);
        shared.calls.remove(call);
        assert_eq!(own_state(&shared), OwnState::Away);
    }

    #[test]
    fn do_not_disturb_wakes_the_publication() {
        let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Shared::new(events, AudioConfig::default(), vec![]);
        let mut own = shared.watch_own_presence();
        own.mark_unchanged();
        shared.set_do_not_disturb(true);
        assert!(own.has_changed().unwrap());
    }
}
