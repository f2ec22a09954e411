use std::f32::consts::TAU;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use audiopus::coder::Decoder as RawDecoder;
use audiopus::{Channels, SampleRate};
use hound::{SampleFormat, WavSpec, WavWriter};

use super::*;
use crate::device::AudioEndpoint;

/// Writes `sections` of (frequency, ms) one after the other, 16-bit, at `rate` with `channels`.
fn write_tones(path: &Path, rate: u32, channels: u16, sections: &[(f32, u64)]) {
    let spec = WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: SampleFormat::Int,
    };
    let mut w = WavWriter::create(path, spec).expect("create wav");
    let mut n: u64 = 0;
    for &(freq, ms) in sections {
        for _ in 0..ms * u64::from(rate) / 1000 {
            let t = n as f32 / rate as f32;
            let s = (0.4 * (TAU * freq * t).sin() * 32767.0) as i16;
            for _ in 0..channels {
                w.write_sample(s).expect("sample");
            }
            n += 1;
        }
    }
    w.finalize().expect("finalize");
}

fn read_mono(path: &Path) -> (WavSpec, Vec<f32>) {
    let mut r = hound::WavReader::open(path).expect("open output");
    let spec = r.spec();
    assert_eq!(spec.channels, 1);
    assert_eq!(spec.bits_per_sample, 16);
    let s = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect();
    (spec, s)
}

/// The frequency of a steady tone, from its rising zero crossings.
fn frequency(samples: &[f32], rate: u32) -> f32 {
    let rising = samples
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    rising as f32 * rate as f32 / samples.len().max(1) as f32
}

