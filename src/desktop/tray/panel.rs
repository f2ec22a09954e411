//! Whether a panel would show the item now: some StatusNotifierWatcher owns its name on the
//! session bus and says a StatusNotifierHost is registered with it. Followed through D-Bus
//! signals (the watcher's name changing owner, hosts coming and going), never polled.

use futures_util::StreamExt;
use zbus::fdo::{DBusProxy, NameOwnerChangedStream};
use zbus::names::{BusName, OwnedUniqueName, WellKnownName};

use super::TrayError;

const WATCHER_NAME: &str = "org.kde.StatusNotifierWatcher";

#[zbus::proxy(
    interface = "org.kde.StatusNotifierWatcher",
    default_service = "org.kde.StatusNotifierWatcher",
    default_path = "/StatusNotifierWatcher"
)]
trait Watcher {
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> zbus::Result<bool>;

    #[zbus(signal)]
    fn status_notifier_host_registered(&self) -> zbus::Result<()>;

    #[zbus(signal)]
    fn status_notifier_host_unregistered(&self) -> zbus::Result<()>;
}

/// Our own view of the panel, on a connection of its own (ksni's connection is private to it).
pub(super) struct Panel {
    dbus: DBusProxy<'static>,
    watcher: WatcherProxy<'static>,
    owners: NameOwnerChangedStream,
    hosts_on: StatusNotifierHostRegisteredStream,
    hosts_off: StatusNotifierHostUnregisteredStream,
}

impl Panel {
    /// Connects to the session bus and subscribes to the changes, before anything is read, so
    /// that no change between a read and the next wait goes unseen.
    pub(super) async fn connect() -> Result<Panel, TrayError> {
        let conn = zbus::Connection::session().await.map_err(TrayError::from)?;
        let dbus = DBusProxy::new(&conn).await.map_err(TrayError::from)?;
        let owners = dbus
            .receive_name_owner_changed_with_args(&[(0, WATCHER_NAME)])
            .await
            .map_err(TrayError::from)?;
        let watcher = WatcherProxy::builder(&conn)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .map_err(TrayError::from)?;
        let hosts_on = watcher
            .receive_status_notifier_host_registered()
            .await
            .map_err(TrayError::from)?;
        let hosts_off = watcher
            .receive_status_notifier_host_unregistered()
            .await
            .map_err(TrayError::from)?;
        Ok(Panel {
            dbus,
            watcher,
            owners,
            hosts_on,
            hosts_off,
        })
    }

    /// The watcher's owner (its unique bus name) when a panel would show an item now.
    pub(super) async fn watcher(&self) -> Option<OwnedUniqueName> {
        let name = BusName::from(WellKnownName::from_static_str_unchecked(WATCHER_NAME));
        let owner = self.dbus.get_name_owner(name).await.ok()?;
        match self.watcher.is_status_notifier_host_registered().await {
            Ok(false) => None,
            Ok(true) => Some(owner),
            // A watcher without the property: assume a host, as ksni does. A watcher that
            // just left is followed by its NameOwnerChanged.
            Err(_) => Some(owner),
        }
    }

    /// Waits for the next change that may alter [`Panel::watcher`]; `None` once the bus
    /// connection has ended.
    pub(super) async fn changed(&mut self) -> Option<()> {
        tokio::select! {
            change = self.owners.next() => change.map(drop),
            change = self.hosts_on.next() => change.map(drop),
            change = self.hosts_off.next() => change.map(drop),
        }
    }
}
