//! `pop`: what to play each tick, and adapting the delay a frame at a time.

use std::time::Instant;

use super::{ms_since, JitterBuffer, Playout, Stream, GROW_TOLERANCE_MS};

enum Action {
    Play(usize),
    Conceal(Option<usize>),
    Silence,
}

impl JitterBuffer {
    /// Takes the frame to play now. Call once per ptime.
    pub fn pop(&mut self, now: Instant) -> Playout<'_> {
        let action = match (self.stream, self.epoch) {
            (Some(mut st), Some(epoch)) => {
                let action = self.decide(&mut st, ms_since(epoch, now));
                self.stream = Some(st);
                action
            }
            _ => Action::Silence,
        };
        match action {
            Action::Play(slot) => Playout::Packet {
                payload: self.store.payload(slot),
                timestamp: self.store.meta(slot).rtp_ts,
            },
            Action::Conceal(next) => Playout::Conceal {
                next: next.map(|slot| self.store.payload(slot)),
            },
            Action::Silence => Playout::Silence,
        }
    }

    fn decide(&mut self, st: &mut Stream, now_ms: f64) -> Action {
        if let Some(start) = st.start_at_ms {
            if now_ms < start {
                return Action::Silence;
            }
            st.start_at_ms = None;
            self.shrink_wait = self.shrink_spacing;
        } else {
            self.shrink_wait = self.shrink_wait.saturating_sub(1);
        }
        self.pass_others(st);
        self.update_floor(now_ms);
        let target = self.target_ms();
        if let Some(slot) = self.store.find(st.next) {
            self.due(st, slot, now_ms, target)
        } else if self.store.count() > 0 {
            self.hole(st, now_ms, target)
        } else {
            st.starve = st.starve.saturating_add(1);
            if st.starve <= self.starve_conceal_frames {
                Action::Conceal(None)
            } else {
                Action::Silence
            }
        }
    }

    /// Moves past packets without audio: their time shows in the next audio packet's timestamp.
    fn pass_others(&mut self, st: &mut Stream) {
        while let Some(slot) = self.store.find(st.next) {
            if self.store.meta(slot).audio {
                return;
            }
            self.store.remove(st.next);
            st.advance(true);
            st.others_skipped = st.others_skipped.saturating_add(1);
        }
    }

    /// The next frame's packet is here: play it, or hold it back (grow), or drop it (shrink).
    fn due(&mut self, st: &mut Stream, slot: usize, now_ms: f64, target: f64) -> Action {
        let cur = self.store.meta(slot);
        let headroom = self.headroom(st, cur.ts, now_ms);
        self.delay_ms = headroom;
        self.low.observe(headroom);
        if headroom < target - GROW_TOLERANCE_MS {
            if st.sender_paused_before(cur.seq, cur.ts, self.frame_ts) {
                // The sender was silent (DTX) and playout caught up: wait quietly.
                return Action::Silence;
            }
            self.n.grown_frames += 1;
            self.n.concealed += 1;
            return Action::Conceal(None);
        }
        if let Some(after) = self.early(st, st.next + 1, now_ms, target) {
            self.store.remove(st.next);
            st.advance(true);
            self.n.shrunk_frames += 1;
            return self.play(st, after, now_ms);
        }
        self.play(st, slot, now_ms)
    }

    /// A hole with later packets here: this frame is lost, or will arrive late.
    fn hole(&mut self, st: &mut Stream, now_ms: f64, target: f64) -> Action {
        self.n.lost += 1;
        self.note_loss(now_ms);
        if let Some(after) = self.early(st, st.next + 1, now_ms, target) {
            st.advance(false);
            self.n.shrunk_frames += 1;
            return self.play(st, after, now_ms);
        }
        let after = self.store.find_audio(st.next + 1);
        st.advance(false);
        self.n.concealed += 1;
        Action::Conceal(after)
    }

    /// The slot of `seq` if the delay is high enough to play it now instead of at the next pop.
    fn early(&mut self, st: &Stream, seq: i64, now_ms: f64, target: f64) -> Option<usize> {
        if self.shrink_wait > 0 {
            return None;
        }
        let slot = self.store.find_audio(seq)?;
        let ts = self.store.meta(slot).ts;
        let frame_ms = f64::from(self.cfg.ptime_ms);
        if self.headroom(st, ts, now_ms) < target || self.low.get() - frame_ms < target {
            return None;
        }
        self.low.lower(frame_ms);
        self.shrink_wait = self.shrink_spacing;
        Some(slot)
    }

    fn play(&mut self, st: &mut Stream, slot: usize, now_ms: f64) -> Action {
        let m = self.store.meta(slot);
        self.delay_ms = self.headroom(st, m.ts, now_ms);
        self.store.remove(m.seq);
        st.advance(true);
        st.last_played = Some((m.seq, m.ts));
        st.others_skipped = 0;
        Action::Play(slot)
    }
}
