//! Runs one test inside a fresh network namespace that holds only `lo` (up, with a default
//! route via `lo`).
//!
//! linphonec needs a default route before it starts SIP, and must never see the machine's real
//! interfaces; a private namespace gives it both. Pattern in a test:
//!
//! ```ignore
//! #[test]
//! fn attended_transfer() {
//!     if !netns::in_private_netns() {
//!         return netns::rerun_in_private_netns("attended_transfer");
//!     }
//!     // the body runs here, in the re-executed test binary, inside the namespace
//! }
//! ```
//!
//! The re-run is `unshare --net` as root (CI), else `unshare --user --map-root-user --net`; its
//! output is streamed through, and the outer test fails with the child's last lines when the
//! inner one fails, did not run, or takes longer than [`RERUN_TIMEOUT`] (`PARLA_NETNS_TIMEOUT`
//! in seconds overrides it).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::process::Proc;

/// Environment variable set (to `1`) in the re-executed test.
pub const NETNS_ENV: &str = "PARLA_TEST_NETNS";

/// How long the re-executed test may run.
pub const RERUN_TIMEOUT: Duration = Duration::from_secs(300);

/// How many lines of the child's output a failure message carries.
const TAIL: usize = 80;

/// The shell run inside the new namespace before the test binary is exec'd.
const SETUP: &str = "ip link set lo up && ip route add default dev lo && exec \"$@\"";

/// True inside the namespace made by [`rerun_in_private_netns`]: the marker is set and the only
/// network interface is `lo`.
pub fn in_private_netns() -> bool {
    std::env::var(NETNS_ENV).as_deref() == Ok("1") && only_loopback()
}

/// Interface names from /proc/self/net/dev (the namespace of this process).
fn interfaces() -> Vec<String> {
    let Ok(dev) = std::fs::read_to_string("/proc/self/net/dev") else {
        return Vec::new();
    };
    dev.lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

fn only_loopback() -> bool {
    let names = interfaces();
    !names.is_empty() && names.iter().all(|n| n == "lo")
}

fn rerun_timeout() -> Duration {
    std::env::var("PARLA_NETNS_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(RERUN_TIMEOUT)
}

/// Re-executes the current test binary with `--exact TEST_NAME` inside a fresh network namespace
/// and waits for it; panics (with the tail of its output) unless that one test ran and passed.
///
/// `test_name` is the test's full path in its binary (`module::name`; a top-level test of an
/// integration-test file is just `name`).
pub fn rerun_in_private_netns(test_name: &str) {
    if let Some(thread_name) = thread::current().name() {
        // libtest names the thread after the test: catch a wrong name before running nothing.
        if thread_name != "main" && thread_name != test_name {
            panic!("rerun_in_private_netns({test_name:?}) called from test {thread_name:?}");
        }
    }
    let exe = std::env::current_exe()
        .unwrap_or_else(|e| panic!("netns: cannot find the test executable: {e}"));
    let mut cmd = Command::new("unshare");
    if !crate::procstat::is_root() {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--net", "--", "sh", "-c", SETUP, "sh"])
        .arg(&exe)
        .args([test_name, "--exact", "--nocapture", "--include-ignored"])
        .args(["--test-threads", "1"])
        .env(NETNS_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let log_dir = crate::workdir::BenchDir::new("netns")
        .unwrap_or_else(|e| panic!("netns: cannot make a work dir: {e}"));
    let log = log_dir.join("rerun.log");
    let mut proc = Proc::spawn_configured(&format!("netns rerun of {test_name}"), cmd, &log)
        .unwrap_or_else(|e| panic!("netns: cannot start `unshare` (util-linux) : {e}"));

    let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL)));
    let mut readers = Vec::new();
    let child = proc.child_mut();
    if let Some(out) = child.stdout.take() {
        readers.push(stream(out, tail.clone(), false));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(stream(err, tail.clone(), true));
    }

    let timeout = rerun_timeout();
    let deadline = Instant::now() + timeout;
    let status = loop {
        match proc.try_exit_status() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            _ => break None,
        }
    };
    if status.is_none() {
        proc.stop();
    }
    for r in readers {
        let _ = r.join();
    }
    let lines: Vec<String> = tail
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .cloned()
        .collect();
    let text = lines.join("\n");
    let ran_one = lines
        .iter()
        .any(|l| l.starts_with("test result:") && l.contains(" 1 passed"));
    match status {
        None => panic!(
            "{test_name} in a private network namespace did not finish within {timeout:?}\n\
             --- last lines ---\n{text}"
        ),
        Some(s) if !s.success() => panic!(
            "{test_name} failed in a private network namespace ({s})\n--- last lines ---\n{text}"
        ),
        Some(_) if !ran_one => panic!(
            "{test_name}: the re-run in a private network namespace did not run exactly this \
             test (wrong name?)\n--- last lines ---\n{text}"
        ),
        Some(_) => {}
    }
}

/// Copies the child's output to ours line by line and keeps the last lines.
fn stream(
    pipe: impl std::io::Read + Send + 'static,
    tail: Arc<Mutex<VecDeque<String>>>,
    to_stderr: bool,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if to_stderr {
                let _ = writeln!(std::io::stderr(), "{line}");
            } else {
                let _ = writeln!(std::io::stdout(), "{line}");
            }
            let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
            if t.len() == TAIL {
                t.pop_front();
            }
            t.push_back(line);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reruns_inside_a_namespace_with_only_lo() {
        if !in_private_netns() {
            return rerun_in_private_netns("netns::tests::reruns_inside_a_namespace_with_only_lo");
        }
        assert_eq!(interfaces(), vec!["lo".to_string()]);
        let route = std::fs::read_to_string("/proc/self/net/route").unwrap_or_default();
        // a default route: destination 00000000 on lo
        assert!(
            route.lines().any(|l| l.starts_with("lo\t00000000")),
            "{route}"
        );
        // and loopback works
        let l = std::net::UdpSocket::bind("127.0.0.1:0");
        assert!(l.is_ok());
    }
}
