//! A mono resampler whose ratio can follow a drifting clock: rubato's asynchronous resampler,
//! with its buffers allocated once. Between two rates it is the sinc resampler, whose filter
//! keeps what is above the lower rate's band out. At one rate (only the drift to follow) it is
//! the quintic polynomial one: the ratio stays within a few hundred ppm of 1, where nothing can
//! alias, and it costs about half as much (a sound card's two streams pass through it all call
//! long). Its level stays within 0.5 dB up to 12 kHz and 2 dB at 16 kHz, where the sinc stays
//! within 0.3 dB (sine sweeps at a drift of 100 ppm, 2 ms windows).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Adjustable, Async, FixedAsync, PolynomialDegree, Resampler, SincInterpolationParameters,
    SincInterpolationType, WindowFunction,
};

use super::control::MAX_PPM;
use crate::error::MediaError;

/// Filter length: 64 taps keep the delay under a millisecond at 48 kHz and the cost low; speech
/// needs no steeper band edge.
const SINC_LEN: usize = 64;

/// Which side of each block has a fixed size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixed {
    /// Blocks of `chunk` input samples; output varies.
    Input,
    /// Blocks of `chunk` output samples; [`AdaptiveResampler::input_next`] says how much input.
    Output,
}

/// Converts mono audio from `from` to `to` Hz, with the ratio adjustable by up to
/// [`MAX_PPM`] either way, block by block.
pub struct AdaptiveResampler {
    inner: Async<f32>,
    from: u32,
    to: u32,
    out: Vec<f32>,
}

impl AdaptiveResampler {
    pub fn new(from: u32, to: u32, chunk: usize, fixed: Fixed) -> Result<Self, MediaError> {
        let err = |reason: String| MediaError::Resampler { from, to, reason };
        if from == 0 || to == 0 || chunk == 0 {
            return Err(err("rates and chunk size must be above 0".into()));
        }
        let params = SincInterpolationParameters {
            sinc_len: SINC_LEN,
            f_cutoff: None,
            oversampling_factor: 256,
            interpolation: SincInterpolationType::Linear,
            window: WindowFunction::BlackmanHarris2,
        };
        let fixed = match fixed {
            Fixed::Input => FixedAsync::Input,
            Fixed::Output => FixedAsync::Output,
        };
        let ratio = f64::from(to) / f64::from(from);
        // A little beyond the bound the controller keeps to, so its ratio is always accepted.
        let max_relative = 1.0 + 2.0 * MAX_PPM * 1e-6;
        let inner = if from == to {
            Async::<f32>::new_poly(
                ratio,
                max_relative,
                PolynomialDegree::Quintic,
                chunk,
                1,
                fixed,
            )
        } else {
            Async::<f32>::new_sinc(ratio, max_relative, &params, chunk, 1, fixed)
        }
        .map_err(|e| err(e.to_string()))?;
        let out = vec![0.0; inner.output_frames_max()];
        Ok(Self {
            inner,
            from,
            to,
            out,
        })
    }

    /// Input samples the next block takes.
    pub fn input_next(&self) -> usize {
        self.inner.input_frames_next()
    }

    /// Most input samples a block can take.
    pub fn input_max(&self) -> usize {
        self.inner.input_frames_max()
    }

    /// Most output samples a block can give.
    pub fn output_max(&self) -> usize {
        self.out.len()
    }

    /// Output samples of delay the filter adds.
    pub fn delay(&self) -> usize {
        self.inner.output_delay()
    }

    /// Sets the ratio relative to `to / from` (clamped to the allowed range); it takes effect
    /// over the next block, ramped, so the pitch does not step.
    pub fn set_ratio(&mut self, relative: f64) {
        let limit = MAX_PPM * 1e-6;
        let relative = relative.clamp(1.0 - limit, 1.0 + limit);
        // In range by the clamp above, so this cannot fail.
        let _ = self.inner.set_resample_ratio_relative(relative, true);
    }

