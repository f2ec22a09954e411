//! G.722 wideband (ITU-T G.722, 64 kbit/s mode 1): 16 kHz PCM, one byte per two samples.
//!
//! The ADPCM core is `audio-codec`'s, a translation of the spandsp coder that baresip (and
//! FreeSWITCH, Asterisk) use: its codes decode in spandsp as cleanly as spandsp's own, and it
//! works into caller buffers, so a frame costs no allocation. RTP carries G.722 with an 8 kHz
//! clock although the audio is sampled at 16 kHz (RFC 3551 §4.5.2): see [`CLOCK_RATE`].

use super::repetition::Repetition;
use audio_codec::g722::{Bitrate, G722Decoder as Core722Decoder, G722Encoder as Core722Encoder};
use audio_codec::{Decoder as _, Encoder as _};

use super::{Decoder, Encoder};
use crate::error::CodecError;
use crate::sample::{f32_to_i16, i16_to_f32};

/// The PCM rate the coder takes and gives.
pub const RATE: u32 = 16_000;
/// The RTP timestamp rate: 8000, an error in RFC 1890 kept for compatibility.
pub const CLOCK_RATE: u32 = 8000;

/// PCM samples per converted block: 20 ms at 16 kHz. Frames longer than this are coded in
/// blocks, so the scratch buffer never grows on the media path.
const BLOCK: usize = 320;

/// G.722 encoder: two samples in, one byte out.
pub struct G722Encoder {
    core: Core722Encoder,
    scratch: [i16; BLOCK],
}

impl std::fmt::Debug for G722Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("G722Encoder")
    }
}

impl Default for G722Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Encoder {
    pub fn new() -> Self {
        Self {
            // 64 kbit/s, 16 kHz input, one code per byte (RFC 3551 sends unpacked bytes).
            core: Core722Encoder::with_options(Bitrate::Mode1_64000, false, false),
            scratch: [0; BLOCK],
        }
    }
}

impl Encoder for G722Encoder {
    fn sample_rate(&self) -> u32 {
        RATE
    }

    /// `pcm` must hold an even number of samples: each byte codes a pair.
    fn encode(&mut self, pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError> {
        if !pcm.len().is_multiple_of(2) {
            return Err(CodecError::FrameSize {
                got: pcm.len(),
                expected: pcm.len() + 1,
            });
        }
        let needed = pcm.len() / 2;
        let available = out.len();
        let out = out
            .get_mut(..needed)
            .ok_or(CodecError::BufferTooSmall { needed, available })?;
        for (block, dst) in pcm.chunks(BLOCK).zip(out.chunks_mut(BLOCK / 2)) {
            let scratch = &mut self.scratch[..block.len()];
            for (s, &x) in scratch.iter_mut().zip(block) {
                *s = f32_to_i16(x);
            }
            let written = self
                .core
                .encode_into(scratch, dst)
                .map_err(|_| CodecError::BufferTooSmall { needed, available })?;
            debug_assert_eq!(written, dst.len());
        }
        Ok(needed)
    }
}

/// G.722 decoder: one byte in, two samples out; losses are bridged by repeating the last
/// frame, fading, as for G.711.
pub struct G722Decoder {
    core: Core722Decoder,
    scratch: [i16; BLOCK],
    /// Losses are bridged by repeating the last frame, fading.
    plc: Repetition,
}

impl std::fmt::Debug for G722Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("G722Decoder")
            .field("concealed", &self.plc.concealed())
            .finish_non_exhaustive()
    }
}

impl G722Decoder {
    /// `frame_samples` (at 16 kHz) is the length [`Decoder::conceal`] fills.
    pub fn new(frame_samples: usize) -> Self {
        Self {
            core: Core722Decoder::with_options(Bitrate::Mode1_64000, false, false),
            scratch: [0; BLOCK],
            plc: Repetition::new(frame_samples),
        }
    }
}

impl Decoder for G722Decoder {
    fn sample_rate(&self) -> u32 {
        RATE
    }

