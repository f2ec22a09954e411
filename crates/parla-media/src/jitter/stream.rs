//! Where playout stands in the current stream.

/// Sequence numbers and timestamps are extended to `i64`, so wrap-around is invisible past
/// `push`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stream {
    /// The frame to play next.
    pub(super) next: i64,
    /// Highest sequence number received and its timestamp: the reference for extending what
    /// arrives next and for spotting timestamp jumps.
    pub(super) top_seq: i64,
    pub(super) top_ts: i64,
    /// Timestamp of the stream's first packet: RTP time 0.
    pub(super) origin_ts: i64,
    /// Buffering: nothing plays before this time.
    pub(super) start_at_ms: Option<f64>,
    /// Pops since the buffer ran dry, settled when the next packet shows what they were.
    pub(super) starve: u32,
    /// Sequence number and timestamp of the last frame played from a packet.
    pub(super) last_played: Option<(i64, i64)>,
    /// Packets without audio passed since then: the sender's voice paused for them.
    pub(super) others_skipped: u32,
    /// Bit i tells whether frame `next - 1 - i` arrived; the low `history_len` bits are known.
    pub(super) history: u64,
    pub(super) history_len: u32,
}

impl Stream {
    pub(super) fn starting_at(seq: u16, ts: u32) -> Self {
        Self {
            next: i64::from(seq),
            top_seq: i64::from(seq),
            top_ts: i64::from(ts),
            origin_ts: i64::from(ts),
            start_at_ms: None,
            starve: 0,
            last_played: None,
            others_skipped: 0,
            history: 0,
            history_len: 0,
        }
    }

    /// Moves past the next frame, noting whether its packet arrived.
    pub(super) fn advance(&mut self, arrived: bool) {
        self.history = (self.history << 1) | u64::from(arrived);
        self.history_len = (self.history_len + 1).min(64);
        self.next += 1;
    }

    /// Moves past `frames` frames whose packets never arrived.
    pub(super) fn skip(&mut self, frames: i64) {
        let frames = frames.max(0);
        self.history = if frames >= 64 {
            0
        } else {
            self.history << frames
        };
        self.history_len = (i64::from(self.history_len) + frames).min(64) as u32;
        self.next += frames;
    }

    /// Whether an already passed frame's packet arrived, if still remembered.
    pub(super) fn arrived(&self, seq: i64) -> Option<bool> {
        let i = self.next - 1 - seq;
        (0..i64::from(self.history_len))
            .contains(&i)
            .then(|| self.history >> i & 1 == 1)
    }

    pub(super) fn mark_arrived(&mut self, seq: i64) {
        let i = self.next - 1 - seq;
        if (0..64).contains(&i) {
            self.history |= 1 << i;
        }
    }

    /// The timestamp `seq` would carry if the sender sent every frame since the top packet.
    pub(super) fn expected_ts(&self, seq: i64, frame_ts: i64) -> i64 {
        self.top_ts + (seq - self.top_seq) * frame_ts
    }

    /// Whether the sender paused its audio before this packet: timestamps advanced further
    /// than sequence numbers since the last played frame, or packets without audio came between.
    pub(super) fn sender_paused_before(&self, seq: i64, ts: i64, frame_ts: i64) -> bool {
        self.others_skipped > 0
            || self
                .last_played
                .is_some_and(|(s, t)| 2 * (ts - t - (seq - s) * frame_ts) >= frame_ts)
    }
}
