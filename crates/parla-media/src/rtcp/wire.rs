//! RTCP wire layouts (RFC 3550 §6.4-6.6): SR, RR, SDES CNAME and BYE, written and read by hand.
//! The `rtcp` crate (0.17) panics on some malformed feedback packets, and these few layouts
//! are easier to keep bounds-checked here than to guard from outside.

use super::RtcpError;

pub(super) const SR: u8 = 200;
pub(super) const RR: u8 = 201;
pub(super) const SDES: u8 = 202;
pub(super) const BYE: u8 = 203;
const VERSION: u8 = 2;
const HEADER_LEN: usize = 4;
const SENDER_INFO_LEN: usize = 20;
const REPORT_BLOCK_LEN: usize = 24;
const SDES_CNAME: u8 = 1;
/// Highest value of the 24-bit signed cumulative-lost field, and the lowest.
const LOST_MAX: i64 = 0x7F_FFFF;
const LOST_MIN: i64 = -0x80_0000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SenderInfo {
    pub ntp: u64,
    pub rtp_timestamp: u32,
    pub packets: u32,
    pub octets: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ReportBlock {
    pub ssrc: u32,
    pub fraction: u8,
    pub cumulative_lost: i32,
    pub highest_seq: u32,
    pub jitter: u32,
    pub lsr: u32,
    pub dlsr: u32,
}

/// The 24-bit field's range; lost counts beyond it are pinned to its ends.
pub(super) fn clamp_lost(lost: i64) -> i32 {
    // The clamp keeps the value inside i32, so the fallback never happens.
    i32::try_from(lost.clamp(LOST_MIN, LOST_MAX)).unwrap_or(0)
}

pub(super) const BYE_LEN: usize = HEADER_LEN + 4;

/// Bytes of an SR (with `sender`) or RR with zero or one report block.
pub(super) fn report_len(sender: bool, block: bool) -> usize {
    HEADER_LEN + 4 + usize::from(sender) * SENDER_INFO_LEN + usize::from(block) * REPORT_BLOCK_LEN
}

/// Bytes of an SDES packet with one CNAME chunk: the item list ends with at least one null
/// octet, then pads to a 32-bit boundary.
pub(super) fn sdes_len(cname_len: usize) -> usize {
    let items = 2 + cname_len;
    HEADER_LEN + 4 + items + (4 - items % 4)
}

/// Writes into a caller's buffer; running out of room is an error, never a panic.
pub(super) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub fn len(&self) -> usize {
        self.pos
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), RtcpError> {
        let end = self.pos + bytes.len();
        let available = self.buf.len();
        self.buf
            .get_mut(self.pos..end)
            .ok_or(RtcpError::BufferTooSmall {
                needed: end,
                available,
            })?
            .copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    fn u32(&mut self, v: u32) -> Result<(), RtcpError> {
        self.put(&v.to_be_bytes())
    }

    /// Common header; `len` is the whole packet in bytes, a multiple of 4.
    fn header(&mut self, count: u8, pt: u8, len: usize) -> Result<(), RtcpError> {
        let words = u16::try_from(len / 4 - 1).map_err(|_| RtcpError::BadLength)?;
        let w = words.to_be_bytes();
        self.put(&[(VERSION << 6) | (count & 0x1F), pt, w[0], w[1]])
    }
}

/// SR when `sender` is given, else RR; with at most one report block.
pub(super) fn write_report(
    w: &mut Writer<'_>,
    ssrc: u32,
    sender: Option<&SenderInfo>,
    block: Option<&ReportBlock>,
) -> Result<(), RtcpError> {
    let count = u8::from(block.is_some());
    let len = report_len(sender.is_some(), block.is_some());
    w.header(count, if sender.is_some() { SR } else { RR }, len)?;
    w.u32(ssrc)?;
    if let Some(s) = sender {
        w.put(&s.ntp.to_be_bytes())?;
        w.u32(s.rtp_timestamp)?;
        w.u32(s.packets)?;
        w.u32(s.octets)?;
    }
    if let Some(b) = block {
        w.u32(b.ssrc)?;
        let lost = b.cumulative_lost.to_be_bytes();
        w.put(&[b.fraction, lost[1], lost[2], lost[3]])?;
        w.u32(b.highest_seq)?;
        w.u32(b.jitter)?;
        w.u32(b.lsr)?;
        w.u32(b.dlsr)?;
    }
    Ok(())
}

/// One SDES chunk with the CNAME item; `cname` must be at most 255 bytes.
pub(super) fn write_sdes_cname(
    w: &mut Writer<'_>,
    ssrc: u32,
    cname: &[u8],
) -> Result<(), RtcpError> {
    let name_len = u8::try_from(cname.len()).map_err(|_| RtcpError::BadLength)?;
    let items = 2 + cname.len();
    let pad = sdes_len(cname.len()) - HEADER_LEN - 4 - items;
    w.header(1, SDES, sdes_len(cname.len()))?;
    w.u32(ssrc)?;
    w.put(&[SDES_CNAME, name_len])?;
    w.put(cname)?;
    w.put(&[0; 4][..pad])
}

pub(super) fn write_bye(w: &mut Writer<'_>, ssrc: u32) -> Result<(), RtcpError> {
    w.header(1, BYE, BYE_LEN)?;
    w.u32(ssrc)
}

/// One packet of a compound datagram, padding removed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Packet<'a> {
    pub count: u8,
    pub pt: u8,
    pub body: &'a [u8],
}

