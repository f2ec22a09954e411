//! Receive statistics for one RTP source: RFC 3550 appendix A.1 (sequence tracking), A.3
//! (expected and lost packets) and A.8 (interarrival jitter).

const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;
const SEQ_MOD: u64 = 1 << 16;

#[derive(Debug, Clone)]
pub(super) struct Reception {
    pub ssrc: u32,
    max_seq: u16,
    /// Sequence number wraps, times 65536.
    cycles: u64,
    base_seq: u64,
    /// After a jump too large to be loss or reordering, the sequence number that would
    /// confirm the sender restarted its numbering.
    bad_seq: Option<u16>,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Relative transit time (arrival minus RTP timestamp) of the previous packet.
    transit: Option<u32>,
    last_timestamp: u32,
    /// Jitter times 16, as A.8 keeps it to avoid rounding.
    jitter16: u64,
    fraction: u8,
    heard: bool,
}

/// The figures of a report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Interval {
    pub fraction: u8,
    pub lost: i64,
    pub highest_seq: u32,
    pub jitter: u32,
}

impl Reception {
    /// Starts tracking with the first packet; `arrival` is in RTP timestamp units.
    pub fn new(ssrc: u32, seq: u16, timestamp: u32, arrival: u32) -> Self {
        let mut r = Self {
            ssrc,
            max_seq: seq,
            cycles: 0,
            base_seq: u64::from(seq),
            bad_seq: None,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            transit: None,
            last_timestamp: timestamp,
            jitter16: 0,
            fraction: 0,
            heard: false,
        };
        r.restart(seq);
        r.count(timestamp, arrival, true);
        r
    }

    fn restart(&mut self, seq: u16) {
        self.max_seq = seq;
        self.cycles = 0;
        self.base_seq = u64::from(seq);
        self.bad_seq = None;
        self.received = 0;
        self.expected_prior = 0;
        self.received_prior = 0;
    }

    /// Counts one packet. Returns false for a packet taken as a stray: the first after a
    /// large sequence jump, which only counts if the next one follows it (a restarted sender).
    pub fn update(&mut self, seq: u16, timestamp: u32, arrival: u32) -> bool {
        let udelta = seq.wrapping_sub(self.max_seq);
        let mut new_timebase = false;
        if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += SEQ_MOD;
            }
            self.max_seq = seq;
        } else if udelta <= u16::MAX - MAX_MISORDER + 1 {
            if self.bad_seq != Some(seq) {
                self.bad_seq = Some(seq.wrapping_add(1));
                return false;
            }
            self.restart(seq);
            new_timebase = true;
        }
        // Anything else is a duplicate or a reordered packet: counted, as A.1 does.
        self.count(timestamp, arrival, new_timebase);
        true
    }

    fn count(&mut self, timestamp: u32, arrival: u32, new_timebase: bool) {
        self.received += 1;
        self.heard = true;
        let transit = arrival.wrapping_sub(timestamp);
        if new_timebase {
            self.transit = None;
        }
        // Packets that repeat the previous timestamp (telephone events resend their start
        // timestamp for the whole tone) would count the tone's length as jitter.
        if let Some(prev) = self.transit.filter(|_| timestamp != self.last_timestamp) {
            let d = u64::from((transit.wrapping_sub(prev) as i32).unsigned_abs());
            self.jitter16 = self.jitter16 + d - ((self.jitter16 + 8) >> 4);
        }
        if self.transit.is_none() || timestamp != self.last_timestamp {
            self.transit = Some(transit);
            self.last_timestamp = timestamp;
        }
    }

    pub fn extended_highest(&self) -> u64 {
        self.cycles + u64::from(self.max_seq)
    }

    pub fn expected(&self) -> u64 {
        (self.extended_highest() + 1).saturating_sub(self.base_seq)
    }

    pub fn received(&self) -> u64 {
        self.received
    }

    pub fn lost(&self) -> i64 {
        i64::try_from(self.expected()).unwrap_or(i64::MAX)
            - i64::try_from(self.received).unwrap_or(i64::MAX)
    }

    /// Interarrival jitter in RTP timestamp units.
    pub fn jitter(&self) -> u32 {
        u32::try_from(self.jitter16 >> 4).unwrap_or(u32::MAX)
    }

    /// Loss fraction (/256) of the last closed interval.
    pub fn fraction(&self) -> u8 {
        self.fraction
    }

    /// Whether packets came since the last report.
    pub fn heard_since_report(&self) -> bool {
        self.heard
    }

    /// Closes the reporting interval (A.3) and returns the report block's figures.
    pub fn close_interval(&mut self) -> Interval {
        let expected = self.expected();
        let expected_interval = expected.saturating_sub(self.expected_prior);
        let received_interval = self.received.saturating_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        self.heard = false;
        self.fraction = match expected_interval.checked_sub(received_interval) {
            Some(lost) if lost > 0 && expected_interval > 0 => {
                u8::try_from((lost << 8) / expected_interval).unwrap_or(u8::MAX)
            }
            _ => 0,
        };
        Interval {
            fraction: self.fraction,
            lost: self.lost(),
            highest_seq: self.extended_highest() as u32,
            jitter: self.jitter(),
        }
    }
}
