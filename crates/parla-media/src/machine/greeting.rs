//! What the caller hears: the greeting once, a short pause, the beep, then silence.
//!
//! The default greeting and the beep are rendered at the encoder's rate on the setup thread; a
//! greeting file is streamed through a [`FileSource`] (down-mixed, resampled) for exactly its
//! own length, so it is not looped. Reading a frame allocates nothing; nothing is dropped on
//! the media thread either (the file stays open until the source is closed).

use std::f64::consts::{FRAC_PI_2, TAU};
use std::path::Path;
use std::sync::Arc;

use super::{Greeting, MachineState, BEEP_HZ};
use crate::device::file::FileSource;
use crate::device::AudioSource;
use crate::error::MediaError;
use crate::resample::StreamResampler;
use crate::sample::frame_samples;

/// Largest greeting file accepted (bytes on disk), as for hold music.
pub const MAX_GREETING_BYTES: u64 = crate::moh::MAX_FILE_BYTES;
/// Longest greeting file accepted.
pub const MAX_GREETING_SECONDS: u64 = 120;
/// Length of the beep.
pub const BEEP_MS: u32 = 400;
/// Fade in and out of the beep.
const BEEP_FADE_MS: u32 = 10;
/// The beep's peak level (-12 dBFS).
const BEEP_AMPLITUDE: f64 = 0.25;
/// Quiet between the greeting and the beep.
const PAUSE_MS: u32 = 200;
/// The end of a greeting file is faded out over this, so it does not click.
const FILE_FADE_MS: u32 = 10;

/// The default greeting: C5, E5, G5, soft and rising; ~1.55 s.
const NOTES_HZ: [f64; 3] = [523.25, 659.25, 783.99];
const NOTE_MS: u32 = 450;
const NOTE_GAP_MS: u32 = 100;
const NOTE_AMPLITUDE: f64 = 0.2;

/// Opens the greeting's file part at `rate` in frames of `frame`: `None` for the default one
/// (rendered by [`GreetingSource::new`]), and why a file was not usable.
pub(crate) fn open(
    greeting: &Greeting,
    rate: u32,
    frame: usize,
) -> (Option<OnceFile>, Option<String>) {
    match greeting {
        Greeting::Default => (None, None),
        Greeting::File(path) => match OnceFile::open(path, rate, frame) {
            Ok(file) => (Some(file), None),
            Err(reason) => {
                let fallback = format!(
                    "greeting {}: {reason}; playing the default greeting instead",
                    path.display()
                );
                tracing::warn!("{fallback}");
                (None, Some(fallback))
            }
        },
    }
}

/// A greeting file read once: its samples at the target rate, then nothing.
pub(crate) struct OnceFile {
    source: FileSource,
    /// Samples still to read.
    remaining: usize,
    fade: usize,
}

impl OnceFile {
    fn open(path: &Path, rate: u32, frame: usize) -> Result<Self, String> {
        let bytes = std::fs::metadata(path)
            .map_err(|e| format!("cannot read it: {e}"))?
            .len();
        if bytes > MAX_GREETING_BYTES {
            return Err(format!(
                "the file is {:.1} MB, more than the {} MB allowed",
                bytes as f64 / 1e6,
                MAX_GREETING_BYTES / (1024 * 1024)
            ));
        }
        let reader =
            hound::WavReader::open(path).map_err(|e| format!("not a usable WAV file: {e}"))?;
        let spec = reader.spec();
        let file_rate = u64::from(spec.sample_rate.max(1));
        let frames = u64::from(reader.duration());
        if frames > MAX_GREETING_SECONDS * file_rate {
            return Err(format!(
                "it lasts {} s, more than the {MAX_GREETING_SECONDS} s allowed",
                frames / file_rate
            ));
        }
        drop(reader);
        let source = FileSource::open(path, rate, frame).map_err(|e| e.to_string())?;
        // The file's length at `rate`, plus what the resampler holds back at the start (it
        // comes out as leading silence, so the end would be cut by as much).
        let delay = StreamResampler::new(
            spec.sample_rate,
            rate,
            frame_samples(spec.sample_rate, 20).max(1),
        )
        .map(|r| r.delay())
        .map_err(|e| e.to_string())?;
        let len = (frames * u64::from(rate)).div_ceil(file_rate) as usize;
        Ok(Self {
            source,
            remaining: len + delay,
            fade: frame_samples(rate, FILE_FADE_MS).max(1),
        })
    }

