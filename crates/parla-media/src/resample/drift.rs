//! The media side of a device ring: ring + [`DriftControl`] + [`AdaptiveResampler`], without
//! the device, so it can be driven by simulated callbacks as well as by cpal.
//!
//! [`CaptureDrift`] reads a ring filled at the device's rate and gives frames at the codec rate;
//! [`PlaybackDrift`] takes 48 kHz audio and fills a ring drained at the device's rate. Each keeps
//! its ring's fill at a small target by steering the resampler's ratio a few hundred ppm, so a
//! device clock that runs fast or slow neither clicks (nothing is dropped or padded) nor builds
//! up delay. Only a large jump (a stall, an overflow, the start) is dealt with at once: the fill
//! is dropped to the target, or silence is put in, and then the ratio takes over again. A
//! playback queue that is the device's own buffer is also topped up at once when it runs low
//! (see [`PlaybackDrift::repeat_when_low`]).
//!
//! Both run on the media thread and never allocate after `new`.

mod capture;
mod playback;
mod splice;

pub use capture::CaptureDrift;
pub use playback::{PlaybackDrift, PlaybackQueue};

/// What one `read` or `write` had to do besides resampling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Audio was dropped to come down to the target (the fill jumped past the hard cap).
    pub dropped: usize,
    /// Capture: samples of silence returned for lack of audio. Playback: silence put in the
    /// ring because it had run dry.
    pub padded: usize,
    /// Playback: samples played twice because the fill was running low.
    pub repeated: usize,
}

/// Ticks over which the lowest fill is taken to spot standing excess: half a second.
const SETTLE_WINDOW: u32 = 25;
/// Shorter windows (0.1 s) while a stream starts: a sound server that takes no audio for a
/// moment as its stream starts leaves tens of ms queued, which half-second windows would keep
/// through the first second of the call, the "hello".
const SETTLE_START_WINDOW: u32 = 5;
/// How long the start lasts, in ticks: two seconds.
const SETTLE_START_TICKS: u32 = 100;
/// Fill that stayed this far above the target for a whole window (once the stream has
/// settled, the target itself, if more) is dropped at once, not steered away over many
/// seconds: left by the start, a stall or a burst, not by drift, which keeps the fill within a
/// device period of the target (and the target is a device period and a few ms). A playback
/// that ran dry starts again: it settles as at the start (in the latency bench, 1 run of 25
/// above 67.5 ms with that, 6 of 20 without).
const SETTLE_TOLERANCE_MS: f64 = 3.0;

/// The lowest fill over a window: what stayed queued above the target all along is standing
/// delay.
#[derive(Debug)]
struct Settle {
    min: usize,
    ticks: u32,
    tolerance: usize,
    /// The tolerance while the stream starts, or starts again after running dry: what the
    /// start or the gap left queued is delay that stays (the ratio steers off half a ms a
    /// second), and the fill has not yet settled into its wobble.
    start_tolerance: usize,
    /// Ticks since the stream started (not reset by `restart`), up to the end of the start.
    age: u32,
}

impl Settle {
    fn new(rate: u32, target: usize) -> Self {
        Self {
            min: usize::MAX,
            ticks: 0,
            tolerance: ms(rate, SETTLE_TOLERANCE_MS).max(target),
            start_tolerance: ms(rate, SETTLE_TOLERANCE_MS),
            age: 0,
        }
    }

    /// Starts a new window (after the fill jumped for a known reason).
    fn restart(&mut self) {
        self.min = usize::MAX;
        self.ticks = 0;
    }

    /// The stream starts again (the device ran dry and was restarted): settle as at the start.
    fn start_again(&mut self) {
        self.restart();
        self.age = 0;
    }