    /// Converts one block: `input` must hold exactly [`Self::input_next`] samples. Returns the
    /// output, valid until the next call.
    pub fn process(&mut self, input: &[f32]) -> Result<&[f32], MediaError> {
        let (from, to) = (self.from, self.to);
        let err = |reason: String| MediaError::Resampler { from, to, reason };
        let need = self.inner.input_frames_next();
        if input.len() != need {
            return Err(err(format!(
                "block of {} samples, {need} needed",
                input.len()
            )));
        }
        let src = InterleavedSlice::new(input, 1, need).map_err(|e| err(e.to_string()))?;
        let capacity = self.out.len();
        let mut dst = InterleavedSlice::new_mut(&mut self.out[..], 1, capacity)
            .map_err(|e| err(e.to_string()))?;
        let (_, written) = self
            .inner
            .process_into_buffer(&src, &mut dst, None)
            .map_err(|e| err(e.to_string()))?;
        Ok(&self.out[..written])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(from: u32, to: u32, relative: f64, seconds: usize) -> usize {
        let mut r =
            AdaptiveResampler::new(from, to, from as usize / 100, Fixed::Input).expect("resampler");
        r.set_ratio(relative);
        let block = vec![0.1f32; r.input_next()];
        let mut out = 0;
        for _ in 0..seconds * 100 {
            out += r.process(&block).expect("process").len();
        }
        out
    }

    #[test]
    fn output_follows_rate_and_relative_ratio() {
        assert!((run(48_000, 48_000, 1.0, 2) as i64 - 96_000).abs() < 64);
        assert!((run(44_100, 16_000, 1.0, 2) as i64 - 32_000).abs() < 64);
        let faster = run(48_000, 48_000, 1.0005, 10) as i64;
        assert!((faster - 480_240).abs() < 64, "{faster}");
        // Beyond the allowed range: clamped, not refused.
        let clamped = run(48_000, 48_000, 1.5, 10) as i64;
        assert!((clamped - 480_000 - 480).abs() < 64, "{clamped}");
    }

    /// The level of a sine through a 48 kHz -> 48 kHz resampler following a 100 ppm drift, in
    /// 10 ms windows after the first 100 ms: (lowest, highest) in dB.
    fn level_range_db(hz: f64) -> (f64, f64) {
        let mut r = AdaptiveResampler::new(48_000, 48_000, 480, Fixed::Input).expect("new");
        r.set_ratio(1.0001);
        let mut out = Vec::new();
        let mut t = 0usize;
        for _ in 0..100 {
            let block: Vec<f32> = (t..t + r.input_next())
                .map(|i| (0.5 * (i as f64 * std::f64::consts::TAU * hz / 48_000.0).sin()) as f32)
                .collect();
            t += block.len();
            out.extend_from_slice(r.process(&block).expect("process"));
        }
        let full = 0.5 / 2f64.sqrt();
        out[4800..]
            .chunks_exact(480)
            .fold((f64::MAX, f64::MIN), |(lo, hi), w| {
                let rms = (w.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / 480.0).sqrt();
                let db = 20.0 * (rms / full).log10();
                (lo.min(db), hi.max(db))
            })
    }

    #[test]
    fn at_one_rate_the_speech_band_keeps_its_level_through_drift() {
        for hz in [300.0, 1000.0, 4000.0, 8000.0, 12000.0] {
            let (lo, hi) = level_range_db(hz);
            assert!(lo > -0.5 && hi < 0.5, "{hz} Hz: {lo:.2} .. {hi:.2} dB");
        }
    }

    #[test]
    fn fixed_output_asks_for_the_input_it_needs() {
        let mut r = AdaptiveResampler::new(44_100, 48_000, 480, Fixed::Output).expect("new");
        let block = vec![0.0f32; r.input_max()];
        let mut taken = 0;
        for _ in 0..100 {
            let n = r.input_next();
            taken += n;
            assert_eq!(r.process(&block[..n]).expect("process").len(), 480);
        }
        assert!((taken as i64 - 44_100).abs() < 64, "{taken}");
        assert!(r.process(&block[..1]).is_err());
    }
}