    /// Fills `out` (at most `remaining` long) and fades out the last samples.
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let result = self.source.read(out);
        for (i, s) in out.iter_mut().enumerate() {
            let left = self.remaining - i;
            if left < self.fade {
                *s *= left as f32 / self.fade as f32;
            }
        }
        self.remaining -= out.len();
        result
    }
}

/// The machine's source: greeting, pause, beep, then silence; when the beep has been read
/// out, the phase moves to Recording.
pub(crate) struct GreetingSource {
    /// The greeting file, if one is used; kept (not dropped) once read out.
    file: Option<OnceFile>,
    /// Rendered at setup: the default greeting (without a file), the pause and the beep.
    clip: Vec<f32>,
    pos: usize,
    state: Arc<MachineState>,
    beeped: bool,
}

impl GreetingSource {
    /// Renders what is made in code at `rate`. With `file` `None` the default greeting plays.
    pub fn new(file: Option<OnceFile>, rate: u32, state: Arc<MachineState>) -> Self {
        let mut clip = Vec::new();
        if file.is_none() {
            render_default(rate, &mut clip);
        }
        clip.resize(clip.len() + frame_samples(rate, PAUSE_MS), 0.0);
        render_beep(rate, &mut clip);
        Self {
            file,
            clip,
            pos: 0,
            state,
            beeped: false,
        }
    }
}

impl AudioSource for GreetingSource {
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let mut filled = 0;
        let mut result = Ok(());
        if let Some(file) = self.file.as_mut().filter(|f| f.remaining > 0) {
            filled = file.remaining.min(out.len());
            result = file.read(&mut out[..filled]);
        }
        let take = (self.clip.len() - self.pos).min(out.len() - filled);
        out[filled..filled + take].copy_from_slice(&self.clip[self.pos..self.pos + take]);
        self.pos += take;
        out[filled + take..].fill(0.0);
        if self.pos == self.clip.len() && !self.beeped {
            self.beeped = true;
            self.state.start_recording();
        }
        result
    }
}

/// The beep: [`BEEP_MS`] of [`BEEP_HZ`] with sin² fades.
fn render_beep(rate: u32, out: &mut Vec<f32>) {
    let tone = Tone {
        freq: f64::from(BEEP_HZ),
        amp: BEEP_AMPLITUDE,
        len: frame_samples(rate, BEEP_MS),
        attack: frame_samples(rate, BEEP_FADE_MS),
        decay: None,
    };
    tone.render(rate, out);
}

/// Three soft rising notes: a quick fade in, a gentle decay and a fade out each.
fn render_default(rate: u32, out: &mut Vec<f32>) {
    for (i, &freq) in NOTES_HZ.iter().enumerate() {
        if i > 0 {
            out.resize(out.len() + frame_samples(rate, NOTE_GAP_MS), 0.0);
        }
        let tone = Tone {
            freq,
            amp: NOTE_AMPLITUDE,
            len: frame_samples(rate, NOTE_MS),
            attack: frame_samples(rate, 15),
            decay: Some(0.35),
        };
        tone.render(rate, out);
    }
}

struct Tone {
    freq: f64,
    amp: f64,
    len: usize,
    /// Samples of sin² fade at each end (the end fades over twice this with a decay).
    attack: usize,
    /// Exponential decay time constant in seconds.
    decay: Option<f64>,
}

