//! Opus coding of espeak-ng speech scored by wideband PESQ, for `benches/opus_complexity.rs`
//! (the table the default complexity was chosen from) and `tests/opus_quality.rs` (its smoke).
#![allow(dead_code, reason = "each user takes part of it")]

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::echo_harness::speech;

use parla_media::codec::opus::{OpusDecoder, OpusEncoder};
use parla_media::codec::{Decoder, Encoder, OpusSettings};
use parla_testbench::pesq::pesq_score;

pub const FRAME: usize = 960;
/// Speech level, RMS (-20 dBFS).
pub const LEVEL: f64 = 0.1;
pub const SENTENCES: [(&str, &str); 4] = [
    (
        "en-us",
        "Glue the sheet to the dark blue background. It is easy to tell the depth of a well.",
    ),
    (
        "es",
        "Buenas tardes, llamo por la factura del mes pasado, creo que hay un error en el importe.",
    ),
    (
        "it",
        "Buongiorno, vorrei parlare con il responsabile del servizio clienti, per favore.",
    ),
    (
        "nl",
        "Goedemiddag, ik bel over de factuur van vorige maand, die klopt niet helemaal.",
    ),
];

/// The sentence as a 16 kHz reference file and as 48 kHz samples for the encoder.
pub fn speak(dir: &Path, voice: &str, text: &str) -> (PathBuf, Vec<f32>) {
    let reference = dir.join(format!("{voice}-16k.wav"));
    write_wav(&reference, 16_000, &speech(voice, text, 16_000, LEVEL));
    // Padded, so that the decoded speech (delayed by the codec) still covers the reference.
    let pad = vec![0.0; 24_000];
    let samples = [&pad[..], &speech(voice, text, 48_000, LEVEL), &pad].concat();
    (reference, samples)
}

/// Encodes and decodes `pcm` at `complexity`: the decoded speech and the encoder's median
/// time per frame in µs (each frame's best of three passes).
pub fn code(pcm: &[f32], complexity: u8) -> (Vec<f32>, f64) {
    let settings = OpusSettings {
        complexity,
        ..OpusSettings::default()
    };
    let frames: Vec<&[f32]> = pcm.chunks_exact(FRAME).collect();
    let mut best = vec![f64::MAX; frames.len()];
    let mut decoded = Vec::with_capacity(pcm.len());
    let mut packet = vec![0u8; 1500];
    let mut out = vec![0f32; FRAME];
    for pass in 0..3 {
        let mut encoder = OpusEncoder::new(FRAME, settings).unwrap();
        let mut decoder = OpusDecoder::new(FRAME).unwrap();
        for (i, frame) in frames.iter().enumerate() {
            let start = Instant::now();
            let n = encoder.encode(frame, &mut packet).unwrap();
            best[i] = best[i].min(start.elapsed().as_secs_f64() * 1e6);
            if pass == 0 {
                let m = decoder.decode(&packet[..n], &mut out).unwrap();
                decoded.extend_from_slice(&out[..m]);
            }
        }
    }
    best.sort_by(f64::total_cmp);
    (decoded, best[best.len() / 2])
}

pub fn write_wav(path: &Path, rate: u32, pcm: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for x in pcm {
        w.write_sample((x.clamp(-1.0, 1.0) * 32767.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

/// Wideband PESQ of `decoded` (48 kHz) against the 16 kHz `reference`, through a file named
/// after `tag` in `dir`.
pub fn score(dir: &Path, reference: &Path, decoded: &[f32], tag: &str) -> f64 {
    let received = dir.join(format!("{tag}.wav"));
    write_wav(&received, 48_000, decoded);
    pesq_score(reference, &received, 16_000).unwrap().mos
}
