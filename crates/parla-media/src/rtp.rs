//! RTP packetising and parsing (RFC 3550) on top of the `rtp` crate's header type.

use rtp::header::{Header, EXTENSION_PROFILE_ONE_BYTE, EXTENSION_PROFILE_TWO_BYTE};
use webrtc_util::marshal::{Marshal, Unmarshal};

use crate::error::RtpError;

/// Receive buffer size: an Ethernet MTU. Longer datagrams are truncated by the kernel and then
/// fail to decode, which is counted like any other bad packet.
pub const MAX_DATAGRAM: usize = 1500;
const FIXED_HEADER: usize = 12;

/// Writes our outgoing stream: one SSRC, increasing sequence numbers and timestamps.
#[derive(Debug, Clone)]
pub struct RtpSender {
    header: Header,
}

impl RtpSender {
    /// A stream with a random SSRC, initial sequence number and timestamp (RFC 3550 §5.1).
    pub fn new(payload_type: u8) -> Self {
        Self::with_start(payload_type, rand::random(), rand::random(), rand::random())
    }

    /// A stream with chosen starting values, for tests and for resuming a stream.
    pub fn with_start(payload_type: u8, ssrc: u32, sequence: u16, timestamp: u32) -> Self {
        let header = Header {
            version: 2,
            marker: true,
            payload_type: payload_type & 0x7F,
            sequence_number: sequence,
            timestamp,
            ssrc,
            ..Header::default()
        };
        Self { header }
    }

    pub fn ssrc(&self) -> u32 {
        self.header.ssrc
    }

    pub fn next_sequence(&self) -> u16 {
        self.header.sequence_number
    }

    pub fn next_timestamp(&self) -> u32 {
        self.header.timestamp
    }

    /// Writes one packet carrying `payload` into `out` and returns its length. The timestamp
    /// then advances by `duration` (clock units the payload covers) and the sequence by one.
    /// The first packet, and the first after [`RtpSender::skip`], carries the marker bit.
    pub fn write(
        &mut self,
        payload: &[u8],
        duration: u32,
        out: &mut [u8],
    ) -> Result<usize, RtpError> {
        if out.len() < FIXED_HEADER + payload.len() {
            return Err(RtpError::BufferTooSmall);
        }
        let n = self
            .header
            .marshal_to(out)
            .map_err(|_| RtpError::BufferTooSmall)?;
        let end = n + payload.len();
        out.get_mut(n..end)
            .ok_or(RtpError::BufferTooSmall)?
            .copy_from_slice(payload);
        self.header.marker = false;
        self.header.sequence_number = self.header.sequence_number.wrapping_add(1);
        self.header.timestamp = self.header.timestamp.wrapping_add(duration);
        Ok(end)
    }

    /// Writes a packet of another payload type (an RFC 4733 event) with its own marker and
    /// timestamp, in this stream's sequence. The voice timestamp is left alone: the caller
    /// advances it with [`RtpSender::skip`] for the time the event takes.
    pub fn write_event(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, RtpError> {
        let (voice_pt, voice_marker, voice_ts) = (
            self.header.payload_type,
            self.header.marker,
            self.header.timestamp,
        );
        self.header.payload_type = payload_type & 0x7F;
        self.header.marker = marker;
        self.header.timestamp = timestamp;
        let written = self.write(payload, 0, out);
        self.header.payload_type = voice_pt;
        self.header.marker = voice_marker;
        self.header.timestamp = voice_ts;
        written
    }

    /// The next packet starts a new talkspurt (marker bit set), e.g. when what we send switches
    /// between the microphone and the hold music.
    pub fn mark(&mut self) {
        self.header.marker = true;
    }

    /// The next packet's audio was sampled `duration` later than the last one's end: the source
    /// dropped audio between them (see `AudioSource::take_skipped`). Only the timestamp moves,
    /// so the far end's jitter buffer sees when the audio was taken, not a late packet; no new
    /// talkspurt.
    pub fn advance(&mut self, duration: u32) {
        self.header.timestamp = self.header.timestamp.wrapping_add(duration);
    }

    /// Time passes without sending (hold, or a stall): the timestamp keeps pace with the clock so
    /// the far end sees the gap, and the next packet starts a talkspurt with the marker set.
    pub fn skip(&mut self, duration: u32) {
        self.header.timestamp = self.header.timestamp.wrapping_add(duration);
        self.header.marker = true;
    }
}

/// A parsed packet borrowing its payload from the datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub header: Header,
    pub payload: &'a [u8],
}

