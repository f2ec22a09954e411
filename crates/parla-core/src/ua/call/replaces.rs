//! Naming a dialog across calls (RFC 3891 Replaces, RFC 5589 attended transfer): what a
//! call's dialog is ([`DialogInfo`]), the Refer-To that asks a far end to take our place in
//! it, and reading the `Replaces` header of an INVITE that takes our place in one of ours.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// A dialog as we see it: its Call-ID, our tag, the far end's tag, and the far end's
/// address of record (the To of a call we placed, the From of one we took).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogInfo {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
    pub remote_uri: String,
}

/// What a URI header value may not hold as is (RFC 3261 25.1 `hvalue`): `;`, `=`, `@`, `?`,
/// `&`, `%`, `<`, `>`, space and the controls.
const HVALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'%')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b'?')
    .add(b'&')
    .add(b'<')
    .add(b'>')
    .add(b'#');

impl DialogInfo {
    /// The Refer-To URI that asks the far end of another call to call this dialog's far end
    /// and replace our side of this dialog. The tags are as that
    /// far end sees them: its own (our remote tag) is the `to-tag`, ours the `from-tag`
    /// (RFC 3891 3: the to-tag matches the receiver's local tag).
    pub fn refer_target_replacing(&self) -> String {
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            self.call_id, self.remote_tag, self.local_tag
        );
        let uri = self
            .remote_uri
            .split_once('?')
            .map_or(self.remote_uri.as_str(), |(uri, _)| uri);
        format!("{uri}?Replaces={}", utf8_percent_encode(&replaces, HVALUE))
    }

    /// Whether a Replaces header names this dialog (RFC 3891 3: Call-ID, to-tag = our tag,
    /// from-tag = the far end's).
    pub fn is_named_by(&self, replaces: &Replaces) -> bool {
        self.call_id == replaces.call_id
            && self.local_tag == replaces.to_tag
            && self.remote_tag == replaces.from_tag
    }
}

/// A `Replaces` header (RFC 3891): which dialog an INVITE takes the place of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaces {
    pub call_id: String,
    pub to_tag: String,
    pub from_tag: String,
    /// Only an early dialog may be replaced.
    pub early_only: bool,
}

/// Reads a `Replaces` value: `call-id;to-tag=x;from-tag=y[;early-only]`. `None` when the
/// Call-ID or either tag is missing.
pub fn parse_replaces(value: &str) -> Option<Replaces> {
    let mut parts = value.split(';').map(str::trim);
    let call_id = parts.next().filter(|c| !c.is_empty())?.to_string();
    let (mut to_tag, mut from_tag, mut early_only) = (None, None, false);
    for part in parts {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let value = value.trim().trim_matches('"').to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "to-tag" => to_tag = Some(value),
            "from-tag" => from_tag = Some(value),
            "early-only" => early_only = true,
            _ => {}
        }
    }
    Some(Replaces {
        call_id,
        to_tag: to_tag.filter(|t| !t.is_empty())?,
        from_tag: from_tag.filter(|t| !t.is_empty())?,
        early_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> DialogInfo {
        DialogInfo {
            call_id: "a84b4c76e66710@pc33".into(),
            local_tag: "ours".into(),
            remote_tag: "theirs".into(),
            remote_uri: "sip:carol@example.com".into(),
        }
    }

    #[test]
    fn the_refer_to_names_the_dialog_as_its_far_end_sees_it() {
        assert_eq!(
            info().refer_target_replacing(),
            "sip:carol@example.com?Replaces=a84b4c76e66710%40pc33%3Bto-tag%3Dtheirs%3Bfrom-tag%3Dours"
        );
        let with_headers = DialogInfo {
            remote_uri: "sip:carol@example.com;transport=tcp?Subject=x".into(),
            ..info()
        };
        assert!(with_headers
            .refer_target_replacing()
            .starts_with("sip:carol@example.com;transport=tcp?Replaces="));
    }

    #[test]
    fn a_replaces_from_our_refer_to_names_the_far_ends_dialog() {
        // What rsipstack's parse_refer_to gives the transferee, fed back as the target's
        // INVITE would carry it: the far end (whose local tag is ours' remote) matches.
        let refer_to = format!("<{}>", info().refer_target_replacing());
        let target = rsipstack::sip::event_packages::parse_refer_to(&refer_to);
        let replaces = parse_replaces(&target.replaces.expect("replaces")).expect("parses");
        let far_end = DialogInfo {
            call_id: info().call_id,
            local_tag: "theirs".into(),
            remote_tag: "ours".into(),
            remote_uri: "sip:alice@example.com".into(),
        };
        assert!(far_end.is_named_by(&replaces));
        assert!(!info().is_named_by(&replaces), "tags the wrong way round");
    }

    #[test]
    fn replaces_values_are_read_and_broken_ones_refused() {
        assert_eq!(
            parse_replaces("98732@sip.example.com;from-tag=r33th4x0r ;to-tag=ff87ff;early-only"),
            Some(Replaces {
                call_id: "98732@sip.example.com".into(),
                to_tag: "ff87ff".into(),
                from_tag: "r33th4x0r".into(),
                early_only: true,
            })
        );
        assert_eq!(parse_replaces("abc;to-tag=1"), None);
        assert_eq!(parse_replaces(";to-tag=1;from-tag=2"), None);
        assert_eq!(parse_replaces("abc;to-tag=;from-tag=2"), None);
        assert_eq!(parse_replaces(""), None);
    }
}
