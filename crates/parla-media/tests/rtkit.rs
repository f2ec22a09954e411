//! Real-time scheduling through rtkit, by the path Parla takes when the kernel refuses a
//! desktop user: the real `rtkit-daemon` and `polkitd` on a private stand-in for the system
//! bus, started and stopped by PID. rtkit must run as root, so the test does too; polkit
//! always authorises root, where rtkit's policy authorises a user in a local session, so
//! polkit's answer for a user is not what is tested. Being root, the test asks rtkit itself
//! rather than through `promote` (the kernel would say yes first).
//!
//! One test in this binary: it points this process's `DBUS_SYSTEM_BUS_ADDRESS` at its bus, and
//! rtkit's `RLIMIT_RTTIME` cap stays on the whole process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::time::{Duration, Instant};

use parla_media::realtime::rtkit::{self, RtkitError};
use parla_testbench::procstat::{self, SCHED_OTHER, SCHED_RR};
use parla_testbench::rtkit::Rtkit;
use parla_testbench::session_bus::{SessionBus, SYSTEM_BUS_ENV};

const ANSWER: Duration = Duration::from_secs(20);

fn scheduling(tid: u64) -> (u32, u32) {
    procstat::scheduling(tid).expect("the thread is alive")
}

/// RLIMIT_RTTIME (soft, hard) in µs, or `None` while unlimited.
fn realtime_cpu_limit() -> Option<(u64, u64)> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max realtime timeout"))
        .unwrap();
    let values: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    Some((values[0].parse().ok()?, values[1].parse().ok()?))
}

fn ask(thread: u64) -> Result<u32, RtkitError> {
    rtkit::request("test thread", thread)
        .recv_timeout(ANSWER)
        .expect("the request thread answers")
}

#[test]
fn rtkit_makes_a_thread_real_time_at_the_priority_it_allows() {
    if !Rtkit::can_run() || !common::may_take_realtime() {
        eprintln!("skipped: rtkit must run as root, with the right to set real-time scheduling");
        return;
    }
    assert!(
        Rtkit::installed(),
        "rtkit and polkitd are not installed: scripts/install-test-deps.sh installs them"
    );
    let bus = SessionBus::start_system().expect("start the stand-in system bus");
    std::env::set_var(SYSTEM_BUS_ENV, bus.address());

    std::thread::spawn(move || {
        let me = rtkit::current_thread();
        assert_eq!(scheduling(me).0, SCHED_OTHER);

        // No rtkit on the bus yet: a clear error, soon, and nothing changed.
        let asked = Instant::now();
        let refused = ask(me);
        assert!(
            matches!(refused, Err(RtkitError::Bus(_))),
            "without rtkit: {refused:?}"
        );
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "{:?}",
            asked.elapsed()
        );
        assert_eq!(scheduling(me).0, SCHED_OTHER);

        // rtkit allowing up to 5: Parla's 10 is lowered to that.
        let rtkit = Rtkit::start(&bus, 5).expect("start polkitd and rtkit-daemon");
        let granted = ask(me);
        let log = std::fs::read_to_string(rtkit.rtkit_log()).unwrap_or_default();
        assert_eq!(granted.ok(), Some(5), "rtkit's log:\n{log}");
        assert_eq!(scheduling(me), (SCHED_RR, 5));
        let (soft, hard) = realtime_cpu_limit().expect("RLIMIT_RTTIME is capped");
        assert!(soft <= 200_000 && hard <= 200_000, "{soft} {hard}");

        // A thread of another process is not ours to promote: rtkit refuses it.
        let mut other = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let refused = ask(u64::from(other.id()));
        let _ = other.kill();
        let _ = other.wait();
        assert!(refused.is_err(), "another process's thread: {refused:?}");
    })
    .join()
    .expect("the test thread");
}
