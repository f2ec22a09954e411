//! Music on hold: what the held party hears while we hold the call.
//!
//! - [`MusicOnHold::BuiltIn`]: a 12 s loop made here, in code (no third-party audio): four soft
//!   chords (Cmaj9, Am9, Fmaj9, G6), each a slow pad, a low bass note and an eight-note
//!   electric-piano arpeggio. Rendered at the encoder's rate at the process's first hold (not
//!   before: 2.3 MB at 48 kHz) and shared from then on (`MediaSession::set_hold`); every
//!   note wraps around the end of the buffer, so the loop joins without a click. Normalised to
//!   [`TARGET_RMS_DBFS`], which G.711 carries without harshness.
//! - [`MusicOnHold::File`]: the user's WAV, read like a `file:` input (any rate/channels, down-mixed,
//!   resampled, looped), at most [`MAX_FILE_BYTES`] and [`MAX_FILE_SECONDS`]. A file that cannot be
//!   used falls back to the built-in music with a [`MusicOnHoldFallback`] saying why.
//! - [`MusicOnHold::Off`]: silence (for PBXs that play their own music).
//!
//! The music is a source like a microphone: built on the handle's thread, read one frame per tick
//! by the media thread without allocating.

use std::f64::consts::{FRAC_PI_2, TAU};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::device::file::FileSource;
use crate::device::AudioSource;
use crate::error::MediaError;

/// Length of the built-in loop.
pub const LOOP_SECONDS: u32 = 12;
/// The built-in loop's RMS level.
pub const TARGET_RMS_DBFS: f64 = -18.0;
/// Largest music file accepted (bytes on disk).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Longest music file accepted.
pub const MAX_FILE_SECONDS: u64 = 600;

/// What the held party hears. The default is the built-in music.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MusicOnHold {
    #[default]
    BuiltIn,
    /// A WAV file, looped.
    File(PathBuf),
    /// Silence: RTP keeps flowing with encoded silence while we hold.
    Off,
}

impl MusicOnHold {
    /// `"builtin"` (or empty), `"off"`, or `"file:/path.wav"`, as written in settings.
    pub fn parse(s: &str) -> Result<Self, MediaError> {
        let s = s.trim();
        match s {
            "" | "builtin" | "default" => Ok(Self::BuiltIn),
            "off" | "none" => Ok(Self::Off),
            _ => match s.strip_prefix("file:") {
                Some(path) if !path.is_empty() => Ok(Self::File(PathBuf::from(path))),
                _ => Err(MediaError::InvalidConfig(format!(
                    "music on hold {s:?}: expected \"builtin\", \"off\" or \"file:/path.wav\""
                ))),
            },
        }
    }
}

impl fmt::Display for MusicOnHold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BuiltIn => f.write_str("builtin"),
            Self::File(path) => write!(f, "file:{}", path.display()),
            Self::Off => f.write_str("off"),
        }
    }
}

/// A music file that could not be used; the built-in music plays instead. Worth showing the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("music on hold {}: {reason}; playing the built-in music instead", path.display())]
pub struct MusicOnHoldFallback {
    pub path: PathBuf,
    pub reason: String,
}

/// The source the media thread reads while we hold: `None` is silence.
pub(crate) struct HoldMusic(pub Option<Box<dyn AudioSource>>);

impl HoldMusic {
    /// Opens `music` for frames of `frame` samples at `rate` (the encoder's). Never fails: a bad
    /// file gives the built-in music and the reason.
    pub fn open(
        music: &MusicOnHold,
        rate: u32,
        frame: usize,
    ) -> (HoldMusic, Option<MusicOnHoldFallback>) {
        let builtin = || HoldMusic(Some(Box::new(LoopSource::new(builtin_loop(rate)))));
        match music {
            MusicOnHold::BuiltIn => (builtin(), None),
            MusicOnHold::Off => (HoldMusic(None), None),
            MusicOnHold::File(path) => match open_file(path, rate, frame) {
                Ok(source) => (HoldMusic(Some(Box::new(source))), None),
                Err(reason) => {
                    let fallback = MusicOnHoldFallback {
                        path: path.clone(),
                        reason,
                    };
                    tracing::warn!("{fallback}");
                    (builtin(), Some(fallback))
                }
            },
        }
    }
}

fn open_file(path: &Path, rate: u32, frame: usize) -> Result<FileSource, String> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("cannot read it: {e}"))?
        .len();
    if bytes > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} MB, more than the {} MB allowed",
            bytes as f64 / 1e6,
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let reader = hound::WavReader::open(path).map_err(|e| format!("not a usable WAV file: {e}"))?;
    let spec = reader.spec();
    let seconds = u64::from(reader.duration()) / u64::from(spec.sample_rate.max(1));
    if seconds > MAX_FILE_SECONDS {
        return Err(format!(
            "it lasts {seconds} s, more than the {MAX_FILE_SECONDS} s allowed"
        ));
    }
    drop(reader);
    FileSource::open(path, rate, frame).map_err(|e| e.to_string())
}

