//! Tests of the CSV import, on real SQLite files in temporary folders.

use super::super::SearchFilter;
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

#[test]
fn full_row_with_bom_and_semicolons() {
    let (dir, mut store) = open();
    let csv = "\u{feff}First Name;Last Name;Phone;Phone2;Mobile;Email1;Email2;Email3;Street;City;State;Postal Code;Country;Company;Notes;Shoe size\n\
               Anna;Jansen;020 123 4567;0201234568;06 12345678;a@x.nl;b@x.nl;c@x.nl;Dam 1;Amsterdam;NH;1012 JS;NL;Acme;\"semi;colon, and \"\"quotes\"\"\nnew line\";42\n";
    let path = dir.path().join("in.csv");
    std::fs::write(&path, csv).unwrap();
    let report = store.import_csv(&path, nl()).unwrap();
    assert_eq!(report.separator, ';');
    assert_eq!(report.ignored_columns, ["Shoe size"]);
    assert_eq!(lines(&report), ["row 2: imported"]);
    let RowOutcome::Accepted(id) = report.rows[0].outcome else {
        panic!()
    };
    let c = store.contact(id).unwrap().unwrap().fields;
    assert_eq!(
        (
            c.first_name.as_str(),
            c.last_name.as_str(),
            c.company.as_str()
        ),
        ("Anna", "Jansen", "Acme")
    );
    let phones: Vec<_> = c
        .phones
        .iter()
        .map(|p| (p.label, p.number.as_str(), p.e164.as_deref()))
        .collect();
    assert_eq!(
        phones,
        [
            (PhoneLabel::Other, "020 123 4567", Some("+31201234567")),
            (PhoneLabel::Other, "0201234568", Some("+31201234568")),
            (PhoneLabel::Mobile, "06 12345678", Some("+31612345678")),
        ]
    );
    assert_eq!(c.emails, ["a@x.nl", "b@x.nl", "c@x.nl"]);
    assert_eq!(
        c.address,
        Address {
            street: "Dam 1".into(),
            city: "Amsterdam".into(),
            state: "NH".into(),
            postal_code: "1012 JS".into(),
            country: "NL".into()
        }
    );
    assert_eq!(c.notes, "semi;colon, and \"quotes\"\nnew line");
    assert!(!c.favourite && !c.blocked);
}

#[test]
fn deliberately_bad_csv_is_reported_row_by_row() {
    let (_dir, mut store) = open();
    let long = "x".repeat(MAX_FIELD_BYTES + 1);
    let csv = format!(
        "first name,last name,phone,email\n\
         Anna,Jansen,0612345678,anna@x.nl\n\
         Bert,Bos,,bert@x.nl\n\
         ,Claes,0612345670,\n\
         Dora,Dijk\n\
         Eva,Evers,call me,eva@x\n\
         Frits,Fok,0612345671,not-an-email\n\
         Gert,Gans,0612345672,g@x.nl,surplus\n\
         Hans,Hol,0612345673,{long}\n\
         Ida,Ijs,0612345674,\n\
         Jan,Jong,\"0612345675,j@x.nl\n\
         Kees,Kok,0612345676,k@x.nl\n"
    );
    let report = store.import_csv_bytes(csv.as_bytes(), nl()).unwrap();
    assert_eq!(report.separator, ',');
    assert_eq!(
        lines(&report),
        [
            "row 2: imported",
            "row 3: no phone number",
            "row 4: no first name",
            "row 5: has 2 fields but the header has 4 (a separator too many or too few, or a misplaced quote?)",
            "row 6: phone number \"call me\" has no digits",
            "row 7: \"not-an-email\" is not an email address",
            "row 8: has 5 fields but the header has 4 (a separator too many or too few, or a misplaced quote?)",
            &format!("row 9: a field is {} bytes long; the limit is {MAX_FIELD_BYTES}", MAX_FIELD_BYTES + 1),
            "row 10: imported",
            "row 11: a quote opened on line 11 is never closed, so the rest of the file was read as one field",
        ]
    );
    assert_eq!(report.accepted(), 2);
    assert_eq!(report.refused().count(), 8);
    assert_eq!(store.contact_count().unwrap(), 2);
    assert_eq!(
        store
            .search("0612345674", SearchFilter::All, 5)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn whole_file_errors_import_nothing() {
    let (_dir, mut store) = open();
    let err = store
        .import_csv_bytes(b"name,telephone number\nAnna,0612345678\n", nl())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the header row has no column for: first name, last name, phone"
    );
    assert!(matches!(
        store.import_csv_bytes(b"", nl()),
        Err(ImportError::Empty)
    ));
    assert!(matches!(
        store.import_csv_bytes(b"\xef\xbb\xbf \n", nl()),
        Err(ImportError::Empty)
    ));
    // Latin-1 "Müller" on line 3.
    let latin1 = b"first name,last name,phone\nAnna,Jansen,0612345678\nJo,M\xfcller,0612345679\n";
    let err = store.import_csv_bytes(latin1, nl()).unwrap_err();
    assert!(matches!(err, ImportError::NotUtf8 { line: 3 }), "{err}");
    assert!(err.to_string().contains("not UTF-8"));
    assert_eq!(store.contact_count().unwrap(), 0);
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let (dir, mut store) = open();
    let path = dir.path().join("huge.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: no 50 MB written
    let err = store.import_csv(&path, nl()).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { .. }), "{err}");
    let err = store
        .import_csv(&dir.path().join("absent.csv"), nl())
        .unwrap_err();
    assert!(err.to_string().starts_with("cannot read "), "{err}");
}

