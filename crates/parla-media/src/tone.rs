//! Call-progress tones and the ringtone, generated (no asset files to lose): ringback while the
//! far end rings, busy when it is busy, and the ringtone for an incoming call, each played on
//! its own thread into an audio sink until stopped.

use std::f32::consts::TAU;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::device::{self, AudioEndpoint, AudioSink, OUTPUT_RATE};
use crate::error::MediaError;
use crate::sample::frame_samples;

const FRAME_MS: u32 = 20;
const LEVEL: f32 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// 425 Hz, 1 s on, 4 s off (ETSI, as in Spain, Italy and the Netherlands).
    Ringback,
    /// 425 Hz, 0.5 s on, 0.5 s off.
    Busy,
    /// The incoming-call ring: a 800/1000 Hz warble, 1.2 s on, 2 s off.
    Ring,
    /// A call waiting during another: 425 Hz, two 0.2 s beeps 0.2 s apart, every 4 s (ETSI).
    CallWaiting,
}

impl Tone {
    /// (frequencies alternating every `warble` ms or steady, the cadence as (on ms, off ms)
    /// pairs, repeated)
    fn plan(self) -> (&'static [f32], u32, &'static [(u32, u32)]) {
        match self {
            Tone::Ringback => (&[425.0], 0, &[(1000, 4000)]),
            Tone::Busy => (&[425.0], 0, &[(500, 500)]),
            Tone::Ring => (&[800.0, 1000.0], 50, &[(1200, 2000)]),
            Tone::CallWaiting => (&[425.0], 0, &[(200, 200), (200, 3400)]),
        }
    }

    /// Fills `out` with the tone from sample `start` (at OUTPUT_RATE) on.
    pub fn render(self, start: u64, out: &mut [f32]) {
        let (freqs, warble_ms, cadence) = self.plan();
        let rate = u64::from(OUTPUT_RATE);
        let samples = |ms: u32| rate * u64::from(ms) / 1000;
        let period: u64 = cadence.iter().map(|&(on, off)| samples(on + off)).sum();
        let warble = samples(warble_ms).max(1);
        for (i, sample) in out.iter_mut().enumerate() {
            let n = start + i as u64;
            *sample = if sounding(cadence, n % period.max(1), samples) {
                let f = if warble_ms == 0 {
                    freqs[0]
                } else {
                    freqs[((n / warble) % freqs.len() as u64) as usize]
                };
                // Phase from the sample index modulo one second keeps f32 precision over long rings.
                let t = (n % rate) as f32 / OUTPUT_RATE as f32;
                LEVEL * (TAU * f * t).sin()
            } else {
                0.0
            };
        }
    }
}

/// Whether sample `at` of one cadence period falls in an "on" part.
fn sounding(cadence: &[(u32, u32)], at: u64, samples: impl Fn(u32) -> u64) -> bool {
    let mut from = 0;
    for &(on, off) in cadence {
        if at < from + samples(on) {
            return true;
        }
        from += samples(on + off);
        if at < from {
            return false;
        }
    }
    false
}

/// A tone playing on its own thread. Dropping it stops it.
pub struct TonePlayer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TonePlayer {
    /// Opens `output` and starts playing `tone` until stopped (or for `limit` at most).
    pub fn start(
        tone: Tone,
        output: &AudioEndpoint,
        limit: Option<Duration>,
    ) -> Result<Self, MediaError> {
        let sink = device::open_sink(output)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("parla-tone".into())
            .spawn(move || play(tone, sink, &flag, limit))
            .map_err(MediaError::Spawn)?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Lets a tone with a limit play out on its own (the busy tone after a call ends).
    pub fn detach(mut self) {
        self.thread.take();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for TonePlayer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
        }
    }
}

fn play(tone: Tone, mut sink: Box<dyn AudioSink>, stop: &AtomicBool, limit: Option<Duration>) {
    let mut frame = vec![0.0; frame_samples(OUTPUT_RATE, FRAME_MS)];
    let step = Duration::from_millis(u64::from(FRAME_MS));
    let start = Instant::now();
    let mut written: u64 = 0;
    let mut next = start;
    while !stop.load(Relaxed) && limit.is_none_or(|l| start.elapsed() < l) {
        tone.render(written, &mut frame);
        if let Err(e) = sink.write(&frame) {
            tracing::warn!("the tone cannot be played: {e}");
            break;
        }
        written += frame.len() as u64;
        next += step;
        while !stop.load(Relaxed) {
            let now = Instant::now();
            if now >= next {
                break;
            }
            std::thread::park_timeout(next - now);
        }
    }
    if let Err(e) = sink.finish() {
        tracing::warn!("closing the tone output failed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn energy(s: &[f32]) -> f32 {
        s.iter().map(|x| x * x).sum::<f32>() / s.len().max(1) as f32
    }

    #[test]
    fn cadences_follow_the_plan() {
        let second = OUTPUT_RATE as usize;
        let mut buf = vec![0.0; 5 * second];
        Tone::Ringback.render(0, &mut buf);
        assert!(energy(&buf[..second]) > 0.02, "on for the first second");
        assert_eq!(
            energy(&buf[second + 100..5 * second - 100]),
            0.0,
            "off for four"
        );
        let mut busy = vec![0.0; second];
        Tone::Busy.render(0, &mut busy);
        assert!(energy(&busy[..second / 2]) > 0.02);
        assert_eq!(energy(&busy[second / 2 + 10..]), 0.0);
        let mut ring = vec![0.0; second];
        Tone::Ring.render(0, &mut ring);
        assert!(ring.iter().all(|s| s.abs() <= LEVEL + 1e-6));
        assert!(energy(&ring) > 0.02);
        // Call waiting: beep 0-0.2 s, pause, beep 0.4-0.6 s, then quiet until 4 s.
        let ms = |t: usize| t * second / 1000;
        let mut waiting = vec![0.0; 4 * second];
        Tone::CallWaiting.render(0, &mut waiting);
        assert!(energy(&waiting[..ms(200)]) > 0.02, "first beep");
        assert_eq!(energy(&waiting[ms(205)..ms(395)]), 0.0, "the gap");
        assert!(energy(&waiting[ms(400)..ms(600)]) > 0.02, "second beep");
        assert_eq!(
            energy(&waiting[ms(605)..]),
            0.0,
            "quiet to the period's end"
        );
        let mut again = vec![0.0; ms(200)];
        Tone::CallWaiting.render(4 * second as u64, &mut again);
        assert!(energy(&again) > 0.02, "and again after 4 s");
    }

    #[test]
    fn a_player_writes_the_tone_to_a_file_and_stops() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ringback.wav");
        let player = TonePlayer::start(Tone::Ringback, &AudioEndpoint::File(path.clone()), None)
            .expect("start");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < 48_000 {
            assert!(Instant::now() < deadline, "the tone was not written");
            std::thread::sleep(Duration::from_millis(20));
        }
        player.stop();
        let reader = hound::WavReader::open(&path).expect("valid WAV after stop");
        assert_eq!(reader.spec().sample_rate, OUTPUT_RATE);
        assert!(reader.duration() > 0);
    }

    #[test]
    fn a_bad_output_is_a_clear_error() {
        let err = TonePlayer::start(
            Tone::Busy,
            &AudioEndpoint::File("/nonexistent/dir/x.wav".into()),
            None,
        )
        .err()
        .expect("error");
        assert!(err.to_string().contains("x.wav"), "{err}");
    }
}
