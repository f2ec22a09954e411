//! Turning what a person or a config file wrote into SIP URIs.

use rsipstack::sip::{Scheme, Uri};

/// Longest dial string accepted: a SIP URI with parameters fits; a pasted page does not.
const MAX_DIAL_LEN: usize = 1024;

/// Why a registrar or proxy address was refused. The parser's own words are kept as text, so
/// no SIP-stack type leaves the user agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerUriError {
    #[error("empty address")]
    Empty,
    #[error("{text:?} is not a SIP address: {reason}")]
    NotSip { text: String, reason: String },
    #[error("{text:?}: scheme {scheme:?} is not sip or sips")]
    Scheme { text: String, scheme: String },
}

/// Why a dial string cannot be called.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialError {
    #[error("nothing to dial")]
    Empty,
    #[error("dial string longer than {MAX_DIAL_LEN} characters")]
    TooLong,
    /// A `sip:`/`sips:` URI the parser refused.
    #[error("{to:?} is not a SIP address: {reason}")]
    BadSipUri { to: String, reason: String },
    /// Neither a number nor a user: empty, or with spaces, quotes or angle brackets.
    #[error("{to:?} is not a number or SIP address")]
    NotDialable { to: String },
    /// A user and host that make no SIP URI.
    #[error("{to:?} is not a number or SIP address: {reason}")]
    BadTarget { to: String, reason: String },
}

/// Parses a registrar or proxy address: `sip:host[:port][;params]`, `sips:...`, or a bare
/// `host[:port]`.
pub fn parse_server_uri(text: &str) -> Result<Uri, ServerUriError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServerUriError::Empty);
    }
    let with_scheme = if has_scheme(text) {
        text.to_string()
    } else {
        format!("sip:{text}")
    };
    let uri = Uri::try_from(with_scheme.as_str()).map_err(|e| ServerUriError::NotSip {
        text: text.to_string(),
        reason: e.to_string(),
    })?;
    match uri.scheme {
        Some(Scheme::Sip) | Some(Scheme::Sips) | None => Ok(uri),
        Some(Scheme::Other(ref s)) => Err(ServerUriError::Scheme {
            text: text.to_string(),
            scheme: s.clone(),
        }),
    }
}

/// `host:port` has no scheme; `sip:host`, `sips:host:port` and `http://x` do.
fn has_scheme(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphabetic())
            && !rest.chars().all(|c| c.is_ascii_digit())
    })
}

/// Normalises a phone number as typed or pasted: `+34 912-345 (678)` becomes `+34912345678`.
/// Returns `None` when the text is not a phone number.
pub fn normalise_number(text: &str) -> Option<String> {
    let text = text.trim();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '0'..='9' | '*' | '#' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
            _ => return None,
        }
    }
    let digits = out.chars().filter(|c| c.is_ascii_digit()).count();
    (digits > 0).then_some(out)
}

/// What [`dial_target`] needs of a line's settings: calls and transfer targets are read the
/// same way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialPlan {
    pub domain: String,
    pub international_prefix: Option<String>,
}

impl DialPlan {
    /// The URI `to` dials, as text.
    pub fn target(&self, to: &str) -> Result<String, DialError> {
        dial_target(to, &self.domain, self.international_prefix.as_deref()).map(|u| u.to_string())
    }
}

