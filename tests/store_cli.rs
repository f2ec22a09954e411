//! `parla contacts import|export` and `parla history export`, run as the real binary on a
//! temporary profile.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use parla_core::store::{CallRecord, CallResult, Direction, Store, DB_FILE_NAME};

fn parla(profile: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parla"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("PARLA_HOME")
        .env("LANG", "nl_NL.UTF-8")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const CSV: &str = "first name;last name;phone;email\n\
                   Anna;Jansen;06 12345678;anna@acme.nl\n\
                   Bert;Bos;;bert@acme.nl\n\
                   Carla;Claes;020 123 4567;\n";

#[test]
fn import_reports_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, CSV).unwrap();

    let out = parla(&profile, &["contacts", "import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "imported 2, refused 1\nrow 3: no phone number\n"
    );

    // A vCard file with no telling extension is recognised by its content.
    let vcf = dir.path().join("export");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dirk de Vries\r\nN:de Vries;Dirk;;;\r\nTEL;TYPE=work:+31 30 111 2233\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Nobody\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let out = parla(&profile, &["contacts", "import", vcf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "imported 1, refused 1\ncard 2: no phone number\n"
    );

    // CSV to standard output: the header the import reads, then the contacts by last name.
    let out = parla(&profile, &["contacts", "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("First Name,Last Name,Company,Phone 1,Phone 1 Label"));
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("Carla,Claes,"));
    assert!(lines[2].starts_with("Dirk,de Vries,,+31 30 111 2233,work,"));
    assert!(lines[3].starts_with("Anna,Jansen,,06 12345678,"));

    // vCard to a file, imported into another profile: the same three contacts.
    let cards = dir.path().join("out.vcf");
    let out = parla(
        &profile,
        &[
            "contacts",
            "export",
            "--format",
            "vcard",
            "--output",
            cards.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote 3 contacts"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&cards)
            .unwrap()
            .matches("BEGIN:VCARD")
            .count(),
        3
    );
    let other = dir.path().join("other");
    let out = parla(&other, &["contacts", "import", cards.to_str().unwrap()]);
    assert_eq!(stdout(&out), "imported 3, refused 0\n");
    let back = parla(&other, &["contacts", "export"]);
    assert_eq!(stdout(&back), text);

    // The same file again: every card is already there.
    let out = parla(&other, &["contacts", "import", cards.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("imported 0, refused 3\ncard 1: already in the contacts"));
}

#[test]
fn history_export_names_callers() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().to_path_buf();
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, CSV).unwrap();
    assert_eq!(
        parla(&profile, &["contacts", "import", csv.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    {
        let mut store = Store::open(&profile.join(DB_FILE_NAME)).unwrap().store;
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        store
            .record_call(
                &CallRecord {
                    direction: Direction::Incoming,
                    account: "work".into(),
                    remote_uri: "sip:0031612345678@pbx.example".into(),
                    number: String::new(),
                    display_name: "Mobile".into(),
                    started: t,
                    answered: None,
                    ended: t + Duration::from_secs(20),
                    result: CallResult::Missed,
                    reason: "caller hung up".into(),
                },
                "NL".parse().unwrap(),
            )
            .unwrap();
    }
    let out = parla(&profile, &["history", "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        [
            "Started,Direction,Line,Name,Number,Remote URI,Answered,Ended,Duration (s),Result,Reason,Display Name",
            "2023-11-14T22:13:20Z,incoming,work,Anna Jansen,0031612345678,sip:0031612345678@pbx.example,,2023-11-14T22:13:40Z,0,missed,caller hung up,Mobile",
        ]
    );
    // PARLA_HOME points at the same profile when --profile is not given.
    let out = Command::new(env!("CARGO_BIN_EXE_parla"))
        .args(["history", "export"])
        .env("PARLA_HOME", &profile)
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn bad_files_and_arguments_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p");
    let seed = dir.path().join("seed.csv");
    std::fs::write(&seed, CSV).unwrap();
    parla(&profile, &["contacts", "import", seed.to_str().unwrap()]);

    let missing = dir.path().join("missing.csv");
    let out = parla(&profile, &["contacts", "import", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let out = parla(&profile, &["contacts", "import", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the file is empty"),
        "{}",
        stderr(&out)
    );

    // A truncated CSV: the cut-off last row is reported, the rest goes in.
    let truncated = dir.path().join("cut.csv");
    std::fs::write(
        &truncated,
        "first name,last name,phone,notes\nEva,Eng,0612345670,\"fine\"\nFrank,Fo,0612345671,\"cut off he",
    )
    .unwrap();
    let out = parla(
        &profile,
        &["contacts", "import", truncated.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "imported 1, refused 1\nrow 3: a quote opened on line 3 is never closed, so the rest of the file was read as one field\n"
    );

    let unterminated = dir.path().join("cut.vcf");
    std::fs::write(
        &unterminated,
        "BEGIN:VCARD\nVERSION:3.0\nFN:Gina G\nTEL:0612345672\n",
    )
    .unwrap();
    let out = parla(
        &profile,
        &["contacts", "import", unterminated.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "imported 0, refused 1\ncard 1: BEGIN:VCARD on line 1 has no END:VCARD\n"
    );

    let out = parla(&profile, &["contacts", "export", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format xml"), "{}", stderr(&out));
    let out = parla(&profile, &["contacts", "import"]);
    assert_eq!(out.status.code(), Some(2));

    // Nothing half-written: the contacts are the seed's two and Eva.
    let out = parla(&profile, &["contacts", "export"]);
    assert_eq!(stdout(&out).lines().count(), 4);

    // A database that cannot be opened at all (its path is a folder).
    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join(DB_FILE_NAME)).unwrap();
    let out = parla(&blocked, &["history", "export"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));

    // An unreadable file in its place is moved aside, said so, and a fresh one used.
    let garbage = dir.path().join("garbage");
    std::fs::create_dir_all(&garbage).unwrap();
    std::fs::write(garbage.join(DB_FILE_NAME), "not a database ".repeat(400)).unwrap();
    let out = parla(&garbage, &["contacts", "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("was kept as"), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
}
