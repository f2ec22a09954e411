//! dialog-info (RFC 4235): what a busy lamp shows, and the dialog a pickup replaces.

use super::{parse_xml, PresenceState};

const DIALOG_INFO: &str = "urn:ietf:params:xml:ns:dialog-info";

/// Where one dialog of the watched extension stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Trying,
    Proceeding,
    Early,
    Confirmed,
    Terminated,
}

/// One `<dialog>` of a dialog-info document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub id: String,
    pub phase: Phase,
    /// `recipient`: a call to the watched extension; `initiator`: one it made.
    pub incoming: Option<bool>,
    /// The dialog's identifiers as the watched extension sees them, when the server gives
    /// them (Kamailio's pua_dialoginfo does).
    pub call_id: Option<String>,
    pub local_tag: Option<String>,
    pub remote_tag: Option<String>,
    /// The other party (the caller of a ringing call).
    pub remote_uri: Option<String>,
    pub remote_name: Option<String>,
}

/// A dialog-info document: whose it is, whether it is the full state, its dialogs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogInfo {
    pub entity: String,
    pub version: Option<u64>,
    /// `full`: these are all the dialogs; `partial`: these changed.
    pub full: bool,
    pub dialogs: Vec<Dialog>,
}

impl DialogInfo {
    /// Reads a `dialog` NOTIFY body; none when it is not dialog-info.
    pub fn parse(body: &[u8]) -> Option<DialogInfo> {
        let doc = parse_xml(body)?;
        let root = doc.root_element();
        if !root.has_tag_name((DIALOG_INFO, "dialog-info")) {
            return None;
        }
        let dialogs = root
            .children()
            .filter(|n| n.has_tag_name((DIALOG_INFO, "dialog")))
            .filter_map(read_dialog)
            .collect();
        Some(DialogInfo {
            entity: root.attribute("entity").unwrap_or_default().to_string(),
            version: root
                .attribute("version")
                .and_then(|v| v.trim().parse().ok()),
            full: root.attribute("state") != Some("partial"),
            dialogs,
        })
    }

    /// The lamp: ringing while a call to the extension is early and none is up, busy while any
    /// dialog is up (or the extension is calling out), else available (idle).
    pub fn lamp(&self) -> PresenceState {
        let live = self.dialogs.iter().filter(|d| d.phase != Phase::Terminated);
        let mut state = PresenceState::Available;
        for dialog in live {
            match (dialog.phase, dialog.incoming) {
                (Phase::Confirmed, _) => return PresenceState::Busy,
                (_, Some(true)) => state = PresenceState::Ringing,
                _ if state != PresenceState::Ringing => state = PresenceState::Busy,
                _ => {}
            }
        }
        state
    }

    /// The call ringing at the extension that a pickup would take: the first early incoming
    /// dialog with its Call-ID and both tags.
    pub fn ringing(&self) -> Option<&Dialog> {
        self.dialogs.iter().find(|d| {
            matches!(d.phase, Phase::Trying | Phase::Proceeding | Phase::Early)
                && d.incoming != Some(false)
                && d.call_id.is_some()
                && d.local_tag.is_some()
                && d.remote_tag.is_some()
        })
    }
}

