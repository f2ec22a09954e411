//! The conference mixer's cost.
//!
//! - Criterion: one mixer tick (every call's frame in, the mix for each call and the speaker
//!   out) for 3 and 5 participants: the time per 20 ms frame.
//! - CPU of a three-way conference (two of our Opus sessions joined into a mixer) against the
//!   same two sessions on their own, for the same seconds: on-CPU time of our sessions' media
//!   threads plus the mixer thread, from `/proc/self/task/<tid>/schedstat` (ns). The far ends
//!   are sessions too, in the same process, but their threads are not counted.
//!
//! `cargo bench -p parla-media --bench conference`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use parla_media::conference::TickBench;
use parla_media::ProcessingConfig;
use parla_media::{AudioEndpoint, CodecParams, Conference, MediaConfig, MediaSession};

/// How long each side of the CPU comparison runs.
const RUN: Duration = Duration::from_secs(6);
const RUNS: usize = 3;

fn tick_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("conference mixer tick, per 20 ms frame");
    group.throughput(Throughput::Elements(1));
    for legs in [3, 5] {
        let mut bench = TickBench::new(legs);
        group.bench_function(format!("{legs} participants"), |b| {
            b.iter(|| black_box(bench.tick()))
        });
    }
    group.finish();
}

fn tasks() -> BTreeSet<u32> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Nanoseconds `tid` has run on a CPU (0 once it has exited).
fn cpu_ns(tid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn bind() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let a = s.local_addr().expect("addr");
    (s, a)
}

fn voice_wav(path: &Path, freq: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    for i in 0..48_000 {
        let t = f64::from(i) / 48_000.0;
        let v = 0.2 * (2.0 * std::f64::consts::PI * freq * t).sin()
            + 0.05 * (2.0 * std::f64::consts::PI * 3.1 * freq * t).sin();
        w.write_sample((v * 32767.0) as i16).expect("sample");
    }
    w.finalize().expect("finalize");
}

/// On-CPU ns of our two sessions (and the mixer, in a conference) over [`RUN`].
fn our_cpu(dir: &Path, conference: bool) -> u64 {
    let mic = dir.join("mic.wav");
    let before = tasks();
    // The far ends first, so their threads are known and left out.
    let mut peers = Vec::new();
    let mut ours_cfg = Vec::new();
    for i in 0..2 {
        let ((so, ao), (sp, ap)) = (bind(), bind());
        let mut cfg = MediaConfig::new(sp, ao, CodecParams::opus(111));
        let says = dir.join(format!("far-{i}.wav"));
        cfg.input = AudioEndpoint::File(says);
        peers.push(MediaSession::start(cfg).expect("far end"));
        ours_cfg.push(MediaConfig::new(so, ap, CodecParams::opus(111)));
    }
    let far = tasks();
    let conf = conference.then(|| {
        Conference::start(
            &AudioEndpoint::File(mic.clone()),
            &AudioEndpoint::Null,
            5,
            None,
            ProcessingConfig::OFF,
        )
        .expect("conference")
    });
    let ours: Vec<MediaSession> = ours_cfg
        .into_iter()
        .map(|mut cfg| {
            match &conf {
                Some(conf) => {
                    let port = AudioEndpoint::Conference(conf.port().expect("port"));
                    cfg.input = port.clone();
                    cfg.output = port;
                }
                None => cfg.input = AudioEndpoint::File(mic.clone()),
            }
            MediaSession::start(cfg).expect("our session")
        })
        .collect();
    let counted: Vec<u32> = tasks()
        .difference(&far)
        .copied()
        .filter(|t| !before.contains(t))
        .collect();
    let start: u64 = counted.iter().map(|&t| cpu_ns(t)).sum();
    std::thread::sleep(RUN);
    let end: u64 = counted.iter().map(|&t| cpu_ns(t)).sum();
    drop(ours);
    drop(conf);
    drop(peers);
    end.saturating_sub(start)
}

fn print_cpu_ratio() {
    let dir = tempfile::tempdir().expect("tempdir");
    voice_wav(&dir.path().join("mic.wav"), 220.0);
    voice_wav(&dir.path().join("far-0.wav"), 330.0);
    voice_wav(&dir.path().join("far-1.wav"), 440.0);
    let mut rows = Vec::new();
    for _ in 0..RUNS {
        let alone = our_cpu(dir.path(), false);
        let joined = our_cpu(dir.path(), true);
        rows.push((alone, joined));
    }
    rows.sort_by(|a, b| (a.1 as f64 / a.0 as f64).total_cmp(&(b.1 as f64 / b.0 as f64)));
    let (alone, joined) = rows[RUNS / 2];
    let secs = RUN.as_secs_f64();
    println!("\nCPU over {secs:.0} s (median of {RUNS} runs by ratio), our threads only:");
    println!(
        "  two separate Opus sessions: {:.1} ms ({:.2} % of one core)",
        alone as f64 / 1e6,
        alone as f64 / 1e9 / secs * 100.0
    );
    println!(
        "  3-way conference (two sessions + mixer): {:.1} ms ({:.2} % of one core)",
        joined as f64 / 1e6,
        joined as f64 / 1e9 / secs * 100.0
    );
    println!(
        "  ratio conference / separate: {:.2}",
        joined as f64 / alone.max(1) as f64
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    tick_benches(&mut c);
    c.final_summary();
    // `cargo test --benches` runs each benchmark once to check it works: no timing then.
    if std::env::args().any(|a| a == "--bench") {
        print_cpu_ratio();
    }
}
