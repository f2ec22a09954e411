//! Client-added one-way delay, capture to playout, network excluded: the echo test (microphone
//! -> encode -> RTP over loopback -> jitter buffer -> decode -> speaker) on cpal's default
//! devices, provided by a test-started PulseAudio.
//!
//! The microphone and the speaker are the left and the right channel of one probe sink (two
//! remap sinks on it), recorded by one `parec`: a sample is in the recording when the probe
//! sink renders it, which is when the microphone's monitor hands it to Parla, or when the
//! speaker plays it, on one clock and in the same block. Their offset is the delay Parla adds.
//! (Until December 2026 each side went through its own `module-loopback` into the probe; those
//! two queues wandered apart by 5-10 ms from run to run, as much as the figure being measured.)
//! The signal is a run of frequency sweeps, no two alike, whose cross-correlation has one sharp
//! peak.
//!
//! Five runs, each a fresh echo test recorded from its first sound: the delay is measured over
//! every half-second window, and each run reports the median of its first two seconds and of
//! the rest (settled).
//!
//! `cargo bench --bench latency` (release build). Prints the medians, how many runs settled
//! within 60 ms and the playback underruns; asserts nothing. `LATENCY_RUNS` (default 5) and
//! `LATENCY_RUN_S` (seconds recorded per run, default 9): fifteen 9 s runs cannot tell apart
//! variants 2 ms of median apart (underruns come in clusters). With
//! `LATENCY_DEVICE_LOG=1` it also prints the device rings' fill and ratio reports;
//! `LATENCY_WINDOWS=1` prints every window's delay, from the speaker's first sound;
//! `LATENCY_AUDIO` adds lines to Parla's `[audio]` section (`LATENCY_AUDIO=$'echo_cancellation =
//! false\nnoise_suppression = false\nauto_gain = false'` measures without the processing);
//! `LATENCY_CODEC` runs the echo test through another codec (`pcmu`, `pcma`, `g722`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use parla_testbench::headless::read_stderr_log;
use parla_testbench::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);
const RATE: u32 = 48_000;
/// Echo test runs, each on freshly opened devices and a fresh jitter buffer (`LATENCY_RUNS`,
/// up to [`MAX_RUNS`]).
const RUNS: usize = 5;
const MAX_RUNS: usize = 50;
/// What is recorded of each run, from just before it starts (`LATENCY_RUN_S`, from [`EARLY_S`]
/// + 2 s to [`MAX_RUN_S`]).
const RUN_S: f64 = 9.0;
const MAX_RUN_S: f64 = 60.0;
/// The start-up part of a run; the rest is the settled part.
const EARLY_S: f64 = 2.0;
/// One sweep, and the window each delay is measured over.
const SWEEP_S: f64 = 0.5;
const MAX_LAG_S: f64 = 0.3;

/// Back-to-back frequency sweeps, one every [`SWEEP_S`], each between its own two frequencies
/// in 300-3000 Hz (up or down): any window of that length holds a whole sweep's worth of
/// signal, so the delay can be measured window by window from the start. No two sweeps are
/// alike: with one sweep repeated, the echo canceller took the microphone for an echo of the
/// speaker half a second before, and cancelled the very signal being measured.
fn write_sweeps(path: &Path, seconds: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    let period = (f64::from(RATE) * SWEEP_S) as usize;
    // A fixed seed: the same signal on every run of the bench.
    let mut rng = StdRng::seed_from_u64(0x9E37_79B9_7F4A_7C15);
    let (mut f0, mut f1) = (300.0, 3000.0);
    for n in 0..(RATE * seconds) as usize {
        if n % period == 0 {
            let (a, b): (f64, f64) = (
                rng.random_range(300.0..3000.0),
                rng.random_range(300.0..3000.0),
            );
            // At least 1 kHz wide, so each window still correlates sharply.
            let lo = a.min(b).min(2000.0);
            let hi = a.max(b).max(lo + 1000.0);
            (f0, f1) = if rng.random_bool(0.5) {
                (lo, hi)
            } else {
                (hi, lo)
            };
        }
        let t = (n % period) as f64 / f64::from(RATE);
        let phase = 2.0 * std::f64::consts::PI * (f0 * t + (f1 - f0) * t * t / (2.0 * SWEEP_S));
        w.write_sample((0.5 * phase.sin() * 32767.0) as i16)
            .expect("sample");
    }
    w.finalize().expect("finalize");
}

