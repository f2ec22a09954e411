//! Call media counters: written by the media thread with relaxed atomics, read from any thread.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How the call sounds, for the call screen's quality indicator: what we measure on what we
/// receive (jitter buffer) and what the far end reports of what we send (RTCP).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Quality {
    /// Interarrival jitter of what we receive, ms (RFC 3550).
    pub jitter_ms: f32,
    /// The jitter buffer's current target delay, ms.
    pub target_delay_ms: u32,
    /// How long it held the last packet played past the earliest it could have come, ms: the
    /// target and the wait for the next pop.
    pub buffer_delay_ms: u32,
    /// Packets that never arrived, arrived too late to play, and frames concealed.
    pub lost: u64,
    pub late: u64,
    pub concealed: u64,
    /// From the far end's RTCP reports: the share of our packets it lost recently, and the
    /// round-trip time.
    pub remote_fraction_lost: Option<f32>,
    pub rtt_ms: Option<f32>,
}

/// A snapshot of a session's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MediaStats {
    /// RTP packets and bytes (whole datagrams) sent.
    pub packets_sent: u64,
    pub bytes_sent: u64,
    /// RTP packets and bytes received with the negotiated payload type.
    pub packets_received: u64,
    pub bytes_received: u64,
    /// Valid RTP with the telephone-event payload type (not played yet).
    pub telephone_events_received: u64,
    /// Valid RTP with any other payload type.
    pub packets_ignored: u64,
    /// Datagrams that are not valid RTP.
    pub malformed_received: u64,
    pub decode_errors: u64,
    pub encode_errors: u64,
    /// `send_to` failures (unreachable network, full socket buffer, ...).
    pub send_errors: u64,
    /// `recv_from` failures other than "nothing to read".
    pub receive_errors: u64,
    /// Capture and playback endpoint failures (for files: read or write errors).
    pub input_errors: u64,
    pub output_errors: u64,
    /// Ticks where the thread woke so late that whole frames were skipped.
    pub ticks_skipped: u64,
    /// SRTP/SRTCP packets that failed authentication (or replays): dropped, never played.
    pub srtp_rejected: u64,
    /// Time since the last valid RTP packet of any payload type; `None` before the first.
    pub last_packet_age: Option<Duration>,
    pub quality: Quality,
}

const NEVER: u64 = u64::MAX;

pub(crate) struct Counters {
    epoch: Instant,
    pub packets_sent: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub packets_received: AtomicU64,
    pub bytes_received: AtomicU64,
    pub telephone_events_received: AtomicU64,
    pub packets_ignored: AtomicU64,
    pub malformed_received: AtomicU64,
    pub decode_errors: AtomicU64,
    pub encode_errors: AtomicU64,
    pub send_errors: AtomicU64,
    pub receive_errors: AtomicU64,
    pub input_errors: AtomicU64,
    pub output_errors: AtomicU64,
    pub ticks_skipped: AtomicU64,
    pub srtp_rejected: AtomicU64,
    /// Microseconds after `epoch`, or `NEVER`.
    last_packet_us: AtomicU64,
    /// Written by the media thread about once a second; a plain lock is fine there.
    quality: Mutex<Quality>,
}

impl Counters {
    pub fn new() -> Self {
        Self {
            epoch: Instant::now(),
            packets_sent: AtomicU64::new(0),
            bytes_sent: AtomicU64::new(0),
            packets_received: AtomicU64::new(0),
            bytes_received: AtomicU64::new(0),
            telephone_events_received: AtomicU64::new(0),
            packets_ignored: AtomicU64::new(0),
            malformed_received: AtomicU64::new(0),
            decode_errors: AtomicU64::new(0),
            encode_errors: AtomicU64::new(0),
            send_errors: AtomicU64::new(0),
            receive_errors: AtomicU64::new(0),
            input_errors: AtomicU64::new(0),
            output_errors: AtomicU64::new(0),
            ticks_skipped: AtomicU64::new(0),
            srtp_rejected: AtomicU64::new(0),
            last_packet_us: AtomicU64::new(NEVER),
            quality: Mutex::new(Quality::default()),
        }
    }

    /// Adds one to `counter`; returns true the first time, so callers can log once.
    pub fn bump(counter: &AtomicU64) -> bool {
        counter.fetch_add(1, Relaxed) == 0
    }

    pub fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Relaxed);
    }

    pub fn mark_packet(&self, now: Instant) {
        let us = now.saturating_duration_since(self.epoch).as_micros();
        self.last_packet_us
            .store(u64::try_from(us).unwrap_or(NEVER - 1), Relaxed);
    }

    pub fn set_quality(&self, quality: Quality) {
        *self.quality.lock().unwrap_or_else(PoisonError::into_inner) = quality;
    }

    pub fn snapshot(&self) -> MediaStats {
        let last = self.last_packet_us.load(Relaxed);
        let last_packet_age = (last != NEVER).then(|| {
            let at = self.epoch + Duration::from_micros(last);
            Instant::now().saturating_duration_since(at)
        });
        MediaStats {
            packets_sent: self.packets_sent.load(Relaxed),
            bytes_sent: self.bytes_sent.load(Relaxed),
            packets_received: self.packets_received.load(Relaxed),
            bytes_received: self.bytes_received.load(Relaxed),
            telephone_events_received: self.telephone_events_received.load(Relaxed),
            packets_ignored: self.packets_ignored.load(Relaxed),
            malformed_received: self.malformed_received.load(Relaxed),
            decode_errors: self.decode_errors.load(Relaxed),
            encode_errors: self.encode_errors.load(Relaxed),
            send_errors: self.send_errors.load(Relaxed),
            receive_errors: self.receive_errors.load(Relaxed),
            input_errors: self.input_errors.load(Relaxed),
            output_errors: self.output_errors.load(Relaxed),
            ticks_skipped: self.ticks_skipped.load(Relaxed),
            srtp_rejected: self.srtp_rejected.load(Relaxed),
            last_packet_age,
            quality: *self.quality.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_reports_counts_and_age() {
        let c = Counters::new();
        assert_eq!(c.snapshot(), MediaStats::default());
        assert!(Counters::bump(&c.packets_sent));
        assert!(!Counters::bump(&c.packets_sent));
        Counters::add(&c.bytes_sent, 172);
        c.mark_packet(Instant::now());
        let s = c.snapshot();
        assert_eq!((s.packets_sent, s.bytes_sent), (2, 172));
        assert!(s
            .last_packet_age
            .is_some_and(|a| a < Duration::from_secs(5)));
    }
}
