//! Requests with a method rsipstack does not know (RFC 4475's `intmeth`, `esc02`) are well
//! formed, and a UAS answers them 501 Not Implemented (RFC 3261 8.2.1). rsipstack refuses them
//! while parsing the datagram, before any transaction exists, so they would be dropped without
//! an answer: the line's UDP socket is wrapped, and such a datagram is answered here and never
//! reaches rsipstack. So is a request rsipstack parses but then drops because it cannot make
//! a transaction key of it (a From tag it cannot read, RFC 4475 `wsinv`'s `tag = x`): one with
//! a To tag belongs to a dialog that cannot exist here, and gets 481. Everything else goes on to
//! rsipstack unchanged.

use super::super::call::sip_dialog::ALLOW;
use rsipstack::platform::net::UdpSocket as PlatformUdpSocket;
use rsipstack::sip::{Method, SipMessage};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transport::transport_layer::TransportWhitelist;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// More header lines than any real request has: the rest are not read.
const MAX_HEADERS: usize = 200;

/// The line's UDP socket, answering unknown methods itself.
pub struct AnsweringUnknown {
    socket: tokio::net::UdpSocket,
    /// Who may be answered at all (the line's whitelist); none: anyone.
    allowed: Option<Arc<dyn TransportWhitelist>>,
    answered: AtomicU64,
}

impl AnsweringUnknown {
    pub fn new(
        socket: tokio::net::UdpSocket,
        allowed: Option<Arc<dyn TransportWhitelist>>,
    ) -> Self {
        Self {
            socket,
            allowed,
            answered: AtomicU64::new(0),
        }
    }
}

#[async_trait::async_trait]
impl PlatformUdpSocket for AnsweringUnknown {
    async fn recv_from(&self, buf: &mut [u8]) -> rsipstack::Result<(usize, SocketAddr)> {
        loop {
            let (len, from) = self.socket.recv_from(buf).await?;
            let packet = buf.get(..len).unwrap_or_default();
            // A datagram that fills rsipstack's buffer was cut short by the kernel: parsed, its
            // body would be missing its end. A request is answered 513, a response dropped.
            let truncated = len >= buf.len();
            let answer = if truncated {
                answer_too_large(packet)
            } else {
                answer_unknown_method(packet).or_else(|| answer_keyless(packet))
            };
            let Some(answer) = answer else {
                if truncated {
                    tracing::debug!(target: "sip", src = %from, len, "datagram too large dropped");
                    continue;
                }
                return Ok((len, from));
            };
            // An outsider gets no answer (the whitelist counts it), as for any other request.
            if let Some(allowed) = &self.allowed {
                if !allowed.allow(from.ip()).await {
                    continue;
                }
            }
            let total = self.answered.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::debug!(target: "sip", src = %from, total, truncated, "request rsipstack cannot take answered");
            if let Err(e) = self.socket.send_to(&answer, from).await {
                tracing::debug!(error = %e, "cannot answer a request rsipstack cannot take");
            }
        }
    }

    async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> rsipstack::Result<usize> {
        Ok(self.socket.send_to(buf, addr).await?)
    }

    fn local_addr(&self) -> rsipstack::Result<SocketAddr> {
        Ok(self.socket.local_addr()?)
    }
}

/// The answer to `packet` when it is a request whose method rsipstack cannot parse: 501 (405
/// would need the method to be known), 400 when its CSeq names another method or its
/// Request-URI is in `<>`; `None` for anything else (rsipstack's to handle or drop), and for a
/// request too broken to answer.
pub fn answer_unknown_method(packet: &[u8]) -> Option<Vec<u8>> {
    // The request line alone decides, before anything is allocated.
    let first_end = packet.iter().position(|b| *b == b'\n')?;
    let (method, known, bracketed) = request_line(packet.get(..first_end)?)?;
    if known && !bracketed {
        return None;
    }
    let head = Head::read(packet)?;
    let mut cseq_parts = head.cseq.split_whitespace();
    let number_ok = cseq_parts
        .next()
        .is_some_and(|n| n.len() <= 10 && n.parse::<u32>().is_ok());
    let cseq_method = cseq_parts.next();
    let status = if !known
        && !bracketed
        && number_ok
        && cseq_method == Some(method)
        && cseq_parts.next().is_none()
    {
        "501 Not Implemented"
    } else {
        "400 Bad Request"
    };
    Some(head.answer(status))
}