/// Playback underruns in Parla's log beyond each run's first fill (the start of each echo
/// test also writes its queue's padding): `padded=` above 0 on a playback drift report.
fn underruns(log: &str, runs: usize) -> usize {
    log.lines()
        .map(strip_ansi)
        .filter(|l| {
            l.contains("drift")
                && l.contains("playback")
                && l.contains("padded=")
                && !l.contains("padded=0")
        })
        .count()
        .saturating_sub(runs)
}

fn channels(path: &Path) -> (Vec<f32>, Vec<f32>) {
    let mut r = hound::WavReader::open(path).expect("recording");
    let samples: Vec<f32> = r
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap_or(0)) / 32768.0)
        .collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

/// Lag (in samples, 0..max) by which `later[at..at + len]` best matches `earlier`, by
/// normalised correlation, with the correlation value.
fn lag_at(earlier: &[f32], later: &[f32], at: usize, len: usize, max: usize) -> (usize, f32) {
    let mut best = (0, f32::MIN);
    for lag in 0..max.min(at) {
        let (mut xy, mut xx, mut yy) = (0.0f32, 0.0f32, 0.0f32);
        for i in (at..at + len).step_by(2) {
            let (x, y) = (earlier[i - lag], later[i]);
            xy += x * y;
            xx += x * x;
            yy += y * y;
        }
        let c = xy / (xx.sqrt() * yy.sqrt()).max(1e-9);
        if c > best.1 {
            best = (lag, c);
        }
    }
    best
}

/// One run's delays in ms, window by window from when the speaker first plays the signal:
/// (those in the first [`EARLY_S`], those after). `print_windows`: each is printed as well.
fn delays(mic: &[f32], speaker: &[f32], print_windows: bool) -> (Vec<f64>, Vec<f64>) {
    let rate = f64::from(RATE);
    let max = (rate * MAX_LAG_S) as usize;
    let win = (rate * SWEEP_S) as usize;
    let Some(start) = speaker.iter().position(|s| s.abs() > 0.02) else {
        return (Vec::new(), Vec::new());
    };
    let (mut early, mut settled) = (Vec::new(), Vec::new());
    let mut at = start.max(max);
    while at + win <= speaker.len().min(mic.len()) {
        let (lag, corr) = lag_at(mic, speaker, at, win, max);
        if corr > 0.5 {
            let ms = lag as f64 * 1000.0 / rate;
            if print_windows {
                println!(
                    "  window at {:.2} s: {ms:.1} ms",
                    (at - start) as f64 / rate
                );
            }
            if ((at + win - start) as f64) <= EARLY_S * rate {
                early.push(ms);
            } else {
                settled.push(ms);
            }
        }
        at += win / 2;
    }
    (early, settled)
}

