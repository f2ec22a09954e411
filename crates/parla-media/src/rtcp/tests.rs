use super::*;

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Feeds `seqs` as 20 ms packets at 8 kHz, arriving on time.
fn feed(s: &mut RtcpSession, t0: Instant, ssrc: u32, seqs: &[u16]) {
    for &seq in seqs {
        let ts = u32::from(seq) * 160;
        s.on_rtp_received(
            ssrc,
            seq,
            ts,
            t0 + Duration::from_millis(u64::from(seq) * 20),
        );
    }
}

fn report(s: &mut RtcpSession, now: Instant) -> Vec<u8> {
    let mut out = [0u8; MAX_REPORT_LEN];
    let n = s
        .build_report(now, SystemTime::now(), &mut out)
        .expect("report fits");
    out[..n].to_vec()
}

#[test]
fn sequence_wraps_into_the_extended_counter() {
    let mut s = RtcpSession::new(1, "a@b", 8000);
    let t0 = Instant::now();
    for (i, seq) in (65_530..=65_535).chain(0..=3).enumerate() {
        s.on_rtp_received(
            9,
            seq,
            i as u32 * 160,
            t0 + Duration::from_millis(i as u64 * 20),
        );
    }
    let st = s.local_stats();
    assert_eq!(st.ssrc, Some(9));
    assert_eq!((st.received, st.expected, st.lost), (10, 10, 0));
    assert_eq!(st.extended_highest_seq, 65_536 + 3);
    assert_eq!(st.jitter, 0);
}

#[test]
fn loss_reorder_and_duplicates_match_hand_counts() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 1, 2, 5, 6]);
    let st = s.local_stats();
    assert_eq!((st.received, st.expected, st.lost), (5, 7, 2));
    assert_eq!(st.fraction_lost, 0.0, "no interval closed yet");
    report(&mut s, t0);
    // (2 << 8) / 7 = 73
    assert_eq!(s.local_stats().fraction_lost, 73.0 / 256.0);

    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 1, 3, 2, 4]);
    let st = s.local_stats();
    assert_eq!((st.received, st.expected, st.lost), (5, 5, 0));
    assert_eq!(st.extended_highest_seq, 4);

    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 1, 1, 2]);
    let st = s.local_stats();
    assert_eq!((st.received, st.expected, st.lost), (4, 3, -1));
}

#[test]
fn fraction_lost_covers_only_the_last_interval() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &(0..10).collect::<Vec<_>>());
    report(&mut s, t0);
    assert_eq!(s.local_stats().fraction_lost, 0.0);
    let second: Vec<u16> = (10..20).filter(|q| q % 2 == 0).collect();
    feed(&mut s, t0, 9, &second);
    // Highest is 18: 9 expected this interval, 5 received -> (4 << 8) / 9 = 113.
    report(&mut s, t0);
    let st = s.local_stats();
    assert_eq!(st.fraction_lost, 113.0 / 256.0);
    assert_eq!(st.lost, 4);
    // A quiet interval: nothing expected, nothing lost.
    report(&mut s, t0);
    assert_eq!(s.local_stats().fraction_lost, 0.0);
}

#[test]
fn sequence_jumps_are_strays_or_a_restart() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 1, 2, 40_000, 3]);
    let st = s.local_stats();
    assert_eq!((st.received, st.expected), (4, 4), "a lone jump is ignored");

    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 1, 2, 10_000, 10_001, 10_002]);
    let st = s.local_stats();
    assert_eq!(
        (st.received, st.expected, st.lost),
        (2, 2, 0),
        "sender restarted"
    );
    assert_eq!(st.extended_highest_seq, 10_002);

    // A new SSRC starts over as well.
    feed(&mut s, t0, 10, &[500, 501]);
    let st = s.local_stats();
    assert_eq!((st.ssrc, st.received, st.expected), (Some(10), 2, 2));
}

