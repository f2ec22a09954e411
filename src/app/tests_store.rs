//! The contacts and history tabs against a real engine on a temporary profile: the window
//! sends commands with request ids, the engine's store thread answers, and `update` shows the
//! answers. No SIP line registers (the only line listens on a free port) and no window opens.

use super::*;
use crate::screen::{contact_form, contacts, history};
use parla_core::api::SyncState;
use parla_core::secrets::MemorySecrets;
use parla_core::store::SearchFilter;
use std::time::Duration;
use tokio::sync::mpsc;

struct Live {
    app: App,
    events: mpsc::UnboundedReceiver<Event>,
    seen: Vec<Event>,
    profile: tempfile::TempDir,
}

/// A profile whose one line (no registration, any free port) has `directory` as its company
/// directory file, and whose Local line is off (nothing binds port 5060).
fn config(directory: Option<std::path::PathBuf>) -> Config {
    let mut config = Config::default();
    config.accounts.push(AccountConfigAlias {
        id: "work".into(),
        username: "2001".into(),
        domain: "127.0.0.1".into(),
        register: false,
        region: Some("NL".into()),
        directory: directory.map(|path| parla_core::config::DirectoryConfig {
            path: Some(path),
            ..Default::default()
        }),
        ..AccountConfigAlias::default()
    });
    config.accounts.push(AccountConfigAlias {
        id: LOCAL_LINE.into(),
        enabled: false,
        ..AccountConfigAlias::default()
    });
    config
}

use parla_core::config::AccountConfig as AccountConfigAlias;

impl Live {
    fn start(make: impl FnOnce(&std::path::Path) -> Config) -> Live {
        let profile = tempfile::tempdir().expect("profile");
        let config = make(profile.path());
        let secrets = std::sync::Arc::new(MemorySecrets::default());
        let (engine, events) =
            EngineLink::start(config.clone(), secrets, profile.path()).expect("engine starts");
        let (app, _) = App::new(
            config,
            profile.path().to_path_buf(),
            engine,
            Launch::default(),
        );
        Live {
            app,
            events,
            seen: Vec::new(),
            profile,
        }
    }

    fn send(&mut self, message: Message) {
        let _ = self.app.update(message);
    }

    /// Feeds the engine's events to the window until `done` holds (10 s at most).
    fn until(&mut self, what: &str, done: impl Fn(&App, &[Event]) -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            while let Ok(event) = self.events.try_recv() {
                self.seen.push(event.clone());
                let _ = self.app.update(Message::Engine(event));
            }
            if done(&self.app, &self.seen) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; events: {:?}",
                self.seen
            );
            // Waiting for the engine thread's next event, bounded by the deadline.
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn quit(self) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(self.app.engine.clone().quit());
        drop(self.profile);
    }
}

#[test]
fn a_contact_is_added_found_and_called_from_the_contacts_tab() {
    let mut h = Live::start(|_| config(None));
    h.until("the database", |_, seen| {
        seen.iter().any(|e| matches!(e, Event::Database { .. }))
    });
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::New));
    for (field, value) in [
        (contact_form::Field::First, "Ada"),
        (contact_form::Field::Last, "Lovelace"),
        (contact_form::Field::Phone(0), "+31 6 1234 5678"),
    ] {
        h.send(Message::Contacts(contacts::Msg::Form(
            contact_form::Msg::Edit(field, value.into()),
        )));
    }
    h.send(Message::Contacts(contacts::Msg::Form(
        contact_form::Msg::Save,
    )));
    h.until("the saved card", |app, _| {
        app.contacts.form.is_none() && app.contacts.selected.is_some()
    });
    assert_eq!(
        h.app.contacts.selected.as_ref().map(|c| c.name.as_str()),
        Some("Ada Lovelace")
    );
    h.send(Message::Contacts(contacts::Msg::Back));
    h.send(Message::Contacts(contacts::Msg::Query("5678".into())));
    h.until("a number fragment finds her", |app, _| {
        app.contacts.results.len() == 1
    });
    let id = h.app.contacts.results[0].id;
    h.send(Message::Contacts(contacts::Msg::Favourite(id, true)));
    h.until("the favourite mark", |app, _| {
        app.contacts
            .results
            .first()
            .is_some_and(|c| c.fields.favourite)
    });
    h.send(Message::Contacts(contacts::Msg::Open(id)));
    h.send(Message::Contacts(contacts::Msg::Call(
        "+31 6 1234 5678".into(),
    )));
    assert_eq!(h.app.tab, Tab::Phone, "calling goes to the call screen");
    h.quit();
}

