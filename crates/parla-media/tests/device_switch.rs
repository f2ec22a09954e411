//! A running session moved to other devices, and its microphone level, on a test-started
//! PulseAudio: two null sinks stand for speakers and a headset, each reached through an ALSA
//! PCM of its own, as cpal lists them. The session loops its own RTP (a file tone in, the
//! device out), so what plays is the whole call path.
//!
//! As in `cpal_pulse.rs`, the tests take [`serial`] and each starts its own daemon; the crate
//! is built with `rt-check` and this binary's allocator counts allocations in device callbacks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use parla_media::{
    AudioEndpoint, CodecParams, MediaConfig, MediaEvent, MediaEventSink, MediaSession,
};
use parla_testbench::{make_tone_wav, PulseAudio};

use common::{band_energy_ratio, rms, wait_for};

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const TIMEOUT: Duration = Duration::from_secs(10);
const TONE_HZ: f64 = 600.0;

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts PulseAudio and points this process's ALSA (so cpal) at it.
fn pulse() -> PulseAudio {
    assert!(
        PulseAudio::available(),
        "pulseaudio/pulseaudio-utils are not installed: scripts/install-test-deps.sh installs them"
    );
    let pa = PulseAudio::start().expect("start PulseAudio");
    for (key, value) in pa.env() {
        std::env::set_var(key, value);
    }
    pa
}

/// A session that sends to itself: `input` in, `output` out, events collected.
fn looped_session(
    input: AudioEndpoint,
    output: AudioEndpoint,
) -> (MediaSession, Arc<Mutex<Vec<MediaEvent>>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let own = socket.local_addr().expect("local addr");
    let mut config = MediaConfig::new(socket, own, CodecParams::pcmu());
    config.input = input;
    config.output = output;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    config.events = Some(MediaEventSink::new(move |e| {
        seen.lock().unwrap_or_else(PoisonError::into_inner).push(e)
    }));
    (MediaSession::start(config).expect("start session"), events)
}

/// Streams playing to the sink `sink` right now (the sink's keep-alive stream included).
fn streams_on(pa: &PulseAudio, sink: &str) -> usize {
    let sinks = pa.pactl(&["list", "short", "sinks"]).expect("sinks");
    let index = sinks
        .lines()
        .find_map(|l| {
            let mut cols = l.split('\t');
            let index = cols.next()?;
            (cols.next()? == sink).then(|| index.to_owned())
        })
        .unwrap_or_else(|| panic!("no sink {sink} in {sinks}"));
    let inputs = pa.pactl(&["list", "short", "sink-inputs"]).expect("inputs");
    inputs
        .lines()
        .filter(|l| l.split('\t').nth(1) == Some(index.as_str()))
        .count()
}

/// Records a second of `sink` and returns the tone's share of the energy and the RMS.
fn hear(pa: &PulseAudio, sink: &str, name: &str) -> (f64, f64) {
    let path: PathBuf = pa.dir().join(name);
    let wav = pa
        .record(&format!("{sink}.monitor"), &path, 1.0, 1)
        .expect("parec")
        .finish()
        .expect("recording");
    let (rate, samples) = read_mono(&wav);
    (
        band_energy_ratio(&samples, rate, TONE_HZ, 50.0),
        rms(&samples),
    )
}

fn read_mono(path: &Path) -> (u32, Vec<f32>) {
    let mut r = hound::WavReader::open(path).expect("open recording");
    let rate = r.spec().sample_rate;
    let samples = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    (rate, samples)
}

/// Records `sink` until a second of it holds the tone, at most three times: a busy machine
/// may starve the device for a moment, which says nothing about where the audio goes.
fn assert_plays_the_tone(pa: &PulseAudio, sink: &str, what: &str) {
    let mut heard = Vec::new();
    for attempt in 0..3 {
        let (ratio, level) = hear(pa, sink, &format!("{what}-{attempt}.wav"));
        eprintln!("{what}: {TONE_HZ} Hz holds {ratio:.3} of {sink}'s energy, rms {level:.3}");
        if ratio > 0.9 && level > 0.05 {
            return;
        }
        heard.push((ratio, level));
    }
    panic!("{what}: {sink} did not play the {TONE_HZ} Hz tone (ratio, rms): {heard:?}");
}

