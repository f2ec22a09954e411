//! An impaired network path between two private namespaces: loss, jitter and reordering of RTP.
//!
//! This kernel has no `netem` qdisc, so `impair_router.py` (run with the test venv's Python) is
//! a userspace stand-in: one TUN device in each namespace (`imp0` 10.77.0.1/24 in `a`, `imp1`
//! 10.77.0.2/24 in `b`) and one process moving packets between them, impairing RTP with a
//! seeded RNG (the same seed for each direction). Only these private namespaces are touched.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::error::{BenchError, IoContext, Result};
use crate::netpair::NetNs;
use crate::process::{poll_until, Proc};
use crate::workdir::BenchDir;

/// The Python that runs the router and the PESQ scorer (`scripts/install-test-deps.sh`).
pub const VENV_PYTHON: &str = "/opt/parla-test/venv/bin/python";

const ROUTER: &str = include_str!("impair_router.py");
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Address of side `a` on the impaired path.
pub const ADDR_A: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 77, 0, 1));
/// Address of side `b` on the impaired path.
pub const ADDR_B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 77, 0, 2));

/// What the path does to RTP, per direction (netem terms).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Impairment {
    /// Share of RTP packets dropped, percent.
    pub loss_percent: f64,
    /// Delay in ms; with `jitter_ms` the centre of a uniform spread, with `reorder_percent`
    /// what the packets not sent at once wait.
    pub delay_ms: f64,
    /// Delay spread, +- ms around `delay_ms`.
    pub jitter_ms: f64,
    /// Share of packets sent at once while the others wait `delay_ms`, percent.
    pub reorder_percent: f64,
}

impl Impairment {
    pub fn clean() -> Impairment {
        Impairment::default()
    }

    pub fn loss(percent: f64) -> Impairment {
        Impairment {
            loss_percent: percent,
            ..Impairment::default()
        }
    }

    /// netem `delay 2J ms J ms`: uniform delays of 1J..3J ms, packets may overtake.
    pub fn jitter(ms: f64) -> Impairment {
        Impairment {
            delay_ms: 2.0 * ms,
            jitter_ms: ms,
            ..Impairment::default()
        }
    }

    /// netem `delay MS reorder PERCENT%`.
    pub fn reorder(percent: f64, delay_ms: f64) -> Impairment {
        Impairment {
            delay_ms,
            reorder_percent: percent,
            ..Impairment::default()
        }
    }

    /// A short label for tables: `clean`, `loss 3%`, `jitter 20ms`, `reorder 25%`, or a mix.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if self.loss_percent > 0.0 {
            parts.push(format!("loss {}%", self.loss_percent));
        }
        if self.jitter_ms > 0.0 {
            parts.push(format!("jitter {}ms", self.jitter_ms));
        }
        if self.reorder_percent > 0.0 {
            parts.push(format!("reorder {}%", self.reorder_percent));
        }
        if parts.is_empty() {
            "clean".into()
        } else {
            parts.join(" + ")
        }
    }
}

/// RTP counts of one direction of the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirectionStats {
    pub rtp: u64,
    pub dropped: u64,
    pub delivered: u64,
    /// Delivered after a packet with a higher sequence number.
    pub reordered: u64,
}

impl DirectionStats {
    fn from_json(v: &Value) -> DirectionStats {
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        DirectionStats {
            rtp: n("rtp"),
            dropped: n("dropped"),
            delivered: n("delivered"),
            reordered: n("reordered"),
        }
    }

    /// Dropped share of the RTP seen, percent (0 when none was seen).
    pub fn loss_percent(&self) -> f64 {
        if self.rtp == 0 {
            0.0
        } else {
            100.0 * self.dropped as f64 / self.rtp as f64
        }
    }
}

/// Two namespaces joined through the router. Dropping it stops the router; the namespaces go
/// when the processes started in them have stopped too.
#[derive(Debug)]
pub struct ImpairedPath {
    pub a: NetNs,
    pub b: NetNs,
    router: Proc,
    stats: PathBuf,
    _dir: BenchDir,
}

