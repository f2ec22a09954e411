//! G.711 µ-law (PCMU) and A-law (PCMA), bit-exact with the ITU-T G.191 reference implementation
//! (`ulaw_compress`/`ulaw_expand`, `alaw_compress`/`alaw_expand`) on 16-bit linear samples.

use super::repetition::Repetition;
use super::{Decoder, Encoder};
use crate::error::CodecError;
use crate::sample::{f32_to_i16, i16_to_f32};

/// The G.711 sample rate.
pub const RATE: u32 = 8000;

/// µ-law compression of one 16-bit sample.
pub fn linear_to_ulaw(pcm: i16) -> u8 {
    // G.191 takes the one's complement of negative samples, so -1 codes like 0.
    let magnitude = if pcm < 0 { !pcm } else { pcm };
    let absno = ((i32::from(magnitude) >> 2) + 33).min(0x1FFF);
    let mut i = absno >> 6;
    let mut segno = 1;
    while i != 0 {
        segno += 1;
        i >>= 1;
    }
    let high_nibble = 0x08 - segno;
    let low_nibble = 0x0F - ((absno >> segno) & 0x0F);
    let code = (high_nibble << 4) | low_nibble;
    let code = if pcm >= 0 { code | 0x80 } else { code };
    code as u8
}

/// µ-law expansion of one code.
pub fn ulaw_to_linear(code: u8) -> i16 {
    ULAW_TABLE[usize::from(code)]
}

/// A-law compression of one 16-bit sample.
pub fn linear_to_alaw(pcm: i16) -> u8 {
    let mut ix = if pcm < 0 {
        i32::from(!pcm) >> 4
    } else {
        i32::from(pcm) >> 4
    };
    if ix > 15 {
        let mut iexp = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            iexp += 1;
        }
        ix -= 16;
        ix += iexp << 4;
    }
    if pcm >= 0 {
        ix |= 0x80;
    }
    (ix ^ 0x55) as u8
}

/// A-law expansion of one code.
pub fn alaw_to_linear(code: u8) -> i16 {
    ALAW_TABLE[usize::from(code)]
}

const fn ulaw_expand(code: u8) -> i16 {
    let sign: i32 = if code < 0x80 { -1 } else { 1 };
    let inverted = !code as i32;
    let exponent = (inverted >> 4) & 0x07;
    let mantissa = inverted & 0x0F;
    let step = 4 << (exponent + 1);
    (sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33)) as i16
}

const fn alaw_expand(code: u8) -> i16 {
    let ix = ((code ^ 0x55) & 0x7F) as i32;
    let iexp = ix >> 4;
    let mut mant = ix & 0x0F;
    if iexp > 0 {
        mant += 16;
    }
    mant = (mant << 4) + 0x08;
    if iexp > 1 {
        mant <<= iexp - 1;
    }
    (if code > 127 { mant } else { -mant }) as i16
}

const fn build_table(mu: bool) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = if mu {
            ulaw_expand(i as u8)
        } else {
            alaw_expand(i as u8)
        };
        i += 1;
    }
    table
}

static ULAW_TABLE: [i16; 256] = build_table(true);
static ALAW_TABLE: [i16; 256] = build_table(false);

/// Which G.711 law a coder speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    Mu,
    A,
}

impl Law {
    fn compress(self, pcm: i16) -> u8 {
        match self {
            Law::Mu => linear_to_ulaw(pcm),
            Law::A => linear_to_alaw(pcm),
        }
    }

    fn expand(self, code: u8) -> i16 {
        match self {
            Law::Mu => ulaw_to_linear(code),
            Law::A => alaw_to_linear(code),
        }
    }
}

/// G.711 encoder: one byte per sample.
#[derive(Debug)]
pub struct G711Encoder {
    law: Law,
}

impl G711Encoder {
    pub fn new(law: Law) -> Self {
        Self { law }
    }
}

impl Encoder for G711Encoder {
    fn sample_rate(&self) -> u32 {
        RATE
    }

