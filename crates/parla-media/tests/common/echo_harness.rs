//! Offline echo scenes for the canceller's tests and benchmarks: far-end speech from
//! `espeak-ng`, an echo path (delay, a decaying random tail, a loss), near-end speech from
//! another voice in a double-talk window and alone at the end, and a delay step half-way.
//! Times are seconds from the start of the scene.
#![allow(dead_code)]

use std::process::Command;

use parla_media::resample::StreamResampler;

/// Far-end speech plays from 0 until here, then the far end is silent.
pub const FAR_END_STOP: f64 = 19.0;
/// Near-end speech over far-end speech.
pub const DOUBLE_TALK: (f64, f64) = (8.0, 10.5);
/// Near-end speech alone (the first half second lets the canceller see the far end is silent).
pub const NEAR_ONLY: (f64, f64) = (19.5, 22.0);
pub const SCENE_END: f64 = 22.0;
/// The echo path's delay changes here.
pub const STEP_AT: f64 = 13.0;
/// Far-end-only stretches where the converged ERLE is measured, before and after the step.
pub const ERLE_BEFORE_STEP: [(f64, f64); 2] = [(3.0, 8.0), (10.5, STEP_AT)];
pub const ERLE_AFTER_STEP: [(f64, f64); 1] = [(16.0, FAR_END_STOP)];
/// The pipeline's tick: render() gets 20 ms, then capture() the tick's 20 ms.
pub const TICK_S: f64 = 0.02;
/// ERLE a block must reach to count as converged.
pub const CONVERGED_DB: f64 = 20.0;
const BLOCK_S: f64 = 0.25;

const FAR_TEXT: &str = "The quick brown fox jumps over the lazy dog. \
    Please call me back when you get this message, it is about the meeting on Thursday. \
    We have moved the review to the large room on the second floor. \
    Bring the printed report and the figures from last quarter. \
    If the train is late again, start without me and I will join by phone. \
    The weather should be fine, but take an umbrella just in case. \
    Remember that the office closes early on Friday afternoon. \
    Thank you, and talk to you soon.";
const NEAR_TEXT: &str = "Sorry, could you say that again? The line was breaking up. \
    I will send the documents tonight. Yes, Thursday works for me, see you then.";

/// The echo path: delay, loss and a decaying tail.
#[derive(Debug, Clone, Copy)]
pub struct EchoPath {
    pub delay_ms: f64,
    pub delay_after_step_ms: f64,
    pub loss_db: f64,
    /// Length and time constant of the exponentially decaying random tail.
    pub tail_ms: f64,
    pub decay_ms: f64,
}

impl Default for EchoPath {
    fn default() -> Self {
        Self {
            delay_ms: 60.0,
            delay_after_step_ms: 110.0,
            loss_db: 9.0,
            tail_ms: 40.0,
            decay_ms: 8.0,
        }
    }
}

/// One scene at `rate`: the microphone signal is `echo + near + noise`.
pub struct EchoScene {
    pub rate: u32,
    pub far: Vec<f32>,
    pub near: Vec<f32>,
    pub echo: Vec<f32>,
    pub mic: Vec<f32>,
}

/// What a canceller achieved on a scene.
#[derive(Debug, Clone, Copy)]
pub struct EchoFigures {
    /// Over the far-end-only stretches after 3 s, before the step.
    pub erle_db: f64,
    /// Over the far-end-only stretch from 3 s after the step.
    pub erle_after_step_db: f64,
    /// Seconds from the start until every later active 250 ms block reaches [`CONVERGED_DB`]
    /// (within the first far-end-only stretch).
    pub converge_s: f64,
    /// The same, from the delay step.
    pub reconverge_s: f64,
    /// How much the near-end speech lost in double talk, dB (positive: quieter).
    pub double_talk_loss_db: f64,
    /// The same measure as `double_talk_loss_db` with the near end alone.
    pub near_only_loss_db: f64,
    /// How late the near-end speech comes out, ms.
    pub added_delay_ms: f64,
    /// Output level over input level with near-end speech alone, dB.
    pub near_only_change_db: f64,
}

/// Deterministic noise source (xorshift), uniform in [-1, 1).
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }
}

