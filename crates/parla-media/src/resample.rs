//! Streaming mono sample-rate conversion: [`StreamResampler`], rubato's FFT resampler, between
//! fixed rates of our own clock; and, for sound devices, whose clocks drift from ours,
//! [`adaptive::AdaptiveResampler`] steered by [`control::DriftControl`] (put together in
//! [`drift`]).

pub mod adaptive;
pub mod control;
pub mod drift;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

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

impl StreamResampler {
    /// `chunk` is the input block size, usually one frame at `from`.
    pub fn new(from: u32, to: u32, chunk: usize) -> Result<Self, MediaError> {
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
        let fft = Fft::<f32>::new(from as usize, to as usize, chunk, 1, FixedSync::Input)
            .map_err(|e| err(e.to_string()))?;
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

    #[test]
    fn equal_rates_pass_through() {
        assert_eq!(run(48_000, 48_000, 960, 1234, 100), 1234);
        assert!(StreamResampler::new(0, 8000, 160).is_err());
    }
}
