//! The answering machine over loopback UDP: session A answers as the machine, session B is the
//! caller, playing a 440 Hz "voice" from a file and recording what it hears.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{band_energy_ratio, read_wav, rms, tone, wait_for, write_wav};
use parla_media::machine::{BEEP_HZ, MESSAGE_RATE};
use parla_media::{
    AnsweringMachine, AudioEndpoint, CodecParams, Greeting, MachineEnd, MachinePhase, MediaConfig,
    MediaSession,
};

const TIMEOUT: Duration = Duration::from_secs(10);

fn bind() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let a = s.local_addr().expect("local addr");
    (s, a)
}

struct Call {
    machine: MediaSession,
    caller: MediaSession,
    message: PathBuf,
    heard: PathBuf,
    _dir: tempfile::TempDir,
}

/// A answers as the machine (greeting: 1 s of 700 Hz); B calls, saying 440 Hz.
fn call(codec: CodecParams, max_message: Duration) -> Call {
    let dir = tempfile::tempdir().expect("tempdir");
    let greeting = dir.path().join("greeting.wav");
    write_wav(&greeting, 16_000, 1, &tone(700.0, 16_000, 1.0, 0.5));
    let voice = dir.path().join("voice.wav");
    write_wav(&voice, 48_000, 1, &tone(440.0, 48_000, 1.0, 0.4));
    let message = dir.path().join("message.wav");
    let heard = dir.path().join("heard.wav");
    let ((sa, aa), (sb, ab)) = (bind(), bind());

    let mut a = MediaConfig::new(sa, ab, codec);
    a.machine = Some(AnsweringMachine {
        greeting: Greeting::File(greeting),
        recording: message.clone(),
        max_message,
        silence_limit: Duration::from_secs(5),
    });
    let mut b = MediaConfig::new(sb, aa, codec);
    b.input = AudioEndpoint::File(voice);
    b.output = AudioEndpoint::File(heard.clone());
    let machine = MediaSession::start(a).expect("start the machine");
    let caller = MediaSession::start(b).expect("start the caller");
    Call {
        machine,
        caller,
        message,
        heard,
        _dir: dir,
    }
}

/// Which 50 ms windows of `x` are (mostly) a tone at `freq`.
fn windows_of(x: &[f32], rate: u32, freq: f64) -> Vec<usize> {
    x.chunks_exact(rate as usize / 20)
        .enumerate()
        .filter(|(_, w)| rms(w) > 0.02 && band_energy_ratio(w, rate, freq, 50.0) > 0.8)
        .map(|(i, _)| i)
        .collect()
}

