//! A minimal DNS client (UDP, one question) to check what the bench's dnsmasq serves,
//! since `dig`/`host` may not be installed. Loopback servers only.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use crate::error::{BenchError, IoContext, Result};

/// Record types the bench deals with (RFC 3263 discovery: NAPTR, SRV, A, AAAA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
    Srv,
    Naptr,
}

impl RecordType {
    fn code(self) -> u16 {
        match self {
            RecordType::A => 1,
            RecordType::Aaaa => 28,
            RecordType::Srv => 33,
            RecordType::Naptr => 35,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsAnswer {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
    Naptr {
        order: u16,
        preference: u16,
        flags: String,
        service: String,
        regexp: String,
        replacement: String,
    },
    /// Any other type (e.g. a CNAME), by type code.
    Other(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsResponse {
    /// 0 NOERROR, 3 NXDOMAIN, 5 REFUSED...
    pub rcode: u8,
    pub answers: Vec<DnsAnswer>,
}

fn malformed(detail: &str) -> BenchError {
    BenchError::Protocol {
        peer: "DNS server".into(),
        detail: detail.into(),
    }
}

/// Asks `server` (which must be on loopback) one question over UDP.
pub fn dns_query(server: SocketAddr, name: &str, rtype: RecordType) -> Result<DnsResponse> {
    if !server.ip().is_loopback() {
        return Err(BenchError::Setup(format!(
            "the bench only talks to loopback, not {server}"
        )));
    }
    let id: u16 = (std::process::id() as u16) ^ 0x5a5a;
    let query = build_query(id, name, rtype)?;
    let socket = UdpSocket::bind("127.0.0.1:0").ctx(|| "binding a DNS client socket".into())?;
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .ctx(|| "setting the DNS timeout".into())?;
    socket
        .send_to(&query, server)
        .ctx(|| format!("sending a DNS query to {server}"))?;
    let mut buf = [0u8; 4096];
    let (len, _) = socket
        .recv_from(&mut buf)
        .ctx(|| format!("waiting for the DNS answer from {server}"))?;
    parse_response(&buf[..len], id)
}

fn build_query(id: u16, name: &str, rtype: RecordType) -> Result<Vec<u8>> {
    let mut q = Vec::with_capacity(32 + name.len());
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD; 1 question
    for label in name.trim_end_matches('.').split('.') {
        let len = u8::try_from(label.len())
            .ok()
            .filter(|l| (1..64).contains(l))
            .ok_or_else(|| BenchError::Setup(format!("bad DNS name {name:?}")))?;
        q.push(len);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&rtype.code().to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes()); // IN
    Ok(q)
}

struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn u8(&mut self) -> Result<u8> {
        let b = *self
            .msg
            .get(self.pos)
            .ok_or_else(|| malformed("truncated"))?;
        self.pos += 1;
        Ok(b)
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }
    fn bytes(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.pos + n;
        let s = self
            .msg
            .get(self.pos..end)
            .ok_or_else(|| malformed("truncated"))?;
        self.pos = end;
        Ok(s)
    }
    fn char_string(&mut self) -> Result<String> {
        let n = usize::from(self.u8()?);
        Ok(String::from_utf8_lossy(self.bytes(n)?).into_owned())
    }
    /// A domain name, following compression pointers.
    fn name(&mut self) -> Result<String> {
        let mut labels = Vec::new();
        let mut pos = self.pos;
        let mut jumped = false;
        for _ in 0..128 {
            let len = *self
                .msg
                .get(pos)
                .ok_or_else(|| malformed("truncated name"))?;
            if len & 0xc0 == 0xc0 {
                let low = *self
                    .msg
                    .get(pos + 1)
                    .ok_or_else(|| malformed("truncated"))?;
                if !jumped {
                    self.pos = pos + 2;
                }
                jumped = true;
                pos = usize::from(len & 0x3f) << 8 | usize::from(low);
                continue;
            }
            if len == 0 {
                if !jumped {
                    self.pos = pos + 1;
                }
                return Ok(labels.join("."));
            }
            let start = pos + 1;
            let label = self
                .msg
                .get(start..start + usize::from(len))
                .ok_or_else(|| malformed("truncated label"))?;
            labels.push(String::from_utf8_lossy(label).into_owned());
            pos = start + usize::from(len);
        }
        Err(malformed("name compression loop"))
    }
}

fn parse_response(msg: &[u8], id: u16) -> Result<DnsResponse> {
    let mut r = Reader { msg, pos: 0 };
    if r.u16()? != id {
        return Err(malformed("answer id does not match the query"));
    }
    let flags = r.u16()?;
    let (qd, an) = (r.u16()?, r.u16()?);
    r.bytes(4)?; // authority and additional counts
    for _ in 0..qd {
        r.name()?;
        r.bytes(4)?;
    }
    let mut answers = Vec::new();
    for _ in 0..an {
        r.name()?;
        let rtype = r.u16()?;
        r.bytes(6)?; // class, ttl
        let rdlen = usize::from(r.u16()?);
        let end = r.pos + rdlen;
        let answer = match rtype {
            1 => {
                let b = r.bytes(4)?;
                DnsAnswer::A(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
            }
            28 => {
                let mut b = [0u8; 16];
                b.copy_from_slice(r.bytes(16)?);
                DnsAnswer::Aaaa(Ipv6Addr::from(b))
            }
            33 => DnsAnswer::Srv {
                priority: r.u16()?,
                weight: r.u16()?,
                port: r.u16()?,
                target: r.name()?,
            },
            35 => DnsAnswer::Naptr {
                order: r.u16()?,
                preference: r.u16()?,
                flags: r.char_string()?,
                service: r.char_string()?,
                regexp: r.char_string()?,
                replacement: r.name()?,
            },
            other => DnsAnswer::Other(other),
        };
        answers.push(answer);
        r.pos = end;
    }
    Ok(DnsResponse {
        rcode: (flags & 0x000f) as u8,
        answers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_compressed_srv_answer() -> Result<()> {
        let id = 0x1234;
        let mut msg = build_query(id, "_sip._udp.example.test", RecordType::Srv)?;
        msg[2] = 0x85; // QR, AA, RD
        msg[3] = 0x80;
        msg[7] = 1; // one answer
        msg.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60]);
        let mut rdata = vec![0, 10, 0, 5, 0x13, 0xc4]; // prio 10, weight 5, port 5060
        rdata.extend_from_slice(&[3, b's', b'i', b'p', 0xc0, 22]); // "sip" + ".example.test"
        msg.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        msg.extend_from_slice(&rdata);
        let resp = parse_response(&msg, id)?;
        assert_eq!(resp.rcode, 0);
        assert_eq!(
            resp.answers,
            vec![DnsAnswer::Srv {
                priority: 10,
                weight: 5,
                port: 5060,
                target: "sip.example.test".into()
            }]
        );
        Ok(())
    }
}
