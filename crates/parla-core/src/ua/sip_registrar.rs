//! [`Registrar`] over rsipstack's `Registration`: one REGISTER exchange with its digest retry.

use super::keepalive::{has_ended, KeepAlive, KeepAliveOutcome};
use super::registration::{RegisterOutcome, Registrar};
use super::stack::SipStack;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::registration::Registration;
use rsipstack::sip::{Header, Param, StatusCode, Uri};
use rsipstack::transport::SipConnection;
use std::sync::Arc;
use tokio::sync::watch;

/// The TCP/TLS connection to the registrar could not be opened (refused, unreachable, or a
/// certificate that is not trusted). The transport layer's words are kept as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot connect to {destination}: {reason}")]
pub struct ConnectError {
    destination: String,
    reason: String,
}

pub struct SipRegistrar {
    registration: Registration,
    stack: Arc<SipStack>,
    uri: Uri,
    username: String,
    /// The Contact calls should use, learned from the registrar's view of us (rport/received).
    contact: watch::Sender<Option<Uri>>,
    keepalive: KeepAlive,
    /// The Contact values of the last 200 (the bindings the server holds).
    last_bindings: Vec<String>,
}

/// Bindings looked at in a 200: an AoR shared by many devices lists them all.
const MAX_BINDINGS: usize = 32;

impl SipRegistrar {
    pub fn new(
        stack: &Arc<SipStack>,
        credential: Credential,
        contact: watch::Sender<Option<Uri>>,
    ) -> Self {
        let username = credential.username.clone();
        let mut registration = Registration::new(stack.endpoint.inner.clone(), Some(credential));
        registration.outbound_proxy = stack.server.as_ref().map(|s| s.addr);
        if stack.transport != crate::config::Transport::Udp {
            // Without the transport parameter the server would answer a stream client over UDP.
            let host = stack
                .udp_addr()
                .map(|a| a.addr)
                .unwrap_or_else(|| std::net::SocketAddr::new(stack.local_ip, 5060).into());
            registration.contact = Some(rsipstack::sip::typed::Contact {
                display_name: None,
                uri: Uri {
                    scheme: Some(rsipstack::sip::Scheme::Sip),
                    auth: Some(rsipstack::sip::Auth {
                        user: username.clone(),
                        password: None,
                    }),
                    host_with_port: host,
                    params: vec![Param::Transport(super::stack::sip_transport(
                        stack.transport,
                    ))],
                    headers: vec![],
                },
                params: vec![],
            });
        }
        Self {
            registration,
            stack: stack.clone(),
            uri: stack.domain_uri.clone(),
            username,
            contact,
            keepalive: KeepAlive::new(stack.clone()),
            last_bindings: Vec::new(),
        }
    }

    fn learned_contact(&self) -> Option<Uri> {
        if let Some(contact) = &self.registration.contact {
            return Some(contact.uri.clone());
        }
        let address = self.registration.public_address.clone()?;
        Some(Uri {
            scheme: Some(rsipstack::sip::Scheme::Sip),
            auth: Some(rsipstack::sip::Auth {
                user: self.username.clone(),
                password: None,
            }),
            host_with_port: address,
            params: vec![],
            headers: vec![],
        })
    }
}

impl SipRegistrar {
    /// Opens (or reuses) the TCP/TLS connection first: rsipstack would retransmit into a failed
    /// connection until Timer F, 32 s later, and say only "timeout"; a refused connection or an
    /// untrusted certificate is reported at once and by name. Returns the stream (none on UDP).
    async fn connect_stream(&self) -> Result<Option<SipConnection>, ConnectError> {
        if self.stack.transport == crate::config::Transport::Udp {
            return Ok(None);
        }
        let Some(destination) = self.stack.destination() else {
            return Ok(None);
        };
        let layer = &self.stack.endpoint.inner.transport_layer;
        let lookup = || async {
            layer
                .lookup(&destination, None)
                .await
                .map(|(connection, _)| connection)
                .map_err(|e| ConnectError {
                    destination: destination.to_string(),
                    reason: e.to_string(),
                })
        };
        let connection = lookup().await?;
        if !has_ended(&connection) {
            return Ok(Some(connection));
        }
        // Its end was signalled but it is still cached (rsipstack cancels the token before it
        // takes the connection out): take it out ourselves, so the REGISTER goes on a new one.
        layer.remove_connection(&connection);
        lookup().await.map(Some)
    }
}

