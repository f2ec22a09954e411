#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;
#[path = "common/fec.rs"]
mod fec;

use common::{band_energy_ratio, rms, tone};
use fec::{changing_voice, fec_snr};
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
    let frames = packets_expecting(&input, 10, 0);
    let mut dec = OpusDecoder::new(960).expect("decoder");
    let mut out = vec![0.0f32; MAX_DECODED_SAMPLES];
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

/// SNR in dB of `decoded` against `input`, at the delay (0..40 samples) that fits best.
fn best_snr(input: &[f32], decoded: &[f32]) -> (f64, usize) {
    (0..40)
        .map(|delay| {
            let (mut signal, mut noise) = (0.0f64, 0.0f64);
            for (x, y) in input.iter().zip(&decoded[delay..]) {
                signal += f64::from(*x).powi(2);
                noise += f64::from(x - y).powi(2);
            }
            (10.0 * (signal / noise.max(1e-12)).log10(), delay)
        })
        .fold((f64::MIN, 0), |a, b| if b.0 > a.0 { b } else { a })
}

/// The sweep in fixtures/spandsp_g722_ref.c: 100 Hz to 7 kHz over `n` samples at 16 kHz.
fn sweep(n: usize) -> Vec<f32> {
    let (f0, f1) = (100.0f64, 7000.0f64);
    let t_end = n as f64 / 16_000.0;
    let k = (f1 / f0).ln();
    (0..n)
        .map(|i| {
            let t = i as f64 / 16_000.0;
            let phase = 2.0 * std::f64::consts::PI * f0 * t_end * ((k * t / t_end).exp() - 1.0) / k;
            (0.5 * 32767.0 * phase.sin()).trunc() as f32 / 32768.0
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn s16le(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

#[test]
fn g722_round_trip_keeps_a_1khz_tone_and_a_sweep() {
    let params = CodecParams::g722();
    let input = tone(1000.0, 16_000, 1.0, 0.5);
    let mut enc = codec::new_encoder(&params, 20, OpusSettings::default()).expect("encoder");
    let mut dec = codec::new_decoder(&params, 20).expect("decoder");
    let decoded = round_trip(enc.as_mut(), dec.as_mut(), &input, 320);
    let steady = &decoded[1600..];
    let ratio = band_energy_ratio(steady, 16_000, 1000.0, 50.0);
    assert!(ratio > 0.99, "1 kHz band ratio {ratio:.4}");
    let level = rms(steady);
    assert!(
        (0.33..0.38).contains(&level),
        "level {level:.3} (input 0.354)"
    );
    let (snr, _) = best_snr(&input[1600..15_000], steady);
    assert!(snr > 30.0, "tone SNR {snr:.1} dB");

    // A sweep has one delay that fits: the QMF analysis + synthesis filters' 22 samples.
    let input = sweep(16_000);
    let mut enc = codec::new_encoder(&params, 20, OpusSettings::default()).expect("encoder");
    let mut dec = codec::new_decoder(&params, 20).expect("decoder");
    let decoded = round_trip(enc.as_mut(), dec.as_mut(), &input, 320);
    let (snr, delay) = best_snr(&input[..15_900], &decoded);
    assert_eq!(delay, 22);
    assert!(snr > 25.0, "sweep SNR {snr:.1} dB");
}

#[test]
fn g722_hears_spandsp_codes_as_spandsp_does() {
    let codes = fixture("spandsp-sweep.g722");
    let reference = s16le(&fixture("spandsp-sweep-decoded.s16le"));
    assert_eq!(reference.len(), codes.len() * 2);
    let mut dec = codec::new_decoder(&CodecParams::g722(), 20).expect("decoder");
    let mut out = vec![0.0f32; MAX_DECODED_SAMPLES];
    let mut ours = Vec::new();
    for packet in codes.chunks(160) {
        let n = dec.decode(packet, &mut out).expect("decode");
        ours.extend_from_slice(&out[..n]);
    }
    let (snr, delay) = best_snr(&reference, &ours);
    assert_eq!(delay, 0, "same QMF synthesis, no shift");
    assert!(snr > 40.0, "ours against spandsp's decoding: {snr:.1} dB");
}

#[test]
fn g722_codes_the_sweep_as_cleanly_as_spandsp() {
    let input = sweep(8000);
    let spandsp = s16le(&fixture("spandsp-sweep-decoded.s16le"));
    let params = CodecParams::g722();
    let mut enc = codec::new_encoder(&params, 20, OpusSettings::default()).expect("encoder");
    let mut dec = codec::new_decoder(&params, 20).expect("decoder");
    let ours = round_trip(enc.as_mut(), dec.as_mut(), &input, 320);
    // Up to 2.4 kHz, then the top of the band, where the QMF filters roll off towards 7 kHz.
    for (range, floor) in [(0..6000, 30.0), (6000..7900, 3.0)] {
        let (spandsp_snr, _) = best_snr(&input[range.clone()], &spandsp[range.start..]);
        let (our_snr, _) = best_snr(&input[range.clone()], &ours[range.start..]);
        assert!(
            spandsp_snr > floor,
            "{range:?}: spandsp {spandsp_snr:.1} dB"
        );
        assert!(
            our_snr > spandsp_snr - 1.0,
            "{range:?}: ours {our_snr:.1} dB, spandsp {spandsp_snr:.1} dB"
        );
    }
}

/// Encodes `input` in 20 ms frames, telling the encoder before frame `from` to expect `loss` %.
fn packets_expecting(input: &[f32], loss: u8, from: usize) -> Vec<Vec<u8>> {
    encode_expecting(OpusSettings::default(), input, loss, from)
}

/// As [`packets_expecting`], with an encoder built from `settings`.
fn encode_expecting(settings: OpusSettings, input: &[f32], loss: u8, from: usize) -> Vec<Vec<u8>> {
    let mut enc = OpusEncoder::new(960, settings).unwrap();
    let mut payload = [0u8; 1500];
    input
        .chunks_exact(960)
        .enumerate()
        .map(|(i, f)| {
            if i == from {
                enc.expect_loss(loss);
            }
            let n = enc.encode(f, &mut payload).unwrap();
            payload[..n].to_vec()
        })
        .collect()
}

/// libopus adds FEC data only when loss is expected and its rate test lets it: at 32 kbit/s
/// not for 2-5 % (see `pipeline/loss.rs`). Without it a lost frame is concealed from the one
/// before, which does not rebuild a frame that changed.
#[test]
fn opus_carries_fec_only_once_told_to_expect_loss() {
    let input = changing_voice(60);
    let clean = packets_expecting(&input, 0, 30);
    let too_little = packets_expecting(&input, 3, 30);
    let lossy = packets_expecting(&input, 6, 30);
    let (concealed, stuck, rebuilt) = (
        fec_snr(&clean[30..]),
        fec_snr(&too_little[30..]),
        fec_snr(&lossy[30..]),
    );
    assert!(concealed < 1.0, "no FEC expected, yet {concealed:.1} dB");
    assert!(stuck < 1.0, "libopus gave FEC at 3 %: {stuck:.1} dB");
    assert!(rebuilt > 2.0, "FEC at 6 % rebuilt only {rebuilt:.1} dB");
    // Before it was told, the lossy encoder sent what the clean one did.
    assert!(fec_snr(&lossy[..30]) < 1.0);
}

/// A far end without `useinbandfec=1` gets no FEC: an encoder built without in-band FEC sends
/// none even when told to expect 10 % loss, where the default one does.
#[test]
fn opus_without_inband_fec_carries_none_even_under_loss() {
    let input = changing_voice(60);
    let off = OpusSettings {
        inband_fec: false,
        ..OpusSettings::default()
    };
    let (without, with) = (
        fec_snr(&encode_expecting(off, &input, 10, 0)),
        fec_snr(&packets_expecting(&input, 10, 0)),
    );
    assert!(without < 1.0, "FEC off, yet {without:.1} dB at 10 %");
    assert!(with > 2.0, "FEC on at 10 % rebuilt only {with:.1} dB");
}
