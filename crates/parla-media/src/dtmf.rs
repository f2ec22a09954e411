//! DTMF as RTP telephone-events (RFC 4733): digits 0-9 * # A-D out and in.
//!
//! The sender is driven once per ptime by the media thread in place of a voice frame; the
//! receiver is fed every telephone-event payload and reports each event once.

/// Digits that can wait in a [`DtmfSender`]; a longer string is refused whole.
pub const QUEUE_CAPACITY: usize = 64;
/// RFC 4733 §2.5.1.4: the final packet of an event is sent three times.
const END_PACKETS: u8 = 3;
const DEFAULT_EVENT_MS: u32 = 100;
const DEFAULT_GAP_MS: u32 = 50;
/// Power level as -dBm0 (0-63); 10 is what most phones send.
const DEFAULT_VOLUME: u8 = 10;
/// Largest value of the 16-bit duration field.
const MAX_DURATION: u32 = 0xFFFF;

/// Why digits were not queued. Nothing is queued when this is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    #[error("{digit:?} (position {position}) is not a DTMF digit: use 0-9, *, #, A-D")]
    InvalidDigit { digit: char, position: usize },
    #[error(
        "DTMF queue full: {queued} digits waiting, {requested} more asked, room for {capacity}"
    )]
    QueueFull {
        queued: usize,
        requested: usize,
        capacity: usize,
    },
}

/// The RFC 4733 event code of a keypad digit (lower-case a-d accepted).
pub fn digit_to_event(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => Some(c as u8 - b'A' + 12),
        'a'..='d' => Some(c as u8 - b'a' + 12),
        _ => None,
    }
}

/// The keypad digit of an event code; `None` for codes above 15 (flash, tones, ...).
pub fn event_to_digit(e: u8) -> Option<char> {
    match e {
        0..=9 => Some(char::from(b'0' + e)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + e - 12)),
        _ => None,
    }
}

/// One telephone-event packet for the media thread to send with the telephone-event payload
/// type, the stream's SSRC and the next sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    pub payload: [u8; 4],
    /// Set on the first packet of each event.
    pub marker: bool,
    /// The event's start timestamp: the same for every packet of one event.
    pub timestamp: u32,
    /// One of the three final packets (E bit set).
    pub end: bool,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    code: u8,
    start: u32,
    /// End packets already sent; 0 while the event is still running.
    ends_sent: u8,
}

/// Turns queued digits into a packet sequence: for each digit, packets with a growing duration
/// every ptime, then the end packet three times, then a silent gap before the next digit.
#[derive(Debug, Clone)]
pub struct DtmfSender {
    clock_rate: u32,
    step: u32,
    event_len: u32,
    gap_len: u32,
    volume: u8,
    queue: [u8; QUEUE_CAPACITY],
    head: usize,
    len: usize,
    current: Option<Event>,
    /// Start of the last finished event, to keep the gap before the next one.
    last_start: Option<u32>,
}

impl DtmfSender {
    /// `clock_rate` is the RTP clock of the telephone-event payload type (the same as the
    /// voice stream's); `ptime_ms` is how often [`DtmfSender::next_packet`] is called.
    pub fn new(clock_rate: u32, ptime_ms: u32) -> Self {
        let step = units(clock_rate, ptime_ms).max(1);
        let mut sender = Self {
            clock_rate,
            step,
            event_len: 0,
            gap_len: 0,
            volume: DEFAULT_VOLUME,
            queue: [0; QUEUE_CAPACITY],
            head: 0,
            len: 0,
            current: None,
            last_start: None,
        };
        sender.set_timing(DEFAULT_EVENT_MS, DEFAULT_GAP_MS);
        sender
    }

    /// Tone length and silence between tones; the tone is capped to what the 16-bit duration
    /// field holds (about 1.3 s at 48 kHz).
    pub fn with_timing(mut self, event_ms: u32, gap_ms: u32) -> Self {
        self.set_timing(event_ms, gap_ms);
        self
    }

    fn set_timing(&mut self, event_ms: u32, gap_ms: u32) {
        self.event_len = units(self.clock_rate, event_ms).clamp(1, MAX_DURATION);
        self.gap_len = units(self.clock_rate, gap_ms);
    }

