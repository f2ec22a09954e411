//! A private session D-Bus for tests of the desktop parts (tray icon, notifications), so that
//! nothing ever reaches the developer's own desktop session.
//!
//! `dbus-daemon` runs with a config of our own: it listens on a socket in its temp folder and
//! has no service directories, so nothing is ever D-Bus-activated behind the test's back
//! (every daemon on it is started, and stopped by PID, by the bench). [`TrayWatcher`] puts a
//! StatusNotifierWatcher on it, standing in for a desktop panel.
//!
//! The app (or a test in the app's process) finds the bus through `DBUS_SESSION_BUS_ADDRESS`:
//! pass [`SessionBus::env`] to a child process, or hold [`SessionBus::use_in_this_process`]
//! while a test in this process talks to it.
//!
//! [`SessionBus::start_system`] starts one that stands in for the system bus instead, for the
//! system services a test runs on it (see `crate::rtkit`).

use std::ffi::OsString;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::error::{BenchError, IoContext, Result};
use crate::process::{poll_until, run_checked, Proc};
use crate::workdir::BenchDir;

/// The variable every D-Bus client reads to find the session bus.
pub const SESSION_BUS_ENV: &str = "DBUS_SESSION_BUS_ADDRESS";
/// The variable every D-Bus client reads to find the system bus.
pub const SYSTEM_BUS_ENV: &str = "DBUS_SYSTEM_BUS_ADDRESS";
const START_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);

/// Only one test at a time may point this process's `DBUS_SESSION_BUS_ADDRESS` at its bus.
static PROCESS_BUS: Mutex<()> = Mutex::new(());

/// A running private session bus. Dropping it stops the daemon.
#[derive(Debug)]
pub struct SessionBus {
    proc: Proc,
    address: String,
    dir: BenchDir,
}

impl SessionBus {
    /// True if `dbus-daemon` and `busctl` can be run.
    pub fn available() -> bool {
        tool_runs("dbus-daemon", "--version") && tool_runs("busctl", "--version")
    }

    /// Starts the daemon and waits until it answers.
    pub fn start() -> Result<SessionBus> {
        Self::start_as(BusKind::Session)
    }

    /// A bus standing in for the system bus, for system services a test starts on it (rtkit,
    /// polkit): they find it through `DBUS_SYSTEM_BUS_ADDRESS` ([`SYSTEM_BUS_ENV`]), and a
    /// service that drops to its own user may connect.
    pub fn start_system() -> Result<SessionBus> {
        Self::start_as(BusKind::System)
    }

    fn start_as(kind: BusKind) -> Result<SessionBus> {
        let dir = BenchDir::new("dbus")?;
        let socket = dir.join("bus");
        let address = format!("unix:path={}", socket.display());
        let config = dir.join("bus.conf");
        std::fs::write(&config, bus_config(kind, &address))
            .ctx(|| format!("writing {}", config.display()))?;
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg("--nofork")
            .arg("--nopidfile")
            .arg("--nosyslog")
            .arg(format!("--config-file={}", config.display()));
        let proc = Proc::spawn("dbus-daemon", cmd, &dir.join("dbus-daemon.log"))?;
        let mut bus = SessionBus { proc, address, dir };
        bus.wait_ready()?;
        Ok(bus)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let ready = poll_until(START_TIMEOUT, POLL, || {
            self.proc.ensure_running()?;
            Ok(self
                .busctl(&[
                    "call",
                    "org.freedesktop.DBus",
                    "/",
                    "org.freedesktop.DBus",
                    "GetId",
                ])
                .ok())
        })?;
        match ready {
            Some(_) => Ok(()),
            None => Err(BenchError::timeout(
                "dbus-daemon to answer",
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )),
        }
    }

    /// `unix:path=...`: the value for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The environment a D-Bus client needs to use this bus (and only this bus).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![(SESSION_BUS_ENV.to_string(), self.address.clone())]
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn dir(&self) -> &BenchDir {
        &self.dir
    }