/// `text` spoken by espeak-ng's `voice`, at `rate`, scaled to `rms`.
pub fn speech(voice: &str, text: &str, rate: u32, rms_target: f64) -> Vec<f32> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("speech.wav");
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("espeak-ng runs (scripts/install-test-deps.sh installs it)");
    assert!(status.success(), "espeak-ng failed: {status}");
    let mut reader = hound::WavReader::open(&path).expect("espeak wav");
    let from = reader.spec().sample_rate;
    let raw: Vec<f32> = reader
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    let mut out = Vec::with_capacity(raw.len() * rate as usize / from as usize + 1024);
    let mut resampler =
        StreamResampler::new(from, rate, from as usize / 100).expect("resampler for speech");
    let delay = resampler.delay();
    resampler
        .process(&raw, &mut |pcm| out.extend_from_slice(pcm))
        .expect("resample speech");
    out.drain(..delay.min(out.len()));
    let level = rms(&out);
    let gain = if level > 0.0 { rms_target / level } else { 0.0 };
    out.iter_mut()
        .for_each(|s| *s = (f64::from(*s) * gain) as f32);
    out
}

/// Copies of `speech` back to back (with 300 ms gaps) until `len` samples.
fn repeated(speech: &[f32], len: usize, rate: u32) -> Vec<f32> {
    let gap = vec![0.0; (rate as usize * 3) / 10];
    let mut out = Vec::with_capacity(len + speech.len() + gap.len());
    while out.len() < len {
        out.extend_from_slice(speech);
        out.extend_from_slice(&gap);
    }
    out.truncate(len);
    out
}

/// A unit-energy impulse response: a direct tap and an exponentially decaying random tail.
fn impulse_response(path: &EchoPath, rate: u32, noise: &mut Noise) -> Vec<f32> {
    let n = (path.tail_ms * f64::from(rate) / 1000.0) as usize + 1;
    let decay = path.decay_ms * f64::from(rate) / 1000.0;
    let mut h: Vec<f64> = (0..n)
        .map(|k| {
            if k == 0 {
                1.0
            } else {
                0.6 * f64::from(noise.next()) * (-(k as f64) / decay).exp()
            }
        })
        .collect();
    let energy: f64 = h.iter().map(|v| v * v).sum();
    let scale = 10f64.powf(-path.loss_db / 20.0) / energy.sqrt();
    h.iter_mut().for_each(|v| *v *= scale);
    h.into_iter().map(|v| v as f32).collect()
}

/// `x` through the FIR `h` (FFT convolution: a debug build is too slow sample by sample).
fn convolve(x: &[f32], h: &[f32]) -> Vec<f32> {
    let n = (x.len() + h.len()).next_power_of_two();
    let mut planner = realfft::RealFftPlanner::<f32>::new();
    let (forward, inverse) = (planner.plan_fft_forward(n), planner.plan_fft_inverse(n));
    let spectrum = |signal: &[f32]| {
        let mut padded = vec![0.0f32; n];
        padded[..signal.len()].copy_from_slice(signal);
        let mut out = forward.make_output_vec();
        forward.process(&mut padded, &mut out).expect("forward FFT");
        out
    };
    let mut product: Vec<_> = spectrum(x)
        .iter()
        .zip(spectrum(h))
        .map(|(a, b)| a * b / n as f32)
        .collect();
    let mut out = vec![0.0f32; n];
    inverse
        .process(&mut product, &mut out)
        .expect("inverse FFT");
    out.truncate(x.len());
    out
}

fn at(t: f64, rate: u32) -> usize {
    (t * f64::from(rate)).round() as usize
}

/// The standard scene at `rate` with `path`.
pub fn scene(rate: u32, path: EchoPath) -> EchoScene {
    let len = at(SCENE_END, rate);
    let far_speech = speech("en-us", FAR_TEXT, rate, 0.1);
    let mut far = repeated(&far_speech, len, rate);
    far[at(FAR_END_STOP, rate)..].fill(0.0);

    let near_speech = speech("en-gb+f3", NEAR_TEXT, rate, 0.07);
    let mut near = vec![0.0f32; len];
    for (start, end) in [DOUBLE_TALK, NEAR_ONLY] {
        let (a, b) = (at(start, rate), at(end, rate));
        let take = (b - a).min(near_speech.len());
        near[a..a + take].copy_from_slice(&near_speech[..take]);
    }

    let mut noise = Noise::new(0x5eed_ec40);
    let h = impulse_response(&path, rate, &mut noise);
    let through_room = convolve(&far, &h);
    let step = at(STEP_AT, rate);
    let echo: Vec<f32> = (0..len)
        .map(|n| {
            let delay_ms = if n < step {
                path.delay_ms
            } else {
                path.delay_after_step_ms
            };
            let d = (delay_ms * f64::from(rate) / 1000.0) as usize;
            n.checked_sub(d).map_or(0.0, |i| through_room[i])
        })
        .collect();
    // A quiet room: -80 dBFS of white noise.
    let mic = echo
        .iter()
        .zip(&near)
        .map(|(e, s)| e + s + 0.0001 * noise.next() * 1.732)
        .collect();
    EchoScene {
        rate,
        far,
        near,
        echo,
        mic,
    }
}