/// The answer to a request that did not fit rsipstack's receive buffer (its end is lost):
/// 513 Message Too Large (RFC 3261 21.5.14); `None` for a response or anything unreadable.
pub fn answer_too_large(packet: &[u8]) -> Option<Vec<u8>> {
    let first_end = packet.iter().position(|b| *b == b'\n')?;
    request_line(packet.get(..first_end)?)?;
    Some(Head::read(packet)?.answer("513 Message Too Large"))
}

/// The answer to a request rsipstack parses and then drops for want of a transaction key (it
/// cannot read the From tag): 481 Call/Transaction Does Not Exist when a lenient read finds a
/// To tag, as no dialog can match it; `None` for anything else (an ACK is never answered).
pub fn answer_keyless(packet: &[u8]) -> Option<Vec<u8>> {
    let first_end = packet.iter().position(|b| *b == b'\n')?;
    let (method, known, bracketed) = request_line(packet.get(..first_end)?)?;
    if !known || bracketed || method == "ACK" {
        return None;
    }
    let head = Head::read(packet)?;
    // The common case, a plain `;tag=` in From, is rsipstack's without a full parse.
    if has_plain_tag(&head.from) || !has_tag(&head.to) {
        return None;
    }
    match SipMessage::try_from(packet) {
        Ok(SipMessage::Request(request))
            if TransactionKey::from_request(&request, TransactionRole::Server).is_err() =>
        {
            Some(head.answer("481 Call/Transaction Does Not Exist"))
        }
        _ => None,
    }
}

/// The answer to a request on a stream whose Content-Length is no number (RFC 4475 `ncl`):
/// 400, before the connection is closed; `None` for a response or anything unreadable.
pub fn answer_unframeable(packet: &[u8]) -> Option<Vec<u8>> {
    let first_end = packet.iter().position(|b| *b == b'\n')?;
    request_line(packet.get(..first_end)?)?;
    Some(Head::read(packet)?.answer("400 Bad Request"))
}

/// What an answer copies from a request's head.
struct Head {
    vias: Vec<String>,
    from: String,
    to: String,
    call_id: String,
    cseq: String,
}

impl Head {
    fn read(packet: &[u8]) -> Option<Head> {
        let head_end = find(packet, b"\r\n\r\n")
            .or_else(|| find(packet, b"\n\n"))
            .unwrap_or(packet.len());
        let head = std::str::from_utf8(packet.get(..head_end)?).ok()?;
        let mut vias = Vec::new();
        let (mut from, mut to, mut call_id, mut cseq) = (None, None, None, None);
        for line in unfolded_lines(head).skip(1).take(MAX_HEADERS) {
            let (name, value) = line.split_once(':')?;
            let value = value.trim().to_string();
            match name.trim().to_ascii_lowercase().as_str() {
                "via" | "v" => vias.push(value),
                "from" | "f" => from = Some(value),
                "to" | "t" => to = Some(value),
                "call-id" | "i" => call_id = Some(value),
                "cseq" => cseq = Some(value),
                _ => {}
            }
        }
        if vias.is_empty() {
            return None;
        }
        Some(Head {
            vias,
            from: from?,
            to: to?,
            call_id: call_id?,
            cseq: cseq?,
        })
    }

    fn answer(&self, status: &str) -> Vec<u8> {
        let to_tagged = if has_tag(&self.to) {
            self.to.to_string()
        } else {
            format!("{};tag={:08x}", self.to, rand::random::<u32>())
        };
        let mut answer = format!("SIP/2.0 {status}\r\n");
        for via in &self.vias {
            answer.push_str(&format!("Via: {via}\r\n"));
        }
        answer.push_str(&format!(
            "From: {}\r\nTo: {to_tagged}\r\nCall-ID: {}\r\nCSeq: {}\r\nAllow: {ALLOW}\r\n\
             Server: Parla/{}\r\nContent-Length: 0\r\n\r\n",
            self.from,
            self.call_id,
            self.cseq,
            env!("CARGO_PKG_VERSION")
        ));
        answer.into_bytes()
    }
}

