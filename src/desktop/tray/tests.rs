//! The tray item on a real (test-started) session bus with a real StatusNotifierWatcher, read
//! and clicked through `busctl` as a panel would.

use std::time::Duration;

use parla_testbench::{SessionBus, TrayWatcher};
use serde_json::Value;

use super::*;

const WAIT: Duration = Duration::from_secs(10);
const SNI_PATH: &str = "/StatusNotifierItem";
const SNI_INTERFACE: &str = "org.kde.StatusNotifierItem";
const MENU_PATH: &str = "/MenuBar";
const MENU_INTERFACE: &str = "com.canonical.dbusmenu";

fn bench() -> (SessionBus, TrayWatcher) {
    assert!(
        SessionBus::available() && TrayWatcher::available(),
        "dbus-daemon/busctl or status-notifier-watcher missing: scripts/install-test-deps.sh installs them"
    );
    let bus = SessionBus::start().expect("start a session bus");
    let watcher = TrayWatcher::start(&bus).expect("start status-notifier-watcher");
    (bus, watcher)
}

fn status() -> TrayStatus {
    TrayStatus {
        lines: LinesStatus::AllRegistered,
        dnd: false,
        missed_calls: 0,
        new_voicemail: 0,
        unread_messages: 0,
        window_visible: true,
        forwarding: false,
        labels: TrayLabels::default(),
    }
}

fn property(bus: &SessionBus, item: &str, name: &str) -> Value {
    bus.get_property(item, SNI_PATH, SNI_INTERFACE, name)
        .unwrap_or_else(|e| panic!("reading {name}: {e}"))
}

/// Polls a property until `check` accepts it (the update travels through a task and D-Bus).
fn wait_property(bus: &SessionBus, item: &str, name: &str, check: impl Fn(&Value) -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let value = property(bus, item, name);
        if check(&value) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name} stayed {value}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The menu's top-level entries as (id, properties).
fn menu_entries(bus: &SessionBus, item: &str) -> Vec<(i64, Value)> {
    let reply = bus
        .busctl_json(&[
            "--",
            "call",
            item,
            MENU_PATH,
            MENU_INTERFACE,
            "GetLayout",
            "iias",
            "0",
            "-1",
            "0",
        ])
        .expect("GetLayout");
    // (u revision, (i id, a{sv} props, av children))
    let children = reply
        .pointer("/data/1/2")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    children
        .iter()
        .filter_map(|child| {
            let entry = child.get("data")?;
            Some((entry.get(0)?.as_i64()?, entry.get(1)?.clone()))
        })
        .collect()
}

fn entry_with_label(entries: &[(i64, Value)], label: &str) -> (i64, Value) {
    entries
        .iter()
        .find(|(_, props)| props.pointer("/label/data").and_then(Value::as_str) == Some(label))
        .cloned()
        .unwrap_or_else(|| panic!("no menu entry {label:?} in {entries:?}"))
}

fn click(bus: &SessionBus, item: &str, id: i64) {
    let id = id.to_string();
    bus.busctl(&[
        "call",
        item,
        MENU_PATH,
        MENU_INTERFACE,
        "Event",
        "isvu",
        &id,
        "clicked",
        "i",
        "0",
        "0",
    ])
    .expect("menu Event");
}

async fn next_notice(notices: &mut TrayNotices) -> Option<TrayNotice> {
    tokio::time::timeout(WAIT, notices.recv())
        .await
        .expect("a tray notice in time")
}

async fn next_action(notices: &mut TrayNotices) -> Option<TrayAction> {
    next_notice(notices).await.map(|notice| match notice {
        TrayNotice::Action(action) => action,
        other => panic!("expected an action, got {other:?}"),
    })
}

