//! Two sessions talking over 127.0.0.1, and one session against raw sockets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;
#[path = "common/fec.rs"]
mod fec;

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::{band_energy_ratio, read_wav, tone, wait_for, write_wav};
use fec::{changing_voice, fec_snr};
use parla_media::rtcp::RtcpSession;
use parla_media::{AudioEndpoint, CodecParams, MediaConfig, MediaError, MediaSession};

const TIMEOUT: Duration = Duration::from_secs(10);

fn bind() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let a = s.local_addr().expect("local addr");
    (s, a)
}

fn config(
    socket: UdpSocket,
    remote: SocketAddr,
    codec: CodecParams,
    input: &Path,
    output: &Path,
) -> MediaConfig {
    let mut cfg = MediaConfig::new(socket, remote, codec);
    cfg.telephone_event_pt = Some(101);
    cfg.input = AudioEndpoint::File(input.to_owned());
    cfg.output = AudioEndpoint::File(output.to_owned());
    cfg
}

fn tone_wav(dir: &Path, name: &str, freq: f64, rate: u32) -> PathBuf {
    let path = dir.join(name);
    write_wav(&path, rate, 1, &tone(freq, rate, 1.0, 0.5));
    path
}

fn call_carries_both_tones(codec: CodecParams) {
    let dir = tempfile::tempdir().expect("tempdir");
    let a_in = tone_wav(dir.path(), "a-in.wav", 1000.0, 48_000);
    let b_in = tone_wav(dir.path(), "b-in.wav", 600.0, 8000);
    let (a_out, b_out) = (dir.path().join("a-out.wav"), dir.path().join("b-out.wav"));
    let ((sa, aa), (sb, ab)) = (bind(), bind());

    let a = MediaSession::start(config(sa, ab, codec, &a_in, &a_out)).expect("start A");
    let b = MediaSession::start(config(sb, aa, codec, &b_in, &b_out)).expect("start B");
    // ~1.5 s of call: 75 packets of 20 ms each way.
    let done = wait_for(TIMEOUT, || {
        a.stats().packets_received >= 75 && b.stats().packets_received >= 75
    });
    let (sa, sb) = (a.stop(), b.stop());
    assert!(done, "{codec:?}: packets did not flow: A {sa:?}, B {sb:?}");
    for s in [&sa, &sb] {
        assert_eq!(
            s.decode_errors + s.malformed_received + s.packets_ignored,
            0,
            "{s:?}"
        );
        assert!(s.last_packet_age.is_some());
    }

    for (out, freq, who) in [(&a_out, 600.0, "A hears B"), (&b_out, 1000.0, "B hears A")] {
        let (rate, pcm) = read_wav(out);
        assert_eq!(rate, 48_000);
        assert!(pcm.len() >= 70 * 960, "{who}: only {} samples", pcm.len());
        let ratio = band_energy_ratio(&pcm, rate, freq, 50.0);
        assert!(
            ratio > 0.9,
            "{codec:?}, {who}: {freq} Hz band holds {ratio:.3} of the energy"
        );
    }
}

#[test]
fn pcmu_call() {
    call_carries_both_tones(CodecParams::pcmu());
}

#[test]
fn pcma_call() {
    call_carries_both_tones(CodecParams::pcma());
}

#[test]
fn opus_call() {
    call_carries_both_tones(CodecParams::opus(111));
}

#[test]
fn g722_call() {
    call_carries_both_tones(CodecParams::g722());
}

#[test]
fn hold_stops_packets_and_resume_restarts_them() {
    let ((sa, aa), (sb, ab)) = (bind(), bind());
    let a = MediaSession::start(MediaConfig::new(sa, ab, CodecParams::pcmu())).expect("A");
    let b = MediaSession::start(MediaConfig::new(sb, aa, CodecParams::pcmu())).expect("B");
    assert!(wait_for(TIMEOUT, || b.stats().packets_received >= 5));

    a.set_direction(false, true);
    // Let a tick that was already under way finish, then watch for a few ptimes.
    std::thread::sleep(Duration::from_millis(100));
    let (sent, got) = (a.stats().packets_sent, b.stats().packets_received);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(a.stats().packets_sent, sent, "A sent while on hold");
    assert_eq!(b.stats().packets_received, got, "B received while A held");
    assert!(
        a.stats().packets_received > 0,
        "A still receives B while holding"
    );

    a.set_direction(true, true);
    assert!(
        wait_for(TIMEOUT, || b.stats().packets_received >= got + 5),
        "resume"
    );
    a.stop();
    b.stop();
}