    /// Queues every character of `digits`, or none of them.
    pub fn queue(&mut self, digits: &str) -> Result<(), DtmfError> {
        let mut count = 0;
        for (position, digit) in digits.chars().enumerate() {
            if digit_to_event(digit).is_none() {
                return Err(DtmfError::InvalidDigit { digit, position });
            }
            count += 1;
        }
        if self.len + count > QUEUE_CAPACITY {
            return Err(DtmfError::QueueFull {
                queued: self.len,
                requested: count,
                capacity: QUEUE_CAPACITY,
            });
        }
        for code in digits.chars().filter_map(digit_to_event) {
            self.queue[(self.head + self.len) % QUEUE_CAPACITY] = code;
            self.len += 1;
        }
        Ok(())
    }

    /// Drops digits not started yet; an event under way still finishes with its end packets.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// True while an event is under way or digits wait (including the gaps between them).
    pub fn is_active(&self) -> bool {
        self.current.is_some() || self.len > 0
    }

    /// The packet for this ptime tick, where `now_timestamp` is the RTP timestamp a voice
    /// frame would carry now. `None` while idle, and during the gap between two digits: send
    /// no voice then either, but let the RTP timestamp advance.
    pub fn next_packet(&mut self, now_timestamp: u32) -> Option<DtmfPacket> {
        let Some(mut event) = self.current else {
            return self.start_next(now_timestamp);
        };
        let packet = if event.ends_sent > 0 {
            event.ends_sent += 1;
            self.packet(&event, self.event_len, false, true)
        } else {
            let duration = elapsed(event.start, now_timestamp)
                .saturating_add(self.step)
                .min(self.event_len);
            let end = duration >= self.event_len;
            event.ends_sent = u8::from(end);
            self.packet(&event, duration, false, end)
        };
        self.store(event);
        Some(packet)
    }

    fn start_next(&mut self, now: u32) -> Option<DtmfPacket> {
        if self.len == 0 {
            return None;
        }
        if let Some(last) = self.last_start {
            if elapsed(last, now) < self.event_len.saturating_add(self.gap_len) {
                return None;
            }
        }
        let code = self.queue[self.head];
        self.head = (self.head + 1) % QUEUE_CAPACITY;
        self.len -= 1;
        let duration = self.step.min(self.event_len);
        let end = duration >= self.event_len;
        let event = Event {
            code,
            start: now,
            ends_sent: u8::from(end),
        };
        let packet = self.packet(&event, duration, true, end);
        self.store(event);
        Some(packet)
    }

    fn store(&mut self, event: Event) {
        if event.ends_sent >= END_PACKETS {
            self.current = None;
            self.last_start = Some(event.start);
        } else {
            self.current = Some(event);
        }
    }

    fn packet(&self, event: &Event, duration: u32, marker: bool, end: bool) -> DtmfPacket {
        let d = u16::try_from(duration).unwrap_or(u16::MAX).to_be_bytes();
        DtmfPacket {
            payload: [
                event.code,
                (u8::from(end) << 7) | (self.volume & 0x3F),
                d[0],
                d[1],
            ],
            marker,
            timestamp: event.start,
            end,
        }
    }
}

/// Clock units in `ms` milliseconds.
fn units(clock_rate: u32, ms: u32) -> u32 {
    u32::try_from(u64::from(clock_rate) * u64::from(ms) / 1000).unwrap_or(u32::MAX)
}

/// Timestamp distance from `from` to `to`; 0 if `to` is earlier (a stream that jumped back).
fn elapsed(from: u32, to: u32) -> u32 {
    let d = to.wrapping_sub(from);
    if d > i32::MAX as u32 {
        0
    } else {
        d
    }
}

/// Older events whose late packets are ignored: a timestamp this far (in clock units) behind
/// the newest event is a straggler, not a sender that restarted with a new timestamp base.
const STALE_WINDOW: u32 = 0x1_0000;

#[derive(Debug, Clone, Copy)]
struct Seen {
    timestamp: u32,
    code: u8,
    ended: bool,
    duration: u16,
}

/// Reports each received event once, at the first packet that arrives for it (lowest
/// latency; if the start packets are lost, at whichever packet comes first, end included).
/// Events are told apart by RTP timestamp, so duplicates and the repeated end packets are
/// ignored, and so is a late packet of an older event.
#[derive(Debug, Clone, Default)]
pub struct DtmfReceiver {
    last: Option<Seen>,
}

