//! Tests of shared directories from files (CardDAV is tested against Radicale in
//! `tests/carddav.rs`), on real SQLite files in temporary folders.

use super::super::{Phone, PhoneLabel, SearchFilter};
use super::*;

fn nl() -> Region {
    "NL".parse().unwrap()
}

fn names(store: &Store, filter: SearchFilter) -> Vec<String> {
    store
        .search("", filter, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.fields.display_name())
        .collect()
}

#[test]
fn file_directory_syncs_replace_and_keep_marks() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    let mine = store
        .add_contact(
            &ContactFields {
                first_name: "My".into(),
                last_name: "Own".into(),
                phones: vec![Phone::new(PhoneLabel::Mobile, "0611111111")],
                ..Default::default()
            },
            nl(),
        )
        .unwrap();
    let file = dir.path().join("company.csv");
    std::fs::write(
        &file,
        "first name,last name,phone\nAnna,Jansen,0201234567\nBert,Bos,0201234568\nNo,Phone,\n",
    )
    .unwrap();
    let source = DirectorySource::File(file.clone());
    let report = store.sync_directory("work", &source, nl()).unwrap();
    assert_eq!(report.contacts, 2);
    assert_eq!(report.skipped, ["row 4: no phone number"]);
    assert_eq!(
        names(&store, SearchFilter::Shared),
        ["Bert Bos", "Anna Jansen"]
    );
    assert_eq!(names(&store, SearchFilter::Personal), ["My Own"]);

    // Shared contacts are read-only, but can be marked.
    let anna = store.find_by_number("020 123 4567", nl()).unwrap().unwrap();
    assert!(matches!(
        store.update_contact(anna.id, &anna.fields, nl()),
        Err(StoreError::ReadOnly(_))
    ));
    store.set_blocked(anna.id, true).unwrap();
    store.set_favourite(anna.id, true).unwrap();

    // The file changes: Bert leaves, Carla joins; Anna stays (marks kept).
    std::fs::write(
        &file,
        "first name,last name,phone,email\nAnna,Jansen,0201234567,anna@acme.nl\nCarla,Claes,0201234569,\n",
    )
    .unwrap();
    let report = store.sync_directory("work", &source, nl()).unwrap();
    assert_eq!((report.contacts, report.skipped.len()), (2, 0));
    assert_eq!(
        names(&store, SearchFilter::Shared),
        ["Carla Claes", "Anna Jansen"]
    );
    let anna = store.find_by_number("0201234567", nl()).unwrap().unwrap();
    assert!(anna.fields.blocked && anna.fields.favourite);
    assert_eq!(anna.fields.emails, ["anna@acme.nl"]);
    assert!(
        store
            .caller_name("0201234567", nl())
            .unwrap()
            .unwrap()
            .blocked
    );
    assert!(store
        .search("bos", SearchFilter::All, 10)
        .unwrap()
        .is_empty());
    assert_eq!(store.directory_count("work").unwrap(), 2);

    // A failed sync (unreadable file) leaves the directory as it was.
    std::fs::write(&file, b"first name,last name,phone\nJ\xfcrgen,X,1\n").unwrap();
    assert!(matches!(
        store.sync_directory("work", &source, nl()),
        Err(DirectoryError::File(ImportError::NotUtf8 { .. }))
    ));
    std::fs::remove_file(&file).unwrap();
    assert!(store.sync_directory("work", &source, nl()).is_err());
    assert_eq!(
        names(&store, SearchFilter::Shared),
        ["Carla Claes", "Anna Jansen"]
    );

    // A second directory (another line) is kept apart; personal contacts are never touched.
    let vcf = dir.path().join("other.vcf");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\nVERSION:4.0\nFN:Dirk de Vries\nTEL:201\nEND:VCARD\n",
    )
    .unwrap();
    store
        .sync_directory("home", &DirectorySource::File(vcf), nl())
        .unwrap();
    assert_eq!(store.directory_count("home").unwrap(), 1);
    assert_eq!(store.directory_count("work").unwrap(), 2);
    store.replace_directory("work", &[], nl()).unwrap();
    assert_eq!(names(&store, SearchFilter::Shared), ["Dirk de Vries"]);
    assert!(store.contact(mine).unwrap().is_some());
}

#[test]
fn file_kind_by_extension_then_content() {
    let p = |s: &str| PathBuf::from(s);
    assert!(is_vcard(&p("a.VCF"), b""));
    assert!(!is_vcard(&p("a.csv"), b"BEGIN:VCARD"));
    assert!(is_vcard(&p("export"), b"\xef\xbb\xbfbegin:vcard\r\n"));
    assert!(!is_vcard(&p("export"), b"first name,last name"));
}

#[test]
fn config_names_the_source() {
    let cfg = DirectoryConfig {
        url: Some("https://dav.example.com/book/".into()),
        username: Some("staff".into()),
        password: Some("pw".into()),
        ..Default::default()
    };
    assert_eq!(
        DirectorySource::from_config(&cfg, Some(Path::new("/ca.pem"))),
        DirectorySource::CardDav(CardDavSource {
            url: "https://dav.example.com/book/".into(),
            username: Some("staff".into()),
            password: Some("pw".into()),
            ca_file: Some(PathBuf::from("/ca.pem")),
        })
    );
    let cfg = DirectoryConfig {
        path: Some(PathBuf::from("/srv/company.vcf")),
        ..Default::default()
    };
    assert_eq!(
        DirectorySource::from_config(&cfg, None),
        DirectorySource::File(PathBuf::from("/srv/company.vcf"))
    );
}
