//! A real notification daemon (dunst) on a test's private session bus and X display.
//!
//! dunst shows notifications on the Xvfb display and answers org.freedesktop.Notifications on
//! the bus. Two small scripts of the bench ride along in its config:
//! - a rule that matches every notification runs `record`, which writes what dunst received
//!   (app name, summary, body, urgency, category, ...) into `received/ID/`; read it with
//!   [`Dunst::received`];
//! - dunst's context menu (the person's way to pick an action) runs `pick` instead of dmenu:
//!   it saves the menu lines dunst offers and picks the line of the action the test asked for
//!   ([`Dunst::invoke_action`]), so dunst itself signals ActionInvoked as if clicked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::{BenchError, IoContext, Result};
use crate::process::{poll_until, run_checked, Proc};
use crate::session_bus::{tool_runs, SessionBus, SESSION_BUS_ENV};
use crate::workdir::BenchDir;
use crate::xvfb::Xvfb;

const START_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);
/// The name every notification daemon owns.
pub const NOTIFICATIONS_NAME: &str = "org.freedesktop.Notifications";
/// Fields `record` writes, one file each (the values may hold newlines).
const FIELDS: [&str; 7] = [
    "app_name",
    "summary",
    "body",
    "urgency",
    "category",
    "desktop_entry",
    "timeout",
];

/// One notification as dunst received it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedNotification {
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    /// The raw body (markup not interpreted).
    pub body: String,
    /// `LOW`, `NORMAL` or `CRITICAL`.
    pub urgency: String,
    pub category: String,
    pub desktop_entry: String,
    /// Seconds; 0 = never expires.
    pub timeout: String,
}

/// A running dunst. Dropping it stops it.
#[derive(Debug)]
pub struct Dunst {
    proc: Proc,
    bus_address: String,
    dir: BenchDir,
}

impl Dunst {
    /// True if `dunst` and `dunstctl` can be run.
    pub fn available() -> bool {
        tool_runs("dunst", "-version") && tool_runs("dunstctl", "help")
    }

