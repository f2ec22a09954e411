//! Telling whether Opus packets carry in-band FEC: a signal that concealment cannot carry on,
//! and how closely the next packet's FEC data rebuilds each frame.
#![allow(dead_code)]

use parla_media::codec::opus::OpusDecoder;
use parla_media::codec::{Decoder, MAX_DECODED_SAMPLES};

/// A voice-like signal whose pitch and vowel change every 20 ms frame: concealment carries the
/// previous frame on, so only FEC data rebuilds a lost frame closely.
pub fn changing_voice(frames: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(frames * 960);
    for f in 0..frames {
        let pitch = [110.0, 180.0, 140.0, 230.0, 125.0][f % 5];
        let formant = [700.0, 300.0, 1200.0][f % 3];
        for i in 0..960 {
            let t = i as f64 / 48_000.0;
            let mut x = 0.0;
            for h in 1..30 {
                let fh = pitch * h as f64;
                let weight = 1.0 / (1.0 + ((fh - formant) / 300.0).powi(2));
                x += weight * (std::f64::consts::TAU * fh * t).sin();
            }
            out.push((0.08 * x) as f32);
        }
    }
    out
}

/// Mean SNR (dB) of each frame from the 11th on rebuilt from the next packet's FEC data,
/// against the same frame decoded from its own packet.
pub fn fec_snr(packets: &[Vec<u8>]) -> f64 {
    let mut out = vec![0.0f32; MAX_DECODED_SAMPLES];
    let mut total = 0.0;
    let mut count = 0;
    for lost in 10..packets.len() - 1 {
        let mut reference = OpusDecoder::new(960).unwrap();
        let mut rebuilt = OpusDecoder::new(960).unwrap();
        for p in &packets[..lost] {
            reference.decode(p, &mut out).unwrap();
            rebuilt.decode(p, &mut out).unwrap();
        }
        let mut want = vec![0.0f32; 960];
        reference.decode(&packets[lost], &mut want).unwrap();
        rebuilt.decode_fec(&packets[lost + 1], &mut out).unwrap();
        let signal: f64 = want.iter().map(|&x| f64::from(x).powi(2)).sum();
        let noise: f64 = want
            .iter()
            .zip(&out)
            .map(|(&a, &b)| f64::from(a - b).powi(2))
            .sum();
        total += 10.0 * (signal / noise.max(1e-12)).log10();
        count += 1;
    }
    total / f64::from(count)
}
