//! G.722 against baresip 1.0.0's g722 module (spandsp's coder), through Kamailio, with only G.722
//! offered: a tone each way, each recording checked for its frequency and its signal-to-noise
//! ratio, and the SDP answer checked for `G722/8000`. baresip sends 6 kHz, which only the upper
//! band of a wideband codec carries (G.711 stops at 4 kHz).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::json;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

/// What we send: in G.722's lower band (0-4 kHz).
const OURS_HZ: f64 = 1000.0;
/// What baresip sends: in the upper band (4-8 kHz).
const BOBS_HZ: f64 = 6000.0;
/// Seconds of steady tone analysed in each recording.
const WINDOW_S: f64 = 1.0;

/// Mono samples (the first channel) and the rate of a 16-bit WAV.
fn read_wav(path: &Path) -> (Vec<f64>, u32) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    let samples: Vec<f64> = r
        .samples::<i16>()
        .step_by(usize::from(spec.channels))
        .map(|s| f64::from(s.expect("sample")) / 32768.0)
        .collect();
    (samples, spec.sample_rate)
}

/// Power of `x` at `freq` (a single-bin DFT) and the amplitudes of cos and sin there.
fn project(x: &[f64], rate: u32, freq: f64) -> (f64, f64, f64) {
    let w = 2.0 * PI * freq / f64::from(rate);
    let (mut c, mut s) = (0.0, 0.0);
    for (n, v) in x.iter().enumerate() {
        c += v * (w * n as f64).cos();
        s += v * (w * n as f64).sin();
    }
    let scale = 2.0 / x.len() as f64;
    let (a, b) = (c * scale, s * scale);
    (a * a + b * b, a, b)
}

/// The strongest frequency in 100 Hz - 7.9 kHz (10 Hz steps, then 0.1 Hz around the peak), and
/// the SNR in dB of the sine fitted there against everything else in `x`.
fn tone_figures(x: &[f64], rate: u32) -> (f64, f64) {
    let power = |f: f64| project(x, rate, f).0;
    let coarse = (10..790)
        .map(|i| f64::from(i) * 10.0)
        .max_by(|a, b| power(*a).total_cmp(&power(*b)))
        .expect("frequencies");
    let freq = (-100..=100)
        .map(|i| coarse + f64::from(i) * 0.1)
        .max_by(|a, b| power(*a).total_cmp(&power(*b)))
        .expect("frequencies");
    let (_, a, b) = project(x, rate, freq);
    let w = 2.0 * PI * freq / f64::from(rate);
    let (mut signal, mut noise) = (0.0, 0.0);
    for (n, v) in x.iter().enumerate() {
        let fit = a * (w * n as f64).cos() + b * (w * n as f64).sin();
        signal += fit * fit;
        noise += (v - fit) * (v - fit);
    }
    (freq, 10.0 * (signal / noise.max(1e-20)).log10())
}

/// One second of steady tone: from 0.5 s after the recording first gets loud.
fn steady_window(path: &Path) -> (Vec<f64>, u32) {
    let (x, rate) = read_wav(path);
    let onset = x
        .iter()
        .position(|v| v.abs() > 0.05)
        .unwrap_or_else(|| panic!("{} stays silent", path.display()));
    let start = onset + rate as usize / 2;
    let len = (f64::from(rate) * WINDOW_S) as usize;
    assert!(
        x.len() >= start + len,
        "{}: {} samples, need {}",
        path.display(),
        x.len(),
        start + len
    );
    (x[start..start + len].to_vec(), rate)
}

fn assert_tone(path: &Path, freq: f64, min_snr_db: f64, who: &str) {
    let (x, rate) = steady_window(path);
    let (found, snr) = tone_figures(&x, rate);
    eprintln!("{who}: {found:.1} Hz at {rate} Hz, SNR {snr:.1} dB");
    assert!(
        (found - freq).abs() < 5.0,
        "{who} heard {found:.1} Hz, expected {freq} Hz"
    );
    assert!(
        snr > min_snr_db,
        "{who}: SNR {snr:.1} dB, expected above {min_snr_db} dB"
    );
}