fn greeting_beep_and_message(codec: CodecParams) {
    let Call {
        machine,
        caller,
        message,
        heard,
        _dir,
    } = call(codec, Duration::from_secs(2));
    assert!(caller.machine_status().is_none(), "B is no machine");
    let phase = || machine.machine_status().expect("A is the machine").phase;
    assert_eq!(phase(), MachinePhase::Greeting);
    assert!(
        wait_for(TIMEOUT, || phase() == MachinePhase::Recording),
        "{codec:?}: no recording after the greeting: {:?}",
        machine.machine_status()
    );
    assert!(
        wait_for(TIMEOUT, || machine
            .machine_status()
            .is_some_and(|s| s.recorded_ms > 1000)),
        "{codec:?}: the message did not grow: {:?}",
        machine.machine_status()
    );
    assert!(
        wait_for(TIMEOUT, || matches!(phase(), MachinePhase::Done(_))),
        "{codec:?}: the message did not end: {:?}",
        machine.machine_status()
    );
    let status = machine.machine_status().expect("status");
    let caller_stats = caller.stop();
    let machine_stats = machine.stop();
    assert_eq!(
        status.phase,
        MachinePhase::Done(MachineEnd::MaxLength),
        "{status:?}"
    );
    assert_eq!((&status.error, &status.greeting_fallback), (&None, &None));
    assert!(
        (1900..=2000).contains(&status.recorded_ms),
        "{codec:?}: {status:?}"
    );
    assert_eq!(
        machine_stats.output_errors + caller_stats.output_errors,
        0,
        "{machine_stats:?} {caller_stats:?}"
    );

    // The caller heard the greeting, then the beep, then silence.
    let (rate, pcm) = read_wav(&heard);
    let greeting = windows_of(&pcm, rate, 700.0);
    let beep = windows_of(&pcm, rate, f64::from(BEEP_HZ));
    assert!(
        (16..=21).contains(&greeting.len()),
        "{codec:?}: 700 Hz in {} windows of 50 ms",
        greeting.len()
    );
    assert!(
        (5..=9).contains(&beep.len()),
        "{codec:?}: 1400 Hz in {} windows of 50 ms",
        beep.len()
    );
    let (last_greeting, first_beep, last_beep) =
        (greeting[greeting.len() - 1], beep[0], beep[beep.len() - 1]);
    assert!(
        first_beep > last_greeting,
        "{codec:?}: beep at window {first_beep}, greeting until {last_greeting}"
    );
    assert_eq!(last_beep - first_beep + 1, beep.len(), "one beep");
    let window = rate as usize / 20;
    let after = &pcm[(last_beep + 2) * window..];
    assert!(
        after.len() > rate as usize,
        "{codec:?}: a second after the beep"
    );
    assert!(
        rms(after) < 0.01,
        "{codec:?}: after the beep: rms {}",
        rms(after)
    );

    // The machine kept what the caller said after the beep: 440 Hz, as long as reported.
    let (rate, said) = read_wav(&message);
    assert_eq!(rate, MESSAGE_RATE);
    assert_eq!(
        said.len() as u64 * 1000 / u64::from(MESSAGE_RATE),
        status.recorded_ms,
        "{codec:?}"
    );
    let voice = &said[said.len() / 10..];
    let ratio = band_energy_ratio(voice, rate, 440.0, 50.0);
    assert!(
        ratio > 0.9,
        "{codec:?}: 440 Hz holds {ratio:.3} of the message"
    );
}

#[test]
fn pcmu_greeting_beep_and_message() {
    greeting_beep_and_message(CodecParams::pcmu());
}

#[test]
fn opus_greeting_beep_and_message() {
    greeting_beep_and_message(CodecParams::opus(111));
}

fn assert_empty_message(path: &Path) {
    let (rate, samples) = read_wav(path);
    assert_eq!(rate, MESSAGE_RATE);
    assert!(samples.is_empty(), "{} samples", samples.len());
}

#[test]
fn picking_up_during_the_greeting_closes_the_message() {
    let Call {
        machine,
        caller,
        message,
        heard,
        _dir,
    } = call(CodecParams::pcmu(), Duration::from_secs(60));
    // 200 ms into the 1 s greeting, the person picks up.
    assert!(wait_for(TIMEOUT, || machine.stats().packets_sent >= 10));
    machine
        .switch_devices(Some(AudioEndpoint::Null), Some(AudioEndpoint::Null))
        .expect("pick up");
    let status = machine.machine_status().expect("still answers");
    assert_eq!(status.phase, MachinePhase::Greeting);
    // The recorder was closed by the switch: a valid, empty file already.
    assert_empty_message(&message);

    // Well past where the beep would have ended (1.6 s), nothing moved on.
    assert!(wait_for(TIMEOUT, || machine.stats().packets_sent >= 120));
    let status = machine.machine_status().expect("still answers");
    assert_eq!(status.phase, MachinePhase::Greeting);
    assert_eq!((status.recorded_ms, status.error), (0, None));
    caller.stop();
    machine.stop();
    assert_empty_message(&message);

    // The caller heard the start of the greeting and no beep.
    let (rate, pcm) = read_wav(&heard);
    let greeting = windows_of(&pcm, rate, 700.0);
    assert!(!greeting.is_empty() && greeting.len() < 16, "{greeting:?}");
    assert_eq!(
        windows_of(&pcm, rate, f64::from(BEEP_HZ)),
        Vec::<usize>::new()
    );
}
