//! A SIP datagram (or a TCP stream's bytes) through what Parla does with it: rsipstack's parse
//! and framing, the transport's `received` on the Via, the message inspector (trace redaction,
//! digest algorithm names), the transaction and dialog keys, the answers Parla makes itself
//! (unknown methods, malformed requests), then its own reading of the request or response
//! (headers, Replaces, Refer-To, sipfrag, MESSAGE checks, SDP, bodies).

use crate::sdp::SdpSession;
use crate::ua::auto_answer::{asked_answer_after, AutoAnswer};
use crate::ua::call::{referred, sip_dialog, transfer};
use crate::ua::message::incoming::{check, Senders};
use crate::ua::stack::stream_frame::{next_frame, Frame};
use crate::ua::subscription::termination;
use rsipstack::dialog::DialogId;
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Method, Request, Response, SipMessage, Transport};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transport::connection::SipConnection;
use rsipstack::transport::stream::{SipCodec, SipCodecType};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio_util::bytes::BytesMut;
use tokio_util::codec::Decoder;

/// Where the fuzzer's datagrams "come from": the line's server, so that the server-only
/// paths (MESSAGE from the server, NOTIFYs) are taken too.
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// The bytes as one UDP datagram, then as the start of a TCP stream.
pub fn sip_datagram(data: &[u8]) {
    udp(data);
    tcp(data);
}

fn udp(data: &[u8]) {
    // The UDP socket's own answer to a method rsipstack cannot parse.
    let _ = crate::ua::stack::unknown_method::answer_unknown_method(data);
    // What the UDP transport skips before parsing: keep-alives and blank datagrams.
    if data.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if let Ok(msg) = SipMessage::try_from(data) {
        received(msg, Transport::Udp);
    }
}

/// A stream as a listening line reads it (tcp_accept.rs): framed by our own `next_frame`
/// first, then each whole message through rsipstack's codec, as the bridge passes it on.
///
/// Not fuzzed: rsipstack's codec straight on a stream, as it reads a connection we opened to
/// the line's server. rsipstack 0.7.14 adds the Content-Length to the head's length unchecked:
/// a Content-Length near `usize::MAX` wraps in a release build (the stream is misframed, and
/// what is cut from it is parsed like any datagram above) and panics that connection's task
/// where overflow checks are on. Only a peer we connected to (the line's server, an address we called over
/// TCP) can send it there; on a listening line `next_frame` refuses it.
fn tcp(data: &[u8]) {
    let mut codec = SipCodec::new();
    let mut rest = data;
    // At most a few messages per input.
    for _ in 0..8 {
        let length = match next_frame(rest) {
            Frame::Message(length) => length,
            Frame::KeepAlive(length) => {
                rest = rest.get(length..).unwrap_or_default();
                continue;
            }
            Frame::Incomplete | Frame::TooLarge | Frame::Unframeable => return,
        };
        let mut message = BytesMut::from(rest.get(..length).unwrap_or_default());
        if let Ok(Some(SipCodecType::Message(msg))) = codec.decode(&mut message) {
            received(msg, Transport::Tcp);
        }
        rest = rest.get(length..).unwrap_or_default();
    }
}

fn received(msg: SipMessage, transport: Transport) {
    let Ok(mut msg) =
        SipConnection::update_msg_received(msg, SocketAddr::new(SERVER, 5060), transport)
    else {
        return;
    };
    let _ = crate::ua::trace::redact(&msg.to_string());
    crate::ua::digest_names::incoming(&mut msg);
    match &msg {
        SipMessage::Request(request) => take_request(request),
        SipMessage::Response(response) => take_response(response),
    }
}