    fn decode(&mut self, payload: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
        let needed = payload.len() * 2;
        let available = out.len();
        let out = out
            .get_mut(..needed)
            .ok_or(CodecError::BufferTooSmall { needed, available })?;
        for (codes, dst) in payload.chunks(BLOCK / 2).zip(out.chunks_mut(BLOCK)) {
            let written = self
                .core
                .decode_into(codes, &mut self.scratch)
                .map_err(|_| CodecError::BufferTooSmall { needed, available })?;
            for (d, &s) in dst.iter_mut().zip(&self.scratch[..written]) {
                *d = i16_to_f32(s);
            }
        }
        self.plc.played(out);
        Ok(needed)
    }

    /// Waveform repetition: the last frame again, fading, then silence. The ADPCM state is
    /// left as it is; it re-converges on the packets that follow.
    fn conceal(&mut self, out: &mut [f32]) -> Result<usize, CodecError> {
        Ok(self.plc.conceal(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::repetition::{PLC_FADE, PLC_MAX_FRAMES};
    use std::f64::consts::TAU;

    fn tone(freq: f64, n: usize, amp: f64) -> Vec<f32> {
        (0..n)
            .map(|i| (amp * (TAU * freq * i as f64 / f64::from(RATE)).sin()) as f32)
            .collect()
    }

    fn round_trip(pcm: &[f32], frame: usize) -> Vec<f32> {
        let mut enc = G722Encoder::new();
        let mut dec = G722Decoder::new(frame);
        let mut payload = vec![0u8; frame / 2];
        let mut out = vec![0.0f32; frame];
        let mut decoded = Vec::with_capacity(pcm.len());
        for f in pcm.chunks_exact(frame) {
            assert_eq!(enc.encode(f, &mut payload).expect("encode"), frame / 2);
            assert_eq!(dec.decode(&payload, &mut out).expect("decode"), frame);
            decoded.extend_from_slice(&out);
        }
        decoded
    }

    /// Signal-to-noise ratio of `decoded` against `input` delayed by `delay` samples, in dB.
    fn snr_db(input: &[f32], decoded: &[f32], delay: usize) -> f64 {
        let (mut signal, mut noise) = (0.0f64, 0.0f64);
        for (x, y) in input.iter().zip(&decoded[delay..]) {
            signal += f64::from(*x).powi(2);
            noise += f64::from(x - y).powi(2);
        }
        10.0 * (signal / noise.max(1e-12)).log10()
    }

    /// The QMF pair delays the signal by a fixed number of samples: find it.
    fn best_snr(input: &[f32], decoded: &[f32]) -> (f64, usize) {
        (0..40)
            .map(|d| (snr_db(input, decoded, d), d))
            .fold((f64::MIN, 0), |a, b| if b.0 > a.0 { b } else { a })
    }

    #[test]
    fn blocks_and_whole_frames_code_alike() {
        // 60 ms frames go through the 20 ms scratch in three blocks; the bytes must be those
        // of one continuous stream.
        let input = tone(700.0, 960 * 4, 0.4);
        let mut a = G722Encoder::new();
        let mut b = G722Encoder::new();
        let mut whole = vec![0u8; 480];
        let mut parts = vec![0u8; 160];
        let mut joined = Vec::new();
        let mut all = Vec::new();
        for f in input.chunks_exact(960) {
            assert_eq!(a.encode(f, &mut whole).expect("encode"), 480);
            all.extend_from_slice(&whole);
        }
        for f in input.chunks_exact(320) {
            b.encode(f, &mut parts).expect("encode");
            joined.extend_from_slice(&parts);
        }
        assert_eq!(all, joined);
        assert_eq!(all.len(), input.len() / 2);
    }

    #[test]
    fn a_1khz_tone_survives_the_round_trip() {
        let input = tone(1000.0, RATE as usize, 0.5);
        let decoded = round_trip(&input, 320);
        // Skip the ADPCM start-up.
        let (snr, delay) = best_snr(&input[1600..15000], &decoded[1600..]);
        assert!(snr > 30.0, "SNR {snr:.1} dB at delay {delay}");
    }

    #[test]
    fn a_6khz_tone_is_carried_by_the_upper_band() {
        // Above 4 kHz G.711 has nothing; G.722's upper band must carry it.
        let input = tone(6000.0, RATE as usize, 0.3);
        let decoded = round_trip(&input, 320);
        let (snr, _) = best_snr(&input[1600..15000], &decoded[1600..]);
        assert!(snr > 10.0, "SNR {snr:.1} dB");
    }

    #[test]
    fn odd_frames_and_small_buffers_are_errors() {
        let mut enc = G722Encoder::new();
        let mut out = [0u8; 200];
        assert!(matches!(
            enc.encode(&[0.0; 321], &mut out),
            Err(CodecError::FrameSize { .. })
        ));
        assert!(matches!(
            enc.encode(&[0.0; 640], &mut out),
            Err(CodecError::BufferTooSmall { .. })
        ));
        let mut dec = G722Decoder::new(320);
        let mut pcm = [0.0f32; 100];
        assert!(matches!(
            dec.decode(&[0u8; 160], &mut pcm),
            Err(CodecError::BufferTooSmall { .. })
        ));
        assert_eq!(dec.decode(&[], &mut pcm).expect("empty"), 0);
    }

    #[test]
    fn any_bytes_and_any_samples_decode_without_panic() {
        // Debug builds trap integer overflow: feed extremes and noise through both ways.
        let mut state = 0x1234_5678u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let mut dec = G722Decoder::new(320);
        let mut enc = G722Encoder::new();
        let mut pcm = vec![0.0f32; 3000];
        let mut bytes = vec![0u8; 1500];
        for round in 0..200 {
            let len = (next() % 1500) as usize;
            for b in &mut bytes[..len] {
                *b = next() as u8;
            }
            let n = dec.decode(&bytes[..len], &mut pcm).expect("decode");
            assert_eq!(n, len * 2);
            assert!(pcm[..n].iter().all(|s| s.is_finite() && s.abs() <= 1.0));
            for s in &mut pcm[..640] {
                *s = match round % 3 {
                    0 => (next() as i32 as f32) / i32::MAX as f32 * 1.5,
                    1 => f32::NAN,
                    _ => {
                        if next() & 1 == 0 {
                            1.0
                        } else {
                            -1.0
                        }
                    }
                };
            }
            assert_eq!(enc.encode(&pcm[..640], &mut bytes).expect("encode"), 320);
        }
    }

    // Debug only: `assert_no_alloc` counts violations only there.
    #[cfg(debug_assertions)]
    #[test]
    fn coding_allocates_nothing() {
        let input = tone(1000.0, 1920, 0.5);
        let mut enc = G722Encoder::new();
        let mut dec = G722Decoder::new(320);
        let mut payload = [0u8; 960];
        let mut out = [0.0f32; 1920];
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| {
            for frame in [320, 640, 1920] {
                let n = enc.encode(&input[..frame], &mut payload).unwrap_or(0);
                assert_eq!(n, frame / 2);
                assert_eq!(dec.decode(&payload[..n], &mut out).unwrap_or(0), frame);
                assert_eq!(dec.conceal(&mut out).unwrap_or(0), 320);
            }
        });
        assert_eq!(
            assert_no_alloc::violation_count(),
            before,
            "G.722 allocated"
        );
    }

    #[test]
    fn a_lost_frame_repeats_the_last_one_fading_then_goes_silent() {
        let input = tone(440.0, 640, 0.5);
        let mut enc = G722Encoder::new();
        let mut dec = G722Decoder::new(320);
        let mut payload = [0u8; 160];
        let mut heard = vec![0.0; 320];
        for f in input.chunks_exact(320) {
            enc.encode(f, &mut payload).expect("encode");
            dec.decode(&payload, &mut heard).expect("decode");
        }
        let mut concealed = vec![0.0; 320];
        assert_eq!(dec.conceal(&mut concealed).expect("conceal"), 320);
        for (c, h) in concealed.iter().zip(&heard) {
            assert!((c - h * PLC_FADE).abs() < 1e-6);
        }
        for _ in 1..PLC_MAX_FRAMES {
            dec.conceal(&mut concealed).expect("conceal");
        }
        assert!(concealed.iter().any(|&s| s != 0.0), "still repeating");
        dec.conceal(&mut concealed).expect("conceal");
        assert!(
            concealed.iter().all(|&s| s == 0.0),
            "silent after the limit"
        );
    }
}