fn ms(samples: usize, rate: u32) -> u64 {
    samples as u64 * 1000 / u64::from(rate)
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_stereo_44k_message_plays_to_a_file_at_48k_with_its_tone_and_length() {
    let dir = tempfile::tempdir().expect("dir");
    let (src, out) = (dir.path().join("m.wav"), dir.path().join("out.wav"));
    write_tones(&src, 44_100, 2, &[(440.0, 600)]);
    let player = ClipPlayer::start(&src, &AudioEndpoint::File(out.clone()), 0).expect("start");
    assert_eq!(player.duration_ms(), 600);
    wait_for("the end", Duration::from_secs(10), || player.is_finished());
    assert_eq!(player.position_ms(), 600);
    player.stop();
    let (spec, played) = read_mono(&out);
    assert_eq!(spec.sample_rate, OUTPUT_RATE);
    assert_eq!(played.len(), 28_800, "exactly 600 ms at 48 kHz");
    let f = frequency(&played[2400..26_400], OUTPUT_RATE);
    assert!((f - 440.0).abs() < 5.0, "played {f} Hz");
}

#[test]
fn seeking_skips_and_starting_later_starts_there() {
    let dir = tempfile::tempdir().expect("dir");
    let src = dir.path().join("m.wav");
    write_tones(&src, 16_000, 1, &[(440.0, 2000), (880.0, 600)]);

    let out = dir.path().join("from.wav");
    let player = ClipPlayer::start(&src, &AudioEndpoint::File(out.clone()), 2000).expect("start");
    assert!(player.position_ms() >= 2000);
    wait_for("the end", Duration::from_secs(10), || player.is_finished());
    player.stop();
    let (_, played) = read_mono(&out);
    assert_eq!(ms(played.len(), OUTPUT_RATE), 600);
    let f = frequency(&played, OUTPUT_RATE);
    assert!((f - 880.0).abs() < 10.0, "played {f} Hz");

    let out = dir.path().join("seek.wav");
    let player = ClipPlayer::start(&src, &AudioEndpoint::File(out.clone()), 0).expect("start");
    player.seek(2000);
    wait_for("the seek", Duration::from_secs(5), || {
        player.position_ms() >= 2000
    });
    wait_for("the end", Duration::from_secs(10), || player.is_finished());
    assert_eq!(player.position_ms(), 2600);
    player.stop();
    let (_, played) = read_mono(&out);
    let played_ms = ms(played.len(), OUTPUT_RATE);
    // At most a few frames of the start went out before the seek was taken.
    assert!((600..=1000).contains(&played_ms), "played {played_ms} ms");
    let tail = &played[played.len() - 24_000..];
    let f = frequency(tail, OUTPUT_RATE);
    assert!((f - 880.0).abs() < 10.0, "played {f} Hz after the seek");

    // Seeking past the end finishes playback.
    let player = ClipPlayer::start(&src, &AudioEndpoint::Null, 0).expect("start");
    player.seek(60_000);
    wait_for("the end", Duration::from_secs(5), || player.is_finished());
    assert_eq!(player.position_ms(), 2600);
}

#[test]
fn pausing_holds_the_position_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let (src, out) = (dir.path().join("m.wav"), dir.path().join("out.wav"));
    write_tones(&src, 16_000, 1, &[(500.0, 800)]);
    let player = ClipPlayer::start(&src, &AudioEndpoint::File(out.clone()), 0).expect("start");
    wait_for("some playback", Duration::from_secs(5), || {
        player.position_ms() >= 200
    });
    player.pause();
    assert!(player.is_paused());
    // The thread may finish the frame it was writing; after that nothing moves.
    let held = player.position_ms();
    let watch = Instant::now() + Duration::from_millis(300);
    while Instant::now() < watch {
        let now = player.position_ms();
        assert!(now <= held + 20, "moved from {held} to {now} while paused");
        assert!(!player.is_finished());
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(player.position_ms() < 800);
    player.resume();
    assert!(!player.is_paused());
    wait_for("the end", Duration::from_secs(10), || player.is_finished());
    player.stop();
    let (_, played) = read_mono(&out);
    assert_eq!(ms(played.len(), OUTPUT_RATE), 800, "nothing lost or added");
}

#[test]
fn a_stopped_player_leaves_a_valid_shorter_file() {
    let dir = tempfile::tempdir().expect("dir");
    let (src, out) = (dir.path().join("m.wav"), dir.path().join("out.wav"));
    write_tones(&src, 16_000, 1, &[(500.0, 5000)]);
    let player = ClipPlayer::start(&src, &AudioEndpoint::File(out.clone()), 0).expect("start");
    wait_for("some playback", Duration::from_secs(5), || {
        player.position_ms() >= 100
    });
    assert!(!player.is_finished());
    player.stop();
    let (_, played) = read_mono(&out);
    assert!((100..2000).contains(&ms(played.len(), OUTPUT_RATE)));
}

#[test]
fn truncated_missing_and_oversized_files_are_errors_or_shorter_never_panics() {
    let dir = tempfile::tempdir().expect("dir");
    let src = dir.path().join("cut.wav");
    write_tones(&src, 16_000, 1, &[(500.0, 1000)]);
    // Cut the data in half; the header still claims one second.
    let len = std::fs::metadata(&src).expect("meta").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&src)
        .expect("open");
    file.set_len(44 + (len - 44) / 2).expect("truncate");
    assert_eq!(wav_duration_ms(&src).expect("duration"), 500);
    let out = dir.path().join("out.wav");
    let player = ClipPlayer::start(&src, &AudioEndpoint::File(out.clone()), 0).expect("start");
    assert_eq!(player.duration_ms(), 500);
    wait_for("the end", Duration::from_secs(5), || player.is_finished());
    player.stop();
    assert_eq!(ms(read_mono(&out).1.len(), OUTPUT_RATE), 500);

    let missing = dir.path().join("gone.wav");
    let err = ClipPlayer::start(&missing, &AudioEndpoint::Null, 0)
        .err()
        .expect("missing");
    assert!(err.to_string().contains("gone.wav"), "{err}");

    let garbage = dir.path().join("garbage.wav");
    std::fs::write(&garbage, b"RIFF\x10\x00\x00\x00WAVEjunkjunk").expect("write");
    assert!(ClipPlayer::start(&garbage, &AudioEndpoint::Null, 0).is_err());
    assert!(wav_duration_ms(&garbage).is_err());

    let huge = dir.path().join("huge.wav");
    let file = std::fs::File::create(&huge).expect("create");
    file.set_len(MAX_CLIP_BYTES + 1).expect("sparse file");
    let err = ClipPlayer::start(&huge, &AudioEndpoint::Null, 0)
        .err()
        .expect("too large");
    assert!(err.to_string().contains("MB allowed"), "{err}");
}

