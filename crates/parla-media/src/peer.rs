//! Which RTP source to listen to and where to send: the negotiated peer, a restarted sender
//! after probation (RFC 3550 A.1), or, behind NAT, the address the peer's packets really come
//! from (symmetric RTP latching). Plus the "no audio from the far end" timer.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Consecutive sequence numbers a new source must send before it is believed (RFC 3550 A.1).
const PROBATION: u8 = 2;
/// Silence from the current source after which another address may take over.
pub const DEFAULT_LATCH_AFTER: Duration = Duration::from_secs(2);

/// What to do with one RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerVerdict {
    Accept,
    /// Accepted, but from another source than the previous accepted packet (new SSRC or
    /// address): reset the jitter buffer and decoder state. [`PeerFilter::current`] may have
    /// changed too.
    AcceptNewSource,
    Drop,
}

/// A source on probation: its address, SSRC and the sequence number it should send next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Probe {
    addr: SocketAddr,
    ssrc: u32,
    next_seq: u16,
    count: u8,
}

/// Filters incoming RTP by source. See [`PeerFilter::accept`] for the rules.
#[derive(Debug, Clone)]
pub struct PeerFilter {
    negotiated: SocketAddr,
    /// The source we listen to and the address we send to.
    current: SocketAddr,
    /// The current source's SSRC once it passed probation.
    locked_ssrc: Option<u32>,
    /// Source of the last accepted packet, to tell the caller when it changes.
    last_accepted: Option<(SocketAddr, u32)>,
    /// Last packet accepted from `current`, or else the first packet seen at all: the
    /// start of the silence that lets another address latch.
    quiet_since: Option<Instant>,
    probe: Option<Probe>,
    latch_after: Duration,
    dropped: u64,
}

impl PeerFilter {
    pub fn new(negotiated: SocketAddr) -> Self {
        Self {
            negotiated,
            current: negotiated,
            locked_ssrc: None,
            last_accepted: None,
            quiet_since: None,
            probe: None,
            latch_after: DEFAULT_LATCH_AFTER,
            dropped: 0,
        }
    }

    /// How long the current source must be silent before another address may latch.
    pub fn with_latch_after(mut self, silence: Duration) -> Self {
        self.latch_after = silence;
        self
    }

    /// The SDP changed (re-INVITE). The same address keeps any latch; a new one starts over.
    pub fn set_negotiated(&mut self, addr: SocketAddr) {
        if addr == self.negotiated {
            return;
        }
        self.negotiated = addr;
        self.current = addr;
        self.locked_ssrc = None;
        self.quiet_since = None;
        self.probe = None;
    }

    /// Decides on one RTP packet whose payload type the caller already checked.
    ///
    /// - From the current address (the negotiated one until a latch): accepted; its SSRC is
    ///   locked once it sends 2 consecutive sequence numbers. After that, another SSRC from
    ///   this address (a restarted sender) is dropped until it passes the same probation.
    /// - From any other address: dropped, unless the current source has sent nothing valid for
    ///   the latch time (2 s; counted from the first packet if it never sent) and this address
    ///   sent 2 consecutive sequence numbers with one SSRC: then we latch to it (NAT), and
    ///   [`PeerFilter::current`] becomes that address.
    pub fn accept(&mut self, src: SocketAddr, ssrc: u32, seq: u16, now: Instant) -> PeerVerdict {
        let quiet_since = *self.quiet_since.get_or_insert(now);
        let trusted = self.probation(src, ssrc, seq);
        let ok = if src == self.current {
            match self.locked_ssrc {
                None => {
                    if trusted {
                        self.locked_ssrc = Some(ssrc);
                    }
                    true
                }
                Some(locked) if locked == ssrc => true,
                Some(_) if trusted => {
                    self.locked_ssrc = Some(ssrc);
                    true
                }
                Some(_) => false,
            }
        } else if trusted && now.saturating_duration_since(quiet_since) >= self.latch_after {
            tracing::info!(from = %self.current, to = %src, "RTP source latched (symmetric RTP)");
            self.current = src;
            self.locked_ssrc = Some(ssrc);
            true
        } else {
            false
        };
        if !ok {
            self.dropped += 1;
            return PeerVerdict::Drop;
        }
        self.quiet_since = Some(now);
        let source = (src, ssrc);
        let changed = self.last_accepted.is_some_and(|last| last != source);
        self.last_accepted = Some(source);
        if changed {
            PeerVerdict::AcceptNewSource
        } else {
            PeerVerdict::Accept
        }
    }

    /// Tracks consecutive sequence numbers per (address, SSRC); true once the packet's
    /// source has sent [`PROBATION`] in a row.
    fn probation(&mut self, src: SocketAddr, ssrc: u32, seq: u16) -> bool {
        let next = seq.wrapping_add(1);
        let count = match self.probe {
            Some(p) if p.addr == src && p.ssrc == ssrc && p.next_seq == seq => {
                p.count.saturating_add(1)
            }
            _ => 1,
        };
        self.probe = Some(Probe {
            addr: src,
            ssrc,
            next_seq: next,
            count,
        });
        count >= PROBATION
    }

