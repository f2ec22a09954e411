//! A real Secret Service for keyring tests: `gnome-keyring-daemon` (secrets component only) on a
//! private [`SessionBus`], its login keyring created and unlocked with a known password, its
//! files in the bus's temp folder. Stopped by PID when dropped; drop it before its bus.
//!
//! [`GnomeKeyring::store`] and [`GnomeKeyring::lookup`] reach it with `secret-tool` (package
//! `libsecret-tools`), a client independent of the one under test.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::error::{BenchError, IoContext, Result};
use crate::process::{open_log, poll_until, Proc};
use crate::session_bus::{tool_runs, SessionBus, SESSION_BUS_ENV};

/// The Secret Service's well-known bus name.
pub const SECRETS_NAME: &str = "org.freedesktop.secrets";
/// The login keyring's password: it only guards a throw-away test keyring.
const KEYRING_PASSWORD: &str = "parla-bench";
const START_TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// A running gnome-keyring-daemon. Dropping it stops it.
#[derive(Debug)]
pub struct GnomeKeyring {
    proc: Proc,
    address: String,
}

impl GnomeKeyring {
    /// True if `gnome-keyring-daemon` and `secret-tool` can be run.
    pub fn available() -> bool {
        tool_runs("gnome-keyring-daemon", "--version") && secret_tool_installed()
    }

    /// Starts the daemon on `bus` and waits until its default collection is there, unlocked.
    pub fn start(bus: &SessionBus) -> Result<GnomeKeyring> {
        let home = bus.dir().join("keyring-home");
        let runtime = bus.dir().join("keyring-runtime");
        for dir in [&home, &runtime] {
            std::fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
        }
        let log = bus.dir().join("gnome-keyring-daemon.log");
        let out = open_log(&log)?;
        let err = out
            .try_clone()
            .ctx(|| format!("cloning handle of {}", log.display()))?;
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--foreground", "--components=secrets", "--unlock"])
            .arg(format!(
                "--control-directory={}",
                runtime.join("keyring").display()
            ))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env(SESSION_BUS_ENV, bus.address())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err);
        let mut proc = Proc::spawn_configured("gnome-keyring-daemon", cmd, &log)?;
        // `--unlock` reads the login keyring's password from stdin, up to its end.
        if let Some(mut stdin) = proc.child_mut().stdin.take() {
            stdin
                .write_all(KEYRING_PASSWORD.as_bytes())
                .ctx(|| "giving gnome-keyring-daemon its password".into())?;
        }
        let mut keyring = GnomeKeyring {
            proc,
            address: bus.address().to_string(),
        };
        keyring.wait_ready(bus)?;
        Ok(keyring)
    }

    fn wait_ready(&mut self, bus: &SessionBus) -> Result<()> {
        let ready = poll_until(START_TIMEOUT, POLL, || {
            self.proc.ensure_running()?;
            let alias = bus.busctl(&[
                "call",
                SECRETS_NAME,
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service",
                "ReadAlias",
                "s",
                "default",
            ]);
            // `o "/"` until the login collection exists.
            Ok(alias
                .ok()
                .filter(|a| a.contains("/collection/"))
                .map(|_| ()))
        })?;
        ready.ok_or_else(|| {
            BenchError::timeout(
                "gnome-keyring-daemon's default collection",
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )
        })
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    fn secret_tool(&self) -> Command {
        let mut cmd = Command::new("secret-tool");
        cmd.env(SESSION_BUS_ENV, &self.address);
        cmd
    }

    /// Saves `secret` under the given attributes (an item in the default collection).
    pub fn store(&self, label: &str, attributes: &[(&str, &str)], secret: &str) -> Result<()> {
        let mut cmd = self.secret_tool();
        cmd.arg("store").arg(format!("--label={label}"));
        for (name, value) in attributes {
            cmd.args([name, value]);
        }
        let shown = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .ctx(|| format!("running {shown}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(secret.as_bytes())
                .ctx(|| format!("writing to {shown}"))?;
        }
        let out = child
            .wait_with_output()
            .ctx(|| format!("waiting for {shown}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(BenchError::Command {
                command: shown,
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            })
        }
    }

    /// The secret saved under the attributes, if any.
    pub fn lookup(&self, attributes: &[(&str, &str)]) -> Result<Option<String>> {
        let mut cmd = self.secret_tool();
        cmd.arg("lookup");
        for (name, value) in attributes {
            cmd.args([name, value]);
        }
        let shown = format!("{cmd:?}");
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .ctx(|| format!("running {shown}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned())),
            // secret-tool exits 1 and says nothing when no item matches.
            Some(1) if stderr.trim().is_empty() => Ok(None),
            _ => Err(BenchError::Command {
                command: shown,
                detail: format!("{}: {stderr}", out.status),
            }),
        }
    }
}

/// `secret-tool` has no `--version`; its usage text (exit 2) is enough to know it is there.
fn secret_tool_installed() -> bool {
    Command::new("secret-tool")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stderr).contains("secret-tool lookup"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::pid_exists;

    #[test]
    fn keyring_stores_looks_up_and_stops() -> Result<()> {
        assert!(
            SessionBus::available() && GnomeKeyring::available(),
            "dbus-daemon, gnome-keyring or secret-tool missing: scripts/install-test-deps.sh installs them"
        );
        let bus = SessionBus::start()?;
        let keyring = GnomeKeyring::start(&bus)?;
        let attrs = [("service", "parla-bench"), ("username", "alice")];
        assert_eq!(keyring.lookup(&attrs)?, None);
        keyring.store("bench", &attrs, "s3cret")?;
        assert_eq!(keyring.lookup(&attrs)?.as_deref(), Some("s3cret"));
        let pid = keyring.pid();
        drop(keyring);
        assert!(!pid_exists(pid));
        Ok(())
    }
}
