//! Streaming mono sample-rate conversion: [`StreamResampler`], rubato's FFT resampler, between
//! fixed rates of our own clock; and, for sound devices, whose clocks drift from ours,
//! [`adaptive::AdaptiveResampler`] steered by [`control::DriftControl`] (put together in
//! [`drift`]).

pub mod adaptive;
pub mod control;
pub mod drift;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

use crate::error::MediaError;

/// Converts a mono stream from one fixed rate to another. Input may come in any amount; output
/// is produced a chunk at a time. Buffers are allocated once, in `new`.
pub struct StreamResampler {
    /// `None` when both rates are equal: samples pass straight through.
    fft: Option<Fft<f32>>,
    from: u32,
    to: u32,
    chunk: usize,
    pending: Vec<f32>,
    out: Vec<f32>,
}

/// Input per FFT block of [`StreamResampler::low_delay`]; the filter delays by half a block.
const LOW_DELAY_BLOCK_MS: u32 = 10;

impl StreamResampler {
    /// `chunk` is the input block size, usually one frame at `from`.
    pub fn new(from: u32, to: u32, chunk: usize) -> Result<Self, MediaError> {
        Self::build(from, to, chunk, |from, to| {
            Fft::<f32>::new(from, to, chunk, 1, FixedSync::Input)
        })
    }

    /// As [`StreamResampler::new`], with FFT blocks of 10 ms of input and a Blackman window, for
    /// a call's playout, where every ms of delay counts: from 8 or 16 kHz with 20 ms chunks the
    /// filter delays 5 ms instead of 10, its passband is at least as flat (to 3.4 and 7 kHz) and
    /// it leaves nothing above the input's band within 130 dB (tests below).
    pub fn low_delay(from: u32, to: u32, chunk: usize) -> Result<Self, MediaError> {
        let block = (from * LOW_DELAY_BLOCK_MS / 1000).max(1) as usize;
        Self::build(from, to, chunk, |from, to| {
            Fft::<f32>::new_custom(
                from,
                to,
                chunk,
                (chunk / block).max(1),
                1,
                WindowFunction::Blackman,
                FixedSync::Input,
            )
        })
    }

    fn build(
        from: u32,
        to: u32,
        chunk: usize,
        fft: impl FnOnce(usize, usize) -> Result<Fft<f32>, rubato::ResamplerConstructionError>,
    ) -> Result<Self, MediaError> {
        let err = |reason: String| MediaError::Resampler { from, to, reason };
        if from == 0 || to == 0 || chunk == 0 {
            return Err(err("rates and chunk size must be above 0".into()));
        }
        if from == to {
            return Ok(Self {
                fft: None,
                from,
                to,
                chunk,
                pending: Vec::new(),
                out: Vec::new(),
            });
        }
        let fft = fft(from as usize, to as usize).map_err(|e| err(e.to_string()))?;
        let out = vec![0.0; fft.output_frames_max()];
        Ok(Self {
            fft: Some(fft),
            from,
            to,
            chunk,
            pending: Vec::with_capacity(chunk),
            out,
        })
    }

    pub fn input_rate(&self) -> u32 {
        self.from
    }

    pub fn output_rate(&self) -> u32 {
        self.to
    }

    /// Most output samples one input chunk can produce.
    pub fn output_max(&self) -> usize {
        self.fft
            .as_ref()
            .map_or(self.chunk, |f| f.output_frames_max())
    }

    /// Output samples of delay the filter adds (0 when passing through).
    pub fn delay(&self) -> usize {
        self.fft.as_ref().map_or(0, |f| f.output_delay())
    }