/// Parses one datagram. Never panics, whatever the bytes.
pub fn parse(datagram: &[u8]) -> Result<RtpPacket<'_>, RtpError> {
    let header_len = checked_header_len(datagram)?;
    let mut cursor = datagram;
    let header = Header::unmarshal(&mut cursor).map_err(|_| RtpError::Header)?;
    let mut payload = datagram.get(header_len..).ok_or(RtpError::TooShort)?;
    if header.padding {
        let pad = usize::from(*payload.last().ok_or(RtpError::BadPadding)?);
        if pad == 0 || pad > payload.len() {
            return Err(RtpError::BadPadding);
        }
        payload = &payload[..payload.len() - pad];
    }
    Ok(RtpPacket { header, payload })
}

/// Walks the header layout before the `rtp` crate sees it: its extension parser (0.17) reads
/// element lengths without bounds checks and panics on a crafted packet. Returns where the
/// payload starts.
fn checked_header_len(buf: &[u8]) -> Result<usize, RtpError> {
    if buf.len() < FIXED_HEADER {
        return Err(RtpError::TooShort);
    }
    let version = buf[0] >> 6;
    if version != 2 {
        return Err(RtpError::BadVersion(version));
    }
    let csrc_count = usize::from(buf[0] & 0x0F);
    let mut offset = FIXED_HEADER + 4 * csrc_count;
    if buf.len() < offset {
        return Err(RtpError::TooShort);
    }
    let has_extension = buf[0] & 0x10 != 0;
    if !has_extension {
        return Ok(offset);
    }
    let ext = buf.get(offset..offset + 4).ok_or(RtpError::BadExtension)?;
    let profile = u16::from_be_bytes([ext[0], ext[1]]);
    let words = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
    offset += 4;
    let end = offset + 4 * words;
    let body = buf.get(offset..end).ok_or(RtpError::BadExtension)?;
    match profile {
        EXTENSION_PROFILE_ONE_BYTE => {
            check_elements(body, |b, _| Some(usize::from(b & 0x0F) + 1), 1)?
        }
        EXTENSION_PROFILE_TWO_BYTE => check_elements(body, |_, len| len.map(usize::from), 2)?,
        _ => {}
    }
    Ok(end)
}

