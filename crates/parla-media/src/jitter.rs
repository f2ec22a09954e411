//! Adaptive jitter buffer for one received RTP stream.
//!
//! Packets go in as they arrive ([`JitterBuffer::push`]); the media thread takes one frame out
//! per ptime ([`JitterBuffer::pop`]). Playout is frame-based: each pop plays the next sequence
//! number, conceals it when it is missing, or adapts the delay by a whole frame: holding the
//! next packet back for one concealed frame (grow) or dropping one (shrink). A frame is
//! dropped only when every pop of the last half second or more had a frame to spare, so a
//! media thread that wakes a few ms late now and then does not make playout flap between the
//! two (each flap is a concealed frame).
//!
//! Below a frame, the caller adapts the delay by when it pops: [`JitterBuffer::take_lead`]
//! says how much earlier the pops may come, so a packet waits as long as the jitter needs, not
//! until the next tick of the media loop.
//!
//! The delay it keeps is the headroom of a packet that had the lowest recent transit time:
//! `now - (its RTP time + lowest transit)`. A packet is in time when its transit exceeds the
//! lowest by less than that, so the target covers that excess, clamped to the configured
//! range: the larger of a peak-hold (up on the second late packet, held 2 s, then falling over
//! seconds) and the 99.5th percentile of the last half minute (steady under rare late packets).
//!
//! `push` and `pop` never allocate: every slot is allocated in [`JitterBuffer::new`].

mod arrival;
mod estimator;
mod lead;
mod low;
mod playout;
mod quantile;
mod store;
mod stream;
#[cfg(test)]
mod tests;

use std::time::Instant;

use self::estimator::Estimator;
use self::low::RecentLow;
use self::store::Store;
pub use self::store::MAX_PAYLOAD;
use self::stream::Stream;

/// Most slots, whatever `max_delay_ms` asks: 256 × 1500 bytes.
const MAX_SLOTS: usize = 256;
/// Grow only below target minus this, so a late wake-up of the media thread does not flap
/// between growing and shrinking.
const GROW_TOLERANCE_MS: f64 = 2.0;
/// Concealed frames played when the buffer runs dry before going silent: longer PLC sounds
/// worse than silence.
const STARVE_CONCEAL_MS: u32 = 60;
/// Shortest spacing between two dropped frames.
const SHRINK_SPACING_MS: u32 = 100;
/// How long after a lost packet the target stays at least a frame: as long as the jitter
/// estimate remembers a late packet.
const LOSS_MEMORY_MS: f64 = 30_000.0;
/// How long after the first packet the target stays at least a frame: a network is taken for
/// one that loses packets until it has shown otherwise, but a calm call should not spend its
/// first seconds a frame behind (the bar: within 60 ms of delay two seconds in).
const START_MEMORY_MS: f64 = 1_500.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JitterConfig {
    /// RTP clock rate of the stream.
    pub clock_rate: u32,
    /// Duration of one packet, and the interval between pops.
    pub ptime_ms: u32,
    pub min_delay_ms: u32,
    pub max_delay_ms: u32,
    /// Target before anything is measured.
    pub initial_delay_ms: u32,
}

impl JitterConfig {
    /// The defaults (no minimum, 300 ms max) for a stream. It starts at one frame: a jittery
    /// network raises the target within two late packets, while a higher start would cost
    /// every calm call its first seconds at the higher delay. The target stays at least a
    /// frame while packets are being lost (see `note_loss`) and for the first 1.5 s; on a
    /// network that has lost nothing for that long the buffer drops a frame and settles at the
    /// jitter measured and [`GROW_TOLERANCE_MS`]: a packet plays at the first pop after it
    /// arrives; for a caller that follows `take_lead` the pops come forward instead, to just
    /// after the packets. (A fixed 20 ms minimum held every packet until a pop at least 18 ms
    /// after its arrival: 18-38 ms, 28 on average, where the pops fall at random against a far
    /// end's packets.)
    pub fn new(clock_rate: u32, ptime_ms: u32) -> Self {
        Self {
            clock_rate,
            ptime_ms,
            min_delay_ms: 0,
            max_delay_ms: 300,
            initial_delay_ms: ptime_ms,
        }
    }

