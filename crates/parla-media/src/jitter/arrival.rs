//! `push`: placing an arriving packet, and telling reordering, loss, sender silence and
//! restarts apart.

use std::time::Instant;

use super::{ms_since, JitterBuffer, PushOutcome, Stream, MAX_PAYLOAD};

/// Sequence jumps taken for a new numbering rather than loss or reordering (RFC 3550 A.1).
const MAX_DROPOUT: i64 = 3000;
const MAX_MISORDER: i64 = 100;

/// One packet as `push` got it, with its arrival in milliseconds since the epoch.
#[derive(Clone, Copy)]
struct Incoming<'a> {
    seq: u16,
    timestamp: u32,
    payload: &'a [u8],
    at_ms: f64,
}

/// An incoming packet placed in the stream: extended numbers and its transit time.
#[derive(Clone, Copy)]
struct Placed {
    seq: i64,
    ts: i64,
    transit_ms: f64,
}

impl JitterBuffer {
    /// Hands over one received packet. `arrival` is when it came off the socket.
    pub fn push(
        &mut self,
        seq: u16,
        timestamp: u32,
        payload: &[u8],
        arrival: Instant,
    ) -> PushOutcome {
        if payload.len() > MAX_PAYLOAD {
            self.n.too_large += 1;
            return PushOutcome::TooLarge;
        }
        self.n.received += 1;
        let epoch = *self.epoch.get_or_insert(arrival);
        let p = Incoming {
            seq,
            timestamp,
            payload,
            at_ms: ms_since(epoch, arrival),
        };
        let (st, outcome) = match self.stream {
            Some(mut st) => {
                let outcome = self.arrive(&mut st, p);
                (st, outcome)
            }
            None => (self.begin(p), PushOutcome::Accepted),
        };
        self.stream = Some(st);
        outcome
    }

    /// Accounts for a packet of the same stream (same SSRC and numbering) that carries no
    /// audio: an RFC 4733 event or comfort noise. Its sequence number is then not taken for a
    /// lost packet, and its timestamp (an event's start) does not disturb the delay estimate.
    pub fn push_other(&mut self, seq: u16) -> PushOutcome {
        let Some(mut st) = self.stream else {
            return PushOutcome::Late;
        };
        self.n.received += 1;
        let seq = st.top_seq + i64::from(seq.wrapping_sub(st.top_seq as u16) as i16);
        let d = seq - st.next;
        let outcome = if d < 0 {
            self.passed(&mut st, seq)
        } else if self.store.find(seq).is_some() {
            self.n.duplicates += 1;
            PushOutcome::Duplicate
        } else {
            if d < self.store.capacity() as i64 {
                self.store.insert(seq, st.top_ts, 0, &[], false);
            }
            PushOutcome::Accepted
        };
        self.stream = Some(st);
        outcome
    }

