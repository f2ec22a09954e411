//! Real-time scheduling through rtkit (RealtimeKit), the system service that desktops use to
//! grant it to sound servers and players without giving them the right to take it themselves.
//!
//! rtkit makes a thread `SCHED_RR` at a modest priority once the process has capped the CPU time
//! a real-time thread may use without blocking (`RLIMIT_RTTIME`, at most rtkit's
//! `RTTimeUSecMax`, 200 ms by default): a thread that runs away is then killed by the kernel
//! instead of freezing the desktop. Parla's audio threads block every few ms, far below it.
//!
//! The request runs on a short-lived thread of its own, so an audio thread never waits on the
//! bus; each method call gives up after `CALL_TIMEOUT` (zbus has no timeout for the
//! connection's handshake: a bus that hangs there keeps only that thread).

use std::sync::mpsc;
use std::time::Duration;

use nix::sys::resource::{getrlimit, setrlimit, Resource};
use zbus::blocking::connection::Builder;
use zbus::proxy::CacheProperties;

/// Each D-Bus call gives up after this (the bus or rtkit hung).
const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// The priority asked for: above the desktop's ordinary threads, below the sound server's.
/// Capped by what rtkit allows (`MaxRealtimePriority`, 20 by default).
const PRIORITY: u32 = 10;

#[zbus::proxy(
    interface = "org.freedesktop.RealtimeKit1",
    default_service = "org.freedesktop.RealtimeKit1",
    default_path = "/org/freedesktop/RealtimeKit1",
    gen_async = false,
    blocking_name = "RealtimeKit"
)]
trait RealtimeKit1 {
    fn make_thread_realtime(&self, thread: u64, priority: u32) -> zbus::Result<()>;

    #[zbus(property)]
    fn max_realtime_priority(&self) -> zbus::Result<i32>;

    #[zbus(property, name = "RTTimeUSecMax")]
    fn rttime_usec_max(&self) -> zbus::Result<i64>;
}

/// Why rtkit did not make a thread real-time.
#[derive(Debug, thiserror::Error)]
pub enum RtkitError {
    /// No system bus, no rtkit on it, a refusal, or a timeout.
    #[error("rtkit: {0}")]
    Bus(#[from] zbus::Error),
    #[error("rtkit allows no real-time priority (MaxRealtimePriority {0})")]
    NoPriority(i32),
    #[error("rtkit gives no real-time CPU time (RTTimeUSecMax {0})")]
    NoTime(i64),
    /// `RLIMIT_RTTIME` could not be read or set.
    #[error("cannot cap the real-time CPU time: {0}")]
    Limit(#[from] nix::errno::Errno),
    #[error("cannot start the thread that asks rtkit: {0}")]
    Thread(#[from] std::io::Error),
}

/// The calling thread's id, as rtkit wants it.
pub fn current_thread() -> u64 {
    u64::try_from(nix::unistd::gettid().as_raw()).unwrap_or_default()
}

/// Asks rtkit, on a thread of its own, to make thread `thread` of this process real-time, and
/// returns at once. The outcome is logged (`what` names the thread) and sent on the channel,
/// the granted priority on success.
pub fn request(what: &'static str, thread: u64) -> mpsc::Receiver<Result<u32, RtkitError>> {
    let (tx, rx) = mpsc::sync_channel(1);
    let asked = std::thread::Builder::new()
        .name("parla-rtkit".into())
        .spawn({
            let tx = tx.clone();
            move || {
                let outcome = make_realtime(thread);
                match &outcome {
                    Ok(priority) => {
                        tracing::debug!("{what}: real-time scheduling from rtkit ({priority})")
                    }
                    Err(e) => tracing::debug!("{what}: no real-time scheduling ({e})"),
                }
                let _ = tx.send(outcome);
            }
        });
    if let Err(e) = asked {
        let _ = tx.send(Err(RtkitError::Thread(e)));
    }
    rx
}

/// Makes thread `thread` of this process real-time through rtkit on the system bus
/// (`DBUS_SYSTEM_BUS_ADDRESS`, else the standard socket). Blocks for a few D-Bus round trips;
/// returns the priority granted.
pub fn make_realtime(thread: u64) -> Result<u32, RtkitError> {
    let connection = Builder::system()?.method_timeout(CALL_TIMEOUT).build()?;
    let rtkit = RealtimeKit::builder(&connection)
        .cache_properties(CacheProperties::No)
        .build()?;
    let max = rtkit.max_realtime_priority()?;
    let priority = u32::try_from(max)
        .ok()
        .filter(|&p| p > 0)
        .ok_or(RtkitError::NoPriority(max))?
        .min(PRIORITY);
    let time = rtkit.rttime_usec_max()?;
    let limit = u64::try_from(time)
        .ok()
        .filter(|&t| t > 0)
        .ok_or(RtkitError::NoTime(time))?;
    cap_realtime_cpu(limit)?;
    rtkit.make_thread_realtime(thread, priority)?;
    Ok(priority)
}

/// Lowers `RLIMIT_RTTIME` to `limit_us` unless it already is at most that (an earlier
/// request). Soft and hard alike: past it the kernel ends the process, which is what rtkit
/// asks for; a soft limit below would send `SIGXCPU`, whose default also ends it.
fn cap_realtime_cpu(limit_us: u64) -> Result<(), RtkitError> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_RTTIME)?;
    if soft <= limit_us && hard <= limit_us {
        return Ok(());
    }
    let capped = limit_us.min(hard);
    setrlimit(Resource::RLIMIT_RTTIME, capped, capped)?;
    Ok(())
}