/// Builds the request URI for a dial string: a SIP URI as given, `tel:`/`callto:` links, a
/// number, `user` or `user@host`. Bare users and numbers go to `domain`; a leading `+` of a
/// number becomes `international_prefix` when the line has one (`00`, `011`, or empty to drop it).
pub fn dial_target(
    to: &str,
    domain: &str,
    international_prefix: Option<&str>,
) -> Result<Uri, DialError> {
    let to = to.trim();
    if to.is_empty() {
        return Err(DialError::Empty);
    }
    if to.len() > MAX_DIAL_LEN {
        return Err(DialError::TooLong);
    }
    let lower = to.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        return Uri::try_from(to).map_err(|e| DialError::BadSipUri {
            to: to.to_string(),
            reason: e.to_string(),
        });
    }
    let rest = ["tel:", "callto:"]
        .iter()
        .find_map(|p| {
            lower
                .starts_with(p)
                .then(|| to[p.len()..].trim_start_matches('/'))
        })
        .unwrap_or(to);
    let rest = rest.split(';').next().unwrap_or(rest);
    if lower.starts_with("callto:") && (rest.contains('@') || rest.starts_with("sip")) {
        return dial_target(rest, domain, international_prefix);
    }
    let (user, host) = match rest.split_once('@') {
        Some((user, host)) => (user, host),
        None => (rest, domain),
    };
    let user = match normalise_number(user) {
        Some(number) => match (number.strip_prefix('+'), international_prefix) {
            (Some(national), Some(prefix)) => format!("{prefix}{national}"),
            _ => number,
        },
        None => user.trim().to_string(),
    };
    if user.is_empty()
        || user
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '"')
    {
        return Err(DialError::NotDialable { to: to.to_string() });
    }
    let text = format!("sip:{user}@{}", host.trim());
    Uri::try_from(text.as_str()).map_err(|e| DialError::BadTarget {
        to: to.to_string(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dial(to: &str) -> String {
        dial_target(to, "example.com", None)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn dial_strings_become_uris() {
        assert_eq!(dial("sip:bob@127.0.0.1"), "sip:bob@127.0.0.1");
        assert_eq!(
            dial("sip:bob@127.0.0.1:5070;transport=tcp"),
            "sip:bob@127.0.0.1:5070;transport=TCP"
        );
        assert_eq!(dial("bob"), "sip:bob@example.com");
        assert_eq!(dial("bob@other.org"), "sip:bob@other.org");
        assert_eq!(dial("tel:+34 912 345 678"), "sip:+34912345678@example.com");
        assert_eq!(
            dial("tel:+1-555-1234;phone-context=x"),
            "sip:+15551234@example.com"
        );
        assert_eq!(dial("callto://+15551234"), "sip:+15551234@example.com");
        assert_eq!(dial("callto:sip:bob@h.org"), "sip:bob@h.org");
        assert_eq!(dial(" (020) 123-45.67 "), "sip:0201234567@example.com");
        assert_eq!(dial(""), "ERR nothing to dial");
        assert_eq!(
            dial("two words"),
            "ERR \"two words\" is not a number or SIP address"
        );
        assert!(matches!(
            dial_target(&"9".repeat(5000), "example.com", None),
            Err(DialError::TooLong)
        ));
        assert!(dial("sip:").starts_with("ERR"));
    }

    #[test]
    fn numbers_are_normalised_or_refused() {
        assert_eq!(
            normalise_number("+31 6 1234-5678").as_deref(),
            Some("+31612345678")
        );
        assert_eq!(normalise_number("*97#").as_deref(), Some("*97#"));
        assert_eq!(normalise_number("bob"), None);
        assert_eq!(normalise_number("1+2"), None);
        assert_eq!(normalise_number("()"), None);
    }

    #[test]
    fn server_addresses_parse() {
        assert_eq!(
            parse_server_uri("sip:127.0.0.1:5060").map(|u| u.to_string()),
            Ok("sip:127.0.0.1:5060".into())
        );
        assert_eq!(
            parse_server_uri("pbx.example.com").map(|u| u.to_string()),
            Ok("sip:pbx.example.com".into())
        );
        assert_eq!(
            parse_server_uri("10.0.0.1:5080").map(|u| u.to_string()),
            Ok("sip:10.0.0.1:5080".into())
        );
        assert!(parse_server_uri("sips:pbx.example.com").is_ok());
        assert!(matches!(
            parse_server_uri("http://x"),
            Err(ServerUriError::Scheme { .. })
        ));
        assert_eq!(parse_server_uri(" "), Err(ServerUriError::Empty));
    }

    #[test]
    fn the_line_says_what_a_plus_becomes() {
        let dial = |to: &str, prefix: &str| {
            dial_target(to, "pbx.example.com", Some(prefix))
                .expect("valid")
                .to_string()
        };
        assert_eq!(dial("+15551234", ""), "sip:15551234@pbx.example.com");
        assert_eq!(
            dial("tel:+31 20 123", "00"),
            "sip:003120123@pbx.example.com"
        );
        assert_eq!(dial("0612345678", "00"), "sip:0612345678@pbx.example.com");
        assert_eq!(dial("sip:+1555@x.org", ""), "sip:+1555@x.org");
    }
}
