//! rtkit (RealtimeKit), the service that grants real-time scheduling to desktop users' audio
//! threads, on a private stand-in for the system bus: `polkitd` (rtkit asks it whether the
//! caller may) and `rtkit-daemon`, both started on the bus and stopped by PID. rtkit changes
//! other processes' scheduling, so it runs as root; it keeps root (`--no-drop-privileges`) and
//! skips its chroot and canary, which only harden a long-lived system daemon.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::error::Result;
use crate::process::Proc;
use crate::session_bus::{SessionBus, SYSTEM_BUS_ENV};

const RTKIT_DAEMON: &str = "/usr/libexec/rtkit-daemon";
const POLKITD: &str = "/usr/lib/polkit-1/polkitd";
const START_TIMEOUT: Duration = Duration::from_secs(10);
const RTKIT_NAME: &str = "org.freedesktop.RealtimeKit1";
const POLKIT_NAME: &str = "org.freedesktop.PolicyKit1";

/// rtkit and polkit running on a bus from [`SessionBus::start_system`]. Dropping it stops them.
#[derive(Debug)]
pub struct Rtkit {
    rtkit: Proc,
    /// Kept only to be stopped with rtkit.
    _polkit: Proc,
}

impl Rtkit {
    /// True if `rtkit-daemon` and `polkitd` are installed (packages `rtkit` and `polkitd`).
    pub fn installed() -> bool {
        Path::new(RTKIT_DAEMON).exists() && Path::new(POLKITD).exists()
    }

    /// True if this process runs as root, as rtkit must.
    pub fn can_run() -> bool {
        crate::procstat::is_root()
    }

    /// Starts polkit, then rtkit, on `bus`, and waits until each owns its name. rtkit allows
    /// priorities up to `max_priority`.
    pub fn start(bus: &SessionBus, max_priority: u32) -> Result<Rtkit> {
        let mut polkit = Command::new(POLKITD);
        polkit.arg("--no-debug").env(SYSTEM_BUS_ENV, bus.address());
        let polkit = Proc::spawn("polkitd", polkit, &bus.dir().join("polkitd.log"))?;
        bus.wait_for_name(POLKIT_NAME, START_TIMEOUT)?;
        let mut rtkit = Command::new(RTKIT_DAEMON);
        rtkit
            .args([
                "--stderr",
                "--no-canary",
                "--no-chroot",
                "--no-drop-privileges",
                "--no-limit-resources",
            ])
            .arg(format!("--max-realtime-priority={max_priority}"))
            .env(SYSTEM_BUS_ENV, bus.address());
        let rtkit = Proc::spawn("rtkit-daemon", rtkit, &bus.dir().join("rtkit.log"))?;
        bus.wait_for_name(RTKIT_NAME, START_TIMEOUT)?;
        Ok(Rtkit {
            rtkit,
            _polkit: polkit,
        })
    }

    pub fn rtkit_log(&self) -> &Path {
        self.rtkit.log_path()
    }
}
