//! Tests of vCard import and export, on real SQLite files in temporary folders.

use super::super::contacts::Source;
use super::*;

fn nl() -> Region {
    "NL".parse().unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    (dir, store)
}

fn lines(report: &ImportReport) -> Vec<String> {
    report.rows.iter().map(ToString::to_string).collect()
}

fn accepted_fields(store: &Store, report: &ImportReport, i: usize) -> ContactFields {
    let RowOutcome::Accepted(id) = report.rows[i].outcome else {
        panic!("{report:?}")
    };
    store.contact(id).unwrap().unwrap().fields
}

/// vCard 3.0 with folding, escapes, TYPE lists, a group prefix and CRLF endings.
const V3: &str = "BEGIN:VCARD\r\n\
VERSION:3.0\r\n\
N:van der Berg;Zoë;;;\r\n\
FN:Zoë van der Berg\r\n\
ORG:Acme\\, B.V.;Sales\r\n\
TEL;TYPE=WORK,VOICE:+31 20 123 4567\r\n\
TEL;TYPE=CELL:06-12345678\r\n\
item1.TEL:201\r\n\
TEL;TYPE=HOME:0301112233\r\n\
EMAIL;TYPE=INTERNET:zoe@acme.nl\r\n\
ADR;TYPE=WORK:;;Keizersgracht 1;Amsterdam;Noord-Holland;1015 AA;Nether\r\n lands\r\n\
NOTE:Line one\\nline two\\, with \\;semicolons\r\n\
PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n\
END:VCARD\r\n";

/// vCard 4.0 with a tel: URI and TYPE in quotes.
const V4: &str = "BEGIN:VCARD
VERSION:4.0
FN:Piet Bos
N:Bos;Piet;;;
TEL;VALUE=uri;TYPE=\"work,voice\":tel:+31-10-123-4567
TEL;VALUE=uri;TYPE=cell:tel:+31612345670
EMAIL:piet@bos.nl
END:VCARD
";

/// vCard 2.1 with bare types and QUOTED-PRINTABLE.
const V21: &str = "BEGIN:VCARD
VERSION:2.1
N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen
FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BCller
TEL;CELL;VOICE:+49 151 12345678
END:VCARD
";

#[test]
fn versions_2_1_3_and_4_with_every_field() {
    let (_dir, mut store) = open();
    let text = format!("{V3}{V4}{V21}");
    let report = store.import_vcard_bytes(text.as_bytes(), nl()).unwrap();
    assert_eq!(
        lines(&report),
        ["card 1: imported", "card 2: imported", "card 3: imported"]
    );

    let zoe = accepted_fields(&store, &report, 0);
    assert_eq!(
        (zoe.first_name.as_str(), zoe.last_name.as_str()),
        ("Zoë", "van der Berg")
    );
    assert_eq!(zoe.company, "Acme, B.V.");
    let phones: Vec<_> = zoe
        .phones
        .iter()
        .map(|p| (p.label, p.number.as_str(), p.e164.as_deref()))
        .collect();
    assert_eq!(
        phones,
        [
            (PhoneLabel::Work, "+31 20 123 4567", Some("+31201234567")),
            (PhoneLabel::Mobile, "06-12345678", Some("+31612345678")),
            (PhoneLabel::Other, "201", None),
        ],
        "a 4th number is left out"
    );
    assert_eq!(zoe.emails, ["zoe@acme.nl"]);
    assert_eq!(
        zoe.address,
        Address {
            street: "Keizersgracht 1".into(),
            city: "Amsterdam".into(),
            state: "Noord-Holland".into(),
            postal_code: "1015 AA".into(),
            country: "Netherlands".into(),
        }
    );
    assert_eq!(zoe.notes, "Line one\nline two, with ;semicolons");
    assert_eq!(zoe.source, Source::Personal);

    let piet = accepted_fields(&store, &report, 1);
    assert_eq!(piet.display_name(), "Piet Bos");
    assert_eq!(piet.phones[0].label, PhoneLabel::Work);
    assert_eq!(piet.phones[0].number, "+31-10-123-4567");
    assert_eq!(piet.phones[0].e164.as_deref(), Some("+31101234567"));
    assert_eq!(piet.phones[1].label, PhoneLabel::Mobile);

    let jurgen = accepted_fields(&store, &report, 2);
    assert_eq!(jurgen.first_name, "Jürgen");
    assert_eq!(jurgen.last_name, "Müller");
    assert_eq!(jurgen.phones[0].label, PhoneLabel::Mobile);
    assert_eq!(jurgen.phones[0].e164.as_deref(), Some("+4915112345678"));
}

