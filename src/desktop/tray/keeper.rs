//! Keeps the item on the panel: puts it on the bus and registers it whenever a panel is there,
//! takes it off when the panel leaves, and registers it anew when a panel (re)appears or
//! another watcher takes over. Tells the app each time the icon appears or goes.

use tokio::sync::{mpsc, watch};
use zbus::names::OwnedUniqueName;

use ksni::TrayMethods;

use super::item::ParlaTray;
use super::panel::Panel;
use super::{TrayError, TrayNotice, TrayStatus, START_TIMEOUT};

/// The item while it is registered, with the watcher it registered with.
struct Registered {
    watcher: OwnedUniqueName,
    service: ksni::Handle<ParlaTray>,
}

pub(super) async fn keep(
    mut panel: Panel,
    mut status: watch::Receiver<TrayStatus>,
    notices: mpsc::UnboundedSender<TrayNotice>,
    shown: watch::Sender<bool>,
) {
    let mut item: Option<Registered> = None;
    let mut reported = None;
    let mut recheck = true;
    loop {
        if recheck {
            recheck = false;
            let watcher = panel.watcher().await;
            if item.as_ref().is_some_and(|i| i.service.is_closed()) {
                item = None;
            }
            let current = item.as_ref().map(|i| &i.watcher);
            if current != watcher.as_ref() {
                if let Some(old) = item.take() {
                    old.service.shutdown().await;
                }
                if let Some(watcher) = watcher {
                    item = register(&status, &notices)
                        .await
                        .map(|service| Registered { watcher, service });
                }
            }
        }
        let now = item.is_some();
        if reported != Some(now) {
            reported = Some(now);
            shown.send_replace(now);
            // The app may be gone already; then nobody is left to tell.
            let _ = notices.send(TrayNotice::Shown(now));
        }
        tokio::select! {
            change = panel.changed() => match change {
                Some(()) => recheck = true,
                None => break,
            },
            update = status.changed() => {
                if update.is_err() {
                    break;
                }
                let latest = status.borrow_and_update().clone();
                if let Some(registered) = &item {
                    // ksni sends only what changed; `None`: the item stopped on its own.
                    let updated = registered.service.update(|tray| tray.set_status(latest));
                    recheck = updated.await.is_none();
                }
            }
        }
    }
    shown.send_replace(false);
    if let Some(registered) = item {
        registered.service.shutdown().await;
    }
}

/// Puts a fresh item on the bus and registers it with the watcher. `None` when that fails: the
/// watcher may have left in between (its NameOwnerChanged then says so) or not answer.
async fn register(
    status: &watch::Receiver<TrayStatus>,
    notices: &mpsc::UnboundedSender<TrayNotice>,
) -> Option<ksni::Handle<ParlaTray>> {
    let tray = ParlaTray::new(status.borrow().clone(), notices.clone());
    let spawned = tokio::time::timeout(START_TIMEOUT, tray.spawn())
        .await
        .map_err(|_| TrayError::Timeout(START_TIMEOUT))
        .and_then(|spawned| spawned.map_err(TrayError::from));
    match spawned {
        Ok(service) => Some(service),
        Err(error) => {
            tracing::info!(%error, "tray icon not registered");
            None
        }
    }
}