#[test]
fn jitter_follows_rfc3550_a8() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(1, "a@b", 8000);
    // Timestamps every 160 (20 ms); the third packet arrives 5 ms late.
    for (i, ms) in [0u64, 20, 45, 60, 80].into_iter().enumerate() {
        s.on_rtp_received(9, i as u16, i as u32 * 160, t0 + Duration::from_millis(ms));
    }
    // Transit 0, 0, 40, 0, 0 -> D = 0, 40, 40, 0. In A.8's x16 integers: 0, 40, 77, 72 -> 4.
    let st = s.local_stats();
    assert_eq!(st.jitter, 4);
    assert_eq!(st.jitter_ms, 0.5);
    // The float form J += (|D| - J) / 16 gives 4.54: the integer form stays within 1.
    let mut j = 0.0f64;
    for d in [0.0, 40.0, 40.0, 0.0] {
        j += (f64::abs(d) - j) / 16.0;
    }
    assert!((j - f64::from(st.jitter)).abs() < 1.0, "{j}");
}

#[test]
fn repeated_timestamps_add_no_jitter() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 1, 2]);
    // A telephone event: 7 packets with the start timestamp 480, 20 ms apart.
    for k in 0..7u16 {
        s.on_rtp_received(
            9,
            3 + k,
            480,
            t0 + Duration::from_millis(60 + 20 * u64::from(k)),
        );
    }
    // Voice resumes on the clock.
    s.on_rtp_received(9, 10, 10 * 160, t0 + Duration::from_millis(200));
    assert_eq!(s.local_stats().jitter, 0);
    assert_eq!(s.local_stats().received, 11);
}

#[test]
fn empty_session_sends_rr_and_cname() {
    let mut s = RtcpSession::new(0x0102_0304, "parla@host", 8000);
    let bytes = report(&mut s, Instant::now());
    // RR, RC=0, length 1 word; then SDES: header, SSRC, CNAME item of 2 + 10, 4 nulls.
    assert_eq!(bytes[..8], [0x80, 201, 0, 1, 1, 2, 3, 4]);
    assert_eq!(bytes[8..12], [0x81, 202, 0, 5]);
    assert_eq!(be32(&bytes, 12), 0x0102_0304);
    assert_eq!(bytes[16..18], [1, 10]);
    assert_eq!(&bytes[18..28], b"parla@host");
    assert_eq!(
        bytes[28..],
        [0, 0, 0, 0],
        "a whole word of nulls ends the items"
    );
}

#[test]
fn sdes_always_ends_with_a_null_octet() {
    for len in 0..=8 {
        let cname = "x".repeat(len);
        let mut s = RtcpSession::new(1, &cname, 8000);
        let bytes = report(&mut s, Instant::now());
        assert_eq!(bytes.len() % 4, 0);
        assert_eq!(bytes.last(), Some(&0), "len {len}");
        let mut peer = RtcpSession::new(2, "p", 8000);
        assert_eq!(peer.on_rtcp_received(&bytes, Instant::now()), Ok(None));
    }
    let long = "é".repeat(200);
    let s = RtcpSession::new(1, &long, 8000);
    assert_eq!(s.cname.len(), 254, "cut at a character boundary");
}

#[test]
fn sender_report_carries_counts_and_extrapolated_timestamp() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(7, "a@b", 8000);
    for k in 0..50u32 {
        s.on_rtp_sent(
            160,
            1000 + k * 160,
            t0 + Duration::from_millis(u64::from(k) * 20),
        );
    }
    let wall = UNIX_EPOCH + Duration::from_millis(1_500);
    let mut out = [0u8; MAX_REPORT_LEN];
    let at = t0 + Duration::from_millis(49 * 20 + 100);
    let n = s.build_report(at, wall, &mut out).expect("fits");
    let b = &out[..n];
    assert_eq!(b[..4], [0x80, 200, 0, 6]);
    assert_eq!(be32(b, 8), 2_208_988_801, "NTP seconds");
    assert_eq!(be32(b, 12), 0x8000_0000, "half a second");
    assert_eq!(
        be32(b, 16),
        1000 + 49 * 160 + 800,
        "RTP time of the same instant"
    );
    assert_eq!((be32(b, 20), be32(b, 24)), (50, 8000));

    // Still an SR one interval after we stopped sending, an RR after two.
    assert_eq!(report(&mut s, at)[1], 200);
    assert_eq!(report(&mut s, at)[1], 201);
    s.on_rtp_sent(160, 0, at);
    assert_eq!(report(&mut s, at)[1], 200);
}