    /// Starts dunst on `bus` and `display`, and waits until it owns the notifications name.
    pub fn start(bus: &SessionBus, display: &Xvfb) -> Result<Dunst> {
        let dir = BenchDir::new("dunst")?;
        std::fs::create_dir_all(dir.join("received")).ctx(|| "creating received/".into())?;
        std::fs::create_dir_all(dir.join("home")).ctx(|| "creating home/".into())?;
        let record = dir.join("record");
        write_script(&record, &record_script(&dir.join("received")))?;
        let pick = dir.join("pick");
        write_script(&pick, &pick_script(dir.path()))?;
        let config = dir.join("dunstrc");
        std::fs::write(&config, dunstrc(&pick, &record))
            .ctx(|| format!("writing {}", config.display()))?;

        let mut cmd = Command::new("dunst");
        cmd.arg("-config")
            .arg(&config)
            .env(SESSION_BUS_ENV, bus.address())
            .env("DISPLAY", display.display())
            .env("HOME", dir.join("home"))
            .env("XDG_CONFIG_HOME", dir.join("home"))
            .env_remove("WAYLAND_DISPLAY");
        let proc = Proc::spawn("dunst", cmd, &dir.join("dunst.log"))?;
        let mut dunst = Dunst {
            proc,
            bus_address: bus.address().to_string(),
            dir,
        };
        if let Err(e) = bus.wait_for_name(NOTIFICATIONS_NAME, START_TIMEOUT) {
            dunst.proc.ensure_running()?;
            return Err(e);
        }
        Ok(dunst)
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn log_path(&self) -> &Path {
        self.proc.log_path()
    }

    /// Every notification dunst has received so far, by id.
    pub fn received(&self) -> Result<Vec<ReceivedNotification>> {
        let root = self.dir.join("received");
        let entries = std::fs::read_dir(&root).ctx(|| format!("reading {}", root.display()))?;
        let mut all = Vec::new();
        for entry in entries {
            let entry = entry.ctx(|| format!("reading {}", root.display()))?;
            let name = entry.file_name();
            // `record` writes into ID.tmp and renames it when complete
            let Some(id) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let read =
                |field: &str| std::fs::read_to_string(entry.path().join(field)).unwrap_or_default();
            let [app_name, summary, body, urgency, category, desktop_entry, timeout] =
                FIELDS.map(read);
            all.push(ReceivedNotification {
                id,
                app_name,
                summary,
                body,
                urgency,
                category,
                desktop_entry,
                timeout,
            });
        }
        all.sort_by_key(|n| n.id);
        Ok(all)
    }

    /// Waits until dunst has received at least `count` notifications; returns them all.
    pub fn wait_received(
        &mut self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedNotification>> {
        let found = poll_until(timeout, POLL, || {
            self.proc.ensure_running()?;
            let all = self.received()?;
            Ok((all.len() >= count).then_some(all))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!("dunst to receive {count} notification(s)"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// How many notifications are on screen now.
    pub fn displayed(&self) -> Result<u32> {
        let out = self.dunstctl(&["count", "displayed"])?;
        out.trim().parse().map_err(|_| BenchError::Protocol {
            peer: "dunstctl".into(),
            detail: format!("count displayed: {out:?}"),
        })
    }

    /// Waits until exactly `count` notifications are on screen.
    pub fn wait_displayed(&mut self, count: u32, timeout: Duration) -> Result<()> {
        let found = poll_until(timeout, POLL, || {
            self.proc.ensure_running()?;
            Ok((self.displayed()? == count).then_some(()))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!("dunst to show {count} notification(s)"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Opens dunst's context menu, as a person would, and picks the entry for action `key`
    /// (the action's identifier, e.g. `answer`) of the notification on screen. Returns the
    /// menu lines dunst offered (`#Label (summary) [id,key]`). Fails if no entry had that key.
    pub fn invoke_action(&mut self, key: &str) -> Result<Vec<String>> {
        let menu = self.dir.join("menu.txt");
        let _ = std::fs::remove_file(&menu);
        std::fs::write(self.dir.join("choice"), key).ctx(|| "writing choice".into())?;
        self.dunstctl(&["context"])?;
        let lines = poll_until(START_TIMEOUT, POLL, || {
            self.proc.ensure_running()?;
            Ok(std::fs::read_to_string(&menu).ok())
        })?
        .ok_or_else(|| {
            BenchError::timeout("dunst's context menu", START_TIMEOUT, Some(self.log_path()))
        })?;
        let lines: Vec<String> = lines.lines().map(str::to_string).collect();
        if !lines.iter().any(|l| l.ends_with(&format!(",{key}]"))) {
            return Err(BenchError::Protocol {
                peer: "dunst".into(),
                detail: format!("no action {key:?} in the context menu: {lines:?}"),
            });
        }
        Ok(lines)
    }

    /// Closes every notification on screen, as the person would.
    pub fn close_all(&self) -> Result<()> {
        self.dunstctl(&["close-all"]).map(|_| ())
    }

    /// `dunstctl ARGS...` against this dunst; its stdout.
    pub fn dunstctl(&self, args: &[&str]) -> Result<String> {
        let mut cmd = Command::new("dunstctl");
        cmd.args(args).env(SESSION_BUS_ENV, &self.bus_address);
        run_checked(&mut cmd)
    }
}

fn write_script(path: &PathBuf, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).ctx(|| format!("writing {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .ctx(|| format!("making {} executable", path.display()))
}

fn dunstrc(pick: &Path, record: &Path) -> String {
    format!(
        "[global]\n    dmenu = {pick}\n\n[parla-bench-record]\n    summary = \"*\"\n    script = {record}\n",
        pick = pick.display(),
        record = record.display(),
    )
}

fn record_script(received: &Path) -> String {
    let mut script = format!(
        "#!/bin/sh\nd='{}'/\"$DUNST_ID\"\nmkdir -p \"$d.tmp\"\n",
        received.display()
    );
    for (field, var) in FIELDS.iter().zip([
        "DUNST_APP_NAME",
        "DUNST_SUMMARY",
        "DUNST_BODY",
        "DUNST_URGENCY",
        "DUNST_CATEGORY",
        "DUNST_DESKTOP_ENTRY",
        "DUNST_TIMEOUT",
    ]) {
        script.push_str(&format!("printf %s \"${var}\" > \"$d.tmp/{field}\"\n"));
    }
    script.push_str("rm -rf \"$d\"\nmv \"$d.tmp\" \"$d\"\n");
    script
}

/// Stands in for dmenu: saves the menu, then answers with the line for the chosen action key.
fn pick_script(dir: &Path) -> String {
    format!(
        "#!/bin/sh\ndir='{}'\ncat > \"$dir/menu.tmp\"\nchoice=$(cat \"$dir/choice\")\n\
         grep -F \",$choice]\" \"$dir/menu.tmp\" | head -n 1\n\
         mv \"$dir/menu.tmp\" \"$dir/menu.txt\"\n",
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dunst_records_notifications_and_offers_their_actions() -> Result<()> {
        assert!(
            SessionBus::available() && Xvfb::available() && Dunst::available(),
            "dbus-daemon, Xvfb or dunst missing: scripts/install-test-deps.sh installs them"
        );
        let bus = SessionBus::start()?;
        let x = Xvfb::start()?;
        let mut dunst = Dunst::start(&bus, &x)?;
        // notify-send (libnotify-bin) with -w waits for the action and prints its key
        let mut cmd = Command::new("notify-send");
        cmd.args([
            "-w",
            "-u",
            "critical",
            "-c",
            "call.incoming",
            "-A",
            "answer=Answer",
            "-A",
            "decline=Decline",
            "Incoming call",
            "Ana <b>\n+34 912",
        ])
        .env(SESSION_BUS_ENV, bus.address());
        let out_path = bus.dir().join("notify-send.out");
        let sender = Proc::spawn("notify-send", cmd, &out_path);
        let mut sender = sender?;
        let got = dunst.wait_received(1, START_TIMEOUT)?;
        assert_eq!(got[0].summary, "Incoming call");
        assert_eq!(got[0].body, "Ana <b>\n+34 912");
        assert_eq!(got[0].urgency, "CRITICAL");
        assert_eq!(got[0].category, "call.incoming");
        dunst.wait_displayed(1, START_TIMEOUT)?;
        let menu = dunst.invoke_action("decline")?;
        assert_eq!(menu.len(), 2, "{menu:?}");
        let status = sender.wait_timeout(START_TIMEOUT)?;
        assert!(status.success());
        let printed = std::fs::read_to_string(&out_path).unwrap_or_default();
        assert_eq!(printed.trim(), "decline");
        Ok(())
    }
}
