//! Free ports on 127.0.0.1, picked at run time so tests can run in parallel.
//!
//! A port is probed by binding it, then released for the peer to bind. Ports handed out once are
//! never handed out again by this process, so two tests in one test binary cannot collide.

use std::collections::HashSet;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::sync::{Mutex, OnceLock};

use crate::error::{BenchError, Result};

const ATTEMPTS: usize = 200;

fn handed_out() -> &'static Mutex<HashSet<u16>> {
    static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    PORTS.get_or_init(|| Mutex::new(HashSet::new()))
}

fn tcp_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

fn udp_free(port: u16) -> bool {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Asks the kernel for an unused TCP port number on 127.0.0.1.
fn kernel_pick() -> Option<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok()?;
    listener.local_addr().ok().map(|a| a.port())
}

/// A port that is free for UDP *and* TCP on 127.0.0.1 (what a SIP listener needs).
pub fn free_port_udp_tcp() -> Result<u16> {
    free_port_range(1)
}

/// A port free for UDP only.
pub fn free_port_udp() -> Result<u16> {
    pick(1, udp_free)
}

/// A port free for TCP only.
pub fn free_port_tcp() -> Result<u16> {
    pick(1, tcp_free)
}

/// The first of `count` consecutive ports that are all free for UDP and TCP
/// (baresip puts its TLS listener on the SIP port + 1, SIPp media uses port..port+3).
pub fn free_port_range(count: u16) -> Result<u16> {
    pick(count, |p| tcp_free(p) && udp_free(p))
}

fn pick(count: u16, is_free: impl Fn(u16) -> bool) -> Result<u16> {
    let count = count.max(1);
    for _ in 0..ATTEMPTS {
        let Some(first) = kernel_pick() else { continue };
        let Some(last) = first.checked_add(count - 1) else {
            continue;
        };
        let mut taken = handed_out()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if (first..=last).any(|p| taken.contains(&p) || !is_free(p)) {
            continue;
        }
        taken.extend(first..=last);
        return Ok(first);
    }
    Err(BenchError::Setup(format!(
        "no run of {count} free port(s) on 127.0.0.1 after {ATTEMPTS} attempts"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_and_bindable() -> Result<()> {
        let a = free_port_udp_tcp()?;
        let b = free_port_udp_tcp()?;
        assert_ne!(a, b);
        assert!(tcp_free(a) && udp_free(a));
        let r = free_port_range(4)?;
        assert!((r..r + 4).all(|p| tcp_free(p) && udp_free(p)));
        Ok(())
    }
}