#[test]
fn packets_have_marker_sequence_and_timestamps_and_follow_set_remote() {
    let (sa, _) = bind();
    let (first, first_addr) = bind();
    let (second, second_addr) = bind();
    let a = MediaSession::start(MediaConfig::new(sa, first_addr, CodecParams::pcma())).expect("A");
    let a_addr = a.local_addr().expect("local addr");

    first.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut buf = [0u8; 1500];
    let mut headers = Vec::new();
    for _ in 0..3 {
        let (n, from) = first.recv_from(&mut buf).expect("packet");
        assert_eq!(
            from, a_addr,
            "symmetric RTP: sent from the session's socket"
        );
        assert_eq!(n, 12 + 160);
        headers.push(parla_media::rtp::parse(&buf[..n]).expect("rtp").header);
    }
    assert!(headers[0].marker && !headers[1].marker && !headers[2].marker);
    assert_eq!(headers[0].payload_type, 8);
    for w in headers.windows(2) {
        assert_eq!(w[1].sequence_number, w[0].sequence_number.wrapping_add(1));
        assert_eq!(w[1].timestamp, w[0].timestamp.wrapping_add(160));
        assert_eq!(w[1].ssrc, w[0].ssrc);
    }

    a.set_remote(second_addr);
    second.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let (n, from) = second
        .recv_from(&mut buf)
        .expect("packet at the new remote");
    assert_eq!((n, from), (172, a_addr));
    a.stop();
}

#[test]
fn the_socket_comes_back_for_a_codec_change() {
    let (sa, _) = bind();
    let (peer, peer_addr) = bind();
    peer.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut buf = [0u8; 1500];

    let a = MediaSession::start(MediaConfig::new(sa, peer_addr, CodecParams::pcmu())).expect("A");
    let a_addr = a.local_addr().expect("addr");
    let (n, _) = peer.recv_from(&mut buf).expect("PCMU packet");
    assert_eq!(
        parla_media::rtp::parse(&buf[..n])
            .expect("rtp")
            .header
            .payload_type,
        0
    );
    let (_, socket) = a.stop_with_socket();
    let socket = socket.expect("socket handed back");

    let a = MediaSession::start(MediaConfig::new(socket, peer_addr, CodecParams::opus(111)))
        .expect("A2");
    let found = wait_for(TIMEOUT, || match peer.recv_from(&mut buf) {
        Ok((n, from)) => {
            from == a_addr
                && parla_media::rtp::parse(&buf[..n]).is_ok_and(|p| p.header.payload_type == 111)
        }
        Err(_) => false,
    });
    assert!(found, "Opus from the same address after the restart");
    a.stop();
}

#[test]
fn garbage_flood_is_counted_not_fatal() {
    let (sa, aa) = bind();
    let (peer, _) = bind();
    let mut cfg = MediaConfig::new(sa, peer.local_addr().expect("addr"), CodecParams::opus(111));
    cfg.telephone_event_pt = Some(101);
    let a = MediaSession::start(cfg).expect("A");

    let rtp_with = |pt: u8, payload: &[u8]| {
        let mut p = vec![0x80, pt, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7];
        p.extend_from_slice(payload);
        p
    };
    let crafted: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x80; 5],
        vec![
            0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 1, 0x1F, 0, 0, 0,
        ],
        vec![0xA0, 111, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 200],
    ];
    let telephone_event = rtp_with(101, &[1, 0x80, 0, 160]);
    let other_pt = rtp_with(13, &[0x40]);
    let bad_opus = rtp_with(111, &[0xFF, 0x00]);

    for round in 0..2000u32 {
        let len = (rand::random::<u32>() % 1500) as usize;
        let mut junk: Vec<u8> = (0..len).map(|_| rand::random()).collect();
        if let Some(b) = junk.first_mut() {
            *b &= 0x3F; // never version 2: always malformed
        }
        peer.send_to(&junk, aa).expect("send junk");
        if round % 100 == 0 {
            for p in crafted
                .iter()
                .chain([&telephone_event, &other_pt, &bad_opus])
            {
                peer.send_to(p, aa).expect("send crafted");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let ok = wait_for(TIMEOUT, || {
        let s = a.stats();
        s.malformed_received >= 200
            && s.telephone_events_received >= 1
            && s.packets_ignored >= 1
            && s.decode_errors >= 1
    });
    let sent_before = a.stats().packets_sent;
    assert!(
        wait_for(TIMEOUT, || a.stats().packets_sent > sent_before + 3),
        "still sending"
    );
    let s = a.stop();
    assert!(ok, "flood not counted: {s:?}");
    assert!(
        s.decode_errors >= 1 && s.decode_errors <= s.packets_received,
        "the bad Opus packets reached the decoder and were counted: {s:?}"
    );
}

#[test]
fn setup_errors_are_reported_by_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_peer, peer_addr) = bind();

    let mut cfg = MediaConfig::new(bind().0, peer_addr, CodecParams::pcmu());
    cfg.input = AudioEndpoint::File(dir.path().join("nope.wav"));
    let err = MediaSession::start(cfg).err().expect("missing WAV");
    assert!(
        matches!(err, MediaError::Wav { .. }) && err.to_string().contains("nope.wav"),
        "{err}"
    );

    let mut cfg = MediaConfig::new(bind().0, peer_addr, CodecParams::pcmu());
    cfg.output = AudioEndpoint::parse("no such device").expect("parse");
    let err = MediaSession::start(cfg).err().expect("device");
    assert!(
        matches!(err, MediaError::InvalidConfig(_))
            && err.to_string().contains("no audio output device named"),
        "{err}"
    );

    let mut cfg = MediaConfig::new(bind().0, peer_addr, CodecParams::pcmu());
    cfg.telephone_event_pt = Some(0);
    assert!(matches!(
        MediaSession::start(cfg),
        Err(MediaError::InvalidConfig(_))
    ));

    let mut cfg = MediaConfig::new(bind().0, peer_addr, CodecParams::opus(111));
    cfg.opus_complexity = 42;
    assert!(matches!(
        MediaSession::start(cfg),
        Err(MediaError::InvalidCodec(_))
    ));
}