/// Plays a shared buffer round and round.
pub(crate) struct LoopSource {
    samples: Arc<[f32]>,
    pos: usize,
}

impl LoopSource {
    pub fn new(samples: Arc<[f32]>) -> Self {
        Self { samples, pos: 0 }
    }
}

impl AudioSource for LoopSource {
    fn read(&mut self, out: &mut [f32]) -> Result<(), MediaError> {
        let len = self.samples.len();
        if len == 0 {
            out.fill(0.0);
            return Ok(());
        }
        let mut filled = 0;
        while filled < out.len() {
            let take = (len - self.pos).min(out.len() - filled);
            out[filled..filled + take].copy_from_slice(&self.samples[self.pos..self.pos + take]);
            filled += take;
            self.pos = (self.pos + take) % len;
        }
        Ok(())
    }
}

/// The built-in loop at `rate`, rendered on first use and kept for the process.
pub fn builtin_loop(rate: u32) -> Arc<[f32]> {
    static CACHE: Mutex<Vec<(u32, Arc<[f32]>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, samples)) = cache.iter().find(|(r, _)| *r == rate) {
        return Arc::clone(samples);
    }
    let samples: Arc<[f32]> = render(rate).into();
    cache.push((rate, Arc::clone(&samples)));
    samples
}

/// One chord of the progression, as MIDI note numbers.
struct Chord {
    bass: u8,
    pad: [u8; 3],
    arpeggio: [u8; 8],
}

/// Cmaj9, Am9, Fmaj9, G6: three seconds each, eight arpeggio notes of 375 ms (80 bpm quavers).
const CHORDS: [Chord; 4] = [
    Chord {
        bass: 48,
        pad: [55, 59, 64],
        arpeggio: [60, 64, 67, 71, 74, 71, 67, 64],
    },
    Chord {
        bass: 45,
        pad: [55, 60, 64],
        arpeggio: [57, 60, 64, 67, 71, 67, 64, 60],
    },
    Chord {
        bass: 41,
        pad: [57, 60, 64],
        arpeggio: [53, 57, 60, 64, 67, 64, 60, 57],
    },
    Chord {
        bass: 43,
        pad: [55, 59, 64],
        arpeggio: [55, 59, 62, 64, 67, 64, 62, 59],
    },
];

/// Electric-piano-like partials for the arpeggio, nearly pure ones for pad and bass.
const PLUCK_PARTIALS: &[f64] = &[1.0, 0.25, 0.06];
const PAD_PARTIALS: &[f64] = &[1.0, 0.12];

fn midi_hz(note: u8) -> f64 {
    440.0 * ((f64::from(note) - 69.0) / 12.0).exp2()
}

/// Renders the built-in loop at `rate`: exactly [`LOOP_SECONDS`] long, deterministic.
pub fn render(rate: u32) -> Vec<f32> {
    let len = (rate * LOOP_SECONDS) as usize;
    let mut mix = vec![0.0f64; len];
    let chord_s = f64::from(LOOP_SECONDS) / CHORDS.len() as f64;
    let beat_s = chord_s / 8.0;
    for (i, chord) in CHORDS.iter().enumerate() {
        let start = i as f64 * chord_s;
        for (j, &note) in chord.arpeggio.iter().enumerate() {
            let voice = Voice {
                start: start + j as f64 * beat_s,
                seconds: 2.0,
                freq: midi_hz(note),
                amp: 0.5,
                partials: PLUCK_PARTIALS,
                envelope: pluck,
            };
            voice.add_to(&mut mix, rate);
        }
        // Pads fade in before the chord and out after it, crossfading with the neighbours.
        let held = |note: u8, amp: f64| Voice {
            start: start - PAD_FADE_S / 2.0,
            seconds: chord_s + PAD_FADE_S,
            freq: midi_hz(note),
            amp,
            partials: PAD_PARTIALS,
            envelope: pad,
        };
        for &note in &chord.pad {
            held(note, 0.12).add_to(&mut mix, rate);
        }
        held(chord.bass, 0.25).add_to(&mut mix, rate);
    }
    let rms = (mix.iter().map(|s| s * s).sum::<f64>() / len.max(1) as f64).sqrt();
    let gain = if rms > 0.0 {
        10f64.powf(TARGET_RMS_DBFS / 20.0) / rms
    } else {
        0.0
    };
    mix.iter().map(|&s| (s * gain) as f32).collect()
}

const PAD_FADE_S: f64 = 0.8;

/// A soft pluck: 8 ms attack, exponential decay, tapered to zero over the last 0.3 s.
fn pluck(t: f64, seconds: f64) -> f64 {
    let attack = (t / 0.008).min(1.0);
    let taper = ((seconds - t) / 0.3).clamp(0.0, 1.0);
    attack * (-t / 0.45).exp() * (taper * FRAC_PI_2).sin().powi(2)
}

/// A pad: sin² fade in and out over [`PAD_FADE_S`], so two overlapping pads sum to a constant.
fn pad(t: f64, seconds: f64) -> f64 {
    let edge = (t.min(seconds - t) / PAD_FADE_S).clamp(0.0, 1.0);
    (edge * FRAC_PI_2).sin().powi(2)
}

