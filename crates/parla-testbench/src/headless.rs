//! Drives `parla --headless --profile DIR`: JSON lines in on stdin, JSON lines out on stdout.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::{BenchError, IoContext, Result};
use crate::events::{EventLog, WaitFailure};
use crate::process::{open_log, Proc};

/// File (in the profile dir) that receives the app's stderr.
pub const STDERR_LOG: &str = "headless-stderr.log";

/// What the app run with `profile_dir` wrote to stderr ([`STDERR_LOG`]); empty when there is
/// none. Readable after the app is gone, when [`Headless::stderr_log`] no longer is.
pub fn read_stderr_log(profile_dir: &Path) -> String {
    std::fs::read_to_string(profile_dir.join(STDERR_LOG)).unwrap_or_default()
}

/// A running headless app. Dropping it kills it (use [`Headless::quit_and_wait`] for a clean exit).
pub struct Headless {
    stdin: Option<ChildStdin>,
    proc: Proc,
    events: EventLog,
    reader: Option<JoinHandle<()>>,
    profile_dir: PathBuf,
}

impl std::fmt::Debug for Headless {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Headless")
            .field("pid", &self.proc.pid())
            .field("profile_dir", &self.profile_dir)
            .finish()
    }
}

impl Headless {
    /// Starts `BIN --headless --profile PROFILE_DIR`.
    pub fn spawn(bin_path: &Path, profile_dir: &Path) -> Result<Headless> {
        Self::spawn_with(bin_path, profile_dir, &[], &[])
    }

    /// Like [`Headless::spawn`] with extra arguments (after `--profile DIR`) and environment
    /// variables (e.g. `PULSE_SERVER`).
    pub fn spawn_with(
        bin_path: &Path,
        profile_dir: &Path,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Result<Headless> {
        std::fs::create_dir_all(profile_dir)
            .ctx(|| format!("creating profile dir {}", profile_dir.display()))?;
        let log = profile_dir.join(STDERR_LOG);
        let stderr = open_log(&log)?;
        let mut cmd = Command::new(bin_path);
        cmd.arg("--headless")
            .arg("--profile")
            .arg(profile_dir)
            .args(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut proc = Proc::spawn_configured("parla --headless", cmd, &log)?;
        let child = proc.child_mut();
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Setup("headless app has no stdout pipe".into()))?;
        let events = EventLog::new();
        let reader = {
            let events = events.clone();
            thread::Builder::new()
                .name("parla-headless-stdout".into())
                .spawn(move || {
                    for line in BufReader::new(stdout).lines() {
                        let Ok(line) = line else { break };
                        if line.trim().is_empty() {
                            continue;
                        }
                        // A line that is not JSON is kept as a string: tests can still see it.
                        events.push(serde_json::from_str(&line).unwrap_or(Value::String(line)));
                    }
                    events.close();
                })
                .ctx(|| "spawning the headless stdout reader".into())?
        };
        Ok(Headless {
            stdin,
            proc,
            events,
            reader: Some(reader),
            profile_dir: profile_dir.to_path_buf(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// The app's stderr log.
    pub fn stderr_log(&self) -> &Path {
        self.proc.log_path()
    }

    /// Writes one JSON object as one line on the app's stdin.
    pub fn send(&mut self, msg: &Value) -> Result<()> {
        let mut line = msg.to_string();
        line.push('\n');
        self.send_raw(&line)
    }

    /// Writes text as it is on the app's stdin (for malformed-input tests).
    pub fn send_raw(&mut self, text: &str) -> Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| BenchError::Setup("stdin of the headless app is closed".into()))?;
        stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush())
            .ctx(|| format!("writing {:?} to the headless app", text.trim_end()))
    }

    /// Waits until an account reports `registered`.
    pub fn wait_registered(&self, timeout: Duration) -> Result<Value> {
        self.wait_event(
            |v| v["event"] == "registration" && v["state"] == "registered",
            timeout,
        )
    }

    /// Dials `to` from the default line and waits until the call connects; returns its id.
    pub fn call_connected(&mut self, to: &str, timeout: Duration) -> Result<u64> {
        self.send(&serde_json::json!({"cmd": "dial", "to": to}))?;
        let connected = self.wait_event(
            |v| v["event"] == "call_state" && v["state"] == "connected",
            timeout,
        )?;
        connected["call"]
            .as_u64()
            .ok_or_else(|| BenchError::Protocol {
                peer: "parla --headless".into(),
                detail: format!("a call_state event without a call id: {connected}"),
            })
    }

    /// Waits for the oldest not-yet-returned stdout object that matches `pred`.
    pub fn wait_event(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Result<Value> {
        self.wait_event_timed(pred, timeout).map(|(event, _)| event)
    }

    /// As [`Headless::wait_event`], with the time the event was read off stdout.
    pub fn wait_event_timed(
        &self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Result<(Value, std::time::Instant)> {
        self.events
            .wait_for_timed(pred, timeout)
            .map_err(|failure| {
                let what = match failure {
                    WaitFailure::TimedOut => "an event from the headless app".to_string(),
                    WaitFailure::Closed => {
                        "an event from the headless app (its stdout closed first)".to_string()
                    }
                };
                let seen: Vec<String> = self.events.all().iter().map(Value::to_string).collect();
                BenchError::timeout(
                    format!("{what}; seen: [{}]", seen.join(", ")),
                    timeout,
                    Some(self.proc.log_path()),
                )
            })
    }

    /// Everything the app printed so far, in order.
    pub fn events_seen(&self) -> Vec<Value> {
        self.events.all()
    }

    /// Sends `{"cmd":"quit"}`, closes stdin and waits for the exit. On timeout the app is killed
    /// and an error returned.
    pub fn quit_and_wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        self.send(&json!({"cmd": "quit"}))?;
        self.stdin = None;
        let status = self.proc.wait_timeout(timeout);
        if status.is_err() {
            self.proc.stop();
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        self.stdin = None;
        self.proc.stop();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