    fn arrive(&mut self, st: &mut Stream, p: Incoming) -> PushOutcome {
        let seq = st.top_seq + i64::from(p.seq.wrapping_sub(st.top_seq as u16) as i16);
        let ts = st.top_ts + i64::from(p.timestamp.wrapping_sub(st.top_ts as u32) as i32);
        let d = seq - st.next;
        if d >= MAX_DROPOUT || d <= -MAX_MISORDER {
            // The sender renumbered its packets: start over.
            self.n.resets += 1;
            *st = self.begin(p);
            return PushOutcome::Reset;
        }
        let x = Placed {
            seq,
            ts,
            transit_ms: p.at_ms - self.ts_ms(st, ts),
        };
        if d < 0 {
            return self.behind(st, p, x);
        }
        if self.store.find(seq).is_some() {
            self.n.duplicates += 1;
            return PushOutcome::Duplicate;
        }
        if st.starve > 0 && self.store.count() == 0 {
            let jump = ts - st.expected_ts(seq, self.frame_ts);
            let dev = self.est.deviation_ms(x.transit_ms);
            let max = f64::from(self.cfg.max_delay_ms);
            if 2 * jump >= self.frame_ts || st.others_skipped > 0 || dev > max {
                // The first packet after the sender went quiet (DTX, hold, an RFC 4733 event):
                // the frames played while dry were that silence, not loss.
                self.n.lost += d as u64;
                self.n.resets += 1;
                st.skip(d);
                self.reanchor(st, p, x);
                return PushOutcome::Reset;
            }
            // If this packet is on time, the ones before it were lost and the dry frames
            // stood in for them. If it is late too, the network stalled: the dry frames were
            // added delay.
            let starve = i64::from(st.starve);
            let covered = if dev <= self.target_ms() {
                d.min(starve)
            } else {
                0
            };
            self.n.lost += covered as u64;
            if covered > 0 {
                self.note_loss(p.at_ms);
            }
            self.n.concealed += u64::from(st.starve.min(self.starve_conceal_frames));
            self.n.grown_frames += (starve - covered) as u64;
            st.skip(covered);
            st.starve = 0;
        }
        let d = seq - st.next;
        if d >= self.store.capacity() as i64 {
            // Too far ahead to fit: give up what is buffered and start again from here.
            let mut flushed = 0;
            while st.next < seq && self.store.count() > 0 {
                let arrived = self.store.remove(st.next);
                flushed += u64::from(arrived);
                st.advance(arrived);
            }
            self.n.late += flushed;
            self.n.resets += 1;
            self.n.lost += (d as u64).saturating_sub(flushed);
            st.skip(seq - st.next);
            self.reanchor(st, p, x);
            return PushOutcome::Reset;
        }
        self.store.insert(seq, ts, p.timestamp, p.payload, true);
        if seq > st.top_seq {
            st.top_seq = seq;
            st.top_ts = ts;
        }
        self.est.observe(x.transit_ms, p.at_ms);
        PushOutcome::Accepted
    }

    /// A packet for a frame already passed, or reordered before playout started.
    fn behind(&mut self, st: &mut Stream, p: Incoming, x: Placed) -> PushOutcome {
        if st.start_at_ms.is_some() && st.top_seq - x.seq < self.store.capacity() as i64 {
            self.store.insert(x.seq, x.ts, p.timestamp, p.payload, true);
            st.next = x.seq;
            st.history_len = 0;
            self.est.observe(x.transit_ms, p.at_ms);
            return PushOutcome::Accepted;
        }
        let outcome = self.passed(st, x.seq);
        if outcome == PushOutcome::Late {
            self.est.observe(x.transit_ms, p.at_ms);
        }
        outcome
    }

    /// A packet for a frame already played or concealed: a copy, or late.
    fn passed(&mut self, st: &mut Stream, seq: i64) -> PushOutcome {
        match st.arrived(seq) {
            Some(true) => {
                self.n.duplicates += 1;
                return PushOutcome::Duplicate;
            }
            Some(false) => {
                // It was counted lost when its frame was concealed.
                self.n.lost = self.n.lost.saturating_sub(1);
                st.mark_arrived(seq);
            }
            None => {}
        }
        self.n.late += 1;
        PushOutcome::Late
    }

    /// Starts a new stream at `p`, with no relation to anything before.
    fn begin(&mut self, p: Incoming) -> Stream {
        self.store.clear();
        self.est.resync();
        let mut st = Stream::starting_at(p.seq, p.timestamp);
        let x = Placed {
            seq: st.next,
            ts: st.top_ts,
            transit_ms: p.at_ms,
        };
        self.reanchor(&mut st, p, x);
        st
    }

    /// Restarts playout at `x` (already the next frame): it plays once it has waited the target.
    fn reanchor(&mut self, st: &mut Stream, p: Incoming, x: Placed) {
        if self.est.deviation_ms(x.transit_ms) > f64::from(self.cfg.max_delay_ms) {
            // Transit jumped by more than any queue holds: the sender's clock moved.
            self.est.resync();
        }
        self.est.observe(x.transit_ms, p.at_ms);
        let dev = self.est.deviation_ms(x.transit_ms);
        st.start_at_ms = Some(p.at_ms - dev + self.target_ms());
        st.starve = 0;
        st.others_skipped = 0;
        st.top_seq = x.seq;
        st.top_ts = x.ts;
        self.store.insert(x.seq, x.ts, p.timestamp, p.payload, true);
        self.shrink_wait = self.shrink_spacing;
    }
}
