//! The echo cancellers side by side on the offline scene of `tests/common/echo_harness.rs`:
//! ERLE reached, time to converge (and to reconverge after the delay step), what double talk
//! costs the near end, and CPU per 10 ms frame (render and capture together), at 8 (sonora only),
//! 16 and 48 kHz; then the CPU of each stage of Parla's chain alone at 48 kHz.
//! `speexdsp` is not measured: its `sys` bindings need libclang (bindgen 0.37) at build time.
//! Run: `cargo bench -p parla-media --bench echo` (ECHO_BLOCKS=1 prints ERLE per 250 ms block).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark"
)]

#[path = "../tests/common/echo_harness.rs"]
mod echo_harness;

use std::time::Instant;

use aec3::nodes::audio::AudioFormat;
use aec3::pipelines::linear::{self, LinearPipeline};
use echo_harness::{EchoFigures, EchoPath, EchoScene};
use parla_media::processing::{CaptureProcessor, ProcessingConfig};

/// One candidate, fed as the call pipeline feeds `CaptureProcessor`.
trait EchoCanceller {
    fn render(&mut self, played: &[f32]);
    /// A whole number of 10 ms frames, in place.
    fn capture(&mut self, frame: &mut [f32]);
}

/// `sonora` (WebRTC APM with AEC3) through the crate's own processor.
struct Sonora(CaptureProcessor);

impl Sonora {
    fn new(rate: u32, config: ProcessingConfig) -> Self {
        Self(CaptureProcessor::new(config, rate).unwrap())
    }
}

const AEC_ONLY: ProcessingConfig = ProcessingConfig {
    echo_cancellation: true,
    ..ProcessingConfig::OFF
};

impl EchoCanceller for Sonora {
    fn render(&mut self, played: &[f32]) {
        self.0.render(played);
    }

    fn capture(&mut self, frame: &mut [f32]) {
        self.0.capture(frame);
    }
}

/// `aec3`'s linear pipeline with only its high-pass filter and AEC3 on.
struct Aec3 {
    pipeline: LinearPipeline,
    frame: usize,
    out: Vec<f32>,
}

impl Aec3 {
    fn new(rate: u32) -> Self {
        let format = AudioFormat::ten_ms(rate, 1);
        let pipeline = linear::builder(format, format)
            .enable_noise_suppression(false)
            .enable_gain_controller2(false)
            .enable_post_filter(false)
            .build()
            .unwrap();
        let frame = format.sample_count();
        Self {
            pipeline,
            frame,
            out: vec![0.0; frame],
        }
    }
}

impl EchoCanceller for Aec3 {
    fn render(&mut self, played: &[f32]) {
        for chunk in played.chunks_exact(self.frame) {
            self.pipeline.handle_render_frame(chunk).unwrap();
        }
    }

    fn capture(&mut self, frame: &mut [f32]) {
        for chunk in frame.chunks_exact_mut(self.frame) {
            if self
                .pipeline
                .process_capture_frame(chunk, &mut self.out)
                .unwrap()
            {
                chunk.copy_from_slice(&self.out);
            }
        }
    }
}

struct Row {
    name: &'static str,
    rate: u32,
    figures: EchoFigures,
    us_per_frame: f64,
}

/// Runs the scene three times with fresh cancellers; CPU time is the fastest run's.
fn measure(
    name: &'static str,
    scene: &EchoScene,
    make: &dyn Fn() -> Box<dyn EchoCanceller>,
) -> Row {
    let mut best = f64::MAX;
    let mut out = Vec::new();
    for _ in 0..3 {
        let c = std::cell::RefCell::new(make());
        let start = Instant::now();
        out = echo_harness::run(
            scene,
            &mut |played| c.borrow_mut().render(played),
            &mut |frame| c.borrow_mut().capture(frame),
        );
        best = best.min(start.elapsed().as_secs_f64());
    }
    let frames = out.len() / (scene.rate as usize / 100);
    if std::env::var_os("ECHO_BLOCKS").is_some() {
        for (from, to) in [
            (0.0, echo_harness::DOUBLE_TALK.0),
            (echo_harness::STEP_AT, echo_harness::FAR_END_STOP),
        ] {
            let blocks = echo_harness::block_erle(scene, &out, from, to);
            let line: Vec<String> = blocks
                .iter()
                .map(|(t, e)| e.map_or_else(|| format!("{t:.2}:-"), |e| format!("{t:.2}:{e:.0}")))
                .collect();
            println!("{name} {} Hz from {from} s: {}", scene.rate, line.join(" "));
        }
    }
    Row {
        name,
        rate: scene.rate,
        figures: echo_harness::measure(scene, &out),
        us_per_frame: best * 1e6 / frames as f64,
    }
}

/// CPU per 10 ms frame of each stage of the chain alone at 48 kHz, the rate calls with Opus
/// run it at, on the same scene: where the processing's share of a call's CPU goes.
fn stage_costs() {
    let scene = echo_harness::scene(48_000, EchoPath::default());
    let off = ProcessingConfig::OFF;
    let stages = [
        (
            "high-pass",
            ProcessingConfig {
                high_pass: true,
                ..off
            },
        ),
        ("echo cancellation", AEC_ONLY),
        (
            "noise suppression",
            ProcessingConfig {
                noise_suppression: true,
                ..off
            },
        ),
        (
            "automatic gain",
            ProcessingConfig {
                auto_gain: true,
                ..off
            },
        ),
        ("all four", ProcessingConfig::default()),
    ];
    println!("sonora at 48 kHz, one stage at a time (µs per 10 ms frame, render and capture):");
    for (name, config) in stages {
        let row = measure("stage", &scene, &|| Box::new(Sonora::new(48_000, config)));
        println!("  {name:<18} {:>6.0}", row.us_per_frame);
    }
}

fn main() {
    let mut rows = Vec::new();
    for rate in [8000, 16000, 48000] {
        let scene = echo_harness::scene(rate, EchoPath::default());
        rows.push(measure("sonora 0.2", &scene, &|| {
            Box::new(Sonora::new(rate, AEC_ONLY))
        }));
        // The chain as calls run it: high-pass, AEC, NS and AGC (the figures then include
        // what NS and AGC do to the near end).
        rows.push(measure("sonora all", &scene, &|| {
            Box::new(Sonora::new(rate, ProcessingConfig::default()))
        }));
        // aec3's pipeline takes 16 to 48 kHz only.
        if rate >= 16000 {
            rows.push(measure("aec3 0.4", &scene, &|| Box::new(Aec3::new(rate))));
        }
    }
    println!(
        "echo path: {:?} (delay step at {} s)",
        EchoPath::default(),
        echo_harness::STEP_AT
    );
    println!(
        "{:<11} {:>6} {:>9} {:>10} {:>12} {:>14} {:>12} {:>12} {:>10} {:>9} {:>11}",
        "canceller",
        "rate",
        "ERLE dB",
        "conv. s",
        "reconv. s",
        "ERLE step dB",
        "DT loss dB",
        "near-only dB",
        "NO loss dB",
        "delay ms",
        "µs/10 ms"
    );
    for r in rows {
        let f = r.figures;
        println!(
            "{:<11} {:>6} {:>9.1} {:>10.2} {:>12.2} {:>14.1} {:>12.1} {:>12.2} {:>10.1} {:>9.1} {:>11.0}",
            r.name,
            r.rate,
            f.erle_db,
            f.converge_s,
            f.reconverge_s,
            f.erle_after_step_db,
            f.double_talk_loss_db,
            f.near_only_change_db,
            f.near_only_loss_db,
            f.added_delay_ms,
            r.us_per_frame
        );
    }
    stage_costs();
}
