//! Keep-alives towards the line's server (RFC 5626 section 4.4.1): a CRLFCRLF ping every
//! `keepalive_s` while registered, so a NAT keeps our mapping and a dead TCP/TLS flow is noticed
//! before the next refresh.
//!
//! rsipstack answers a peer's ping with a CRLF pong itself, but swallows the pongs it receives
//! (its stream codec decodes them to nothing), so the pong cannot be awaited here. Instead the
//! stack sets rsipstack's stream idle timeout to the keep-alive interval plus [`PONG_WAIT_S`]:
//! pongs are bytes that reset it, so a flow whose pong does not come within that wait after a
//! ping is closed by rsipstack. A closed flow (its cancel token) or a failing write is seen
//! here and the line registers again on a new connection. On UDP nothing comes back by
//! design: the ping only refreshes the NAT mapping.

use super::stack::SipStack;
use rsipstack::transport::connection::KEEPALIVE_REQUEST;
use rsipstack::transport::stream::StreamConnection;
use rsipstack::transport::SipConnection;
use std::sync::Arc;

/// How long after a ping on TCP/TLS its pong may take before the flow counts as dead.
pub const PONG_WAIT_S: u64 = 10;

/// What one keep-alive found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeepAliveOutcome {
    /// Sent (or nothing to send on): the flow is believed alive.
    Alive,
    /// The TCP/TLS flow the registration went over is gone: register again on a new one.
    FlowLost { reason: String },
}

/// Sends the pings of one line over its stack's transport.
pub struct KeepAlive {
    stack: Arc<SipStack>,
    /// The stream the last registration went over (none on UDP or before the first).
    flow: Option<SipConnection>,
}

impl KeepAlive {
    pub fn new(stack: Arc<SipStack>) -> Self {
        Self { stack, flow: None }
    }

    /// Remembers the stream the registration now uses, so its loss can be told apart.
    pub async fn pin_flow(&mut self) {
        self.flow = None;
        if self.stack.transport == crate::config::Transport::Udp {
            return;
        }
        let Some(destination) = self.stack.destination() else {
            return;
        };
        let layer = &self.stack.endpoint.inner.transport_layer;
        if let Ok((connection, _)) = layer.lookup(&destination, None).await {
            self.flow = Some(connection);
        }
    }

    /// Resolves when the pinned stream ends; never on UDP.
    pub async fn flow_closed(&self) {
        match self.flow.as_ref().and_then(SipConnection::cancel_token) {
            Some(token) => token.cancelled().await,
            None => std::future::pending().await,
        }
    }

    pub async fn ping(&mut self) -> KeepAliveOutcome {
        let Some(destination) = self.stack.destination() else {
            return KeepAliveOutcome::Alive;
        };
        if self.stack.transport == crate::config::Transport::Udp {
            let layer = &self.stack.endpoint.inner.transport_layer;
            if let Ok((SipConnection::Udp(udp), _)) = layer.lookup(&destination, None).await {
                if let Err(e) = udp.send_raw(KEEPALIVE_REQUEST, &destination).await {
                    // A UDP send error (no route) is the network's, not the server's: the
                    // network watcher deals with it; the next refresh tells.
                    tracing::debug!(error = %e, "keep-alive not sent");
                }
            }
            return KeepAliveOutcome::Alive;
        }
        let Some(flow) = &self.flow else {
            return KeepAliveOutcome::FlowLost {
                reason: "no connection to the server".into(),
            };
        };
        if has_ended(flow) {
            return KeepAliveOutcome::FlowLost {
                reason: "the server closed the connection".into(),
            };
        }
        let sent = match flow {
            SipConnection::Tcp(tcp) => tcp.send_raw(KEEPALIVE_REQUEST).await,
            SipConnection::Tls(tls) => tls.send_raw(KEEPALIVE_REQUEST).await,
            _ => Ok(()),
        };
        match sent {
            Ok(()) => KeepAliveOutcome::Alive,
            Err(e) => KeepAliveOutcome::FlowLost {
                reason: format!("the connection to the server failed: {e}"),
            },
        }
    }
}

/// Whether `connection` (a stream) was closed: rsipstack cancels its token when it ends.
pub fn has_ended(connection: &SipConnection) -> bool {
    connection.cancel_token().is_some_and(|t| t.is_cancelled())
}