    fn encode(&mut self, pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError> {
        let available = out.len();
        let dst = out.get_mut(..pcm.len()).ok_or(CodecError::BufferTooSmall {
            needed: pcm.len(),
            available,
        })?;
        for (d, &s) in dst.iter_mut().zip(pcm) {
            *d = self.law.compress(f32_to_i16(s));
        }
        Ok(pcm.len())
    }
}

/// G.711 decoder: one sample per byte.
#[derive(Debug)]
pub struct G711Decoder {
    law: Law,
    /// Losses are bridged by repeating the last frame, fading.
    plc: Repetition,
}

impl G711Decoder {
    /// `frame_samples` is the length [`Decoder::conceal`] fills.
    pub fn new(law: Law, frame_samples: usize) -> Self {
        Self {
            law,
            plc: Repetition::new(frame_samples),
        }
    }
}

impl Decoder for G711Decoder {
    fn sample_rate(&self) -> u32 {
        RATE
    }

    fn decode(&mut self, payload: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
        let available = out.len();
        let dst = out
            .get_mut(..payload.len())
            .ok_or(CodecError::BufferTooSmall {
                needed: payload.len(),
                available,
            })?;
        for (d, &c) in dst.iter_mut().zip(payload) {
            *d = i16_to_f32(self.law.expand(c));
        }
        let len = payload.len();
        self.plc.played(&out[..len]);
        Ok(len)
    }