struct Voice {
    /// Seconds into the loop; may be negative or run past the end: the loop wraps.
    start: f64,
    seconds: f64,
    freq: f64,
    amp: f64,
    partials: &'static [f64],
    envelope: fn(f64, f64) -> f64,
}

impl Voice {
    fn add_to(&self, mix: &mut [f64], rate: u32) {
        let len = mix.len() as i64;
        if len == 0 {
            return;
        }
        let rate_f = f64::from(rate);
        let first = (self.start * rate_f).round() as i64;
        let count = (self.seconds * rate_f) as i64;
        // One phasor per partial (a rotation per sample), cheaper than a sine per sample.
        let mut phasors: Vec<(f64, f64, f64, f64, f64)> = self
            .partials
            .iter()
            .enumerate()
            .filter(|(k, _)| self.freq * (*k as f64 + 1.0) < rate_f * 0.45)
            .map(|(k, &weight)| {
                let w = TAU * self.freq * (k as f64 + 1.0) / rate_f;
                (1.0, 0.0, w.cos(), w.sin(), weight)
            })
            .collect();
        // The envelope moves slowly: evaluated every millisecond, interpolated in between.
        let step = i64::from(rate / 1000).max(1);
        let envelope = |n: i64| self.amp * (self.envelope)(n as f64 / rate_f, self.seconds);
        let (mut from, mut to) = (0.0, 0.0);
        let mut at = first.rem_euclid(len) as usize;
        for n in 0..count {
            let within = n % step;
            if within == 0 {
                (from, to) = (envelope(n), envelope(n + step));
            }
            let gain = from + (to - from) * within as f64 / step as f64;
            let mut s = 0.0;
            for (re, im, c, d, weight) in &mut phasors {
                s += *weight * *im;
                let next_re = *re * *c - *im * *d;
                *im = *re * *d + *im * *c;
                *re = next_re;
            }
            mix[at] += gain * s;
            at += 1;
            if at == mix.len() {
                at = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dbfs(x: &[f32]) -> f64 {
        let ms = x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64;
        10.0 * ms.log10()
    }

    #[test]
    fn the_builtin_loop_is_calm_level_and_seamless() {
        for rate in [8000, 48_000] {
            let x = render(rate);
            assert_eq!(x.len(), (rate * LOOP_SECONDS) as usize);
            let level = dbfs(&x);
            assert!(
                (-19.0..=-17.0).contains(&level),
                "{rate} Hz: {level:.2} dBFS"
            );
            let peak = x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
            assert!(peak < 0.7, "{rate} Hz: peak {peak}");
            // No quiet gaps either: every second has music in it.
            for (i, second) in x.chunks(rate as usize).enumerate() {
                assert!(dbfs(second) > -30.0, "{rate} Hz: second {i} nearly silent");
            }
            // The step across the seam is an ordinary one: within the 99th percentile of all steps.
            let mut steps: Vec<f32> = x.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
            steps.sort_by(f32::total_cmp);
            let p99 = steps[steps.len() * 99 / 100];
            let seam = (x[0] - x[x.len() - 1]).abs();
            assert!(
                seam <= p99,
                "{rate} Hz: seam step {seam} > 99th percentile {p99}"
            );
            assert_eq!(render(rate), x, "deterministic");
        }
    }

    #[test]
    fn loop_source_wraps_and_the_cache_is_shared() {
        let samples: Arc<[f32]> = vec![1.0, 2.0, 3.0].into();
        let mut src = LoopSource::new(samples);
        let mut out = [0.0; 7];
        src.read(&mut out).expect("read");
        assert_eq!(out, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0]);
        assert!(Arc::ptr_eq(&builtin_loop(8000), &builtin_loop(8000)));
    }

    #[test]
    fn settings_strings_parse() {
        assert_eq!(
            MusicOnHold::parse("builtin").ok(),
            Some(MusicOnHold::BuiltIn)
        );
        assert_eq!(MusicOnHold::parse(" off ").ok(), Some(MusicOnHold::Off));
        let file = MusicOnHold::parse("file:/tmp/m.wav").expect("file");
        assert_eq!(file, MusicOnHold::File("/tmp/m.wav".into()));
        assert_eq!(file.to_string(), "file:/tmp/m.wav");
        assert!(MusicOnHold::parse("file:").is_err());
        assert!(MusicOnHold::parse("jazz").is_err());
    }

    #[test]
    fn a_missing_file_falls_back_to_the_builtin_music() {
        let (music, fallback) =
            HoldMusic::open(&MusicOnHold::File("/nonexistent/moh.wav".into()), 8000, 160);
        let fallback = fallback.expect("a notice");
        assert!(fallback.to_string().contains("built-in"), "{fallback}");
        let mut frame = [0.0; 1600];
        music.0.expect("built-in").read(&mut frame).expect("read");
        assert!(frame.iter().any(|&s| s != 0.0));
        assert!(HoldMusic::open(&MusicOnHold::Off, 8000, 160).0 .0.is_none());
    }
}