#[test]
fn a_saved_contact_that_the_engine_refuses_says_so_on_the_form() {
    let mut h = Live::start(|_| config(None));
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::New));
    // Valid for the form, but a contact with four phones is refused by the store: the form
    // has three slots, so this one is sent as a command the way a headless client would.
    let mut fields = parla_core::store::ContactFields {
        first_name: "Too".into(),
        ..Default::default()
    };
    for n in 0..4 {
        fields.phones.push(parla_core::store::Phone::new(
            parla_core::store::PhoneLabel::Other,
            format!("+3120555000{n}"),
        ));
    }
    h.app.send(Command::SaveContact {
        id: None,
        contact: Box::new(fields),
        request: Some(u64::MAX),
    });
    h.until("the refusal", |_, seen| {
        seen.iter().any(|e| {
            matches!(
                e,
                Event::Error {
                    kind: parla_core::api::ErrorKind::InvalidContact,
                    request: Some(u64::MAX),
                    ..
                }
            )
        })
    });
    assert!(h.app.contacts.results.is_empty());
    h.quit();
}

#[test]
fn a_company_directory_is_synced_by_the_engine_and_a_failed_sync_keeps_it() {
    let mut h = Live::start(|profile| {
        let csv = profile.join("company.csv");
        std::fs::write(
            &csv,
            "First Name,Last Name,Phone\nGrace,Hopper,+1 202 555 0100\nAlan,Turing,+44 20 7946 0000\n",
        )
        .expect("write directory");
        config(Some(csv))
    });
    h.until("the sync at start", |_, seen| {
        seen.iter().any(|e| {
            matches!(
                e,
                Event::DirectorySync {
                    state: SyncState::Synced,
                    contacts: Some(2),
                    ..
                }
            )
        })
    });
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::Filter(
        contacts::FilterItem::new(SearchFilter::Shared),
    )));
    h.until("the shared contacts", |app, _| {
        app.contacts.results.len() == 2
    });

    std::fs::write(h.profile.path().join("company.csv"), "not,a\n").expect("break it");
    h.app.send(Command::SyncDirectories {
        account: None,
        request: Some(1),
    });
    h.until("the failed sync's notice", |app, _| {
        app.notice.as_deref().is_some_and(|n| n.contains("work"))
    });
    h.send(Message::Contacts(contacts::Msg::Query(String::new())));
    h.until("the list again", |app, _| app.contacts.results.len() == 2);
    h.quit();
}

#[test]
fn the_history_tab_lists_deletes_and_clears_through_the_engine() {
    use parla_core::store::{CallRecord, CallResult, Direction, Store, DB_FILE_NAME};
    let mut h = Live::start(|profile| {
        // Two calls already in the profile's history (the test writes them; the window never
        // opens the store).
        let mut store = Store::open(&profile.join(DB_FILE_NAME))
            .expect("store")
            .store;
        let now = std::time::SystemTime::now();
        for result in [CallResult::Answered, CallResult::Missed] {
            let call = CallRecord {
                direction: Direction::Incoming,
                account: "work".into(),
                remote_uri: "sip:+31612345678@127.0.0.1".into(),
                number: String::new(),
                display_name: "Ada".into(),
                started: now,
                answered: None,
                ended: now,
                result,
                reason: String::new(),
            };
            store
                .record_call(&call, "NL".parse().expect("region"))
                .expect("recorded");
        }
        config(None)
    });
    h.until("the missed call count from the engine", |app, _| {
        app.missed == 1
    });
    h.send(Message::Tab(Tab::History));
    assert_eq!(
        h.app.missed, 0,
        "opening the history marks missed calls seen"
    );
    h.until("the history", |app, _| app.history.entries.len() == 2);
    let id = h.app.history.entries[0].id;
    h.send(Message::History(history::Msg::Delete(id)));
    h.until("one deleted", |app, seen| {
        app.history.entries.len() == 1
            && seen
                .iter()
                .any(|e| matches!(e, Event::HistoryChanged { .. }))
    });
    h.send(Message::History(history::Msg::ClearAll));
    h.until("all cleared", |app, seen| {
        app.history.entries.is_empty()
            && seen
                .iter()
                .filter(|e| matches!(e, Event::HistoryChanged { .. }))
                .count()
                == 2
    });
    h.quit();
}

/// A CSV of three rows in `dir`: two contacts and one row without a number (refused).
fn people_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let csv = dir.join("people.csv");
    std::fs::write(
        &csv,
        "First Name,Last Name,Phone\nAda,Lovelace,+44 20 7946 0018\nGrace,Hopper,+1 202 555 0100\nNobody,,\n",
    )
    .expect("write csv");
    csv
}