#[test]
fn fifty_thousand_rows_in_one_transaction() {
    let (_dir, mut store) = open();
    let mut csv = String::from("First name;Last name;Phone;Email;Company\r\n");
    for i in 0..50_000 {
        csv.push_str(&format!(
            "Name{i};Family{i};+31 20 {:07};n{i}@example.com;Company {}\r\n",
            i,
            i % 97
        ));
    }
    let start = std::time::Instant::now();
    let report = store.import_csv_bytes(csv.as_bytes(), nl()).unwrap();
    eprintln!("50,000-row import took {:?}", start.elapsed());
    assert_eq!(report.accepted(), 50_000);
    assert_eq!(report.rows.last().map(|r| r.row), Some(50_001));
    assert_eq!(store.contact_count().unwrap(), 50_000);
    let hit = store.find_by_number("020 0012345", nl()).unwrap().unwrap();
    assert_eq!(hit.fields.first_name, "Name12345");
    let start = std::time::Instant::now();
    let found = store.search("family4999", SearchFilter::All, 50).unwrap();
    eprintln!("search on 50,000 took {:?}", start.elapsed());
    assert_eq!(found.len(), 11); // 4999 and 49990..49999
}

#[test]
fn failure_midway_leaves_previous_contents_untouched() {
    let (_dir, mut store) = open();
    store
        .import_csv_bytes(b"first name,last name,phone\nOld,Timer,0612345678\n", nl())
        .unwrap();
    // A real SQLite failure on the 3rd insert of the next import.
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON main.contacts WHEN NEW.first_name = 'Boom'
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
        )
        .unwrap();
    let csv = b"first name,last name,phone\nNew,One,0612345671\nNew,Two,0612345672\nBoom,Three,0612345673\nNew,Four,0612345674\n";
    let err = store.import_csv_bytes(csv, nl()).unwrap_err();
    assert!(err.to_string().starts_with("nothing was imported"), "{err}");
    assert_eq!(store.contact_count().unwrap(), 1);
    let all = store.search("", SearchFilter::All, 10).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].fields.first_name, "Old");
    assert!(store
        .search("new", SearchFilter::All, 10)
        .unwrap()
        .is_empty());
    assert!(store.find_by_number("0612345671", nl()).unwrap().is_none());
}

const KILL_DB_ENV: &str = "PARLA_STORE_KILL9_DB";

fn big_csv(rows: usize) -> String {
    let mut csv = String::from("first name,last name,phone\n");
    for i in 0..rows {
        csv.push_str(&format!("Big{i},Import,+31 20 {i:07}\n"));
    }
    csv
}

/// Runs only as the child of `kill_9_during_import_loses_nothing`.
#[test]
#[ignore = "not a test: the child process that kill_9_during_import_loses_nothing starts and kills"]
fn kill_9_child() {
    let Ok(db) = std::env::var(KILL_DB_ENV) else {
        return;
    };
    let db = PathBuf::from(db);
    let csv = big_csv(50_000);
    let mut store = Store::open(&db).unwrap().store;
    std::fs::write(db.with_extension("started"), b"").unwrap();
    store.import_csv_bytes(csv.as_bytes(), nl()).unwrap();
    std::fs::write(db.with_extension("done"), b"").unwrap();
}