/// Walks a compound datagram. Each step checks the version and that the length fits; padding
/// is allowed only on the last packet (RFC 3550 A.2), so a datagram whose lengths do not tile
/// it exactly ends in an error.
pub(super) struct Packets<'a> {
    rest: &'a [u8],
}

pub(super) fn packets(datagram: &[u8]) -> Packets<'_> {
    Packets { rest: datagram }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<Packet<'a>, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = self.split();
        if item.is_err() {
            self.rest = &[];
        }
        Some(item)
    }
}

impl<'a> Packets<'a> {
    fn split(&mut self) -> Result<Packet<'a>, RtcpError> {
        let &[b0, pt, l0, l1, ..] = self.rest else {
            return Err(RtcpError::TooShort);
        };
        if b0 >> 6 != VERSION {
            return Err(RtcpError::BadVersion(b0 >> 6));
        }
        let len = (usize::from(u16::from_be_bytes([l0, l1])) + 1) * 4;
        let (packet, rest) = self
            .rest
            .split_at_checked(len)
            .ok_or(RtcpError::BadLength)?;
        let mut body = packet.get(HEADER_LEN..).ok_or(RtcpError::BadLength)?;
        if b0 & 0x20 != 0 {
            if !rest.is_empty() {
                return Err(RtcpError::BadPadding);
            }
            let pad = usize::from(*body.last().ok_or(RtcpError::BadPadding)?);
            if pad == 0 || pad > body.len() {
                return Err(RtcpError::BadPadding);
            }
            body = &body[..body.len() - pad];
        }
        self.rest = rest;
        Ok(Packet {
            count: b0 & 0x1F,
            pt,
            body,
        })
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at + 4)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// An SR body: sender SSRC, sender info, and the bytes of its report blocks.
pub(super) fn sender_report<'a>(
    p: &Packet<'a>,
) -> Result<(u32, SenderInfo, Blocks<'a>), RtcpError> {
    let (ssrc, rest) = ssrc_and_rest(p.body)?;
    let info = rest.get(..SENDER_INFO_LEN).ok_or(RtcpError::BadLength)?;
    let word = |i| be32(info, i).ok_or(RtcpError::BadLength);
    let sender = SenderInfo {
        ntp: (u64::from(word(0)?) << 32) | u64::from(word(4)?),
        rtp_timestamp: word(8)?,
        packets: word(12)?,
        octets: word(16)?,
    };
    let blocks = blocks(&rest[SENDER_INFO_LEN..], p.count)?;
    Ok((ssrc, sender, blocks))
}

/// An RR body: sender SSRC and its report blocks.
pub(super) fn receiver_report<'a>(p: &Packet<'a>) -> Result<(u32, Blocks<'a>), RtcpError> {
    let (ssrc, rest) = ssrc_and_rest(p.body)?;
    Ok((ssrc, blocks(rest, p.count)?))
}

/// The SSRCs a BYE lists (the optional reason after them is ignored).
pub(super) fn bye_sources<'a>(
    p: &Packet<'a>,
) -> Result<impl Iterator<Item = u32> + use<'a>, RtcpError> {
    let list = p
        .body
        .get(..4 * usize::from(p.count))
        .ok_or(RtcpError::BadLength)?;
    Ok(list
        .chunks_exact(4)
        .filter_map(|c| Some(u32::from_be_bytes(c.try_into().ok()?))))
}

fn ssrc_and_rest(body: &[u8]) -> Result<(u32, &[u8]), RtcpError> {
    let ssrc = be32(body, 0).ok_or(RtcpError::BadLength)?;
    Ok((ssrc, &body[4..]))
}

/// Report blocks checked to fit (profile-specific extensions after them are ignored).
pub(super) struct Blocks<'a> {
    chunks: std::slice::ChunksExact<'a, u8>,
}

fn blocks(bytes: &[u8], count: u8) -> Result<Blocks<'_>, RtcpError> {
    let used = bytes
        .get(..usize::from(count) * REPORT_BLOCK_LEN)
        .ok_or(RtcpError::BadLength)?;
    Ok(Blocks {
        chunks: used.chunks_exact(REPORT_BLOCK_LEN),
    })
}

impl Iterator for Blocks<'_> {
    type Item = ReportBlock;

    fn next(&mut self) -> Option<ReportBlock> {
        let b = self.chunks.next()?;
        let lost = i32::from_be_bytes([b[4], b[5], b[6], b[7]]) << 8 >> 8;
        Some(ReportBlock {
            ssrc: be32(b, 0)?,
            fraction: b[4],
            cumulative_lost: lost,
            highest_seq: be32(b, 8)?,
            jitter: be32(b, 12)?,
            lsr: be32(b, 16)?,
            dlsr: be32(b, 20)?,
        })
    }
}
