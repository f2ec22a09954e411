//! Directed call pickup from a busy lamp: the INVITE goes to the caller of the call ringing at
//! the watched extension, with `Replaces` (RFC 3891) naming the caller's early dialog, so the
//! caller's phone swaps the ringing extension for us.

use crate::ua::presence::dialog_info::Dialog;

/// What a pickup dials: the caller, and the Replaces header value for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pickup {
    pub caller: String,
    pub replaces: String,
}

/// The pickup of `dialog` (as the watched extension's lamp reported it: its local tag is the
/// extension's, its remote tag the caller's). The caller receives the Replaces and matches
/// it against its own view of the dialog (RFC 3891 3): `to-tag` is the recipient's local
/// tag (the caller's), `from-tag` its remote one (the extension's). `early-only`: never a
/// call that was answered meanwhile. None without a Call-ID, both tags and the caller.
pub fn of(dialog: &Dialog) -> Option<Pickup> {
    let call_id = token(dialog.call_id.as_deref()?)?;
    let extension_tag = token(dialog.local_tag.as_deref()?)?;
    let caller_tag = token(dialog.remote_tag.as_deref()?)?;
    let caller = dialog.remote_uri.as_deref()?.trim();
    if caller.is_empty() {
        return None;
    }
    Some(Pickup {
        caller: caller.to_string(),
        replaces: format!("{call_id};to-tag={caller_tag};from-tag={extension_tag};early-only"),
    })
}

/// A Call-ID or tag fit for a header: no separators, no whitespace, not empty.
fn token(value: &str) -> Option<&str> {
    let value = value.trim();
    let fit = !value.is_empty()
        && value.len() <= 256
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',' | '<' | '>' | '"'));
    fit.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ua::presence::dialog_info::{DialogInfo, Phase};

    fn early(call_id: &str, local: &str, remote: &str) -> Dialog {
        Dialog {
            id: "d1".into(),
            phase: Phase::Early,
            incoming: Some(true),
            call_id: Some(call_id.into()),
            local_tag: Some(local.into()),
            remote_tag: Some(remote.into()),
            remote_uri: Some("sip:carol@127.0.0.1".into()),
            remote_name: None,
        }
    }

    #[test]
    fn the_callers_tag_is_the_to_tag() {
        let pickup = of(&early("abc@host", "bobtag", "caroltag")).unwrap();
        assert_eq!(pickup.caller, "sip:carol@127.0.0.1");
        assert_eq!(
            pickup.replaces,
            "abc@host;to-tag=caroltag;from-tag=bobtag;early-only"
        );
    }

    #[test]
    fn from_a_pua_dialoginfo_notify() {
        // As Kamailio's pua_dialoginfo NOTIFYs a call ringing at bob (recipient).
        let body = br#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:bob@127.0.0.1">
  <dialog id="x1" call-id="c-1@10.0.0.1" local-tag="bt" remote-tag="ct" direction="recipient">
    <state>early</state>
    <remote><identity>sip:carol@127.0.0.1</identity><target uri="sip:carol@127.0.0.1"/></remote>
    <local><identity>sip:bob@127.0.0.1</identity><target uri="sip:bob@127.0.0.1"/></local>
  </dialog>
</dialog-info>"#;
        let info = DialogInfo::parse(body).unwrap();
        let pickup = of(info.ringing().unwrap()).unwrap();
        assert_eq!(pickup.caller, "sip:carol@127.0.0.1");
        assert_eq!(
            pickup.replaces,
            "c-1@10.0.0.1;to-tag=ct;from-tag=bt;early-only"
        );
    }

    #[test]
    fn nothing_without_tags_or_with_unsafe_values() {
        let mut dialog = early("abc", "b", "c");
        dialog.remote_tag = None;
        assert_eq!(of(&dialog), None);
        assert_eq!(of(&early("abc\r\nX: y", "b", "c")), None);
        assert_eq!(of(&early("abc", "b;x=1", "c")), None);
        assert_eq!(of(&early("", "b", "c")), None);
        let mut dialog = early("abc", "b", "c");
        dialog.remote_uri = None;
        assert_eq!(of(&dialog), None);
    }
}
