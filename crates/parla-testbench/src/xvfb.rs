//! A virtual X display (Xvfb) for tests that need one: the notification daemon, the app's
//! window. Xvfb picks a free display number itself (`-displayfd`), so tests can run in parallel.

use std::process::Command;
use std::time::Duration;

use crate::error::{BenchError, IoContext, Result};
use crate::process::{poll_until, Proc};
use crate::workdir::BenchDir;

const START_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);
/// Screen size and depth of the virtual display.
pub const SCREEN: &str = "1280x800x24";

/// A running Xvfb. Dropping it stops it.
#[derive(Debug)]
pub struct Xvfb {
    proc: Proc,
    display: String,
    _dir: BenchDir,
}

impl Xvfb {
    /// True if `Xvfb` is installed.
    pub fn available() -> bool {
        Command::new("Xvfb")
            .arg("-help")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    }

    /// Starts Xvfb on a free display and waits until it accepts clients.
    pub fn start() -> Result<Xvfb> {
        let dir = BenchDir::new("xvfb")?;
        let display_file = dir.join("display");
        // Xvfb writes the display number to the fd once it is ready; stdout goes to a file of
        // its own (not the log) so the number is easy to read.
        let out = std::fs::File::create(&display_file)
            .ctx(|| format!("creating {}", display_file.display()))?;
        let log = dir.join("xvfb.log");
        let err = crate::process::open_log(&log)?;
        let mut cmd = Command::new("Xvfb");
        cmd.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            SCREEN,
            "-nolisten",
            "tcp",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(err);
        let mut proc = Proc::spawn_configured("Xvfb", cmd, &log)?;
        let number = poll_until(START_TIMEOUT, POLL, || {
            proc.ensure_running()?;
            let text = std::fs::read_to_string(&display_file).unwrap_or_default();
            // complete once the newline after the number is there
            Ok(text
                .strip_suffix('\n')
                .and_then(|n| n.trim().parse::<u32>().ok()))
        })?
        .ok_or_else(|| {
            BenchError::timeout("Xvfb to report its display", START_TIMEOUT, Some(&log))
        })?;
        Ok(Xvfb {
            proc,
            display: format!(":{number}"),
            _dir: dir,
        })
    }

    /// `:N`, the value for `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    /// The environment an X client needs for this display (and not a Wayland one).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("DISPLAY".to_string(), self.display.clone())]
    }
}
