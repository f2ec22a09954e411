//! Shared-directory sync against a real CardDAV server: Radicale (PyPI), started by the test
//! on 127.0.0.1 with a temp storage folder and stopped by PID (parla-testbench).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::path::PathBuf;

use parla_core::store::{
    CardDavSource, DirectoryError, DirectorySource, PhoneLabel, Region, SearchFilter, Store,
};
use parla_testbench::{Radicale, RadicaleOptions};
use ureq::http;

const USER: &str = "staff";
const PASSWORD: &str = "s3cret";

fn nl() -> Region {
    "NL".parse().unwrap()
}

/// One WebDAV request as the test's "other client" (the directory's admin).
fn dav(
    method: &str,
    url: &str,
    content_type: &str,
    body: &str,
    ca: Option<&std::path::Path>,
) -> u16 {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).unwrap();
        let cert = ureq::tls::Certificate::from_pem(&pem).unwrap();
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]));
    }
    let agent = ureq::Agent::config_builder()
        .tls_config(tls.build())
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .build()
        .new_agent();
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .header("Authorization", format!("Basic {token}"))
        .header("Content-Type", content_type)
        .body(body.to_string())
        .unwrap();
    agent.run(req).unwrap().status().as_u16()
}

const MKCOL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>
    <D:displayname>Company</D:displayname>
  </D:prop></D:set>
</D:mkcol>"#;

fn card(uid: &str, first: &str, last: &str, tel: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nN:{last};{first};;;\r\nFN:{first} {last}\r\n\
         ORG:Acme\r\nTEL;TYPE=WORK:{tel}\r\nEND:VCARD\r\n"
    )
}

/// Makes `/staff/company/` and puts the given cards (`name.vcf`, text) in it.
fn address_book(server: &Radicale, cards: &[(&str, String)]) -> String {
    let book = format!("{}/{USER}/company/", server.base_url());
    let ca = server.ca_cert();
    assert_eq!(dav("MKCOL", &book, "application/xml", MKCOL, ca), 201);
    for (name, text) in cards {
        let status = dav("PUT", &format!("{book}{name}"), "text/vcard", text, ca);
        assert!(status == 201 || status == 204, "PUT {name}: {status}");
    }
    book
}

fn source(url: &str, password: &str, ca_file: Option<PathBuf>) -> DirectorySource {
    DirectorySource::CardDav(CardDavSource {
        url: url.to_string(),
        username: Some(USER.into()),
        password: Some(password.into()),
        ca_file,
    })
}

fn shared_names(store: &Store) -> Vec<String> {
    store
        .search("", SearchFilter::Shared, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.fields.display_name())
        .collect()
}

#[test]
fn carddav_sync_follows_the_server() {
    let mut server = Radicale::start(RadicaleOptions {
        users: vec![(USER.into(), PASSWORD.into())],
        tls: false,
    })
    .unwrap();
    let book = address_book(
        &server,
        &[
            (
                "anna.vcf",
                card("anna", "Anna", "Jansen", "+31 20 123 4567"),
            ),
            ("bert.vcf", card("bert", "Bert", "Bos", "020 123 4568")),
            (
                "nophone.vcf",
                "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:np\r\nFN:No Phone\r\nEND:VCARD\r\n".into(),
            ),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("parla.db")).unwrap().store;
    let src = source(&book, PASSWORD, None);

    let report = store.sync_directory("work", &src, nl()).unwrap();
    assert_eq!(report.contacts, 2);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(
        report.skipped[0].ends_with("nophone.vcf: no phone number"),
        "{:?}",
        report.skipped
    );
    assert_eq!(shared_names(&store), ["Bert Bos", "Anna Jansen"]);
    let anna = store.find_by_number("0201234567", nl()).unwrap().unwrap();
    assert_eq!(anna.fields.company, "Acme");
    assert_eq!(anna.fields.phones[0].label, PhoneLabel::Work);
    store.set_favourite(anna.id, true).unwrap();

    // On the server: Bert's number changes, Anna leaves, Carla joins.
    let ca = None;
    let status = dav(
        "PUT",
        &format!("{book}bert.vcf"),
        "text/vcard",
        &card("bert", "Bert", "Bos", "06 12345670"),
        ca,
    );
    assert!(status == 201 || status == 204, "PUT bert: {status}");
    let status = dav("DELETE", &format!("{book}anna.vcf"), "text/plain", "", ca);
    assert!(status == 200 || status == 204, "DELETE anna: {status}");
    let status = dav(
        "PUT",
        &format!("{book}carla.vcf"),
        "text/vcard",
        &card("carla", "Carla", "Claes", "0301112233"),
        ca,
    );
    assert_eq!(status, 201);

    let report = store.sync_directory("work", &src, nl()).unwrap();
    assert_eq!(report.contacts, 2);
    assert_eq!(shared_names(&store), ["Bert Bos", "Carla Claes"]);
    assert!(store.find_by_number("0201234568", nl()).unwrap().is_none());
    let bert = store
        .caller_name("sip:+31612345670@pbx", nl())
        .unwrap()
        .unwrap();
    assert_eq!(bert.name, "Bert Bos");
    assert!(store.find_by_number("0201234567", nl()).unwrap().is_none());

    // A wrong password, then a server that is gone: errors, and the directory stays.
    let err = store
        .sync_directory("work", &source(&book, "wrong", None), nl())
        .unwrap_err();
    assert!(matches!(err, DirectoryError::Unauthorized { .. }), "{err}");
    server.stop();
    let err = store.sync_directory("work", &src, nl()).unwrap_err();
    assert!(matches!(err, DirectoryError::Http { .. }), "{err}");
    assert_eq!(shared_names(&store), ["Bert Bos", "Carla Claes"]);
}

#[test]
fn carddav_over_tls_is_verified() {
    let server = Radicale::start(RadicaleOptions {
        users: vec![(USER.into(), PASSWORD.into())],
        tls: true,
    })
    .unwrap();
    let book = address_book(
        &server,
        &[(
            "anna.vcf",
            card("anna", "Anna", "Jansen", "+31 20 123 4567"),
        )],
    );
    assert!(book.starts_with("https://"));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("parla.db")).unwrap().store;

    // Not trusted: the server's CA is not among the system roots. Nothing is written.
    let err = store
        .sync_directory("work", &source(&book, PASSWORD, None), nl())
        .unwrap_err();
    assert!(matches!(err, DirectoryError::Http { .. }), "{err}");
    assert!(shared_names(&store).is_empty());

    // Trusted through the account's CA file.
    let ca = server.ca_cert().map(PathBuf::from);
    let report = store
        .sync_directory("work", &source(&book, PASSWORD, ca), nl())
        .unwrap();
    assert_eq!(report.contacts, 1);
    assert_eq!(shared_names(&store), ["Anna Jansen"]);
}