#[test]
fn the_recorder_records_a_file_input_at_16k_until_stopped() {
    let dir = tempfile::tempdir().expect("dir");
    let (mic, out) = (dir.path().join("mic.wav"), dir.path().join("rec.wav"));
    write_tones(&mic, 48_000, 1, &[(1000.0, 1000)]);
    let rec = ClipRecorder::start(&AudioEndpoint::File(mic), &out, Duration::from_secs(30))
        .expect("start");
    wait_for("a recording", Duration::from_secs(5), || {
        rec.elapsed_ms() >= 400
    });
    assert!(!rec.is_finished());
    let len = rec.stop().expect("stop");
    assert!(len >= 400, "{len} ms");
    let (spec, got) = read_mono(&out);
    assert_eq!(spec.sample_rate, RECORD_RATE);
    assert_eq!(ms(got.len(), RECORD_RATE), len);
    let f = frequency(&got[1600..], RECORD_RATE);
    assert!((f - 1000.0).abs() < 10.0, "recorded {f} Hz");
}

#[test]
fn the_recorder_stops_itself_at_its_limit() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("rec.wav");
    let rec =
        ClipRecorder::start(&AudioEndpoint::Null, &out, Duration::from_millis(300)).expect("start");
    wait_for("the limit", Duration::from_secs(5), || rec.is_finished());
    assert_eq!(rec.elapsed_ms(), 300);
    assert_eq!(rec.stop().expect("stop"), 300);
    assert_eq!(read_mono(&out).1.len(), 4800);

    let err = ClipRecorder::start(
        &AudioEndpoint::Null,
        &dir.path().join("no/such/dir.wav"),
        Duration::from_secs(1),
    )
    .err()
    .expect("bad path");
    assert!(err.to_string().contains("dir.wav"), "{err}");
}

#[test]
fn export_writes_wav_and_refuses_other_names_leaving_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let src = dir.path().join("m.wav");
    write_tones(&src, 8000, 2, &[(440.0, 700)]);
    let out = dir.path().join("Copy.WAV");
    export(&src, &out).expect("export wav");
    let (spec, got) = read_mono(&out);
    assert_eq!(spec.sample_rate, 8000);
    assert_eq!(ms(got.len(), 8000), 700);
    let f = frequency(&got, 8000);
    assert!((f - 440.0).abs() < 5.0, "{f} Hz");

    for name in ["m.mp3", "noext", "m.wav.txt"] {
        let out = dir.path().join(name);
        let err = export(&src, &out).expect_err("refused");
        assert!(matches!(err, ExportError::UnsupportedFormat(_)), "{err}");
        assert!(!out.exists(), "{name} was written");
    }
    let err =
        export(&dir.path().join("gone.wav"), &dir.path().join("x.ogg")).expect_err("no source");
    assert!(matches!(err, ExportError::Read { .. }), "{err}");
    let err = export(&src, &dir.path().join("no/dir/x.wav")).expect_err("no folder");
    assert!(matches!(err, ExportError::Write { .. }), "{err}");
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["Copy.WAV", "m.wav"], "no temporary file left");
}

