//! A high quantile of recent delay deviations: a 1 ms histogram whose old entries fade out.

/// Time constant of the histogram's memory.
const MEMORY_MS: f64 = 30_000.0;
/// Fraction of packets the quantile leaves out (later than it).
const TAIL: f64 = 0.005;
/// Weights grow instead of old buckets shrinking; everything is rescaled past this.
const RESCALE_AT: f64 = 1e12;

pub(super) struct Quantile {
    buckets: Box<[f64]>,
    total: f64,
    weight: f64,
    growth: f64,
    value_ms: f64,
}

impl Quantile {
    /// Deviations from 0 to `max_ms`, larger ones counted as `max_ms`.
    pub fn new(max_ms: u32, ptime_ms: f64) -> Self {
        Self {
            buckets: vec![0.0; max_ms as usize + 1].into_boxed_slice(),
            total: 0.0,
            weight: 1.0,
            growth: (ptime_ms / MEMORY_MS).exp(),
            value_ms: 0.0,
        }
    }

    /// The deviation that all but the latest 0.5 % of recent packets stayed under.
    pub fn value_ms(&self) -> f64 {
        self.value_ms
    }

    /// Every deviation recorded so far is `ms` smaller (at least 0).
    pub fn lower(&mut self, ms: usize) {
        for i in 0..self.buckets.len() {
            let weight = std::mem::take(&mut self.buckets[i]);
            self.buckets[i.saturating_sub(ms)] += weight;
        }
        self.value_ms = (self.value_ms - ms as f64).max(0.0);
    }

    pub fn add(&mut self, dev_ms: f64) {
        let last = self.buckets.len() - 1;
        let i = (dev_ms.max(0.0).ceil() as usize).min(last);
        self.weight *= self.growth;
        if let Some(b) = self.buckets.get_mut(i) {
            *b += self.weight;
        }
        self.total += self.weight;
        if self.weight > RESCALE_AT {
            for b in self.buckets.iter_mut() {
                *b /= self.weight;
            }
            self.total /= self.weight;
            self.weight = 1.0;
        }
        let mut above = 0.0;
        let allowed = self.total * TAIL;
        self.value_ms = 0.0;
        for (ms, b) in self.buckets.iter().enumerate().rev() {
            above += b;
            if above > allowed {
                self.value_ms = ms as f64;
                break;
            }
        }
    }
}
