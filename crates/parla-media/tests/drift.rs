//! Clock drift without real time: a simulated sound card whose clock runs 300 ppm fast or slow
//! against the 20 ms media tick, through the same ring + controller + resampler the cpal
//! devices use ([`CaptureDrift`], [`PlaybackDrift`]), for one simulated hour.
//!
//! A sine goes through; after settling there must be no click (no sample-to-sample step larger
//! than the sine itself makes), nothing dropped or padded, and the ring's fill, the delay it
//! adds, must stay in a small band around its target for the whole hour.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failed setup step should stop it"
)]

use parla_media::resample::drift::{CaptureDrift, PlaybackDrift};
use rtrb::RingBuffer;

/// Device and codec rate: the speech-band rate keeps an hour's simulation quick in a debug
/// build; the resampler and controller do the same work at 48 kHz.
const RATE: u32 = 8_000;
const TICK: usize = (RATE / 50) as usize;
/// Device callback size: 10 ms.
const PERIOD: usize = (RATE / 100) as usize;
const HOUR_TICKS: usize = 50 * 3600;
const SETTLE_TICKS: usize = 50 * 60;
const TARGET_MS: f64 = 12.0;
const FREQ: f64 = 440.0;
const AMP: f64 = 0.5;

/// Largest step a sine of `FREQ` makes between samples, with a margin for the resampler's
/// ripple and the few hundred ppm it changes the pitch by.
fn max_step() -> f32 {
    (2.0 * AMP * (std::f64::consts::PI * FREQ / f64::from(RATE)).sin() * 1.1) as f32
}

struct Sine(f64);

impl Sine {
    fn next(&mut self) -> f32 {
        let s = AMP * self.0.sin();
        self.0 = (self.0 + 2.0 * std::f64::consts::PI * FREQ / f64::from(RATE))
            % (2.0 * std::f64::consts::PI);
        s as f32
    }
}

/// Checks each sample against the previous one; counts clicks.
#[derive(Default)]
struct Clicks {
    prev: Option<f32>,
    count: usize,
    worst: f32,
}

impl Clicks {
    fn check(&mut self, samples: &[f32]) {
        for &s in samples {
            if let Some(p) = self.prev {
                let step = (s - p).abs();
                self.worst = self.worst.max(step);
                if step > max_step() {
                    self.count += 1;
                }
            }
            self.prev = Some(s);
        }
    }
}

/// The fill, sampled each tick after settling, in ms: extremes and per-minute means.
#[derive(Default)]
struct Band {
    min: f64,
    max: f64,
    minute_sum: f64,
    minute_means: Vec<f64>,
    n: usize,
}

impl Band {
    fn add(&mut self, samples: usize) {
        let ms = samples as f64 * 1000.0 / f64::from(RATE);
        if self.n == 0 {
            (self.min, self.max) = (ms, ms);
        }
        self.min = self.min.min(ms);
        self.max = self.max.max(ms);
        self.minute_sum += ms;
        self.n += 1;
        if self.n.is_multiple_of(50 * 60) {
            self.minute_means.push(self.minute_sum / 3000.0);
            self.minute_sum = 0.0;
        }
    }

    fn assert_steady(&self, what: &str) {
        let first = self.minute_means[0];
        let last = self.minute_means[self.minute_means.len() - 1];
        let (lo, hi) = self
            .minute_means
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &m| (lo.min(m), hi.max(m)));
        eprintln!(
            "{what}: fill {:.1}..{:.1} ms, minute means {lo:.2}..{hi:.2} ms (first {first:.2}, last {last:.2})",
            self.min, self.max
        );
        // The fill swings by up to a callback period as callbacks pass the media tick; its
        // mean must hold the target and not creep.
        let period_ms = PERIOD as f64 * 1000.0 / f64::from(RATE);
        assert!(
            self.min >= 0.0 && self.max <= TARGET_MS + period_ms + 3.0,
            "{what}: fill left its band: {:.1}..{:.1} ms",
            self.min,
            self.max
        );
        assert!(
            (lo - TARGET_MS).abs() < period_ms && (hi - TARGET_MS).abs() < period_ms,
            "{what}: minute means {lo:.2}..{hi:.2} ms"
        );
        // Uncorrected, 300 ppm would add 18 ms a minute.
        assert!(
            (last - first).abs() < period_ms / 2.0,
            "{what}: the delay grew from {first:.2} to {last:.2} ms"
        );
    }
}