/// A request line's method, whether rsipstack knows that method, and whether the Request-URI
/// is in `<>` (rsipstack takes `<sip:...>` as one: RFC 4475 ltgtruri, refused here); `None`
/// for anything that is not a request line.
fn request_line(line: &[u8]) -> Option<(&str, bool, bool)> {
    let line = std::str::from_utf8(line).ok()?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut parts = line.split(' ');
    let (method, uri, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || version != "SIP/2.0" || uri.is_empty() || !is_token(method) {
        return None;
    }
    Some((
        method,
        method.parse::<Method>().is_ok(),
        uri.starts_with('<'),
    ))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The header lines with folded continuations (RFC 3261 7.3.1) joined to the line above.
fn unfolded_lines(head: &str) -> impl Iterator<Item = String> + '_ {
    let mut lines = head
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .peekable();
    std::iter::from_fn(move || {
        let mut line = lines.next()?.to_string();
        while let Some(next) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
            line.push(' ');
            line.push_str(next.trim());
        }
        Some(line)
    })
}

/// RFC 3261 `token`: alphanumerics and `-.!%*_+`'~`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
}

/// Whether a To or From value carries a tag parameter (outside its `<...>` and quoted name),
/// spaces around the `=` allowed (RFC 4475 wsinv).
fn has_tag(value: &str) -> bool {
    header_params(value).any(|p| {
        p.split_once('=')
            .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("tag"))
    })
}

/// Whether a value carries a tag written `;tag=` with no space inside.
fn has_plain_tag(value: &str) -> bool {
    header_params(value).any(|p| {
        p.trim_start()
            .get(..4)
            .is_some_and(|name| name.eq_ignore_ascii_case("tag="))
    })
}

