//! PIDF (RFC 3863) with RPID activities (RFC 4480): reading a colleague's state, writing ours.

use super::{escape, parse_xml, PresenceState};

const PIDF: &str = "urn:ietf:params:xml:ns:pidf";
const RPID: &str = "urn:ietf:params:xml:ns:pidf:rpid";

/// What we publish about ourselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnState {
    Available,
    Away,
    /// Set by hand, or by being in a call.
    Busy,
    DoNotDisturb,
}

/// A colleague's state from a PIDF body: `closed` is offline; an open one is busy or away
/// when an RPID activity says so (on-the-phone, busy, meeting...; away, vacation...), else
/// available. A body without any `<basic>` (or one that cannot be read) is unknown.
pub fn read_state(body: &[u8]) -> PresenceState {
    let Some(doc) = parse_xml(body) else {
        return PresenceState::Unknown;
    };
    let root = doc.root_element();
    if !root.has_tag_name((PIDF, "presence")) {
        return PresenceState::Unknown;
    }
    let basics: Vec<String> = root
        .descendants()
        .filter(|n| n.has_tag_name((PIDF, "basic")))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    let activities: Vec<&str> = root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(RPID))
        .filter(|n| {
            n.parent()
                .is_some_and(|p| p.has_tag_name((RPID, "activities")))
        })
        .map(|n| n.tag_name().name())
        .collect();
    // Any open tuple: the person can be reached on some device.
    if !basics.iter().any(|b| b == "open") {
        return if basics.iter().any(|b| b == "closed") {
            PresenceState::Offline
        } else {
            PresenceState::Unknown
        };
    }
    let busy = [
        "busy",
        "on-the-phone",
        "meeting",
        "performance",
        "presentation",
    ];
    let away = [
        "away",
        "vacation",
        "holiday",
        "sleeping",
        "appointment",
        "travel",
        "lunch",
        "meal",
        "steering",
    ];
    if activities.iter().any(|a| busy.contains(a)) {
        PresenceState::Busy
    } else if activities.iter().any(|a| away.contains(a)) {
        PresenceState::Away
    } else {
        PresenceState::Available
    }
}

/// The free-text note of a PIDF body, when there is one (at most 200 characters kept).
pub fn read_note(body: &[u8]) -> Option<String> {
    let doc = parse_xml(body)?;
    let note = doc
        .descendants()
        .find(|n| n.has_tag_name((PIDF, "note")))?
        .text()?
        .trim();
    (!note.is_empty()).then(|| note.chars().take(200).collect())
}