#[test]
fn kill_9_during_import_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parla.db");
    {
        let mut store = Store::open(&db).unwrap().store;
        store
            .import_csv_bytes(b"first name,last name,phone\nOld,Timer,0612345678\n", nl())
            .unwrap();
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::import_csv::tests::kill_9_child",
            "--ignored",
            "--test-threads=1",
        ])
        .env(KILL_DB_ENV, &db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = db.with_extension("started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !started.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(started.exists(), "the child never started its import");
    // Kill once the import transaction is spilling pages into the WAL, i.e. mid-write.
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let done = db.with_extension("done");
    while !done.exists()
        && std::fs::metadata(&wal).map_or(0, |m| m.len()) < 1024 * 1024
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let finished = done.exists();
    eprintln!(
        "child killed {} its import",
        if finished { "after" } else { "during" }
    );

    let opened = Store::open(&db).unwrap();
    assert!(
        opened.moved_aside.is_none(),
        "the database must survive kill -9"
    );
    let store = opened.store;
    let n = store.contact_count().unwrap();
    assert!(
        n == 1 || n == 50_001,
        "half an import is visible: {n} contacts"
    );
    if !finished {
        assert_eq!(n, 1);
    }
    assert_eq!(
        store
            .find_by_number("0612345678", nl())
            .unwrap()
            .unwrap()
            .fields
            .first_name,
        "Old"
    );
}

#[test]
fn importing_the_same_people_twice_adds_nothing() {
    let (_dir, mut store) = open();
    let csv = "first name,last name,phone\nAnna,Jansen,0612345678\nanna,JANSEN,+31 6 12345678\nAnna,Jansen,0201234567\n";
    let report = store.import_csv_bytes(csv.as_bytes(), nl()).unwrap();
    let RowOutcome::Accepted(first) = report.rows[0].outcome else {
        panic!("{report:?}")
    };
    assert_eq!(
        lines(&report)[1..],
        [
            format!("row 3: already in the contacts (same name and number as contact {first})"),
            "row 4: imported".to_string(),
        ]
    );
    let again = store.import_csv_bytes(csv.as_bytes(), nl()).unwrap();
    assert_eq!(again.accepted(), 0);
    assert_eq!(store.contact_count().unwrap(), 2);
}

#[test]
fn fixture_file_bad_semicolon_bom() {
    let (_dir, mut store) = open();
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/csv/bad-semicolon-bom.csv"
    ));
    let report = store.import_csv(path, nl()).unwrap();
    assert_eq!(report.separator, ';');
    assert_eq!(
        lines(&report),
        [
            "row 2: imported",
            "row 3: no phone number",
            "row 4: imported",
            "row 5: no first name",
            "row 6: \"kees@@\" is not an email address",
            "row 7: a quote opened on line 7 is never closed, so the rest of the file was read as one field",
        ]
    );
    let jose = store.search("garc", SearchFilter::All, 5).unwrap();
    assert_eq!(jose[0].fields.first_name, "José");
    assert_eq!(
        jose[0].fields.phones[0].e164.as_deref(),
        Some("+34912345678")
    );
    let anna = store.find_by_number("+31612345678", nl()).unwrap().unwrap();
    assert_eq!(anna.fields.notes, "Prefers \"mornings\"; calls back");
    assert_eq!(anna.fields.phones[1].label, PhoneLabel::Mobile);
}

#[test]
fn separator_and_open_quote_scanners() {
    assert_eq!(sniff_separator("a;b;c\n1,2,3"), ';');
    assert_eq!(sniff_separator("\"a;b\",c"), ',');
    assert_eq!(sniff_separator("a\tb\tc"), '\t');
    assert_eq!(open_quote_line("a,\"b\"\"c\",d\n1,2,3\n", ','), None);
    assert_eq!(open_quote_line("a,b\n1,\"2\n3\n", ','), Some(2));
    assert_eq!(open_quote_line("a,5\" disk,c\n", ','), None); // quote mid-field is literal
}
