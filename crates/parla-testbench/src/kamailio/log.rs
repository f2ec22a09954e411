//! The per-request lines the bench config writes ("PARLA-REQ ...") parsed back.

use std::path::Path;

use crate::error::{IoContext, Result};

/// One request as it arrived at Kamailio (retransmissions included: each arrival is a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub from_user: String,
    pub to_user: String,
    pub ruri: String,
    /// `udp:127.0.0.1:PORT`, `tcp:...`, `tls:...`
    pub source: String,
    pub call_id: String,
}

const MARKER: &str = "PARLA-REQ ";

pub(super) fn read(log: &Path) -> Result<Vec<LoggedRequest>> {
    let bytes = std::fs::read(log).ctx(|| format!("reading {}", log.display()))?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(parse_line)
        .collect())
}

/// Values never contain spaces except the last one (callid), which we take to the line end.
pub(super) fn parse_line(line: &str) -> Option<LoggedRequest> {
    let rest = &line[line.find(MARKER)? + MARKER.len()..];
    let get = |key: &str| -> Option<String> {
        let pat = format!("{key}=");
        let start = rest.find(&pat)? + pat.len();
        let value = &rest[start..];
        let end = if key == "callid" {
            value.len()
        } else {
            value.find(' ').unwrap_or(value.len())
        };
        Some(value[..end].trim().to_string())
    };
    Some(LoggedRequest {
        method: get("method")?,
        from_user: get("from_user")?,
        to_user: get("to_user")?,
        ruri: get("ruri")?,
        source: get("src")?,
        call_id: get("callid")?,
    })
}

/// The caller ID of a new INVITE as it reached Kamailio; absent headers read `<null>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCallerId {
    pub call_id: String,
    pub from: String,
    pub privacy: String,
    pub p_preferred_identity: String,
}

const FROM_MARKER: &str = "PARLA-FROM ";

pub(super) fn read_caller_ids(log: &Path) -> Result<Vec<LoggedCallerId>> {
    let bytes = std::fs::read(log).ctx(|| format!("reading {}", log.display()))?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(parse_caller_id)
        .collect())
}

/// `callid=..|from=..|privacy=..|ppi=..`: values may hold spaces, not `|`.
fn parse_caller_id(line: &str) -> Option<LoggedCallerId> {
    let rest = &line[line.find(FROM_MARKER)? + FROM_MARKER.len()..];
    let mut fields = rest.split('|');
    let mut get = |key: &str| -> Option<String> {
        let field = fields.next()?;
        Some(
            field
                .strip_prefix(key)?
                .strip_prefix('=')?
                .trim()
                .to_string(),
        )
    };
    Some(LoggedCallerId {
        call_id: get("callid")?,
        from: get("from")?,
        privacy: get("privacy")?,
        p_preferred_identity: get("ppi")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_request_line() {
        let line = " 1(13740) NOTICE: {1 53568 REGISTER bd} <script>: PARLA-REQ method=REGISTER \
            from_user=alice to_user=alice ruri=sip:127.0.0.1:15060;transport=udp \
            src=udp:127.0.0.1:25060 callid=bddc7e916d78995e";
        let r = parse_line(line);
        assert_eq!(
            r,
            Some(LoggedRequest {
                method: "REGISTER".into(),
                from_user: "alice".into(),
                to_user: "alice".into(),
                ruri: "sip:127.0.0.1:15060;transport=udp".into(),
                source: "udp:127.0.0.1:25060".into(),
                call_id: "bddc7e916d78995e".into(),
            })
        );
        assert_eq!(parse_line("no marker here"), None);
    }

    #[test]
    fn parses_a_caller_id_line() {
        let line = " 1(1) NOTICE: <script>: PARLA-FROM callid=abc d|from=\"Anonymous\" \
            <sip:anonymous@anonymous.invalid>;tag=x|privacy=id|ppi=<sip:alice@127.0.0.1>";
        assert_eq!(
            parse_caller_id(line),
            Some(LoggedCallerId {
                call_id: "abc d".into(),
                from: "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=x".into(),
                privacy: "id".into(),
                p_preferred_identity: "<sip:alice@127.0.0.1>".into(),
            })
        );
        assert_eq!(parse_caller_id("PARLA-REQ method=INVITE"), None);
    }
}
