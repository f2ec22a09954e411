//! An incoming MESSAGE out of any dialog: checked (size first, then who sent it, then what it
//! carries), answered (603 from a blocked contact, like a call), stored and reported as a
//! `message` event.

use super::MessageLine;
use crate::api::Event;
use crate::store::Region;
use crate::store::{
    conversation_peer, MessageDirection, MessageState, NewMessage, MAX_MESSAGE_BYTES,
};
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Host, Request, StatusCode};
use rsipstack::transaction::Transaction;
use rsipstack::transport::connection::SipConnection;
use std::net::IpAddr;
use std::time::SystemTime;

/// Who may send this line messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Senders {
    /// Anybody (the Local line: peers reach it directly).
    Anyone,
    /// Only the line's server (its proxy relays everybody's messages).
    Server(IpAddr),
    /// Nobody: a line with no server to trust.
    Nobody,
}

/// What an incoming MESSAGE is answered: its text (200), or the refusal.
pub fn check(request: &Request, senders: Senders) -> Result<String, StatusCode> {
    let declared = request.headers.iter().find_map(|h| match h {
        Header::ContentLength(l) => l.value().trim().parse::<usize>().ok(),
        _ => None,
    });
    if request.body.len() > MAX_MESSAGE_BYTES || declared.is_some_and(|l| l > MAX_MESSAGE_BYTES) {
        return Err(StatusCode::RequestEntityTooLarge);
    }
    let allowed = match senders {
        Senders::Anyone => true,
        Senders::Server(server) => source_ip(request) == Some(server),
        Senders::Nobody => false,
    };
    if !allowed {
        return Err(StatusCode::Forbidden);
    }
    let content_type = request.headers.iter().find_map(|h| match h {
        Header::ContentType(t) => Some(t.value().to_string()),
        _ => None,
    });
    if !is_plain_utf8(content_type.as_deref()) {
        return Err(StatusCode::UnsupportedMediaType);
    }
    String::from_utf8(request.body.clone()).map_err(|_| StatusCode::BadRequest)
}

/// `text/plain`, with no charset (UTF-8, RFC 3428) or UTF-8 (US-ASCII is a part of it).
fn is_plain_utf8(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("text/plain") {
        return false;
    }
    parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            let charset = value.trim().trim_matches('"');
            charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("us-ascii")
        }
        _ => true,
    })
}

/// The address the request came from: its top Via with the `received` the transport wrote.
fn source_ip(request: &Request) -> Option<IpAddr> {
    let via = request.via_header().ok()?;
    let (_, host) = SipConnection::parse_target_from_via(via).ok()?;
    match host.host {
        Host::IpAddr(ip) => Some(ip),
        Host::Domain(_) => None,
    }
}

/// Answers `tx` and, when it is taken, stores the message and reports it.
pub async fn take(line: &MessageLine, region: Region, senders: Senders, mut tx: Transaction) {
    let text = match check(&tx.original, senders) {
        Ok(text) => text,
        Err(code) => {
            tracing::info!(account = %line.account, code = code.code(), "MESSAGE refused");
            let _ = tx.reply(code).await;
            return;
        }
    };
    let from = tx.original.from_header().and_then(|h| h.typed()).ok();
    let peer = from
        .as_ref()
        .and_then(|from| conversation_peer(&from.uri.to_string()));
    let (Some(from), Some(peer)) = (from, peer) else {
        let _ = tx.reply(StatusCode::BadRequest).await;
        return;
    };
    let contact = line.store.caller_name(&peer, region).await;
    if contact.as_ref().is_some_and(|c| c.blocked) {
        // Like a call from a blocked contact: refused, not shown.
        tracing::info!(account = %line.account, "MESSAGE from a blocked contact refused");
        let _ = tx.reply(StatusCode::Decline).await;
        return;
    }
    let _ = tx.reply(StatusCode::OK).await;
    if text.is_empty() {
        return;
    }
    let display_name = from.display_name.filter(|n| !n.trim().is_empty());
    let message = NewMessage {
        account: line.account.to_string(),
        peer: peer.clone(),
        direction: MessageDirection::Incoming,
        text: text.clone(),
        time: SystemTime::now(),
        state: MessageState::Received,
        display_name: display_name.clone(),
    };
    let Some(entry) = line.store.add_message(message).await else {
        tracing::warn!(account = %line.account, "an incoming message could not be stored");
        return;
    };
    let _ = line.events.send(Event::Message {
        account: line.account.clone(),
        id: entry.id,
        from: peer,
        name: contact.map(|c| c.name).or(display_name),
        text,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "127.0.0.1";

    fn message(source: &str, headers: &str, body: &str) -> Request {
        let text = format!(
            "MESSAGE sip:alice@127.0.0.1:5070 SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;received={source}\r\n\
             From: \"Bob\" <sip:bob@127.0.0.1>;tag=1\r\n\
             To: <sip:alice@127.0.0.1>\r\n\
             Call-ID: m1\r\n\
             CSeq: 1 MESSAGE\r\n\
             {headers}\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        Request::try_from(text.as_str()).unwrap()
    }

    fn server() -> Senders {
        Senders::Server(SERVER.parse().unwrap())
    }

    const PLAIN: &str = "Content-Type: text/plain;charset=UTF-8\r\n";

    #[test]
    fn plain_text_from_the_server_is_taken() {
        let text = check(&message(SERVER, PLAIN, "héllo"), server()).unwrap();
        assert_eq!(text, "héllo");
        let bare = message(SERVER, "Content-Type: text/plain\r\n", "hi");
        assert_eq!(check(&bare, server()).unwrap(), "hi");
        let quoted = message(
            SERVER,
            "Content-Type: Text/Plain; charset=\"utf-8\"\r\n",
            "x",
        );
        assert!(check(&quoted, server()).is_ok());
    }

    #[test]
    fn other_senders_are_refused_unless_anyone_may_send() {
        let stranger = message("127.0.0.2", PLAIN, "hi");
        assert_eq!(check(&stranger, server()), Err(StatusCode::Forbidden));
        assert!(check(&stranger, Senders::Anyone).is_ok());
        let ours = message(SERVER, PLAIN, "hi");
        assert_eq!(check(&ours, Senders::Nobody), Err(StatusCode::Forbidden));
    }

    #[test]
    fn too_large_is_checked_first() {
        let big = "x".repeat(MAX_MESSAGE_BYTES + 1);
        let request = message("127.0.0.2", "Content-Type: image/png\r\n", &big);
        assert_eq!(
            check(&request, server()),
            Err(StatusCode::RequestEntityTooLarge)
        );
        let just = "x".repeat(MAX_MESSAGE_BYTES);
        assert!(check(&message(SERVER, PLAIN, &just), server()).is_ok());
    }

    #[test]
    fn other_types_and_charsets_are_unsupported() {
        for content_type in [
            "Content-Type: text/html\r\n",
            "Content-Type: application/im-iscomposing+xml\r\n",
            "Content-Type: text/plain;charset=ISO-8859-1\r\n",
            "",
        ] {
            let request = message(SERVER, content_type, "hi");
            assert_eq!(
                check(&request, server()),
                Err(StatusCode::UnsupportedMediaType),
                "{content_type}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_a_bad_request() {
        let mut request = message(SERVER, PLAIN, "ab");
        request.body = vec![b'a', 0xff, 0xfe];
        assert_eq!(check(&request, server()), Err(StatusCode::BadRequest));
    }
}