    /// Values the buffer can work with: nonzero rate and ptime, min <= initial <= max, and a
    /// max that fits in [`MAX_SLOTS`].
    fn sanitized(self) -> Self {
        let ptime_ms = self.ptime_ms.clamp(1, 1000);
        let most = (MAX_SLOTS as u32 / 2 - 4) * ptime_ms;
        let max_delay_ms = self.max_delay_ms.clamp(ptime_ms, most);
        let min_delay_ms = self.min_delay_ms.min(max_delay_ms);
        Self {
            clock_rate: self.clock_rate.max(1),
            ptime_ms,
            min_delay_ms,
            max_delay_ms,
            initial_delay_ms: self.initial_delay_ms.clamp(min_delay_ms, max_delay_ms),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Accepted,
    /// Already buffered or already played.
    Duplicate,
    /// Its frame was already played (concealed); dropped.
    Late,
    /// Payload over [`MAX_PAYLOAD`]; dropped.
    TooLarge,
    /// A big sequence or timestamp jump: playout restarted at this packet.
    Reset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout<'a> {
    Packet {
        payload: &'a [u8],
        timestamp: u32,
    },
    /// A frame is missing now: the caller conceals (PLC). `next` is the following packet if
    /// already here (Opus in-band FEC can rebuild the lost frame from it). It is `None` when
    /// the frame is inserted to grow the delay: nothing was lost, so there is nothing to rebuild.
    Conceal {
        next: Option<&'a [u8]>,
    },
    /// Nothing to play yet (buffering at the start, or after a reset).
    Silence,
}

/// Counts are totals since [`JitterBuffer::new`]; [`JitterBuffer::reset`] keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct JitterStats {
    pub target_delay_ms: u32,
    /// Headroom of the last packet played (see the module docs).
    pub current_delay_ms: u32,
    /// RFC 3550 interarrival jitter.
    pub jitter_ms: f32,
    /// Packets pushed, except those too large.
    pub received: u64,
    pub late: u64,
    /// Frames whose packet never arrived (a late arrival takes its frame back out).
    pub lost: u64,
    /// Frames the caller was told to conceal.
    pub concealed: u64,
    pub duplicates: u64,
    /// Frames dropped (or lost frames skipped instead of concealed) to reduce the delay.
    pub shrunk_frames: u64,
    /// Frames inserted (concealed, or silent when the buffer ran dry) to increase the delay.
    pub grown_frames: u64,
    pub too_large: u64,
    /// Restarts of playout on a sequence or timestamp jump.
    pub resets: u64,
}

pub struct JitterBuffer {
    cfg: JitterConfig,
    /// RTP clock units in one frame.
    frame_ts: i64,
    starve_conceal_frames: u32,
    shrink_spacing: u32,
    store: Store,
    est: Estimator,
    /// Arrival of the first packet: the zero of every time in milliseconds here.
    epoch: Option<Instant>,
    stream: Option<Stream>,
    n: JitterStats,
    delay_ms: f64,
    /// Pops before the next frame may be dropped.
    shrink_wait: u32,
    /// Pops before the pops may be brought forward again (see `take_lead`).
    lead_wait: u32,
    /// A frame is dropped only if every recent pop had a frame's headroom to spare: a single
    /// early packet, or the dip after a grow, does not make the buffer flap.
    low: RecentLow,
    /// The least target now: the configured minimum, or a frame while packets are being lost.
    floor_ms: f64,
    /// Until when (ms since the first packet) the target stays at least a frame:
    /// [`START_MEMORY_MS`] from the first packet, [`LOSS_MEMORY_MS`] from the last one lost.
    lossy_until_ms: f64,
}

impl JitterBuffer {
    pub fn new(cfg: JitterConfig) -> Self {
        let cfg = cfg.sanitized();
        let ptime = cfg.ptime_ms;
        let frames = cfg.max_delay_ms.div_ceil(ptime) as usize;
        let frame_ts = u64::from(cfg.clock_rate) * u64::from(ptime) / 1000;
        Self {
            frame_ts: (frame_ts as i64).max(1),
            starve_conceal_frames: STARVE_CONCEAL_MS.div_ceil(ptime),
            shrink_spacing: SHRINK_SPACING_MS.div_ceil(ptime),
            store: Store::new((2 * frames + 8).min(MAX_SLOTS)),
            est: Estimator::new(
                f64::from(ptime),
                f64::from(cfg.initial_delay_ms) - GROW_TOLERANCE_MS,
                cfg.max_delay_ms,
            ),
            epoch: None,
            stream: None,
            n: JitterStats::default(),
            delay_ms: 0.0,
            shrink_wait: 0,
            lead_wait: 0,
            low: RecentLow::new(),
            // A network is taken for one that loses packets until it has shown otherwise.
            floor_ms: floor_ms(&cfg, true),
            lossy_until_ms: START_MEMORY_MS,
            cfg,
        }
    }