    /// Records `level`; at the end of a window returns the excess over `target` to drop.
    fn observe(&mut self, level: usize, target: usize) -> usize {
        self.min = self.min.min(level);
        self.ticks += 1;
        let (window, tolerance) = if self.age < SETTLE_START_TICKS {
            self.age += 1;
            (SETTLE_START_WINDOW, self.start_tolerance)
        } else {
            (SETTLE_WINDOW, self.tolerance)
        };
        if self.ticks < window {
            return 0;
        }
        let min = self.min;
        self.restart();
        if min > target + tolerance {
            min - target
        } else {
            0
        }
    }
}

/// Ticks between two debug reports of the fill and the ratio (five seconds of 20 ms frames).
const REPORT_EVERY: u32 = 250;

/// Logs, now and then and when something was dropped or padded, how a link is doing.
fn report(what: &str, ticks: &mut u32, outcome: Outcome, level: usize, rate: u32, ratio: f64) {
    *ticks = ticks.wrapping_add(1);
    if ticks.is_multiple_of(REPORT_EVERY) || outcome != Outcome::default() {
        tracing::debug!(
            target: "parla_media::drift",
            fill_ms = in_ms(rate, level),
            ppm = (ratio - 1.0) * 1e6,
            dropped = outcome.dropped,
            padded = outcome.padded,
            repeated = outcome.repeated,
            "{what}"
        );
    }
}

/// Samples in `ms` milliseconds at `rate` (at least 1).
fn ms(rate: u32, ms: f64) -> usize {
    ((f64::from(rate) * ms / 1000.0).round() as usize).max(1)
}

/// Milliseconds that `samples` last at `rate`.
fn in_ms(rate: u32, samples: usize) -> f64 {
    samples as f64 * 1000.0 / f64::from(rate.max(1))
}

// Debug only: `assert_no_alloc` counts violations only there.
#[cfg(all(test, debug_assertions))]
#[allow(
    clippy::expect_used,
    reason = "a test module (clippy sees `cfg(all(test, ..))` as not one): a failed step is a failed test"
)]
mod tests {
    use super::*;
    use rtrb::RingBuffer;

    /// Capture and playback through a 44.1 kHz device 500 ppm off, two seconds of 20 ms ticks:
    /// reads and writes, ratio changes included, allocate nothing.
    #[test]
    fn standing_excess_is_dropped_drift_is_not() {
        let mut s = Settle::new(48_000, 624);
        // Swinging around the target by half a 10 ms period: left alone.
        for i in 0..SETTLE_WINDOW * 4 {
            let level = 624 + if i % 7 < 3 { 240 } else { 0 };
            assert_eq!(s.observe(level, 624), 0);
        }
        // 20 ms more than the target for a whole window: dropped to the target once.
        for _ in 0..SETTLE_WINDOW - 1 {
            assert_eq!(s.observe(624 + 960 + 100, 624), 0);
        }
        assert_eq!(s.observe(624 + 960, 624), 960);
    }

    /// While the stream starts, standing excess goes after a tenth of a second; after that,
    /// only a whole half-second window above the target counts.
    #[test]
    fn the_start_keeps_no_excess_for_long() {
        let mut s = Settle::new(48_000, 624);
        for _ in 0..SETTLE_START_WINDOW - 1 {
            assert_eq!(s.observe(624 + 1440, 624), 0);
        }
        assert_eq!(s.observe(624 + 1440, 624), 1440);
        for _ in 0..SETTLE_START_TICKS {
            s.observe(624, 624);
        }
        s.restart();
        for _ in 0..SETTLE_WINDOW - 1 {
            assert_eq!(s.observe(624 + 1440, 624), 0);
        }
        assert_eq!(s.observe(624 + 1440, 624), 1440);
    }