/// Waits for baresip's recording of what it hears to hold `seconds` of 16 kHz mono.
fn wait_recording(bob: &Baresip, seconds: u64) -> PathBuf {
    let deadline = Instant::now() + T;
    loop {
        let path = bob.recordings().ok().and_then(|r| r.into_iter().last());
        if let Some(p) = &path {
            if std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) >= seconds * 16_000 * 2 {
                return p.clone();
            }
        }
        assert!(Instant::now() < deadline, "baresip's recording: {path:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The SDP of the 200 to the INVITE (baresip's reason phrase is "Answering"), from baresip's SIP trace (`-s`: each message after a
/// `UDP from -> to` line).
fn answer_sdp(bob: &Baresip) -> String {
    let log = std::fs::read_to_string(bob.log_path()).expect("baresip log");
    let mut messages: Vec<Vec<&str>> = Vec::new();
    for line in log.lines() {
        if line.starts_with("UDP ") && line.contains(" -> ") {
            messages.push(Vec::new());
        } else if let Some(m) = messages.last_mut() {
            m.push(line);
        }
    }
    let ok = messages
        .iter()
        .find(|m| {
            m.first().is_some_and(|l| l.starts_with("SIP/2.0 200 "))
                && m.iter()
                    .any(|l| l.starts_with("CSeq:") && l.ends_with(" INVITE"))
                && m.iter().any(|l| l.starts_with("m=audio"))
        })
        .unwrap_or_else(|| panic!("no 200 OK with SDP to an INVITE in baresip's log:\n{log}"));
    let body = ok.iter().skip_while(|l| !l.starts_with("v=0"));
    body.take_while(|l| l.len() > 1 && l.as_bytes()[1] == b'=')
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

enum Caller {
    Parla,
    Baresip,
}

fn g722_call(caller: Caller) {
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let bobs = work.path().join("bob-tone.wav");
    make_tone_wav(&bobs, BOBS_HZ, 30.0, 48_000, 2).expect("tone");
    let mut options = BaresipOptions::registering(&kamailio, "bob", "bobpw");
    // baresip names G.722 by its audio rate; plain "g722" means g722/8000/1, which it lacks.
    options.audio_codecs = vec!["g722/16000/1".into()];
    options.source_wav = Some(bobs);
    options.record_dir = Some(work.path().join("bob"));
    let bob = Baresip::start(options).expect("baresip");
    bob.wait_registered(T).expect("bob registered");

    let ours = work.path().join("alice-tone.wav");
    make_tone_wav(&ours, OURS_HZ, 30.0, 48_000, 1).expect("tone");
    let heard = work.path().join("alice-heard.wav");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        ours.display(),
        heard.display()
    );
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    // Calling: we offer G.722 alone. Called: our whole default list answers baresip's G.722.
    line.codecs = match caller {
        Caller::Parla => &["g722"],
        Caller::Baresip => &["opus", "g722", "pcmu", "pcma"],
    };
    let mut app = start(&[line], Some(&audio), &[]);
    app.wait_registered("alice");

    let call = match caller {
        Caller::Parla => app.dial("alice", &kamailio.user_uri("bob")),
        Caller::Baresip => {
            bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
            let (call, _) = app.wait_incoming();
            app.send(json!({"cmd": "answer", "call": call}));
            call
        }
    };
    app.wait_call(call, "connected");
    let media = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert_eq!(media["codec"], "G722", "{media}");
    assert!(media.get("warning").is_none(), "{media}");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");

    let recording = wait_recording(&bob, 3);
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");

    let sdp = answer_sdp(&bob);
    assert!(sdp.contains("a=rtpmap:9 G722/8000"), "answer:\n{sdp}");
    let m_audio = sdp
        .lines()
        .find(|l| l.starts_with("m=audio"))
        .expect("m=audio");
    let formats: Vec<&str> = m_audio.split_whitespace().skip(3).collect();
    assert_eq!(formats.first(), Some(&"9"), "answer chose G.722: {m_audio}");

    // baresip records at the codec's rate: 16 kHz proves wideband audio.
    assert_eq!(
        hound::WavReader::open(&recording)
            .expect("wav")
            .spec()
            .sample_rate,
        16_000
    );
    assert_tone(&recording, OURS_HZ, 35.0, "baresip");
    assert_tone(&heard, BOBS_HZ, 15.0, "parla");
    app.quit();
}

#[test]
fn g722_call_placed_by_parla_carries_a_tone_each_way() {
    g722_call(Caller::Parla);
}

#[test]
fn g722_call_from_baresip_is_answered_with_g722() {
    g722_call(Caller::Baresip);
}