/// Checks that every RFC 8285 element fits in the extension body. `len_of` gets the element's
/// first byte and the byte after it, and returns the data length.
fn check_elements(
    body: &[u8],
    len_of: impl Fn(u8, Option<u8>) -> Option<usize>,
    id_bytes: usize,
) -> Result<(), RtpError> {
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if b == 0 {
            i += 1;
            continue;
        }
        // One-byte id 15 means "stop parsing" (RFC 8285 §4.2); the rtp crate stops there too.
        if id_bytes == 1 && b >> 4 == 0x0F {
            return Ok(());
        }
        let len = len_of(b, body.get(i + 1).copied()).ok_or(RtpError::BadExtension)?;
        i += id_bytes + len;
        if i > body.len() {
            return Err(RtpError::BadExtension);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_every_field() {
        let mut tx = RtpSender::with_start(0, 0xDEAD_BEEF, 65_535, 4_294_967_200);
        let mut buf = [0u8; MAX_DATAGRAM];
        let payload = [0x55u8; 160];

        let n = tx.write(&payload, 160, &mut buf).expect("first packet");
        assert_eq!(n, 12 + 160);
        let p = parse(&buf[..n]).expect("parse first");
        assert_eq!(p.header.version, 2);
        assert!(p.header.marker, "first packet carries the marker");
        assert_eq!(p.header.payload_type, 0);
        assert_eq!(p.header.sequence_number, 65_535);
        assert_eq!(p.header.timestamp, 4_294_967_200);
        assert_eq!(p.header.ssrc, 0xDEAD_BEEF);
        assert_eq!(p.payload, &payload[..]);

        let n = tx
            .write(&payload[..80], 160, &mut buf)
            .expect("second packet");
        let p = parse(&buf[..n]).expect("parse second");
        assert!(!p.header.marker);
        assert_eq!(p.header.sequence_number, 0, "sequence wraps");
        assert_eq!(p.header.timestamp, 64, "timestamp wraps");
        assert_eq!(p.payload.len(), 80);

        tx.skip(1600);
        let n = tx.write(&payload, 160, &mut buf).expect("after hold");
        let p = parse(&buf[..n]).expect("parse after hold");
        assert!(p.header.marker, "a new talkspurt is marked");
        assert_eq!(p.header.sequence_number, 1);
        assert_eq!(p.header.timestamp, 64 + 160 + 1600);
    }

    #[test]
    fn random_start_values_differ() {
        let a = RtpSender::new(8);
        let b = RtpSender::new(8);
        assert_ne!((a.ssrc(), a.next_sequence()), (b.ssrc(), b.next_sequence()));
    }

    #[test]
    fn small_output_buffer_is_an_error() {
        let mut tx = RtpSender::new(0);
        let mut buf = [0u8; 20];
        assert_eq!(
            tx.write(&[0u8; 160], 160, &mut buf),
            Err(RtpError::BufferTooSmall)
        );
    }

    #[test]
    fn csrcs_extensions_and_padding_are_skipped() {
        let mut pkt = vec![0xB1, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]; // V=2 P X CC=1, PT 96
        pkt.extend_from_slice(&[0, 0, 0, 9]); // CSRC
        pkt.extend_from_slice(&[0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0]); // one-byte ext: id 1, 1 byte, 2 padding
        pkt.extend_from_slice(&[1, 2, 3, 0, 0, 3]); // payload 1 2 3 + 3 bytes of padding
        let p = parse(&pkt).expect("valid packet");
        assert_eq!(p.header.payload_type, 96);
        assert_eq!(p.header.csrc, vec![9]);
        assert_eq!(p.payload, &[1, 2, 3]);
    }

    #[test]
    fn malformed_packets_are_rejected() {
        assert_eq!(parse(&[]), Err(RtpError::TooShort));
        assert_eq!(parse(&[0x80; 11]), Err(RtpError::TooShort));
        assert_eq!(parse(&[0x40; 12]), Err(RtpError::BadVersion(1)));
        // CC = 15 but no CSRCs follow.
        let mut p = vec![0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(parse(&p), Err(RtpError::TooShort));
        // Extension flag with no extension header.
        p[0] = 0x90;
        assert_eq!(parse(&p), Err(RtpError::BadExtension));
        // One-byte extension whose element claims 16 bytes in a 4-byte body, at the end of the
        // datagram: this one makes `rtp` 0.17 panic if handed over unchecked.
        let mut p = vec![
            0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 1, 0x1F, 0, 0, 0,
        ];
        assert_eq!(parse(&p), Err(RtpError::BadExtension));
        // Two-byte extension element overrunning its body.
        p[12] = 0x10;
        p[13] = 0x00;
        p[16] = 0x01;
        p[17] = 0x09;
        assert_eq!(parse(&p), Err(RtpError::BadExtension));
        // Padding longer than the payload, and zero padding.
        let p = [0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9];
        assert_eq!(parse(&p), Err(RtpError::BadPadding));
        let p = [0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(parse(&p), Err(RtpError::BadPadding));
    }

    #[test]
    fn no_byte_pattern_panics() {
        // Every 2-byte prefix over a few fixed tails: cheap and covers all flag combinations.
        let tails: [&[u8]; 4] = [
            &[],
            &[0; 10],
            &[0xFF; 30],
            &[0xBE, 0xDE, 0, 2, 0x1F, 0x2F, 0xF1],
        ];
        let mut buf = Vec::with_capacity(64);
        for b0 in 0..=255u8 {
            for b1 in [0u8, 0x60, 0x80, 0xFF] {
                for tail in tails {
                    buf.clear();
                    buf.extend_from_slice(&[b0, b1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
                    buf.extend_from_slice(tail);
                    let _ = parse(&buf);
                }
            }
        }
    }
}
