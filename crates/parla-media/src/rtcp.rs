//! RTCP for one call (RFC 3550): receive statistics from RTP arrivals, sender figures, the
//! compound report we send (SR or RR, then SDES CNAME) and the reports the far end sends back.
//!
//! Bytes only: the caller owns the socket (RTP port + 1, or rtcp-mux later; see
//! [`looks_like_rtcp`] for demultiplexing). Nothing here allocates after [`RtcpSession::new`].

mod reception;
mod wire;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reception::Reception;
use wire::{ReportBlock, SenderInfo, Writer};

/// Nominal time between our reports (RFC 3550 §6.2 minimum); each wait is randomised to
/// 0.5-1.5 times this so that participants do not synchronise.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(5);
/// A buffer this large always holds a report plus BYE.
pub const MAX_REPORT_LEN: usize = 512;
/// Seconds from 1900 (NTP era 0) to 1970.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
/// Our last SRs remembered to match the LSR of reports that come back.
const SENT_SR_MEMORY: usize = 4;
const CNAME_MAX: usize = 255;

/// Why an RTCP datagram was rejected or a report could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtcpError {
    #[error("datagram too short for an RTCP header")]
    TooShort,
    #[error("RTCP version {0}, expected 2")]
    BadVersion(u8),
    #[error("RTCP length field does not match the datagram")]
    BadLength,
    #[error("RTCP padding is malformed or not on the last packet")]
    BadPadding,
    #[error("output buffer too small: need {needed}, have {available}")]
    BufferTooSmall { needed: usize, available: usize },
}

/// What we measured about the far end's stream.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReceptionStats {
    /// The source measured; `None` before the first packet.
    pub ssrc: Option<u32>,
    pub received: u64,
    pub expected: u64,
    /// Expected minus received: negative when duplicates arrived.
    pub lost: i64,
    /// Share of packets lost in the last closed report interval, 0.0-1.0.
    pub fraction_lost: f32,
    /// Interarrival jitter in RTP timestamp units, and in milliseconds.
    pub jitter: u32,
    pub jitter_ms: f32,
    pub extended_highest_seq: u64,
}

/// What the far end says about our stream, from its latest report block about our SSRC.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RemoteReport {
    pub fraction_lost: f32,
    pub cumulative_lost: i32,
    pub jitter_ms: f32,
    /// Round trip from LSR/DLSR; `None` until the far end echoes one of our SRs.
    pub rtt_ms: Option<f32>,
    /// The datagram carried a BYE from the far end.
    pub bye: bool,
}

/// RFC 5761 §4: payload types 192-223 on an rtcp-mux port are RTCP, the rest RTP.
pub fn looks_like_rtcp(datagram: &[u8]) -> bool {
    matches!(datagram, [b0, 192..=223, ..] if b0 >> 6 == 2)
}

#[derive(Debug, Clone, Copy)]
struct LastSr {
    ssrc: u32,
    /// Middle 32 bits of its NTP timestamp.
    ntp_mid: u32,
    at: Instant,
}

#[derive(Debug, Clone)]
pub struct RtcpSession {
    local_ssrc: u32,
    cname: String,
    clock_rate: u32,
    /// Arrival times count from here, in RTP timestamp units.
    epoch: Option<Instant>,
    source: Option<Reception>,
    packets_sent: u32,
    octets_sent: u32,
    last_sent: Option<(u32, Instant)>,
    sent_this_interval: bool,
    sent_last_interval: bool,
    our_srs: [Option<(u32, Instant)>; SENT_SR_MEMORY],
    next_sr_slot: usize,
    their_sr: Option<LastSr>,
    remote: Option<RemoteReport>,
    next_due: Instant,
    rng: u64,
}

impl RtcpSession {
    /// `cname` is cut to 255 bytes; `clock_rate` is the RTP clock of the voice stream.
    pub fn new(local_ssrc: u32, cname: &str, clock_rate: u32) -> Self {
        let mut end = cname.len().min(CNAME_MAX);
        while !cname.is_char_boundary(end) {
            end -= 1;
        }
        let mut s = Self {
            local_ssrc,
            cname: cname[..end].to_owned(),
            clock_rate: clock_rate.max(1),
            epoch: None,
            source: None,
            packets_sent: 0,
            octets_sent: 0,
            last_sent: None,
            sent_this_interval: false,
            sent_last_interval: false,
            our_srs: [None; SENT_SR_MEMORY],
            next_sr_slot: 0,
            their_sr: None,
            remote: None,
            next_due: Instant::now(),
            rng: rand::random::<u64>() | 1,
        };
        // RFC 3550 §6.2: the first report goes out after half the usual wait.
        let first = s.randomised(REPORT_INTERVAL / 2);
        s.next_due += first;
        s
    }