    /// Excess below the settled tolerance (the 13 ms target here) stays once settled, but not
    /// while the stream starts, nor after it ran dry and started again: a gap leaves delay
    /// behind that would otherwise stay for the rest of the call.
    #[test]
    fn a_restart_after_running_dry_settles_as_tightly_as_the_start() {
        let (target, excess) = (624, 480);
        let mut s = Settle::new(48_000, target);
        for _ in 0..SETTLE_START_WINDOW - 1 {
            assert_eq!(s.observe(target + excess, target), 0);
        }
        assert_eq!(s.observe(target + excess, target), excess);
        for _ in 0..SETTLE_START_TICKS {
            s.observe(target, target);
        }
        for _ in 0..SETTLE_WINDOW * 2 {
            assert_eq!(s.observe(target + excess, target), 0, "settled: kept");
        }
        s.start_again();
        for _ in 0..SETTLE_START_WINDOW - 1 {
            assert_eq!(s.observe(target + excess, target), 0);
        }
        assert_eq!(s.observe(target + excess, target), excess);
    }

    /// Paced by a 48 kHz device for 48 kHz frames: ready at exactly a frame, read bit for bit,
    /// the newest audio kept when a backlog built up.
    #[test]
    fn a_device_paced_capture_copies_exact_frames() {
        let (mut mic, ring) = RingBuffer::new(48_000);
        let mut capture = CaptureDrift::new(ring, 48_000, 48_000, 960, 0.5, 60.0).expect("new");
        capture.follow_device(0.5);
        assert_eq!(capture.ready_at(960), 960);
        let ramp: Vec<f32> = (0..1200).map(|i| i as f32).collect();
        assert!(mic.push_partial_slice(&ramp).1.is_empty());
        let mut frame = vec![0.0f32; 960];
        // The first read starts from the newest frame.
        assert_eq!(capture.read(&mut frame).expect("read"), Outcome::default());
        assert_eq!(frame, ramp[240..]);
        assert_eq!(capture.queued(), 0);
        let more: Vec<f32> = (0..1000).map(|i| -(i as f32)).collect();
        assert!(mic.push_partial_slice(&more).1.is_empty());
        capture.read(&mut frame).expect("read");
        assert_eq!(frame, more[..960], "a primed read takes the oldest audio");
        assert_eq!(capture.queued(), 40);
        // 100 ms behind (beyond the 60 ms cap): dropped to the newest frame, and counted.
        assert!(mic.push_partial_slice(&vec![0.5; 4800]).1.is_empty());
        let outcome = capture.read(&mut frame).expect("read");
        assert_eq!(outcome.dropped, 40 + 4800 - 960);
        assert!(frame.iter().all(|&s| s == 0.5));
        // Short: padded.
        assert!(mic.push_partial_slice(&[0.25; 100]).1.is_empty());
        assert_eq!(capture.read(&mut frame).expect("read").padded, 860);
    }

    /// A device-paced reader keeps what stays in the ring after a read (here the device hands
    /// over 8 ms more than a frame once): dropping it would make every later frame that much
    /// later. Read by read it stays, whole, until the ring holds a frame more, which the
    /// next read (the reader's early tick) takes.
    #[test]
    fn a_device_paced_capture_keeps_what_stays_after_a_read() {
        let (mut mic, ring) = RingBuffer::new(48_000);
        let mut capture = CaptureDrift::new(ring, 48_000, 48_000, 960, 0.5, 60.0).expect("new");
        capture.follow_device(0.5);
        let mut frame = vec![0.0f32; 960];
        assert!(mic.push_partial_slice(&[0.1; 960]).1.is_empty());
        capture.read(&mut frame).expect("read");
        assert!(mic.push_partial_slice(&[0.1; 960 + 384]).1.is_empty());
        for _ in 0..40 {
            assert_eq!(capture.read(&mut frame).expect("read"), Outcome::default());
            assert_eq!(capture.queued(), 384);
            assert!(mic.push_partial_slice(&[0.1; 960]).1.is_empty());
        }
        assert!(mic.push_partial_slice(&[0.2; 576]).1.is_empty());
        capture.read(&mut frame).expect("read");
        assert_eq!(capture.queued(), 960, "a frame more: ready at once");
        assert_eq!(capture.read(&mut frame).expect("read"), Outcome::default());
        assert_eq!(capture.queued(), 0);
    }

