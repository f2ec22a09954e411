//! A three-way local conference over 127.0.0.1: three of our sessions (two Opus, one PCMU),
//! each talking to a peer session that sends its own tone, joined into one mixer whose
//! microphone plays a fourth tone and whose output is a file.
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

use common::{band_energy_ratio, read_wav, tone, wait_for, write_wav};
use parla_media::{
    AudioEndpoint, CodecParams, Conference, MediaConfig, MediaSession, ProcessingConfig,
};
use parla_testbench::procstat::{self, SCHED_FIFO};

const TIMEOUT: Duration = Duration::from_secs(15);
const MIC: f64 = 1900.0;

fn bind() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let a = s.local_addr().expect("local addr");
    (s, a)
}

fn tone_wav(dir: &Path, name: &str, freq: f64) -> PathBuf {
    let path = dir.join(name);
    write_wav(&path, 48_000, 1, &tone(freq, 48_000, 1.0, 0.3));
    path
}

struct Leg {
    ours: MediaSession,
    peer: MediaSession,
    peer_hears: PathBuf,
    freq: f64,
}

/// The last second of a file, away from the start (rings priming, resamplers ramping).
fn last_second(path: &Path) -> Vec<f32> {
    let (rate, pcm) = read_wav(path);
    assert_eq!(rate, 48_000);
    assert!(
        pcm.len() > 2 * 48_000,
        "{}: {} samples",
        path.display(),
        pcm.len()
    );
    pcm[pcm.len() - 48_000..].to_vec()
}

#[test]
fn every_far_end_hears_the_others_and_the_mic_and_the_output_holds_all_far_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mixed = dir.path().join("conference.wav");
    let conf = Conference::start(
        &AudioEndpoint::File(tone_wav(dir.path(), "mic.wav", MIC)),
        &AudioEndpoint::File(mixed.clone()),
        5,
        None,
        ProcessingConfig::OFF,
    )
    .expect("conference");

    let legs_spec = [
        (500.0, CodecParams::opus(111), true),
        (900.0, CodecParams::opus(111), false),
        (1300.0, CodecParams::pcmu(), false),
    ];
    let mut legs = Vec::new();
    for (i, (freq, codec, by_switch)) in legs_spec.into_iter().enumerate() {
        let ((so, ao), (sp, ap)) = (bind(), bind());
        let port = AudioEndpoint::Conference(conf.port().expect("a place"));
        let mut cfg = MediaConfig::new(so, ap, codec);
        if !by_switch {
            // As the engine does when it restarts a session (a new codec) in a conference.
            cfg.input = port.clone();
            cfg.output = port.clone();
        }
        let ours = MediaSession::start(cfg).expect("our session");
        if by_switch {
            ours.switch_devices(Some(port.clone()), Some(port))
                .expect("join by switching devices");
        }
        let peer_hears = dir.path().join(format!("peer-{i}.wav"));
        let mut cfg = MediaConfig::new(sp, ao, codec);
        cfg.input = AudioEndpoint::File(tone_wav(dir.path(), &format!("peer-{i}-says.wav"), freq));
        cfg.output = AudioEndpoint::File(peer_hears.clone());
        let peer = MediaSession::start(cfg).expect("peer session");
        legs.push(Leg {
            ours,
            peer,
            peer_hears,
            freq,
        });
    }
    assert_eq!(conf.participants(), 3);
    if common::may_take_realtime() {
        // Allowed to, the mixer and the calls' media threads keep audio deadlines in real
        // time (each asks as it starts; the other test's threads share these names).
        for name in ["parla-mixer", "parla-media"] {
            let real_time = wait_for(TIMEOUT, || {
                let threads = procstat::threads_named(name);
                !threads.is_empty()
                    && threads.iter().all(|&tid| {
                        procstat::scheduling(tid).is_none_or(|(policy, _)| policy == SCHED_FIFO)
                    })
            });
            assert!(real_time, "{name} threads are not all SCHED_FIFO");
        }
    }
    // 2.5 s of conference after everyone is in.
    let done = wait_for(TIMEOUT, || {
        legs.iter().all(|l| l.peer.stats().packets_received >= 125)
    });
    assert!(done, "packets did not flow");
    let (padded, dropped) = conf.ring_counts();
    eprintln!("conference rings: {padded} samples padded, {dropped} dropped");
    let mut heard = Vec::new();
    for leg in legs {
        leg.ours.stop();
        leg.peer.stop();
        heard.push((leg.freq, leg.peer_hears));
    }
    assert_eq!(conf.participants(), 0, "the sessions' endpoints are gone");
    drop(conf);

    let band = |x: &[f32], f| band_energy_ratio(x, 48_000, f, 40.0);
    let freqs: Vec<f64> = heard.iter().map(|(f, _)| *f).collect();
    for (own, path) in &heard {
        let pcm = last_second(path);
        eprintln!(
            "{own} Hz far end: own {:.4}, mic {:.3}",
            band(&pcm, *own),
            band(&pcm, MIC)
        );
        assert!(
            band(&pcm, *own) < 0.01,
            "{own} Hz hears itself: {:.4}",
            band(&pcm, *own)
        );
        assert!(
            band(&pcm, MIC) > 0.15,
            "{own} Hz hears the mic: {:.3}",
            band(&pcm, MIC)
        );
        for other in freqs.iter().filter(|f| *f != own) {
            let got = band(&pcm, *other);
            assert!(got > 0.15, "{own} Hz hears {other} Hz at {got:.3}");
        }
    }
    let pcm = last_second(&mixed);
    for f in &freqs {
        assert!(
            band(&pcm, *f) > 0.15,
            "the output holds {f} Hz: {:.3}",
            band(&pcm, *f)
        );
    }
    assert!(
        band(&pcm, MIC) < 0.01,
        "the output is what the person hears: no mic"
    );
}

