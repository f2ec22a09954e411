#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test module: a failed step is a failed test"
)]

use std::f64::consts::PI;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use rtrb::{Consumer, Producer, RingBuffer};

use super::mix::{FrameReader, Mixer};
use super::{Conference, Shared, FRAME};
use crate::device::{self, AudioEndpoint};
use crate::processing::ProcessingConfig;

const OFF: ProcessingConfig = ProcessingConfig::OFF;

const RATE: f64 = 48_000.0;
/// Analysis window: 0.2 s, so every multiple of 5 Hz is an exact DFT bin.
const WINDOW: usize = 9600;

/// Amplitude of the `freq` component of `x` (Goertzel on an exact bin).
fn amplitude(x: &[f32], freq: f64) -> f64 {
    let n = x.len() as f64;
    let w = 2.0 * PI * freq / RATE;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s0 = f64::from(v) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    2.0 * power.max(0.0).sqrt() / n
}

struct Tone {
    freq: f64,
    amp: f64,
    at: usize,
}

impl Tone {
    fn new(freq: f64, amp: f64) -> Self {
        Self { freq, amp, at: 0 }
    }

    fn fill(&mut self, out: &mut [f32]) {
        for o in out {
            *o = (self.amp * (2.0 * PI * self.freq * self.at as f64 / RATE).sin()) as f32;
            self.at += 1;
        }
    }
}

/// A leg as the test drives it: what the far end says in, what the leg hears out.
struct TestLeg {
    says: Producer<f32>,
    hears: Consumer<f32>,
    tone: Tone,
    heard: Vec<f32>,
}

fn mixer_with_legs(tones: &[(f64, f64)]) -> (Mixer, Arc<Shared>, Vec<TestLeg>) {
    let (shared, _commands, retire) = Shared::new(tones.len());
    let mut mixer = Mixer::new(Arc::clone(&shared), retire);
    let legs = tones
        .iter()
        .enumerate()
        .map(|(slot, &(freq, amp))| {
            let (says, input) = RingBuffer::new(8 * FRAME);
            let (output, hears) = RingBuffer::new(8 * FRAME);
            mixer.attach_input(slot, input);
            mixer.attach_output(slot, output);
            TestLeg {
                says,
                hears,
                tone: Tone::new(freq, amp),
                heard: Vec::new(),
            }
        })
        .collect();
    (mixer, shared, legs)
}

/// Runs `ticks` ticks with each leg saying one frame per tick (two ahead, as the rings
/// start), the microphone playing `mic`; returns the speaker's audio.
fn run(mixer: &mut Mixer, legs: &mut [TestLeg], mic: &mut Tone, ticks: usize) -> Vec<f32> {
    let mut frame = vec![0.0f32; FRAME];
    let mut speaker = Vec::new();
    for tick in 0..ticks {
        for leg in legs.iter_mut() {
            let frames = if tick == 0 { 2 } else { 1 };
            for _ in 0..frames {
                leg.tone.fill(&mut frame);
                leg.says
                    .push_partial_slice(&frame)
                    .1
                    .is_empty()
                    .then_some(())
                    .expect("room");
            }
        }
        mic.fill(&mut mixer.mic);
        mixer.tick();
        speaker.extend_from_slice(mixer.speaker());
        for leg in legs.iter_mut() {
            while let Ok(s) = leg.hears.pop() {
                leg.heard.push(s);
            }
        }
    }
    speaker
}

fn tail(x: &[f32]) -> &[f32] {
    &x[x.len() - WINDOW..]
}

const TONES: [(f64, f64); 3] = [(400.0, 0.3), (700.0, 0.2), (1100.0, 0.1)];
const MIC: (f64, f64) = (1700.0, 0.25);

#[test]
fn each_leg_hears_the_others_and_the_microphone_but_not_itself() {
    let (mut mixer, _shared, mut legs) = mixer_with_legs(&TONES);
    let mut mic = Tone::new(MIC.0, MIC.1);
    let speaker = run(&mut mixer, &mut legs, &mut mic, 40);
    for (i, leg) in legs.iter().enumerate() {
        let heard = tail(&leg.heard);
        for (j, &(freq, amp)) in TONES.iter().enumerate() {
            let got = amplitude(heard, freq);
            if i == j {
                assert!(got < 1e-4, "leg {i} hears itself at {freq} Hz: {got}");
            } else {
                assert!(
                    (got - amp).abs() < 0.01,
                    "leg {i} hears leg {j} at {got}, not {amp}"
                );
            }
        }
        let got = amplitude(heard, MIC.0);
        assert!((got - MIC.1).abs() < 0.01, "leg {i} hears the mic at {got}");
    }
    let speaker = tail(&speaker);
    for &(freq, amp) in &TONES {
        assert!(
            (amplitude(speaker, freq) - amp).abs() < 0.01,
            "speaker at {freq}"
        );
    }
    assert!(
        amplitude(speaker, MIC.0) < 1e-4,
        "the speaker never plays the mic"
    );
}

