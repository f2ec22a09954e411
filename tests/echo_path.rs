//! Acoustic echo end to end. A test-started PulseAudio is the room: what Parla plays on `spk`
//! comes back into the `mic` sink Parla captures from (via `mic.monitor`) through
//! module-loopback, 80 ms late and 8 dB down. baresip, the far end, talks (speech from
//! espeak-ng) and records what it receives, which is only that echo: nothing else plays into
//! Parla's microphone. The same call runs with `[audio] echo_cancellation` off, then on, and
//! the echo energy baresip received over its own speech is compared.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use parla_testbench::speech::make_speech;
use parla_testbench::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);
/// The room: loopback latency and attenuation.
const ROOM_DELAY_MS: u32 = 80;
const ROOM_GAIN_DB: f64 = -8.0;
/// With the canceller on, the echo must be at least this much lower than with it off. Eleven
/// runs of a debug build on December 4, 2026 measured 12.3 15.1 16.2 20.1 21.8 23.3 24.9 28.0
/// 34.0 38.5 47.7 dB (how soon the canceller converges in a 20 s call varies); a canceller that
/// does nothing gives about 0. The offline harness (`crates/parla-media/tests/echo.rs`) holds
/// the tight bars.
const MIN_REDUCTION_DB: f64 = 10.0;
const FRAME_MS: usize = 20;

/// Loads module-loopback spk.monitor -> mic with the room's delay and gain.
fn make_room(pulse: &PulseAudio) {
    let module = pulse
        .pactl(&[
            "load-module",
            "module-loopback",
            "source=spk.monitor",
            "sink=mic",
            &format!("latency_msec={ROOM_DELAY_MS}"),
            "source_dont_move=true",
            "sink_dont_move=true",
        ])
        .expect("module-loopback");
    assert!(
        module.trim().parse::<u32>().is_ok(),
        "load-module printed {module:?}"
    );
    let inputs = pulse
        .pactl(&["list", "short", "sink-inputs"])
        .expect("sink inputs");
    // short list: index, sink, client, driver, spec
    let input = inputs
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.get(3).is_some_and(|d| d.contains("module-loopback")))
        .unwrap_or_else(|| panic!("the loopback's sink input in {inputs:?}"))[0]
        .to_string();
    let factor = 10f64.powf(ROOM_GAIN_DB / 20.0);
    pulse
        .pactl(&["set-sink-input-volume", &input, &format!("{factor:.3}")])
        .expect("loopback volume");
}

/// Mean power (linear, full scale 1.0) of each 20 ms frame of a 16-bit WAV, channel 0.
fn frame_powers(path: &Path) -> (Vec<f64>, u32) {
    let mut reader = hound::WavReader::open(path).expect("wav");
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<f64> = reader
        .samples::<i16>()
        .step_by(channels)
        .map(|s| f64::from(s.unwrap_or(0)) / 32768.0)
        .collect();
    let frame = spec.sample_rate as usize * FRAME_MS / 1000;
    let powers = samples
        .chunks_exact(frame)
        .map(|c| c.iter().map(|x| x * x).sum::<f64>() / frame as f64)
        .collect();
    (powers, spec.sample_rate)
}

fn db(power: f64) -> f64 {
    10.0 * power.max(1e-12).log10()
}

/// The lag (frames, -1..1 s: the two recordings need not start together) at which the
/// received energy envelope follows the sent one best.
fn echo_lag(sent: &[f64], received: &[f64]) -> isize {
    let env = |p: &[f64]| {
        p.iter()
            .map(|&x| db(x).max(-80.0) + 80.0)
            .collect::<Vec<_>>()
    };
    let (s, r) = (env(sent), env(received));
    let span = (1000 / FRAME_MS) as isize;
    let score = |lag: isize| -> f64 {
        (0..s.len())
            .filter_map(|i| Some(s[i] * r.get(shifted(i, lag)?)?))
            .sum()
    };
    (-span..=span)
        .max_by(|&a, &b| score(a).total_cmp(&score(b)))
        .unwrap_or(0)
}

fn shifted(i: usize, lag: isize) -> Option<usize> {
    i.checked_add_signed(lag)
}

struct Echo {
    /// Far-end speech level over its active frames, dBFS.
    speech_db: f64,
    /// Echo received over those frames (shifted by the echo lag), dBFS.
    echo_db: f64,
    lag_frames: isize,
}