impl Tone {
    fn render(&self, rate: u32, out: &mut Vec<f32>) {
        let rate = f64::from(rate);
        let release = if self.decay.is_some() {
            self.attack * 4
        } else {
            self.attack
        };
        let edge = |n: usize, width: usize| {
            if width == 0 {
                1.0
            } else {
                ((n as f64 / width as f64).min(1.0) * FRAC_PI_2)
                    .sin()
                    .powi(2)
            }
        };
        out.extend((0..self.len).map(|n| {
            let t = n as f64 / rate;
            let decay = self.decay.map_or(1.0, |tau| (-t / tau).exp());
            let envelope = edge(n, self.attack) * edge(self.len - n, release) * decay;
            (self.amp * envelope * (TAU * self.freq * t).sin()) as f32
        }));
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::machine::MachinePhase;

    /// |X(k)|² of one DFT bin of `x` (Goertzel).
    fn bin_power(x: &[f32], k: usize) -> f64 {
        let w = TAU * k as f64 / x.len() as f64;
        let coeff = 2.0 * w.cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &v in x {
            let s0 = f64::from(v) + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        s1 * s1 + s2 * s2 - coeff * s1 * s2
    }

    /// Share of the energy of `x` within `freq` ± 25 Hz (Parseval over the DFT bins).
    fn tone_share(x: &[f32], rate: u32, freq: f64) -> f64 {
        let total: f64 = x.iter().map(|&v| f64::from(v).powi(2)).sum();
        if total == 0.0 {
            return 0.0;
        }
        let hz_per_bin = f64::from(rate) / x.len() as f64;
        let lo = ((freq - 25.0) / hz_per_bin).ceil().max(1.0) as usize;
        let hi = ((freq + 25.0) / hz_per_bin).floor() as usize;
        let band: f64 = (lo..=hi).map(|k| bin_power(x, k)).sum();
        2.0 * band / x.len() as f64 / total
    }

    struct Played {
        samples: Vec<f32>,
        /// Samples read when the phase became Recording.
        recording_at: Option<usize>,
    }

    fn play(greeting: &Greeting, rate: u32, seconds: u32) -> (Played, Option<String>) {
        let frame = frame_samples(rate, 20);
        let (file, fallback) = open(greeting, rate, frame);
        let state = Arc::new(MachineState::new(fallback.clone()));
        let mut source = GreetingSource::new(file, rate, Arc::clone(&state));
        let mut samples = Vec::new();
        let mut recording_at = None;
        let mut buf = vec![0.0; frame];
        for _ in 0..seconds * 50 {
            source.read(&mut buf).expect("read");
            samples.extend_from_slice(&buf);
            if recording_at.is_none() && state.phase() == MachinePhase::Recording {
                recording_at = Some(samples.len());
            }
        }
        (
            Played {
                samples,
                recording_at,
            },
            fallback,
        )
    }

    /// Start and end (exclusive) of the last stretch of sound.
    fn last_sound(x: &[f32]) -> (usize, usize) {
        let end = x.iter().rposition(|s| *s != 0.0).expect("some sound") + 1;
        let start = x[..end]
            .iter()
            .rposition(|s| *s == 0.0)
            .map_or(0, |i| i + 1);
        (start, end)
    }

    fn assert_beep_then_silence(p: &Played, rate: u32, what: &str) {
        let (start, end) = last_sound(&p.samples);
        let ms = (end - start) * 1000 / rate as usize;
        assert!((350..=450).contains(&ms), "{what}: beep of {ms} ms");
        let beep = &p.samples[start..end];
        let share = tone_share(beep, rate, f64::from(BEEP_HZ));
        assert!(share > 0.9, "{what}: 1400 Hz holds {share:.3}");
        let peak = beep.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!((0.2..=0.3).contains(&peak), "{what}: peak {peak}");
        // Soft edges: the first and last samples are near zero.
        assert!(beep[0].abs() < 0.02 && beep[beep.len() - 1].abs() < 0.02);
        // Recording starts with the frame that held the beep's last sample.
        let at = p.recording_at.expect("recording started");
        let frame = frame_samples(rate, 20);
        assert!(
            at >= end && at - end < frame,
            "{what}: recording from {at}, beep ended at {end}"
        );
        assert!(p.samples.len() > end + rate as usize, "a second after it");
    }

    #[test]
    fn the_default_greeting_then_the_beep_then_silence() {
        for rate in [8000, 16_000, 48_000] {
            let (p, fallback) = play(&Greeting::Default, rate, 4);
            assert!(fallback.is_none());
            assert_beep_then_silence(&p, rate, &format!("default at {rate}"));
            // Three notes first, ~1.55 s, none of them near the beep or 440 Hz.
            let (beep_start, _) = last_sound(&p.samples);
            let greeting = &p.samples[..beep_start];
            let sound = greeting.iter().rposition(|s| *s != 0.0).expect("notes");
            let ms = sound * 1000 / rate as usize;
            assert!((1400..=2000).contains(&ms), "{rate}: greeting of {ms} ms");
            let notes: f64 = NOTES_HZ
                .iter()
                .map(|&f| tone_share(&greeting[..sound], rate, f))
                .sum();
            assert!(notes > 0.8, "{rate}: the three notes hold {notes:.3}");
            for avoid in [440.0, f64::from(BEEP_HZ)] {
                let share = tone_share(&greeting[..sound], rate, avoid);
                assert!(share < 0.01, "{rate}: {avoid} Hz holds {share:.3}");
            }
        }
    }

    fn write_tone(path: &Path, rate: u32, channels: u16, seconds: f64, freq: f64) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).expect("create");
        for n in 0..(f64::from(rate) * seconds) as usize {
            let s = 0.5 * (TAU * freq * n as f64 / f64::from(rate)).sin();
            for _ in 0..channels {
                w.write_sample((s * 32767.0) as i16).expect("sample");
            }
        }
        w.finalize().expect("finalize");
    }

