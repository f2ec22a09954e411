//! PCM sample conversions. Audio moves through the pipeline as mono `f32` in [-1.0, 1.0];
//! `i16` appears only inside G.711 and at the WAV boundary.

/// The rate every output endpoint receives (and the Opus codec works at).
pub const OUTPUT_RATE: u32 = 48_000;

/// `i16` to `f32` in [-1.0, 1.0).
#[inline]
pub fn i16_to_f32(s: i16) -> f32 {
    f32::from(s) / 32768.0
}

/// `f32` to `i16`, rounded; out-of-range input saturates and NaN becomes 0 (that is what `as` does).
#[inline]
pub fn f32_to_i16(s: f32) -> i16 {
    (s * 32768.0).round() as i16
}

/// `s`, or silence when it is NaN or infinite: a float device or file can hand those over,
/// and one would stay in the echo canceller's, the level estimators' and the encoder's state
/// for the rest of the call.
#[inline]
pub fn finite_or_silence(s: f32) -> f32 {
    if s.is_finite() {
        s
    } else {
        0.0
    }
}

/// Copies device audio into `dst` (as long as `src`) through [`finite_or_silence`].
#[inline]
pub fn copy_finite(dst: &mut [f32], src: &[f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = finite_or_silence(s);
    }
}

/// [`finite_or_silence`] on every sample of `frame`.
#[inline]
pub fn zero_non_finite(frame: &mut [f32]) {
    for s in frame.iter_mut() {
        *s = finite_or_silence(*s);
    }
}

/// Number of samples in one frame of `ptime_ms` at `rate`.
pub fn frame_samples(rate: u32, ptime_ms: u32) -> usize {
    (u64::from(rate) * u64::from(ptime_ms) / 1000) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip_and_saturate() {
        for s in [i16::MIN, -12345, -1, 0, 1, 12345, i16::MAX] {
            assert_eq!(f32_to_i16(i16_to_f32(s)), s);
        }
        assert_eq!(f32_to_i16(2.0), i16::MAX);
        assert_eq!(f32_to_i16(-2.0), i16::MIN);
        assert_eq!(f32_to_i16(f32::NAN), 0);
        assert_eq!(frame_samples(8000, 20), 160);
        assert_eq!(frame_samples(48_000, 20), 960);
    }

    #[test]
    fn non_finite_samples_become_silence_and_the_rest_stays() {
        let src = [0.5, f32::NAN, -0.25, f32::INFINITY, f32::NEG_INFINITY, -1.0];
        let want = [0.5, 0.0, -0.25, 0.0, 0.0, -1.0];
        let mut copied = [9.0; 6];
        copy_finite(&mut copied, &src);
        assert_eq!(copied, want);
        let mut frame = src;
        zero_non_finite(&mut frame);
        assert_eq!(frame, want);
    }
}
