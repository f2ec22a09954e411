//! The engine owns the database: `parla --headless` answers contact searches and edits, lists
//! and clears the history, and syncs a company directory from a real CardDAV server (Radicale,
//! started by the test on 127.0.0.1 and stopped by PID) at start and on demand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use support::*;

const USER: &str = "staff";
const PASSWORD: &str = "s3cret";

fn card(uid: &str, first: &str, last: &str, tel: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nN:{last};{first};;;\r\nFN:{first} {last}\r\n\
         TEL;TYPE=WORK:{tel}\r\nEND:VCARD\r\n"
    )
}

/// One WebDAV request as the directory's administrator would send it.
fn dav(method: &str, url: &str, content_type: &str, body: &str) -> u16 {
    let mut request = std::process::Command::new("curl");
    request.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method]);
    request.args(["-u", &format!("{USER}:{PASSWORD}")]);
    request.args([
        "-H",
        &format!("Content-Type: {content_type}"),
        "--data-binary",
        body,
        url,
    ]);
    let out = request.output().expect("curl runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

const MKCOL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>
  </D:prop></D:set>
</D:mkcol>"#;

fn contacts_answer(v: &Value, request: u64) -> bool {
    is_event(v, "contacts") && v["request"] == request
}

fn names(v: &Value) -> Vec<String> {
    v["contacts"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_headless_engine_syncs_a_directory_and_answers_contact_searches() {
    let server = Radicale::start(RadicaleOptions {
        users: vec![(USER.into(), PASSWORD.into())],
        tls: false,
    })
    .expect("radicale");
    let book = format!("{}/{USER}/company/", server.base_url());
    assert_eq!(dav("MKCOL", &book, "application/xml", MKCOL), 201);
    for (name, text) in [
        ("ada.vcf", card("ada", "Ada", "Lovelace", "+31 20 123 4567")),
        (
            "alan.vcf",
            card("alan", "Alan", "Turing", "+44 20 7946 0000"),
        ),
    ] {
        let status = dav("PUT", &format!("{book}{name}"), "text/vcard", &text);
        assert!(status == 201 || status == 204, "PUT {name}: {status}");
    }

    let profile = tempfile::tempdir().expect("profile");
    let config = format!(
        "[[accounts]]\nid = \"work\"\nusername = \"2001\"\ndomain = \"127.0.0.1\"\n\
         register = false\nregion = \"NL\"\n\
         [accounts.directory]\nurl = \"{book}\"\nusername = \"{USER}\"\npassword = \"{PASSWORD}\"\n\
         [audio]\ninput = \"null\"\noutput = \"null\"\n"
    );
    std::fs::write(profile.path().join("config.toml"), config).expect("config");
    let mut app = App {
        parla: Headless::spawn(bin(), profile.path()).expect("parla"),
        profile,
    };

    let synced = app.wait("the directory synced at start", |v| {
        is_event(v, "directory_sync") && v["account"] == "work"
    });
    assert_eq!(synced["state"], "synced", "{synced}");
    assert_eq!(synced["contacts"], 2);

    app.send(json!({"cmd":"search_contacts","query":"ada","request":7}));
    let found = app.wait("the search's answer", |v| contacts_answer(v, 7));
    assert_eq!(names(&found), ["Ada Lovelace"]);
    assert_eq!(found["contacts"][0]["source"], "shared");
    assert_eq!(found["contacts"][0]["phones"][0]["e164"], "+31201234567");

    app.send(json!({"cmd":"save_contact","request":8,"contact":{
        "first_name":"Grace","last_name":"Hopper",
        "phones":[{"label":"mobile","number":"06 12345678"}]}}));
    let saved = app.wait("the save", |v| {
        is_event(v, "contact_saved") && v["request"] == 8
    });
    assert!(saved["id"].as_i64().is_some(), "{saved}");
    app.send(json!({"cmd":"save_contact","request":9,"contact":{}}));
    let refused = app.wait("the refusal", |v| is_event(v, "error") && v["request"] == 9);
    assert_eq!(refused["kind"], "invalid_contact");

    app.send(json!({"cmd":"search_contacts","query":"","limit":2,"request":10}));
    let page = app.wait("the first two", |v| contacts_answer(v, 10));
    assert_eq!(names(&page).len(), 2, "{page}");

    // A new colleague on the server: an on-demand sync brings them.
    let status = dav(
        "PUT",
        &format!("{book}grace.vcf"),
        "text/vcard",
        &card("kath", "Katherine", "Johnson", "+1 202 555 0199"),
    );
    assert!(status == 201 || status == 204, "PUT: {status}");
    app.send(json!({"cmd":"sync_directories","request":11}));
    let again = app.wait("the on-demand sync", |v| {
        is_event(v, "directory_sync") && v["request"] == 11
    });
    assert_eq!(
        (again["state"].as_str(), again["contacts"].as_u64()),
        (Some("synced"), Some(3))
    );
    app.send(json!({"cmd":"search_contacts","query":"johnson","request":12}));
    assert_eq!(
        names(&app.wait("the new colleague", |v| contacts_answer(v, 12))),
        ["Katherine Johnson"]
    );

    app.send(json!({"cmd":"list_history","request":13}));
    let history = app.wait("the history", |v| {
        is_event(v, "history") && v["request"] == 13
    });
    assert_eq!(history["calls"], json!([]));
    app.quit();
}