#[test]
fn a_muted_participant_and_a_muted_microphone_are_left_out() {
    let (mut mixer, shared, mut legs) = mixer_with_legs(&TONES);
    let mut mic = Tone::new(MIC.0, MIC.1);
    shared.muted[1].store(true, Relaxed);
    shared.mic_muted.store(true, Relaxed);
    let speaker = run(&mut mixer, &mut legs, &mut mic, 40);
    let (muted_freq, _) = TONES[1];
    for (i, leg) in legs.iter().enumerate() {
        let heard = tail(&leg.heard);
        assert!(
            amplitude(heard, muted_freq) < 1e-4,
            "leg {i} hears the muted leg"
        );
        assert!(
            amplitude(heard, MIC.0) < 1e-4,
            "leg {i} hears the muted mic"
        );
    }
    // The muted leg still hears the others.
    let heard = tail(&legs[1].heard);
    assert!((amplitude(heard, TONES[0].0) - TONES[0].1).abs() < 0.01);
    assert!((amplitude(heard, TONES[2].0) - TONES[2].1).abs() < 0.01);
    assert!(amplitude(tail(&speaker), muted_freq) < 1e-4);
    assert!((amplitude(tail(&speaker), TONES[2].0) - TONES[2].1).abs() < 0.01);

    shared.muted[1].store(false, Relaxed);
    shared.mic_muted.store(false, Relaxed);
    run(&mut mixer, &mut legs, &mut mic, 40);
    let heard = tail(&legs[0].heard);
    assert!(
        (amplitude(heard, muted_freq) - TONES[1].1).abs() < 0.01,
        "unmuted again"
    );
    assert!(
        (amplitude(heard, MIC.0) - MIC.1).abs() < 0.01,
        "mic unmuted again"
    );
}

#[test]
fn loud_and_broken_input_is_clipped_never_wrapped_or_nan() {
    let tones = [(400.0, 0.9), (700.0, 0.9), (1100.0, 0.9)];
    let (mut mixer, _shared, mut legs) = mixer_with_legs(&tones);
    let mut mic = Tone::new(MIC.0, 0.9);
    let _ = legs[2]
        .says
        .push_partial_slice(&[f32::NAN, f32::INFINITY, -f32::INFINITY, 7.0]);
    let speaker = run(&mut mixer, &mut legs, &mut mic, 20);
    for x in legs.iter().flat_map(|l| l.heard.iter()).chain(&speaker) {
        assert!(x.is_finite() && (-1.0..=1.0).contains(x), "{x}");
    }
    assert!(speaker.contains(&1.0), "the loud sum reached the limit");
}

/// The tick, including a leg that goes away (its ring halves are handed back), allocates
/// nothing.
#[test]
#[cfg(debug_assertions)]
fn the_tick_allocates_nothing() {
    for n in [3, 5] {
        let tones: Vec<(f64, f64)> = (0..n).map(|i| (300.0 + 200.0 * i as f64, 0.1)).collect();
        let (mut mixer, shared, mut legs) = mixer_with_legs(&tones);
        let mut mic = Tone::new(MIC.0, MIC.1);
        run(&mut mixer, &mut legs, &mut mic, 5);
        let mut gone = legs.pop();
        let before = assert_no_alloc::violation_count();
        let mut frame = vec![0.0f32; FRAME];
        for tick in 0..100 {
            if let (50, Some(leg)) = (tick, gone.take()) {
                drop_on_another_thread(leg.says, leg.hears);
            }
            for leg in legs.iter_mut() {
                leg.tone.fill(&mut frame);
                let _ = leg.says.push_partial_slice(&frame);
            }
            mic.fill(&mut mixer.mic);
            shared.muted[0].store(tick % 20 < 10, Relaxed);
            assert_no_alloc::assert_no_alloc(|| mixer.tick());
            for leg in legs.iter_mut() {
                while leg.hears.pop().is_ok() {}
            }
        }
        assert_eq!(
            assert_no_alloc::violation_count(),
            before,
            "{n} legs: the tick allocated"
        );
        assert_eq!(
            mixer.attached(),
            n - 1,
            "the leg that went away was detached"
        );
        let mut retired = shared.retired.lock().expect("retired");
        assert_eq!(retired.slots(), 2, "both its ring halves came back");
        while retired.pop().is_ok() {}
    }
}

#[cfg(debug_assertions)]
fn drop_on_another_thread(a: Producer<f32>, b: Consumer<f32>) {
    std::thread::spawn(move || drop((a, b)))
        .join()
        .expect("join");
}

