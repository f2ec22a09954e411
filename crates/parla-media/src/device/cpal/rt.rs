//! The code that runs on the audio device's own thread, inside cpal's data callbacks.
//!
//! Rules: no locks, no allocation, no logging, no system calls, no `Arc` drop. A callback only
//! moves samples between its rtrb ring and the device buffer, fills silence when the ring runs
//! dry, and bumps the atomic counters in [`Shared`]. Built with the `rt-check` feature (and debug
//! assertions), each callback body runs under `assert_no_alloc`, and any allocation is counted
//! in [`Shared::alloc_violations`].

use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::thread::Thread;

use ::cpal::{FromSample, Sample};
use rtrb::{Consumer, Producer};

/// Counters shared by a stream's callbacks and the media thread.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub callbacks: AtomicU64,
    pub underruns: AtomicU64,
    pub overruns: AtomicU64,
    pub xruns: AtomicU64,
    /// Times the device thread woke up (our own ALSA capture reader only).
    pub wakeups: AtomicU64,
    /// Errors reported that need not be fatal.
    pub errors: AtomicU64,
    pub alloc_violations: AtomicU64,
    /// 0 while the stream is healthy, else the [`super::health::Failure`] code that ended it.
    pub failure: AtomicU8,
    /// The media thread waiting for a frame of capture (our own ALSA reader only).
    pub frame_wake: FrameWake,
}

/// Wakes the thread that waits for the capture ring to hold enough for its next frame, so a
/// call's media loop runs when the microphone's audio is there rather than on a clock of its
/// own (which needs a period and a margin of audio standing in the ring). Only a device thread
/// of our own notifies: unparking is a system call, which cpal's callbacks must not make.
#[derive(Debug, Default)]
pub(crate) struct FrameWake {
    /// Ring fill to wake at; 0 while nobody waits.
    at: AtomicUsize,
    waiter: OnceLock<Thread>,
}

impl FrameWake {
    /// Asks to be woken (this thread, the first to ask: the media thread) once the ring holds
    /// `fill` samples.
    pub fn arm(&self, fill: usize) {
        self.waiter.get_or_init(std::thread::current);
        self.at.store(fill.max(1), Relaxed);
    }

    pub fn disarm(&self) {
        self.at.store(0, Relaxed);
    }

    /// The ring now holds `fill`: wakes the waiter if that is enough.
    pub fn notify(&self, fill: usize) {
        let at = self.at.load(Relaxed);
        if at == 0 || fill < at {
            return;
        }
        if self.at.compare_exchange(at, 0, Relaxed, Relaxed).is_ok() {
            if let Some(waiter) = self.waiter.get() {
                waiter.unpark();
            }
        }
    }
}

impl Shared {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }
}

/// Runs `f` as a callback body: under the allocation guard when `rt-check` is on.
#[inline]
fn guarded(shared: &Shared, f: impl FnOnce()) {
    #[cfg(all(feature = "rt-check", debug_assertions))]
    {
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(f);
        if assert_no_alloc::violation_count() != before {
            Shared::bump(&shared.alloc_violations);
        }
    }
    #[cfg(not(all(feature = "rt-check", debug_assertions)))]
    {
        let _ = shared;
        f();
    }
}

/// The capture callback's state: interleaved device frames in, mono `f32` into the ring.
pub(crate) struct CaptureFeed {
    ring: Producer<f32>,
    channels: usize,
    shared: Arc<Shared>,
}

impl CaptureFeed {
    pub fn new(ring: Producer<f32>, channels: u16, shared: Arc<Shared>) -> Self {
        Self {
            ring,
            channels: usize::from(channels.max(1)),
            shared,
        }
    }

    /// Samples in the ring.
    pub fn queued(&self) -> usize {
        self.ring.buffer().capacity() - self.ring.slots()
    }

    /// Down-mixes `data` to mono and pushes it; what does not fit is dropped (the newest) and
    /// counted as one overrun.
    pub fn on_data<T>(&mut self, data: &[T])
    where
        T: Sample,
        f32: FromSample<T>,
    {
        guarded(&self.shared, || {
            Shared::bump(&self.shared.callbacks);
            let frames = data.chunks_exact(self.channels);
            let wanted = frames.len();
            let room = self.ring.slots();
            if room < wanted {
                Shared::bump(&self.shared.overruns);
            }
            if let Ok(chunk) = self.ring.write_chunk_uninit(wanted.min(room)) {
                chunk.fill_from_iter(frames.map(mix));
            }
        });
    }
}

#[inline]
fn mix<T>(frame: &[T]) -> f32
where
    T: Sample,
    f32: FromSample<T>,
{
    let sum: f32 = frame.iter().map(|&s| f32::from_sample(s)).sum();
    sum / frame.len() as f32
}

