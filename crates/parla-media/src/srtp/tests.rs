#![allow(clippy::unwrap_used, reason = "a failed step is a failed test")]

use super::*;

fn keys(suite: SrtpSuite) -> (SrtpKeys, SrtpKeys) {
    let a: Vec<u8> = (0..suite.key_salt_len()).map(|i| i as u8).collect();
    let b: Vec<u8> = (0..suite.key_salt_len()).map(|i| 200 - i as u8).collect();
    let ours = SrtpKeys {
        suite,
        send: a.clone(),
        recv: b.clone(),
    };
    let theirs = SrtpKeys {
        suite,
        send: b,
        recv: a,
    };
    (ours, theirs)
}

fn rtp(seq: u16, ssrc: u32, payload: &[u8], buf: &mut [u8]) -> usize {
    buf[0] = 0x80;
    buf[1] = 0;
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
    buf[4..8].copy_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    buf[8..12].copy_from_slice(&ssrc.to_be_bytes());
    buf[12..12 + payload.len()].copy_from_slice(payload);
    12 + payload.len()
}

/// A receiver report with no blocks.
fn rtcp(ssrc: u32, buf: &mut [u8]) -> usize {
    buf[..4].copy_from_slice(&[0x80, 201, 0, 1]);
    buf[4..8].copy_from_slice(&ssrc.to_be_bytes());
    8
}

#[test]
fn round_trip_both_suites_rtp_and_rtcp() {
    for suite in SrtpSuite::ALL {
        let (ours, theirs) = keys(suite);
        let (mut a, mut b) = (Srtp::new(&ours).unwrap(), Srtp::new(&theirs).unwrap());
        let payload = [0x55u8; 160];
        for seq in 1000..1100u16 {
            let mut buf = [0u8; 1500];
            let n = rtp(seq, 0x1234_5678, &payload, &mut buf);
            let sealed = a.protect_rtp(&mut buf, n).unwrap();
            assert!(sealed > n, "{suite:?} adds a tag");
            assert!(
                !buf[12..sealed].windows(16).any(|w| w == [0x55; 16]),
                "{suite:?}: the payload is not sent in the clear"
            );
            let plain = b.unprotect_rtp(&mut buf, sealed).unwrap();
            assert_eq!(plain, n);
            assert_eq!(&buf[12..n], &payload[..]);
        }
        let mut buf = [0u8; 100];
        let n = rtcp(0x1234_5678, &mut buf);
        let sealed = a.protect_rtcp(&mut buf, n).unwrap();
        let plain = b.unprotect_rtcp(&mut buf, sealed).unwrap();
        assert_eq!((plain, buf[1]), (8, 201));
    }
}

#[test]
fn tampered_replayed_and_short_packets_are_refused() {
    for suite in SrtpSuite::ALL {
        let (ours, theirs) = keys(suite);
        let (mut a, mut b) = (Srtp::new(&ours).unwrap(), Srtp::new(&theirs).unwrap());
        let mut buf = [0u8; 1500];
        let n = rtp(7, 42, &[1; 160], &mut buf);
        let sealed = a.protect_rtp(&mut buf, n).unwrap();
        let good = buf;
        buf[40] ^= 1;
        assert!(
            b.unprotect_rtp(&mut buf, sealed).is_err(),
            "{suite:?} tamper"
        );
        buf = good;
        assert!(b.unprotect_rtp(&mut buf, sealed).is_ok());
        buf = good;
        assert!(
            b.unprotect_rtp(&mut buf, sealed).is_err(),
            "{suite:?} replay"
        );
        for len in 0..30 {
            let mut junk = [0x80u8; 64];
            assert!(b.unprotect_rtp(&mut junk, len).is_err());
            assert!(b.unprotect_rtcp(&mut junk, len).is_err());
        }
        assert!(b.unprotect_rtp(&mut buf, 2000).is_err());
    }
}

#[test]
fn wrong_key_length_is_refused() {
    let (mut k, _) = keys(SrtpSuite::AesCm128HmacSha1_80);
    k.recv.pop();
    assert!(matches!(
        Srtp::new(&k),
        Err(SrtpError::KeyLength {
            expected: 30,
            got: 29,
            ..
        })
    ));
    assert_eq!(
        format!("{k:?}"),
        "SrtpKeys { suite: AesCm128HmacSha1_80, .. }"
    );
}

#[test]
fn forged_ssrcs_do_not_pile_up_and_the_real_stream_goes_on() {
    let (ours, theirs) = keys(SrtpSuite::AesCm128HmacSha1_80);
    let (mut a, mut b) = (Srtp::new(&ours).unwrap(), Srtp::new(&theirs).unwrap());
    for i in 0..2000u16 {
        let mut buf = [0u8; 1500];
        let n = rtp(i, u32::from(i) * 7919, &[9; 50], &mut buf);
        let n = n + 10;
        assert!(b.unprotect_rtp(&mut buf, n).is_err());
        assert!(b.probed.0.len() <= MAX_PROBED_SSRCS);
        if i % 100 == 0 {
            let n = rtp(i, 77, &[3; 50], &mut buf);
            let sealed = a.protect_rtp(&mut buf, n).unwrap();
            assert_eq!(b.unprotect_rtp(&mut buf, sealed).unwrap(), n);
        }
    }
    assert_eq!(b.known_rtp.0, vec![77]);
}
