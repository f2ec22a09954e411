//! Busy lamps and presence: `presence` events light the Phone tab's lamps (matched loosely to
//! the line's watch entries); a click picks up a ringing extension, calls an idle one, and
//! with a call up transfers it there; watched extensions added and removed on the line's page
//! (and from a contact's card) are saved and told to the engine; the contacts' Online filter;
//! our own status sent with `set_presence`.

use super::*;
use crate::screen::lamps::{self, Msg as LampMsg};
use crate::screen::settings::LampChange;
use parla_core::api::{ContactEntry, OwnPresence, PresenceState};
use parla_core::store::{ContactFields, ContactId, Phone, PhoneLabel, SearchFilter};

/// The work line watching 201, 202 and bob's address.
fn watching() -> Harness {
    let mut config = Config::default();
    config.accounts.push(AccountConfig {
        id: "work".into(),
        username: "2001".into(),
        domain: "pbx.example.com".into(),
        password: Some("from-file".into()),
        default: true,
        watch: vec!["201".into(), "202".into(), "sip:bob@pbx.example.com".into()],
        pickup_code: Some("**".into()),
        ..AccountConfig::default()
    });
    let mut h = Harness::new(config);
    let _ = h.sent();
    h
}

fn presence(account: &str, uri: &str, state: PresenceState) -> Event {
    Event::Presence {
        account: AccountId::new(account),
        uri: uri.into(),
        state,
    }
}

fn lamp(h: &Harness, entry: &str) -> Option<PresenceState> {
    h.app
        .lamps
        .presence
        .of_entry(&AccountId::new("work"), entry)
        .map(|(_, state)| state)
}

fn press(h: &mut Harness, entry: &str) -> Vec<Command> {
    h.send(Message::Lamps(LampMsg::Press(
        AccountId::new("work"),
        entry.into(),
    )));
    h.sent()
}

fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

fn saved_config(h: &mut Harness) -> String {
    h.app.config_writer.flush();
    std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved")
}

fn watch_of(h: &Harness) -> Vec<String> {
    h.app
        .config
        .accounts
        .iter()
        .find(|a| a.id == "work")
        .map(|a| a.watch.clone())
        .expect("work line")
}

#[test]
fn presence_events_light_the_lamps_of_the_watch_entries() {
    let mut h = watching();
    assert_eq!(lamp(&h, "201"), None, "nothing reported yet: unknown");
    draw(&h);
    h.event(presence(
        "work",
        "sip:201@pbx.example.com;user=phone",
        PresenceState::Ringing,
    ));
    h.event(presence(
        "work",
        "sip:202@pbx.example.com",
        PresenceState::Busy,
    ));
    h.event(presence(
        "work",
        "sip:bob@pbx.example.com",
        PresenceState::Available,
    ));
    // Another line's 203 and another line's 201 light nothing here.
    h.event(presence(
        "home",
        "sip:201@other.example",
        PresenceState::Busy,
    ));
    assert_eq!(lamp(&h, "201"), Some(PresenceState::Ringing));
    assert_eq!(lamp(&h, "202"), Some(PresenceState::Busy));
    assert_eq!(
        lamp(&h, "sip:bob@pbx.example.com"),
        Some(PresenceState::Available)
    );
    assert_eq!(lamps::lamp_of(lamp(&h, "201")), crate::style::Lamp::Ringing);
    draw(&h);
    // The call ended at 201: the lamp follows.
    h.event(presence(
        "work",
        "sip:201@pbx.example.com;user=phone",
        PresenceState::Available,
    ));
    assert_eq!(lamp(&h, "201"), Some(PresenceState::Available));
}

#[test]
fn a_click_picks_up_a_ringing_lamp_and_calls_an_idle_one() {
    let mut h = watching();
    h.event(presence(
        "work",
        "sip:201@pbx.example.com",
        PresenceState::Ringing,
    ));
    h.event(presence(
        "work",
        "sip:202@pbx.example.com",
        PresenceState::Available,
    ));
    assert_eq!(
        press(&mut h, "201"),
        vec![Command::Pickup {
            account: Some(AccountId::new("work")),
            uri: "sip:201@pbx.example.com".into(),
        }],
        "the engine gets the lamp's address as it named it"
    );
    assert_eq!(
        press(&mut h, "202"),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "202".into(),
            identity: None,
            anonymous: false,
        }]
    );
    // A lamp nothing was reported for yet is called too.
    h.app.tab = Tab::Contacts;
    assert_eq!(
        press(&mut h, "sip:bob@pbx.example.com"),
        vec![Command::Dial {
            account: Some(AccountId::new("work")),
            to: "sip:bob@pbx.example.com".into(),
            identity: None,
            anonymous: false,
        }]
    );
    assert_eq!(h.app.tab, Tab::Phone, "a call shows the Phone tab");
}

#[test]
fn with_a_call_up_a_click_transfers_it_and_a_ringing_lamp_is_still_picked_up() {
    let mut h = watching();
    h.event(Event::CallState {
        call: CallId(7),
        state: CallState::Calling,
        account: Some(AccountId::new("work")),
        remote: Some("sip:+34912345678@pbx.example.com".into()),
        name: None,
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    });
    // Calling is not up yet: a click still calls.
    assert!(matches!(
        press(&mut h, "202").as_slice(),
        [Command::Dial { .. }]
    ));
    h.event(Event::call_state(CallId(7), CallState::Connected));
    let _ = h.sent();
    draw(&h);
    h.event(presence(
        "work",
        "sip:202@pbx.example.com",
        PresenceState::Available,
    ));
    assert_eq!(
        press(&mut h, "202"),
        vec![Command::Transfer {
            call: CallId(7),
            to: Some("202".into()),
            to_call: None,
        }]
    );
    h.event(presence(
        "work",
        "sip:201@pbx.example.com",
        PresenceState::Ringing,
    ));
    assert!(matches!(
        press(&mut h, "201").as_slice(),
        [Command::Pickup { .. }]
    ));
}

