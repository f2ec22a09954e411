//! Real-time scheduling through rtkit (RealtimeKit), the system service that desktops use to
//! grant it to sound servers and players without giving them the right to take it themselves.
//!
//! rtkit makes a thread `SCHED_RR` at a modest priority once the process has capped the CPU time
//! a real-time thread may use without blocking (`RLIMIT_RTTIME`, at most rtkit's
//! `RTTimeUSecMax`, 200 ms by default): a real-time thread that runs that long without blocking
//! then has the kernel end the whole process instead of freezing the desktop. Parla's audio
//! threads block every few ms.
//!
//! Requests go to one `parla-rtkit` thread, which keeps one connection to the bus, so an audio
//! thread never waits on the bus. Each method call there gives up after `CALL_TIMEOUT`; zbus
//! has no timeout for the connection's handshake, so a bus that hangs there holds that one
//! thread, and requests beyond [`QUEUE`] waiting behind it are refused at once.

use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use nix::sys::resource::{getrlimit, setrlimit, Resource};
use zbus::blocking::connection::Builder;
use zbus::blocking::Connection;
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
    #[error("rtkit is not answering: {QUEUE} requests are waiting")]
    Busy,
    #[error("the thread that asks rtkit could not start")]
    NoWorker,
}

/// The calling thread's id, as rtkit wants it.
pub fn current_thread() -> u64 {
    u64::try_from(nix::unistd::gettid().as_raw()).unwrap_or_default()
}

/// Requests waiting for the `parla-rtkit` thread; beyond this they are refused.
pub const QUEUE: usize = 8;

struct Request {
    what: &'static str,
    thread: u64,
    reply: mpsc::SyncSender<Result<u32, RtkitError>>,
}

/// Asks rtkit to make thread `thread` of this process real-time, and returns at once. The
/// outcome is logged (`what` names the thread) and sent on the channel: the granted priority
/// on success.
pub fn request(what: &'static str, thread: u64) -> mpsc::Receiver<Result<u32, RtkitError>> {
    let (reply, outcome) = mpsc::sync_channel(1);
    let request = Request {
        what,
        thread,
        reply,
    };
    let refused = match worker() {
        Some(worker) => match worker.try_send(request) {
            Ok(()) => None,
            Err(mpsc::TrySendError::Full(r)) => Some((r, RtkitError::Busy)),
            Err(mpsc::TrySendError::Disconnected(r)) => Some((r, RtkitError::NoWorker)),
        },
        None => Some((request, RtkitError::NoWorker)),
    };
    if let Some((request, error)) = refused {
        answer(request, Err(error));
    }
    outcome
}

/// Logs what came of `request` and sends it to whoever asked.
fn answer(request: Request, outcome: Result<u32, RtkitError>) {
    match &outcome {
        Ok(priority) => tracing::debug!(
            "{}: real-time scheduling from rtkit ({priority})",
            request.what
        ),
        Err(e) => tracing::debug!("{}: no real-time scheduling ({e})", request.what),
    }
    let _ = request.reply.send(outcome);
}

/// The `parla-rtkit` thread's queue, started on first use; `None` if it could not start.
fn worker() -> Option<&'static mpsc::SyncSender<Request>> {
    static WORKER: OnceLock<Option<mpsc::SyncSender<Request>>> = OnceLock::new();
    WORKER
        .get_or_init(|| {
            let (requests, queue) = mpsc::sync_channel(QUEUE);
            std::thread::Builder::new()
                .name("parla-rtkit".into())
                .spawn(move || serve(queue))
                .ok()
                .map(|_| requests)
        })
        .as_ref()
}

/// Answers requests in turn on one connection, made again after any failure (rtkit or the bus
/// may have restarted).
fn serve(queue: mpsc::Receiver<Request>) {
    let mut connection = None;
    for request in queue {
        let outcome = make_realtime(&mut connection, request.thread);
        if outcome.is_err() {
            connection = None;
        }
        answer(request, outcome);
    }
}

/// Makes thread `thread` of this process real-time through rtkit on the system bus
/// (`DBUS_SYSTEM_BUS_ADDRESS`, else the standard socket), connecting first if `connection` is
/// `None`. Returns the priority granted.
fn make_realtime(connection: &mut Option<Connection>, thread: u64) -> Result<u32, RtkitError> {
    let connection = match connection {
        Some(c) => c,
        None => connection.insert(Builder::system()?.method_timeout(CALL_TIMEOUT).build()?),
    };
    let rtkit = RealtimeKit::builder(connection)
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

/// Lowers `RLIMIT_RTTIME`, soft and hard, to at most `limit_us`: rtkit wants the hard limit
/// within its maximum. Past the hard limit the kernel kills the process; past a lower soft
/// limit it sends `SIGXCPU`, whose default also ends it. The cap stays for the process's life
/// (only root may raise a hard limit) and is inherited by the processes it starts.
fn cap_realtime_cpu(limit_us: u64) -> Result<(), RtkitError> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_RTTIME)?;
    if hard <= limit_us {
        return Ok(());
    }
    setrlimit(Resource::RLIMIT_RTTIME, soft.min(limit_us), limit_us)?;
    Ok(())
}