/// Feeds the scene as the call pipeline does: each 20 ms tick, the speaker's audio to
/// `render`, then the tick's microphone audio to `capture` (in place). Returns the output.
pub fn run(
    scene: &EchoScene,
    render: &mut dyn FnMut(&[f32]),
    capture: &mut dyn FnMut(&mut [f32]),
) -> Vec<f32> {
    let tick = at(TICK_S, scene.rate);
    let mut out = scene.mic.clone();
    let ticks = out.len() / tick;
    out.truncate(ticks * tick);
    for (i, frame) in out.chunks_exact_mut(tick).enumerate() {
        render(&scene.far[i * tick..(i + 1) * tick]);
        capture(frame);
    }
    out
}

pub fn rms(x: &[f32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    (energy(x) / x.len() as f64).sqrt()
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum()
}

fn db(ratio: f64) -> f64 {
    10.0 * ratio.max(1e-12).log10()
}

/// ERLE over the given stretches: echo energy over output energy.
fn erle(scene: &EchoScene, out: &[f32], spans: &[(f64, f64)]) -> f64 {
    let (mut e, mut o) = (0.0, 0.0);
    for &(a, b) in spans {
        let (a, b) = (at(a, scene.rate), at(b, scene.rate).min(out.len()));
        e += energy(&scene.echo[a..b]);
        o += energy(&out[a..b]);
    }
    db(e / o)
}

/// ERLE of each 250 ms block from `from` to `to`: (block end, seconds after `from`; `None`
/// for a block without echo in it, more than 20 dB under the span's mean).
pub fn block_erle(scene: &EchoScene, out: &[f32], from: f64, to: f64) -> Vec<(f64, Option<f64>)> {
    let block = at(BLOCK_S, scene.rate);
    let (a, b) = (at(from, scene.rate), at(to, scene.rate).min(out.len()));
    let mean = energy(&scene.echo[a..b]) / ((b - a) / block) as f64;
    (a..b - block + 1)
        .step_by(block)
        .enumerate()
        .map(|(i, start)| {
            let e = energy(&scene.echo[start..start + block]);
            let erle = (e >= mean * 1e-2).then(|| db(e / energy(&out[start..start + block])));
            ((i + 1) as f64 * BLOCK_S, erle)
        })
        .collect()
}

/// Seconds after `from` until every later block with echo in it reaches [`CONVERGED_DB`].
fn convergence(scene: &EchoScene, out: &[f32], from: f64, to: f64) -> f64 {
    block_erle(scene, out, from, to)
        .into_iter()
        .filter(|(_, erle)| erle.is_some_and(|e| e < CONVERGED_DB))
        .map(|(t, _)| t)
        .fold(0.0, f64::max)
}

/// Least-squares gain of `reference` in `out` at the best lag up to 30 ms: (dB lost, lag ms).
fn projection_loss(reference: &[f32], out: &[f32], rate: u32) -> (f64, f64) {
    let max_lag = rate as usize * 30 / 1000;
    let own = energy(reference);
    let (lag, gain) = (0..=max_lag)
        .map(|lag| {
            let dot: f64 = reference[..reference.len() - lag]
                .iter()
                .zip(&out[lag..])
                .map(|(&r, &o)| f64::from(r) * f64::from(o))
                .sum();
            (lag, dot / own)
        })
        .fold((0, 0.0f64), |best, x| if x.1 > best.1 { x } else { best });
    (
        -20.0 * gain.max(1e-6).log10(),
        lag as f64 * 1000.0 / f64::from(rate),
    )
}

pub fn measure(scene: &EchoScene, out: &[f32]) -> EchoFigures {
    let rate = scene.rate;
    let span = |(a, b): (f64, f64)| at(a, rate)..at(b, rate).min(out.len());
    let dt = span(DOUBLE_TALK);
    let near_only = span(NEAR_ONLY);
    let near_alone = projection_loss(
        &scene.near[near_only.clone()],
        &out[near_only.clone()],
        rate,
    );
    EchoFigures {
        erle_db: erle(scene, out, &ERLE_BEFORE_STEP),
        erle_after_step_db: erle(scene, out, &ERLE_AFTER_STEP),
        converge_s: convergence(scene, out, 0.0, DOUBLE_TALK.0),
        reconverge_s: convergence(scene, out, STEP_AT, FAR_END_STOP),
        double_talk_loss_db: projection_loss(&scene.near[dt.clone()], &out[dt], rate).0,
        near_only_loss_db: near_alone.0,
        added_delay_ms: near_alone.1,
        near_only_change_db: db(energy(&out[near_only.clone()]) / energy(&scene.near[near_only])),
    }
}