    /// The configuration in force (out-of-range values clamped).
    pub fn config(&self) -> JitterConfig {
        self.cfg
    }

    /// Packets waiting to be played.
    pub fn buffered(&self) -> usize {
        self.store.count()
    }

    pub fn stats(&self) -> JitterStats {
        JitterStats {
            target_delay_ms: self.target_ms().round() as u32,
            current_delay_ms: self.delay_ms.max(0.0).round() as u32,
            jitter_ms: self.est.jitter_ms() as f32,
            ..self.n
        }
    }

    /// Drops every buffered packet and forgets the sequence and timestamp numbering (e.g. the
    /// SSRC changed). The delay target and the counts stay: the network is the same.
    pub fn reset(&mut self) {
        self.store.clear();
        self.stream = None;
        self.low = RecentLow::new();
        self.est.resync();
    }

    fn target_ms(&self) -> f64 {
        (self.est.cover_ms() + GROW_TOLERANCE_MS)
            .clamp(self.floor_ms, f64::from(self.cfg.max_delay_ms))
    }

    /// A packet was lost at `now_ms`. For a while the target is at least a frame, so the
    /// packet after the next loss is here when that loss is played: Opus rebuilds the lost
    /// frame from it (in-band FEC), and for any codec a gap with a packet after it is a loss,
    /// where a buffer run dry cannot tell a lost packet from a late one (and guessing late
    /// conceals the frame twice, then drops one to shrink back).
    fn note_loss(&mut self, now_ms: f64) {
        self.lossy_until_ms = now_ms + LOSS_MEMORY_MS;
    }

    /// Sets the target's floor for a pop at `now_ms`.
    fn update_floor(&mut self, now_ms: f64) {
        self.floor_ms = floor_ms(&self.cfg, now_ms < self.lossy_until_ms);
    }

    /// RTP time of extended timestamp `ts` in milliseconds since the stream's first packet.
    fn ts_ms(&self, st: &Stream, ts: i64) -> f64 {
        (ts - st.origin_ts) as f64 * 1000.0 / f64::from(self.cfg.clock_rate)
    }

    /// How long ago a packet stamped `ts` with the lowest transit time would have arrived.
    fn headroom(&self, st: &Stream, ts: i64, now_ms: f64) -> f64 {
        now_ms - self.ts_ms(st, ts) - self.est.base_ms()
    }
}

/// The least target: the configured minimum, and a frame while `lossy`.
fn floor_ms(cfg: &JitterConfig, lossy: bool) -> f64 {
    let min = cfg.min_delay_ms;
    f64::from(if lossy { min.max(cfg.ptime_ms) } else { min })
}

/// Signed milliseconds from `epoch` to `t`.
fn ms_since(epoch: Instant, t: Instant) -> f64 {
    match t.checked_duration_since(epoch) {
        Some(d) => d.as_secs_f64() * 1000.0,
        None => -(epoch.duration_since(t).as_secs_f64() * 1000.0),
    }
}
