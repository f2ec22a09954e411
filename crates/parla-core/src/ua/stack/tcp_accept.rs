//! The TCP listener of a line that listens (the Local line, a peer-to-peer line): our own
//! accept loop instead of rsipstack's. rsipstack's connection reader closes the connection at
//! the first message it cannot parse, and the answers to the requests before it are lost with it
//! (RFC 4475 `dblreq`: a REGISTER, then an INVITE whose Content-Length leaves 5 stray bytes); and
//! it drops, without an answer, unknown methods (`intmeth`: 501) and requests it cannot key
//! (`wsinv`: 481).
//!
//! So each connection's bytes are read here and framed as rsipstack frames them
//! (stream_frame.rs). A message rsipstack takes is passed on, byte for byte, to rsipstack's own
//! `TcpConnection`, whose reader sits on a private loopback pair and whose writer is the real
//! connection's: rsipstack answers on the connection as it always did. What it cannot take is
//! answered here (unknown_method.rs) or dropped; a message over rsipstack's 64 KiB gets 513 and
//! the connection is closed, as is one whose Content-Length cannot be read.

use super::stream_frame::{next_frame, Frame};
use super::unknown_method::{
    answer_keyless, answer_too_large, answer_unframeable, answer_unknown_method,
};
use rsipstack::sip::{SipMessage, Transport};
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transport::stream::{StreamConnection, StreamConnectionInner};
use rsipstack::transport::tcp::TcpConnection;
use rsipstack::transport::transport_layer::TransportWhitelist;
use rsipstack::transport::{SipAddr, SipConnection};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// One read off the connection.
const CHUNK: usize = 8192;

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
            let connection_cancel = cancel.child_token();
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = bridge(stream, remote, local, endpoint, connection_cancel) => {}
            }
        });
    }
}

/// Reads `stream`, passing on to rsipstack what it takes, until the peer closes, rsipstack
/// retires the connection (`cancel`), or the stream cannot be framed.
async fn bridge(
    stream: TcpStream,
    remote: SocketAddr,
    local: SipAddr,
    endpoint: EndpointInnerRef,
    cancel: CancellationToken,
) {
    let (to_rsipstack, rsipstack_reads) = match loopback_pair().await {
        Ok(pair) => pair,
        Err(e) => {
            // No loopback (a namespace with `lo` down): rsipstack reads the stream itself.
            tracing::debug!(error = %e, "no loopback pair: TCP connection handed to rsipstack");
            match TcpConnection::from_stream(stream, local, Some(cancel)) {
                Ok(connection) => endpoint
                    .transport_layer
                    .add_connection(SipConnection::Tcp(connection)),
                Err(e) => tracing::debug!(error = %e, "cannot take a SIP connection"),
            }
            return;
        }
    };
    let (mut read_half, write_half) = tokio::io::split(stream);
    let (rsipstack_read, _): (ReadHalf<TcpStream>, _) = tokio::io::split(rsipstack_reads);
    let remote_sip = SipAddr {
        r#type: Some(Transport::Tcp),
        addr: remote.into(),
    };
    let connection = TcpConnection {
        inner: Arc::new(StreamConnectionInner::new(
            local,
            remote_sip,
            rsipstack_read,
            write_half,
        )),
        cancel_token: Some(cancel.clone()),
    };
    endpoint
        .transport_layer
        .add_connection(SipConnection::Tcp(connection.clone()));
    let mut to_rsipstack = to_rsipstack;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
    let mut chunk = vec![0u8; CHUNK];
    'read: loop {
        loop {
            let step = match next_frame(&buf) {
                Frame::Incomplete => break,
                Frame::KeepAlive(length) => Step::PassOn(length),
                Frame::Message(length) => {
                    let message = buf.get(..length).unwrap_or_default();
                    match decide(message, remote) {
                        Decision::PassOn => Step::PassOn(length),
                        Decision::Answer(answer) => Step::Answer(length, answer),
                        Decision::Drop(why) => {
                            tracing::debug!(target: "sip", src = %remote, length, why, "TCP message rsipstack cannot take dropped");
                            Step::Skip(length)
                        }
                    }
                }
                Frame::TooLarge => {
                    if let Some(answer) = answer_too_large(&buf) {
                        let _ = connection.send_raw(&answer).await;
                    }
                    tracing::debug!(target: "sip", src = %remote, "TCP message too large: connection closed");
                    break 'read;
                }
                Frame::Unframeable => {
                    if let Some(answer) = answer_unframeable(&buf) {
                        let _ = connection.send_raw(&answer).await;
                    }
                    tracing::debug!(target: "sip", src = %remote, "TCP Content-Length unreadable: connection closed");
                    break 'read;
                }
            };
            let length = match step {
                Step::PassOn(length) => {
                    let bytes = buf.get(..length).unwrap_or_default();
                    if to_rsipstack.write_all(bytes).await.is_err() {
                        break 'read;
                    }
                    length
                }
                Step::Answer(length, answer) => {
                    tracing::debug!(target: "sip", src = %remote, "TCP request rsipstack cannot take answered");
                    if connection.send_raw(&answer).await.is_err() {
                        break 'read;
                    }
                    length
                }
                Step::Skip(length) => length,
            };
            buf.drain(..length.min(buf.len()));
        }
        let read = tokio::select! {
            _ = cancel.cancelled() => return,
            read = read_half.read(&mut chunk) => read,
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
        // Bounded: next_frame says TooLarge once a message cannot fit MAX_MESSAGE, so buf
        // holds at most that and one read.
    }
    // rsipstack's reader sees the end, closes the connection and forgets it.
    let _ = to_rsipstack.shutdown().await;
}