#[test]
fn reports_round_trip_with_rtt() {
    let t0 = Instant::now();
    let ms = |n: u64| t0 + Duration::from_millis(n);
    let mut a = RtcpSession::new(0xA, "a@x", 8000);
    let mut b = RtcpSession::new(0xB, "b@x", 8000);
    // A sends 100 packets to B; B loses 4 of them. B sends 10 to A.
    for seq in 0..100u16 {
        a.on_rtp_sent(160, u32::from(seq) * 160, ms(u64::from(seq) * 20));
        if seq % 25 != 7 {
            b.on_rtp_received(0xA, seq, u32::from(seq) * 160, ms(u64::from(seq) * 20 + 30));
        }
    }
    for seq in 0..10u16 {
        b.on_rtp_sent(160, u32::from(seq) * 160, ms(u64::from(seq) * 20));
        a.on_rtp_received(0xB, seq, u32::from(seq) * 160, ms(u64::from(seq) * 20 + 30));
    }
    let mut buf = [0u8; MAX_REPORT_LEN];
    let n = a
        .build_report(ms(2000), SystemTime::now(), &mut buf)
        .expect("a's SR");
    assert_eq!(buf[1], 200);
    let about_b = b
        .on_rtcp_received(&buf[..n], ms(2015))
        .expect("valid")
        .expect("A's SR carries a block about B");
    assert_eq!(about_b.cumulative_lost, 0);
    assert_eq!(about_b.rtt_ms, None, "B has sent no SR yet");

    // B holds A's SR for 100 ms, then reports: A sees RTT = 2115 - 2000 - 100 = 15 ms.
    let n = b
        .build_report(ms(2115), SystemTime::now(), &mut buf)
        .expect("b's SR");
    let r = a
        .on_rtcp_received(&buf[..n], ms(2115))
        .expect("valid")
        .expect("report about A");
    assert_eq!(r.cumulative_lost, 4);
    assert_eq!(
        r.fraction_lost,
        f32::from(((4u16 << 8) / 100) as u8) / 256.0
    );
    assert_eq!(r.jitter_ms, 0.0);
    assert!(!r.bye);
    let rtt = r.rtt_ms.expect("LSR matches our SR");
    assert!((rtt - 15.0).abs() < 0.1, "{rtt}");
    assert_eq!(a.remote_report(), Some(r));

    // B's report block about A would have said the same to a third party; and an LSR we
    // never sent gives no RTT.
    let mut c = RtcpSession::new(0xA, "c@x", 8000);
    let r = c
        .on_rtcp_received(&buf[..n], ms(2115))
        .expect("valid")
        .expect("about 0xA");
    assert_eq!(r.rtt_ms, None);
}

#[test]
fn bye_is_reported_and_keeps_the_last_figures() {
    let t0 = Instant::now();
    let mut a = RtcpSession::new(1, "a", 8000);
    let mut b = RtcpSession::new(2, "b", 8000);
    feed(&mut b, t0, 1, &[0, 1, 3]);
    let mut buf = [0u8; MAX_REPORT_LEN];
    let n = b
        .build_report(t0, SystemTime::now(), &mut buf)
        .expect("fits");
    let first = a
        .on_rtcp_received(&buf[..n], t0)
        .expect("valid")
        .expect("block");
    assert_eq!(first.cumulative_lost, 1);
    let n = b.build_bye(t0, SystemTime::now(), &mut buf).expect("fits");
    let r = a
        .on_rtcp_received(&buf[..n], t0)
        .expect("valid")
        .expect("bye");
    assert!(r.bye);
    assert_eq!(r.cumulative_lost, 1);
    // Our own BYE looped back is not the far end leaving.
    let n = a.build_bye(t0, SystemTime::now(), &mut buf).expect("fits");
    assert_eq!(
        b.on_rtcp_received(&buf[..n], t0).map(|r| r.map(|r| r.bye)),
        Ok(Some(true))
    );
    let mut echo = RtcpSession::new(1, "a", 8000);
    assert_eq!(echo.on_rtcp_received(&buf[..n], t0), Ok(None));
}

