//! Two sessions over 127.0.0.1 with SRTP (both suites): tones both ways, RTCP reports read
//! (a round trip measured), and forged packets from a third socket counted and never played.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::{band_energy_ratio, read_wav, tone, wait_for, write_wav};
use parla_media::{AudioEndpoint, CodecParams, MediaConfig, MediaSession, SrtpKeys, SrtpSuite};

const TIMEOUT: Duration = Duration::from_secs(15);

/// An RTP socket and its RTCP neighbour (port + 1).
fn bind_pair() -> (UdpSocket, UdpSocket, SocketAddr) {
    for _ in 0..50 {
        let rtp = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let addr = rtp.local_addr().expect("addr");
        if let Ok(rtcp) = UdpSocket::bind(("127.0.0.1", addr.port().wrapping_add(1))) {
            return (rtp, rtcp, addr);
        }
    }
    panic!("no RTP/RTCP port pair");
}

fn encrypted_call(suite: SrtpSuite) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a_in, b_in) = (dir.path().join("a-in.wav"), dir.path().join("b-in.wav"));
    write_wav(&a_in, 8000, 1, &tone(1000.0, 8000, 1.0, 0.5));
    write_wav(&b_in, 8000, 1, &tone(600.0, 8000, 1.0, 0.5));
    let (a_out, b_out) = (dir.path().join("a-out.wav"), dir.path().join("b-out.wav"));
    let ka: Vec<u8> = (0..suite.key_salt_len()).map(|i| i as u8 * 3).collect();
    let kb: Vec<u8> = (0..suite.key_salt_len()).map(|i| 255 - i as u8).collect();
    let ((sa, ra, aa), (sb, rb, ab)) = (bind_pair(), bind_pair());
    let config = |socket,
                  rtcp,
                  remote: SocketAddr,
                  input: &std::path::Path,
                  output: &std::path::Path,
                  send: &[u8],
                  recv: &[u8]| {
        let mut cfg = MediaConfig::new(socket, remote, CodecParams::pcmu());
        cfg.input = AudioEndpoint::File(input.to_owned());
        cfg.output = AudioEndpoint::File(output.to_owned());
        cfg.rtcp_socket = Some(rtcp);
        cfg.remote_rtcp = Some(SocketAddr::new(remote.ip(), remote.port() + 1));
        cfg.srtp = Some(SrtpKeys {
            suite,
            send: send.to_vec(),
            recv: recv.to_vec(),
        });
        cfg
    };
    let a = MediaSession::start(config(sa, ra, ab, &a_in, &a_out, &ka, &kb)).expect("A");
    let b = MediaSession::start(config(sb, rb, aa, &b_in, &b_out, &kb, &ka)).expect("B");

    // Forged RTP to B: right payload type, plausible header, loud noise, no valid tag.
    let forger = UdpSocket::bind("127.0.0.1:0").expect("forger");
    for seq in 0..100u16 {
        let mut packet = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
        packet[2..4].copy_from_slice(&seq.to_be_bytes());
        packet.extend((0..170).map(|i| (i * 37 + seq as usize) as u8));
        forger.send_to(&packet, ab).expect("forge");
    }
    let done = wait_for(TIMEOUT, || {
        b.stats().packets_received >= 75
            && a.stats().packets_received >= 75
            && a.stats().quality.rtt_ms.is_some()
            && b.stats().quality.rtt_ms.is_some()
    });
    let (sa, sb) = (a.stop(), b.stop());
    assert!(done, "{suite:?}: A {sa:?}, B {sb:?}");
    assert!(sb.srtp_rejected >= 100, "forged packets counted: {sb:?}");
    assert_eq!(sa.srtp_rejected, 0, "{sa:?}");
    assert_eq!(sa.malformed_received + sb.decode_errors, 0);
    for (out, freq, who) in [(&a_out, 600.0, "A hears B"), (&b_out, 1000.0, "B hears A")] {
        let (rate, pcm) = read_wav(out);
        let ratio = band_energy_ratio(&pcm, rate, freq, 50.0);
        assert!(
            ratio > 0.9,
            "{suite:?}, {who}: {ratio:.3} of the energy at {freq} Hz"
        );
    }
}

#[test]
fn aes_cm_call() {
    encrypted_call(SrtpSuite::AesCm128HmacSha1_80);
}

#[test]
fn aes_gcm_call() {
    encrypted_call(SrtpSuite::AeadAes128Gcm);
}