fn take_request(request: &Request) {
    if TransactionKey::from_request(request, TransactionRole::Server).is_err() {
        return;
    }
    let _ = DialogId::try_from((request, TransactionRole::Server));
    // What the line refuses before looking at the method (RFC 4475 torture cases).
    let _ = crate::ua::stack::request_check::refusal(request);
    let _ = request.cseq_header().and_then(|c| c.seq());
    let _ = request.call_id_header().map(|c| c.value().to_string());
    let in_dialog = request
        .to_header()
        .ok()
        .and_then(|to| to.tag().ok().flatten())
        .is_some();
    let event = sip_dialog::header_value(request, "Event");
    let state = sip_dialog::header_value(request, "Subscription-State");
    match request.method {
        Method::Invite => invite(request, in_dialog),
        Method::Update => offer(&String::from_utf8_lossy(&request.body)),
        Method::Message => {
            let _ = check(request, Senders::Anyone);
            let _ = check(request, Senders::Server(SERVER));
        }
        Method::Notify => notify(request, event.as_deref(), state.as_deref()),
        Method::Refer => refer(request),
        _ => {}
    }
}

/// A new INVITE as admission reads it, or a re-INVITE's offer.
fn invite(request: &Request, in_dialog: bool) {
    let invite = sip_dialog::invite_of(request);
    if !in_dialog {
        let values = |name| crate::ua::account::features::header_values(request, name);
        let (call_info, alert_info) = (values("Call-Info"), values("Alert-Info"));
        let asked = asked_answer_after(
            call_info.iter().map(String::as_str),
            alert_info.iter().map(String::as_str),
        );
        let auto = AutoAnswer::new(true, vec!["+31201234567".into(), "sip:bob@x".into()], true);
        let region = "NL".parse().unwrap_or(crate::store::Region::US);
        let _ = auto.answer_after(&invite.from, region, asked, true);
        let _ = crate::store::normalise_number(&invite.from, region);
    }
    if !invite.sdp.is_empty() {
        offer(&invite.sdp);
    }
}

fn offer(sdp: &str) {
    let _ = SdpSession::with_origin(1, 1).answer_offer(sdp, &super::local_media(0x40));
}

fn notify(request: &Request, event: Option<&str>, state: Option<&str>) {
    let Some(event) = event else {
        return;
    };
    let _ = state.map(transfer::subscription_terminated);
    let _ = state.and_then(termination);
    if transfer::is_event_package(event, "refer") {
        let body = String::from_utf8_lossy(&request.body);
        let _ = transfer::sipfrag_status(&body);
        let _ = transfer::sipfrag_orbit(&body);
    } else if transfer::is_event_package(event, "message-summary") {
        super::message_summary(&request.body);
    } else if transfer::is_event_package(event, "dialog") {
        super::dialog_info(&request.body);
    } else if transfer::is_event_package(event, "presence") {
        super::pidf(&request.body);
    }
}

fn refer(request: &Request) {
    let refer_to = sip_dialog::header_value(request, "Refer-To").unwrap_or_default();
    let target = rsipstack::sip::event_packages::parse_refer_to(&refer_to);
    let _ = referred::check(
        &target.uri,
        crate::config::TransferPolicy::Domain,
        "example.org",
    );
    if let Some(replaces) = target.replaces {
        let _ = crate::ua::call::replaces::parse_replaces(&replaces);
    }
}

/// A response as our client transactions read it: the key, the To tag, the Contact, Expires,
/// a digest challenge, an SDP answer.
fn take_response(response: &Response) {
    if TransactionKey::from_response(response, TransactionRole::Client).is_err() {
        return;
    }
    let _ = response
        .to_header()
        .ok()
        .and_then(|to| to.tag().ok().flatten());
    let _ = response.contact_header().ok().and_then(|c| c.typed().ok());
    let _ = response.headers.iter().find_map(|h| match h {
        Header::Expires(e) => e.value().trim().parse::<u32>().ok(),
        _ => None,
    });
    for header in response.headers.iter() {
        match header {
            Header::WwwAuthenticate(h) => {
                let _ = h.typed();
            }
            Header::ProxyAuthenticate(h) => {
                let _ = h.typed();
            }
            _ => {}
        }
    }
    if !response.body.is_empty() {
        let _ = SdpSession::with_origin(1, 1).apply_answer(
            &super::local_media(0x80),
            &String::from_utf8_lossy(&response.body),
        );
    }
}
