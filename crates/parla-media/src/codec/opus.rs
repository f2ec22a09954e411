//! Opus (RFC 7587) through libopus: 48 kHz mono, in-band FEC while loss is expected (if the far
//! end decodes it), DTX off.

use audiopus::coder::{Decoder as RawDecoder, Encoder as RawEncoder};
use audiopus::{Application, Bitrate, Channels, SampleRate};

use super::{Decoder, Encoder};
use crate::error::{CodecError, MediaError};

/// Opus always runs at 48 kHz here, which is also its RTP clock rate.
pub const RATE: u32 = 48_000;
pub const DEFAULT_BITRATE: i32 = 32_000;
/// Complexity 6: `benches/opus_complexity.rs` measured the encoder at 70 % of the CPU of 8 to
/// 10 (about 180 µs instead of 255 per 20 ms frame of speech) for a wideband PESQ 0.07 lower
/// (3.82 against 3.89 over four languages); 5 and below lose 0.27.
pub const DEFAULT_COMPLEXITY: u8 = 6;

/// Encoder knobs. `Default` gives 32 kbit/s, complexity 6, in-band FEC allowed and no loss
/// expected (a call then follows the far end's reports, see `pipeline/loss.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusSettings {
    /// Target bitrate in bit/s (500..=512000).
    pub bitrate: i32,
    /// 0 (cheapest) ..= 10 (best).
    pub complexity: u8,
    /// The loss libopus prepares for at the start: it adds in-band FEC data only when this is
    /// above 0, `inband_fec` is set and its rate allows (see `pipeline/loss.rs`).
    pub expected_loss_percent: u8,
    /// Whether libopus may add in-band FEC data at all. Only for a far end that decodes it
    /// (`useinbandfec=1`, RFC 7587 §6.1): to fit FEC under loss libopus narrows the main
    /// layer's band, which a far end that ignores FEC only hears as worse audio.
    pub inband_fec: bool,
}

impl Default for OpusSettings {
    fn default() -> Self {
        Self {
            bitrate: 32_000,
            complexity: DEFAULT_COMPLEXITY,
            expected_loss_percent: 0,
            inband_fec: true,
        }
    }
}

impl OpusSettings {
    pub fn validate(&self) -> Result<(), MediaError> {
        if !(500..=512_000).contains(&self.bitrate) {
            return Err(MediaError::InvalidCodec(format!(
                "Opus bitrate {} is not in 500..=512000",
                self.bitrate
            )));
        }
        if self.complexity > 10 {
            return Err(MediaError::InvalidCodec(format!(
                "Opus complexity {} is not in 0..=10",
                self.complexity
            )));
        }
        if self.expected_loss_percent > 100 {
            return Err(MediaError::InvalidCodec(
                "Opus expected loss above 100 %".into(),
            ));
        }
        Ok(())
    }
}

pub struct OpusEncoder {
    inner: RawEncoder,
    frame_samples: usize,
}

impl OpusEncoder {
    /// `frame_samples` at 48 kHz: 480, 960, 1920 or 2880 (10, 20, 40, 60 ms).
    pub fn new(frame_samples: usize, settings: OpusSettings) -> Result<Self, MediaError> {
        settings.validate()?;
        let mut inner = RawEncoder::new(SampleRate::Hz48000, Channels::Mono, Application::Voip)
            .map_err(CodecError::from)?;
        let setup = |enc: &mut RawEncoder| -> Result<(), audiopus::Error> {
            enc.set_bitrate(Bitrate::BitsPerSecond(settings.bitrate))?;
            enc.set_complexity(settings.complexity)?;
            enc.set_inband_fec(settings.inband_fec)?;
            enc.set_packet_loss_perc(settings.expected_loss_percent)?;
            enc.set_encoder_ctl_request(audiopus::ffi::OPUS_SET_DTX_REQUEST, 0)
        };
        setup(&mut inner).map_err(CodecError::from)?;
        Ok(Self {
            inner,
            frame_samples,
        })
    }
}

impl Encoder for OpusEncoder {
    fn sample_rate(&self) -> u32 {
        RATE
    }

    fn encode(&mut self, pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError> {
        if pcm.len() != self.frame_samples {
            return Err(CodecError::FrameSize {
                got: pcm.len(),
                expected: self.frame_samples,
            });
        }
        Ok(self.inner.encode_float(pcm, out)?)
    }

    fn expect_loss(&mut self, percent: u8) {
        if let Err(e) = self.inner.set_packet_loss_perc(percent.min(100)) {
            tracing::debug!("the Opus encoder refused an expected loss of {percent} %: {e}");
        }
    }
}

pub struct OpusDecoder {
    inner: RawDecoder,
    frame_samples: usize,
}

impl OpusDecoder {
    /// `frame_samples` sizes concealment: the expected packet duration at 48 kHz.
    pub fn new(frame_samples: usize) -> Result<Self, MediaError> {
        let inner =
            RawDecoder::new(SampleRate::Hz48000, Channels::Mono).map_err(CodecError::from)?;
        Ok(Self {
            inner,
            frame_samples,
        })
    }

    /// Rebuilds the frame lost just before `next_payload` from the FEC data it carries.
    pub fn decode_fec(
        &mut self,
        next_payload: &[u8],
        out: &mut [f32],
    ) -> Result<usize, CodecError> {
        let n = self.frame_samples.min(out.len());
        Ok(self
            .inner
            .decode_float(Some(next_payload), &mut out[..n], true)?)
    }
}

impl Decoder for OpusDecoder {
    fn sample_rate(&self) -> u32 {
        RATE
    }

    fn decode(&mut self, payload: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
        Ok(self.inner.decode_float(Some(payload), out, false)?)
    }

    fn conceal(&mut self, out: &mut [f32]) -> Result<usize, CodecError> {
        let n = self.frame_samples.min(out.len());
        let none: Option<&[u8]> = None;
        Ok(self.inner.decode_float(none, &mut out[..n], false)?)
    }

    fn conceal_from(&mut self, next: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
        self.decode_fec(next, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::MAX_DECODED_SAMPLES;

    #[test]
    fn settings_are_validated() {
        assert!(OpusSettings::default().validate().is_ok());
        assert!(
            OpusSettings::default().inband_fec,
            "FEC unless the far end says no"
        );
        let bad = OpusSettings {
            bitrate: 10,
            ..OpusSettings::default()
        };
        assert!(OpusEncoder::new(960, bad).is_err());
        let bad = OpusSettings {
            complexity: 11,
            ..OpusSettings::default()
        };
        assert!(OpusEncoder::new(960, bad).is_err());
    }

    #[test]
    fn wrong_frame_size_and_garbage_are_errors_not_panics() {
        let mut enc = OpusEncoder::new(960, OpusSettings::default()).expect("encoder");
        let mut out = [0u8; 1500];
        assert!(enc.encode(&[0.0; 100], &mut out).is_err());
        let mut dec = OpusDecoder::new(960).expect("decoder");
        let mut pcm = vec![0.0f32; MAX_DECODED_SAMPLES];
        assert!(dec.decode(&[], &mut pcm).is_err());
        // A TOC byte announcing code 3 with a frame count of 0 is invalid.
        let _ = dec.decode(&[0xFF, 0x00], &mut pcm);
        assert_eq!(dec.conceal(&mut pcm).ok(), Some(960));
    }
}
