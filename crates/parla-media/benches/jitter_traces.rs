//! The jitter buffer on seeded network traces: 60 s of 20 ms Opus packets each, popped every
//! 20 ms as the media thread does: at a fixed phase (`tick`), and with the pops brought forward
//! by the buffer's lead as a call's media loop does (`lead`). Prints, per trace, the delay the
//! buffer added to the packets it played (pop time minus arrival), the target at the end and
//! the frames concealed, lost and late. Asserts nothing.
//!
//! `cargo bench -p parla-media --bench jitter_traces`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use std::time::{Duration, Instant};

use parla_media::jitter::{JitterBuffer, JitterConfig, JitterStats, Playout};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const PTIME_MS: f64 = 20.0;
const PACKETS: usize = 3000;
const STEP: u32 = 960;
/// Transit time of an undisturbed packet.
const BASE_MS: f64 = 40.0;
/// Where in the 20 ms cycle the media thread pops.
const POP_PHASE_MS: f64 = 3.3;

/// Makes a trace from a seeded generator.
type Trace = fn(&mut StdRng) -> Vec<Arrival>;

/// One packet on the wire: its index in the stream and its arrival (ms after the start).
#[derive(Clone, Copy)]
struct Arrival {
    index: usize,
    at: f64,
}

fn send_time(i: usize) -> f64 {
    i as f64 * PTIME_MS
}

/// ±1 ms of transit variation.
fn calm(rng: &mut StdRng) -> Vec<Arrival> {
    (0..PACKETS)
        .map(|index| Arrival {
            index,
            at: send_time(index) + BASE_MS + rng.random_range(-1.0..1.0),
        })
        .collect()
}

fn loss(rng: &mut StdRng) -> Vec<Arrival> {
    let mut trace = calm(rng);
    trace.retain(|_| !rng.random_bool(0.02));
    trace
}

/// Transit uniform over 60 ms, independent per packet (so some packets overtake others).
fn jitter(rng: &mut StdRng) -> Vec<Arrival> {
    (0..PACKETS)
        .map(|index| Arrival {
            index,
            at: send_time(index) + BASE_MS + rng.random_range(0.0..60.0),
        })
        .collect()
}

/// At 30 s the path stalls for 200 ms, then delivers the 10 packets it held in one burst.
fn burst(rng: &mut StdRng) -> Vec<Arrival> {
    let first = (30_000.0 / PTIME_MS) as usize;
    let release = send_time(first + 10) + BASE_MS - 2.0;
    let mut trace = calm(rng);
    for (k, a) in trace[first..first + 10].iter_mut().enumerate() {
        a.at = release + k as f64 * 0.01;
    }
    trace
}

/// 5 % of packets arrive 1-5 ms after the one sent after them.
fn reorder(rng: &mut StdRng) -> Vec<Arrival> {
    let mut trace = calm(rng);
    for i in 0..PACKETS - 1 {
        if rng.random_bool(0.05) {
            trace[i].at = trace[i + 1].at + rng.random_range(1.0..5.0);
        }
    }
    trace
}

struct Result {
    delays: Vec<f64>,
    stats: JitterStats,
    /// Concealed frames that had the next packet at hand.
    with_next: u64,
}

/// Feeds `trace` to a buffer, popping every 20 ms until everything had time to play; with
/// `follow_lead`, each pop comes earlier by the lead the buffer gave after the one before.
fn run(mut trace: Vec<Arrival>, follow_lead: bool) -> Result {
    trace.sort_by(|a, b| a.at.total_cmp(&b.at));
    let arrival_of: Vec<f64> = {
        let mut v = vec![f64::NAN; PACKETS];
        for a in &trace {
            v[a.index] = a.at;
        }
        v
    };
    let base = Instant::now();
    let at = |ms: f64| base + Duration::from_secs_f64(ms / 1000.0);
    let mut jb = JitterBuffer::new(JitterConfig::new(48_000, 20));
    let payload = [0x5Au8; 80];
    let mut delays = Vec::with_capacity(PACKETS);
    let mut next = 0;
    let mut with_next = 0;
    let ticks = PACKETS + 100;
    let mut phase = POP_PHASE_MS;
    for tick in 0..ticks {
        let now = phase + tick as f64 * PTIME_MS;
        while let Some(a) = trace.get(next).filter(|a| a.at <= now) {
            let (seq, ts) = (a.index as u16, (a.index as u32).wrapping_mul(STEP));
            jb.push(seq.wrapping_add(60_000), ts, &payload, at(a.at));
            next += 1;
        }
        match jb.pop(at(now)) {
            Playout::Packet { timestamp, .. } => {
                delays.push(now - arrival_of[(timestamp / STEP) as usize]);
            }
            Playout::Conceal { next: Some(_) } => with_next += 1,
            _ => {}
        }
        if follow_lead {
            phase -= jb.take_lead();
        }
    }
    Result {
        delays,
        stats: jb.stats(),
        with_next,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn main() {
    let traces: [(&str, Trace); 5] = [
        ("calm (±1 ms)", calm),
        ("2 % random loss", loss),
        ("jitter (uniform 60 ms)", jitter),
        ("200 ms stall + burst", burst),
        ("5 % reordered", reorder),
    ];
    println!(
        "{:<24} {:>5} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>7} {:>7} {:>6} {:>6} {:>9}",
        "trace (60 s, 20 ms)",
        "pops",
        "mean ms",
        "p95 ms",
        "target ms",
        "conceal%",
        "w/ next%",
        "lost%",
        "late%",
        "shrunk",
        "grown",
        "resets",
        "jitter ms"
    );
    for ((seed, (name, make)), follow_lead) in traces
        .iter()
        .enumerate()
        .flat_map(|t| [(t, false), (t, true)])
    {
        let mut rng = StdRng::seed_from_u64(seed as u64 + 1);
        let r = run(make(&mut rng), follow_lead);
        let mut sorted = r.delays.clone();
        sorted.sort_by(f64::total_cmp);
        let mean = sorted.iter().sum::<f64>() / sorted.len().max(1) as f64;
        let pct = |n: u64| n as f64 * 100.0 / PACKETS as f64;
        let s = r.stats;
        println!(
            "{:<24} {:>5} {:>9.1} {:>8.1} {:>10} {:>9.2} {:>9.2} {:>9.2} {:>7.2} {:>7} {:>6} {:>6} {:>9.1}",
            name,
            if follow_lead { "lead" } else { "tick" },
            mean,
            percentile(&sorted, 0.95),
            s.target_delay_ms,
            pct(s.concealed),
            pct(r.with_next),
            pct(s.lost),
            pct(s.late),
            s.shrunk_frames,
            s.grown_frames,
            s.resets,
            s.jitter_ms
        );
    }
    println!(
        "delay: pop time minus arrival of each packet played; w/ next: concealed frames that had \
         the next packet at hand (Opus FEC); %: of the {PACKETS} packets sent"
    );
}
