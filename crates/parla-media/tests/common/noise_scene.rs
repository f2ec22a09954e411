//! Speech in noise for the noise suppression's test and benchmark: espeak-ng speech after a
//! second of noise alone and before two more, in pink noise or babble (four other espeak
//! voices mixed) at a chosen SNR, run through `CaptureProcessor`; the SNR gained and how much
//! the speech level changed. Noise-only seconds at the end give the output's noise level; 50 ms
//! frames where the clean speech is within 30 dB of its mean give the speech (minus that noise).
#![allow(dead_code, reason = "each test binary uses part of it")]

use super::echo_harness::{speech, Noise};
use parla_media::processing::{CaptureProcessor, ProcessingConfig};

pub const SPEECH: &str = "Hello, this is Anna from the front desk. Your parcel arrived this \
    morning and it is waiting for you downstairs. We close at six, so please come \
    before then, or call me back and I will keep it until tomorrow.";
pub const BABBLE: [(&str, &str); 4] = [
    (
        "en-gb",
        "The meeting ran long again and nobody had the minutes ready for the board.",
    ),
    (
        "en-us+f2",
        "Did you see the match last night? I could not believe the final score.",
    ),
    (
        "en-gb-scotland",
        "Take the second left after the bridge and the shop is on your right.",
    ),
    (
        "en-us+m3",
        "I think the printer on the third floor is out of toner once more.",
    ),
];
/// Noise alone at the end, for the output's noise level.
pub const NOISE_TAIL_S: f64 = 2.0;
pub const LEAD_S: f64 = 1.0;

pub fn power(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len().max(1) as f64
}

pub fn db(x: f64) -> f64 {
    10.0 * x.max(1e-15).log10()
}

/// Pink noise (Paul Kellet's filter over white noise), unit power.
pub fn pink(len: usize) -> Vec<f32> {
    let mut white = Noise::new(0x9157);
    let mut b = [0.0f32; 7];
    let mut out: Vec<f32> = (0..len)
        .map(|_| {
            let w = white.next();
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.153_852;
            b[3] = 0.86650 * b[3] + w * 0.310_485_6;
            b[4] = 0.55000 * b[4] + w * 0.532_952_2;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            let p = b[..6].iter().sum::<f32>() + b[6] + w * 0.5362;
            b[6] = w * 0.115926;
            p
        })
        .collect();
    normalise(&mut out);
    out
}

/// Four voices, each looped to `len`, mixed; unit power.
pub fn babble(len: usize, rate: u32) -> Vec<f32> {
    let mut mix = vec![0.0f32; len];
    for (i, (voice, text)) in BABBLE.iter().enumerate() {
        let s = speech(voice, text, rate, 0.1);
        // Each voice starts elsewhere in its sentence so the pauses do not line up.
        let offset = i * s.len() / BABBLE.len();
        for (n, m) in mix.iter_mut().enumerate() {
            *m += s[(n + offset) % s.len()];
        }
    }
    normalise(&mut mix);
    mix
}

pub fn normalise(x: &mut [f32]) {
    let gain = 1.0 / power(x).sqrt();
    x.iter_mut()
        .for_each(|v| *v = (f64::from(*v) * gain) as f32);
}

pub struct Figures {
    pub snr_gain_db: f64,
    pub speech_change_db: f64,
    pub noise_change_db: f64,
}

pub fn measure(
    rate: u32,
    clean: &[f32],
    noise: &[f32],
    snr_db: f64,
    config: ProcessingConfig,
) -> Figures {
    let frame = rate as usize / 20;
    let active: Vec<bool> = {
        let mean = power(clean);
        clean
            .chunks(frame)
            .map(|c| power(c) > mean * 1e-3)
            .collect()
    };
    let speech_power = {
        let frames: Vec<f64> = clean
            .chunks(frame)
            .zip(&active)
            .filter(|(_, &a)| a)
            .map(|(c, _)| power(c))
            .collect();
        frames.iter().sum::<f64>() / frames.len() as f64
    };
    let noise_gain = (speech_power / 10f64.powf(snr_db / 10.0)).sqrt();
    let mut mic: Vec<f32> = clean
        .iter()
        .zip(noise)
        .map(|(&s, &n)| s + (f64::from(n) * noise_gain) as f32)
        .collect();
    let mut p = CaptureProcessor::new(config, rate).unwrap();
    for tick in mic.chunks_exact_mut(rate as usize / 50) {
        p.capture(tick);
    }
    let tail = mic.len() - (NOISE_TAIL_S * 0.75 * f64::from(rate)) as usize;
    let out_noise = power(&mic[tail..]);
    let out_speech_frames: Vec<f64> = mic
        .chunks(frame)
        .zip(&active)
        .filter(|(_, &a)| a)
        .map(|(c, _)| power(c))
        .collect();
    let out_speech = (out_speech_frames.iter().sum::<f64>() / out_speech_frames.len() as f64
        - out_noise)
        .max(1e-15);
    let in_noise = noise_gain * noise_gain;
    Figures {
        snr_gain_db: db(out_speech / out_noise) - snr_db,
        speech_change_db: db(out_speech / speech_power),
        noise_change_db: db(out_noise / in_noise),
    }
}

/// The clean speech at `rate`, with the lead-in and the noise-only tail as silence.
pub fn clean_speech(rate: u32) -> Vec<f32> {
    let lead = (LEAD_S * f64::from(rate)) as usize;
    let mut clean = vec![0.0f32; lead];
    clean.extend(speech("en-us+f3", SPEECH, rate, 0.05));
    clean.extend(vec![0.0f32; (NOISE_TAIL_S * f64::from(rate)) as usize]);
    clean
}
