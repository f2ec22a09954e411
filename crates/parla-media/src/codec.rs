//! Codec vocabulary (what SDP negotiated) and the encoder/decoder traits the pipeline drives.

pub mod g711;
pub mod g722;
pub mod opus;
mod repetition;

use crate::error::{CodecError, MediaError};
use crate::sample::frame_samples;

pub use self::opus::OpusSettings;

/// The audio codecs Parla speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecKind {
    Pcmu,
    Pcma,
    Opus,
    G722,
}

impl CodecKind {
    /// The encoding name as written in SDP `a=rtpmap`.
    pub fn encoding_name(self) -> &'static str {
        match self {
            CodecKind::Pcmu => "PCMU",
            CodecKind::Pcma => "PCMA",
            CodecKind::Opus => "opus",
            CodecKind::G722 => "G722",
        }
    }

    /// The RTP clock rate the codec requires (RFC 3551, RFC 7587): what timestamps count.
    pub fn clock_rate(self) -> u32 {
        match self {
            CodecKind::Pcmu | CodecKind::Pcma => g711::RATE,
            CodecKind::Opus => opus::RATE,
            CodecKind::G722 => g722::CLOCK_RATE,
        }
    }

    /// The PCM rate the encoder takes and the decoder produces. Only G.722 differs from the
    /// clock rate (16 kHz audio on an 8 kHz RTP clock).
    pub fn pcm_rate(self) -> u32 {
        match self {
            CodecKind::G722 => g722::RATE,
            _ => self.clock_rate(),
        }
    }

    /// Packet times (ms) this build can send.
    pub fn supports_ptime(self, ptime_ms: u32) -> bool {
        match self {
            CodecKind::Pcmu | CodecKind::Pcma | CodecKind::G722 => {
                (10..=120).contains(&ptime_ms) && ptime_ms.is_multiple_of(10)
            }
            CodecKind::Opus => matches!(ptime_ms, 10 | 20 | 40 | 60),
        }
    }
}

/// The codec the offer/answer settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecParams {
    pub kind: CodecKind,
    pub payload_type: u8,
    pub clock_rate: u32,
    /// As negotiated (`opus/48000/2` gives 2). Parla always encodes and decodes mono.
    pub channels: u8,
}

impl CodecParams {
    /// PCMU on its static payload type 0.
    pub fn pcmu() -> Self {
        Self {
            kind: CodecKind::Pcmu,
            payload_type: 0,
            clock_rate: 8000,
            channels: 1,
        }
    }

    /// PCMA on its static payload type 8.
    pub fn pcma() -> Self {
        Self {
            kind: CodecKind::Pcma,
            payload_type: 8,
            clock_rate: 8000,
            channels: 1,
        }
    }

    /// G.722 on its static payload type 9, `G722/8000` (the RTP clock, not the 16 kHz audio).
    pub fn g722() -> Self {
        Self {
            kind: CodecKind::G722,
            payload_type: 9,
            clock_rate: 8000,
            channels: 1,
        }
    }

    /// Opus on a dynamic payload type, `opus/48000/2` as RFC 7587 requires in SDP.
    pub fn opus(payload_type: u8) -> Self {
        Self {
            kind: CodecKind::Opus,
            payload_type,
            clock_rate: 48_000,
            channels: 2,
        }
    }

    pub fn validate(&self) -> Result<(), MediaError> {
        if self.payload_type > 127 {
            return Err(MediaError::InvalidCodec(format!(
                "payload type {} is not in 0..=127",
                self.payload_type
            )));
        }
        if self.clock_rate != self.kind.clock_rate() {
            return Err(MediaError::InvalidCodec(format!(
                "{} needs clock rate {}, got {}",
                self.kind.encoding_name(),
                self.kind.clock_rate(),
                self.clock_rate
            )));
        }
        if self.channels == 0 || self.channels > 2 {
            return Err(MediaError::InvalidCodec(format!(
                "{} channels are not supported",
                self.channels
            )));
        }
        Ok(())
    }

    /// RTP timestamp units in one packet of `ptime_ms`.
    pub fn timestamp_step(&self, ptime_ms: u32) -> u32 {
        frame_samples(self.clock_rate, ptime_ms) as u32
    }
}

