//! Client-added one-way delay, capture to playout, network excluded: the echo test (microphone
//! -> encode -> RTP over loopback -> jitter buffer -> decode -> speaker) on cpal's default
//! devices, provided by a test-started PulseAudio.
//!
//! The microphone signal and what the speaker plays are both looped back, through two identical
//! PulseAudio loopbacks, into the left and right channels of one probe sink, recorded by one
//! `parec`: their offset is the delay Parla adds (the loopbacks' own latency cancels out). The
//! signal is a repeated frequency sweep, whose cross-correlation has one sharp peak.
//!
//! `cargo bench --bench latency` (release build). Prints the median; asserts nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use parla_testbench::*;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);
const RATE: u32 = 48_000;

fn write_sweeps(path: &Path, seconds: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    let period = RATE as usize * 2;
    let sweep = RATE as usize / 2;
    for n in 0..(RATE * seconds) as usize {
        let i = n % period;
        let v = if i < sweep {
            let t = i as f64 / f64::from(RATE);
            let (f0, f1, d) = (300.0, 3000.0, 0.5);
            let phase = 2.0 * std::f64::consts::PI * (f0 * t + (f1 - f0) * t * t / (2.0 * d));
            0.5 * phase.sin()
        } else {
            0.0
        };
        w.write_sample((v * 32767.0) as i16).expect("sample");
    }
    w.finalize().expect("finalize");
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

/// Lag (in samples, 0..max) at which `later` best matches `earlier`, by normalised correlation
/// over the window, with the correlation value.
fn best_lag(earlier: &[f32], later: &[f32], max: usize) -> (usize, f32) {
    let n = earlier.len().min(later.len()).saturating_sub(max);
    let mut best = (0, f32::MIN);
    for lag in 0..max {
        let (mut xy, mut xx, mut yy) = (0.0f32, 0.0f32, 0.0f32);
        for i in (0..n).step_by(2) {
            let (x, y) = (earlier[i], later[i + lag]);
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

fn main() {
    let mut pulse = PulseAudio::start().expect("pulseaudio");
    let work = tempfile::tempdir().expect("dir");
    // probe: left = what the microphone hears, right = what the speaker plays.
    pulse.add_null_sink("probe", 2).expect("probe sink");
    for (side, source) in [("left", "mic.monitor"), ("right", "spk.monitor")] {
        let remap = format!("probe_{side}");
        pulse
            .pactl(&[
                "load-module",
                "module-remap-sink",
                &format!("sink_name={remap}"),
                "master=probe",
                "channels=1",
                &format!("master_channel_map=front-{side}"),
                "channel_map=mono",
                "remix=no",
            ])
            .expect("remap sink");
        pulse
            .pactl(&[
                "load-module",
                "module-loopback",
                &format!("source={source}"),
                &format!("sink={remap}"),
                "latency_msec=10",
                "adjust_time=0",
                "channels=1",
            ])
            .expect("loopback");
    }
    let sweeps = work.path().join("sweeps.wav");
    write_sweeps(&sweeps, 60);
    let _mic = pulse.play_into_mic(&sweeps).expect("play");

    let profile = work.path().join("parla");
    std::fs::create_dir_all(&profile).expect("profile");
    std::fs::write(
        profile.join("config.toml"),
        "[audio]\ninput = \"default\"\noutput = \"default\"\n",
    )
    .expect("config");
    let env = pulse.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut parla =
        Headless::spawn_with(Path::new(env!("CARGO_BIN_EXE_parla")), &profile, &[], &env)
            .expect("parla");
    parla
        .wait_event(|v| v["event"] == "ready", T)
        .expect("ready");
    parla.send(&json!({"cmd": "echo_test"})).expect("echo test");
    let running = parla
        .wait_event(|v| v["event"] == "echo_test", T)
        .expect("echo test event");
    assert_eq!(running["state"], "running", "{running}");
    // The first seconds run on the jitter buffer's initial 40 ms, which then shrinks to what a
    // calm network needs: report the settled path, after the first rounds show the settling.
    let mut lags = Vec::new();
    for round in 0..8 {
        let path = work.path().join(format!("probe-{round}.wav"));
        let recording = pulse
            .record("probe.monitor", &path, 4.0, 2)
            .expect("record");
        let path = recording.finish().expect("recording");
        let (mic, speaker) = channels(&path);
        let (lag, corr) = best_lag(&mic, &speaker, RATE as usize * 3 / 10);
        let ms = lag as f64 * 1000.0 / f64::from(RATE);
        println!("round {round}: delay {ms:.1} ms (correlation {corr:.2})");
        if corr > 0.5 && round >= 3 {
            lags.push(ms);
        }
    }
    parla
        .send(&json!({"cmd": "echo_test", "stop": true}))
        .expect("stop");
    drop(parla.quit_and_wait(T));
    lags.sort_by(|a, b| a.total_cmp(b));
    match lags.get(lags.len() / 2) {
        Some(median) => println!("client-added one-way delay (capture to playout, echo test, Opus 20 ms): median {median:.1} ms over {} settled rounds", lags.len()),
        None => println!("no round correlated: the echo path did not carry the signal"),
    }
}
