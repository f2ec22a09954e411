//! Logs to stderr and to a daily-rotated file in the profile's `logs/` folder.
//! `RUST_LOG` chooses what is logged; `RUST_LOG=sip=debug` shows SIP traffic (credentials redacted).
//! The SIP traffic (target `sip`, credentials redacted) also always goes to `logs/sip.log`,
//! whatever `RUST_LOG` says: about [`SIP_LOG_CAP`] bytes, then it moves to `sip.log.1` (the one
//! before is dropped), so at most twice that is kept. The diagnostics bundle reads both.

mod capped;

use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{filter::Targets, fmt, prelude::*, EnvFilter};

/// How big `logs/sip.log` grows before it is moved to `sip.log.1`.
pub const SIP_LOG_CAP: u64 = 1024 * 1024;

/// How many lines each log file's writer thread holds before new ones are dropped.
/// tracing-appender's default (128 000) allocates and touches its whole queue at start: 4 MB
/// per file, about 8 of the headless engine's 14 MB at idle. A few thousand lines are
/// more than a burst of SIP traffic fills before the writer catches up.
pub const LOG_QUEUE_LINES: usize = 2048;

/// A writer that hands lines to a thread writing `to`, with a queue of [`LOG_QUEUE_LINES`].
fn non_blocking<W: std::io::Write + Send + 'static>(to: W) -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(to)
}

/// rsipstack logs whole messages, Authorization headers included, at info and below: only its
/// warnings are let through; our own `sip` target shows the traffic with credentials redacted.
const QUIET_STACK: &str = "rsipstack=warn";

fn filter() -> EnvFilter {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match QUIET_STACK.parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    }
}

/// Keeps the log writers flushing until dropped (at the end of `main`).
pub struct Guards {
    _file: WorkerGuard,
    _sip: Option<WorkerGuard>,
}

pub fn init(profile: &std::path::Path) -> Option<Guards> {
    let logs = profile.join("logs");
    let _ = std::fs::create_dir_all(&logs);
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("parla")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&logs);
    match appender {
        Ok(appender) => {
            let (writer, guard) = non_blocking(appender);
            let file = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            let (sip, sip_guard) = match capped::CappedFile::open(&logs, "sip.log", SIP_LOG_CAP) {
                Ok(sip) => {
                    let (writer, guard) = non_blocking(sip);
                    let layer = fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer)
                        .with_filter(Targets::new().with_target("sip", tracing::Level::DEBUG));
                    (Some(layer), Some(guard))
                }
                Err(_) => (None, None),
            };
            tracing_subscriber::registry()
                .with(stderr)
                .with(file)
                .with(sip)
                .init();
            Some(Guards {
                _file: guard,
                _sip: sip_guard,
            })
        }
        Err(e) => {
            tracing_subscriber::registry().with(stderr).init();
            tracing::warn!(error = %e, "no log file; logging to stderr only");
            None
        }
    }
}