impl Registrar for SipRegistrar {
    async fn register(&mut self, expires: u32) -> RegisterOutcome {
        let outcome = self.register_once(expires).await;
        if expires == 0 || !matches!(outcome, RegisterOutcome::Registered { .. }) {
            return outcome;
        }
        // The server saw us at another address (a NAT: Via received/rport) than the Contact
        // bound: bind the address it saw, once, so calls reach us through the NAT.
        if self.bound_elsewhere() {
            let public = self.registration.public_address.clone();
            let seen = public.as_ref().map(ToString::to_string);
            tracing::info!(?seen, "registering the address the server saw");
            if let (Some(contact), Some(public)) = (self.registration.contact.as_mut(), public) {
                contact.uri.host_with_port = public;
            }
            let again = self.register_once(expires).await;
            if matches!(again, RegisterOutcome::Registered { .. }) {
                return again;
            }
        }
        outcome
    }

    async fn keep_alive(&mut self) -> KeepAliveOutcome {
        self.keepalive.ping().await
    }

    async fn flow_closed(&self) {
        self.keepalive.flow_closed().await
    }
}

impl SipRegistrar {
    /// Whether the last 200's bindings lack the address the server saw us at.
    fn bound_elsewhere(&self) -> bool {
        let Some(public) = &self.registration.public_address else {
            return false;
        };
        if self.last_bindings.is_empty() {
            // A server that lists no bindings in its 200 says nothing either way.
            return false;
        }
        !binds(&self.last_bindings, &public.to_string())
    }

    async fn register_once(&mut self, expires: u32) -> RegisterOutcome {
        let flow = match self.connect_stream().await {
            Ok(flow) => flow,
            Err(e) => {
                return RegisterOutcome::Unreachable {
                    reason: e.to_string(),
                }
            }
        };
        let closed = flow.as_ref().and_then(SipConnection::cancel_token);
        let exchange = self.registration.register(self.uri.clone(), Some(expires));
        // A server going down may take the REGISTER on a connection and close it unanswered
        // (a registrar restarting): no answer will come on it, so do not wait for Timer F.
        let answered = match closed {
            Some(closed) => tokio::select! {
                answered = exchange => answered,
                _ = closed.cancelled() => {
                    return RegisterOutcome::Unreachable {
                        reason: "the server closed the connection without answering".into(),
                    }
                }
            },
            None => exchange.await,
        };
        let response = match answered {
            Ok(response) => response,
            Err(e) => {
                return RegisterOutcome::Unreachable {
                    reason: e.to_string(),
                }
            }
        };
        match response.status_code {
            StatusCode::OK => {
                self.last_bindings = response
                    .headers
                    .iter()
                    .filter_map(|h| match h {
                        Header::Contact(c) => Some(c.value().to_string()),
                        _ => None,
                    })
                    .take(MAX_BINDINGS)
                    .collect();
                if expires > 0 {
                    self.contact.send_replace(self.learned_contact());
                    self.keepalive.pin_flow().await;
                }
                RegisterOutcome::Registered {
                    granted: self.registration.expires(),
                }
            }
            StatusCode::IntervalTooBrief => RegisterOutcome::IntervalTooBrief {
                min_expires: response.headers.iter().find_map(|h| match h {
                    Header::MinExpires(v) => v.to_string().trim().parse().ok(),
                    _ => None,
                }),
            },
            code => RegisterOutcome::Rejected {
                code: code.code(),
                reason: refusal_reason(code.code(), code.text()),
            },
        }
    }
}

/// Whether one of a 200's Contact values binds `host:port` (as the host part of its URI).
fn binds(bindings: &[String], hostport: &str) -> bool {
    bindings.iter().any(|contact| {
        contact.match_indices(hostport).any(|(at, _)| {
            let before = &contact[..at];
            let after = &contact[at + hostport.len()..];
            (before.ends_with('@') || before.ends_with("sip:") || before.ends_with("sips:"))
                && (after.is_empty() || after.starts_with([';', '>', ',']))
        })
    })
}

/// What a refusal means to the person, with the server's code and words for the helpdesk.
fn refusal_reason(code: u16, text: &str) -> String {
    let plain = match code {
        401 | 407 => "wrong user name or password",
        403 => "the server refused this account",
        404 => "the server does not know this user",
        408 | 480 | 503 | 504 => "the server is not available",
        _ => "registration refused",
    };
    format!("{plain} ({code} {text})")
}

#[cfg(test)]
mod tests {
    use super::binds;

    #[test]
    fn a_binding_is_matched_by_its_host_and_port_only() {
        let bindings = vec![
            "<sip:alice@198.51.100.1:5062>;expires=600".to_string(),
            "<sip:10.0.0.7:5060;transport=tcp>;expires=30".to_string(),
        ];
        assert!(binds(&bindings, "198.51.100.1:5062"));
        assert!(binds(&bindings, "10.0.0.7:5060"));
        assert!(!binds(&bindings, "198.51.100.1:506"));
        assert!(!binds(&bindings, "98.51.100.1:5062"));
        assert!(!binds(&bindings, "192.168.77.2:5062"));
        assert!(!binds(&[], "198.51.100.1:5062"));
    }
}