/// Turns one frame of mono PCM at [`Encoder::sample_rate`] into one RTP payload.
pub trait Encoder: Send {
    fn sample_rate(&self) -> u32;
    /// Encodes `pcm` into `out`, returning the payload length.
    fn encode(&mut self, pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError>;
    /// How much packet loss (percent) the path shows, for a codec that protects against it
    /// (Opus's in-band FEC); the others ignore it.
    fn expect_loss(&mut self, _percent: u8) {}
}

/// Turns one RTP payload into mono PCM at [`Decoder::sample_rate`].
pub trait Decoder: Send {
    fn sample_rate(&self) -> u32;
    /// Decodes `payload` into `out`, returning the number of samples written.
    fn decode(&mut self, payload: &[u8], out: &mut [f32]) -> Result<usize, CodecError>;
    /// Fills one frame for a lost packet, returning the number of samples written.
    fn conceal(&mut self, out: &mut [f32]) -> Result<usize, CodecError>;
    /// Rebuilds a lost frame knowing the packet after it (Opus carries the lost frame at lower
    /// quality in-band, FEC). Codecs without such data conceal.
    fn conceal_from(&mut self, _next: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
        self.conceal(out)
    }
}

/// Largest decoded frame any codec here produces: 120 ms at 48 kHz.
pub const MAX_DECODED_SAMPLES: usize = 5760;

/// Builds the encoder for `params`, sending frames of `ptime_ms`.
pub fn new_encoder(
    params: &CodecParams,
    ptime_ms: u32,
    opus: OpusSettings,
) -> Result<Box<dyn Encoder>, MediaError> {
    check(params, ptime_ms)?;
    Ok(match params.kind {
        CodecKind::Pcmu => Box::new(g711::G711Encoder::new(g711::Law::Mu)),
        CodecKind::Pcma => Box::new(g711::G711Encoder::new(g711::Law::A)),
        CodecKind::G722 => Box::new(g722::G722Encoder::new()),
        CodecKind::Opus => Box::new(opus::OpusEncoder::new(
            frame_samples(opus::RATE, ptime_ms),
            opus,
        )?),
    })
}

/// Builds the decoder for `params`; `ptime_ms` sizes concealment frames.
pub fn new_decoder(params: &CodecParams, ptime_ms: u32) -> Result<Box<dyn Decoder>, MediaError> {
    check(params, ptime_ms)?;
    let frame = frame_samples(params.kind.pcm_rate(), ptime_ms);
    Ok(match params.kind {
        CodecKind::Pcmu => Box::new(g711::G711Decoder::new(g711::Law::Mu, frame)),
        CodecKind::Pcma => Box::new(g711::G711Decoder::new(g711::Law::A, frame)),
        CodecKind::G722 => Box::new(g722::G722Decoder::new(frame)),
        CodecKind::Opus => Box::new(opus::OpusDecoder::new(frame)?),
    })
}

fn check(params: &CodecParams, ptime_ms: u32) -> Result<(), MediaError> {
    params.validate()?;
    if !params.kind.supports_ptime(ptime_ms) {
        return Err(MediaError::InvalidConfig(format!(
            "ptime {ptime_ms} ms is not supported for {}",
            params.kind.encoding_name()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_checked() {
        assert!(CodecParams::pcmu().validate().is_ok());
        assert!(CodecParams::opus(111).validate().is_ok());
        let bad_rate = CodecParams {
            clock_rate: 16000,
            ..CodecParams::pcma()
        };
        assert!(matches!(
            bad_rate.validate(),
            Err(MediaError::InvalidCodec(_))
        ));
        let bad_pt = CodecParams {
            payload_type: 200,
            ..CodecParams::pcmu()
        };
        assert!(bad_pt.validate().is_err());
        assert!(new_encoder(&CodecParams::opus(111), 30, OpusSettings::default()).is_err());
        assert!(new_encoder(&CodecParams::pcmu(), 30, OpusSettings::default()).is_ok());
        assert_eq!(CodecParams::opus(96).timestamp_step(20), 960);
        assert_eq!(CodecParams::pcma().timestamp_step(20), 160);
    }

    #[test]
    fn g722_counts_rtp_time_at_8khz_and_codes_16khz_audio() {
        let g722 = CodecParams::g722();
        assert!(g722.validate().is_ok());
        assert_eq!(g722.kind.clock_rate(), 8000);
        assert_eq!(g722.kind.pcm_rate(), 16_000);
        assert_eq!(g722.timestamp_step(20), 160);
        assert!(CodecParams {
            clock_rate: 16_000,
            ..g722
        }
        .validate()
        .is_err());
        let enc = new_encoder(&g722, 20, OpusSettings::default()).expect("encoder");
        let mut dec = new_decoder(&g722, 20).expect("decoder");
        assert_eq!(enc.sample_rate(), 16_000);
        assert_eq!(dec.sample_rate(), 16_000);
        let mut out = [1.0f32; 400];
        assert_eq!(
            dec.conceal(&mut out).expect("conceal"),
            320,
            "20 ms at 16 kHz"
        );
        assert!(new_encoder(&g722, 25, OpusSettings::default()).is_err());
    }
}
