//! What to dial from a launch argument (`tel:`, `sip:`, `sips:`, `callto:` links, or a number or
//! address typed or pasted), and the dialer's clean-up of pasted numbers.

use percent_encoding::percent_decode_str;

/// Longest link or address accepted, before and after %-decoding.
pub const MAX_TARGET_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("nothing to call: the link is empty")]
    Empty,
    #[error("the link is {len} characters long; at most {MAX_TARGET_CHARS} are accepted")]
    TooLong { len: usize },
    #[error("{scheme}: links are not calls; Parla takes tel:, sip:, sips: and callto: links")]
    UnsupportedScheme { scheme: String },
    #[error("{0:?} has no number to call")]
    NoNumber(String),
    #[error("{0:?} has no address to call")]
    NoAddress(String),
    #[error("{ch:?} cannot be part of a phone number ({input:?})")]
    NotANumber { ch: char, input: String },
    #[error("{ch:?} cannot be part of a SIP address ({input:?})")]
    NotAnAddress { ch: char, input: String },
    #[error("the link has a %-escape that is not UTF-8 text")]
    BadEscape,
}

/// The engine's dial string for a launch argument: `tel:`/`callto:` numbers and typed numbers
/// become `+34912345678`-style digits, `sip:`/`sips:` links stay URIs, `user@host` stays as is.
pub fn dial_target(arg: &str) -> Result<String, LinkError> {
    let arg = arg.trim();
    check_length(arg)?;
    if arg.is_empty() {
        return Err(LinkError::Empty);
    }
    let Some((scheme, rest)) = split_scheme(arg) else {
        return bare_target(arg);
    };
    match scheme.to_ascii_lowercase().as_str() {
        "tel" => {
            let body = decode(rest.trim_start_matches('/'))?;
            number(strip_params(&body), arg)
        }
        "callto" => {
            let body = decode(rest.trim_start_matches('/'))?;
            let body = strip_params(&body);
            if looks_like_number(body) {
                number(body, arg)
            } else {
                address(body, arg)
            }
        }
        scheme @ ("sip" | "sips") => {
            let body = decode(rest)?;
            // URI headers (`?Subject=...`) are dropped: a link on a web page must not be able
            // to add headers to our INVITE.
            let body = body.split('?').next().unwrap_or_default();
            let user_host = body.split(';').next().unwrap_or_default();
            if user_host.is_empty() || user_host.ends_with('@') {
                return Err(LinkError::NoAddress(arg.to_string()));
            }
            address(&format!("{scheme}:{body}"), arg)
        }
        other => Err(LinkError::UnsupportedScheme {
            scheme: other.to_string(),
        }),
    }
}

/// The dialer's clean-up of a typed or pasted number: spaces, dashes, brackets and dots go, a
/// `+` is kept only at the start, and a `(0)` after a country code is dropped. Anything that is
/// not a number (`sip:bob@example.com`, `bob@host`, a user name) comes back trimmed, unchanged.
#[cfg_attr(not(feature = "gui"), allow(dead_code))] // the dialer's paste
pub fn normalise_typed_number(s: &str) -> String {
    let s = s.trim();
    if s.contains('@') || split_scheme(s).is_some() || !looks_like_number(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in without_trunk_zero(s).chars() {
        match c {
            '+' if out.is_empty() => out.push(c),
            '0'..='9' | '*' | '#' => out.push(c),
            _ => {}
        }
    }
    out
}

fn check_length(s: &str) -> Result<(), LinkError> {
    let len = s.chars().count();
    if len > MAX_TARGET_CHARS {
        return Err(LinkError::TooLong { len });
    }
    Ok(())
}

/// `scheme:rest` when the text before the first `:` is a URI scheme (RFC 3986: a letter, then
/// letters, digits, `+`, `-`, `.`). `bob@host:5060` has no scheme.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

fn decode(s: &str) -> Result<String, LinkError> {
    let decoded = percent_decode_str(s)
        .decode_utf8()
        .map_err(|_| LinkError::BadEscape)?;
    check_length(&decoded)?;
    Ok(decoded.into_owned())
}

/// The part before URI parameters (`;phone-context=...`) or a query.
fn strip_params(s: &str) -> &str {
    s.split([';', '?']).next().unwrap_or_default()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '/')
}

fn looks_like_number(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '*' | '#') || is_separator(c))
}

/// `+44 (0)20 7946 0000` is written for people who may dial nationally; with the country code
/// the `0` must not be dialled.
fn without_trunk_zero(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with('+') && s.contains("(0)") {
        s.replacen("(0)", "", 1).into()
    } else {
        s.into()
    }
}

/// Digits, `*` and `#`, with a leading `+`; separators dropped; anything else refused.
fn number(body: &str, link: &str) -> Result<String, LinkError> {
    let body = without_trunk_zero(body.trim());
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '+' if out.is_empty() => out.push(c),
            '0'..='9' | '*' | '#' => out.push(c),
            c if is_separator(c) => {}
            ch => {
                return Err(LinkError::NotANumber {
                    ch,
                    input: link.to_string(),
                })
            }
        }
    }
    if !out.chars().any(|c| c.is_ascii_digit()) {
        return Err(LinkError::NoNumber(link.to_string()));
    }
    Ok(out)
}