#[test]
fn watched_extensions_added_and_removed_on_the_line_page_are_saved() {
    let mut h = watching();
    let lamps = |change| Message::Settings(settings::Msg::Lamps("work".into(), change));
    h.send(lamps(LampChange::Draft(" 203 ".into())));
    assert!(h.sent().is_empty(), "typing tells the engine nothing");
    assert_eq!(
        h.app
            .settings
            .lamp_drafts
            .get("work")
            .map(|d| d.entry.as_str()),
        Some(" 203 ")
    );
    h.send(lamps(LampChange::Add(" 203 ".into())));
    assert_eq!(
        watch_of(&h),
        ["201", "202", "sip:bob@pbx.example.com", "203"]
    );
    let sent = h.sent();
    let [Command::SetAccount { account }] = sent.as_slice() else {
        panic!("one set_account, got {sent:?}");
    };
    assert_eq!(account.watch.last().map(String::as_str), Some("203"));
    assert_eq!(
        h.app
            .settings
            .lamp_drafts
            .get("work")
            .map(|d| d.entry.as_str()),
        Some(""),
        "the field empties"
    );
    assert!(saved_config(&mut h).contains("\"203\""));
    // A repeat is not added twice.
    h.send(lamps(LampChange::Add("203".into())));
    assert!(h.sent().is_empty());
    assert_eq!(watch_of(&h).len(), 4);

    h.send(lamps(LampChange::Remove("202".into())));
    assert_eq!(watch_of(&h), ["201", "sip:bob@pbx.example.com", "203"]);
    assert!(matches!(h.sent().as_slice(), [Command::SetAccount { .. }]));
    let file = saved_config(&mut h);
    assert!(!file.contains("\"202\""), "{file}");

    h.send(lamps(LampChange::Pickup(" *8 ".into())));
    assert!(
        matches!(h.sent().as_slice(), [Command::SetAccount { account }]
        if account.pickup_code.as_deref() == Some("*8"))
    );
    assert!(saved_config(&mut h).contains("\"*8\""));
    h.app.settings.line_open = Some("work".into());
    h.app.tab = Tab::Settings;
    draw(&h);
}

fn contact(id: i64, first_name: &str, number: &str) -> ContactEntry {
    let fields = ContactFields {
        first_name: first_name.into(),
        phones: vec![Phone::new(PhoneLabel::Work, number)],
        ..ContactFields::default()
    };
    ContactEntry {
        id: ContactId(id),
        name: fields.display_name(),
        fields,
    }
}

#[test]
fn the_online_filter_keeps_the_contacts_available_away_or_busy() {
    let mut h = watching();
    h.send(Message::Tab(Tab::Contacts));
    h.send(Message::Contacts(contacts::Msg::Filter(
        contacts::FilterItem::online(),
    )));
    let sent = h.sent();
    // The filter's search (the last asked) is the one the list waits for.
    let request = sent.iter().rev().find_map(|c| match c {
        Command::SearchContacts {
            request, filter, ..
        } => {
            assert_eq!(*filter, SearchFilter::All, "the engine is asked for all");
            *request
        }
        _ => None,
    });
    assert!(request.is_some());
    h.event(Event::Contacts {
        request,
        contacts: vec![
            contact(1, "Ada", "201"),
            contact(2, "Bob", "202"),
            contact(3, "Carol", "203"),
            contact(4, "Dan", "204"),
        ],
    });
    h.event(presence(
        "work",
        "sip:201@pbx.example.com",
        PresenceState::Available,
    ));
    h.event(presence(
        "work",
        "sip:202@pbx.example.com",
        PresenceState::Away,
    ));
    h.event(presence(
        "work",
        "sip:203@pbx.example.com",
        PresenceState::Offline,
    ));
    h.event(presence(
        "work",
        "sip:204@pbx.example.com",
        PresenceState::Busy,
    ));
    let shown: Vec<String> = h
        .app
        .contacts
        .shown(&h.app.lamps.presence)
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(shown, ["Ada", "Bob", "Dan"]);
    draw(&h);
    // Back to All: everyone.
    h.send(Message::Contacts(contacts::Msg::Filter(
        contacts::FilterItem::new(SearchFilter::All),
    )));
    assert_eq!(h.app.contacts.shown(&h.app.lamps.presence).count(), 4);
}

#[test]
fn watch_on_a_contact_card_adds_the_number_to_the_default_line() {
    let mut h = watching();
    h.app.contacts.selected = Some(contact(5, "Eve", "205"));
    h.app.tab = Tab::Contacts;
    draw(&h);
    h.send(Message::Contacts(contacts::Msg::Watch("205".into())));
    assert_eq!(watch_of(&h).last().map(String::as_str), Some("205"));
    assert!(matches!(h.sent().as_slice(), [Command::SetAccount { .. }]));
    assert!(saved_config(&mut h).contains("\"205\""));
    assert_eq!(h.app.watched_on_default_line().len(), 4);
}

#[test]
fn the_status_picker_sends_set_presence() {
    let mut h = watching();
    h.send(Message::Lamps(LampMsg::Own(OwnPresence::Away)));
    assert_eq!(
        h.sent(),
        vec![Command::SetPresence {
            state: OwnPresence::Away
        }]
    );
    assert_eq!(h.app.lamps.own, OwnPresence::Away);
    draw(&h);
    h.send(Message::Lamps(LampMsg::Own(OwnPresence::Busy)));
    assert_eq!(
        h.sent(),
        vec![Command::SetPresence {
            state: OwnPresence::Busy
        }]
    );
}
