//! Network figures from arrival times: RFC 3550 interarrival jitter, the lowest recent transit
//! time, and how much later than that packets come: a peak-hold envelope that reacts within
//! two packets, and a high quantile over half a minute that keeps the delay steady when late
//! packets come every few seconds.
//!
//! All times are milliseconds on the buffer's own scale (arrival relative to its first packet,
//! RTP timestamps relative to the stream's first).

use super::quantile::Quantile;

/// The lowest transit time is taken over the last one to two of these.
const BASE_WINDOW_MS: f64 = 5_000.0;
/// The envelope holds a peak this long, then falls with this time constant.
const ENVELOPE_HOLD_MS: f64 = 2_000.0;
const ENVELOPE_FALL_MS: f64 = 2_000.0;

pub(super) struct Estimator {
    jitter_ms: f64,
    prev_transit: Option<f64>,
    base: MinWindow,
    envelope_ms: f64,
    hold_until_ms: f64,
    prev_dev_ms: f64,
    fall_per_packet: f64,
    ptime_ms: f64,
    quantile: Quantile,
    /// Part of a base rise below the quantile's 1 ms buckets, not yet taken off it.
    unshifted_ms: f64,
}

impl Estimator {
    pub fn new(ptime_ms: f64, initial_envelope_ms: f64, max_ms: u32) -> Self {
        Self {
            jitter_ms: 0.0,
            prev_transit: None,
            base: MinWindow::default(),
            envelope_ms: initial_envelope_ms,
            hold_until_ms: f64::NEG_INFINITY,
            prev_dev_ms: 0.0,
            fall_per_packet: (-ptime_ms / ENVELOPE_FALL_MS).exp(),
            ptime_ms,
            quantile: Quantile::new(max_ms, ptime_ms),
            unshifted_ms: 0.0,
        }
    }

    /// RFC 3550 §6.4.1 interarrival jitter.
    pub fn jitter_ms(&self) -> f64 {
        self.jitter_ms
    }

    /// How much delay covers the recent deviation from the lowest transit time.
    pub fn cover_ms(&self) -> f64 {
        self.envelope_ms.max(self.quantile.value_ms())
    }

    /// The lowest recent transit time (0 before the first packet).
    pub fn base_ms(&self) -> f64 {
        self.base.get().unwrap_or(0.0)
    }

    /// How much later than the fastest recent packet this transit time is (0 before any).
    pub fn deviation_ms(&self, transit_ms: f64) -> f64 {
        self.base.get().map_or(0.0, |b| (transit_ms - b).max(0.0))
    }

    /// Forgets the timing of earlier packets: their timestamps no longer line up (new stream,
    /// or a sender that paused its clock). The envelope stays: the network is the same.
    pub fn resync(&mut self) {
        self.prev_transit = None;
        self.base = MinWindow::default();
        self.prev_dev_ms = 0.0;
    }

    /// The lowest transit rose by `ms` (the fastest packets left the window): every deviation
    /// recorded so far was measured from a base that is gone, and is `ms` smaller from the new
    /// one, as the headroom of what plays from now on is. Left as they were, they would hold
    /// the target that much above what the packets need for half a minute, and the buffer
    /// would grow by a frame that nothing is late for. (When the base falls, the next
    /// packets' deviations, measured from it, lift the cover within two packets.)
    fn lower_deviations(&mut self, ms: f64) {
        self.envelope_ms = (self.envelope_ms - ms).max(0.0);
        self.prev_dev_ms = (self.prev_dev_ms - ms).max(0.0);
        self.unshifted_ms += ms;
        let whole = self.unshifted_ms.floor();
        if whole >= 1.0 {
            self.quantile.lower(whole as usize);
            self.unshifted_ms -= whole;
        }
    }

    /// Takes one received packet (in arrival order).
    pub fn observe(&mut self, transit_ms: f64, arrival_ms: f64) {
        if let Some(prev) = self.prev_transit {
            let d = (transit_ms - prev).abs();
            self.jitter_ms += (d - self.jitter_ms) / 16.0;
        }
        self.prev_transit = Some(transit_ms);
        let before = self.base.get();
        self.base.update(transit_ms, arrival_ms);
        if let (Some(before), Some(after)) = (before, self.base.get()) {
            if after > before {
                self.lower_deviations(after - before);
            }
        }
        let dev = self.deviation_ms(transit_ms);
        // A lone late packet lifts the envelope by at most a frame; a second one confirms a
        // burst and lifts it all the way. One stray 150 ms packet should not cost seconds of delay.
        self.quantile.add(dev);
        let input = dev.min(self.prev_dev_ms.max(self.envelope_ms) + self.ptime_ms);
        self.prev_dev_ms = dev;
        if input >= self.envelope_ms {
            self.envelope_ms = input;
            self.hold_until_ms = arrival_ms + ENVELOPE_HOLD_MS;
        } else if arrival_ms > self.hold_until_ms {
            self.envelope_ms = input.max(self.envelope_ms * self.fall_per_packet);
        }
    }
}

#[derive(Default)]
struct MinWindow {
    current: Option<f64>,
    previous: Option<f64>,
    started_ms: f64,
}

impl MinWindow {
    fn get(&self) -> Option<f64> {
        match (self.current, self.previous) {
            (Some(c), Some(p)) => Some(c.min(p)),
            (c, p) => c.or(p),
        }
    }

    fn update(&mut self, value: f64, now_ms: f64) {
        if self.current.is_none() || now_ms - self.started_ms >= BASE_WINDOW_MS {
            self.previous = self.current.or(Some(value));
            self.current = Some(value);
            self.started_ms = now_ms;
        } else {
            self.current = self.current.map(|c| c.min(value));
        }
    }
}