/// A SIP URI, `user@host` or a user name: no spaces, control characters or characters that
/// cannot appear in a URI.
fn address(body: &str, link: &str) -> Result<String, LinkError> {
    if body.is_empty() {
        return Err(LinkError::NoAddress(link.to_string()));
    }
    if let Some(ch) = body
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
    {
        return Err(LinkError::NotAnAddress {
            ch,
            input: link.to_string(),
        });
    }
    Ok(body.to_string())
}

/// A launch argument with no scheme: a number typed with separators, or `user@host` / a user.
fn bare_target(arg: &str) -> Result<String, LinkError> {
    if looks_like_number(arg) {
        number(arg, arg)
    } else {
        address(arg, arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(arg: &str) -> String {
        dial_target(arg).unwrap_or_else(|e| panic!("{arg:?}: {e}"))
    }

    #[test]
    fn tel_links_become_plain_numbers() {
        assert_eq!(ok("tel:+34 912 345 678"), "+34912345678");
        assert_eq!(ok("tel:+34%20912-345-678"), "+34912345678");
        assert_eq!(ok("tel:+1(555)1234;phone-context=example.com"), "+15551234");
        assert_eq!(ok("TEL:+1.555.123.4567"), "+15551234567");
        assert_eq!(ok("tel://+15551234"), "+15551234");
        assert_eq!(ok("tel:*21#"), "*21#");
        assert_eq!(ok("tel:+44 (0)20 7946 0000"), "+442079460000");
        assert_eq!(ok("  tel:0800 123\u{a0}456  "), "0800123456");
    }

    #[test]
    fn callto_links_take_numbers_and_names() {
        assert_eq!(ok("callto:+1555 0100"), "+15550100");
        assert_eq!(ok("callto://+1-555-0100"), "+15550100");
        assert_eq!(ok("callto://bob"), "bob");
        assert_eq!(ok("callto:bob@example.com"), "bob@example.com");
    }

    #[test]
    fn sip_links_stay_uris_decoded_without_headers() {
        assert_eq!(ok("sip:bob@example.com"), "sip:bob@example.com");
        assert_eq!(ok("SIPS:bob@example.com:5061"), "sips:bob@example.com:5061");
        assert_eq!(ok("sip:b%6Fb@example.com"), "sip:bob@example.com");
        assert_eq!(
            ok("sip:bob@example.com;transport=tcp?Subject=hi"),
            "sip:bob@example.com;transport=tcp"
        );
    }

    #[test]
    fn bare_numbers_and_addresses() {
        assert_eq!(ok("+34 912 345 678"), "+34912345678");
        assert_eq!(ok("(555) 123-4567"), "5551234567");
        assert_eq!(ok("bob@example.com"), "bob@example.com");
        assert_eq!(ok("bob@example.com:5080"), "bob@example.com:5080");
    }

    #[test]
    fn garbage_gets_a_clear_error() {
        assert_eq!(dial_target("   "), Err(LinkError::Empty));
        let err = dial_target("javascript:alert(1)").expect_err("javascript");
        assert_eq!(
            err,
            LinkError::UnsupportedScheme {
                scheme: "javascript".into()
            }
        );
        assert!(err.to_string().contains("tel:"), "{err}");
        assert!(matches!(dial_target("tel:"), Err(LinkError::NoNumber(_))));
        assert!(matches!(
            dial_target("tel:+-()"),
            Err(LinkError::NoNumber(_))
        ));
        assert!(matches!(
            dial_target("tel:1-800-FLOWERS"),
            Err(LinkError::NotANumber { ch: 'F', .. })
        ));
        assert!(matches!(
            dial_target("tel:+1+2"),
            Err(LinkError::NotANumber { ch: '+', .. })
        ));
        assert!(matches!(dial_target("sip:"), Err(LinkError::NoAddress(_))));
        assert!(matches!(
            dial_target("sip:bob@"),
            Err(LinkError::NoAddress(_))
        ));
        assert!(matches!(
            dial_target("sip:bob%20smith@example.com"),
            Err(LinkError::NotAnAddress { ch: ' ', .. })
        ));
        assert!(matches!(
            dial_target("sip:bob%0d%0aVia:x@example.com"),
            Err(LinkError::NotAnAddress { .. })
        ));
        assert_eq!(dial_target("tel:%ff"), Err(LinkError::BadEscape));
        let long = format!("tel:{}", "1".repeat(MAX_TARGET_CHARS));
        assert!(matches!(
            dial_target(&long),
            Err(LinkError::TooLong { len }) if len == MAX_TARGET_CHARS + 4
        ));
        assert!(matches!(
            dial_target("bob smith"),
            Err(LinkError::NotAnAddress { ch: ' ', .. })
        ));
    }

    #[test]
    fn typed_numbers_are_tidied_and_addresses_left_alone() {
        assert_eq!(
            normalise_typed_number(" +34 (912) 345-678 "),
            "+34912345678"
        );
        assert_eq!(normalise_typed_number("555.123.4567"), "5551234567");
        assert_eq!(normalise_typed_number("00 34 912+345"), "0034912345");
        assert_eq!(
            normalise_typed_number("+44 (0)20 7946 0000"),
            "+442079460000"
        );
        assert_eq!(normalise_typed_number("*21#"), "*21#");
        assert_eq!(
            normalise_typed_number("  sip:bob@example.com "),
            "sip:bob@example.com"
        );
        assert_eq!(normalise_typed_number("bob@example.com"), "bob@example.com");
        assert_eq!(normalise_typed_number(" bob "), "bob");
        assert_eq!(normalise_typed_number(""), "");
    }
}
