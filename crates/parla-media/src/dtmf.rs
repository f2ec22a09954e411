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
    #[error("DTMF queue full: {queued} digits waiting, {requested} more asked, room for {capacity}")]
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
        sender.set_timing(clock_rate, DEFAULT_EVENT_MS, DEFAULT_GAP_MS);
        sender
    }

    /// Tone length and silence between tones; the tone is capped to what the 16-bit duration
    /// field holds (about 1.3 s at 48 kHz).
    pub fn with_timing(mut self, clock_rate: u32, event_ms: u32, gap_ms: u32) -> Self {
        self.set_timing(clock_rate, event_ms, gap_ms);
        self
    }

    fn set_timing(&mut self, clock_rate: u32, event_ms: u32, gap_ms: u32) {
        self.event_len = units(clock_rate, event_ms).clamp(1, MAX_DURATION);
        self.gap_len = units(clock_rate, gap_ms);
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
}
