//! Call recording on a session pair over 127.0.0.1: we send 440 Hz, the peer sends 1 kHz.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use audiopus::coder::Decoder as RawDecoder;
use audiopus::{Channels, SampleRate};
use common::{band_energy_ratio, tone, wait_for, write_wav};
use parla_media::{
    AudioEndpoint, CodecParams, MediaConfig, MediaError, MediaEvent, MediaEventSink, MediaSession,
    RecordChannels, RecordFormat,
};

const TIMEOUT: Duration = Duration::from_secs(10);
const OURS: f64 = 440.0;
const THEIRS: f64 = 1000.0;

fn bind() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let a = s.local_addr().expect("local addr");
    (s, a)
}

fn tone_wav(dir: &Path, name: &str, freq: f64) -> PathBuf {
    let path = dir.join(name);
    write_wav(&path, 48_000, 1, &tone(freq, 48_000, 1.0, 0.4));
    path
}

/// Our session (440 Hz in) and the peer (1 kHz in), talking; our events come out of the
/// receiver.
fn call(dir: &Path, codec: CodecParams) -> (MediaSession, MediaSession, Receiver<MediaEvent>) {
    let ((sa, aa), (sb, ab)) = (bind(), bind());
    let (tx, rx) = channel();
    let mut ours = MediaConfig::new(sa, ab, codec);
    ours.input = AudioEndpoint::File(tone_wav(dir, "ours.wav", OURS));
    ours.events = Some(MediaEventSink::new(move |e| {
        let _ = tx.send(e);
    }));
    let mut peer = MediaConfig::new(sb, aa, codec);
    peer.input = AudioEndpoint::File(tone_wav(dir, "theirs.wav", THEIRS));
    let a = MediaSession::start(ours).expect("start ours");
    let b = MediaSession::start(peer).expect("start peer");
    assert!(wait_for(TIMEOUT, || a.stats().packets_received >= 10));
    (a, b, rx)
}

/// The recording as one Vec per channel, at 48 kHz.
fn read_recording(path: &Path, format: RecordFormat) -> Vec<Vec<f32>> {
    match format {
        RecordFormat::Wav => {
            let mut r = hound::WavReader::open(path).expect("open wav");
            let spec = r.spec();
            assert_eq!((spec.sample_rate, spec.bits_per_sample), (48_000, 16));
            let n = usize::from(spec.channels);
            let samples: Vec<f32> = r
                .samples::<i16>()
                .map(|s| f32::from(s.expect("sample")) / 32768.0)
                .collect();
            (0..n)
                .map(|c| samples.iter().skip(c).step_by(n).copied().collect())
                .collect()
        }
        RecordFormat::Ogg => decode_ogg(path),
    }
}

fn decode_ogg(path: &Path) -> Vec<Vec<f32>> {
    let file = std::fs::File::open(path).expect("open");
    let mut reader = ogg::reading::PacketReader::new(std::io::BufReader::new(file));
    let head = reader.read_packet().expect("read").expect("OpusHead");
    assert_eq!(&head.data[..8], b"OpusHead");
    let n = usize::from(head.data[9]);
    let pre_skip = usize::from(u16::from_le_bytes([head.data[10], head.data[11]]));
    let tags = reader.read_packet().expect("read").expect("OpusTags");
    assert_eq!(&tags.data[..8], b"OpusTags");
    let channels = if n == 2 {
        Channels::Stereo
    } else {
        Channels::Mono
    };
    let mut decoder = RawDecoder::new(SampleRate::Hz48000, channels).expect("decoder");
    let mut pcm = Vec::new();
    let mut buf = vec![0f32; 5760 * 2];
    let (mut granule, mut ended) = (0, false);
    while let Some(packet) = reader.read_packet().expect("read") {
        let got = decoder
            .decode_float(Some(&packet.data[..]), &mut buf[..], false)
            .expect("decode");
        pcm.extend_from_slice(&buf[..got * n]);
        granule = packet.absgp_page() as usize;
        ended = packet.last_in_stream();
    }
    assert!(ended, "the stream was ended");
    pcm.truncate(granule * n);
    pcm.drain(..pre_skip * n);
    (0..n)
        .map(|c| pcm.iter().skip(c).step_by(n).copied().collect())
        .collect()
}

/// The middle of a channel, away from the start's silence and the resamplers' ramps.
fn middle(x: &[f32]) -> &[f32] {
    let skip = 48_000 / 4;
    assert!(x.len() > 2 * skip + 24_000, "only {} samples", x.len());
    &x[skip..x.len() - skip]
}