    /// Paced by a 48 kHz device for 8 and 16 kHz frames (G.711, G.722): each period the
    /// device hands over is enough for the next frame, so nothing but the resampler's rounding
    /// stands in the ring after a read (waiting for a second period would leave 20 ms there
    /// for the rest of the call).
    #[test]
    fn a_device_paced_capture_at_another_rate_reads_each_frame_from_its_period() {
        for (rate, frame) in [(8000u32, 160usize), (16_000, 320)] {
            let (mut mic, ring) = RingBuffer::new(48_000);
            let mut capture =
                CaptureDrift::new(ring, 48_000, rate, frame, 23.0, 60.0).expect("new");
            capture.follow_device(0.5);
            let mut out = vec![0.0f32; frame];
            let (mut reads, mut standing) = (0, Vec::new());
            for period in 0..100 {
                assert!(mic.push_partial_slice(&[0.1; 960]).1.is_empty());
                if capture.queued() < capture.ready_at(frame) {
                    assert!(
                        period < 2,
                        "{rate} Hz: period {period} was not enough for a frame"
                    );
                    continue;
                }
                assert_eq!(capture.read(&mut out).expect("read"), Outcome::default());
                reads += 1;
                standing.push(capture.queued());
            }
            assert!(reads >= 98, "{rate} Hz: {reads} reads for 100 periods");
            let most = standing.iter().copied().max().unwrap_or(0);
            assert!(
                most <= 48,
                "{rate} Hz: up to {most} samples left standing: {standing:?}"
            );
        }
    }

    /// A float device that hands over NaN or an infinity: what comes out is finite, whether
    /// the ring is copied (48 kHz for 48 kHz) or resampled (for 16 kHz), and the resampler's
    /// state is not left poisoned for the frames after.
    #[test]
    fn non_finite_device_samples_come_out_as_silence() {
        for (rate, frame) in [(48_000u32, 960usize), (16_000, 320)] {
            let (mut mic, ring) = RingBuffer::new(48_000);
            let mut capture =
                CaptureDrift::new(ring, 48_000, rate, frame, 23.0, 60.0).expect("new");
            capture.follow_device(0.5);
            let mut out = vec![0.0f32; frame];
            for period in 0..20 {
                let mut block = vec![0.1f32; 960];
                if period % 2 == 0 {
                    block[period * 7] = f32::NAN;
                    block[period * 7 + 1] = f32::INFINITY;
                    block[period * 7 + 2] = f32::NEG_INFINITY;
                }
                assert!(mic.push_partial_slice(&block).1.is_empty());
                if capture.queued() < capture.ready_at(frame) {
                    continue;
                }
                capture.read(&mut out).expect("read");
                assert!(
                    out.iter().all(|s| s.is_finite()),
                    "{rate} Hz, period {period}: {:?}",
                    out.iter().find(|s| !s.is_finite())
                );
            }
        }
    }

    /// A device queue that keeps the length of every push.
    struct CountingQueue {
        ring: rtrb::Producer<f32>,
        pushes: std::rc::Rc<std::cell::RefCell<Vec<usize>>>,
    }

    impl PlaybackQueue for CountingQueue {
        fn queued(&self) -> usize {
            self.ring.queued()
        }
        fn push(&mut self, samples: &[f32]) -> usize {
            self.pushes.borrow_mut().push(samples.len());
            PlaybackQueue::push(&mut self.ring, samples)
        }
        fn push_silence(&mut self, n: usize) -> usize {
            self.ring.push_silence(n)
        }
    }

