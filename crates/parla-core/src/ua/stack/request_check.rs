//! Checks rsipstack's lenient parser does not make, on requests before they can ring the phone
//! or change a call: RFC 4475's invalid messages (a Content-Length that is not the body's,
//! single headers given twice, a CSeq naming another method, unbalanced quotes, empty header
//! parameters, a bracketed Request-URI, another SIP version) get 400 (505) instead.

use rsipstack::sip::{Header, Request, StatusCode, Version};

/// Why `request` must be refused, with the status to refuse it with; `None` when it is sound.
pub fn refusal(request: &Request) -> Option<(StatusCode, &'static str)> {
    if request.version != Version::V2 {
        return Some((StatusCode::VersionNotSupported, "SIP version"));
    }
    let bad = |why| Some((StatusCode::BadRequest, why));
    let uri = request.uri.to_string();
    // Headers in a Request-URI (RFC 4475 escruri) are for making a request, not in one.
    if uri.contains(['<', '>', ' ']) || !request.uri.headers.is_empty() {
        return bad("Request-URI");
    }
    let mut counts = [0usize; 6];
    let mut content_length = None;
    for header in request.headers.iter() {
        let slot = match header {
            Header::To(_) => 0,
            Header::From(_) => 1,
            Header::CallId(_) => 2,
            Header::CSeq(_) => 3,
            Header::MaxForwards(_) => 4,
            Header::ContentLength(_) => {
                content_length = Some(header.value().trim().to_string());
                5
            }
            _ => continue,
        };
        counts[slot] += 1;
        if matches!(header, Header::To(_) | Header::From(_)) && !quotes_balanced(header.value()) {
            return bad("unbalanced quotes");
        }
        if matches!(header, Header::To(_) | Header::From(_)) && has_empty_parameter(header.value())
        {
            return bad("empty header parameter");
        }
    }
    if counts[..4].iter().any(|n| *n != 1) || counts[4..].iter().any(|n| *n > 1) {
        return bad("missing or repeated To, From, Call-ID, CSeq, Max-Forwards or Content-Length");
    }
    // A request that makes a dialog must say where the dialog's requests go (RFC 3261 8.1.1.8).
    if request.method == rsipstack::sip::Method::Invite
        && !request
            .headers
            .iter()
            .any(|h| matches!(h, Header::Contact(_)))
    {
        return bad("INVITE without Contact");
    }
    for header in request.headers.iter() {
        if matches!(header, Header::Via(_) | Header::Contact(_))
            && has_empty_parameter(header.value())
        {
            return bad("empty header parameter");
        }
        if let Header::CSeq(cseq) = header {
            let mut parts = cseq.value().split_whitespace();
            let number_ok = parts
                .next()
                .is_some_and(|n| n.len() <= 10 && n.parse::<u32>().is_ok());
            let method = parts.next().unwrap_or_default();
            if !number_ok || method != request.method.to_string() || parts.next().is_some() {
                return bad("CSeq");
            }
        }
    }
    if let Some(length) = content_length {
        // Over UDP a body longer than Content-Length is cut (RFC 3261 18.3); a shorter one, or a
        // length that is no number, is an error.
        match length.parse::<usize>() {
            Ok(n) if n <= request.body.len() => {}
            _ => return bad("Content-Length"),
        }
    }
    None
}

fn quotes_balanced(value: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in value.chars() {
        match c {
            '\\' if inside && !escaped => escaped = true,
            '"' if !escaped => inside = !inside,
            _ => escaped = false,
        }
    }
    !inside
}

/// `;;`, `;,` or a trailing `;` outside quotes and `<...>`: a parameter with no name.
fn has_empty_parameter(value: &str) -> bool {
    let mut inside_quotes = false;
    let mut depth = 0usize;
    let mut last = None;
    for c in value.chars() {
        match c {
            '"' => inside_quotes = !inside_quotes,
            '<' if !inside_quotes => depth += 1,
            '>' if !inside_quotes => depth = depth.saturating_sub(1),
            ';' | ',' if !inside_quotes && depth == 0 && last == Some(';') => return true,
            c if c.is_whitespace() => continue,
            _ => {}
        }
        if !inside_quotes && depth == 0 {
            last = Some(c);
        } else {
            last = None;
        }
    }
    matches!(last, Some(';') | Some(','))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsipstack::sip::SipMessage;

    fn request(text: &str) -> Request {
        match SipMessage::try_from(text.replace('\n', "\r\n").as_str()) {
            Ok(SipMessage::Request(r)) => r,
            other => panic!("not a request: {other:?}"),
        }
    }

    const GOOD: &str = "INVITE sip:a@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\
                        To: <sip:a@example.com>\nFrom: \"B \\\"x\\\"\" <sip:b@example.com>;tag=1\n\
                        Call-ID: c\nCSeq: 1 INVITE\nMax-Forwards: 70\nContact: <sip:b@h>\n\
                        Content-Length: 3\n\nv=0";

    #[test]
    fn a_sound_request_passes() {
        assert_eq!(refusal(&request(GOOD)), None);
    }

    #[test]
    fn the_torture_defects_are_refused() {
        for (from, to) in [
            ("Content-Length: 3", "Content-Length: 9999"),
            ("Content-Length: 3", "Content-Length: -999"),
            ("CSeq: 1 INVITE", "CSeq: 1 OPTIONS"),
            ("Call-ID: c\n", "Call-ID: c\nCall-ID: d\n"),
            (
                "To: <sip:a@example.com>",
                "To: \"Mr. J. User <sip:a@example.com>",
            ),
            ("branch=z9hG4bK1", "branch=z9hG4bK1;;,;,,"),
            ("Contact: <sip:b@h>", "Contact: \"Joe\" <sip:b@h>;;;;"),
            ("Call-ID: c\n", ""),
            ("Contact: <sip:b@h>\n", ""),
        ] {
            let text = GOOD.replace(from, to);
            assert!(refusal(&request(&text)).is_some(), "{text}");
        }
    }

    #[test]
    fn separators_inside_addresses_and_quotes_are_fine() {
        assert!(!has_empty_parameter("\"a;;b\" <sip:x@y;lr;;>;tag=1"));
        assert!(has_empty_parameter("<sip:x@y>;tag=1;"));
        assert!(quotes_balanced("\"a \\\" b\" <sip:x@y>"));
        assert!(!quotes_balanced("\"a <sip:x@y>"));
    }
}
