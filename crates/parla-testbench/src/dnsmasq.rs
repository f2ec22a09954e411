//! dnsmasq as an authoritative-only DNS server on 127.0.0.1:FREEPORT for RFC 3263 tests.
//!
//! No /etc/hosts, no resolv.conf, no upstream: it answers only the records given, and NXDOMAIN
//! for other names under the `local_domains`. Every A/AAAA record must be a loopback address.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::dns::{dns_query, RecordType};
use crate::error::{BenchError, Result};
use crate::ports::free_port_udp_tcp;
use crate::process::{poll_until, Proc};
use crate::workdir::BenchDir;

const START_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsRecord {
    /// A or AAAA (`--host-record`); loopback only.
    Host { name: String, ip: IpAddr },
    /// `--srv-host`, e.g. name `_sip._udp.example.test`, target `sip.example.test`.
    Srv {
        name: String,
        target: String,
        port: u16,
        priority: u16,
        weight: u16,
    },
    /// `--naptr-record`, e.g. `example.test`, 10, 50, "s", "SIP+D2U", "", `_sip._udp.example.test`.
    Naptr {
        name: String,
        order: u16,
        preference: u16,
        flags: String,
        service: String,
        regexp: String,
        replacement: String,
    },
}

impl DnsRecord {
    fn arg(&self) -> Result<String> {
        Ok(match self {
            DnsRecord::Host { name, ip } => {
                if !ip.is_loopback() {
                    return Err(BenchError::Setup(format!(
                        "{name} -> {ip}: the bench only resolves names to loopback addresses"
                    )));
                }
                format!("--host-record={name},{ip}")
            }
            DnsRecord::Srv {
                name,
                target,
                port,
                priority,
                weight,
            } => format!("--srv-host={name},{target},{port},{priority},{weight}"),
            DnsRecord::Naptr {
                name,
                order,
                preference,
                flags,
                service,
                regexp,
                replacement,
            } => format!(
                "--naptr-record={name},{order},{preference},{flags},{service},{regexp},{replacement}"
            ),
        })
    }
}

#[derive(Debug, Clone)]
pub struct DnsmasqOptions {
    pub records: Vec<DnsRecord>,
    /// Domains answered locally only (unknown names get NXDOMAIN, never forwarded).
    pub local_domains: Vec<String>,
}

impl Default for DnsmasqOptions {
    fn default() -> Self {
        DnsmasqOptions {
            records: Vec::new(),
            local_domains: vec!["test".into()],
        }
    }
}

/// A running dnsmasq. Dropping it stops it.
#[derive(Debug)]
pub struct Dnsmasq {
    proc: Proc,
    port: u16,
    dir: BenchDir,
}

impl Dnsmasq {
    /// True if the `dnsmasq` binary can be run (package dnsmasq-base).
    pub fn available() -> bool {
        Command::new("dnsmasq")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    pub fn start(opts: DnsmasqOptions) -> Result<Dnsmasq> {
        let dir = BenchDir::new("dnsmasq")?;
        let port = free_port_udp_tcp()?;
        let mut cmd = Command::new("dnsmasq");
        cmd.args([
            "-k",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--conf-file=/dev/null",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--pid-file=",
            "--user=root",
            "--log-queries",
            "--log-facility=-",
        ])
        .arg(format!("--port={port}"));
        for domain in &opts.local_domains {
            cmd.arg(format!("--local=/{domain}/"));
        }
        for record in &opts.records {
            cmd.arg(record.arg()?);
        }
        let proc = Proc::spawn("dnsmasq", cmd, &dir.join("dnsmasq.log"))?;
        let mut d = Dnsmasq { proc, port, dir };
        d.wait_ready()?;
        Ok(d)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let server = self.addr();
        let up = poll_until(START_TIMEOUT, Duration::from_millis(50), || {
            self.proc.ensure_running()?;
            // any answer at all (even NXDOMAIN) means it is serving
            Ok(dns_query(server, "ready.invalid", RecordType::A)
                .ok()
                .map(|_| ()))
        })?;
        up.ok_or_else(|| {
            BenchError::timeout(
                "dnsmasq to answer",
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`: the DNS server to configure in the client under test.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// dnsmasq logs every query it gets here (`--log-queries`).
    pub fn log_path(&self) -> &Path {
        self.proc.log_path()
    }

    pub fn stop(&mut self) {
        self.proc.stop();
    }
}
