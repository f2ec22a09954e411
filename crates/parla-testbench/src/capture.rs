//! Packet captures for tests: tcpdump on an interface into a pcap file, and the IPv4 UDP/TCP
//! payloads of such a file.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::error::{BenchError, Result};
use crate::process::{poll_until, Proc};

/// Starts `tcpdump -i interface -w file` with `args` (options such as `-c N`, then the filter)
/// and waits until it is listening. Logs to `tcpdump.log` beside `file`.
pub fn start_tcpdump(
    interface: &str,
    file: &Path,
    args: &[&str],
    timeout: Duration,
) -> Result<Proc> {
    let mut cmd = Command::new("tcpdump");
    cmd.args([
        "-i",
        interface,
        "-n",
        "-U",
        "--immediate-mode",
        "-s",
        "0",
        "-w",
    ])
    .arg(file)
    .args(args);
    let log = file.with_file_name("tcpdump.log");
    let mut proc = Proc::spawn("tcpdump", cmd, &log)?;
    let listening = poll_until(timeout, Duration::from_millis(20), || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("listening on") {
            return Ok(Some(()));
        }
        proc.ensure_running().map(|()| None)
    })?;
    if listening.is_none() {
        return Err(BenchError::timeout(
            "tcpdump to listen",
            timeout,
            Some(&log),
        ));
    }
    Ok(proc)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Udp,
    Tcp,
}

/// One UDP datagram's or TCP segment's payload.
#[derive(Debug, Clone)]
pub struct Payload {
    pub protocol: Protocol,
    pub src_port: u16,
    pub dst_port: u16,
    pub data: Vec<u8>,
}

/// Every non-empty IPv4 UDP and TCP payload of a classic little-endian pcap file (Ethernet,
/// Linux cooked v1/v2 or raw IP framing), in file order. A truncated file yields what it holds;
/// anything that is not such a file yields nothing.
pub fn pcap_payloads(pcap: &[u8]) -> Vec<Payload> {
    let u32_at = |at: usize| {
        pcap.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    };
    if u32_at(0) != Some(0xa1b2_c3d4) {
        return Vec::new();
    }
    let link = match u32_at(20) {
        Some(1) => 14,
        Some(113) => 16,
        Some(276) => 20,
        Some(228 | 101) => 0,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut at = 24;
    while let Some(len) = u32_at(at + 8) {
        let start = at + 16;
        let end = start.saturating_add(len as usize).min(pcap.len());
        let frame = pcap.get(start..end).unwrap_or_default();
        at = end;
        if let Some(p) = frame.get(link..).and_then(ipv4_payload) {
            out.push(p);
        }
    }
    out
}

fn ipv4_payload(ip: &[u8]) -> Option<Payload> {
    let first = *ip.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(first & 0x0f) * 4;
    let l4 = ip.get(ihl..)?;
    let port = |i: usize| Some(u16::from_be_bytes([*l4.get(i)?, *l4.get(i + 1)?]));
    let (protocol, data) = match ip.get(9)? {
        17 => (Protocol::Udp, l4.get(8..)?),
        6 => (Protocol::Tcp, l4.get(usize::from(l4.get(12)? >> 4) * 4..)?),
        _ => return None,
    };
    if data.is_empty() {
        return None;
    }
    Some(Payload {
        protocol,
        src_port: port(0)?,
        dst_port: port(2)?,
        data: data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcap(link: u32, frames: &[Vec<u8>]) -> Vec<u8> {
        let mut out = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
        out.extend([0u8; 16]);
        out.extend(link.to_le_bytes());
        for f in frames {
            out.extend([0u8; 8]);
            out.extend((f.len() as u32).to_le_bytes());
            out.extend((f.len() as u32).to_le_bytes());
            out.extend(f);
        }
        out
    }

    fn udp(src: u16, dst: u16, body: &[u8]) -> Vec<u8> {
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
        ];
        ip.extend(src.to_be_bytes());
        ip.extend(dst.to_be_bytes());
        ip.extend([0u8; 4]);
        ip.extend(body);
        ip
    }

    #[test]
    fn reads_udp_and_survives_truncation() {
        let mut frame = vec![0u8; 14];
        frame.extend(udp(1000, 2000, b"hello"));
        let file = pcap(1, &[frame.clone(), frame]);
        let all = pcap_payloads(&file);
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].src_port, all[0].dst_port), (1000, 2000));
        assert_eq!(all[0].data, b"hello");
        for cut in 0..file.len() {
            assert!(pcap_payloads(&file[..cut]).len() <= 2);
        }
        assert!(pcap_payloads(&pcap(9999, &[])).is_empty());
    }
}
