//! One error type for the whole bench; every variant says which peer and what it was doing.

use std::path::Path;
use std::time::Duration;

/// Result alias used throughout the bench.
pub type Result<T> = std::result::Result<T, BenchError>;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// A condition was not met in time. `log_tail` holds the end of the relevant peer's log.
    #[error("timed out after {timeout:?} waiting for {what}{log_tail}")]
    Timeout {
        what: String,
        timeout: Duration,
        log_tail: String,
    },

    /// A peer exited while we were waiting for it.
    #[error("{peer} exited unexpectedly ({status}){log_tail}")]
    Exited {
        peer: String,
        status: String,
        log_tail: String,
    },

    /// A helper command (openssl, kamcmd, kamailio -c, sox...) failed.
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },

    /// A peer said something the bench could not understand.
    #[error("{peer}: unexpected reply: {detail}")]
    Protocol { peer: String, detail: String },

    /// The caller asked for something the bench cannot do.
    #[error("invalid bench setup: {0}")]
    Setup(String),
}

impl BenchError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        BenchError::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn timeout(what: impl Into<String>, timeout: Duration, log: Option<&Path>) -> Self {
        BenchError::Timeout {
            what: what.into(),
            timeout,
            log_tail: log.map(format_log_tail).unwrap_or_default(),
        }
    }
}

/// Adds context to `std::io::Result`s.
pub(crate) trait IoContext<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| BenchError::io(context(), e))
    }
}

/// How many log lines an error message carries.
pub(crate) const TAIL_LINES: usize = 40;

/// "\n--- last N lines of LOG ---\n..." for error messages; empty if the log cannot be read.
pub(crate) fn format_log_tail(log: &Path) -> String {
    let tail = crate::process::log_tail(log, TAIL_LINES);
    if tail.is_empty() {
        format!("\n--- {} is empty or missing ---", log.display())
    } else {
        format!(
            "\n--- last {TAIL_LINES} lines of {} ---\n{tail}",
            log.display()
        )
    }
}