/// Our PIDF for PUBLISH (`application/pidf+xml`): `entity` is our AoR (`sip:user@domain`).
/// Do not disturb is published as busy with a note, which every watcher understands.
pub fn write(entity: &str, tuple_id: &str, state: OwnState, note: Option<&str>) -> String {
    let (basic, activity, default_note) = match state {
        OwnState::Available => ("open", None, "Available"),
        OwnState::Away => ("open", Some("away"), "Away"),
        OwnState::Busy => ("open", Some("busy"), "Busy"),
        OwnState::DoNotDisturb => ("open", Some("busy"), "Do not disturb"),
    };
    let note = escape(note.unwrap_or(default_note));
    let activities = activity
        .map(|a| {
            format!(
                "  <dm:person id=\"p-{id}\">\n    <rpid:activities><rpid:{a}/></rpid:activities>\n  </dm:person>\n",
                id = escape(tuple_id)
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <presence xmlns=\"{PIDF}\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" \
         xmlns:rpid=\"{RPID}\" entity=\"{entity}\">\n  \
         <tuple id=\"{id}\">\n    <status><basic>{basic}</basic></status>\n    \
         <contact>{entity}</contact>\n    <note>{note}</note>\n  </tuple>\n{activities}</presence>\n",
        entity = escape(entity),
        id = escape(tuple_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As baresip's presence module publishes (open, no activity).
    const BARESIP_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    entity="sip:bob@example.com">
  <dm:person id="p4159">
    <rpid:activities/>
  </dm:person>
  <tuple id="t4109">
    <status>
      <basic>open</basic>
    </status>
    <contact>sip:bob@example.com</contact>
  </tuple>
</presence>"#;

    /// As many desk phones send it: a person element with an activity, a prefix on PIDF.
    const PHONE_ON_THE_PHONE: &str = r#"<?xml version="1.0"?>
<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"
  xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:201@pbx.example">
 <p:tuple id="a"><p:status><p:basic>open</p:basic></p:status></p:tuple>
 <d:person id="b"><r:activities><r:on-the-phone/></r:activities></d:person>
 <p:note>On the phone</p:note>
</p:presence>"#;

    /// Kamailio's presence_xml when nobody published: a closed tuple.
    const CLOSED: &str = r#"<?xml version='1.0'?><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:carol@example.com'><tuple id='0x1'><status><basic>closed</basic></status></tuple></presence>"#;

    #[test]
    fn real_bodies_read_as_their_state() {
        assert_eq!(
            read_state(BARESIP_OPEN.as_bytes()),
            PresenceState::Available
        );
        assert_eq!(
            read_state(PHONE_ON_THE_PHONE.as_bytes()),
            PresenceState::Busy
        );
        assert_eq!(
            read_note(PHONE_ON_THE_PHONE.as_bytes()).as_deref(),
            Some("On the phone")
        );
        assert_eq!(read_state(CLOSED.as_bytes()), PresenceState::Offline);
        let away = BARESIP_OPEN.replace(
            "<rpid:activities/>",
            "<rpid:activities><rpid:vacation/></rpid:activities>",
        );
        assert_eq!(read_state(away.as_bytes()), PresenceState::Away);
    }

    #[test]
    fn one_open_device_of_several_is_enough() {
        let two = CLOSED.replace(
            "</presence>",
            "<tuple id='b'><status><basic>open</basic></status></tuple></presence>",
        );
        assert_eq!(read_state(two.as_bytes()), PresenceState::Available);
    }

    #[test]
    fn malformed_and_hostile_bodies_are_unknown() {
        let too_big = format!(
            "{}{}",
            BARESIP_OPEN,
            " ".repeat(super::super::MAX_BODY_BYTES)
        );
        let bodies: [&[u8]; 8] = [
            b"",
            b"not xml at all",
            b"<presence xmlns='urn:ietf:params:xml:ns:pidf'><tuple><status><basic>open",
            b"<presence xmlns='urn:other'><tuple><status><basic>open</basic></status></tuple></presence>",
            b"<presence xmlns='urn:ietf:params:xml:ns:pidf'/>",
            br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><presence xmlns="urn:ietf:params:xml:ns:pidf">&lol;</presence>"#,
            &[0xff, 0xfe, 0x00, 0x3c],
            too_big.as_bytes(),
        ];
        for body in bodies {
            assert_eq!(
                read_state(body),
                PresenceState::Unknown,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        let deep = "<a>".repeat(5000);
        assert_eq!(
            read_state(deep.as_bytes()),
            PresenceState::Unknown,
            "node cap"
        );
    }

    #[test]
    fn what_we_publish_reads_back_as_what_we_meant() {
        for (own, seen) in [
            (OwnState::Available, PresenceState::Available),
            (OwnState::Away, PresenceState::Away),
            (OwnState::Busy, PresenceState::Busy),
            (OwnState::DoNotDisturb, PresenceState::Busy),
        ] {
            let body = write("sip:alice@example.com", "t1", own, None);
            assert_eq!(read_state(body.as_bytes()), seen, "{body}");
        }
        let dnd = write("sip:alice@example.com", "t1", OwnState::DoNotDisturb, None);
        assert_eq!(read_note(dnd.as_bytes()).as_deref(), Some("Do not disturb"));
    }

    #[test]
    fn notes_and_entities_are_escaped() {
        let body = write(
            "sip:a&b@example.com",
            "t\"1",
            OwnState::Away,
            Some("<back> at 5 & \"soon\""),
        );
        assert_eq!(
            read_note(body.as_bytes()).as_deref(),
            Some("<back> at 5 & \"soon\"")
        );
        assert_eq!(read_state(body.as_bytes()), PresenceState::Away);
    }
}
