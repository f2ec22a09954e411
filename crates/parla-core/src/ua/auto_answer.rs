//! Who is answered without a click (`[app] auto_answer`, `auto_answer_only`, `intercom`), and
//! whether an INVITE asks to be answered at once (intercom / paging headers).

use crate::config::AppConfig;
use crate::store::Region;
use std::time::Duration;

/// The longest `answer-after=N` honoured: a caller cannot make a call ring for minutes and
/// then open the microphone unasked.
pub const MAX_ANSWER_AFTER: Duration = Duration::from_secs(10);
/// Most `auto_answer_only` entries kept.
pub const MAX_ALLOWED: usize = crate::config::MAX_LIST_ENTRIES;

/// The engine's auto-answer settings (from the config at start, then `set_auto_answer`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutoAnswer {
    pub enabled: bool,
    /// Callers answered by themselves (numbers, extensions, SIP addresses); empty: anyone.
    pub only: Vec<String>,
    pub intercom: bool,
}

impl AutoAnswer {
    pub fn from_app(app: &AppConfig) -> Self {
        Self::new(app.auto_answer, app.auto_answer_only.clone(), app.intercom)
    }

    pub fn new(enabled: bool, only: Vec<String>, intercom: bool) -> Self {
        let mut only: Vec<String> = only
            .into_iter()
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        only.truncate(MAX_ALLOWED);
        Self {
            enabled,
            only,
            intercom,
        }
    }

    /// After how long a new call from `from` is answered by itself, if at all. `asked`: the
    /// INVITE asks to be answered after that long (intercom); `alone`: no other call is
    /// under way.
    pub fn answer_after(
        &self,
        from: &str,
        region: Region,
        asked: Option<Duration>,
        alone: bool,
    ) -> Option<Duration> {
        if !alone || !(self.enabled || (self.intercom && asked.is_some())) {
            return None;
        }
        if !self.only.is_empty() && !self.only.iter().any(|e| same_caller(e, from, region)) {
            return None;
        }
        match asked {
            Some(after) if self.intercom => Some(after.min(MAX_ANSWER_AFTER)),
            _ => Some(Duration::ZERO),
        }
    }
}

/// Whether the INVITE's headers ask to be answered at once, and after how long:
/// `Call-Info: <...>;answer-after=N` (RFC 5373 style, as Polycom, Yealink and Snom send it),
/// `Alert-Info: <...>;info=alert-autoanswer` (Cisco/Broadsoft), `info=intercom` or an
/// `Auto Answer` value.
pub fn asked_answer_after<'a>(
    call_info: impl IntoIterator<Item = &'a str>,
    alert_info: impl IntoIterator<Item = &'a str>,
) -> Option<Duration> {
    for value in call_info {
        for param in value.split([';', ',']).map(str::trim) {
            if let Some((name, n)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("answer-after") {
                    if let Ok(s) = n.trim().trim_matches('"').parse::<u64>() {
                        return Some(Duration::from_secs(s));
                    }
                }
            }
        }
    }
    for value in alert_info {
        let lower = value.to_ascii_lowercase();
        let asks = lower.split([';', ',']).map(str::trim).any(|p| {
            matches!(
                p.replace(' ', "").as_str(),
                "info=alert-autoanswer" | "info=intercom" | "info=autoanswer"
            )
        }) || lower.contains("auto answer")
            || lower.contains("auto-answer");
        if asks {
            return Some(Duration::ZERO);
        }
    }
    None
}

/// Whether `entry` (a number, extension or SIP address from the settings) names the caller
/// `from` (the From URI): as numbers in the line's region (`0612345678` is `+31612345678` in
/// NL), else the same digits, else the same SIP address or user.
pub fn same_caller(entry: &str, from: &str, region: Region) -> bool {
    let entry = entry.trim();
    let caller_user = uri_user(from);
    let entry_user = uri_user(entry);
    if entry.contains('@') {
        return uri_address(entry).eq_ignore_ascii_case(uri_address(from));
    }
    if let (Some(a), Some(b)) = (
        crate::store::normalise_number(entry_user, region),
        crate::store::normalise_number(caller_user, region),
    ) {
        return a == b;
    }
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let is_number = |s: &str| s.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c));
    if is_number(entry_user) && is_number(caller_user) {
        let (a, b) = (digits(entry_user), digits(caller_user));
        return !a.is_empty() && a == b;
    }
    entry_user.eq_ignore_ascii_case(caller_user)
}

