//! The microphone's level for a meter: the peak of what was captured over the last ~100 ms,
//! measured on the media thread and published in one atomic that any thread may read.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::Arc;

/// How much audio one published figure covers.
pub const LEVEL_WINDOW_MS: u32 = 100;

/// A reader of a session's input level; cheap to clone and to read (one atomic load).
#[derive(Debug, Clone, Default)]
pub struct InputLevel(Arc<AtomicU32>);

impl InputLevel {
    /// The peak absolute sample of the last window, 0.0 (silence) to 1.0 (full scale). Linear:
    /// `20 * log10(level)` gives dBFS.
    pub fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Relaxed))
    }

    fn set(&self, level: f32) {
        self.0.store(level.to_bits(), Relaxed);
    }
}

/// The media thread's side: folds each captured frame into the window's peak and publishes it
/// when the window is full. No allocation, no locks.
#[derive(Debug)]
pub(crate) struct LevelMeter {
    out: InputLevel,
    peak: f32,
    frames: u32,
    window_frames: u32,
}

impl LevelMeter {
    pub fn new(out: InputLevel, ptime_ms: u32) -> Self {
        Self {
            out,
            peak: 0.0,
            frames: 0,
            window_frames: (LEVEL_WINDOW_MS / ptime_ms.max(1)).max(1),
        }
    }

    pub fn observe(&mut self, frame: &[f32]) {
        // `max` skips NaN, so a garbage sample cannot stick the meter.
        let peak = frame.iter().fold(self.peak, |p, s| p.max(s.abs()));
        self.peak = peak.min(1.0);
        self.frames += 1;
        if self.frames >= self.window_frames {
            self.out.set(self.peak);
            self.peak = 0.0;
            self.frames = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishes_the_peak_of_each_window() {
        let level = InputLevel::default();
        let mut meter = LevelMeter::new(level.clone(), 20);
        assert_eq!(level.get(), 0.0);
        for i in 0..5 {
            let loud = if i == 2 { -0.75 } else { 0.1 };
            meter.observe(&[0.0, loud, f32::NAN]);
            if i < 4 {
                assert_eq!(level.get(), 0.0, "nothing published mid-window");
            }
        }
        assert_eq!(level.get(), 0.75);
        for _ in 0..5 {
            meter.observe(&[0.0; 160]);
        }
        assert_eq!(level.get(), 0.0, "silence reads as 0");
        meter.observe(&[3.0]);
        for _ in 0..4 {
            meter.observe(&[]);
        }
        assert_eq!(level.get(), 1.0, "clipped input reads as full scale");
    }

    #[test]
    fn long_packets_publish_every_frame() {
        let level = InputLevel::default();
        let mut meter = LevelMeter::new(level.clone(), 120);
        meter.observe(&[0.5]);
        assert_eq!(level.get(), 0.5);
    }
}