#[test]
fn bad_cards_are_reported_and_the_rest_go_in_together() {
    let (_dir, mut store) = open();
    let long = "x".repeat(MAX_FIELD_BYTES + 1);
    let text = format!(
        "junk before the first card\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:No Phone\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nTEL:0612345678\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:Good One\nTEL:0612345679\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:Never Closed\nTEL:0612345670\n\
         BEGIN:VCARD\nVERSION:4.0\nFN:Odd Mail\nTEL:0612345671\nEMAIL:not-an-address\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:4.0\nFN:Long Note\nTEL:0612345672\nNOTE:{long}\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:4.0\nFN:Letters\nTEL:reception\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:4.0\nFN:Last Good\nTEL:0612345673\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\nTEL:061234"
    );
    let report = store.import_vcard_bytes(text.as_bytes(), nl()).unwrap();
    assert_eq!(
        lines(&report),
        [
            "card 1: no phone number",
            "card 2: no name",
            "card 3: imported",
            "card 4: BEGIN:VCARD on line 15 has no END:VCARD",
            "card 5: \"not-an-address\" is not an email address",
            format!(
                "card 6: a field is {} bytes long; the limit is {MAX_FIELD_BYTES}",
                long.len()
            )
            .as_str(),
            "card 7: phone number \"reception\" has no digits",
            "card 8: imported",
            "card 9: BEGIN:VCARD on line 41 has no END:VCARD",
        ]
    );
    assert_eq!(report.accepted(), 2);
    assert_eq!(store.contact_count().unwrap(), 2);
    // Importing it again adds nothing.
    let again = store.import_vcard_bytes(text.as_bytes(), nl()).unwrap();
    assert_eq!(again.accepted(), 0);
    assert!(lines(&again)[2].starts_with("card 3: already in the contacts"));
}

#[test]
fn unusable_files_are_refused_whole() {
    let (dir, mut store) = open();
    let refused = |store: &mut Store, bytes: &[u8]| {
        let before = store.contact_count().unwrap();
        let err = store.import_vcard_bytes(bytes, nl()).unwrap_err();
        assert_eq!(store.contact_count().unwrap(), before);
        err
    };
    assert!(matches!(refused(&mut store, b""), ImportError::Empty));
    assert!(matches!(refused(&mut store, b"  \r\n"), ImportError::Empty));
    assert!(matches!(
        refused(&mut store, b"first name,last name,phone\nA,B,1\n"),
        ImportError::NotVCard
    ));
    let latin1 = b"BEGIN:VCARD\nVERSION:3.0\nFN:J\xfcrgen\nTEL:1\nEND:VCARD\n";
    assert!(matches!(
        refused(&mut store, latin1),
        ImportError::NotUtf8 { line: 3 }
    ));
    let err = store
        .import_vcard(&dir.path().join("missing.vcf"), nl())
        .unwrap_err();
    assert!(err.to_string().contains("missing.vcf"), "{err}");
    let big = dir.path().join("big.vcf");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap();
    assert!(matches!(
        store.import_vcard(&big, nl()),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn fifty_thousand_cards_go_in_as_one() {
    let (_dir, mut store) = open();
    let mut text = String::new();
    for i in 0..50_000 {
        text.push_str(&format!(
            "BEGIN:VCARD\nVERSION:3.0\nN:Card{i};Many\nTEL:+31 20 {i:07}\nEND:VCARD\n"
        ));
    }
    // A broken card at the end is reported; the 50,000 others go in.
    text.push_str("BEGIN:VCARD\nVERSION:3.0\nN:Broken;Card\n");
    let report = store.import_vcard_bytes(text.as_bytes(), nl()).unwrap();
    assert_eq!(report.accepted(), 50_000);
    assert_eq!(report.refused().count(), 1);
    assert_eq!(store.contact_count().unwrap(), 50_000);
    assert_eq!(
        store
            .find_by_number("+31 20 0049999", nl())
            .unwrap()
            .unwrap()
            .fields
            .last_name,
        "Card49999"
    );
}

#[test]
fn export_import_round_trips_in_3_0_and_4_0() {
    let (_dir, mut store) = open();
    let text = format!("{V3}{V4}{V21}");
    store.import_vcard_bytes(text.as_bytes(), nl()).unwrap();
    // A contact whose text needs escaping in every way.
    let tricky = ContactFields {
        first_name: "Ann; \"Annie\"".into(),
        last_name: "O'Neil, Jr.".into(),
        company: "A\\B".into(),
        phones: vec![Phone::new(PhoneLabel::Home, "+1 (212) 555-0100")],
        emails: vec!["ann@example.com".into()],
        notes: "multi\nline, notes; here".into(),
        ..Default::default()
    };
    store.add_contact(&tricky, nl()).unwrap();
    let original: Vec<ContactFields> = store
        .search("", SearchFilter::All, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.fields)
        .collect();
    assert_eq!(original.len(), 4);

    for version in [VCardVersion::V3, VCardVersion::V4] {
        let mut out = Vec::new();
        assert_eq!(
            store
                .export_vcard(SearchFilter::All, version, &mut out)
                .unwrap(),
            4
        );
        let text = String::from_utf8(out.clone()).unwrap();
        let want_version = match version {
            VCardVersion::V3 => "VERSION:3.0\r\n",
            VCardVersion::V4 => "VERSION:4.0\r\n",
        };
        assert_eq!(text.matches(want_version).count(), 4, "{text}");
        assert!(text.lines().all(|l| l.len() <= 76), "lines are folded");

        let (_dir2, mut fresh) = open();
        let report = fresh.import_vcard_bytes(&out, nl()).unwrap();
        assert_eq!(report.accepted(), 4, "{:?}", lines(&report));
        let back: Vec<ContactFields> = fresh
            .search("", SearchFilter::All, 100)
            .unwrap()
            .into_iter()
            .map(|c| c.fields)
            .collect();
        assert_eq!(back, original, "{version:?}");
    }
}