/// `sip:ana@example.com;transport=udp` -> `ana@example.com`; anything else as it is.
fn uri_address(raw: &str) -> &str {
    let s = raw.trim().trim_start_matches('<').trim_end_matches('>');
    let s = ["sips:", "sip:", "tel:"]
        .iter()
        .find_map(|p| {
            s.get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|_| &s[p.len()..])
        })
        .unwrap_or(s);
    let s = s.split([';', '?', '>']).next().unwrap_or(s);
    // Without the port: `bob@127.0.0.1:5070` is `bob@127.0.0.1`.
    match s.rsplit_once(':') {
        Some((host, port)) if s.contains('@') && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => s,
    }
}

/// The user part of a SIP or tel URI, or the text itself.
fn uri_user(raw: &str) -> &str {
    let address = uri_address(raw);
    match address.split_once('@') {
        Some((user, _)) => user,
        None => address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl() -> Region {
        "NL".parse().expect("NL")
    }

    #[test]
    fn callers_are_matched_like_contacts() {
        assert!(same_caller("0612345678", "sip:+31612345678@pbx", nl()));
        assert!(same_caller("201", "sip:201@127.0.0.1:5060", nl()));
        assert!(!same_caller("202", "sip:201@127.0.0.1", nl()));
        assert!(same_caller(
            "sip:Alice@Example.com",
            "sip:alice@example.com;transport=tcp",
            nl()
        ));
        assert!(same_caller("alice", "sip:alice@example.com", nl()));
        assert!(!same_caller(
            "bob@example.com",
            "sip:alice@example.com",
            nl()
        ));
    }

    #[test]
    fn intercom_headers_in_the_spellings_phones_use() {
        assert_eq!(
            asked_answer_after(["<sip:x>;answer-after=0"], []),
            Some(Duration::ZERO)
        );
        assert_eq!(
            asked_answer_after(["<http://x/y> ; Answer-After=3"], []),
            Some(Duration::from_secs(3))
        );
        for alert in [
            "<http://127.0.0.1>;info=alert-autoanswer",
            "<sip:x>; info=intercom",
            "Auto Answer",
            "<http://www.notused.com>;info=alert-autoanswer;delay=0",
        ] {
            assert_eq!(
                asked_answer_after([], [alert]),
                Some(Duration::ZERO),
                "{alert}"
            );
        }
        assert_eq!(asked_answer_after(["<sip:x>;purpose=icon"], ["<x>"]), None);
    }

    #[test]
    fn who_is_answered_by_itself() {
        let from = "sip:201@pbx";
        let asked = Some(Duration::ZERO);
        let off = AutoAnswer::default();
        assert_eq!(off.answer_after(from, nl(), asked, true), None);
        let all = AutoAnswer::new(true, vec![], false);
        assert_eq!(
            all.answer_after(from, nl(), None, true),
            Some(Duration::ZERO)
        );
        assert_eq!(
            all.answer_after(from, nl(), None, false),
            None,
            "another call"
        );
        let listed = AutoAnswer::new(true, vec![" 202 ".into(), "".into()], false);
        assert_eq!(listed.only, ["202"]);
        assert_eq!(listed.answer_after(from, nl(), None, true), None);
        assert_eq!(
            listed.answer_after("sip:202@pbx", nl(), None, true),
            Some(Duration::ZERO)
        );
        let intercom = AutoAnswer::new(false, vec!["201".into()], true);
        assert_eq!(intercom.answer_after(from, nl(), None, true), None);
        assert_eq!(
            intercom.answer_after(from, nl(), asked, true),
            Some(Duration::ZERO)
        );
        assert_eq!(
            intercom.answer_after(from, nl(), Some(Duration::from_secs(60)), true),
            Some(MAX_ANSWER_AFTER)
        );
        assert_eq!(
            intercom.answer_after("sip:203@pbx", nl(), asked, true),
            None
        );
        assert_eq!(intercom.answer_after(from, nl(), asked, false), None);
    }
}