fn records_both_directions(codec: CodecParams, format: RecordFormat, channels: RecordChannels) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, events) = call(dir.path(), codec);
    let ext = if format == RecordFormat::Wav {
        "wav"
    } else {
        "ogg"
    };
    let path = dir.path().join(format!("call.{ext}"));
    std::fs::write(&path, b"an older file, replaced").expect("old file");
    a.start_recording(&path, format, channels)
        .expect("start recording");
    assert!(a.is_recording());
    let err = a
        .start_recording(&dir.path().join("again.wav"), format, channels)
        .expect_err("one recording at a time");
    assert!(err.to_string().contains("already"), "{err}");
    let got = a.stats().packets_received;
    assert!(wait_for(TIMEOUT, || a.stats().packets_received >= got + 75));
    let summary = a.stop_recording().expect("summary");
    assert!(!a.is_recording());
    assert_eq!(summary.path, path);
    assert!(
        (1400..4000).contains(&summary.duration_ms),
        "{} ms",
        summary.duration_ms
    );
    assert!(a.stop_recording().is_none(), "nothing runs any more");
    a.stop();
    b.stop();
    assert!(events
        .try_iter()
        .all(|e| !matches!(e, MediaEvent::RecordingFailed { .. })));

    let what = format!("{codec:?} {format:?} {channels:?}");
    let chans = read_recording(&path, format);
    let ms = chans[0].len() as u64 * 1000 / 48_000;
    assert!(
        ms.abs_diff(summary.duration_ms) <= 30,
        "{what}: {ms} ms in the file"
    );
    let band = |x: &[f32], f| band_energy_ratio(middle(x), 48_000, f, 40.0);
    match channels {
        RecordChannels::Stereo => {
            assert_eq!(chans.len(), 2, "{what}");
            let (left, right) = (&chans[0], &chans[1]);
            assert!(
                band(left, OURS) > 0.8,
                "{what}: left {:.3} at 440",
                band(left, OURS)
            );
            assert!(
                band(left, THEIRS) < 0.05,
                "{what}: left {:.3} at 1k",
                band(left, THEIRS)
            );
            assert!(
                band(right, THEIRS) > 0.8,
                "{what}: right {:.3} at 1k",
                band(right, THEIRS)
            );
            assert!(
                band(right, OURS) < 0.05,
                "{what}: right {:.3} at 440",
                band(right, OURS)
            );
        }
        RecordChannels::Mono => {
            assert_eq!(chans.len(), 1, "{what}");
            let (ours, theirs) = (band(&chans[0], OURS), band(&chans[0], THEIRS));
            assert!(
                ours > 0.25 && theirs > 0.25,
                "{what}: 440 {ours:.3}, 1k {theirs:.3}"
            );
            assert!(ours + theirs > 0.9, "{what}: 440 {ours:.3}, 1k {theirs:.3}");
        }
    }
}

#[test]
fn stereo_wav_over_pcmu() {
    records_both_directions(
        CodecParams::pcmu(),
        RecordFormat::Wav,
        RecordChannels::Stereo,
    );
}

#[test]
fn stereo_ogg_over_opus() {
    records_both_directions(
        CodecParams::opus(111),
        RecordFormat::Ogg,
        RecordChannels::Stereo,
    );
}

#[test]
fn mono_wav_over_opus() {
    records_both_directions(
        CodecParams::opus(111),
        RecordFormat::Wav,
        RecordChannels::Mono,
    );
}

#[test]
fn mono_ogg_over_pcma() {
    records_both_directions(CodecParams::pcma(), RecordFormat::Ogg, RecordChannels::Mono);
}

/// A folder that cannot be written is an error from `start_recording`; the call goes on.
#[test]
fn an_unwritable_folder_is_an_error_and_the_call_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, _events) = call(dir.path(), CodecParams::pcmu());
    let missing = dir.path().join("no such folder").join("call.wav");
    let err = a
        .start_recording(&missing, RecordFormat::Wav, RecordChannels::Stereo)
        .expect_err("missing folder");
    assert!(
        matches!(err, MediaError::Recording { .. }) && err.to_string().contains("no such folder"),
        "{err}"
    );
    assert!(!a.is_recording());

    let read_only = dir.path().join("read-only");
    std::fs::create_dir(&read_only).expect("mkdir");
    let mut perms = std::fs::metadata(&read_only).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&read_only, perms).expect("chmod");
    // Root writes anywhere: then only the missing folder above is checked.
    let probe = read_only.join("probe");
    if std::fs::write(&probe, b"x").is_err() {
        let err = a
            .start_recording(
                &read_only.join("call.ogg"),
                RecordFormat::Ogg,
                RecordChannels::Mono,
            )
            .expect_err("read-only folder");
        assert!(matches!(err, MediaError::Recording { .. }), "{err}");
    }

    let sent = a.stats().packets_sent;
    assert!(
        wait_for(TIMEOUT, || a.stats().packets_sent >= sent + 10),
        "still sending"
    );
    assert!(a.stop_recording().is_none());
    a.stop();
    b.stop();
}

/// Writing fails mid-call (a full device): one `RecordingFailed`, the call goes on, and a new
/// recording can start afterwards.
#[test]
fn a_write_failure_mid_call_stops_the_recording_not_the_call() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("no /dev/full here: the failing writer is covered by the unit test");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, events) = call(dir.path(), CodecParams::opus(111));
    a.start_recording(full, RecordFormat::Wav, RecordChannels::Stereo)
        .expect("/dev/full opens");
    let event = events
        .recv_timeout(TIMEOUT)
        .expect("an event before the timeout");
    match event {
        MediaEvent::RecordingFailed { message } => {
            assert!(message.contains("/dev/full"), "{message}")
        }
        other => panic!("expected RecordingFailed, got {other:?}"),
    }
    assert!(!a.is_recording());
    let (sent, got) = (a.stats().packets_sent, a.stats().packets_received);
    assert!(
        wait_for(TIMEOUT, || a.stats().packets_sent >= sent + 25
            && a.stats().packets_received >= got + 25),
        "the call goes on"
    );
    assert!(
        events.try_iter().next().is_none(),
        "the failure is reported once"
    );
    assert!(a.stop_recording().is_none(), "it ended with the failure");

    // Stopping the session completes a recording that runs.
    let path = dir.path().join("after.wav");
    a.start_recording(&path, RecordFormat::Wav, RecordChannels::Mono)
        .expect("a new recording after the failure");
    let got = a.stats().packets_received;
    assert!(wait_for(TIMEOUT, || a.stats().packets_received >= got + 10));
    drop(a);
    b.stop();
    let r = hound::WavReader::open(&path).expect("a complete WAV");
    assert!(r.duration() >= 48_000 / 10, "{} samples", r.duration());
}