/// The engine restarts a call's session for a new codec: the new session opens the same place
/// (fresh rings) and the far end hears the conference again; the place is not handed out twice.
#[test]
fn a_session_restarted_with_another_codec_keeps_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = Conference::start(
        &AudioEndpoint::File(tone_wav(dir.path(), "mic.wav", MIC)),
        &AudioEndpoint::Null,
        2,
        None,
        ProcessingConfig::OFF,
    )
    .expect("conference");
    let port = conf.port().expect("a place");
    let endpoint = AudioEndpoint::Conference(port.clone());
    let ((so, ao), (sp, ap)) = (bind(), bind());
    let mut cfg = MediaConfig::new(so, ap, CodecParams::opus(111));
    cfg.input = endpoint.clone();
    cfg.output = endpoint.clone();
    let ours = MediaSession::start(cfg).expect("our session");
    let (_, socket) = ours.stop_with_socket();
    assert_eq!(conf.participants(), 0, "between the two sessions");

    let mut cfg = MediaConfig::new(socket.expect("socket back"), ap, CodecParams::pcmu());
    cfg.input = endpoint.clone();
    cfg.output = endpoint;
    let ours = MediaSession::start(cfg).expect("restarted on the same place");
    assert_eq!(conf.participants(), 1);
    let other = conf.port().expect("the second place");
    assert_ne!(
        other.slot(),
        port.slot(),
        "the restarted call's place is not given away"
    );

    let hears = dir.path().join("peer.wav");
    let mut cfg = MediaConfig::new(sp, ao, CodecParams::pcmu());
    cfg.output = AudioEndpoint::File(hears.clone());
    let peer = MediaSession::start(cfg).expect("peer");
    assert!(wait_for(TIMEOUT, || peer.stats().packets_received >= 125));
    ours.stop();
    peer.stop();
    let pcm = last_second(&hears);
    let got = band_energy_ratio(&pcm, 48_000, MIC, 40.0);
    assert!(
        got > 0.8,
        "the far end hears the mic after the restart: {got:.3}"
    );
}