/// Echo level in what baresip received, over the frames where baresip was talking (its sent
/// speech above -30 dB of its loudest frame), shifted by `lag` (found here when `None`); the
/// first 1.5 s (call start) are left out.
fn measure(sent: &Path, received: &Path, lag: Option<isize>) -> Echo {
    let (s, _) = frame_powers(sent);
    let (r, _) = frame_powers(received);
    let lag = lag.unwrap_or_else(|| echo_lag(&s, &r));
    let loudest = s.iter().copied().fold(0.0, f64::max);
    let skip = 1500 / FRAME_MS;
    let active: Vec<usize> = (skip..s.len())
        .filter(|&i| s[i] > loudest / 1000.0 && shifted(i, lag).is_some_and(|j| j < r.len()))
        .collect();
    assert!(
        active.len() > 100,
        "far-end speech frames: {}",
        active.len()
    );
    let mean = |v: &[f64], shift: isize| {
        active
            .iter()
            .filter_map(|&i| v.get(shifted(i, shift)?))
            .sum::<f64>()
            / active.len() as f64
    };
    Echo {
        speech_db: db(mean(&s, 0)),
        echo_db: db(mean(&r, lag)),
        lag_frames: lag,
    }
}

/// One call with the canceller on or off; returns baresip's (sent, received) recordings.
fn call(pulse: &PulseAudio, speech: &Path, work: &Path, cancel: bool) -> (PathBuf, PathBuf) {
    let name = if cancel { "on" } else { "off" };
    let bob = Baresip::start(BaresipOptions {
        source_wav: Some(speech.to_path_buf()),
        record_dir: Some(work.join(format!("bob-{name}"))),
        audio_codecs: vec!["opus".into()],
        sip_trace: false,
        ..BaresipOptions::direct("bob")
    })
    .expect("baresip");
    let profile = work.join(format!("parla-{name}"));
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(
        profile.join("config.toml"),
        format!(
            "[[accounts]]\nid = \"local\"\nusername = \"alice\"\ndomain = \"127.0.0.1\"\n\
             register = false\ncodecs = [\"opus\"]\n\
             [audio]\ninput = \"default\"\noutput = \"default\"\necho_cancellation = {cancel}\n\
             noise_suppression = false\nauto_gain = false\n"
        ),
    )
    .unwrap();
    let env = pulse.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut parla =
        Headless::spawn_with(Path::new(env!("CARGO_BIN_EXE_parla")), &profile, &[], &env)
            .expect("parla");
    parla
        .wait_event(|v| v["event"] == "ready", T)
        .expect("ready");
    let id = parla.call_connected(&bob.sip_uri(), T).expect("call");
    let media = parla
        .wait_event(|v| v["event"] == "media" && v["call"] == id, T)
        .expect("media");
    assert!(media.get("warning").is_none(), "sound card path: {media}");
    // One repetition of the far end's speech (0.5 s + ~8 s + 0.5 s) and the echo's tail.
    std::thread::sleep(Duration::from_millis(9_600));
    parla.send(&json!({"cmd": "hangup", "call": id})).unwrap();
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");
    let sent = bob
        .sent_recordings()
        .unwrap()
        .into_iter()
        .last()
        .expect("enc");
    let heard = bob.recordings().unwrap().into_iter().last().expect("dec");
    let keep = |p: &Path, what: &str| {
        let to = work.join(format!("{name}-{what}.wav"));
        std::fs::copy(p, &to).unwrap();
        to
    };
    let out = (keep(&sent, "sent"), keep(&heard, "heard"));
    parla.quit_and_wait(T).ok();
    out
}

#[test]
fn the_canceller_takes_the_room_echo_out_of_what_the_far_end_hears() {
    let pulse = PulseAudio::start().expect("pulseaudio");
    make_room(&pulse);
    let work = tempfile::tempdir().unwrap();
    let speech = make_speech(work.path(), 2).expect("speech (espeak-ng, sox)");

    let (sent, heard) = call(&pulse, &speech.source, work.path(), false);
    let off = measure(&sent, &heard, None);
    let (sent, heard) = call(&pulse, &speech.source, work.path(), true);
    let on = measure(&sent, &heard, Some(off.lag_frames));
    let reduction = off.echo_db - on.echo_db;
    if std::env::var_os("PARLA_KEEP_BENCH").is_some() {
        eprintln!("recordings kept in {}", work.keep().display());
    }
    eprintln!(
        "far-end speech {:.1} dBFS; echo received: canceller off {:.1} dBFS, on {:.1} dBFS \
         ({reduction:.1} dB lower); echo lag {} ms",
        off.speech_db,
        off.echo_db,
        on.echo_db,
        off.lag_frames * FRAME_MS as isize
    );
    // Off: the room works, the echo comes back within ~25 dB of the far end's own level.
    assert!(
        off.echo_db > off.speech_db - 25.0,
        "no echo without the canceller: speech {:.1} dBFS, echo {:.1} dBFS",
        off.speech_db,
        off.echo_db
    );
    assert!(
        reduction >= MIN_REDUCTION_DB,
        "echo with the canceller on {:.1} dBFS vs off {:.1} dBFS: {reduction:.1} dB lower, \
         want >= {MIN_REDUCTION_DB} dB",
        on.echo_db,
        off.echo_db
    );
}