    #[test]
    fn a_greeting_file_plays_once_then_the_beep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hello.wav");
        write_tone(&path, 44_100, 2, 0.7, 700.0);
        for rate in [8000, 48_000] {
            let (p, fallback) = play(&Greeting::File(path.clone()), rate, 3);
            assert!(fallback.is_none(), "{fallback:?}");
            assert_beep_then_silence(&p, rate, &format!("file at {rate}"));
            let (beep_start, _) = last_sound(&p.samples);
            // The file's 0.7 s, then quiet: it is not looped.
            let loud: Vec<bool> = p.samples[..beep_start]
                .chunks(rate as usize / 100)
                .map(|c| c.iter().any(|s| s.abs() > 0.1))
                .collect();
            let first = loud.iter().position(|&l| l).expect("the greeting");
            let last = loud.iter().rposition(|&l| l).expect("the greeting");
            assert!(first <= 2, "{rate}: starts after {first}0 ms");
            let ms = (last - first + 1) * 10;
            assert!((650..=740).contains(&ms), "{rate}: greeting of {ms} ms");
            assert!(loud[first..=last].iter().all(|&l| l), "{rate}: a gap");
            let share = tone_share(
                &p.samples[first * rate as usize / 100..beep_start],
                rate,
                700.0,
            );
            assert!(share > 0.9, "{rate}: 700 Hz holds {share:.3}");
        }
    }

    #[test]
    fn unusable_greeting_files_fall_back_to_the_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let not_wav = dir.path().join("notes.wav");
        std::fs::write(&not_wav, b"this is not a wave file").expect("write");
        let too_long = dir.path().join("long.wav");
        // 8-bit at 1 kHz keeps the file small.
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 1000,
            bits_per_sample: 8,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&too_long, spec).expect("create");
        for _ in 0..(MAX_GREETING_SECONDS + 1) * 1000 {
            w.write_sample(0i8).expect("sample");
        }
        w.finalize().expect("finalize");
        let too_big = dir.path().join("big.wav");
        std::fs::File::create(&too_big)
            .and_then(|f| f.set_len(MAX_GREETING_BYTES + 1))
            .expect("sparse file");
        let cases: [(PathBuf, &str); 4] = [
            (dir.path().join("missing.wav"), "cannot read it"),
            (not_wav, "not a usable WAV file"),
            (too_long, "s allowed"),
            (too_big, "MB allowed"),
        ];
        for (path, reason) in cases {
            let (p, fallback) = play(&Greeting::File(path.clone()), 8000, 4);
            let fallback = fallback.expect("a fallback");
            assert!(
                fallback.contains(reason) && fallback.contains("default greeting"),
                "{}: {fallback}",
                path.display()
            );
            // The default greeting played instead: its first note, then the beep.
            let first_note = &p.samples[..frame_samples(8000, NOTE_MS)];
            assert!(tone_share(first_note, 8000, NOTES_HZ[0]) > 0.9);
            assert_beep_then_silence(&p, 8000, "fallback");
        }
    }

    // Debug only: `assert_no_alloc` counts violations only there.
    #[cfg(debug_assertions)]
    #[test]
    fn reading_allocates_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hello.wav");
        write_tone(&path, 22_050, 1, 0.5, 700.0);
        for greeting in [Greeting::Default, Greeting::File(path)] {
            for rate in [8000, 48_000] {
                let frame = frame_samples(rate, 20);
                let (file, fallback) = open(&greeting, rate, frame);
                assert!(fallback.is_none());
                let state = Arc::new(MachineState::new(None));
                let mut source = GreetingSource::new(file, rate, Arc::clone(&state));
                let mut buf = vec![0.0; frame];
                let before = assert_no_alloc::violation_count();
                // Greeting, beep and silence after it: 3 s.
                for _ in 0..150 {
                    assert_no_alloc::assert_no_alloc(|| source.read(&mut buf)).expect("read");
                }
                assert_eq!(
                    assert_no_alloc::violation_count(),
                    before,
                    "{greeting:?} at {rate}: reading allocated"
                );
                assert_eq!(state.phase(), MachinePhase::Recording);
            }
        }
    }
}
