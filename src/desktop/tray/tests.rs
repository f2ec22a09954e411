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
        window_visible: true,
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

async fn next_action(actions: &mut TrayActions) -> Option<TrayAction> {
    tokio::time::timeout(WAIT, actions.recv())
        .await
        .expect("a tray action in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tray_registers_shows_status_and_reports_clicks() {
    let (bus, watcher) = bench();
    let _env = bus.use_in_this_process();
    let (handle, mut actions) = start(status()).await.expect("tray starts");

    let items = watcher.wait_for_item(WAIT).expect("item registered");
    let item = items[0].split('/').next().expect("a bus name").to_string();
    assert!(
        item.starts_with("org.kde.StatusNotifierItem-"),
        "registered as {items:?}"
    );
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

#[tokio::test]
async fn start_without_a_tray_is_an_error_not_a_hang() {
    assert!(SessionBus::available(), "dbus-daemon missing");
    let bus = SessionBus::start().expect("start a session bus");
    let _env = bus.use_in_this_process();
    // A bus with no StatusNotifierWatcher: no panel would show the icon.
    match start(status()).await {
        Err(TrayError::NoWatcher) => {}
        other => panic!("expected NoWatcher, got {other:?}"),
    }
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
