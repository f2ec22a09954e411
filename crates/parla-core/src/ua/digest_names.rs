//! rsipstack 0.7 spells the SHA-256 digest algorithm `SHA256`, but RFC 8760 and the servers that
//! implement it (Kamailio, Asterisk) write `SHA-256`: it rejects such a challenge as unparsable
//! and its answer would be refused. We translate the name on the way in and back on the way out,
//! in the message inspector, until the crate follows the RFC.

use rsipstack::sip::{Header, SipMessage};

/// RFC 8760 names and rsipstack's, for the algorithms both sides compute the same way.
const NAMES: [(&str, &str); 2] = [("SHA-256-sess", "SHA256-sess"), ("SHA-256", "SHA256")];

/// Rewrites the `algorithm=` value of a digest header from one spelling to the other.
fn rename_algorithm(value: &str, to_stack: bool) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let key = lower.find("algorithm=")?;
    let start = key + "algorithm=".len();
    let quoted = value[start..].starts_with('"');
    let token_start = if quoted { start + 1 } else { start };
    let token_len = value[token_start..]
        .find(|c: char| c == ',' || c == '"' || c.is_whitespace())
        .unwrap_or(value.len() - token_start);
    let token = &value[token_start..token_start + token_len];
    let replacement = NAMES.iter().find_map(|(rfc, stack)| {
        let (from, to) = if to_stack { (rfc, stack) } else { (stack, rfc) };
        token.eq_ignore_ascii_case(from).then_some(*to)
    })?;
    Some(format!(
        "{}{}{}",
        &value[..token_start],
        replacement,
        &value[token_start + token_len..]
    ))
}

/// Challenges we receive: RFC names to rsipstack's.
pub fn incoming(msg: &mut SipMessage) {
    if let SipMessage::Response(response) = msg {
        for header in response.headers.iter_mut() {
            match header {
                Header::WwwAuthenticate(h) => {
                    if let Some(v) = rename_algorithm(h.value(), true) {
                        *h = rsipstack::sip::WwwAuthenticate::new(v);
                    }
                }
                Header::ProxyAuthenticate(h) => {
                    if let Some(v) = rename_algorithm(h.value(), true) {
                        *h = rsipstack::sip::ProxyAuthenticate::new(v);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Credentials we send: rsipstack's names back to the RFC's.
pub fn outgoing(msg: &mut SipMessage) {
    if let SipMessage::Request(request) = msg {
        for header in request.headers.iter_mut() {
            match header {
                Header::Authorization(h) => {
                    if let Some(v) = rename_algorithm(h.value(), false) {
                        *h = rsipstack::sip::Authorization::new(v);
                    }
                }
                Header::ProxyAuthorization(h) => {
                    if let Some(v) = rename_algorithm(h.value(), false) {
                        *h = rsipstack::sip::ProxyAuthorization::new(v);
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rename_algorithm;

    #[test]
    fn names_are_translated_both_ways_and_nothing_else_changes() {
        let challenge = r#"Digest realm="127.0.0.1", nonce="abc", qop="auth", algorithm=SHA-256"#;
        assert_eq!(
            rename_algorithm(challenge, true).as_deref(),
            Some(r#"Digest realm="127.0.0.1", nonce="abc", qop="auth", algorithm=SHA256"#)
        );
        let quoted = r#"Digest algorithm="sha-256-sess", realm="x""#;
        assert_eq!(
            rename_algorithm(quoted, true).as_deref(),
            Some(r#"Digest algorithm="SHA256-sess", realm="x""#)
        );
        let answer = r#"Digest username="alice", algorithm=SHA256, response="f""#;
        assert_eq!(
            rename_algorithm(answer, false).as_deref(),
            Some(r#"Digest username="alice", algorithm=SHA-256, response="f""#)
        );
        assert_eq!(
            rename_algorithm(r#"Digest algorithm=MD5, realm="x""#, true),
            None
        );
        assert_eq!(rename_algorithm(r#"Digest realm="x""#, true), None);
        assert_eq!(rename_algorithm("algorithm=", true), None);
    }
}