#[test]
fn unknown_types_and_extensions_are_skipped() {
    let mut s = RtcpSession::new(5, "me", 8000);
    let mut d = vec![0x81, 201, 0, 7, 0, 0, 0, 9]; // RR from 9, one block
    d.extend_from_slice(&[0, 0, 0, 5, 64, 0xFF, 0xFF, 0xFE]); // about us: 25%, lost -2
    d.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0]);
    d.extend_from_slice(&[0x80, 204, 0, 2, 0, 0, 0, 9, b'n', b'a', b'm', b'e']); // APP
    d.extend_from_slice(&[0x80, 207, 0, 1, 0, 0, 0, 9]); // XR, empty
    d.extend_from_slice(&[0x81, 206, 0, 2, 0, 0, 0, 9, 0, 0, 0, 5]); // PSFB PLI
    let r = s
        .on_rtcp_received(&d, Instant::now())
        .expect("valid")
        .expect("about us");
    assert_eq!(r.fraction_lost, 0.25);
    assert_eq!(r.cumulative_lost, -2);
    assert_eq!(r.jitter_ms, 10.0);
    assert_eq!(r.rtt_ms, None);
}

#[test]
fn malformed_datagrams_are_rejected_whole() {
    let mut s = RtcpSession::new(5, "me", 8000);
    let now = Instant::now();
    let rr_about_us: [u8; 32] = [
        0x81, 201, 0, 7, 0, 0, 0, 9, 0, 0, 0, 5, 64, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0,
    ];
    assert_eq!(s.on_rtcp_received(&[], now), Ok(None));
    assert_eq!(
        s.on_rtcp_received(&[0x80, 201], now),
        Err(RtcpError::TooShort)
    );
    assert_eq!(
        s.on_rtcp_received(&[0x40, 201, 0, 0], now),
        Err(RtcpError::BadVersion(1))
    );
    assert_eq!(
        s.on_rtcp_received(&rr_about_us[..28], now),
        Err(RtcpError::BadLength)
    );
    // RC says two blocks, length holds one.
    let mut two = rr_about_us;
    two[0] = 0x82;
    assert_eq!(s.on_rtcp_received(&two, now), Err(RtcpError::BadLength));
    // A valid report followed by junk: nothing is taken from the report either.
    let mut tail = rr_about_us.to_vec();
    tail.extend_from_slice(&[0x80, 203, 0, 9]);
    assert_eq!(s.on_rtcp_received(&tail, now), Err(RtcpError::BadLength));
    assert_eq!(s.remote_report(), None);
    // Padding only on the last packet, and it must fit.
    let mut padded = rr_about_us.to_vec();
    padded[0] |= 0x20;
    padded.extend_from_slice(&[0x80, 201, 0, 1, 0, 0, 0, 9]);
    assert_eq!(s.on_rtcp_received(&padded, now), Err(RtcpError::BadPadding));
    let bad_pad = [0xA0, 201, 0, 1, 0, 0, 0, 9];
    assert_eq!(
        s.on_rtcp_received(&bad_pad, now),
        Err(RtcpError::BadPadding)
    );
    let ok_pad = [0xA0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4];
    assert_eq!(s.on_rtcp_received(&ok_pad, now), Ok(None));
    // BYE listing more sources than it holds.
    assert_eq!(
        s.on_rtcp_received(&[0x83, 203, 0, 1, 0, 0, 0, 9], now),
        Err(RtcpError::BadLength)
    );
    assert!(s
        .on_rtcp_received(&rr_about_us, now)
        .expect("valid")
        .is_some());
}

#[test]
fn small_output_buffer_changes_nothing() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(1, "a@b", 8000);
    feed(&mut s, t0, 9, &[0, 2]);
    let due = s.next_report_due();
    let mut out = [0u8; 40];
    assert_eq!(
        s.build_report(t0, SystemTime::now(), &mut out),
        Err(RtcpError::BufferTooSmall {
            needed: 48,
            available: 40
        })
    );
    assert_eq!(s.next_report_due(), due);
    let bytes = report(&mut s, t0);
    assert_eq!(bytes[0], 0x81, "the block was still owed");
    assert_eq!(s.local_stats().fraction_lost, 85.0 / 256.0, "(1 << 8) / 3");
}

#[test]
fn report_times_are_randomised_around_five_seconds() {
    let before = Instant::now();
    let mut s = RtcpSession::new(1, "a", 8000);
    let first = s.next_report_due() - before;
    assert!(first >= Duration::from_millis(1250) && first < Duration::from_millis(3800));
    let (mut low, mut high) = (Duration::MAX, Duration::ZERO);
    let mut now = Instant::now();
    for _ in 0..1000 {
        report(&mut s, now);
        let wait = s.next_report_due() - now;
        low = low.min(wait);
        high = high.max(wait);
        now = s.next_report_due();
    }
    assert!(
        low >= Duration::from_millis(2500) && low < Duration::from_millis(2700),
        "{low:?}"
    );
    assert!(
        high < Duration::from_millis(7500) && high > Duration::from_millis(7300),
        "{high:?}"
    );
}