/// The reader's fill stays within a few frames whether the writer runs fast or slow.
#[test]
fn ring_fill_stays_bounded_with_a_fast_or_slow_writer() {
    for (per_read, name) in [(FRAME + FRAME / 10, "fast"), (FRAME - FRAME / 10, "slow")] {
        let (mut tx, rx) = RingBuffer::new(8 * FRAME);
        let mut reader = FrameReader::new(rx);
        let mut out = vec![0.0f32; FRAME];
        let chunk = vec![0.5f32; per_read];
        let (mut padded, mut dropped, mut max_fill) = (0, 0, 0);
        for _ in 0..2000 {
            let _ = tx.push_partial_slice(&chunk);
            let outcome = reader.read(&mut out);
            padded += outcome.padded;
            dropped += outcome.dropped;
            max_fill = max_fill.max(reader.fill());
        }
        assert!(max_fill <= 4 * FRAME, "{name}: fill reached {max_fill}");
        if name == "fast" {
            assert!(
                dropped > 0 && padded == 0,
                "{name}: dropped {dropped}, padded {padded}"
            );
            // The surplus (a tenth of a frame a read) is what was dropped, give or take the
            // frames standing in the ring.
            let surplus = 2000 * (FRAME / 10);
            assert!(
                dropped + 4 * FRAME >= surplus,
                "{name}: dropped {dropped} of {surplus}"
            );
        } else {
            assert!(
                padded > 0 && dropped == 0,
                "{name}: dropped {dropped}, padded {padded}"
            );
        }
    }
}

/// A jittery writer (two frames, then none) at the same pace never underruns once primed.
#[test]
fn scheduling_jitter_between_the_threads_is_absorbed() {
    let (mut tx, rx) = RingBuffer::new(8 * FRAME);
    let mut reader = FrameReader::new(rx);
    let mut out = vec![0.0f32; FRAME];
    let frame = vec![0.25f32; FRAME];
    let mut padded = 0;
    for i in 0..1000 {
        match i % 4 {
            0 => {
                let _ = tx.push_partial_slice(&frame);
                let _ = tx.push_partial_slice(&frame);
            }
            2 => {}
            _ => {
                let _ = tx.push_partial_slice(&frame);
            }
        }
        let outcome = reader.read(&mut out);
        if i > 4 {
            padded += outcome.padded;
        }
        assert!(reader.fill() <= 3 * FRAME);
    }
    assert_eq!(padded, 0);
}

#[test]
fn places_are_handed_out_freed_and_reused() {
    let conf = Conference::start(&AudioEndpoint::Null, &AudioEndpoint::Null, 2, None, OFF)
        .expect("conference");
    let a = conf.port().expect("a");
    let b = conf.port().expect("b");
    assert_ne!(a, b);
    assert!(conf.port().is_err(), "full: two places, both handed out");

    let endpoint = AudioEndpoint::Conference(a.clone());
    let source = device::open_source(&endpoint, 8000, 160).expect("source");
    let sink = device::open_sink(&endpoint).expect("sink");
    assert_eq!(conf.participants(), 1);
    assert!(conf.port().is_err(), "still full while a is in use");

    // A session restart: the endpoints go and come back on the same place.
    drop((source, sink));
    assert_eq!(conf.participants(), 0);
    let source = device::open_source(&endpoint, 48_000, 960).expect("reopened source");
    let sink = device::open_sink(&endpoint).expect("reopened sink");
    assert_eq!(conf.participants(), 1);
    drop((source, sink));

    // The call ended (endpoints gone; the engine may still hold the handle): a is free.
    let c = conf.port().expect("a's place again");
    assert_eq!(c.slot(), a.slot());
    assert_ne!(c, a, "a new generation of the place");
    let err = device::open_sink(&endpoint)
        .err()
        .expect("a's place went to c");
    assert!(err.to_string().contains("another call"), "{err}");

    // Handles never used keep their place until the last one goes.
    let b_slot = b.slot();
    drop(b);
    let d = conf.port().expect("b's place, its handles gone");
    assert_eq!(d.slot(), b_slot);
    drop(conf);
    let err = device::open_sink(&AudioEndpoint::Conference(d))
        .err()
        .expect("ended");
    assert!(err.to_string().contains("ended"), "{err}");
}

#[test]
fn handles_travel_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Conference>();
    send_sync::<super::ConferencePort>();
    send_sync::<AudioEndpoint>();
    send_sync::<crate::MediaSession>();
}

#[test]
fn a_conference_takes_1_to_max_participants_and_no_conference_devices() {
    let null = AudioEndpoint::Null;
    assert!(Conference::start(&null, &null, 0, None, OFF).is_err());
    assert!(Conference::start(&null, &null, super::MAX_PARTICIPANTS + 1, None, OFF).is_err());
    let conf = Conference::start(&null, &null, 1, None, OFF).expect("conference");
    let port = AudioEndpoint::Conference(conf.port().expect("port"));
    assert!(Conference::start(&port, &null, 1, None, OFF).is_err());
    assert!(conf.switch_devices(None, Some(port)).is_err());
    conf.switch_devices(Some(AudioEndpoint::Null), Some(AudioEndpoint::Null))
        .expect("switch to other devices");
}