    pub fn local_ssrc(&self) -> u32 {
        self.local_ssrc
    }

    /// Feeds one accepted RTP packet (voice and telephone events alike: they share the
    /// sequence space). A new SSRC starts the statistics over.
    pub fn on_rtp_received(&mut self, ssrc: u32, seq: u16, rtp_timestamp: u32, arrival: Instant) {
        let epoch = *self.epoch.get_or_insert(arrival);
        let since = arrival.saturating_duration_since(epoch).as_nanos();
        let units = (since * u128::from(self.clock_rate) / 1_000_000_000) as u32;
        match self.source.as_mut() {
            Some(source) if source.ssrc == ssrc => {
                source.update(seq, rtp_timestamp, units);
            }
            _ => self.source = Some(Reception::new(ssrc, seq, rtp_timestamp, units)),
        }
    }

    /// Feeds one RTP packet we sent: its payload length (without RTP header) and the RTP
    /// timestamp that matches `now`. For a telephone event that is the tick's timestamp, not
    /// the event's start timestamp, since the SR's RTP time is extrapolated from it.
    pub fn on_rtp_sent(&mut self, payload_len: usize, rtp_timestamp: u32, now: Instant) {
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self.octets_sent.wrapping_add(payload_len as u32);
        self.last_sent = Some((rtp_timestamp, now));
        self.sent_this_interval = true;
    }

    /// Writes our compound report into `out` and schedules the next one. An SR if we sent RTP
    /// in this interval or the one before, else an RR; a report block if the far end's stream
    /// was heard since the last report; then SDES with our CNAME.
    pub fn build_report(
        &mut self,
        now: Instant,
        wallclock: SystemTime,
        out: &mut [u8],
    ) -> Result<usize, RtcpError> {
        self.write_compound(now, wallclock, out, false)
    }

    /// The report with a BYE after it, for the end of the call.
    pub fn build_bye(
        &mut self,
        now: Instant,
        wallclock: SystemTime,
        out: &mut [u8],
    ) -> Result<usize, RtcpError> {
        self.write_compound(now, wallclock, out, true)
    }