    /// A write that goes straight to a device costs a device call (with PulseAudio's plugin, a
    /// lock and a wake-up of its thread): a frame of two blocks is pushed in one write, never
    /// empty, also across a repeat's crossfade.
    #[test]
    fn a_frame_is_pushed_in_one_write_never_empty() {
        let (ring, mut device) = RingBuffer::new(48_000);
        let pushes = std::rc::Rc::default();
        let queue = CountingQueue {
            ring,
            pushes: std::rc::Rc::clone(&pushes),
        };
        let mut playback =
            PlaybackDrift::new(queue, 48_000, 48_000, 960, 12.0, 60.0, 0).expect("new");
        playback.repeat_when_low(0.5);
        let frame = vec![0.25f32; 960];
        for i in 0..20 {
            playback.write(&frame).expect("write");
            // Once, late: the queue runs low and the next block is lengthened.
            let late = if i == 10 { 480 } else { 0 };
            let played = (playback.queued() + late)
                .saturating_sub(576)
                .min(device.slots());
            device.read_chunk(played).expect("played").commit_all();
        }
        let pushes = pushes.borrow();
        assert!(!pushes.contains(&0), "{pushes:?}");
        assert_eq!(pushes.len(), 20, "{pushes:?}");
        assert!(pushes.iter().any(|&n| n > 960), "a repeat: {pushes:?}");
    }

    /// A playback at its 12 ms target just before a write, with the device's end of its ring
    /// and a 20 ms frame; `set_up` runs before the first write.
    fn at_target(
        set_up: impl FnOnce(&mut PlaybackDrift),
    ) -> (PlaybackDrift, rtrb::Consumer<f32>, Vec<f32>) {
        let (ring, mut device) = RingBuffer::new(48_000);
        let mut playback =
            PlaybackDrift::new(ring, 48_000, 48_000, 960, 12.0, 60.0, 0).expect("new");
        set_up(&mut playback);
        let frame = vec![0.25f32; 960];
        for _ in 0..3 {
            playback.write(&frame).expect("write");
            let played = playback.queued() - 576;
            device.read_chunk(played).expect("played").commit_all();
        }
        assert_eq!(playback.queued(), 576, "at the target");
        (playback, device, frame)
    }

    /// A write that finds the device's queue below half its target (here 12 ms) puts back what
    /// is missing, up to what one block can repeat (7 ms), by playing audio twice; only where
    /// asked for.
    #[test]
    fn a_low_queue_is_topped_up_by_a_repeat_where_asked() {
        for asked in [true, false] {
            let (mut playback, mut device, frame) = at_target(|p| {
                if asked {
                    p.repeat_when_low(0.5);
                }
            });
            // A late write: the device played 10 ms more meanwhile.
            device.read_chunk(480).expect("played").commit_all();
            let before = playback.queued();
            let outcome = playback.write(&frame).expect("write");
            let added = playback.queued() - before;
            if asked {
                assert_eq!(outcome.repeated, 336, "{outcome:?}");
                assert!((added as i64 - 960 - 336).abs() <= 2, "{added}");
            } else {
                assert_eq!(outcome, Outcome::default());
                assert!((added as i64 - 960).abs() <= 2, "{added}");
            }
        }
    }

