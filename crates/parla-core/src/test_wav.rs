//! Test-only: a WAV file for messages and greetings, written without a WAV crate (parla-core
//! has none; the media crate reads what this writes).

use std::path::Path;

/// A 16 kHz mono 16-bit WAV of a 440 Hz tone, `ms` long.
pub fn write_wav(path: &Path, ms: u32) {
    let samples = 16 * ms;
    let data_len = samples * 2;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&16_000u32.to_le_bytes());
    bytes.extend_from_slice(&32_000u32.to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = i as f32 / 16_000.0;
        let s = (0.3 * (std::f32::consts::TAU * 440.0 * t).sin() * 32767.0) as i16;
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(path, bytes).expect("write the test WAV");
}