/// The playback callback's state: mono `f32` from the ring, copied to every device channel.
pub(crate) struct PlaybackFeed {
    ring: Consumer<f32>,
    channels: usize,
    /// Samples to hold before (re)starting, beyond one callback's worth: a cushion against the
    /// media thread's 20 ms bursts.
    prime: usize,
    primed: bool,
    shared: Arc<Shared>,
}

impl PlaybackFeed {
    pub fn new(ring: Consumer<f32>, channels: u16, prime: usize, shared: Arc<Shared>) -> Self {
        Self {
            ring,
            channels: usize::from(channels.max(1)),
            prime,
            primed: false,
            shared,
        }
    }

    /// Fills `data`; when the ring runs dry the rest is silence, counted as one underrun, and
    /// playback waits for the cushion again.
    pub fn on_data<T>(&mut self, data: &mut [T])
    where
        T: Sample + FromSample<f32>,
    {
        guarded(&self.shared, || {
            Shared::bump(&self.shared.callbacks);
            let frames = data.len() / self.channels;
            let available = self.ring.slots();
            if !self.primed {
                if available < self.prime + frames {
                    data.fill(T::EQUILIBRIUM);
                    return;
                }
                self.primed = true;
            }
            let mut out = data.chunks_exact_mut(self.channels);
            if let Ok(chunk) = self.ring.read_chunk(frames.min(available)) {
                // The ring side first: `zip` pulls its left iterator first, and a frame pulled
                // for a sample that is not there would be skipped by the silence fill below.
                for (s, frame) in chunk.into_iter().zip(&mut out) {
                    frame.fill(T::from_sample(s));
                }
            }
            let mut short = false;
            for frame in out {
                frame.fill(T::EQUILIBRIUM);
                short = true;
            }
            if short {
                Shared::bump(&self.shared.underruns);
                self.primed = false;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtrb::RingBuffer;

    /// The waiter is woken once the fill reaches what it asked for, and only then.
    #[test]
    fn frame_wake_unparks_the_waiter_at_the_fill_it_asked_for() {
        let shared = Arc::new(Shared::default());
        shared.frame_wake.arm(960);
        let device = Arc::clone(&shared);
        let feeder = std::thread::spawn(move || {
            for fill in [240, 480, 720] {
                device.frame_wake.notify(fill);
            }
            assert_ne!(device.frame_wake.at.load(Relaxed), 0, "woken too soon");
            device.frame_wake.notify(960);
        });
        // Parks until the feeder's last notify (a stray unpark only loops again).
        while shared.frame_wake.at.load(Relaxed) != 0 {
            std::thread::park_timeout(std::time::Duration::from_secs(1));
        }
        feeder.join().expect("feeder");
        shared.frame_wake.notify(10_000);
        shared.frame_wake.disarm();
        assert_eq!(shared.frame_wake.at.load(Relaxed), 0);
    }

    #[test]
    fn capture_mixes_to_mono_and_counts_overruns() {
        let shared = Arc::new(Shared::default());
        let (tx, mut rx) = RingBuffer::new(4);
        let mut feed = CaptureFeed::new(tx, 2, Arc::clone(&shared));
        feed.on_data(&[0.5f32, 0.1, -1.0, 1.0, 0.2, 0.2]);
        assert_eq!(rx.slots(), 3);
        let got: Vec<f32> = (0..3).filter_map(|_| rx.pop().ok()).collect();
        assert!((got[0] - 0.3).abs() < 1e-6 && got[1].abs() < 1e-6 && (got[2] - 0.2).abs() < 1e-6);
        // 16-bit input, more frames than fit: the newest are dropped.
        feed.on_data(&[i16::MAX, i16::MAX, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(rx.slots(), 4);
        assert!(rx.pop().is_ok_and(|s| s > 0.99));
        assert_eq!(shared.overruns.load(Relaxed), 1);
        assert_eq!(shared.callbacks.load(Relaxed), 2);
    }

    #[test]
    fn playback_waits_for_the_cushion_copies_channels_and_counts_underruns() {
        let shared = Arc::new(Shared::default());
        let (mut tx, rx) = RingBuffer::new(16);
        let mut feed = PlaybackFeed::new(rx, 2, 2, Arc::clone(&shared));
        let mut out = [1.0f32; 4];
        tx.push(0.5).ok();
        tx.push(0.25).ok();
        tx.push(0.125).ok();
        // 3 queued < cushion 2 + 2 frames: silence, not an underrun
        feed.on_data(&mut out);
        assert_eq!(out, [0.0; 4]);
        assert_eq!(shared.underruns.load(Relaxed), 0);
        tx.push(0.0625).ok();
        feed.on_data(&mut out);
        assert_eq!(out, [0.5, 0.5, 0.25, 0.25]);
        let mut wide = [0i16; 6];
        feed.on_data(&mut wide);
        assert_eq!(wide[..4], [4096, 4096, 2048, 2048]);
        assert_eq!(wide[4..], [0, 0]);
        assert_eq!(shared.underruns.load(Relaxed), 1);
        assert_eq!(shared.callbacks.load(Relaxed), 3);
    }
}
