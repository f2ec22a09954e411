//! Resets, limits and arbitrary input.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

#[test]
fn a_big_sequence_jump_restarts_playout() {
    let mut arrivals = stream(50, 10, 0, |_| 30.0);
    arrivals.extend(
        stream(50, 20_000, 77, |_| 30.0)
            .into_iter()
            .map(|a| Arrival {
                at: a.at + 1000.0,
                ..a
            }),
    );
    let mut sim = Sim::new(cfg(), arrivals);
    let outs = sim.run(110);
    assert_eq!(sim.outcomes[50], PushOutcome::Reset);
    let s = sim.stats();
    assert_eq!((s.resets, s.lost, s.late), (1, 0, 0));
    // What the old stream still had buffered is dropped.
    let ts = played(&outs);
    assert!(ts.len() + s.shrunk_frames as usize >= 97, "{ts:?}");
    assert_eq!(ts.last(), Some(&(77 + 49 * STEP)));
}

#[test]
fn reset_starts_a_new_numbering_and_keeps_the_counts() {
    let mut jb = JitterBuffer::new(cfg());
    let base = Instant::now();
    let at = |ms: u64| base + Duration::from_millis(ms);
    for i in 0..10u16 {
        jb.push(i, u32::from(i) * STEP, &[1; 10], at(u64::from(i) * 20));
    }
    assert!(matches!(jb.pop(at(300)), Playout::Packet { .. }));
    jb.reset();
    assert_eq!(jb.buffered(), 0);
    assert_eq!(jb.pop(at(320)), Playout::Silence);
    // The new stream's numbers would be "late" for the old one.
    assert_eq!(jb.push(3, 5, &[2; 10], at(330)), PushOutcome::Accepted);
    assert_eq!(jb.pop(at(340)), Playout::Silence, "buffering again");
    assert_eq!(
        jb.pop(at(380)),
        Playout::Packet {
            payload: &[2; 10],
            timestamp: 5
        }
    );
    let s = jb.stats();
    assert_eq!((s.received, s.late, s.lost), (11, 0, 0));
}

#[test]
fn oversized_payloads_are_rejected_and_counted() {
    let mut jb = JitterBuffer::new(cfg());
    let now = Instant::now();
    let big = [7u8; MAX_PAYLOAD + 1];
    assert_eq!(jb.push(1, 0, &big, now), PushOutcome::TooLarge);
    assert_eq!(
        jb.push(1, 0, &big[..MAX_PAYLOAD], now),
        PushOutcome::Accepted
    );
    assert_eq!(jb.push(2, STEP, &[], now), PushOutcome::Accepted);
    let later = now + Duration::from_millis(100);
    assert_eq!(
        jb.pop(later),
        Playout::Packet {
            payload: &big[..MAX_PAYLOAD],
            timestamp: 0
        }
    );
    let s = jb.stats();
    assert_eq!((s.too_large, s.received), (1, 2));
}

#[test]
fn odd_configurations_are_clamped() {
    let bad = JitterConfig {
        clock_rate: 0,
        ptime_ms: 0,
        min_delay_ms: 500,
        max_delay_ms: 10,
        initial_delay_ms: 0,
    };
    let mut jb = JitterBuffer::new(bad);
    let c = jb.config();
    assert!(c.clock_rate >= 1 && c.ptime_ms >= 1);
    assert!(c.min_delay_ms <= c.initial_delay_ms && c.initial_delay_ms <= c.max_delay_ms);
    let now = Instant::now();
    jb.push(0, 0, &[1], now);
    let _ = jb.pop(now + Duration::from_secs(1));
    let huge = JitterBuffer::new(JitterConfig {
        max_delay_ms: u32::MAX,
        ..cfg()
    });
    assert!(huge.config().max_delay_ms <= 2480);
}

/// Arbitrary sequence numbers, timestamps, sizes and times, including time running backwards.
#[test]
fn arbitrary_input_never_panics() {
    for seed in 0..8 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut jb = JitterBuffer::new(JitterConfig::new(8000, 20));
        let base = Instant::now() + Duration::from_secs(3600);
        let mut t_ms: i64 = 0;
        let (mut seq, mut ts) = (rng.random::<u16>(), rng.random::<u32>());
        let mut payload = [0u8; MAX_PAYLOAD + 10];
        for _ in 0..20_000 {
            t_ms += rng.random_range(-30..60);
            let when = if t_ms >= 0 {
                base + Duration::from_millis(t_ms as u64)
            } else {
                base - Duration::from_millis(t_ms.unsigned_abs())
            };
            match rng.random_range(0..10) {
                0..=4 => {
                    match rng.random_range(0..20) {
                        0 => seq = rng.random(),
                        1 => ts = rng.random(),
                        2..=5 => seq = seq.wrapping_sub(rng.random_range(0..5)),
                        _ => seq = seq.wrapping_add(rng.random_range(0..4)),
                    }
                    ts = ts.wrapping_add(rng.random_range(0..2000));
                    let len = rng.random_range(0..payload.len());
                    rng.fill(&mut payload[..len]);
                    if rng.random_bool(0.05) {
                        jb.push_other(seq);
                    } else {
                        jb.push(seq, ts, &payload[..len], when);
                    }
                }
                5..=8 => match jb.pop(when) {
                    Playout::Packet { payload, .. } => assert!(payload.len() <= MAX_PAYLOAD),
                    Playout::Conceal { next: Some(p) } => assert!(p.len() <= MAX_PAYLOAD),
                    _ => {}
                },
                _ => {
                    if rng.random_bool(0.05) {
                        jb.reset();
                    }
                }
            }
            assert!(jb.buffered() <= 2 * 15 + 8);
            let s = jb.stats();
            assert!(s.jitter_ms.is_finite());
            assert!(s.target_delay_ms <= 300);
        }
    }
}

/// A lossy, jittery, reordering, duplicating network: every frame is played at most once and
/// in order, and the counts add up.
#[test]
fn random_networks_keep_order_and_account_for_every_packet() {
    for seed in 0..6 {
        let mut rng = StdRng::seed_from_u64(100 + seed);
        let n = 3000;
        let mut arrivals = Vec::new();
        for a in stream(n, rng.random(), rng.random(), |_| 0.0) {
            if rng.random_bool(0.03) {
                continue;
            }
            let at = a.at + 20.0 + rng.random_range(0.0..80.0);
            arrivals.push(Arrival { at, ..a });
            if rng.random_bool(0.02) {
                arrivals.push(Arrival { at: at + 5.0, ..a });
            }
        }
        let sent = arrivals.len() as u64;
        let mut sim = Sim::new(cfg(), arrivals);
        let outs = sim.run(n + 50);
        let s = sim.stats();
        let ts = played(&outs);
        let base = ts[0];
        let rel: Vec<u32> = ts.iter().map(|t| t.wrapping_sub(base)).collect();
        assert!(rel.windows(2).all(|w| w[0] < w[1]), "seed {seed}");
        assert_eq!(s.received, sent);
        let lost_frames = count(&outs, Out::Conceal(true)) + count(&outs, Out::Conceal(false));
        assert!(s.concealed as usize <= lost_frames, "{s:?}");
        // Each frame either played, was dropped to shrink, or never arrived in time.
        let frames = ts.len() as u64 + s.shrunk_frames + s.lost + s.late;
        assert!(
            frames.abs_diff(n as u64) <= 2,
            "seed {seed}: {frames} {s:?}"
        );
        assert!(s.late * 50 < n as u64, "seed {seed}: {s:?}");
    }
}