    /// Waveform repetition: the last frame again, fading, then silence.
    fn conceal(&mut self, out: &mut [f32]) -> Result<usize, CodecError> {
        Ok(self.plc.conceal(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample -> code pairs from the G.191 reference coder (the ITU-T G.711 segment tables).
    const ULAW_ENCODE: &[(i16, u8)] = &[
        (0, 0xFF),
        (-1, 0x7F), // one's complement: -1 codes as negative zero
        (1, 0xFF),
        (-2, 0x7F),
        (3, 0xFF),
        (4, 0xFE),
        (8, 0xFE),
        (-4, 0x7F),
        (-5, 0x7E),
        (1000, 0xCE),
        (-1000, 0x4E),
        (8059, 0xA0),
        (8060, 0x9F),
        (32124, 0x80),
        (32767, 0x80),
        (-32768, 0x00),
    ];

    const ULAW_DECODE: &[(u8, i16)] = &[
        (0xFF, 0),
        (0x7F, 0),
        (0xFE, 8),
        (0x7E, -8),
        (0xCE, 988),
        (0x4E, -988),
        (0xEF, 132),
        (0xDF, 396),
        (0x80, 32124),
        (0x00, -32124),
    ];

    const ALAW_ENCODE: &[(i16, u8)] = &[
        (0, 0xD5),
        (-1, 0x55),
        (15, 0xD5),
        (16, 0xD4),
        (-17, 0x54),
        (255, 0xDA),
        (256, 0xC5),
        (512, 0xF5),
        (1000, 0xFA),
        (-1000, 0x7A),
        (32256, 0xAA),
        (32767, 0xAA),
        (-32768, 0x2A),
    ];

    const ALAW_DECODE: &[(u8, i16)] = &[
        (0xD5, 8),
        (0x55, -8),
        (0xD4, 24),
        (0xC5, 264),
        (0xF5, 528),
        (0xFA, 1008),
        (0x7A, -1008),
        (0xAA, 32256),
        (0x2A, -32256),
    ];

    #[test]
    fn ulaw_reference_values() {
        for &(pcm, code) in ULAW_ENCODE {
            assert_eq!(linear_to_ulaw(pcm), code, "µ-law encode {pcm}");
        }
        for &(code, pcm) in ULAW_DECODE {
            assert_eq!(ulaw_to_linear(code), pcm, "µ-law decode {code:#04x}");
        }
    }

    #[test]
    fn alaw_reference_values() {
        for &(pcm, code) in ALAW_ENCODE {
            assert_eq!(linear_to_alaw(pcm), code, "A-law encode {pcm}");
        }
        for &(code, pcm) in ALAW_DECODE {
            assert_eq!(alaw_to_linear(code), pcm, "A-law decode {code:#04x}");
        }
    }

    #[test]
    fn every_code_survives_expand_then_compress() {
        for code in 0..=255u8 {
            let u = linear_to_ulaw(ulaw_to_linear(code));
            // 0x7F is negative zero; it expands to 0, which codes as positive zero.
            let expected = if code == 0x7F { 0xFF } else { code };
            assert_eq!(u, expected, "µ-law {code:#04x}");
            assert_eq!(
                linear_to_alaw(alaw_to_linear(code)),
                code,
                "A-law {code:#04x}"
            );
        }
    }

    #[test]
    fn round_trip_error_is_within_half_a_step() {
        for pcm in i16::MIN..=i16::MAX {
            let x = i32::from(pcm);
            let mag = x.abs();
            // Half the quantiser step of the segment holding |x| is at most (|x| + 132) / 32 for
            // µ-law and max(8, |x| / 32) for A-law; +1 for the one's complement of negatives.
            // Beyond the top decision level the coders clip to ±32124 and ±32256.
            let u_err = (x - i32::from(ulaw_to_linear(linear_to_ulaw(pcm)))).abs();
            let u_bound = if mag > 32635 {
                644
            } else {
                (mag + 132) / 32 + 1
            };
            assert!(u_err <= u_bound, "µ-law {pcm}: error {u_err} > {u_bound}");

            let a_err = (x - i32::from(alaw_to_linear(linear_to_alaw(pcm)))).abs();
            let a_bound = if mag > 32767 {
                512
            } else {
                (mag / 32).max(8) + 1
            };
            assert!(a_err <= a_bound, "A-law {pcm}: error {a_err} > {a_bound}");
        }
    }

    #[test]
    fn expansion_is_monotonic() {
        let mut codes_by_level: Vec<i16> = (0..=255u8).map(ulaw_to_linear).collect();
        codes_by_level.sort_unstable();
        codes_by_level.dedup();
        assert_eq!(codes_by_level.len(), 255, "µ-law has 255 distinct levels");
        let mut a: Vec<i16> = (0..=255u8).map(alaw_to_linear).collect();
        a.sort_unstable();
        a.dedup();
        assert_eq!(a.len(), 256, "A-law has 256 distinct levels");
    }

    #[test]
    fn coder_structs_use_the_laws() {
        let mut enc = G711Encoder::new(Law::A);
        let mut dec = G711Decoder::new(Law::A, 160);
        let pcm = [0.0f32, 0.5, -0.5, 0.999];
        let mut bytes = [0u8; 4];
        assert_eq!(enc.encode(&pcm, &mut bytes).ok(), Some(4));
        assert_eq!(bytes[0], 0xD5);
        let mut out = [0.0f32; 4];
        assert_eq!(dec.decode(&bytes, &mut out).ok(), Some(4));
        for (a, b) in pcm.iter().zip(out) {
            assert!((a - b).abs() < 0.02, "{a} vs {b}");
        }
        let mut small = [0u8; 2];
        assert!(enc.encode(&pcm, &mut small).is_err());
    }
}

#[cfg(test)]
mod plc_tests {
    use super::*;
    use crate::codec::repetition::{PLC_FADE, PLC_MAX_FRAMES};

    #[test]
    fn a_lost_frame_repeats_the_last_one_fading_then_goes_silent() {
        let mut decoder = G711Decoder::new(Law::Mu, 160);
        let payload: Vec<u8> = (0..160)
            .map(|i| Law::Mu.compress(((i as f32 * 0.3).sin() * 8000.0) as i16))
            .collect();
        let mut heard = vec![0.0; 160];
        assert_eq!(decoder.decode(&payload, &mut heard).expect("decode"), 160);
        let mut concealed = vec![0.0; 160];
        assert_eq!(decoder.conceal(&mut concealed).expect("conceal"), 160);
        for (c, h) in concealed.iter().zip(&heard) {
            assert!((c - h * PLC_FADE).abs() < 1e-6);
        }
        for _ in 1..PLC_MAX_FRAMES {
            decoder.conceal(&mut concealed).expect("conceal");
        }
        assert!(
            concealed.iter().any(|&s| s != 0.0),
            "still repeating at the limit"
        );
        decoder.conceal(&mut concealed).expect("conceal");
        assert!(
            concealed.iter().all(|&s| s == 0.0),
            "silent after the limit"
        );
        decoder.decode(&payload, &mut heard).expect("decode");
        decoder.conceal(&mut concealed).expect("conceal");
        assert!(
            concealed.iter().any(|&s| s != 0.0),
            "a new loss repeats again"
        );
    }
}
