#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use common::{band_energy_ratio, read_wav, rms, tone, write_wav};
use parla_media::device::file::{FileSink, FileSource};
use parla_media::device::{AudioSink, AudioSource};
use parla_media::MediaError;

fn read_frames(src: &mut FileSource, frame: usize, count: usize) -> Vec<f32> {
    let mut out = vec![0.0; frame * count];
    for f in out.chunks_exact_mut(frame) {
        src.read(f).expect("read frame");
    }
    out
}

#[test]
fn stereo_48k_is_downmixed_resampled_and_looped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("stereo.wav");
    // Left: 0.5 s of 600 Hz then 0.5 s of silence. Right: silent. Mono is the left at half level.
    let mut left = tone(600.0, 48_000, 0.5, 0.8);
    left.resize(48_000, 0.0);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).expect("create");
    for &s in &left {
        w.write_sample((s * 32767.0) as i16).expect("left");
        w.write_sample(0i16).expect("right");
    }
    w.finalize().expect("finalize");

    let mut src = FileSource::open(&path, 8000, 160).expect("open");
    let out = read_frames(&mut src, 160, 150); // 3 s from a 1 s file
    assert_eq!(out.len(), 24_000);
    // Windows well inside each half second, away from the resampler's few-ms delay.
    for second in 0..3 {
        let on = &out[second * 8000 + 400..second * 8000 + 3600];
        let off = &out[second * 8000 + 4400..second * 8000 + 7600];
        let level = rms(on);
        assert!(
            (0.25..0.32).contains(&level),
            "second {second}: tone level {level:.3} (0.283 expected)"
        );
        assert!(
            band_energy_ratio(on, 8000, 600.0, 50.0) > 0.98,
            "second {second}: 600 Hz"
        );
        assert!(
            rms(off) < 0.01,
            "second {second}: silence is {:.4}",
            rms(off)
        );
    }
}

#[test]
fn mono_8k_at_8k_is_read_exactly_and_looped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mono.wav");
    // 0.25 s: the loop point falls mid-frame (2000 is not a multiple of 160).
    let pcm = tone(1000.0, 8000, 0.25, 0.5);
    write_wav(&path, 8000, 1, &pcm);
    let mut src = FileSource::open(&path, 8000, 160).expect("open");
    let out = read_frames(&mut src, 160, 40);
    for (i, &s) in out.iter().enumerate() {
        let expected = (pcm[i % pcm.len()] * 32767.0).round() / 32768.0;
        assert!((s - expected).abs() < 1e-4, "sample {i}: {s} vs {expected}");
    }
}

#[test]
fn mono_8k_upsampled_for_opus() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mono8k.wav");
    write_wav(&path, 8000, 1, &tone(1000.0, 8000, 1.0, 0.5));
    let mut src = FileSource::open(&path, 48_000, 960).expect("open");
    let out = read_frames(&mut src, 960, 100);
    let ratio = band_energy_ratio(&out[4800..], 48_000, 1000.0, 50.0);
    assert!(ratio > 0.98, "1 kHz holds {ratio:.4}");
}

#[test]
fn nan_and_infinities_in_a_float_wav_are_read_as_silence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("float.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut pcm = tone(1000.0, 8000, 0.1, 0.5);
    for (i, bad) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY]
        .into_iter()
        .enumerate()
    {
        pcm[100 + 200 * i] = bad;
    }
    let mut w = hound::WavWriter::create(&path, spec).expect("create");
    for &s in &pcm {
        w.write_sample(s).expect("sample");
    }
    w.finalize().expect("finalize");
    let mut src = FileSource::open(&path, 8000, 160).expect("open");
    let out = read_frames(&mut src, 160, 5);
    for (i, (&got, &sent)) in out.iter().zip(&pcm).enumerate() {
        let want = if sent.is_finite() { sent } else { 0.0 };
        assert_eq!(got, want, "sample {i}");
    }
}

#[test]
fn unreadable_wavs_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.wav");
    let err = FileSource::open(&missing, 8000, 160)
        .err()
        .expect("missing file fails");
    assert!(matches!(err, MediaError::Wav { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.wav"), "{err}");

    let garbage = dir.path().join("garbage.wav");
    std::fs::write(&garbage, b"this is not a RIFF file at all").expect("write");
    let err = FileSource::open(&garbage, 8000, 160)
        .err()
        .expect("garbage fails");
    assert!(matches!(err, MediaError::Wav { .. }), "{err:?}");

    let empty = dir.path().join("empty.wav");
    write_wav(&empty, 8000, 1, &[]);
    let err = FileSource::open(&empty, 8000, 160)
        .err()
        .expect("empty fails");
    assert!(err.to_string().contains("no audio"), "{err}");
}

#[test]
fn sink_writes_48k_mono_16bit_and_finalises_even_when_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.wav");
    let mut sink = FileSink::create(&path).expect("create");
    sink.write(&[0.0, 0.5, -0.5, 1.5]).expect("write");
    sink.finish().expect("finish");
    let (rate, samples) = read_wav(&path);
    assert_eq!(rate, 48_000);
    assert_eq!(samples, vec![0.0, 0.5, -0.5, 32767.0 / 32768.0]);

    let empty = dir.path().join("empty-out.wav");
    let mut sink = FileSink::create(&empty).expect("create");
    sink.finish().expect("finish");
    let (rate, samples) = read_wav(&empty);
    assert_eq!((rate, samples.len()), (48_000, 0));

    let err = FileSink::create(&dir.path().join("no/such/dir.wav"))
        .err()
        .expect("bad dir");
    assert!(err.to_string().contains("dir.wav"), "{err}");
}