impl DtmfReceiver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the last event: call when the far end's stream changes (new SSRC).
    pub fn reset(&mut self) {
        self.last = None;
    }

    /// Feeds one telephone-event payload. Payloads shorter than 4 bytes are ignored; longer
    /// ones (unstripped padding, or events this receiver does not model) are read from their
    /// first 4 bytes. Returns the digit when this packet starts a new event.
    pub fn on_packet(&mut self, rtp_timestamp: u32, payload: &[u8]) -> Option<char> {
        let &[code, flags, d0, d1, ..] = payload else {
            return None;
        };
        let ended = flags & 0x80 != 0;
        let duration = u16::from_be_bytes([d0, d1]);
        let seen = Seen {
            timestamp: rtp_timestamp,
            code,
            ended,
            duration,
        };
        if let Some(last) = self.last.as_mut() {
            if rtp_timestamp == last.timestamp {
                last.ended |= ended;
                last.duration = last.duration.max(duration);
                return None;
            }
            let behind = last.timestamp.wrapping_sub(rtp_timestamp);
            if behind < STALE_WINDOW {
                return None;
            }
            // RFC 4733 §2.5.1.3: an event longer than the duration field continues in a new
            // segment whose timestamp is where the full previous segment ends.
            let ahead = rtp_timestamp.wrapping_sub(last.timestamp);
            if !last.ended
                && last.code == code
                && last.duration == u16::MAX
                && ahead == u32::from(u16::MAX)
            {
                *last = seen;
                return None;
            }
        }
        self.last = Some(seen);
        event_to_digit(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(tx: &mut DtmfSender, start: u32, step: u32, ticks: u32) -> Vec<Option<DtmfPacket>> {
        (0..ticks)
            .map(|k| tx.next_packet(start.wrapping_add(k * step)))
            .collect()
    }

    fn duration(p: &DtmfPacket) -> u16 {
        u16::from_be_bytes([p.payload[2], p.payload[3]])
    }

    #[test]
    fn digit_codes_map_both_ways() {
        let keys = "0123456789*#ABCD";
        for (code, key) in keys.chars().enumerate() {
            assert_eq!(digit_to_event(key), Some(code as u8));
            assert_eq!(event_to_digit(code as u8), Some(key));
        }
        assert_eq!(digit_to_event('b'), Some(13));
        for bad in ['E', 'e', ' ', ',', 'p', '١', '\0'] {
            assert_eq!(digit_to_event(bad), None, "{bad:?}");
        }
        assert_eq!(event_to_digit(16), None, "flash is not a digit");
        assert_eq!(event_to_digit(255), None);
    }

    #[test]
    fn one_digit_is_a_100ms_event_with_three_end_packets() {
        let mut tx = DtmfSender::new(8000, 20);
        assert!(!tx.is_active());
        assert_eq!(tx.next_packet(1000), None);
        tx.queue("5").expect("valid digit");
        assert!(tx.is_active());
        let packets = run(&mut tx, 1000, 160, 9);
        let expect = [
            ([5, 0x0A, 0, 160], true, false),
            ([5, 0x0A, 1, 64], false, false),  // 320
            ([5, 0x0A, 1, 224], false, false), // 480
            ([5, 0x0A, 2, 128], false, false), // 640
            ([5, 0x8A, 3, 32], false, true),   // 800 = 100 ms, E bit
            ([5, 0x8A, 3, 32], false, true),
            ([5, 0x8A, 3, 32], false, true),
        ];
        for (i, (payload, marker, end)) in expect.into_iter().enumerate() {
            let p = packets[i].expect("packet while active");
            assert_eq!(
                p,
                DtmfPacket {
                    payload,
                    marker,
                    timestamp: 1000,
                    end
                },
                "packet {i}"
            );
        }
        assert_eq!(packets[7], None);
        assert_eq!(packets[8], None);
        assert!(!tx.is_active());
    }

    #[test]
    fn several_digits_keep_a_gap_between_events() {
        let mut tx = DtmfSender::new(8000, 20);
        tx.queue("1#").expect("valid digits");
        let packets = run(&mut tx, 50_000, 160, 20);
        // 7 packets for '1', then silence until 150 ms after its start (tick 8 at 160 ms).
        assert!(packets[..7]
            .iter()
            .all(|p| p.is_some_and(|p| p.payload[0] == 1)));
        assert_eq!(packets[7], None);
        let second = packets[8].expect("second digit starts");
        assert_eq!(second.payload[0], 11);
        assert!(second.marker);
        assert_eq!(second.timestamp, 50_000 + 8 * 160);
        let ends: Vec<_> = packets[8..15].iter().flatten().filter(|p| p.end).collect();
        assert_eq!(ends.len(), 3);
        assert!(ends
            .iter()
            .all(|p| duration(p) == 800 && p.timestamp == second.timestamp));
        assert!(packets[15..].iter().all(Option::is_none));
        assert!(!tx.is_active());
    }

    #[test]
    fn durations_follow_the_clock_at_48khz_and_across_timestamp_wrap() {
        let mut tx = DtmfSender::new(48_000, 20);
        tx.queue("9").expect("valid");
        let start = u32::MAX - 1000;
        let packets: Vec<_> = run(&mut tx, start, 960, 8).into_iter().flatten().collect();
        let durations: Vec<u16> = packets.iter().map(duration).collect();
        assert_eq!(durations, [960, 1920, 2880, 3840, 4800, 4800, 4800]);
        assert!(packets.iter().all(|p| p.timestamp == start));
        assert_eq!(packets.iter().filter(|p| p.marker).count(), 1);
    }

    #[test]
    fn late_ticks_jump_the_duration_and_short_events_end_at_once() {
        let mut tx = DtmfSender::new(8000, 20);
        tx.queue("2").expect("valid");
        let first = tx.next_packet(0).expect("start");
        assert_eq!(duration(&first), 160);
        // The media thread skipped two ticks: the duration says how long the tone has run.
        let p = tx.next_packet(480).expect("running");
        assert_eq!((duration(&p), p.end), (640, false));

        let mut tx = DtmfSender::new(8000, 20).with_timing(10, 0);
        tx.queue("3").expect("valid");
        let packets = run(&mut tx, 0, 160, 4);
        let p = packets[0].expect("start");
        assert!(p.marker && p.end);
        assert_eq!(duration(&p), 80);
        assert!(packets[1].is_some_and(|p| p.end && !p.marker));
        assert!(packets[2].is_some_and(|p| p.end));
        assert_eq!(packets[3], None);
    }

    #[test]
    fn bad_strings_queue_nothing() {
        let mut tx = DtmfSender::new(8000, 20);
        assert_eq!(
            tx.queue("12x4"),
            Err(DtmfError::InvalidDigit {
                digit: 'x',
                position: 2
            })
        );
        assert!(!tx.is_active());
        tx.queue(&"1".repeat(QUEUE_CAPACITY)).expect("exactly full");
        assert_eq!(
            tx.queue("2"),
            Err(DtmfError::QueueFull {
                queued: QUEUE_CAPACITY,
                requested: 1,
                capacity: QUEUE_CAPACITY
            })
        );
        tx.clear();
        assert!(!tx.is_active());
        tx.queue("").expect("empty is fine");
        assert!(!tx.is_active());
    }

    #[test]
    fn clear_lets_the_running_event_end() {
        let mut tx = DtmfSender::new(8000, 20);
        tx.queue("12").expect("valid");
        tx.next_packet(0).expect("start");
        tx.clear();
        let rest: Vec<_> = run(&mut tx, 160, 160, 12).into_iter().flatten().collect();
        assert_eq!(rest.len(), 6);
        assert_eq!(rest.iter().filter(|p| p.end).count(), 3);
        assert!(rest.iter().all(|p| p.payload[0] == 1));
    }

    #[test]
    fn queue_wraps_around_its_ring() {
        let mut tx = DtmfSender::new(8000, 20);
        let mut rx = DtmfReceiver::new();
        let mut heard = String::new();
        let mut ts = 0u32;
        for round in 0..3 {
            let digits: String = "0123456789*#ABCD"
                .chars()
                .cycle()
                .skip(round)
                .take(50)
                .collect();
            tx.queue(&digits).expect("fits");
            while tx.is_active() {
                if let Some(p) = tx.next_packet(ts) {
                    heard.extend(rx.on_packet(p.timestamp, &p.payload));
                }
                ts = ts.wrapping_add(160);
            }
            assert_eq!(heard, digits, "round {round}");
            heard.clear();
        }
    }

    #[test]
    fn round_trip_survives_loss_reorder_and_duplicates() {
        let keys = "0123456789*#ABCD11";
        let mut tx = DtmfSender::new(8000, 20);
        tx.queue(keys).expect("valid");
        let mut wire = Vec::new();
        let mut ts = 7u32;
        while tx.is_active() {
            wire.extend(tx.next_packet(ts));
            ts = ts.wrapping_add(160);
        }
        assert_eq!(wire.len(), 7 * keys.len());
        // Lose the first 3 packets of every event, duplicate some, swap neighbours.
        let mut arrived = Vec::new();
        for chunk in wire.chunks(7) {
            let mut kept: Vec<_> = chunk[3..].to_vec();
            kept.swap(0, 1);
            kept.push(kept[0]);
            arrived.extend(kept);
        }
        let mut rx = DtmfReceiver::new();
        let heard: String = arrived
            .iter()
            .filter_map(|p| rx.on_packet(p.timestamp, &p.payload))
            .collect();
        assert_eq!(heard, keys);
    }

    #[test]
    fn receiver_reports_once_even_from_end_packets_only() {
        let mut rx = DtmfReceiver::new();
        let end = [4, 0x8A, 3, 32];
        assert_eq!(rx.on_packet(500, &end), Some('4'));
        assert_eq!(rx.on_packet(500, &end), None);
        assert_eq!(
            rx.on_packet(500, &[4, 0x0A, 1, 64]),
            None,
            "reordered earlier packet"
        );
        assert_eq!(
            rx.on_packet(1700, &[4, 0x0A, 0, 160]),
            Some('4'),
            "same key again"
        );
        // A straggler of the older event after the newer one started.
        assert_eq!(rx.on_packet(500, &end), None);
    }

    #[test]
    fn receiver_tolerates_odd_payloads_and_codes() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.on_packet(0, &[]), None);
        assert_eq!(rx.on_packet(0, &[1, 0x0A, 0]), None);
        assert_eq!(rx.on_packet(0, &[16, 0x0A, 0, 160]), None, "flash");
        assert_eq!(rx.on_packet(0, &[16, 0x8A, 0, 160]), None);
        assert_eq!(
            rx.on_packet(800, &[7, 0x0A, 0, 160, 0, 0]),
            Some('7'),
            "padding left on"
        );
        assert_eq!(rx.on_packet(2000, &[200, 0xFF, 0xFF, 0xFF]), None);
    }

    #[test]
    fn receiver_follows_a_sender_restart_and_reset() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.on_packet(3_000_000, &[1, 0x0A, 0, 160]), Some('1'));
        // New timestamp base far behind: a new stream, not a straggler.
        assert_eq!(rx.on_packet(10, &[2, 0x0A, 0, 160]), Some('2'));
        rx.reset();
        assert_eq!(
            rx.on_packet(10, &[2, 0x0A, 0, 160]),
            Some('2'),
            "forgotten after reset"
        );
    }

    #[test]
    fn long_event_segments_are_one_event() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.on_packet(100, &[0, 0x0A, 0x80, 0]), Some('0'));
        assert_eq!(rx.on_packet(100, &[0, 0x0A, 0xFF, 0xFF]), None);
        // RFC 4733 §2.5.1.3: the next segment starts where the full one ends.
        assert_eq!(rx.on_packet(100 + 0xFFFF, &[0, 0x0A, 0x01, 0]), None);
        assert_eq!(rx.on_packet(100 + 0xFFFF, &[0, 0x8A, 0x02, 0]), None);
        assert_eq!(
            rx.on_packet(100 + 0xFFFF + 0x0400, &[0, 0x0A, 0, 160]),
            Some('0')
        );
    }

    #[test]
    fn baresip_shaped_stream() {
        // baresip (libre telev): 50 ms packets at 8 kHz, duration += 400, end packet sent
        // three times with the final duration, marker on the first, one timestamp per event.
        let mut rx = DtmfReceiver::new();
        let mut heard = String::new();
        for (i, code) in [1u8, 1, 11].into_iter().enumerate() {
            let ts = 80_000 + i as u32 * 4000;
            for dur in [400u16, 800, 1200] {
                let d = dur.to_be_bytes();
                heard.extend(rx.on_packet(ts, &[code, 0x0A, d[0], d[1]]));
            }
            for _ in 0..3 {
                heard.extend(rx.on_packet(ts, &[code, 0x8A, 0x04, 0xB0]));
            }
        }
        assert_eq!(heard, "11#");
    }

    #[test]
    fn random_payloads_never_panic() {
        let mut rx = DtmfReceiver::new();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut buf = [0u8; 8];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf.copy_from_slice(&x.to_le_bytes());
            let len = (x >> 60) as usize % 9;
            let _ = rx.on_packet((x >> 32) as u32 & 0x3_FFFF, &buf[..len]);
        }
    }
}