enum Step {
    PassOn(usize),
    Answer(usize, Vec<u8>),
    Skip(usize),
}

#[derive(Debug, PartialEq)]
enum Decision {
    /// rsipstack reads it as it reads any message.
    PassOn,
    Answer(Vec<u8>),
    Drop(&'static str),
}

/// What becomes of one framed message: rsipstack's reader would close the connection on a
/// message it cannot parse, or whose Via it cannot stamp (`received`), so those are not passed
/// on; requests it would drop unanswered are answered here.
fn decide(message: &[u8], remote: SocketAddr) -> Decision {
    if let Some(answer) = answer_unknown_method(message) {
        return Decision::Answer(answer);
    }
    let Ok(parsed) = SipMessage::try_from(message) else {
        return Decision::Drop("unparsable");
    };
    if SipConnection::update_msg_received(parsed, remote, Transport::Tcp).is_err() {
        return Decision::Drop("no usable Via");
    }
    match answer_keyless(message) {
        Some(answer) => Decision::Answer(answer),
        None => Decision::PassOn,
    }
}

/// Two ends of a fresh loopback TCP connection: (the end written to, the end rsipstack reads).
async fn loopback_pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let at = listener.local_addr()?;
    let (writer, (reader, from)) = tokio::try_join!(TcpStream::connect(at), listener.accept())?;
    // Anyone else on the machine could have connected first.
    if from != writer.local_addr()? {
        return Err(std::io::Error::other("loopback pair: a stranger connected"));
    }
    writer.set_nodelay(true)?;
    Ok((writer, reader))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 5099);

    #[test]
    fn sound_messages_go_on_to_rsipstack() {
        let register = "REGISTER sip:example.com SIP/2.0\r\nTo: sip:j.user@example.com\r\n\
                        From: sip:j.user@example.com;tag=43251j3j324\r\nMax-Forwards: 8\r\n\
                        I: dblreq.0ha0isndaksdj99sdfafnl3lk233412\r\nCSeq: 8 REGISTER\r\n\
                        Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492\r\n\
                        Content-Length: 0\r\n\r\n";
        assert_eq!(decide(register.as_bytes(), FROM), Decision::PassOn);
        let response = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nTo: <sip:a@h>;tag=2\r\n\
                        From: <sip:b@h>;tag=x\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(decide(response.as_bytes(), FROM), Decision::PassOn);
    }

    #[test]
    fn what_rsipstack_would_choke_on_is_answered_or_dropped() {
        // dblreq's stray bytes after an INVITE body cut short by its Content-Length.
        assert!(matches!(decide(b"C\r\n\r\n", FROM), Decision::Drop(_)));
        let no_via = "OPTIONS sip:a@h SIP/2.0\r\nTo: <sip:a@h>\r\nFrom: <sip:b@h>;tag=x\r\n\
                      Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        assert!(matches!(decide(no_via.as_bytes(), FROM), Decision::Drop(_)));
        let unknown = "NEWTHING sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\
                       To: <sip:a@h>\r\nFrom: <sip:b@h>;tag=x\r\nCall-ID: c\r\nCSeq: 3 NEWTHING\r\n\
                       Content-Length: 0\r\n\r\n";
        let Decision::Answer(answer) = decide(unknown.as_bytes(), FROM) else {
            panic!("an unknown method is answered");
        };
        assert!(answer.starts_with(b"SIP/2.0 501 "));
        let keyless = "BYE sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\
                       To: <sip:a@h>;tag=1\r\nFrom: <sip:b@h> ; tag = x\r\nCall-ID: c\r\n\
                       CSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n";
        let Decision::Answer(answer) = decide(keyless.as_bytes(), FROM) else {
            panic!("a request rsipstack cannot key is answered");
        };
        assert!(answer.starts_with(b"SIP/2.0 481 "));
    }
}
