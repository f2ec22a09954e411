//! Logs to stderr and to a daily-rotated file in the profile's `logs/` folder.
//! `RUST_LOG` chooses what is logged; `RUST_LOG=sip=debug` shows SIP traffic (credentials redacted).

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

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

pub fn init(profile: &std::path::Path) -> Option<WorkerGuard> {
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
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            tracing_subscriber::registry()
                .with(stderr)
                .with(file)
                .init();
            Some(guard)
        }
        Err(e) => {
            tracing_subscriber::registry().with(stderr).init();
            tracing::warn!(error = %e, "no log file; logging to stderr only");
            None
        }
    }
}