    /// Where asked for, each write that finds the queue low grows the target by the step, up
    /// to the most, and so does one that finds the device run dry; not in the stream's first
    /// half second, where the second write came late and found the device dry.
    #[test]
    fn a_queue_that_runs_low_grows_its_target_where_asked() {
        for asked in [true, false] {
            let (ring, mut device) = RingBuffer::new(48_000);
            let mut playback =
                PlaybackDrift::new(ring, 48_000, 48_000, 960, 12.0, 60.0, 0).expect("new");
            playback.repeat_when_low(0.5);
            if asked {
                playback.grow_when_low(3.0, 16.0);
            }
            let frame = vec![0.25f32; 960];
            // The start: the second write comes after the device played all the first brought.
            for _ in 0..2 {
                assert!(playback.write(&frame).expect("write").padded > 0);
                let all = device.slots();
                device.read_chunk(all).expect("played").commit_all();
            }
            for _ in 0..23 {
                playback.write(&frame).expect("write");
                let played = playback.queued() - 576;
                device.read_chunk(played).expect("played").commit_all();
            }
            assert_eq!(playback.target(), 576, "the start did not grow it");
            let mut targets = Vec::new();
            for _ in 0..3 {
                // Late writes: the device played 10 ms more before each.
                device.read_chunk(480).expect("played").commit_all();
                let outcome = playback.write(&frame).expect("write");
                assert!(outcome.repeated > 0, "{outcome:?}");
                targets.push(playback.target());
                let played = playback.queued().saturating_sub(playback.target());
                device.read_chunk(played).expect("played").commit_all();
            }
            // Run dry.
            let all = device.slots();
            device.read_chunk(all).expect("played").commit_all();
            let outcome = playback.write(&frame).expect("write");
            assert!(outcome.padded > 0, "{outcome:?}");
            targets.push(playback.target());
            if asked {
                assert_eq!(
                    targets,
                    [720, 768, 768, 768],
                    "12 -> 15 -> 16 ms, no further"
                );
            } else {
                assert_eq!(targets, [576; 4]);
            }
        }
    }

    /// Writes that come 7 ms earlier from now on (the call's pops moved): the next write
    /// drops 7 ms of what it brings, so the queue holds what it held before, not 7 ms more,
    /// and the ratio takes the early write's higher fill for no excess.
    #[test]
    fn writes_that_come_forward_drop_what_they_would_add() {
        let (mut playback, mut device, frame) = at_target(|_| {});
        playback.write(&frame).expect("write");
        let after_write = playback.queued();
        let ratio = playback.ratio();
        playback.come_forward(7.0);
        // An early write: the device played 13 ms since the last one, not 20.
        device.read_chunk(624).expect("played").commit_all();
        let before = playback.queued();
        playback.write(&frame).expect("write");
        let added = playback.queued() - before;
        assert!((added as i64 - (960 - 336)).abs() <= 2, "{added}");
        assert!((playback.queued() as i64 - after_write as i64).abs() <= 2);
        assert!(
            (playback.ratio() - ratio).abs() < 1e-5,
            "{ratio} -> {}",
            playback.ratio()
        );
    }

    #[test]
    fn reads_and_writes_do_not_allocate() {
        let (device, rate, tick) = (44_100u32, 48_000u32, 960usize);
        let period = 441;
        let (mut mic, mic_ring) = RingBuffer::new(device as usize / 5);
        let (spk_ring, mut spk) = RingBuffer::new(device as usize / 5);
        let mut capture =
            CaptureDrift::new(mic_ring, device, rate, tick, 13.0, 60.0).expect("capture");
        let mut playback = PlaybackDrift::new(spk_ring, rate, device, tick, 13.0, 60.0, 2 * period)
            .expect("playback");
        let mut frame = vec![0.0f32; tick];
        let callback_s = period as f64 / (f64::from(device) * 1.0005);
        let mut next = 0.0;
        let before = assert_no_alloc::violation_count();
        for t in 0..100 {
            while next <= f64::from(t) * 0.02 {
                if let Ok(chunk) = mic.write_chunk_uninit(period) {
                    chunk.fill_from_iter(std::iter::repeat(0.25));
                }
                if let Ok(chunk) = spk.read_chunk(period.min(spk.slots())) {
                    chunk.commit_all();
                }
                next += callback_s;
            }
            assert_no_alloc::assert_no_alloc(|| {
                capture.read(&mut frame).expect("read");
                playback.write(&frame).expect("write");
            });
        }
        assert_eq!(assert_no_alloc::violation_count(), before, "allocated");
        assert!(capture.ratio() != 1.0 && playback.ratio() != 1.0, "steered");
        assert!(
            frame.iter().all(|s| (s - 0.25).abs() < 0.01),
            "audio came through"
        );
    }
}