#[test]
fn the_import_panel_imports_a_typed_path_and_shows_the_counts_of_its_own_answer() {
    let mut h = Live::start(|_| config(None));
    h.until("the database", |_, seen| {
        seen.iter().any(|e| matches!(e, Event::Database { .. }))
    });
    let csv = people_csv(h.profile.path());
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::Import));
    assert!(
        h.app.contacts.import.is_some(),
        "the button opens the panel"
    );
    // Import with an empty field does nothing.
    h.send(Message::Contacts(contacts::Msg::ImportPanel(
        contacts::import::Msg::Start,
    )));
    assert_eq!(h.app.contacts.import.as_ref().and_then(|p| p.waiting), None);
    h.send(Message::Contacts(contacts::Msg::ImportPanel(
        contacts::import::Msg::Path(csv.display().to_string()),
    )));
    h.send(Message::Contacts(contacts::Msg::ImportPanel(
        contacts::import::Msg::Start,
    )));
    let request = h
        .app
        .contacts
        .import
        .as_ref()
        .and_then(|p| p.waiting)
        .expect("the panel waits for a request id");

    // An answer to someone else's import (a control-socket client) leaves the panel waiting.
    let _ = h.app.update(Message::Engine(Event::ContactsImported {
        request: Some(request.wrapping_sub(1)),
        imported: 99,
        refused: 0,
        refused_rows: Vec::new(),
    }));
    let panel = h.app.contacts.import.clone().expect("panel");
    assert_eq!((panel.waiting, panel.said), (Some(request), None));

    h.until("the import's answer", |app, seen| {
        seen.iter().any(|e| {
            matches!(e, Event::ContactsImported { request: Some(r), imported: 2, refused: 1, .. } if *r == request)
        }) && app.contacts.import.as_ref().is_some_and(|p| p.said.is_some())
    });
    let panel = h.app.contacts.import.clone().expect("panel");
    let Some(contacts::import::Said::Done(counts, refusals)) = panel.said else {
        panic!("{panel:?}");
    };
    assert_eq!(counts, "Imported 2 contacts, one row skipped");
    assert_eq!(refusals.len(), 1);
    assert_eq!(panel.waiting, None);
    h.until("the new contacts in the list", |app, _| {
        app.contacts.results.len() == 2
    });

    // Cancel closes the panel.
    h.send(Message::Contacts(contacts::Msg::ImportPanel(
        contacts::import::Msg::Cancel,
    )));
    assert!(h.app.contacts.import.is_none());
    h.quit();
}

#[test]
fn a_file_that_cannot_be_imported_says_why_in_the_panel() {
    let mut h = Live::start(|_| config(None));
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::Import));
    let missing = h.profile.path().join("missing.csv");
    h.send(Message::Contacts(contacts::Msg::ImportPanel(
        contacts::import::Msg::Path(missing.display().to_string()),
    )));
    h.send(Message::Contacts(contacts::Msg::ImportPanel(
        contacts::import::Msg::Start,
    )));
    h.until("the refusal", |app, _| {
        app.contacts
            .import
            .as_ref()
            .is_some_and(|p| matches!(p.said, Some(contacts::import::Said::Failed(_))))
    });
    let said = h.app.contacts.import.clone().and_then(|p| p.said);
    let Some(contacts::import::Said::Failed(why)) = said else {
        unreachable!()
    };
    assert!(why.starts_with("Nothing was imported: "), "{why}");
    assert!(why.contains("missing.csv"), "{why}");
    assert!(h.app.notice.is_none(), "the panel says it, not the notice");
    h.quit();
}

#[test]
fn a_contacts_file_dropped_on_the_window_is_imported_on_the_contacts_tab() {
    let mut h = Live::start(|_| config(None));
    h.until("the database", |_, seen| {
        seen.iter().any(|e| matches!(e, Event::Database { .. }))
    });
    let csv = people_csv(h.profile.path());
    let main = h.app.main_window.expect("the main window");
    // A file of another kind is not imported.
    h.send(Message::FileDropped(
        main,
        h.profile.path().join("song.ogg"),
    ));
    assert_eq!(h.app.tab, Tab::Phone);
    assert!(h.app.contacts.import.is_none());
    assert!(h.app.notice.is_some());

    h.send(Message::FileDropped(main, csv.clone()));
    assert_eq!(h.app.tab, Tab::Contacts, "the drop opens the contacts");
    let panel = h.app.contacts.import.clone().expect("the panel opens");
    assert_eq!(panel.path, csv.display().to_string());
    let request = panel.waiting.expect("the import is under way");
    h.until("the import's answer", |app, seen| {
        seen.iter().any(|e| {
            matches!(e, Event::ContactsImported { request: Some(r), imported: 2, .. } if *r == request)
        }) && app.contacts.results.len() == 2
    });
    h.quit();
}

#[test]
fn import_counts_are_said_with_plural_forms_in_every_language() {
    use crate::i18n::Language;
    let en = crate::i18n::I18n::new(Language::English);
    assert_eq!(contacts::import::counts(&en, 1, 0), "Imported one contact");
    assert_eq!(
        contacts::import::counts(&en, 12, 3),
        "Imported 12 contacts, 3 rows skipped"
    );
    assert_eq!(
        contacts::import::counts(&en, 0, 1),
        "No new contacts imported, one row skipped"
    );
    for language in Language::ALL {
        let i18n = crate::i18n::I18n::new(language);
        let said = contacts::import::counts(&i18n, 12, 3);
        assert!(
            said.contains("12") && said.contains('3') && !said.contains("contacts-"),
            "{language:?}: {said}"
        );
    }
}