/// Decodes an Ogg Opus file: (input rate from OpusHead, pre-skip, PCM after pre-skip and
/// end trimming). Checks the headers and the stream's framing on the way.
fn decode_ogg_opus(path: &Path) -> (u32, u16, Vec<f32>) {
    let file = std::fs::File::open(path).expect("open");
    let mut reader = ogg::reading::PacketReader::new(std::io::BufReader::new(file));
    let head = reader.read_packet().expect("read").expect("OpusHead");
    assert!(head.first_in_stream());
    assert_eq!(&head.data[..8], b"OpusHead");
    assert_eq!(head.data.len(), 19);
    assert_eq!(head.data[8], 1, "version");
    assert_eq!(head.data[9], 1, "mono");
    let pre_skip = u16::from_le_bytes([head.data[10], head.data[11]]);
    let rate = u32::from_le_bytes([head.data[12], head.data[13], head.data[14], head.data[15]]);
    assert_eq!(head.data[18], 0, "mapping family 0");
    assert!(head.last_in_page(), "OpusHead alone on its page");
    let tags = reader.read_packet().expect("read").expect("OpusTags");
    assert_eq!(&tags.data[..8], b"OpusTags");
    let vendor_len = u32::from_le_bytes([tags.data[8], tags.data[9], tags.data[10], tags.data[11]]);
    let vendor = &tags.data[12..12 + vendor_len as usize];
    assert!(vendor.starts_with(b"Parla"));
    assert!(tags.last_in_page(), "OpusTags ends its page");
    assert_eq!(tags.absgp_page(), 0);

    let mut decoder = RawDecoder::new(SampleRate::Hz48000, Channels::Mono).expect("decoder");
    let mut pcm = Vec::new();
    let mut buf = vec![0f32; 5760];
    let mut last_granule = 0;
    let mut ended = false;
    while let Some(packet) = reader.read_packet().expect("read") {
        assert!(!ended, "nothing after the end of the stream");
        let n = decoder
            .decode_float(Some(&packet.data[..]), &mut buf[..], false)
            .expect("decode");
        assert_eq!(n, 960, "20 ms packets");
        pcm.extend_from_slice(&buf[..n]);
        assert!(
            packet.absgp_page() >= last_granule,
            "granules never go back"
        );
        last_granule = packet.absgp_page();
        ended = packet.last_in_stream();
    }
    assert!(ended, "the last page carries the end-of-stream flag");
    assert!(last_granule as usize <= pcm.len());
    assert!(
        pcm.len() - (last_granule as usize) < 960,
        "at most one frame trimmed"
    );
    pcm.truncate(last_granule as usize);
    pcm.drain(..usize::from(pre_skip));
    (rate, pre_skip, pcm)
}

#[test]
fn export_writes_ogg_opus_that_decodes_to_the_same_tone_and_length() {
    let dir = tempfile::tempdir().expect("dir");
    let src = dir.path().join("m.wav");
    write_tones(&src, 16_000, 1, &[(440.0, 2500)]);
    for name in ["m.ogg", "Message.OPUS"] {
        let out = dir.path().join(name);
        export(&src, &out).expect("export");
        let (rate, pre_skip, pcm) = decode_ogg_opus(&out);
        assert_eq!(rate, 16_000, "the input rate is recorded");
        assert!(pre_skip > 0, "pre-skip from the encoder's lookahead");
        let got = ms(pcm.len(), 48_000);
        assert!(got.abs_diff(2500) <= 40, "{name}: {got} ms");
        let f = frequency(&pcm[4800..pcm.len() - 4800], 48_000);
        assert!((f - 440.0).abs() < 5.0, "{name}: {f} Hz");
        let kbps = std::fs::metadata(&out).expect("meta").len() * 8 / 2500;
        assert!((10..=40).contains(&kbps), "{kbps} kbit/s");
    }
    external_tools_agree(&dir.path().join("m.ogg"), dir.path());
}

/// opus-tools (installed by scripts/install-test-deps.sh) read the file as we meant it.
fn external_tools_agree(ogg: &Path, dir: &Path) {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
    };
    if !have("opusinfo") || !have("opusdec") {
        assert!(
            std::env::var_os("CI").is_none(),
            "opus-tools are missing on CI"
        );
        eprintln!("opusinfo/opusdec not installed: skipping the external check");
        return;
    }
    let info = Command::new("opusinfo")
        .arg(ogg)
        .output()
        .expect("opusinfo");
    let text =
        String::from_utf8_lossy(&info.stdout).to_string() + &String::from_utf8_lossy(&info.stderr);
    assert!(info.status.success(), "opusinfo: {text}");
    assert!(!text.contains("WARNING"), "opusinfo: {text}");
    assert!(text.contains("Parla"), "vendor string: {text}");
    let decoded = dir.join("opusdec.wav");
    let status = Command::new("opusdec")
        .args(["--quiet", "--rate", "48000"])
        .arg(ogg)
        .arg(&decoded)
        .status()
        .expect("opusdec");
    assert!(status.success());
    let (spec, pcm) = read_mono(&decoded);
    assert_eq!(spec.sample_rate, 48_000);
    let got = ms(pcm.len(), 48_000);
    assert!(got.abs_diff(2500) <= 40, "opusdec: {got} ms");
    let f = frequency(&pcm[4800..pcm.len() - 4800], 48_000);
    assert!((f - 440.0).abs() < 5.0, "opusdec: {f} Hz");
}