fn main() {
    // Real-time, as on a desktop: an ordinary daemon on a busy machine hands the microphone
    // over late now and then, and each late hand-over lands in the figure.
    let mut pulse = PulseAudio::start_realtime().expect("pulseaudio");
    let work = tempfile::tempdir().expect("dir");
    // probe: left = the microphone, right = the speaker, each a remap sink on one channel of it.
    pulse.add_null_sink("probe", 2).expect("probe sink");
    for (side, role) in [("left", "mic"), ("right", "spk")] {
        pulse
            .add_remap_sink(&format!("probe_{role}"), "probe", &format!("front-{side}"))
            .expect("remap sink");
    }
    let runs = env_in_range("LATENCY_RUNS", RUNS, 1, MAX_RUNS).unwrap_or_else(|e| panic!("{e}"));
    let run_s = env_in_range("LATENCY_RUN_S", RUN_S, EARLY_S + 2.0, MAX_RUN_S)
        .unwrap_or_else(|e| panic!("{e}"));
    let sweeps = work.path().join("sweeps.wav");
    // Enough for every run and the set-up between runs (a few seconds each).
    write_sweeps(&sweeps, (runs as f64 * (run_s + 10.0)).ceil() as u32 + 60);
    let _mic = pulse.play_into("probe_mic", &sweeps).expect("play");

    let profile = work.path().join("parla");
    std::fs::create_dir_all(&profile).expect("profile");
    let extra = std::env::var("LATENCY_AUDIO").unwrap_or_default();
    std::fs::write(
        profile.join("config.toml"),
        format!("[audio]\ninput = \"default\"\noutput = \"default\"\n{extra}\n"),
    )
    .expect("config");
    let env = pulse.env();
    let mut env: Vec<(&str, &str)> = env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .filter(|(k, _)| !matches!(*k, "PULSE_SINK" | "PULSE_SOURCE"))
        .collect();
    env.extend([
        ("PULSE_SINK", "probe_spk"),
        ("PULSE_SOURCE", "probe_mic.monitor"),
    ]);
    // The device rings' fill and ratio corrections, for the report below.
    env.push(("RUST_LOG", "info,parla_media::drift=debug"));
    let mut parla =
        Headless::spawn_with(Path::new(env!("CARGO_BIN_EXE_parla")), &profile, &[], &env)
            .expect("parla");
    parla
        .wait_event(|v| v["event"] == "ready", T)
        .expect("ready");
    let print_windows = std::env::var_os("LATENCY_WINDOWS").is_some();
    let codec = std::env::var("LATENCY_CODEC").unwrap_or_else(|_| "opus".into());
    let start = json!({"cmd": "echo_test", "codec": codec});
    let mut pairs = Vec::new();
    for run in 0..runs {
        let path = work.path().join(format!("probe-{run}.wav"));
        // Recording starts first, so the speaker's first sound is in it.
        let recording = pulse
            .record("probe.monitor", &path, run_s, 2)
            .expect("record");
        parla.send(&start).expect("echo test");
        let running = parla
            .wait_event(|v| v["event"] == "echo_test", T)
            .expect("echo test event");
        assert_eq!(running["state"], "running", "{running}");
        let path = recording.finish().expect("recording");
        parla
            .send(&json!({"cmd": "echo_test", "stop": true}))
            .expect("stop");
        parla
            .wait_event(|v| v["event"] == "echo_test" && v["state"] == "stopped", T)
            .expect("stopped");
        let (mic, speaker) = channels(&path);
        let (early, settled) = delays(&mic, &speaker, print_windows);
        let fmt = |m: Option<f64>| m.map_or("-".to_owned(), |m| format!("{m:.1} ms"));
        let (e, s) = (median(&early), median(&settled));
        println!(
            "run {run}: first {EARLY_S} s median {} ({} windows, max {}), settled median {} ({} windows, range {}..{})",
            fmt(e),
            early.len(),
            fmt(early.iter().copied().reduce(f64::max)),
            fmt(s),
            settled.len(),
            fmt(settled.iter().copied().reduce(f64::min)),
            fmt(settled.iter().copied().reduce(f64::max)),
        );
        pairs.push((e, s));
    }
    drop(parla.quit_and_wait(T));
    let log = read_stderr_log(&profile);
    if std::env::var_os("LATENCY_DEVICE_LOG").is_some() {
        for line in log.lines().filter(|l| l.contains("drift")) {
            println!("{line}");
        }
    }
    println!(
        "client-added one-way delay (capture to playout, echo test, {codec} 20 ms), {runs} runs of {run_s} s:"
    );
    for (run, (e, s)) in pairs.iter().enumerate() {
        let fmt = |m: &Option<f64>| m.map_or("-".to_owned(), |m| format!("{m:.1}"));
        println!(
            "  run {run}: settled {} ms, first {EARLY_S} s {} ms",
            fmt(s),
            fmt(e)
        );
    }
    // Each run's jitter buffer at its end: a run whose delay stands a frame higher shows here
    // whether the jitter buffer (target, concealed frames) or the devices kept it.
    for line in log
        .lines()
        .map(strip_ansi)
        .filter(|l| l.contains("echo test stopped"))
    {
        println!("  {}", line.trim());
    }
    let settled: Vec<f64> = pairs.iter().filter_map(|(_, s)| *s).collect();
    let within = settled.iter().filter(|s| **s <= 60.0).count();
    let worst = settled.iter().copied().reduce(f64::max);
    println!(
        "settled: median {}, worst {}, {within} of {} runs within 60 ms; playback underruns beyond each run's start: {}",
        median(&settled).map_or("-".to_owned(), |m| format!("{m:.1} ms")),
        worst.map_or("-".to_owned(), |m| format!("{m:.1} ms")),
        settled.len(),
        underruns(&log, runs),
    );
}