fn read_dialog(node: roxmltree::Node<'_, '_>) -> Option<Dialog> {
    let child = |name: &str| {
        node.children()
            .find(|n| n.has_tag_name((DIALOG_INFO, name)))
    };
    let phase = match child("state")?.text()?.trim().to_ascii_lowercase().as_str() {
        "trying" => Phase::Trying,
        "proceeding" => Phase::Proceeding,
        "early" => Phase::Early,
        "confirmed" => Phase::Confirmed,
        "terminated" => Phase::Terminated,
        _ => return None,
    };
    let attribute = |name: &str| {
        node.attribute(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    let remote = child("remote");
    let identity = remote.and_then(|r| {
        r.children()
            .find(|n| n.has_tag_name((DIALOG_INFO, "identity")))
    });
    let remote_uri = identity
        .and_then(|i| i.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .or_else(|| {
            remote
                .and_then(|r| {
                    r.children()
                        .find(|n| n.has_tag_name((DIALOG_INFO, "target")))
                })
                .and_then(|t| t.attribute("uri"))
                .map(String::from)
        });
    Some(Dialog {
        id: attribute("id").unwrap_or_default(),
        phase,
        incoming: node.attribute("direction").map(|d| d == "recipient"),
        call_id: attribute("call-id"),
        local_tag: attribute("local-tag"),
        remote_tag: attribute("remote-tag"),
        remote_uri,
        remote_name: identity
            .and_then(|i| i.attribute("display"))
            .map(String::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Kamailio's pua_dialoginfo publishes a call ringing at bob (from its tests on
    /// loopback), and then the same call answered.
    const EARLY: &str = r#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:bob@127.0.0.1">
  <dialog id="a84b4c76e66710" call-id="a84b4c76e66710@127.0.0.1" local-tag="bobtag" remote-tag="caroltag" direction="recipient">
    <state>early</state>
    <remote>
      <identity display="Carol">sip:carol@127.0.0.1</identity>
      <target uri="sip:carol@127.0.0.1:5070"/>
    </remote>
    <local><identity>sip:bob@127.0.0.1</identity></local>
  </dialog>
</dialog-info>"#;

    /// presence_dialoginfo's `force_dummy_dialog`: nobody is in a call.
    const DUMMY: &str = r#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:bob@127.0.0.1">
<dialog id="615293b33c62dec073e05d9421e9f48b" direction="recipient"><state>terminated</state></dialog>
</dialog-info>"#;

    #[test]
    fn a_ringing_call_lights_ringing_with_what_a_pickup_needs() {
        let info = DialogInfo::parse(EARLY.as_bytes()).expect("dialog-info");
        assert_eq!(info.entity, "sip:bob@127.0.0.1");
        assert_eq!(info.version, Some(1));
        assert!(info.full);
        assert_eq!(info.lamp(), PresenceState::Ringing);
        let ringing = info.ringing().expect("a call to pick up");
        assert_eq!(ringing.call_id.as_deref(), Some("a84b4c76e66710@127.0.0.1"));
        assert_eq!(ringing.local_tag.as_deref(), Some("bobtag"));
        assert_eq!(ringing.remote_tag.as_deref(), Some("caroltag"));
        assert_eq!(ringing.remote_uri.as_deref(), Some("sip:carol@127.0.0.1"));
        assert_eq!(ringing.remote_name.as_deref(), Some("Carol"));

        let answered = EARLY.replace("<state>early</state>", "<state>confirmed</state>");
        let info = DialogInfo::parse(answered.as_bytes()).expect("dialog-info");
        assert_eq!(info.lamp(), PresenceState::Busy);
        assert!(info.ringing().is_none());
    }

    #[test]
    fn no_dialog_or_only_ended_ones_is_idle() {
        let info = DialogInfo::parse(DUMMY.as_bytes()).expect("dialog-info");
        assert_eq!(info.lamp(), PresenceState::Available);
        let empty = r#"<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:bob@x"/>"#;
        let info = DialogInfo::parse(empty.as_bytes()).expect("dialog-info");
        assert!(info.dialogs.is_empty());
        assert_eq!(info.lamp(), PresenceState::Available);
    }

    #[test]
    fn a_call_out_is_busy_and_an_answered_one_wins_over_a_ringing_one() {
        let out = EARLY.replace("direction=\"recipient\"", "direction=\"initiator\"");
        let info = DialogInfo::parse(out.as_bytes()).expect("dialog-info");
        assert_eq!(info.lamp(), PresenceState::Busy);
        assert!(info.ringing().is_none(), "our own call out is no pickup");
        let both = EARLY.replace(
            "</dialog-info>",
            r#"<dialog id="x"><state>confirmed</state></dialog></dialog-info>"#,
        );
        let info = DialogInfo::parse(both.as_bytes()).expect("dialog-info");
        assert_eq!(info.dialogs.len(), 2);
        assert_eq!(info.lamp(), PresenceState::Busy);
    }

    #[test]
    fn a_ringing_call_without_ids_is_shown_but_not_picked_up_by_replaces() {
        let bare = EARLY
            .replace(" call-id=\"a84b4c76e66710@127.0.0.1\"", "")
            .replace(" local-tag=\"bobtag\"", "");
        let info = DialogInfo::parse(bare.as_bytes()).expect("dialog-info");
        assert_eq!(info.lamp(), PresenceState::Ringing);
        assert!(info.ringing().is_none(), "the pickup code then");
    }

    #[test]
    fn malformed_bodies_read_as_nothing_and_bad_dialogs_are_skipped() {
        for body in [
            "".as_bytes(),
            b"<dialog-info",
            b"<dialog-info xmlns='urn:other'/>",
            b"<presence xmlns='urn:ietf:params:xml:ns:pidf'/>",
        ] {
            assert_eq!(
                DialogInfo::parse(body),
                None,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        let odd = EARLY.replace("<state>early</state>", "<state>dancing</state>");
        let info = DialogInfo::parse(odd.as_bytes()).expect("the document reads");
        assert!(
            info.dialogs.is_empty(),
            "a dialog in no known state is skipped"
        );
        let no_state = EARLY.replace("<state>early</state>", "");
        let info = DialogInfo::parse(no_state.as_bytes()).expect("the document reads");
        assert!(info.dialogs.is_empty());
        let partial = EARLY
            .replace("state=\"full\"", "state=\"partial\"")
            .replace("version=\"1\"", "version=\"x\"");
        let info = DialogInfo::parse(partial.as_bytes()).expect("dialog-info");
        assert!(!info.full);
        assert_eq!(info.version, None);
    }
}
