//! A child process owned by the bench: own process group, output to a log file, stopped by PID.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::error::{format_log_tail, BenchError, IoContext, Result};

/// How long a peer gets to exit after SIGTERM before it gets SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);

/// A running peer. Dropping it stops the whole process group (SIGTERM, then SIGKILL) and reaps it.
#[derive(Debug)]
pub struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
    exit: Option<ExitStatus>,
}

impl Proc {
    /// Starts `cmd` in a new process group with stdin from /dev/null and stdout+stderr appended
    /// to `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> Result<Proc> {
        let out = open_log(log)?;
        let err = out
            .try_clone()
            .ctx(|| format!("cloning handle of {}", log.display()))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        Self::spawn_configured(name, cmd, log)
    }

    /// Starts a command whose stdio the caller has already set up.
    pub(crate) fn spawn_configured(name: &str, mut cmd: Command, log: &Path) -> Result<Proc> {
        // Own process group: stopping the peer also stops its children (Kamailio forks workers),
        // and a Ctrl-C in the terminal does not hit peers before the bench can stop them.
        cmd.process_group(0);
        let child = cmd
            .spawn()
            .ctx(|| format!("starting {name} ({:?})", cmd.get_program()))?;
        Ok(Proc {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            exit: None,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    pub(crate) fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// `Some(status)` once the process has exited (and been reaped).
    pub fn try_exit_status(&mut self) -> Result<Option<ExitStatus>> {
        if self.exit.is_none() {
            self.exit = self
                .child
                .try_wait()
                .ctx(|| format!("checking whether {} is alive", self.name))?;
        }
        Ok(self.exit)
    }

    /// Error out (with the log tail) if the process has already exited.
    pub fn ensure_running(&mut self) -> Result<()> {
        match self.try_exit_status()? {
            None => Ok(()),
            Some(status) => Err(BenchError::Exited {
                peer: self.name.clone(),
                status: status.to_string(),
                log_tail: format_log_tail(&self.log),
            }),
        }
    }

    /// Waits for the process to exit by itself.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_exit_status()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                return Err(BenchError::timeout(
                    format!("{} (pid {}) to exit", self.name, self.pid()),
                    timeout,
                    Some(&self.log),
                ));
            }
            thread::sleep(POLL);
        }
    }

    /// Sends SIGTERM to the process group, waits up to 5 s, then SIGKILLs the group; reaps the
    /// leader. Idempotent.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.try_exit_status() {
            kill_group(self.pid(), Signal::SIGKILL);
            wait_group_gone(self.pid());
            return Some(status);
        }
        kill_group(self.pid(), Signal::SIGTERM);
        let deadline = Instant::now() + TERM_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.try_exit_status() {
                kill_group(self.pid(), Signal::SIGKILL);
                wait_group_gone(self.pid());
                return Some(status);
            }
            thread::sleep(POLL);
        }
        kill_group(self.pid(), Signal::SIGKILL);
        let _ = self.child.kill();
        let status = match self.child.wait() {
            Ok(status) => {
                self.exit = Some(status);
                Some(status)
            }
            Err(_) => None,
        };
        wait_group_gone(self.pid());
        status
    }
}

/// A signal is delivered when the process next runs: on a busy machine the group's other
/// members may still be on their way out when the leader has been reaped. Waits (bounded)
/// until none of them runs.
fn wait_group_gone(pgid: u32) {
    let deadline = Instant::now() + TERM_GRACE;
    while process_group_exists(pgid) && Instant::now() < deadline {
        kill_group(pgid, Signal::SIGKILL);
        thread::sleep(POLL);
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

fn kill_group(pgid: u32, signal: Signal) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // ESRCH: the group is already gone, which is what we want.
        let _ = killpg(Pid::from_raw(pgid), signal);
    }
}

/// True if a process with this PID exists and is not a zombie.
pub fn pid_exists(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // state is the first field after the parenthesised command name
        Ok(stat) => match stat.rfind(')') {
            Some(i) => !stat[i + 1..].trim_start().starts_with('Z'),
            None => true,
        },
        Err(_) => false,
    }
}

/// True if a live (non-zombie) process is still in the process group `pgid`.
///
/// Zombies are left out: an orphaned worker that has exited waits for init to reap it, which in
/// a container may take a while, but it no longer runs.
pub fn process_group_exists(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.filter_map(|e| e.ok()).any(|entry| {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            return false;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // after "(comm)": state ppid pgrp ...
        let Some(i) = stat.rfind(')') else {
            return false;
        };
        let mut fields = stat[i + 1..].split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|f| f.parse::<u32>().ok());
        pgrp == Some(pgid) && state != Some("Z")
    })
}

pub(crate) fn open_log(log: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .ctx(|| format!("opening log {}", log.display()))
}

/// The last `lines` lines of a text file (reads at most the last 64 KiB); empty if unreadable.
pub fn log_tail(path: &Path, lines: usize) -> String {
    const MAX: u64 = 64 * 1024;
    let Ok(mut f) = File::open(path) else {
        return String::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if f.seek(SeekFrom::Start(len.saturating_sub(MAX))).is_err() {
        return String::new();
    }
    let mut buf = Vec::new();
    if f.read_to_end(&mut buf).is_err() {
        return String::new();
    }
    let text = strip_ansi(&String::from_utf8_lossy(&buf));
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Removes terminal colour sequences (`ESC [ ... letter`): baresip colours its log, and so
/// does Parla's tracing.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs a short helper command to completion; error with its output if it fails.
pub(crate) fn run_checked(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .ctx(|| format!("running {shown}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(BenchError::Command {
            command: shown,
            detail: format!(
                "{}\nstdout:\n{}\nstderr:\n{}",
                out.status,
                stdout.trim_end(),
                String::from_utf8_lossy(&out.stderr).trim_end()
            ),
        })
    }
}

/// Polls `check` every `interval` until it yields `Some`, or `timeout` passes (then `None`).
pub(crate) fn poll_until<T>(
    timeout: Duration,
    interval: Duration,
    mut check: impl FnMut() -> Result<Option<T>>,
) -> Result<Option<T>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check()? {
            return Ok(Some(v));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(interval);
    }
}

/// True if something accepts TCP connections on 127.0.0.1:port.
pub(crate) fn tcp_port_open(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            strip_ansi("\u{1b}[31mreg: 401\u{1b}[;m done"),
            "reg: 401 done"
        );
    }

    #[test]
    fn stop_kills_and_reaps_the_group() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::io("tempdir", e))?;
        let log = dir.path().join("sh.log");
        let mut cmd = Command::new("sh");
        // a child that ignores nothing and a grandchild in the same group
        cmd.args(["-c", "sleep 60 & echo started; wait"]);
        let mut p = Proc::spawn("sh", cmd, &log)?;
        let pid = p.pid();
        p.ensure_running()?;
        assert!(p.wait_timeout(Duration::from_millis(100)).is_err());
        p.stop();
        assert!(!pid_exists(pid));
        assert!(!process_group_exists(pid));
        Ok(())
    }
}
