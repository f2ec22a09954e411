//! Scenario tests: a simulated sender and network feed `push`, a 20 ms tick calls `pop`.

mod adapt;
mod order;
mod robust;

use std::time::{Duration, Instant};

use super::*;

const PTIME: f64 = 20.0;
const STEP: u32 = 960;

fn cfg() -> JitterConfig {
    JitterConfig::new(48_000, 20)
}

/// What one pop gave: the packet's timestamp, a concealed frame (with or without the next
/// packet for FEC), or silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Pkt(u32),
    Conceal(bool),
    Silence,
}

/// One packet on the wire: sequence number, timestamp and arrival time (ms after the start).
#[derive(Debug, Clone, Copy)]
struct Arrival {
    seq: u16,
    ts: u32,
    at: f64,
}

/// `n` packets sent every 20 ms from `(seq0, ts0)`, arriving after `transit(i)` ms.
fn stream(n: usize, seq0: u16, ts0: u32, transit: impl Fn(usize) -> f64) -> Vec<Arrival> {
    (0..n)
        .map(|i| Arrival {
            seq: seq0.wrapping_add(i as u16),
            ts: ts0.wrapping_add(STEP * i as u32),
            at: i as f64 * PTIME + transit(i),
        })
        .collect()
}

fn payload_for(ts: u32) -> [u8; 4] {
    ts.to_be_bytes()
}

struct Sim {
    jb: JitterBuffer,
    base: Instant,
    /// Pops happen at `phase + k * 20` ms, plus `late(k)`.
    phase: f64,
    late: fn(u64) -> f64,
    /// Whether the pops come earlier by what `take_lead` says, as a call's media loop does.
    follow_lead: bool,
    tick: u64,
    pending: Vec<Arrival>,
    outcomes: Vec<PushOutcome>,
}

impl Sim {
    fn new(cfg: JitterConfig, mut arrivals: Vec<Arrival>) -> Self {
        // Latest first, packets arriving together in the order given.
        arrivals.sort_by(|a, b| a.at.total_cmp(&b.at));
        arrivals.reverse();
        Self {
            jb: JitterBuffer::new(cfg),
            base: Instant::now(),
            phase: 7.0,
            late: |_| 0.0,
            follow_lead: false,
            tick: 0,
            pending: arrivals,
            outcomes: Vec::new(),
        }
    }

    fn at(&self, ms: f64) -> Instant {
        self.base + Duration::from_micros((ms * 1000.0) as u64)
    }

    /// Pushes everything that arrived by the next tick, then pops once.
    fn step(&mut self) -> Out {
        let now = self.phase + self.tick as f64 * PTIME + (self.late)(self.tick);
        self.tick += 1;
        while self.pending.last().is_some_and(|a| a.at <= now) {
            let Some(a) = self.pending.pop() else { break };
            let o = self.jb.push(a.seq, a.ts, &payload_for(a.ts), self.at(a.at));
            self.outcomes.push(o);
        }
        let out = match self.jb.pop(self.at(now)) {
            Playout::Packet { payload, timestamp } => {
                assert_eq!(payload, payload_for(timestamp), "payload kept intact");
                Out::Pkt(timestamp)
            }
            Playout::Conceal { next } => Out::Conceal(next.is_some()),
            Playout::Silence => Out::Silence,
        };
        if self.follow_lead {
            let lead = self.jb.take_lead();
            assert!((0.0..PTIME).contains(&lead), "{lead}");
            self.phase -= lead;
        }
        out
    }

    fn run(&mut self, ticks: usize) -> Vec<Out> {
        (0..ticks).map(|_| self.step()).collect()
    }

    fn stats(&self) -> JitterStats {
        self.jb.stats()
    }
}

/// The timestamps played, in order.
fn played(outs: &[Out]) -> Vec<u32> {
    outs.iter()
        .filter_map(|o| match o {
            Out::Pkt(ts) => Some(*ts),
            _ => None,
        })
        .collect()
}

fn count(outs: &[Out], what: Out) -> usize {
    outs.iter().filter(|o| **o == what).count()
}

fn conceals(outs: &[Out]) -> usize {
    outs.iter().filter(|o| matches!(o, Out::Conceal(_))).count()
}

/// Asserts that `outs` played `expected` in order, less frames dropped to shrink the delay.
fn assert_played(outs: &[Out], expected: &[u32], shrunk: u64) {
    let ts = played(outs);
    let mut rest = expected.iter();
    for t in &ts {
        assert!(rest.any(|e| e == t), "{t} out of order in {ts:?}");
    }
    assert_eq!(ts.len() as u64 + shrunk, expected.len() as u64, "{ts:?}");
}

/// Timestamps `ts0, ts0 + STEP, ...` for `n` packets.
fn consecutive(ts0: u32, n: usize) -> Vec<u32> {
    (0..n).map(|i| ts0.wrapping_add(STEP * i as u32)).collect()
}