impl ImpairedPath {
    pub fn start(impairment: Impairment, seed: u64) -> Result<ImpairedPath> {
        let dir = BenchDir::new("impair")?;
        let a = NetNs::new()?;
        let b = NetNs::new()?;
        let script = dir.join("impair_router.py");
        std::fs::write(&script, ROUTER).ctx(|| format!("writing {}", script.display()))?;
        let stats = dir.join("stats.json");
        let mut cmd = Command::new(VENV_PYTHON);
        cmd.arg(&script)
            .arg("--ns-a")
            .arg(a.proc_path())
            .arg("--ns-b")
            .arg(b.proc_path())
            .args(["--seed", &seed.to_string()])
            .args(["--loss", &impairment.loss_percent.to_string()])
            .args(["--delay", &impairment.delay_ms.to_string()])
            .args(["--jitter", &impairment.jitter_ms.to_string()])
            .args(["--reorder", &impairment.reorder_percent.to_string()])
            .arg("--stats")
            .arg(&stats)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("router.err"))
                    .ctx(|| "creating router.err".into())?,
            ));
        let log = dir.join("router.err");
        let mut router = Proc::spawn_configured("impair router", cmd, &log)?;
        let stdout = router.child_mut().stdout.take();
        let Some(stdout) = stdout else {
            return Err(BenchError::Setup("the router has no stdout".into()));
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) if line.trim() == "ready" => {}
            _ => {
                return Err(BenchError::timeout(
                    "the impairment router to set up its TUN devices",
                    START_TIMEOUT,
                    Some(&log),
                ))
            }
        }
        let path = ImpairedPath {
            a,
            b,
            router,
            stats,
            _dir: dir,
        };
        path.check_reachable()?;
        Ok(path)
    }

    /// A datagram from `a` reaches `b` through the router (non-RTP: never impaired).
    fn check_reachable(&self) -> Result<()> {
        let rx = self
            .b
            .run(|| UdpSocket::bind((ADDR_B, 0)))?
            .ctx(|| "binding a UDP socket in namespace b".into())?;
        rx.set_read_timeout(Some(Duration::from_millis(200)))
            .ctx(|| "setting a read timeout".into())?;
        let to = rx.local_addr().ctx(|| "local address".into())?;
        let tx = self
            .a
            .run(|| UdpSocket::bind((ADDR_A, 0)))?
            .ctx(|| "binding a UDP socket in namespace a".into())?;
        let ok = poll_until(START_TIMEOUT, Duration::from_millis(1), || {
            let _ = tx.send_to(b"hello", to);
            let mut buf = [0u8; 16];
            Ok(rx.recv_from(&mut buf).is_ok().then_some(()))
        })?;
        ok.ok_or_else(|| {
            BenchError::timeout(
                "a datagram from 10.77.0.1 to reach 10.77.0.2",
                START_TIMEOUT,
                None,
            )
        })
    }

    /// The router's counts so far: (a to b, b to a).
    pub fn stats(&self) -> Result<(DirectionStats, DirectionStats)> {
        read_stats(&self.stats)
    }

    /// Stops the router and returns its final counts.
    pub fn finish(mut self) -> Result<(DirectionStats, DirectionStats)> {
        self.router.stop();
        read_stats(&self.stats)
    }
}

fn read_stats(path: &Path) -> Result<(DirectionStats, DirectionStats)> {
    let text = std::fs::read_to_string(path).ctx(|| format!("reading {}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| BenchError::Protocol {
        peer: "impair router".into(),
        detail: format!("bad stats {text:?}: {e}"),
    })?;
    Ok((
        DirectionStats::from_json(&v["a_to_b"]),
        DirectionStats::from_json(&v["b_to_a"]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtp(seq: u16) -> [u8; 172] {
        let mut p = [0u8; 172];
        p[0] = 0x80;
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p
    }

    #[test]
    fn the_router_drops_about_the_share_it_is_told_and_counts_it() {
        if !Path::new(VENV_PYTHON).exists() || NetNs::new().is_err() {
            return; // no venv or not root: nothing to check here
        }
        let path = ImpairedPath::start(Impairment::loss(10.0), 7).unwrap();
        let rx = path
            .b
            .run(|| UdpSocket::bind((ADDR_B, 0)))
            .unwrap()
            .unwrap();
        rx.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let to = rx.local_addr().unwrap();
        let reader = std::thread::spawn(move || {
            let mut got = 0;
            let mut buf = [0u8; 256];
            while rx.recv_from(&mut buf).is_ok() {
                got += 1;
            }
            got
        });
        let tx = path
            .a
            .run(|| UdpSocket::bind((ADDR_A, 0)))
            .unwrap()
            .unwrap();
        for seq in 0..500u16 {
            tx.send_to(&rtp(seq), to).unwrap();
            std::thread::sleep(Duration::from_micros(500));
        }
        let got = reader.join().unwrap();
        let (ab, ba) = path.finish().unwrap();
        assert_eq!(ab.rtp, 500);
        assert_eq!(ab.delivered, got);
        assert_eq!(ab.dropped + ab.delivered, 500);
        assert!((30..=70).contains(&ab.dropped), "{ab:?}");
        assert_eq!(ba, DirectionStats::default());
    }
}