    /// Feeds `input`; each completed chunk's output goes to `sink`.
    pub fn process(
        &mut self,
        mut input: &[f32],
        sink: &mut dyn FnMut(&[f32]),
    ) -> Result<(), MediaError> {
        let Some(fft) = self.fft.as_mut() else {
            sink(input);
            return Ok(());
        };
        while !input.is_empty() {
            let take = (self.chunk - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() < self.chunk {
                break;
            }
            let err = |reason: String| MediaError::Resampler {
                from: self.from,
                to: self.to,
                reason,
            };
            let src = InterleavedSlice::new(&self.pending[..], 1, self.chunk)
                .map_err(|e| err(e.to_string()))?;
            let capacity = self.out.len();
            let mut dst = InterleavedSlice::new_mut(&mut self.out[..], 1, capacity)
                .map_err(|e| err(e.to_string()))?;
            let (_, written) = fft
                .process_into_buffer(&src, &mut dst, None)
                .map_err(|e| err(e.to_string()))?;
            self.pending.clear();
            sink(&self.out[..written]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(from: u32, to: u32, chunk: usize, input_len: usize, feed: usize) -> usize {
        let mut r = StreamResampler::new(from, to, chunk).expect("resampler");
        let input = vec![0.25f32; input_len];
        let mut produced = 0;
        for piece in input.chunks(feed) {
            r.process(piece, &mut |s| produced += s.len())
                .expect("process");
        }
        produced
    }

    #[test]
    fn output_length_follows_the_ratio() {
        assert_eq!(run(8000, 48_000, 160, 8000, 160), 48_000);
        // With a fixed input size the FFT resampler may hold back part of a block.
        let n = run(48_000, 8000, 960, 48_000, 960);
        assert!((7900..=8000).contains(&n), "48k -> 8k gave {n}");
        // Odd feeding sizes are buffered into whole chunks.
        assert_eq!(run(8000, 48_000, 160, 8000, 77), 48_000);
        let n = run(44_100, 8000, 882, 44_100, 1000);
        assert!((7800..=8000).contains(&n), "44.1k -> 8k gave {n}");
    }

    /// Level in dB (re a full-scale sine) of `freq` in `x`, Hann-windowed.
    fn level_db(x: &[f32], rate: u32, freq: f64) -> f64 {
        let n = x.len() as f64;
        let w = std::f64::consts::TAU * freq / f64::from(rate);
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &v) in x.iter().enumerate() {
            let hann = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n).cos();
            re += f64::from(v) * hann * (w * i as f64).cos();
            im -= f64::from(v) * hann * (w * i as f64).sin();
        }
        20.0 * ((re * re + im * im).sqrt() * 4.0 / n).log10()
    }

    fn through(r: &mut StreamResampler, input: &[f32], chunk: usize) -> Vec<f32> {
        let mut out = Vec::new();
        for piece in input.chunks(chunk) {
            r.process(piece, &mut |s| out.extend_from_slice(s))
                .expect("process");
        }
        out
    }

    /// G.711's and G.722's rates to the speaker's: half the delay of `new`, the band kept.
    #[test]
    fn low_delay_playout_keeps_the_band_in_half_the_delay() {
        for (from, chunk, edge) in [(8000u32, 160usize, 3400.0), (16_000, 320, 7000.0)] {
            let mut r = StreamResampler::low_delay(from, 48_000, chunk).expect("resampler");
            let before = StreamResampler::new(from, 48_000, chunk).expect("resampler");
            assert_eq!(r.delay(), 240, "{from} Hz: 5 ms at 48 kHz");
            assert_eq!(before.delay(), 480, "{from} Hz: `new` delays 10 ms");
            for freq in [300.0, 1000.0, edge] {
                let tone: Vec<f32> = (0..from)
                    .map(|i| {
                        (std::f64::consts::TAU * freq * f64::from(i) / f64::from(from)).sin() as f32
                    })
                    .collect();
                let out = through(&mut r, &tone, chunk);
                let db = level_db(&out[out.len() / 2..], 48_000, freq);
                assert!(
                    db.abs() < 0.5,
                    "{from} Hz: {freq} Hz comes out at {db:.2} dB"
                );
            }
            // White noise: nothing above the input's band.
            let mut seed = 1u32;
            let noise: Vec<f32> = (0..from)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
                })
                .collect();
            let out = through(&mut r, &noise, chunk);
            let tail = &out[out.len() / 2..];
            let above = (0..40)
                .map(|k| f64::from(from) * 0.55 + f64::from(k) * 400.0)
                .filter(|&f| f < 24_000.0)
                .map(|f| level_db(tail, 48_000, f))
                .fold(f64::MIN, f64::max);
            let within = level_db(tail, 48_000, 1000.0);
            assert!(
                above < within - 100.0,
                "{from} Hz: {above:.1} dB above the band against {within:.1} within"
            );
        }
    }

    #[test]
    fn equal_rates_pass_through() {
        assert_eq!(run(48_000, 48_000, 960, 1234, 100), 1234);
        assert!(StreamResampler::new(0, 8000, 160).is_err());
    }
}
