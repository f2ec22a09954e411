//! Private network namespaces held by a file handle, and code run inside them.
//!
//! [`NetNs::new`] makes a namespace on a short-lived thread (`unshare(CLONE_NEWNET)` affects
//! only the calling thread) and keeps it alive through the open `/proc/thread-self/ns/net`.
//! [`NetNs::run`] runs a closure on a thread that has joined it (`setns`): sockets it opens and
//! processes it starts (a `Proc`, `Baresip::start`, `Headless::spawn`) live in that namespace
//! from then on, whatever thread later uses them. Needs CAP_SYS_ADMIN (root, as in CI).

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::Command;
use std::thread;

use nix::sched::{setns, unshare, CloneFlags};

use crate::error::{BenchError, IoContext, Result};

/// A network namespace of its own, with `lo` up; gone when the last handle and process in it
/// are.
#[derive(Debug)]
pub struct NetNs {
    file: File,
}

impl NetNs {
    pub fn new() -> Result<NetNs> {
        let file = thread::scope(|s| {
            s.spawn(|| -> Result<File> {
                unshare(CloneFlags::CLONE_NEWNET)
                    .map_err(|e| BenchError::Setup(format!("unshare(CLONE_NEWNET): {e}")))?;
                File::open("/proc/thread-self/ns/net")
                    .ctx(|| "opening /proc/thread-self/ns/net".into())
            })
            .join()
            .map_err(|_| BenchError::Setup("the netns thread panicked".into()))?
        })?;
        let ns = NetNs { file };
        ns.sh("ip link set lo up")?;
        Ok(ns)
    }

    /// Runs `f` on a thread inside this namespace and returns what it returns.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Result<R> {
        thread::scope(|s| {
            s.spawn(|| -> Result<R> {
                setns(&self.file, CloneFlags::CLONE_NEWNET)
                    .map_err(|e| BenchError::Setup(format!("setns(CLONE_NEWNET): {e}")))?;
                Ok(f())
            })
            .join()
            .map_err(|_| BenchError::Setup("a thread in the netns panicked".into()))?
        })
    }

    /// `sh -c SCRIPT` inside the namespace; an error with its output unless it succeeds.
    pub fn sh(&self, script: &str) -> Result<String> {
        let out = self.run(|| Command::new("sh").args(["-c", script]).output())?;
        let out = out.ctx(|| format!("running `{script}`"))?;
        if !out.status.success() {
            return Err(BenchError::Command {
                command: script.into(),
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// A path another process can open to join this namespace while this handle lives.
    pub fn proc_path(&self) -> PathBuf {
        PathBuf::from(format!(
            "/proc/{}/fd/{}",
            std::process::id(),
            self.file.as_raw_fd()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_namespace_holds_only_lo() {
        let Ok(ns) = NetNs::new() else {
            return; // not root: nothing to check here
        };
        let links = ns.sh("ip -o link show").unwrap_or_default();
        assert_eq!(links.lines().count(), 1, "{links}");
        assert!(links.contains("lo:") && links.contains("UP"), "{links}");
    }
}
