//! Ordering: start-up, wrap-around, reordering, duplicates, late and lost packets.

use super::*;

/// A fixed 40 ms target, so ordering tests see no adaptation.
fn fixed() -> JitterConfig {
    JitterConfig {
        min_delay_ms: 40,
        max_delay_ms: 40,
        initial_delay_ms: 40,
        ..cfg()
    }
}

#[test]
fn plays_in_order_after_the_initial_delay() {
    let mut sim = Sim::new(fixed(), stream(50, 100, 1000, |_| 30.0));
    let outs = sim.run(60);
    // The first packet arrives at 30 ms and waits 40 ms: the tick at 87 ms plays it.
    assert_eq!(&outs[..4], &[Out::Silence; 4]);
    assert_eq!(outs[4], Out::Pkt(1000));
    assert_eq!(played(&outs), consecutive(1000, 50));
    // Then the buffer runs dry: a few concealed frames, then silence.
    assert_eq!(&outs[54..57], &[Out::Conceal(false); 3]);
    assert_eq!(&outs[57..], &[Out::Silence; 3]);
    let s = sim.stats();
    assert_eq!((s.received, s.lost, s.late, s.duplicates), (50, 0, 0, 0));
    assert_eq!((s.concealed, s.grown_frames, s.shrunk_frames), (0, 0, 0));
    assert_eq!(s.current_delay_ms, 57);
    assert_eq!(s.target_delay_ms, 40);
}

#[test]
fn sequence_and_timestamp_wrap_around() {
    let ts0 = u32::MAX - 3 * STEP + 7;
    let mut arrivals = stream(20, 65_530, ts0, |_| 30.0);
    // Also reorder across the wrap: 65535 arrives after 0.
    arrivals[5].at += 25.0;
    let mut sim = Sim::new(fixed(), arrivals);
    let outs = sim.run(30);
    assert_eq!(played(&outs), consecutive(ts0, 20));
    let s = sim.stats();
    assert_eq!((s.lost, s.late, s.concealed), (0, 0, 0));
    assert!(sim.outcomes.iter().all(|o| *o == PushOutcome::Accepted));
}

#[test]
fn reordered_packets_are_put_in_order() {
    let mut arrivals = stream(40, 7, 0, |_| 30.0);
    arrivals[3].at += 25.0; // after 4
    arrivals[10].at += 50.0; // after 11 and 12
    arrivals[20].at += 15.0;
    arrivals[21].at -= 10.0; // 21 before 20
    let mut sim = Sim::new(fixed(), arrivals);
    let outs = sim.run(50);
    let s = sim.stats();
    assert_played(&outs, &consecutive(0, 40), s.shrunk_frames);
    assert_eq!((s.lost, s.late, s.concealed), (0, 0, 0));
}

#[test]
fn reordering_before_playout_starts_moves_the_start_back() {
    let mut arrivals = stream(10, 500, 0, |_| 30.0);
    arrivals[0].at += 25.0; // arrives after packet 1, still before playout starts
    let mut sim = Sim::new(fixed(), arrivals);
    let outs = sim.run(20);
    let s = sim.stats();
    assert_eq!(
        outs.iter().find(|o| **o != Out::Silence),
        Some(&Out::Pkt(0))
    );
    assert_played(&outs, &consecutive(0, 10), s.shrunk_frames);
    assert_eq!(s.late, 0);
}

#[test]
fn duplicates_are_dropped_before_and_after_playing() {
    let mut arrivals = stream(30, 40_000, 0, |_| 30.0);
    let copies: Vec<Arrival> = arrivals
        .iter()
        .map(|a| Arrival {
            at: a.at + 1.0,
            ..*a
        })
        .collect();
    let replay = Arrival {
        at: arrivals[2].at + 300.0,
        ..arrivals[2]
    };
    arrivals.extend(copies);
    arrivals.push(replay);
    let mut sim = Sim::new(fixed(), arrivals);
    let outs = sim.run(40);
    assert_eq!(played(&outs), consecutive(0, 30));
    let s = sim.stats();
    assert_eq!((s.duplicates, s.late, s.lost, s.received), (31, 0, 0, 61));
    let dups = sim
        .outcomes
        .iter()
        .filter(|o| **o == PushOutcome::Duplicate);
    assert_eq!(dups.count(), 31);
}

#[test]
fn lost_packets_are_concealed_with_the_next_one_for_fec() {
    let mut arrivals = stream(30, 0, 0, |_| 30.0);
    arrivals.remove(12); // two in a row: 11 and 12
    arrivals.remove(11);
    arrivals.remove(5);
    let mut sim = Sim::new(fixed(), arrivals);
    let outs = sim.run(40);
    // Frame 5 is played from nothing while 6 is here; frame 11 while 12 is missing too.
    assert_eq!(outs[4 + 5], Out::Conceal(true));
    assert_eq!(outs[4 + 11], Out::Conceal(false));
    assert_eq!(outs[4 + 12], Out::Conceal(true));
    assert_eq!(outs[4 + 13], Out::Pkt(13 * STEP));
    assert_eq!(played(&outs).len(), 27);
    let s = sim.stats();
    assert_eq!((s.lost, s.concealed, s.late), (3, 3, 0));
}

#[test]
fn a_packet_after_its_frame_played_is_late_and_not_lost() {
    let mut arrivals = stream(30, 0, 0, |_| 30.0);
    arrivals[5].at += 100.0; // 30 ms after its frame was due
    let mut sim = Sim::new(fixed(), arrivals);
    let outs = sim.run(40);
    assert_eq!(outs[4 + 5], Out::Conceal(true));
    let late = sim.outcomes.iter().filter(|o| **o == PushOutcome::Late);
    assert_eq!(late.count(), 1);
    let s = sim.stats();
    assert_eq!((s.late, s.lost, s.concealed), (1, 0, 1));
    assert!(!played(&outs).contains(&(5 * STEP)));
}