/// One simulated hour of capture from a device whose clock is `ppm` off ours.
fn capture(ppm: f64) {
    let (mut tx, rx) = RingBuffer::new(RATE as usize / 5);
    let mut link = CaptureDrift::new(rx, RATE, RATE, TICK, TARGET_MS, 50.0).unwrap();
    let callback_s = PERIOD as f64 / (f64::from(RATE) * (1.0 + ppm * 1e-6));
    let mut sine = Sine(0.0);
    let mut next_callback = 0.0;
    let mut frame = vec![0.0f32; TICK];
    let (mut clicks, mut band) = (Clicks::default(), Band::default());
    let mut bad = 0;
    for tick in 0..HOUR_TICKS {
        let now = tick as f64 * 0.02;
        while next_callback <= now {
            let chunk = tx.write_chunk_uninit(PERIOD).expect("ring overflow");
            chunk.fill_from_iter(std::iter::repeat_with(|| sine.next()));
            next_callback += callback_s;
        }
        let outcome = link.read(&mut frame).unwrap();
        if tick >= SETTLE_TICKS {
            if outcome != Default::default() {
                bad += 1;
            }
            clicks.check(&frame);
            band.add(link.queued());
        } else if tick >= 50 {
            clicks.prev = frame.last().copied();
        }
    }
    eprintln!(
        "capture {ppm} ppm: learnt {:.0} ppm, {bad} reads dropped or padded",
        link.drift_ppm()
    );
    assert_eq!(bad, 0, "reads that dropped or padded");
    assert_eq!(clicks.count, 0, "clicks; worst step {}", clicks.worst);
    band.assert_steady(&format!("capture at {ppm} ppm"));
    // The integral carries most of the offset (the rest is the proportional part's share).
    assert!(
        (link.drift_ppm() - ppm).abs() < 100.0,
        "learnt {}",
        link.drift_ppm()
    );
}

/// One simulated hour of playback to a device whose clock is `ppm` off ours.
fn playback(ppm: f64) {
    let (tx, mut rx) = RingBuffer::new(RATE as usize / 5);
    let mut link = PlaybackDrift::new(tx, RATE, RATE, TICK, TARGET_MS, 50.0, 2 * PERIOD).unwrap();
    let callback_s = PERIOD as f64 / (f64::from(RATE) * (1.0 + ppm * 1e-6));
    let mut sine = Sine(0.0);
    let mut next_callback = 0.0;
    let mut frame = vec![0.0f32; TICK];
    let mut played = vec![0.0f32; PERIOD];
    let (mut clicks, mut band) = (Clicks::default(), Band::default());
    let mut started = false;
    for tick in 0..HOUR_TICKS {
        let now = tick as f64 * 0.02;
        while next_callback <= now {
            next_callback += callback_s;
            if !started {
                continue;
            }
            let Ok(chunk) = rx.read_chunk(PERIOD) else {
                panic!("the device ran dry at tick {tick}");
            };
            for (p, s) in played.iter_mut().zip(chunk) {
                *p = s;
            }
            if tick >= SETTLE_TICKS {
                clicks.check(&played);
            } else {
                clicks.prev = played.last().copied();
            }
        }
        if tick >= SETTLE_TICKS {
            band.add(link.queued());
        }
        frame.iter_mut().for_each(|s| *s = sine.next());
        let outcome = link.write(&frame).unwrap();
        if tick >= SETTLE_TICKS {
            assert_eq!(outcome, Default::default(), "tick {tick}");
        }
        started = true;
    }
    eprintln!("playback {ppm} ppm: learnt {:.0} ppm", link.drift_ppm());
    assert_eq!(clicks.count, 0, "clicks; worst step {}", clicks.worst);
    band.assert_steady(&format!("playback at {ppm} ppm"));
    assert!(
        (link.drift_ppm() + ppm).abs() < 100.0,
        "learnt {}",
        link.drift_ppm()
    );
}

#[test]
fn capture_from_a_fast_card_for_an_hour() {
    capture(300.0);
}

#[test]
fn capture_from_a_slow_card_for_an_hour() {
    capture(-300.0);
}

#[test]
fn playback_to_a_fast_card_for_an_hour() {
    playback(300.0);
}

#[test]
fn playback_to_a_slow_card_for_an_hour() {
    playback(-300.0);
}