#[test]
fn output_is_a_valid_wav_when_the_remote_sends_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("silent.wav");
    let (_peer, peer_addr) = bind();
    let mut cfg = MediaConfig::new(bind().0, peer_addr, CodecParams::pcmu());
    cfg.output = AudioEndpoint::File(out.clone());
    let a = MediaSession::start(cfg).expect("start");
    assert!(wait_for(TIMEOUT, || a.stats().packets_sent >= 3));
    drop(a); // Drop stops and finalises too.
             // The output keeps its clock with silence while nothing arrives.
    let (rate, pcm) = read_wav(&out);
    assert_eq!(rate, 48_000);
    assert!(pcm.iter().all(|&s| s == 0.0), "only silence");
}

/// The echo test's loop: a session sending to itself has each packet back within the tick that
/// sent it. Once the jitter buffer has seen a calm start, the frame plays a few ms after its
/// packet came, not a whole frame later at the next tick (it held 20-21 ms before the pops
/// followed the buffer's lead).
#[test]
fn a_calm_echo_loop_plays_each_packet_a_few_ms_after_it_comes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = tone_wav(dir.path(), "in.wav", 440.0, 48_000);
    let output = dir.path().join("out.wav");
    let (socket, own) = bind();
    let session = MediaSession::start(config(socket, own, CodecParams::opus(111), &input, &output))
        .expect("start");
    // 1.5 s with a frame held in case packets are lost, then a window or two of pops that
    // show the spare.
    let settled = wait_for(Duration::from_secs(15), || {
        let stats = session.stats();
        stats.packets_received > 150 && stats.quality.buffer_delay_ms < 10
    });
    let stats = session.stop();
    assert!(settled, "{:?}", stats.quality);
    assert_eq!(
        (
            stats.quality.lost,
            stats.quality.late,
            stats.quality.concealed
        ),
        (0, 0, 0),
        "{:?}",
        stats.quality
    );
}

/// The next `count` Opus payloads the session sends, in order; `far_end` hears all but every
/// tenth, as over a path that loses 10 %.
fn next_payloads(socket: &UdpSocket, count: usize, far_end: &mut RtcpSession) -> Vec<Vec<u8>> {
    let mut buf = [0u8; 1500];
    let mut payloads = Vec::with_capacity(count);
    for i in 0..count {
        let n = socket.recv(&mut buf).expect("RTP from the session");
        let packet = parla_media::rtp::parse(&buf[..n]).expect("rtp");
        let h = &packet.header;
        if i % 10 != 5 {
            far_end.on_rtp_received(h.ssrc, h.sequence_number, h.timestamp, Instant::now());
        }
        payloads.push(packet.payload.to_vec());
    }
    payloads
}

/// A far end that reports loss turns the Opus encoder's in-band FEC on; a clean path sends
/// none (it would cost quality for nothing).
#[test]
fn the_far_ends_loss_reports_turn_opus_fec_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("voice.wav");
    write_wav(&input, 48_000, 1, &changing_voice(250));
    let (socket, _) = bind();
    let (rtcp, rtcp_addr) = bind();
    let (peer, peer_addr) = bind();
    let (peer_rtcp, peer_rtcp_addr) = bind();
    let output = dir.path().join("out.wav");
    let mut cfg = config(socket, peer_addr, CodecParams::opus(111), &input, &output);
    cfg.rtcp_socket = Some(rtcp);
    cfg.remote_rtcp = Some(peer_rtcp_addr);
    let session = MediaSession::start(cfg).expect("session");
    peer.set_read_timeout(Some(TIMEOUT)).expect("timeout");

    let mut far_end = RtcpSession::new(0x5eed_f00d, "far-end", 48_000);
    let clean = next_payloads(&peer, 30, &mut far_end);
    let before = fec_snr(&clean);
    let mut report = [0u8; 1500];
    let n = far_end
        .build_report(Instant::now(), SystemTime::now(), &mut report)
        .expect("RR");
    peer_rtcp.send_to(&report[..n], rtcp_addr).expect("RR sent");
    // The report is read within a tick or two.
    next_payloads(&peer, 5, &mut far_end);
    let lossy = next_payloads(&peer, 30, &mut far_end);
    let after = fec_snr(&lossy);
    session.stop();
    assert!(before < 1.0, "FEC before any loss: {before:.1} dB");
    assert!(
        after > 2.0,
        "10 % loss reported, FEC rebuilds {after:.1} dB"
    );
}
