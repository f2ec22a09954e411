#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use common::{band_energy_ratio, rms, tone};
use parla_media::codec::opus::{OpusDecoder, OpusEncoder};
use parla_media::codec::{self, Decoder, Encoder, OpusSettings, MAX_DECODED_SAMPLES};
use parla_media::CodecParams;

/// Encodes and decodes `pcm` frame by frame; returns the decoded signal.
fn round_trip(enc: &mut dyn Encoder, dec: &mut dyn Decoder, pcm: &[f32], frame: usize) -> Vec<f32> {
    let mut payload = [0u8; 1500];
    let mut out = vec![0.0f32; MAX_DECODED_SAMPLES];
    let mut decoded = Vec::with_capacity(pcm.len());
    for f in pcm.chunks_exact(frame) {
        let n = enc.encode(f, &mut payload).expect("encode");
        let k = dec.decode(&payload[..n], &mut out).expect("decode");
        assert_eq!(k, frame);
        decoded.extend_from_slice(&out[..k]);
    }
    decoded
}

#[test]
fn opus_round_trip_keeps_a_1khz_tone() {
    let input = tone(1000.0, 48_000, 1.0, 0.5);
    let mut enc = OpusEncoder::new(960, OpusSettings::default()).expect("encoder");
    let mut dec = OpusDecoder::new(960).expect("decoder");
    let decoded = round_trip(&mut enc, &mut dec, &input, 960);
    // Skip the codec's start-up (lookahead and the first adaptive frames).
    let steady = &decoded[4800..];
    let ratio = band_energy_ratio(steady, 48_000, 1000.0, 50.0);
    assert!(ratio > 0.95, "1 kHz band holds {ratio:.3} of the energy");
    let level = rms(steady);
    assert!(
        (0.25..0.45).contains(&level),
        "level {level:.3} (input 0.354)"
    );
}

#[test]
fn opus_conceals_and_recovers_with_fec() {
    let input = tone(1000.0, 48_000, 0.2, 0.5);
    let mut enc = OpusEncoder::new(960, OpusSettings::default()).expect("encoder");
    let mut dec = OpusDecoder::new(960).expect("decoder");
    let mut payload = [0u8; 1500];
    let mut out = vec![0.0f32; MAX_DECODED_SAMPLES];
    let frames: Vec<Vec<u8>> = input
        .chunks_exact(960)
        .map(|f| {
            let n = enc.encode(f, &mut payload).expect("encode");
            payload[..n].to_vec()
        })
        .collect();
    for p in &frames[..5] {
        dec.decode(p, &mut out).expect("decode");
    }
    // Frame 5 is lost: rebuild it from the FEC in frame 6, then carry on.
    assert_eq!(dec.decode_fec(&frames[6], &mut out).expect("fec"), 960);
    assert!(rms(&out[..960]) > 0.1, "FEC rebuilt audio");
    assert_eq!(dec.conceal(&mut out).expect("plc"), 960);
}

#[test]
fn g711_round_trip_keeps_a_tone() {
    let input = tone(1000.0, 8000, 1.0, 0.5);
    for params in [CodecParams::pcmu(), CodecParams::pcma()] {
        let mut enc = codec::new_encoder(&params, 20, OpusSettings::default()).expect("encoder");
        let mut dec = codec::new_decoder(&params, 20).expect("decoder");
        let decoded = round_trip(enc.as_mut(), dec.as_mut(), &input, 160);
        let ratio = band_energy_ratio(&decoded, 8000, 1000.0, 50.0);
        assert!(ratio > 0.99, "{:?}: band ratio {ratio:.4}", params.kind);
    }
}
