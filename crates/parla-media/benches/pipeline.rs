//! CPU cost of the per-frame work of one direction of a call: encode one 20 ms frame,
//! packetise it, parse it back, push it through the jitter buffer, pop and decode. Opus is
//! 48 kHz mono at the default complexity and 32 kbit/s (no loss expected, so no FEC), PCMU
//! is 8 kHz. The input is a synthetic voiced signal, so the encoder does real work.
//!
//! Criterion measures each loop (and the jitter buffer alone); a plain timing of the same loop
//! then prints the median per frame and the share of one core a full-duplex call takes
//! (2 × per-frame / 20 ms). The parts are measured alone too: encode and decode of one frame
//! per codec (Opus with the default settings, PCMU, PCMA) and the resampler between 8 and
//! 48 kHz.
//!
//! `cargo bench -p parla-media --bench pipeline`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use parla_media::codec::{new_decoder, new_encoder, Decoder, Encoder, OpusSettings};
use parla_media::codec::{CodecParams, MAX_DECODED_SAMPLES};
use parla_media::jitter::{JitterBuffer, JitterConfig, Playout};
use parla_media::resample::StreamResampler;
use parla_media::rtp::{self, RtpSender, MAX_DATAGRAM};

const PTIME_MS: u32 = 20;
/// Frames of test signal, looped.
const SIGNAL_FRAMES: usize = 50;

/// One direction of a call, sender to receiver, in one thread.
struct Direction {
    encoder: Box<dyn Encoder>,
    decoder: Box<dyn Decoder>,
    sender: RtpSender,
    jitter: JitterBuffer,
    signal: Vec<f32>,
    frame: usize,
    step: u32,
    payload: Vec<u8>,
    packet: Vec<u8>,
    decoded: Vec<f32>,
    start: Instant,
    tick: u32,
}

impl Direction {
    fn new(params: CodecParams) -> Self {
        let encoder = new_encoder(&params, PTIME_MS, OpusSettings::default()).expect("encoder");
        let rate = encoder.sample_rate();
        let frame = (rate * PTIME_MS / 1000) as usize;
        Self {
            decoder: new_decoder(&params, PTIME_MS).expect("decoder"),
            encoder,
            sender: RtpSender::with_start(params.payload_type, 0x1234_5678, 65_000, 1 << 31),
            jitter: JitterBuffer::new(JitterConfig::new(params.clock_rate, PTIME_MS)),
            signal: voice(rate, frame * SIGNAL_FRAMES),
            frame,
            step: params.timestamp_step(PTIME_MS),
            payload: vec![0; MAX_DATAGRAM],
            packet: vec![0; MAX_DATAGRAM],
            decoded: vec![0.0; MAX_DECODED_SAMPLES],
            start: Instant::now(),
            tick: 0,
        }
    }

    /// One tick: returns the samples played.
    fn frame(&mut self) -> usize {
        let i = self.tick as usize % SIGNAL_FRAMES;
        let pcm = &self.signal[i * self.frame..(i + 1) * self.frame];
        let len = self.encoder.encode(pcm, &mut self.payload).expect("encode");
        let n = self
            .sender
            .write(&self.payload[..len], self.step, &mut self.packet)
            .expect("packetise");
        let p = rtp::parse(&self.packet[..n]).expect("parse");
        let arrival = self.start + Duration::from_millis(u64::from(self.tick * PTIME_MS));
        self.jitter.push(
            p.header.sequence_number,
            p.header.timestamp,
            p.payload,
            arrival,
        );
        let played = match self.jitter.pop(arrival + Duration::from_millis(1)) {
            Playout::Packet { payload, .. } => self.decoder.decode(payload, &mut self.decoded),
            Playout::Conceal { .. } => self.decoder.conceal(&mut self.decoded),
            Playout::Silence => Ok(0),
        };
        self.tick += 1;
        played.expect("decode")
    }
}

/// A voiced sound: a 110-220 Hz pulse-like tone with harmonics, syllable-shaped, plus noise.
fn voice(rate: u32, samples: usize) -> Vec<f32> {
    let mut noise = 0x2545_F491_u32;
    let mut phase = 0.0f32;
    (0..samples)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let f0 = 165.0 + 55.0 * (t * 3.0 * std::f32::consts::TAU).sin();
            phase = (phase + f0 / rate as f32).fract();
            let tone: f32 = (1..=8)
                .map(|h| (phase * h as f32 * std::f32::consts::TAU).sin() / h as f32)
                .sum();
            let syllable = 0.5 + 0.5 * (t * 4.0 * std::f32::consts::TAU).sin();
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            let hiss = (noise as f32 / u32::MAX as f32 - 0.5) * 0.02;
            0.25 * syllable * tone + hiss
        })
        .collect()
}