#[test]
fn a_call_moves_to_another_output_and_keeps_running() {
    let _serial = serial();
    let mut pa = pulse();
    pa.add_null_sink("speakers", 1).expect("speakers");
    pa.add_null_sink("headset", 1).expect("headset");
    pa.add_alsa_pcm("speakers_out", "speakers").expect("pcm");
    pa.add_alsa_pcm("headset_out", "headset").expect("pcm");
    let tone_wav = pa.dir().join("tone.wav");
    make_tone_wav(&tone_wav, TONE_HZ, 2.0, 48_000, 1).expect("tone wav");

    let (session, events) = looped_session(
        AudioEndpoint::File(tone_wav),
        AudioEndpoint::parse("speakers_out").expect("endpoint"),
    );
    assert!(
        wait_for(TIMEOUT, || session.stats().packets_received >= 25),
        "the loop runs: {:?}",
        session.stats()
    );
    assert_plays_the_tone(&pa, "speakers", "before the switch");

    // A device that is not there: a clear error, and the speakers go on playing.
    let err = session
        .switch_devices(
            None,
            Some(AudioEndpoint::parse("no such device").expect("name")),
        )
        .expect_err("unknown device");
    assert!(
        err.to_string()
            .contains("no audio output device named \"no such device\""),
        "{err}"
    );
    assert_plays_the_tone(&pa, "speakers", "after a failed switch");

    let ours = streams_on(&pa, "speakers");
    assert_eq!(ours, 2, "the keep-alive stream and ours on the speakers");
    session
        .switch_devices(
            None,
            Some(AudioEndpoint::parse("headset_out").expect("name")),
        )
        .expect("switch to the headset");
    assert!(
        wait_for(TIMEOUT, || streams_on(&pa, "speakers") == 1),
        "the speakers' stream was closed"
    );
    assert_eq!(streams_on(&pa, "headset"), 2, "our stream on the headset");
    assert_plays_the_tone(&pa, "headset", "after the switch");
    let (_, left_on_speakers) = hear(&pa, "speakers", "speakers-after.wav");
    assert!(
        left_on_speakers < 0.001,
        "the speakers are silent: rms {left_on_speakers}"
    );

    // The call went on throughout.
    let received = session.stats().packets_received;
    assert!(
        wait_for(TIMEOUT, || session.stats().packets_received
            >= received + 10),
        "packets still flow"
    );
    let stats = session.stop();
    assert_eq!(
        (stats.input_errors, stats.output_errors, stats.send_errors),
        (0, 0, 0),
        "{stats:?}"
    );
    let events = events.lock().unwrap_or_else(PoisonError::into_inner);
    assert!(events.is_empty(), "no device notices: {events:?}");
}

#[test]
fn the_input_level_follows_the_microphone_and_its_device_can_change() {
    let _serial = serial();
    let pa = pulse();
    let (session, _) = looped_session(AudioEndpoint::Device(None), AudioEndpoint::Null);
    let meter = session.input_level_meter();
    // The mic sink carries silence (its keep-alive stream) until a tone is played into it.
    assert!(
        wait_for(TIMEOUT, || session.stats().packets_sent >= 25),
        "capture runs"
    );
    assert!(
        session.input_level() < 0.01,
        "silence: {}",
        session.input_level()
    );

    let tone_wav = pa.dir().join("mic.wav");
    make_tone_wav(&tone_wav, 1000.0, 30.0, 48_000, 1).expect("tone wav");
    let player = pa.play_into_mic(&tone_wav).expect("paplay");
    // The tone's amplitude is 0.5.
    assert!(
        wait_for(TIMEOUT, || meter.get() > 0.3),
        "tone: level {}",
        meter.get()
    );
    assert!(meter.get() <= 1.0);

    // The input moves too: an unknown one is refused, `null` takes over while the tone plays on.
    let err = session
        .switch_devices(
            Some(AudioEndpoint::parse("no such mic").expect("name")),
            None,
        )
        .expect_err("unknown input");
    assert!(
        err.to_string().contains("no audio input device named"),
        "{err}"
    );
    assert!(
        wait_for(TIMEOUT, || meter.get() > 0.3),
        "still the microphone: {}",
        meter.get()
    );
    session
        .switch_devices(Some(AudioEndpoint::Null), None)
        .expect("switch to null");
    assert!(
        wait_for(TIMEOUT, || meter.get() < 0.01),
        "null input: level {}",
        meter.get()
    );
    drop(player);
    let stats = session.stop();
    assert_eq!(stats.input_errors, 0, "{stats:?}");
}

/// The allocation guard this binary relies on does catch an allocation.
#[cfg(debug_assertions)]
#[test]
fn the_allocation_guard_catches_allocations() {
    let before = assert_no_alloc::violation_count();
    assert_no_alloc::assert_no_alloc(|| std::hint::black_box(vec![0u8; 64]).len());
    assert!(assert_no_alloc::violation_count() > before);
}
