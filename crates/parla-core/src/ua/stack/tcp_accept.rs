//! The TCP listener of a line that listens (the Local line, a peer-to-peer line): our own
//! accept loop instead of rsipstack's, because rsipstack's connection reader closes the
//! connection on a request whose method it cannot parse (RFC 4475 `intmeth`), so such a request
//! would get no 501. Each new connection's first requests are looked at without being read
//! (`peek`): one that [`answer_unknown_method`] answers is read off the stream and answered
//! here; at the first request that is rsipstack's, the connection is handed to it as its own
//! listener would have, and is rsipstack's from then on.

use super::unknown_method::{answer_unknown_method, answered_here};
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transport::tcp::TcpConnection;
use rsipstack::transport::transport_layer::TransportWhitelist;
use rsipstack::transport::{SipAddr, SipConnection};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// The most of a request looked at before the connection is handed over: more than any
/// request answered here needs.
const PEEK_MAX: usize = 8192;
/// How long a request's head may take to arrive whole before the connection is handed over.
const HEAD_WAIT: Duration = Duration::from_secs(2);
/// How long a silent connection is kept when rsipstack's idle timeout is off.
const IDLE_FALLBACK: Duration = Duration::from_secs(300);
/// Between two looks at a head that has not all arrived.
const PEEK_PAUSE: Duration = Duration::from_millis(10);

pub fn bind(local: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if local.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(local)?;
    socket.listen(128)
}

/// Accepts connections until `cancel`; `local` is the address the connections carry (the
/// listener's, or the advertised one for a line bound to every address).
pub async fn serve(
    listener: TcpListener,
    local: SipAddr,
    allowed: Option<Arc<dyn TransportWhitelist>>,
    endpoint: EndpointInnerRef,
    cancel: CancellationToken,
) {
    loop {
        let (stream, remote) = tokio::select! {
            _ = cancel.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::debug!(error = %e, "cannot accept a SIP connection");
                    // Out of descriptors: do not spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if let Some(allowed) = &allowed {
            if !allowed.allow(remote.ip()).await {
                continue;
            }
        }
        let (local, endpoint, cancel) = (local.clone(), endpoint.clone(), cancel.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = screen_then_hand_over(stream, remote, local, endpoint, cancel.child_token()) => {}
            }
        });
    }
}

async fn screen_then_hand_over(
    mut stream: TcpStream,
    remote: SocketAddr,
    local: SipAddr,
    endpoint: EndpointInnerRef,
    cancel: CancellationToken,
) {
    let mut buf = vec![0u8; PEEK_MAX];
    // A connection that says nothing is closed as rsipstack closes an idle one.
    let idle = match endpoint.transport_layer.stream_idle_timeout() {
        Duration::ZERO => IDLE_FALLBACK,
        idle => idle,
    };
    loop {
        match next_request(&stream, &mut buf, idle).await {
            Next::Closed => return,
            Next::HandOver => break,
            Next::Answer { length, answer } => {
                let mut discard = vec![0u8; length];
                if stream.read_exact(&mut discard).await.is_err()
                    || stream.write_all(&answer).await.is_err()
                {
                    return;
                }
                tracing::debug!(target: "sip", src = %remote, "request with an unknown method answered (TCP)");
            }
        }
    }
    match TcpConnection::from_stream(stream, local, Some(cancel)) {
        Ok(connection) => endpoint
            .transport_layer
            .add_connection(SipConnection::Tcp(connection)),
        Err(e) => tracing::debug!(error = %e, "cannot take a SIP connection"),
    }
}

enum Next {
    Closed,
    HandOver,
    /// The next `length` bytes are a request answered with `answer`.
    Answer {
        length: usize,
        answer: Vec<u8>,
    },
}

/// What to do with the request at the head of the stream, looked at without reading it.
async fn next_request(stream: &TcpStream, buf: &mut [u8], idle: Duration) -> Next {
    let mut deadline = None;
    loop {
        let seen = match tokio::time::timeout(idle, stream.peek(buf)).await {
            Ok(Ok(0) | Err(_)) | Err(_) => return Next::Closed,
            Ok(Ok(n)) => buf.get(..n).unwrap_or_default(),
        };
        let deadline = *deadline.get_or_insert_with(|| tokio::time::Instant::now() + HEAD_WAIT);
        // CRLF keep-alives and anything that is not one of ours: rsipstack's.
        if answered_here(seen) == Some(false) {
            return Next::HandOver;
        }
        let whole = message_length(seen).and_then(|length| Some((length, seen.get(..length)?)));
        if let Some((length, whole)) = whole {
            return match answer_unknown_method(whole) {
                Some(answer) => Next::Answer { length, answer },
                None => Next::HandOver,
            };
        }
        if seen.len() == buf.len() || tokio::time::Instant::now() >= deadline {
            return Next::HandOver;
        }
        tokio::time::sleep(PEEK_PAUSE).await;
    }
}

/// The length of the message at the start of `bytes` (head and Content-Length of body) once
/// its head is all there; `None` before, and for a Content-Length that cannot be read.
fn message_length(bytes: &[u8]) -> Option<usize> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(bytes.get(..head_end)?).ok()?;
    let mut body = 0;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l") {
            body = value.trim().parse::<u16>().ok()?;
        }
    }
    Some(head_end + usize::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_its_head_and_its_content_length() {
        let head = b"NEWTHING sip:a SIP/2.0\r\nl: 4\r\n\r\nbodyNEXT";
        assert_eq!(message_length(head), Some(head.len() - 4));
        assert_eq!(
            message_length(b"NEWTHING sip:a SIP/2.0\r\nVia: x\r\n"),
            None
        );
        assert_eq!(
            message_length(b"X sip:a SIP/2.0\r\nContent-Length: 99999999\r\n\r\n"),
            None
        );
        assert_eq!(message_length(b"X sip:a SIP/2.0\r\n\r\n"), Some(19));
    }
}
