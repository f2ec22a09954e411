//! [`Registrar`] over rsipstack's `Registration`: one REGISTER exchange with its digest retry.

use super::registration::{RegisterOutcome, Registrar};
use super::stack::SipStack;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::registration::Registration;
use rsipstack::sip::{Header, Param, StatusCode, Uri};
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
}

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
    /// untrusted certificate is reported at once and by name.
    async fn connect_stream(&self) -> Result<(), ConnectError> {
        if self.stack.transport == crate::config::Transport::Udp {
            return Ok(());
        }
        let Some(destination) = self.stack.destination() else {
            return Ok(());
        };
        let layer = &self.stack.endpoint.inner.transport_layer;
        layer
            .lookup(&destination, None)
            .await
            .map(|_| ())
            .map_err(|e| ConnectError {
                destination: destination.to_string(),
                reason: e.to_string(),
            })
    }
}

impl Registrar for SipRegistrar {
    async fn register(&mut self, expires: u32) -> RegisterOutcome {
        if let Err(e) = self.connect_stream().await {
            return RegisterOutcome::Unreachable {
                reason: e.to_string(),
            };
        }
        let response = match self
            .registration
            .register(self.uri.clone(), Some(expires))
            .await
        {
            Ok(response) => response,
            Err(e) => {
                return RegisterOutcome::Unreachable {
                    reason: e.to_string(),
                }
            }
        };
        match response.status_code {
            StatusCode::OK => {
                if expires > 0 {
                    self.contact.send_replace(self.learned_contact());
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