    /// Where to send our RTP: the negotiated address, or the latched one.
    pub fn current(&self) -> SocketAddr {
        self.current
    }

    pub fn is_latched(&self) -> bool {
        self.current != self.negotiated
    }

    /// Packets refused so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Notices when the far end's RTP stops while we expect it (not on hold, not recvonly).
#[derive(Debug, Clone)]
pub struct RtpTimeout {
    timeout: Duration,
    /// Start of the current silence: the last packet, or when we began to expect packets.
    since: Option<Instant>,
    expecting: bool,
}

impl RtpTimeout {
    /// Typically 30 s.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            since: None,
            expecting: false,
        }
    }

    /// Every accepted RTP packet (voice or telephone event).
    pub fn on_packet(&mut self, now: Instant) {
        self.since = Some(now);
    }

    /// Whether the far end has been silent for the whole timeout while we expected media.
    /// Takes `&mut self` so that it notices by itself when expecting starts (call start,
    /// resume from hold): the silence is counted from then, not from the last packet before
    /// the hold.
    pub fn expired(&mut self, now: Instant, receiving_expected: bool) -> bool {
        if !receiving_expected {
            self.expecting = false;
            return false;
        }
        if !self.expecting {
            self.expecting = true;
            self.since = Some(now);
        }
        self.since
            .is_some_and(|s| now.saturating_duration_since(s) >= self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PeerVerdict::{Accept, AcceptNewSource, Drop};

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    fn ms(t0: Instant, n: u64) -> Instant {
        t0 + Duration::from_millis(n)
    }

    const PEER: u16 = 4000;
    const NAT: u16 = 31_337;

    #[test]
    fn negotiated_source_is_accepted_and_locked() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        assert_eq!(
            f.accept(addr(PEER), 7, 100, t0),
            Accept,
            "accepted during probation"
        );
        assert_eq!(f.accept(addr(PEER), 7, 101, ms(t0, 20)), Accept);
        assert_eq!(
            f.accept(addr(PEER), 7, 105, ms(t0, 40)),
            Accept,
            "loss is fine"
        );
        // A restarted sender: a new SSRC from the same address must pass probation.
        assert_eq!(f.accept(addr(PEER), 8, 500, ms(t0, 60)), Drop);
        assert_eq!(f.accept(addr(PEER), 8, 501, ms(t0, 80)), AcceptNewSource);
        assert_eq!(f.accept(addr(PEER), 8, 502, ms(t0, 100)), Accept);
        // The old SSRC is now the stranger.
        assert_eq!(f.accept(addr(PEER), 7, 106, ms(t0, 120)), Drop);
        assert_eq!(f.dropped(), 2);
        assert_eq!(f.current(), addr(PEER));
        assert!(!f.is_latched());
    }

    #[test]
    fn ssrc_change_before_lock_is_a_new_source() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        assert_eq!(f.accept(addr(PEER), 1, 10, t0), Accept);
        assert_eq!(f.accept(addr(PEER), 2, 900, t0), AcceptNewSource);
        assert_eq!(f.accept(addr(PEER), 2, 901, t0), Accept);
        assert_eq!(f.accept(addr(PEER), 1, 11, t0), Drop, "2 is locked now");
    }

    #[test]
    fn probation_counts_across_sequence_wrap() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        f.accept(addr(PEER), 1, 7, t0);
        f.accept(addr(PEER), 1, 8, t0);
        assert_eq!(f.accept(addr(PEER), 2, 65_535, t0), Drop);
        assert_eq!(f.accept(addr(PEER), 2, 0, t0), AcceptNewSource);
    }

    #[test]
    fn foreign_source_is_dropped_while_the_peer_talks() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        for k in 0..250u16 {
            let now = ms(t0, u64::from(k) * 20);
            assert_eq!(f.accept(addr(PEER), 1, k, now), Accept);
            assert_eq!(f.accept(addr(NAT), 66, 1000 + k, now), Drop, "tick {k}");
            assert_eq!(f.accept(addr(NAT + 1), 66, 1000 + k, now), Drop);
        }
        assert_eq!(f.dropped(), 500);
        assert_eq!(f.current(), addr(PEER));
    }

    #[test]
    fn nat_latch_when_the_negotiated_address_never_sends() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        let mut first_accepted = None;
        for k in 0..150u16 {
            let v = f.accept(addr(NAT), 5, 40_000 + k, ms(t0, u64::from(k) * 20));
            if v != Drop && first_accepted.is_none() {
                first_accepted = Some((k, v));
            }
        }
        // 2 s after the first packet: the 101st (t = 2000 ms), already past probation.
        assert_eq!(first_accepted, Some((100, Accept)));
        assert_eq!(f.dropped(), 100);
        assert_eq!(f.current(), addr(NAT));
        assert!(f.is_latched());
        // Now the negotiated address is the foreign one.
        assert_eq!(f.accept(addr(PEER), 5, 1, ms(t0, 3000)), Drop);
    }

    #[test]
    fn nat_rebinding_mid_call_latches_after_two_seconds_of_silence() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        for k in 0..50u16 {
            assert_eq!(
                f.accept(addr(PEER), 5, k, ms(t0, u64::from(k) * 20)),
                Accept
            );
        }
        // Last packet from the peer at 980 ms; the same stream now comes from a new port.
        let mut verdicts = Vec::new();
        for k in 50..200u16 {
            verdicts.push(f.accept(addr(NAT), 5, k, ms(t0, u64::from(k) * 20)));
        }
        let first = verdicts.iter().position(|v| *v != Drop).expect("latched");
        assert_eq!(50 + first, 149, "first packet at or after 980 + 2000 ms");
        assert_eq!(verdicts[first], AcceptNewSource);
        assert!(verdicts[first + 1..].iter().all(|v| *v == Accept));
        assert_eq!(f.current(), addr(NAT));
    }

    #[test]
    fn latching_needs_consecutive_packets_from_one_source() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER)).with_latch_after(Duration::from_millis(100));
        f.accept(addr(PEER), 5, 0, t0);
        let later = ms(t0, 500);
        // Silence is long enough, but these are not one consecutive stream.
        assert_eq!(f.accept(addr(NAT), 9, 10, later), Drop);
        assert_eq!(f.accept(addr(NAT), 9, 12, later), Drop);
        assert_eq!(f.accept(addr(NAT), 8, 13, later), Drop);
        assert_eq!(f.accept(addr(NAT + 1), 8, 14, later), Drop);
        assert_eq!(f.accept(addr(NAT), 8, 15, later), Drop);
        assert_eq!(f.accept(addr(NAT), 8, 16, later), AcceptNewSource);
        assert_eq!(f.current(), addr(NAT));
    }

    #[test]
    fn renegotiation_moves_the_peer_and_keeps_a_latch_otherwise() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER)).with_latch_after(Duration::ZERO);
        f.accept(addr(NAT), 5, 1, t0);
        assert_eq!(f.accept(addr(NAT), 5, 2, t0), Accept);
        assert_eq!(f.current(), addr(NAT));
        // Hold/resume re-INVITE with the same SDP address: the latch stays.
        f.set_negotiated(addr(PEER));
        assert_eq!(f.current(), addr(NAT));
        // A transfer to a media server elsewhere: its packets count at once.
        f.set_negotiated(addr(6000));
        assert_eq!(f.current(), addr(6000));
        assert!(!f.is_latched());
        assert_eq!(f.accept(addr(6000), 77, 1, ms(t0, 10)), AcceptNewSource);
        assert_eq!(f.accept(addr(6000), 77, 2, ms(t0, 20)), Accept);
        let mut g = f.clone().with_latch_after(DEFAULT_LATCH_AFTER);
        assert_eq!(g.accept(addr(NAT), 5, 3, ms(t0, 30)), Drop);
        assert_eq!(g.accept(addr(NAT), 5, 4, ms(t0, 40)), Drop);
    }

    #[test]
    fn random_sources_never_take_over_a_talking_peer() {
        let t0 = Instant::now();
        let mut f = PeerFilter::new(addr(PEER));
        let mut x = 0x1234_5678_9ABC_DEF1u64;
        let mut accepted_foreign = 0;
        for k in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let now = ms(t0, k * 5);
            if k % 4 == 0 {
                let v = f.accept(addr(PEER), 1, (k / 4) as u16, now);
                assert_ne!(v, Drop);
            } else {
                let src = addr(NAT + (x % 3) as u16);
                let v = f.accept(src, (x >> 8) as u32 % 3, (x >> 32) as u16 % 4, now);
                accepted_foreign += usize::from(v != Drop);
            }
        }
        assert_eq!(accepted_foreign, 0);
        assert_eq!(f.dropped(), 15_000);
        assert_eq!(f.current(), addr(PEER));
    }

    #[test]
    fn timeout_fires_after_silence_while_expecting() {
        let t0 = Instant::now();
        let mut t = RtpTimeout::new(Duration::from_secs(30));
        assert!(!t.expired(t0, true), "counting starts at the first check");
        assert!(!t.expired(ms(t0, 29_999), true));
        assert!(t.expired(ms(t0, 30_000), true));
        t.on_packet(ms(t0, 30_500));
        assert!(!t.expired(ms(t0, 40_000), true));
        assert!(t.expired(ms(t0, 60_500), true));
    }

    #[test]
    fn timeout_ignores_hold_and_restarts_on_resume() {
        let t0 = Instant::now();
        let mut t = RtpTimeout::new(Duration::from_secs(30));
        t.on_packet(t0);
        assert!(!t.expired(ms(t0, 10_000), true));
        // On hold for five minutes: the far end rightly sends nothing.
        assert!(!t.expired(ms(t0, 11_000), false));
        assert!(!t.expired(ms(t0, 300_000), false));
        // Resumed: the silence counts from now.
        assert!(!t.expired(ms(t0, 310_000), true));
        assert!(!t.expired(ms(t0, 339_999), true));
        assert!(t.expired(ms(t0, 340_000), true));
    }
}