    /// Runs `busctl --address=BUS ARGS...` and returns its stdout.
    pub fn busctl(&self, args: &[&str]) -> Result<String> {
        let mut cmd = Command::new("busctl");
        cmd.arg(format!("--address={}", self.address))
            .arg("--no-pager")
            .args(args);
        run_checked(&mut cmd)
    }

    /// Like [`SessionBus::busctl`] with `--json=short`, parsed.
    pub fn busctl_json(&self, args: &[&str]) -> Result<serde_json::Value> {
        let mut all = vec!["--json=short"];
        all.extend_from_slice(args);
        let out = self.busctl(&all)?;
        serde_json::from_str(out.trim()).map_err(|e| BenchError::Protocol {
            peer: "busctl".into(),
            detail: format!("{e}: {out}"),
        })
    }

    /// Reads a property; returns busctl's `data` member (a JSON value of the D-Bus type).
    pub fn get_property(
        &self,
        service: &str,
        path: &str,
        interface: &str,
        property: &str,
    ) -> Result<serde_json::Value> {
        let reply = self.busctl_json(&["get-property", service, path, interface, property])?;
        Ok(reply
            .get("data")
            .cloned()
            .unwrap_or(serde_json::Value::Null))
    }

    /// The bus names that currently have an owner.
    pub fn names(&self) -> Result<Vec<String>> {
        let reply = self.busctl_json(&[
            "call",
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "ListNames",
        ])?;
        Ok(reply
            .pointer("/data/0")
            .and_then(|names| names.as_array())
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits until some connection owns `name`.
    pub fn wait_for_name(&self, name: &str, timeout: Duration) -> Result<()> {
        let found = poll_until(timeout, POLL, || {
            Ok(self.names()?.iter().any(|n| n == name).then_some(()))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!("{name} on the test bus"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Points this process's `DBUS_SESSION_BUS_ADDRESS` at this bus until the guard drops (then
    /// puts back what was there). Tests in one process take turns: the guard holds a lock.
    pub fn use_in_this_process(&self) -> ProcessBusGuard {
        let lock = PROCESS_BUS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let previous = std::env::var_os(SESSION_BUS_ENV);
        // The lock keeps other bench users from changing it at the same time.
        std::env::set_var(SESSION_BUS_ENV, &self.address);
        ProcessBusGuard {
            _lock: lock,
            previous,
        }
    }
}

/// See [`SessionBus::use_in_this_process`].
#[derive(Debug)]
pub struct ProcessBusGuard {
    _lock: MutexGuard<'static, ()>,
    previous: Option<OsString>,
}

impl Drop for ProcessBusGuard {
    fn drop(&mut self) {
        match self.previous.take() {
            Some(previous) => std::env::set_var(SESSION_BUS_ENV, previous),
            None => std::env::remove_var(SESSION_BUS_ENV),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum BusKind {
    Session,
    System,
}

/// A bus that listens only on our socket, lets every local client talk to and own anything (it
/// is a private test bus), and activates nothing. A system bus also lets other users connect.
fn bus_config(kind: BusKind, address: &str) -> String {
    let (kind, users) = match kind {
        BusKind::Session => ("session", ""),
        BusKind::System => ("system", "\n    <allow user=\"*\"/>"),
    };
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{kind}</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">{users}
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
    )
}

/// The desktop panel's side of the tray protocol: `status-notifier-watcher` (Debian package
/// `haskell-status-notifier-item-utils`) owns `org.kde.StatusNotifierWatcher` on the bus, and
/// the bench registers a host name with it. No panel draws anything here: the registered host
/// is a stand-in so that items (which refuse to start when no host would show them) start.
#[derive(Debug)]
pub struct TrayWatcher {
    proc: Proc,
    address: String,
}

/// The watcher's well-known name, object path and interface.
pub const WATCHER_NAME: &str = "org.kde.StatusNotifierWatcher";
pub const WATCHER_PATH: &str = "/StatusNotifierWatcher";
const STAND_IN_HOST: &str = "org.kde.StatusNotifierHost-parla-bench";

impl TrayWatcher {
    /// True if `status-notifier-watcher` can be run.
    pub fn available() -> bool {
        tool_runs("status-notifier-watcher", "--version")
    }

    /// Starts the watcher on `bus`, waits for its name and registers the stand-in host.
    pub fn start(bus: &SessionBus) -> Result<TrayWatcher> {
        let watcher = TrayWatcher::start_without_host(bus)?;
        watcher.register_host()?;
        Ok(watcher)
    }

    /// Starts the watcher on `bus` and waits for its name; no host is registered yet (a panel
    /// whose tray plugin has not come up): items register but nothing would show them.
    pub fn start_without_host(bus: &SessionBus) -> Result<TrayWatcher> {
        let mut cmd = Command::new("status-notifier-watcher");
        cmd.env(SESSION_BUS_ENV, bus.address());
        let proc = Proc::spawn(
            "status-notifier-watcher",
            cmd,
            &bus.dir().join("status-notifier-watcher.log"),
        )?;
        let watcher = TrayWatcher {
            proc,
            address: bus.address().to_string(),
        };
        bus.wait_for_name(WATCHER_NAME, START_TIMEOUT)?;
        Ok(watcher)
    }

    /// Registers the stand-in host with the watcher.
    pub fn register_host(&self) -> Result<()> {
        let mut cmd = Command::new("busctl");
        cmd.arg(format!("--address={}", self.address)).args([
            "call",
            WATCHER_NAME,
            WATCHER_PATH,
            WATCHER_NAME,
            "RegisterStatusNotifierHost",
            "s",
            STAND_IN_HOST,
        ]);
        run_checked(&mut cmd).map(drop)
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    /// The items registered with the watcher (their bus names, possibly with an object path).
    pub fn registered_items(&self) -> Result<Vec<String>> {
        let mut cmd = Command::new("busctl");
        cmd.arg(format!("--address={}", self.address)).args([
            "--json=short",
            "get-property",
            WATCHER_NAME,
            WATCHER_PATH,
            WATCHER_NAME,
            "RegisteredStatusNotifierItems",
        ]);
        let out = run_checked(&mut cmd)?;
        let reply: serde_json::Value =
            serde_json::from_str(out.trim()).map_err(|e| BenchError::Protocol {
                peer: "status-notifier-watcher".into(),
                detail: format!("{e}: {out}"),
            })?;
        Ok(reply
            .get("data")
            .and_then(|items| items.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits until at least one item is registered; returns the registered items.
    pub fn wait_for_item(&self, timeout: Duration) -> Result<Vec<String>> {
        let items = poll_until(timeout, POLL, || {
            let items = self.registered_items()?;
            Ok((!items.is_empty()).then_some(items))
        })?;
        items.ok_or_else(|| {
            BenchError::timeout(
                "an item registered with the StatusNotifierWatcher",
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }
}

pub(crate) fn tool_runs(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::pid_exists;

    #[test]
    fn bus_starts_answers_and_stops_with_its_watcher() -> Result<()> {
        assert!(
            SessionBus::available() && TrayWatcher::available(),
            "dbus-daemon, busctl or status-notifier-watcher missing: scripts/install-test-deps.sh installs them"
        );
        let bus = SessionBus::start()?;
        let watcher = TrayWatcher::start(&bus)?;
        let registered = bus.get_property(
            WATCHER_NAME,
            WATCHER_PATH,
            WATCHER_NAME,
            "IsStatusNotifierHostRegistered",
        )?;
        assert_eq!(registered, serde_json::Value::Bool(true));
        assert!(watcher.registered_items()?.is_empty());
        let (bus_pid, watcher_pid) = (bus.pid(), watcher.pid());
        drop(watcher);
        drop(bus);
        assert!(!pid_exists(bus_pid));
        assert!(!pid_exists(watcher_pid));
        Ok(())
    }
}