fn header_params(value: &str) -> impl Iterator<Item = &str> {
    let params = match value.rfind('>') {
        Some(end) => value.get(end..).unwrap_or_default(),
        None => value,
    };
    params.split(';').skip(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(answer: Option<Vec<u8>>) -> String {
        String::from_utf8(answer.expect("an answer")).expect("utf-8")
    }

    #[test]
    fn an_unknown_method_is_answered_501_with_its_headers_and_a_to_tag() {
        let request = "NEWTHING sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n\
                       To: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=x\r\nCall-ID: c1\r\n\
                       CSeq: 3 NEWTHING\r\nContent-Length: 0\r\n\r\n";
        let answer = text(answer_unknown_method(request.as_bytes()));
        assert!(
            answer.starts_with("SIP/2.0 501 Not Implemented\r\n"),
            "{answer}"
        );
        assert!(answer.contains("Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"));
        assert!(answer.contains("To: <sip:a@example.com>;tag="));
        assert!(answer.contains("CSeq: 3 NEWTHING\r\n"));
        assert!(answer.contains("Allow: "));
    }

    #[test]
    fn a_request_cut_short_is_answered_513_and_a_response_is_not() {
        let request = "NOTIFY sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n\
                       To: <sip:a@example.com>;tag=a\r\nFrom: <sip:b@example.com>;tag=x\r\nCall-ID: c1\r\n\
                       CSeq: 4 NOTIFY\r\nContent-Length: 20000\r\n\r\n<presence><x><x><x>";
        let answer = text(answer_too_large(request.as_bytes()));
        assert!(
            answer.starts_with("SIP/2.0 513 Message Too Large\r\n"),
            "{answer}"
        );
        assert!(answer.contains("To: <sip:a@example.com>;tag=a\r\n"));
        assert!(answer.contains("CSeq: 4 NOTIFY\r\n"));
        let response = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@h>\r\n\
                        From: <sip:b@h>;tag=x\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\nv=0";
        assert_eq!(answer_too_large(response.as_bytes()), None);
        let negative = request.replace("Content-Length: 20000", "Content-Length: -999");
        let answer = text(answer_unframeable(negative.as_bytes()));
        assert!(
            answer.starts_with("SIP/2.0 400 Bad Request\r\n"),
            "{answer}"
        );
    }

    #[test]
    fn a_cseq_naming_another_method_is_a_bad_request() {
        let request = "NEWMETHOD sip:user@example.com SIP/2.0\r\nTo: sip:j.user@example.com\r\n\
                       From: sip:caller@example.net;tag=34525\r\nCall-ID: m2\r\nCSeq: 8 INVITE\r\n\
                       Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw\r\nl: 0\r\n\r\n";
        let answer = text(answer_unknown_method(request.as_bytes()));
        assert!(
            answer.starts_with("SIP/2.0 400 Bad Request\r\n"),
            "{answer}"
        );
    }

    #[test]
    fn a_bracketed_request_uri_is_a_bad_request() {
        let request = "INVITE <sip:user@example.com> SIP/2.0\r\nTo: sip:user@example.com\r\n\
                       From: sip:caller@example.net;tag=39291\r\nCall-ID: l\r\nCSeq: 1 INVITE\r\n\
                       Via: SIP/2.0/UDP 192.0.2.5\r\n\r\n";
        let answer = text(answer_unknown_method(request.as_bytes()));
        assert!(
            answer.starts_with("SIP/2.0 400 Bad Request\r\n"),
            "{answer}"
        );
    }

    #[test]
    fn known_methods_responses_and_garbage_go_on_to_rsipstack() {
        for packet in [
            &b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n"[..],
            b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n",
            b"\x00\xff\xfe",
            b"",
            b"FOO sip:a SIP/2.0\r\nVia: x\r\n\r\n",
            b"F<O sip:a SIP/2.0\r\nVia: x\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 F<O\r\n\r\n",
        ] {
            assert!(answer_unknown_method(packet).is_none());
        }
    }

    #[test]
    fn a_tag_inside_the_address_is_not_the_to_tag() {
        assert!(!has_tag("<sip:a@b;tag=1>"));
        assert!(has_tag("<sip:a@b>;tag=1"));
        assert!(has_tag("sip:a@b;TAG=1"));
        assert!(has_tag("sip:a@b ;   tag    = 1918181833n"));
        assert!(!has_plain_tag("<sip:a@b> ; tag = 98asjd8"));
        assert!(has_plain_tag("<sip:a@b>; tag=98asjd8"));
        assert!(!has_tag("<sip:a@b>;tagx=1"));
    }

    /// RFC 4475 wsinv, shortened: whitespace everywhere, a To tag, a From tag rsipstack
    /// cannot read.
    const WSINV: &str = "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n\
        TO :\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n\
        from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8\r\n\
        MaX-fOrWaRdS: 0068\r\nCall-ID: wsinv.ndaksdj@192.0.2.1\r\nContent-Length   : 0\r\n\
        cseq: 0009\r\n  INVITE\r\nVia  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n\
        s :\r\n\r\n";

    #[test]
    fn an_in_dialog_request_with_an_unreadable_from_tag_is_answered_481() {
        let answer = text(answer_keyless(WSINV.as_bytes()));
        assert!(
            answer.starts_with("SIP/2.0 481 Call/Transaction Does Not Exist\r\n"),
            "{answer}"
        );
        assert!(answer.contains("CSeq: 0009 INVITE\r\n"), "{answer}");
        assert!(answer.contains("tag    = 1918181833n\r\n"), "{answer}");
        assert!(answer.contains("Via: SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw\r\n"));
        // No To tag, a readable From tag, an ACK: not ours.
        let untagged = WSINV.replace(" ;   tag    = 1918181833n", "");
        assert_eq!(answer_keyless(untagged.as_bytes()), None);
        let readable = WSINV.replace("  ;\r\n  tag = 98asjd8", ";tag=98asjd8");
        assert_eq!(answer_keyless(readable.as_bytes()), None);
        let ack = WSINV
            .replace("INVITE sip:", "ACK sip:")
            .replace("  INVITE\r\n", "  ACK\r\n");
        assert_eq!(answer_keyless(ack.as_bytes()), None);
    }
}
