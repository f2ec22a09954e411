//! Clock drift control: steers an asynchronous resampler's ratio so that a device ring's fill
//! stays at a target, whatever the device's clock does.
//!
//! The level is sampled once per media tick. It is smoothed first (callbacks arrive in bursts,
//! so one sample says little), then a PI controller turns the smoothed error into a relative
//! ratio: the proportional part pulls the fill back, the integral part learns the clock offset
//! (a card 300 ppm fast ends up with the integral at about 300 ppm and no standing error). The
//! ratio is bounded to [`MAX_PPM`] and moves at most [`STEP_PPM`] per tick, so the pitch change
//! is slow and tiny (1000 ppm is under 2 cents).

/// The largest correction, in parts per million.
pub const MAX_PPM: f64 = 1000.0;
/// The largest change of the correction from one tick to the next, in ppm.
const STEP_PPM: f64 = 20.0;
/// Time constant of the level smoothing, in seconds.
const SMOOTH_S: f64 = 2.0;
/// Proportional gain: ppm of correction per ms of error is `KP * 1000`.
const KP: f64 = 0.1;
/// Integral gain, critically damped with [`KP`] (`KP² / 4`).
const KI: f64 = KP * KP / 4.0;

/// Keeps a ring's fill at a target by the ratio it returns.
///
/// The sign convention is the same for capture and playback: [`DriftControl::ratio`] is the
/// relative output/input ratio for the resampler between the ring and the media side. Capture
/// (ring -> resampler): a lower ratio takes more input per output, and drains the ring.
/// Playback (resampler -> ring): a lower ratio puts less into the ring. So a fill above target
/// lowers the ratio in both directions.
#[derive(Debug, Clone)]
pub struct DriftControl {
    target: f64,
    rate: f64,
    tick_s: f64,
    smoothed: Option<f64>,
    integral: f64,
    correction: f64,
}

impl DriftControl {
    /// `target`: the fill to keep, in samples at `rate`; `tick_s`: seconds between updates.
    pub fn new(target: usize, rate: u32, tick_s: f64) -> Self {
        Self {
            target: target as f64,
            rate: f64::from(rate.max(1)),
            tick_s: tick_s.max(1e-4),
            smoothed: None,
            integral: 0.0,
            correction: 0.0,
        }
    }

    /// Seconds between updates.
    pub fn tick_s(&self) -> f64 {
        self.tick_s
    }

    /// The fill it keeps, in samples.
    pub fn target(&self) -> usize {
        self.target as usize
    }

    /// Keeps `target` samples from now on; what was learnt about the clock stays.
    pub fn set_target(&mut self, target: usize) {
        self.target = target as f64;
    }

    /// Forgets the measured level after a jump the controller did not cause (priming, a
    /// stall, a dropped excess). What it learnt about the clock stays.
    pub fn relevel(&mut self) {
        self.smoothed = None;
    }

    /// Takes one level sample (in samples) and returns the ratio to use until the next one.
    pub fn update(&mut self, level: usize) -> f64 {
        let level = level as f64;
        let alpha = (self.tick_s / SMOOTH_S).min(1.0);
        let smoothed = match self.smoothed {
            Some(s) => s + alpha * (level - s),
            None => level,
        };
        self.smoothed = Some(smoothed);
        let error_s = (smoothed - self.target) / self.rate;
        let limit = MAX_PPM * 1e-6;
        let wanted = KP * error_s + self.integral + KI * error_s * self.tick_s;
        // No integration while the output is pinned at its bound (anti-windup).
        if wanted.abs() < limit {
            self.integral = (self.integral + KI * error_s * self.tick_s).clamp(-limit, limit);
        }
        let step = STEP_PPM * 1e-6;
        let goal = (KP * error_s + self.integral).clamp(-limit, limit);
        self.correction += (goal - self.correction).clamp(-step, step);
        self.ratio()
    }

    /// The current relative ratio (1 ± at most [`MAX_PPM`]).
    pub fn ratio(&self) -> f64 {
        1.0 - self.correction
    }

    /// The clock offset learnt so far, in ppm (positive: the fill tends to grow).
    pub fn drift_ppm(&self) -> f64 {
        self.integral * 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ring filled at `(1 + ppm)` of the rate it is drained at, drained every tick through
    /// the controller's ratio (capture); returns the levels seen.
    fn simulate(ppm: f64, start: f64, ticks: usize) -> (DriftControl, Vec<f64>) {
        let rate = 48_000;
        let tick = 0.02;
        let mut c = DriftControl::new(480, rate, tick);
        let mut level = start;
        let mut ratio = 1.0;
        let mut seen = Vec::new();
        for _ in 0..ticks {
            level += 960.0 * (1.0 + ppm * 1e-6);
            level -= 960.0 / ratio;
            ratio = c.update(level.max(0.0) as usize);
            seen.push(level);
        }
        (c, seen)
    }

    #[test]
    fn learns_the_drift_and_holds_the_target() {
        for ppm in [300.0, -300.0, 900.0] {
            let (c, levels) = simulate(ppm, 480.0, 50 * 240);
            let last = &levels[levels.len() - 50 * 30..];
            for l in last {
                assert!((l - 480.0).abs() < 10.0, "{ppm} ppm: level {l}");
            }
            assert!(
                (c.drift_ppm() - ppm).abs() < 20.0,
                "{ppm}: {}",
                c.drift_ppm()
            );
            // Never far from the target on the way either: the drift is followed, not chased.
            let worst = levels.iter().map(|l| (l - 480.0).abs()).fold(0.0, f64::max);
            // About 2.2 ms per 300 ppm (the peak of a critically damped loop).
            assert!(
                worst < 48.0 * 3.0 * ppm.abs() / 300.0,
                "{ppm} ppm: {worst} samples off"
            );
        }
    }

    #[test]
    fn pulls_an_offset_back_slowly_and_within_bounds() {
        let (c, levels) = simulate(0.0, 480.0 + 960.0, 50 * 240);
        assert!((levels[levels.len() - 1] - 480.0).abs() < 10.0);
        assert!((c.ratio() - 1.0).abs() <= MAX_PPM * 1e-6 + 1e-12);
        // A clock far beyond the bound: the ratio stays pinned, and recovers without windup.
        let mut c = DriftControl::new(480, 48_000, 0.02);
        for _ in 0..1000 {
            c.update(100_000);
        }
        assert!((c.ratio() - (1.0 - MAX_PPM * 1e-6)).abs() < 1e-12);
        for _ in 0..1000 {
            c.update(480);
        }
        assert!(c.ratio() > 1.0 - MAX_PPM * 1e-6, "stuck at the bound");
    }

    #[test]
    fn the_ratio_moves_a_little_per_tick() {
        let mut c = DriftControl::new(480, 48_000, 0.02);
        let mut prev = c.ratio();
        for level in [480, 4800, 4800, 0, 0, 480] {
            let r = c.update(level);
            assert!((r - prev).abs() <= STEP_PPM * 1e-6 + 1e-12);
            prev = r;
        }
    }
}