    fn write_compound(
        &mut self,
        now: Instant,
        wallclock: SystemTime,
        out: &mut [u8],
        bye: bool,
    ) -> Result<usize, RtcpError> {
        let sender = self.sender_info(now, wallclock);
        let mut source = self.source.clone().filter(Reception::heard_since_report);
        let block = source.as_mut().map(|r| {
            let i = r.close_interval();
            let (lsr, dlsr) = match self.their_sr {
                Some(sr) if sr.ssrc == r.ssrc => (sr.ntp_mid, dlsr(now, sr.at)),
                _ => (0, 0),
            };
            ReportBlock {
                ssrc: r.ssrc,
                fraction: i.fraction,
                cumulative_lost: wire::clamp_lost(i.lost),
                highest_seq: i.highest_seq,
                jitter: i.jitter,
                lsr,
                dlsr,
            }
        });
        let needed = wire::report_len(sender.is_some(), block.is_some())
            + wire::sdes_len(self.cname.len())
            + if bye { wire::BYE_LEN } else { 0 };
        if out.len() < needed {
            return Err(RtcpError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        let mut w = Writer::new(out);
        wire::write_report(&mut w, self.local_ssrc, sender.as_ref(), block.as_ref())?;
        wire::write_sdes_cname(&mut w, self.local_ssrc, self.cname.as_bytes())?;
        if bye {
            wire::write_bye(&mut w, self.local_ssrc)?;
        }
        // Written: only now does the interval close.
        if source.is_some() {
            self.source = source;
        } else if let Some(r) = self.source.as_mut() {
            r.close_interval();
        }
        if let Some(s) = sender {
            self.our_srs[self.next_sr_slot] = Some(((s.ntp >> 16) as u32, now));
            self.next_sr_slot = (self.next_sr_slot + 1) % SENT_SR_MEMORY;
        }
        self.sent_last_interval = self.sent_this_interval;
        self.sent_this_interval = false;
        self.next_due = now + self.randomised(REPORT_INTERVAL);
        Ok(w.len())
    }

    fn sender_info(&self, now: Instant, wallclock: SystemTime) -> Option<SenderInfo> {
        if !(self.sent_this_interval || self.sent_last_interval) {
            return None;
        }
        let (last_ts, at) = self.last_sent?;
        let since = now.saturating_duration_since(at).as_nanos();
        let advance = (since * u128::from(self.clock_rate) / 1_000_000_000) as u32;
        Some(SenderInfo {
            ntp: ntp(wallclock),
            rtp_timestamp: last_ts.wrapping_add(advance),
            packets: self.packets_sent,
            octets: self.octets_sent,
        })
    }

    /// Reads a compound datagram from the far end. Returns its report about our stream (or
    /// its BYE) when it has one. A datagram that is malformed anywhere changes nothing.
    pub fn on_rtcp_received(
        &mut self,
        packet: &[u8],
        now: Instant,
    ) -> Result<Option<RemoteReport>, RtcpError> {
        let mut their_sr = None;
        let mut about_us = None;
        let mut bye = false;
        for p in wire::packets(packet) {
            let p = p?;
            let blocks = match p.pt {
                wire::SR => {
                    let (ssrc, info, blocks) = wire::sender_report(&p)?;
                    their_sr = Some(LastSr {
                        ssrc,
                        ntp_mid: (info.ntp >> 16) as u32,
                        at: now,
                    });
                    blocks
                }
                wire::RR => wire::receiver_report(&p)?.1,
                wire::BYE => {
                    bye |= wire::bye_sources(&p)?.any(|s| s != self.local_ssrc);
                    continue;
                }
                _ => continue,
            };
            for b in blocks.filter(|b| b.ssrc == self.local_ssrc) {
                about_us = Some(b);
            }
        }
        if their_sr.is_some() {
            self.their_sr = their_sr;
        }
        if about_us.is_none() && !bye {
            return Ok(None);
        }
        let mut report = self.remote.unwrap_or_default();
        if let Some(b) = about_us {
            report = RemoteReport {
                fraction_lost: f32::from(b.fraction) / 256.0,
                cumulative_lost: b.cumulative_lost,
                jitter_ms: self.to_ms(b.jitter),
                rtt_ms: self.round_trip(b.lsr, b.dlsr, now),
                bye: false,
            };
        }
        report.bye = bye;
        self.remote = Some(report);
        Ok(Some(report))
    }

    /// RFC 3550 §6.4.1: now minus the time we sent the SR they echo, minus their holding time.
    fn round_trip(&self, lsr: u32, dlsr: u32, now: Instant) -> Option<f32> {
        if lsr == 0 {
            return None;
        }
        let (_, sent) = self.our_srs.iter().flatten().find(|(mid, _)| *mid == lsr)?;
        let ms = now.saturating_duration_since(*sent).as_secs_f64() * 1000.0
            - f64::from(dlsr) * 1000.0 / 65536.0;
        // DLSR has 15 µs resolution, so a loopback RTT can come out a hair below zero.
        (ms > -1.0).then_some(ms.max(0.0) as f32)
    }

    /// What we measured about the far end's stream.
    pub fn local_stats(&self) -> ReceptionStats {
        let Some(r) = &self.source else {
            return ReceptionStats::default();
        };
        ReceptionStats {
            ssrc: Some(r.ssrc),
            received: r.received(),
            expected: r.expected(),
            lost: r.lost(),
            fraction_lost: f32::from(r.fraction()) / 256.0,
            jitter: r.jitter(),
            jitter_ms: self.to_ms(r.jitter()),
            extended_highest_seq: r.extended_highest(),
        }
    }

    /// The far end's latest report about us.
    pub fn remote_report(&self) -> Option<RemoteReport> {
        self.remote
    }

    /// When [`RtcpSession::build_report`] should be called next.
    pub fn next_report_due(&self) -> Instant {
        self.next_due
    }

    fn to_ms(&self, units: u32) -> f32 {
        (f64::from(units) * 1000.0 / f64::from(self.clock_rate)) as f32
    }

    /// `base` times a uniform factor in [0.5, 1.5).
    fn randomised(&mut self, base: Duration) -> Duration {
        // xorshift64: cheap, and enough to spread report times.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let unit = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        base.mul_f64(0.5 + unit)
    }
}

/// A 64-bit NTP timestamp; before 1970 (a broken clock) counts as 1970.
fn ntp(wallclock: SystemTime) -> u64 {
    let d = wallclock.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs().wrapping_add(NTP_UNIX_OFFSET) as u32;
    let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
    (u64::from(secs) << 32) | frac
}

/// Delay since `at` in units of 1/65536 s.
fn dlsr(now: Instant, at: Instant) -> u32 {
    let d = now.saturating_duration_since(at).as_nanos() * 65536 / 1_000_000_000;
    u32::try_from(d).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
