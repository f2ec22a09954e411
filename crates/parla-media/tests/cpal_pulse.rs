//! The cpal device path against a real sound server: a user-mode PulseAudio with null sinks,
//! reached through ALSA's `pulse` plugin, as on a desktop without the test's help.
//!
//! The tests share process-wide state (the environment, ALSA's config cache), so they take
//! [`serial`] and each starts its own daemon. This binary's global allocator is
//! `assert_no_alloc`'s; the crate is built with `rt-check` (see Cargo.toml), so every device
//! callback runs under the guard and an allocation there shows up in `alloc_violations`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use parla_media::device::cpal::{
    list_devices, list_devices_labelled, CpalSink, CpalSource, DeviceNotice, DevicePath,
    DeviceStats,
};
use parla_media::device::{open_sink, open_source, AudioEndpoint, AudioSink, AudioSource};
use parla_media::error::MediaError;
use parla_testbench::procstat::threads_named;
use parla_testbench::{make_tone_wav, PulseAudio};

use common::{band_energy_ratio, rms, tone};

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const TICK: Duration = Duration::from_millis(20);

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts PulseAudio and points this process's ALSA (so cpal) at it. Must run before this
/// test opens anything through cpal: ALSA reads its config when the first handle opens.
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

/// Runs `tick` every 20 ms, on deadlines like the media thread, for `span`.
fn paced(span: Duration, mut tick: impl FnMut(usize)) {
    let start = Instant::now();
    let ticks = (span.as_millis() / TICK.as_millis()) as usize;
    for i in 0..ticks {
        tick(i);
        let deadline = start + TICK * (i as u32 + 1);
        if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
}

/// How many of this process's threads are named `name` once none are, or `within` has passed.
#[cfg(target_os = "linux")]
fn threads_left(name: &str, within: Duration) -> usize {
    let by = Instant::now() + within;
    while !threads_named(name).is_empty() && Instant::now() < by {
        std::thread::sleep(Duration::from_millis(20));
    }
    threads_named(name).len()
}

/// Per channel: the share of a 16-bit WAV's energy within ±50 Hz of `freq`, and its RMS.
fn wav_tone(path: &Path, freq: f64) -> Vec<(f64, f64)> {
    let mut r = hound::WavReader::open(path).expect("open recording");
    let spec = r.spec();
    let channels = usize::from(spec.channels);
    let samples: Vec<f32> = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    (0..channels)
        .map(|c| {
            let ch: Vec<f32> = samples.iter().skip(c).step_by(channels).copied().collect();
            (
                band_energy_ratio(&ch, spec.sample_rate, freq, 50.0),
                rms(&ch),
            )
        })
        .collect()
}

/// The label `list` gives the device `name`.
fn label_of(list: &[(String, String)], name: &str) -> Option<String> {
    list.iter()
        .find(|(n, _)| n == name)
        .map(|(_, label)| label.clone())
}

fn assert_clean(what: &str, stats: DeviceStats) {
    eprintln!("{what}: {stats:?}");
    assert!(
        stats.callbacks > 10,
        "{what}: the device callback hardly ran"
    );
    assert_eq!(
        stats.alloc_violations, 0,
        "{what}: a device callback allocated"
    );
}

/// For 4 s, as a call does every 20 ms: reads a frame of `source` (at `rate`) while a 1 kHz
/// tone plays into the sink `mic` (what the source carries), and writes a 600 Hz tone to
/// `sink` while `speaker` (a monitor) is recorded. Asserts the capture holds the 1 kHz tone
/// after its first second (paplay connecting), every speaker channel the 600 Hz one, and both
/// devices ran cleanly. Returns their counters, taken when the reads and writes stopped.
fn exchange_tones(
    pa: &PulseAudio,
    (source, rate, mic): (&mut CpalSource, u32, &str),
    (sink, speaker): (&mut CpalSink, &str),
    what: &str,
) -> (DeviceStats, DeviceStats) {
    let dir = pa.dir();
    let mic_wav = dir.join(format!("{what}-mic-1k.wav"));
    make_tone_wav(&mic_wav, 1000.0, 6.0, 48_000, 1).expect("tone wav");
    let _player = pa.play_into(mic, &mic_wav).expect("paplay");
    let recording = pa
        .record(speaker, &dir.join(format!("{what}-speaker.wav")), 3.0, 2)
        .expect("parec");
    let out_tone = tone(600.0, 48_000, 4.0, 0.5);
    let mut captured = Vec::new();
    let mut frame = vec![0.0f32; rate as usize / 50];
    paced(Duration::from_secs(4), |i| {
        source.read(&mut frame).expect("read");
        captured.extend_from_slice(&frame);
        sink.write(&out_tone[i * 960..(i + 1) * 960])
            .expect("write");
    });
    // Counters now: the source is not read any more, so its ring fills from here on.
    let stats = (source.stats(), sink.stats());
    let heard = recording.finish().expect("recording");

    let steady = &captured[rate as usize..];
    let ratio = band_energy_ratio(steady, rate, 1000.0, 50.0);
    assert!(
        ratio > 0.9 && rms(steady) > 0.1,
        "{what} capture: 1 kHz holds {ratio:.3} of the energy, rms {:.3}",
        rms(steady)
    );
    for (channel, (ratio, level)) in wav_tone(&heard, 600.0).into_iter().enumerate() {
        assert!(
            ratio > 0.9 && level > 0.1,
            "{what} speaker channel {channel}: 600 Hz holds {ratio:.3}, rms {level:.3}"
        );
    }
    assert_clean(&format!("{what} capture"), stats.0);
    assert_clean(&format!("{what} playback"), stats.1);
    stats
}

#[test]
fn capture_and_playback_through_the_default_devices() {
    let _serial = serial();
    let pa = pulse();

    let (inputs, outputs) = list_devices();
    assert!(inputs.iter().any(|d| d == "default"), "inputs: {inputs:?}");
    assert!(
        outputs.iter().any(|d| d == "default"),
        "outputs: {outputs:?}"
    );

    // G.711's rate, so capture resamples from the device's 48 kHz.
    let mut source = CpalSource::open(None, 8000, 160).expect("open default capture");
    let mut sink = CpalSink::open(None).expect("open default playback");
    assert_eq!(source.device_name(), Some("default"));

    let (capture_stats, playback_stats) = exchange_tones(
        &pa,
        (&mut source, 8000, "mic"),
        (&mut sink, "spk.monitor"),
        "default",
    );
    // The default microphone comes from the sound server itself; the speaker is written by the
    // media thread through ALSA.
    if cfg!(target_os = "linux") {
        assert_eq!(
            capture_stats.path,
            DevicePath::Pulse,
            "capture from the server"
        );
        assert_eq!(
            playback_stats.path,
            DevicePath::Alsa,
            "playback written directly"
        );
    }
    assert_eq!(source.take_notice(), None);
    assert_eq!(
        sink.take_notice(),
        None,
        "passing errors at start are not a lost device"
    );
    sink.finish().expect("finish");

    // The crate's endpoint parser reaches the same code, and a wrong name says what exists.
    let err = open_source(
        &AudioEndpoint::parse("no such device").expect("parse"),
        8000,
        160,
    )
    .err()
    .expect("unknown input");
    let text = err.to_string();
    assert!(
        text.contains("no audio input device named \"no such device\"") && text.contains("default"),
        "{text}"
    );
    assert!(open_sink(&AudioEndpoint::parse("default").expect("parse")).is_ok());
}

/// The sound server's own sinks and sources are listed by the names `pulse:NAME` with their
/// descriptions (its sinks' monitors are not microphones), and open by those names: the
/// source through libpulse, the sink written through ALSA's pulse plugin; a name the server
/// does not have is a clear error.
#[cfg(target_os = "linux")]
#[test]
fn the_sound_servers_own_devices_are_listed_and_open_by_name() {
    let _serial = serial();
    let mut pa = pulse();
    pa.add_null_sink("headset", 2).expect("headset");
    // The headset's microphone: a source of its own, carrying only what is played into the
    // sink `headset_in` (the default source carries the `mic` sink).
    pa.add_null_sink("headset_in", 1).expect("headset_in");
    let headset_mic = pa
        .add_source("headset_mic", "headset_in", "Test Headset Microphone")
        .expect("headset_mic");

    let (inputs, outputs) = list_devices_labelled();
    assert_eq!(
        label_of(&inputs, "pulse:headset_mic").as_deref(),
        Some("Test Headset Microphone"),
        "inputs: {inputs:?}"
    );
    assert!(
        label_of(&outputs, "pulse:headset").is_some_and(|l| !l.is_empty()),
        "outputs: {outputs:?}"
    );
    assert!(
        !inputs.iter().any(|(n, _)| n.ends_with(".monitor")),
        "no monitors among the inputs: {inputs:?}"
    );
    let position = |list: &[(String, String)], name: &str| {
        list.iter()
            .position(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is not listed: {list:?}"))
    };
    assert!(
        position(&outputs, "default") < position(&outputs, "pulse:headset"),
        "default first: {outputs:?}"
    );

    let mut source =
        CpalSource::open(Some("pulse:headset_mic"), 48_000, 960).expect("open pulse:headset_mic");
    let mut sink = CpalSink::open(Some("pulse:headset")).expect("open pulse:headset");
    assert_eq!(source.device_name(), Some("pulse:headset_mic"));
    assert_eq!(sink.device_name(), Some("pulse:headset"));

    let (capture_stats, playback_stats) = exchange_tones(
        &pa,
        (&mut source, 48_000, "headset_in"),
        (&mut sink, "headset.monitor"),
        "named",
    );
    assert_eq!(capture_stats.path, DevicePath::Pulse, "{capture_stats:?}");
    assert_eq!(playback_stats.path, DevicePath::Alsa, "{playback_stats:?}");
    assert_eq!((source.take_notice(), sink.take_notice()), (None, None));
    sink.finish().expect("finish");

    // The headset's microphone goes: its stream ends with it (the server does not move it to
    // the default unseen), and the capture falls back to the default and says so.
    pa.unload_module(headset_mic).expect("unload headset_mic");
    let mut frame = vec![0.0f32; 960];
    let mut notice = None;
    let noticed_by = Instant::now() + Duration::from_secs(10);
    while notice.is_none() && Instant::now() < noticed_by {
        paced(Duration::from_millis(200), |_| {
            source.read(&mut frame).expect("read");
            notice = notice.take().or_else(|| source.take_notice());
        });
    }
    assert_eq!(
        notice,
        Some(DeviceNotice::FellBack {
            from: "pulse:headset_mic".into(),
            to: "default".into()
        })
    );

    for (err, direction) in [
        (
            CpalSource::open(Some("pulse:no_such_source"), 48_000, 960).err(),
            "input",
        ),
        (CpalSink::open(Some("pulse:no_such_sink")).err(), "output"),
    ] {
        let text = err.expect("unknown server device").to_string();
        eprintln!("{text}");
        assert!(
            text.contains(&format!(
                "no audio {direction} device named \"pulse:no_such_"
            )),
            "{text}"
        );
    }
}

/// A sink picked by name that goes (a headset unplugged): the server would move the stream
/// to its default sink unseen; the playback falls back to the default itself and says so, as
/// a named microphone does.
#[cfg(target_os = "linux")]
#[test]
fn a_named_sink_that_goes_falls_back_to_the_default_and_says_so() {
    let _serial = serial();
    let mut pa = pulse();
    // As a desktop's server does (its default script; PipeWire always): a sink's streams move
    // to the default sink when it goes, rather than end with it.
    pa.pactl(&["load-module", "module-rescue-streams"])
        .expect("module-rescue-streams");
    let headset = pa.add_null_sink("headset", 2).expect("headset");
    let mut sink = CpalSink::open(Some("pulse:headset")).expect("open pulse:headset");
    let out_tone = tone(600.0, 48_000, 12.0, 0.5);
    let mut frames = out_tone.chunks_exact(960).cycle();
    let mut play = |sink: &mut CpalSink, span| {
        let mut notice = None;
        paced(span, |_| {
            sink.write(frames.next().expect("frames")).expect("write");
            notice = notice.take().or_else(|| sink.take_notice());
        });
        notice
    };
    assert_eq!(play(&mut sink, Duration::from_millis(400)), None);
    assert_eq!(sink.device_name(), Some("pulse:headset"));
    assert_eq!(
        threads_named(SINK_WATCH_THREAD).len(),
        1,
        "the sink's watch"
    );

    pa.unload_module(headset).expect("unload headset");
    let mut notice = None;
    let noticed_by = Instant::now() + Duration::from_secs(10);
    while notice.is_none() && Instant::now() < noticed_by {
        notice = play(&mut sink, Duration::from_millis(200));
    }
    assert_eq!(
        notice,
        Some(DeviceNotice::FellBack {
            from: "pulse:headset".into(),
            to: "default".into()
        })
    );
    assert_eq!(sink.device_name(), Some("default"));
    assert_eq!(
        play(&mut sink, Duration::from_millis(200)),
        None,
        "and stays there"
    );
    // The headset's link went, and its watch's thread with it.
    assert_eq!(
        threads_left(SINK_WATCH_THREAD, Duration::from_secs(5)),
        0,
        "watch threads left"
    );
    sink.finish().expect("finish");

    // A NUL in a name (a config or a command can hold one) is no device, not a panic in
    // libpulse's bindings.
    let text = |e: Option<MediaError>| e.expect("no such device").to_string();
    let input = text(CpalSource::open(Some("pulse:head\0set"), 48_000, 960).err());
    let output = text(CpalSink::open(Some("pulse:head\0set")).err());
    assert!(input.contains("no audio input device named"), "{input}");
    assert!(output.contains("no audio output device named"), "{output}");
}

#[cfg(target_os = "linux")]
const SINK_WATCH_THREAD: &str = "parla-sinkwatch";

/// A reader that waits for its frame (as a call's media thread does) is woken by the device
/// when the frame is there, and reads it with next to nothing left standing in the ring: the
/// delay the ring adds is what arrived beyond the frame, not a period and a margin.
#[cfg(target_os = "linux")]
#[test]
fn a_reader_waiting_for_its_frame_is_woken_with_it() {
    let _serial = serial();
    let pa = pulse();
    // Opus's 48 kHz, and G.711's 8 kHz (resampled from the device's 48).
    reader_woken_with_its_frame(&pa, 48_000, 960);
    reader_woken_with_its_frame(&pa, 8000, 160);
}

fn reader_woken_with_its_frame(pa: &PulseAudio, rate: u32, frame_len: usize) {
    let mic_wav = pa.dir().join("mic-1k.wav");
    make_tone_wav(&mic_wav, 1000.0, 6.0, 48_000, 1).expect("tone wav");
    let _player = pa.play_into_mic(&mic_wav).expect("paplay");
    let mut source = CpalSource::open(None, rate, frame_len).expect("open default capture");
    let mut frame = vec![0.0f32; frame_len];
    let (mut captured, mut standing, mut waits) = (Vec::new(), Vec::new(), 0);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        loop {
            match source.frame_ready() {
                Some(true) => break,
                Some(false) => {
                    waits += 1;
                    std::thread::park_timeout(Duration::from_millis(100));
                }
                None => panic!("our ALSA reader wakes its reader"),
            }
        }
        source.read(&mut frame).expect("read");
        standing.push(source.stats().queued_ms);
        captured.extend_from_slice(&frame);
    }
    let stats = source.stats();
    eprintln!(
        "{rate} Hz: {} reads, {waits} waits, standing {standing:?}, {stats:?}",
        standing.len()
    );
    // Paced by the device: about one read per 20 ms, and the reader did wait.
    let reads = standing.len();
    assert!(
        (100..=200).contains(&reads),
        "{rate} Hz: {reads} reads in 3 s"
    );
    assert!(
        waits >= reads / 2,
        "{rate} Hz: only {waits} waits for {reads} reads"
    );
    // Nearly nothing stands in the ring after a read: the device's reader takes whole periods,
    // and PulseAudio's chunks, which do not divide a period, wait in the device's buffer for
    // the next one. (Taking all there was, the ring kept 5 ms, or climbed to a frame and back,
    // in 3 of 4 runs.) A reader on a timer would keep a period and 3 ms, 13 ms.
    standing.sort_unstable();
    let median = standing[standing.len() / 2];
    let above_2ms = standing.iter().filter(|&&ms| ms > 2).count();
    assert!(median <= 1, "{rate} Hz: median standing fill {median} ms");
    assert!(
        above_2ms <= reads / 10,
        "{rate} Hz: {above_2ms} of {reads} reads left more than 2 ms"
    );
    let steady = &captured[rate as usize..];
    let ratio = band_energy_ratio(steady, rate, 1000.0, 50.0);
    assert!(
        ratio > 0.9 && rms(steady) > 0.1,
        "{rate} Hz: 1 kHz holds {ratio:.3}"
    );
}

#[test]
fn a_device_that_vanishes_falls_back_to_the_default() {
    let _serial = serial();
    let mut pa = pulse();
    let dir = pa.dir().to_path_buf();
    // A headset: its own sink and mic, listed by ALSA under names of their own.
    let spk2 = pa.add_null_sink("spk2", 2).expect("spk2");
    let mic2 = pa.add_null_sink("mic2", 1).expect("mic2");
    pa.add_alsa_pcm("headset_out", "spk2").expect("pcm");
    pa.add_alsa_pcm("headset_in", "mic2.monitor").expect("pcm");
    let (inputs, outputs) = list_devices();
    assert!(
        inputs.iter().any(|d| d == "headset_in"),
        "inputs: {inputs:?}"
    );
    assert!(
        outputs.iter().any(|d| d == "headset_out"),
        "outputs: {outputs:?}"
    );
    // Labelled by the ALSA hint's description, names as above.
    let (inputs, outputs) = list_devices_labelled();
    assert_eq!(
        label_of(&outputs, "headset_out").as_deref(),
        Some("headset_out (bench)"),
        "outputs: {outputs:?}"
    );
    assert_eq!(
        label_of(&inputs, "headset_in").as_deref(),
        Some("headset_in (bench)"),
        "inputs: {inputs:?}"
    );

    let mut source = CpalSource::open(Some("headset_in"), 48_000, 960).expect("open headset_in");
    let mut sink = CpalSink::open(Some("headset_out")).expect("open headset_out");
    // Long enough for every step below, the longest wait for the fallback included.
    let out_tone = tone(600.0, 48_000, 20.0, 0.5);
    let mut frame = vec![0.0f32; 960];
    let mut notices = (None, None);
    let mut tick = 0;
    let mut step = |source: &mut CpalSource, sink: &mut CpalSink, captured: &mut Vec<f32>| {
        source.read(&mut frame).expect("read");
        captured.extend_from_slice(&frame);
        sink.write(&out_tone[tick * 960..(tick + 1) * 960])
            .expect("write");
        tick += 1;
    };
    let mut ignored = Vec::new();
    paced(Duration::from_millis(600), |_| {
        step(&mut source, &mut sink, &mut ignored)
    });
    assert_eq!(source.device_name(), Some("headset_in"));
    // A named device is read by our ALSA reader. PulseAudio's plugin wakes a reader early
    // whenever its chunks and the period do not line up; cpal's loop spun on that, waking
    // several times a period. Ours naps once instead.
    if cfg!(target_os = "linux") {
        let headset = source.stats();
        assert_eq!(headset.path, DevicePath::Alsa, "{headset:?}");
        assert!(
            headset.callbacks >= 15 && headset.wakeups <= 3 * headset.callbacks + 20,
            "capture woke {} times for {} reads",
            headset.wakeups,
            headset.callbacks
        );
    }
    // Unplugged: the headset goes from the lists, then its streams fail. (Killing them first
    // races: the pulse plugin may reconnect to the headset before it is unloaded, and PulseAudio
    // then moves the new stream to the default device, where it goes on without a failure.)
    pa.unload_module(spk2).expect("unload spk2");
    pa.unload_module(mic2).expect("unload mic2");
    // Those PulseAudio moved to the default device; any it dropped on unloading have failed
    // already. Either way each stream must now fail over, as the notices below show.
    pa.kill_streams_of(std::process::id())
        .expect("kill streams");
    // Wait for both notices (at most 10 s: a busy machine notices later), feeding the devices
    // all the while as a call would.
    let noticed_by = Instant::now() + Duration::from_secs(10);
    while (notices.0.is_none() || notices.1.is_none()) && Instant::now() < noticed_by {
        paced(Duration::from_millis(200), |_| {
            step(&mut source, &mut sink, &mut ignored);
            notices.0 = notices.0.take().or_else(|| source.take_notice());
            notices.1 = notices.1.take().or_else(|| sink.take_notice());
        });
    }
    let stats = (source.stats(), sink.stats());
    assert_eq!(
        notices.0,
        Some(DeviceNotice::FellBack {
            from: "headset_in".into(),
            to: "default".into()
        }),
        "capture, playback: {stats:?}"
    );
    assert_eq!(
        notices.1,
        Some(DeviceNotice::FellBack {
            from: "headset_out".into(),
            to: "default".into()
        }),
        "capture, playback: {stats:?}"
    );
    assert_eq!(sink.device_name(), Some("default"));

    // The call goes on through the default devices.
    let mic_wav = dir.join("mic-1k.wav");
    make_tone_wav(&mic_wav, 1000.0, 5.0, 48_000, 1).expect("tone wav");
    let _player = pa.play_into_mic(&mic_wav).expect("paplay");
    let recording = pa.record_speaker(&dir.join("spk.wav"), 2.0).expect("parec");
    let mut captured = Vec::new();
    paced(Duration::from_secs(3), |_| {
        step(&mut source, &mut sink, &mut captured)
    });
    let (capture_stats, playback_stats) = (source.stats(), sink.stats());
    let heard = recording.finish().expect("recording");
    let steady = &captured[48_000..];
    let ratio = band_energy_ratio(steady, 48_000, 1000.0, 50.0);
    assert!(
        ratio > 0.9,
        "capture after fallback: 1 kHz holds {ratio:.3}"
    );
    for (channel, (ratio, level)) in wav_tone(&heard, 600.0).into_iter().enumerate() {
        assert!(
            ratio > 0.9 && level > 0.1,
            "speaker channel {channel} after fallback: 600 Hz holds {ratio:.3}, rms {level:.3}"
        );
    }
    assert_clean("capture after fallback", capture_stats);
    assert_clean("playback after fallback", playback_stats);

    // The sound server dies: nothing to fall back to. The call goes on in silence and says so.
    // (A stream through ALSA's plugin can deadlock inside libpulse when closed now; streams are
    // closed off the caller's thread, so this test ending at all shows the media side does not
    // hang with one.)
    pa.stop();
    let mut notices = (None, None);
    paced(Duration::from_secs(3), |_| {
        step(&mut source, &mut sink, &mut ignored);
        notices.0 = notices.0.take().or_else(|| source.take_notice());
        notices.1 = notices.1.take().or_else(|| sink.take_notice());
    });
    for notice in [notices.0, notices.1] {
        assert!(
            matches!(&notice, Some(DeviceNotice::Lost { device, .. }) if device == "default"),
            "{notice:?}"
        );
    }
    assert_eq!((source.device_name(), sink.device_name()), (None, None));
    assert!(frame.iter().all(|&s| s == 0.0), "silence while no device");
}

/// The guard this binary relies on does catch an allocation (so `alloc_violations == 0` above
/// means something).
#[cfg(debug_assertions)]
#[test]
fn the_allocation_guard_catches_allocations() {
    let before = assert_no_alloc::violation_count();
    assert_no_alloc::assert_no_alloc(|| std::hint::black_box(vec![0u8; 64]).len());
    assert!(assert_no_alloc::violation_count() > before);
}

/// The sound server dies under a call: the thread that reads the microphone (waiting for its
/// frame, as a call's media thread does) and writes the speaker goes on ticking with silence,
/// and the microphone reports its device lost. Run on a thread of its own so that a hang fails
/// the test instead of stopping it (the pulse plugin is known to hang in close after the
/// server died, see `health::retire`).
#[cfg(target_os = "linux")]
#[test]
fn the_sound_server_dying_under_a_call_does_not_stop_its_thread() {
    let _serial = serial();
    let mut pa = pulse();
    // The thread stops when the receiver is dropped.
    let (ticks_tx, ticks_rx) = std::sync::mpsc::channel::<(usize, Option<DeviceNotice>)>();
    let call = std::thread::spawn(move || {
        let mut source = CpalSource::open(None, 48_000, 960).expect("open capture");
        let mut sink = CpalSink::open(None).expect("open playback");
        let mut frame = vec![0.0f32; 960];
        let silence = vec![0.0f32; 960];
        let mut tick = 0;
        loop {
            let until = Instant::now() + TICK + Duration::from_millis(10);
            while source.frame_ready() == Some(false) && Instant::now() < until {
                std::thread::park_timeout(until.saturating_duration_since(Instant::now()));
            }
            source.read(&mut frame).expect("read");
            sink.write(&silence).expect("write");
            tick += 1;
            if ticks_tx.send((tick, source.take_notice())).is_err() {
                break;
            }
        }
    });
    // Running: a second of ticks.
    let running_by = Instant::now() + Duration::from_secs(10);
    let mut tick = 0;
    while tick < 50 {
        let left = running_by.saturating_duration_since(Instant::now());
        tick = ticks_rx
            .recv_timeout(left)
            .expect("ticking before the server stops")
            .0;
    }
    assert!(
        !threads_named(PULSE_CAPTURE_THREAD).is_empty(),
        "the microphone comes from the server"
    );
    pa.stop();
    // Still ticking after the server went, and the microphone reported lost (or reopened).
    let mut notice = None;
    let mut after = 0;
    let noticed_by = Instant::now() + Duration::from_secs(15);
    while (notice.is_none() || after < 100) && Instant::now() < noticed_by {
        let left = noticed_by.saturating_duration_since(Instant::now());
        let (_, n) = ticks_rx
            .recv_timeout(left)
            .expect("the thread went on ticking after the server died");
        after += 1;
        notice = notice.or(n);
    }
    assert!(after >= 100, "only {after} ticks after the server died");
    assert!(
        matches!(
            notice,
            Some(DeviceNotice::Lost { .. } | DeviceNotice::FellBack { .. })
        ),
        "microphone notice: {notice:?}"
    );
    // The microphone's connection was let go of whole: through ALSA's plugin the capture
    // thread stayed blocked on the plugin's lock for good (see `pulse_capture.rs`).
    assert_eq!(
        threads_left(PULSE_CAPTURE_THREAD, Duration::from_secs(10)),
        0,
        "the lost microphone's thread is still there"
    );
    drop(ticks_rx);
    call.join().expect("call thread");
}

/// The thread that owns a capture's connection to the sound server.
#[cfg(target_os = "linux")]
const PULSE_CAPTURE_THREAD: &str = "parla-pulse-in";