/// Waits until the watcher lists an item; returns the item's bus name.
fn wait_registered(watcher: &TrayWatcher) -> String {
    let items = watcher.wait_for_item(WAIT).expect("item registered");
    let item = items[0].split('/').next().expect("a bus name").to_string();
    assert!(
        item.starts_with("org.kde.StatusNotifierItem-"),
        "registered as {items:?}"
    );
    item
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tray_registers_shows_status_and_reports_clicks() {
    let (bus, watcher) = bench();
    let _env = bus.use_in_this_process();
    let (handle, mut actions) = start(status()).await.expect("tray starts");
    assert_eq!(
        next_notice(&mut actions).await,
        Some(TrayNotice::Shown(true))
    );
    assert!(handle.is_shown());

    let item = wait_registered(&watcher);
    let introspection = bus
        .busctl(&["introspect", &item, SNI_PATH])
        .expect("introspect");
    assert!(introspection.contains(SNI_INTERFACE), "{introspection}");

    assert_eq!(property(&bus, &item, "Id"), "parla");
    assert_eq!(property(&bus, &item, "Title"), "Parla");
    assert_eq!(property(&bus, &item, "Category"), "Communications");
    assert_eq!(property(&bus, &item, "Status"), "Active");
    let tooltip = property(&bus, &item, "ToolTip");
    assert_eq!(tooltip[2], "Parla");
    assert_eq!(tooltip[3], "Connected");
    let pixmaps = property(&bus, &item, "IconPixmap");
    let sizes: Vec<(i64, i64, usize)> = pixmaps
        .as_array()
        .expect("a(iiay)")
        .iter()
        .map(|p| {
            (
                p[0].as_i64().unwrap_or(0),
                p[1].as_i64().unwrap_or(0),
                p[2].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            (22, 22, 22 * 22 * 4),
            (32, 32, 32 * 32 * 4),
            (48, 48, 48 * 48 * 4)
        ]
    );

    let entries = menu_entries(&bus, &item);
    entry_with_label(&entries, "Hide Parla");
    let (_, dnd) = entry_with_label(&entries, "Do not disturb");
    assert_eq!(
        dnd.pointer("/toggle-type/data"),
        Some(&Value::from("checkmark"))
    );
    assert_eq!(dnd.pointer("/toggle-state/data"), Some(&Value::from(0)));

    // The app says: two missed calls, do not disturb on, window hidden.
    let mut next = status();
    next.dnd = true;
    next.missed_calls = 2;
    next.window_visible = false;
    next.labels.missed_calls = "2 missed calls".into();
    handle.update(next);
    wait_property(&bus, &item, "Status", |v| v == "NeedsAttention");
    let tooltip = property(&bus, &item, "ToolTip");
    assert_eq!(
        tooltip[3],
        "Connected\nDo not disturb is on\n2 missed calls"
    );
    assert_ne!(property(&bus, &item, "IconPixmap"), pixmaps);
    let entries = menu_entries(&bus, &item);
    let (show_id, _) = entry_with_label(&entries, "Show Parla");
    let (dnd_id, dnd) = entry_with_label(&entries, "Do not disturb");
    assert_eq!(dnd.pointer("/toggle-state/data"), Some(&Value::from(1)));
    let (quit_id, _) = entry_with_label(&entries, "Quit");

    click(&bus, &item, dnd_id);
    assert_eq!(
        next_action(&mut actions).await,
        Some(TrayAction::SetDnd(false))
    );
    click(&bus, &item, show_id);
    assert_eq!(
        next_action(&mut actions).await,
        Some(TrayAction::ToggleWindow)
    );
    bus.busctl(&[
        "call",
        &item,
        SNI_PATH,
        SNI_INTERFACE,
        "Activate",
        "ii",
        "10",
        "10",
    ])
    .expect("Activate");
    assert_eq!(
        next_action(&mut actions).await,
        Some(TrayAction::ToggleWindow)
    );
    click(&bus, &item, quit_id);
    assert_eq!(next_action(&mut actions).await, Some(TrayAction::Quit));

    // Dropping the handle takes the item off the bus and ends the actions.
    assert!(handle.is_running());
    drop(handle);
    assert_eq!(next_action(&mut actions).await, None);
    let deadline = std::time::Instant::now() + WAIT;
    while bus.names().expect("ListNames").contains(&item) {
        assert!(
            std::time::Instant::now() < deadline,
            "{item} still on the bus"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_that_starts_later_gets_the_icon() {
    assert!(
        SessionBus::available() && TrayWatcher::available(),
        "dbus-daemon/busctl or status-notifier-watcher missing"
    );
    let bus = SessionBus::start().expect("start a session bus");
    let _env = bus.use_in_this_process();
    // No StatusNotifierWatcher yet: the panel has not started.
    let (handle, mut notices) = start(status()).await.expect("tray starts without a panel");
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(false))
    );
    assert!(handle.is_running() && !handle.is_shown());

    let watcher = TrayWatcher::start(&bus).expect("start status-notifier-watcher");
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(true))
    );
    assert!(handle.is_shown());
    let item = wait_registered(&watcher);
    assert_eq!(property(&bus, &item, "Id"), "parla");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_without_a_host_shows_the_icon_once_a_host_registers() {
    assert!(
        SessionBus::available() && TrayWatcher::available(),
        "dbus-daemon/busctl or status-notifier-watcher missing"
    );
    let bus = SessionBus::start().expect("start a session bus");
    let _env = bus.use_in_this_process();
    let watcher = TrayWatcher::start_without_host(&bus).expect("start status-notifier-watcher");
    let (handle, mut notices) = start(status()).await.expect("tray starts");
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(false))
    );
    assert!(!handle.is_shown());

    watcher.register_host().expect("register a host");
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(true))
    );
    wait_registered(&watcher);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_panel_gets_the_icon_again() {
    let (bus, watcher) = bench();
    let _env = bus.use_in_this_process();
    let (handle, mut notices) = start(status()).await.expect("tray starts");
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(true))
    );
    let first = wait_registered(&watcher);

    drop(watcher);
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(false))
    );
    assert!(!handle.is_shown());

    let watcher = TrayWatcher::start(&bus).expect("restart status-notifier-watcher");
    assert_eq!(
        next_notice(&mut notices).await,
        Some(TrayNotice::Shown(true))
    );
    let again = wait_registered(&watcher);
    // The item answers under the name the new watcher knows, with what the app last said.
    let mut next = status();
    next.dnd = true;
    handle.update(next);
    wait_property(&bus, &again, "ToolTip", |v| {
        v[3] == "Connected\nDo not disturb is on"
    });
    assert!(
        !bus.names().expect("ListNames").contains(&first) || first == again,
        "the old item {first} lingers beside {again}"
    );
}

#[tokio::test]
async fn start_without_a_session_bus_is_an_error() {
    assert!(SessionBus::available(), "dbus-daemon missing");
    let bus = SessionBus::start().expect("start a session bus");
    let _env = bus.use_in_this_process();
    // The address stays set but nothing listens there any more.
    drop(bus);
    match start(status()).await {
        Err(TrayError::NoSessionBus(_)) => {}
        other => panic!("expected NoSessionBus, got {other:?}"),
    }
}