#[test]
fn rtcp_mux_demultiplexing() {
    assert!(looks_like_rtcp(&[0x80, 200, 0, 6]));
    assert!(looks_like_rtcp(&[0x81, 201]));
    assert!(!looks_like_rtcp(&[0x80, 0, 0, 1]), "PCMU");
    assert!(
        !looks_like_rtcp(&[0x80, 0x60 | 0x80, 0, 1]),
        "PT 96 with marker is 224"
    );
    assert!(!looks_like_rtcp(&[0x40, 200]));
    assert!(!looks_like_rtcp(&[0x80]));
}

/// Seeded xorshift so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut s = RtcpSession::new(5, "me", 8000);
    let mut peer = RtcpSession::new(9, "peer", 8000);
    let t0 = Instant::now();
    feed(&mut peer, t0, 5, &[0, 1, 2, 4]);
    peer.on_rtp_sent(160, 0, t0);
    let mut valid = [0u8; MAX_REPORT_LEN];
    let n = peer
        .build_bye(t0, SystemTime::now(), &mut valid)
        .expect("fits");
    let valid = &valid[..n];
    let mut buf = [0u8; 128];
    for case in 0..20_000 {
        let len = (rng.next() % 128) as usize;
        let d = &mut buf[..len];
        if case % 2 == 0 {
            // Random bytes shaped like RTCP headers.
            for b in d.iter_mut() {
                *b = rng.next() as u8;
            }
            for h in (0..len).step_by(4 * (1 + (rng.next() % 4) as usize)) {
                d[h] = 0x80 | (d[h] & 0x3F);
                if h + 1 < len {
                    d[h + 1] = 200 + (rng.next() % 8) as u8;
                }
            }
        } else {
            // A valid compound, cut and with a few bytes flipped.
            let len = len.min(valid.len());
            let d = &mut buf[..len];
            d.copy_from_slice(&valid[..len]);
            for _ in 0..1 + rng.next() % 3 {
                if len > 0 {
                    d[(rng.next() as usize) % len] ^= rng.next() as u8;
                }
            }
        }
        let _ = s.on_rtcp_received(&buf[..len.min(buf.len())], t0);
    }
    // Every prefix of a valid compound, too.
    for len in 0..=valid.len() {
        let _ = s.on_rtcp_received(&valid[..len], t0);
    }
    assert!(s.on_rtcp_received(valid, t0).is_ok());
}

#[test]
fn random_rtp_arrivals_keep_stats_sane() {
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let mut s = RtcpSession::new(5, "me", 48_000);
    let mut peer = RtcpSession::new(9, "peer", 48_000);
    let mut now = Instant::now();
    let mut seq = 0u16;
    let mut buf = [0u8; MAX_REPORT_LEN];
    for i in 0..20_000u32 {
        let r = rng.next();
        // Mostly a stream with loss, reordering and duplicates; sometimes wild values.
        seq = match r % 16 {
            0 => r as u16 >> 3,
            1 => seq.wrapping_sub(3),
            2 => seq,
            3 => seq.wrapping_add(5),
            _ => seq.wrapping_add(1),
        };
        let ts = if r.is_multiple_of(29) {
            (r >> 20) as u32
        } else {
            i.wrapping_mul(960)
        };
        let ssrc = if r.is_multiple_of(997) { 2 } else { 1 };
        now += Duration::from_micros((r >> 40) % 40_000);
        s.on_rtp_received(ssrc, seq, ts, now);
        if i % 500 == 0 {
            let n = s
                .build_report(now, SystemTime::now(), &mut buf)
                .expect("fits");
            assert!(peer.on_rtcp_received(&buf[..n], now).is_ok());
        }
    }
    let st = s.local_stats();
    assert!(st.received <= 20_000);
    assert!((0.0..=1.0).contains(&st.fraction_lost));
    assert!(st.jitter_ms.is_finite());
}