fn codecs() -> [(&'static str, CodecParams); 2] {
    [
        ("opus", CodecParams::opus(111)),
        ("pcmu", CodecParams::pcmu()),
    ]
}

fn criterion_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("one direction, per 20 ms frame");
    group.throughput(Throughput::Elements(1));
    for (name, params) in codecs() {
        let mut d = Direction::new(params);
        group.bench_function(name, |b| b.iter(|| black_box(d.frame())));
    }
    let mut jb = JitterBuffer::new(JitterConfig::new(48_000, PTIME_MS));
    let payload = [0x55u8; 80];
    let start = Instant::now();
    let mut k: u32 = 0;
    group.bench_function("jitter push + pop", |b| {
        b.iter(|| {
            let at = start + Duration::from_millis(u64::from(k) * 20);
            jb.push(k as u16, k.wrapping_mul(960), &payload, at);
            let played = matches!(
                jb.pop(at + Duration::from_millis(1)),
                Playout::Packet { .. }
            );
            k += 1;
            black_box(played)
        })
    });
    group.finish();
}

/// Encode and decode alone, one 20 ms frame per iteration, per codec; then the resampler.
fn codec_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("codec and resampler alone, per 20 ms frame");
    group.throughput(Throughput::Elements(1));
    let codecs = [
        ("opus", CodecParams::opus(111)),
        ("pcmu", CodecParams::pcmu()),
        ("pcma", CodecParams::pcma()),
    ];
    for (name, params) in codecs {
        let mut encoder = new_encoder(&params, PTIME_MS, OpusSettings::default()).expect("encoder");
        let mut decoder = new_decoder(&params, PTIME_MS).expect("decoder");
        let frame = (encoder.sample_rate() * PTIME_MS / 1000) as usize;
        let signal = voice(encoder.sample_rate(), frame * SIGNAL_FRAMES);
        let mut payload = vec![0u8; MAX_DATAGRAM];
        let packets: Vec<Vec<u8>> = signal
            .chunks_exact(frame)
            .map(|pcm| {
                let n = encoder.encode(pcm, &mut payload).expect("encode");
                payload[..n].to_vec()
            })
            .collect();
        let mut frames = signal.chunks_exact(frame).cycle();
        group.bench_function(format!("{name} encode"), |b| {
            b.iter(|| {
                let pcm = frames.next().unwrap_or_default();
                black_box(encoder.encode(pcm, &mut payload).expect("encode"))
            })
        });
        let mut decoded = vec![0.0f32; MAX_DECODED_SAMPLES];
        let mut packets = packets.iter().cycle();
        group.bench_function(format!("{name} decode"), |b| {
            b.iter(|| {
                let packet = packets.next().map_or(&[][..], Vec::as_slice);
                black_box(decoder.decode(packet, &mut decoded).expect("decode"))
            })
        });
    }
    for (from, to) in [(8000u32, 48_000u32), (48_000, 8000)] {
        let chunk = (from * PTIME_MS / 1000) as usize;
        let mut resampler = StreamResampler::new(from, to, chunk).expect("resampler");
        let signal = voice(from, chunk * SIGNAL_FRAMES);
        let mut chunks = signal.chunks_exact(chunk).cycle();
        group.bench_function(format!("resample {from} -> {to} Hz"), |b| {
            b.iter(|| {
                let pcm = chunks.next().unwrap_or_default();
                let mut produced = 0usize;
                resampler
                    .process(pcm, &mut |out| produced += out.len())
                    .expect("resample");
                black_box(produced)
            })
        });
    }
    group.finish();
}

/// Median per-frame time over batches of the same loop, and the CPU share it implies.
fn print_cpu_share() {
    const BATCH: usize = 250;
    const BATCHES: usize = 41;
    println!("\nmedian per frame over {BATCHES} batches of {BATCH} frames:");
    for (name, params) in codecs() {
        let mut d = Direction::new(params);
        for _ in 0..BATCH {
            black_box(d.frame());
        }
        let mut per_frame: Vec<f64> = (0..BATCHES)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..BATCH {
                    black_box(d.frame());
                }
                t.elapsed().as_secs_f64() / BATCH as f64
            })
            .collect();
        per_frame.sort_by(f64::total_cmp);
        let median = per_frame[BATCHES / 2];
        let share = 2.0 * median / (f64::from(PTIME_MS) / 1000.0) * 100.0;
        println!(
            "  {name}: {:.1} µs per frame; full-duplex call (2 × per frame / 20 ms): {share:.3} % of one core",
            median * 1e6
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c);
    codec_benches(&mut c);
    c.final_summary();
    // `cargo test --benches` runs each benchmark once to check it works: no timing then.
    if std::env::args().any(|a| a == "--bench") {
        print_cpu_share();
    }
}
