//! Hostile input: garbage, truncation, size limits and seeded random mutation. Nothing may
//! panic, and whenever an offer is answered the answer is well formed and mirrors its m= lines.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::tests::{assert_well_formed, local};
use super::*;

const FIXTURES: [&str; 11] = [
    include_str!("../../tests/fixtures/sdp/baresip_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/baresip_answer.sdp"),
    include_str!("../../tests/fixtures/sdp/asterisk_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/asterisk_hold_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/asterisk_srtp_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/linphone_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/rtpengine_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/polycom_bfcp_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/ipv6_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/webrtc_offer.sdp"),
    include_str!("../../tests/fixtures/sdp/opensips_placeholder_offer.sdp"),
];

/// Runs both entry points; checks any answer we produce. Returns whether the offer was answered.
fn exercise(input: &str) -> bool {
    let l = local(&[]);
    let _ = SdpSession::new().apply_answer(&l, input);
    match SdpSession::new().answer_offer(input, &l) {
        Ok((answer, media)) => {
            assert_well_formed(&answer);
            let offered = parse::parse(input).map(|s| s.media.len());
            let answered = parse::parse(&answer).map(|s| s.media.len());
            assert_eq!(
                offered, answered,
                "m= lines not mirrored for:\n{input}\n---\n{answer}"
            );
            assert!(media.payload_type <= 127);
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

fn malformed(input: &str) -> String {
    match SdpSession::new().answer_offer(input, &local(&[])) {
        Err(SdpError::Malformed(m)) => m,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn fixtures_with_any_line_ending() {
    for f in FIXTURES {
        let lf = f.replace("\r\n", "\n");
        let crlf = lf.replace('\n', "\r\n");
        let cr = lf.replace('\n', "\r");
        let r = [exercise(&lf), exercise(&crlf), exercise(&cr)];
        assert!(
            r[0] == r[1] && r[1] == r[2],
            "line ending changed the outcome:\n{f}"
        );
    }
}

#[test]
fn garbage_is_rejected_with_a_reason() {
    let long_line = "x".repeat(5000);
    let cases = [
        "",
        "\0",
        "\r\n\r\n",
        "hello",
        "v=0",
        "v=0\r\no=",
        "=\r\n",
        "v=\r\n",
        "SIP/2.0 200 OK\r\n",
        "\u{feff}v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio x RTP/AVP 0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio -1 RTP/AVP 0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 65536 RTP/AVP 0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 128\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP -1\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 99999999999999999999999\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\nä=x\r\n",
    ];
    for case in cases.iter().copied().chain([long_line.as_str()]) {
        let m = malformed(case);
        assert!(
            !m.is_empty() && m.len() < 200,
            "unclear message {m:?} for {case:?}"
        );
    }
    assert!(
        malformed("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 128\r\n")
            .contains("line 3")
    );
}

#[test]
fn odd_but_valid_input_is_tolerated() {
    let odd = "\r\n  v=0  \r\n\
        o=  -   1  1   IN IP4  10.0.0.1 \r\n\
        s=\r\n\
        i=Ünïcödé session ☎\r\n\
        u=not a url\r\n\
        c=IN IP4 10.0.0.1\r\n\
        b=AS:64\r\n\
        t=0 0\r\n\
        b=CT:128\r\n\
        y=an unknown line type\r\n\
        a=\r\n\
        a=:\r\n\
        m=audio 4000/2 RTP/AVP 0\r\n\
        a=rtpmap:0\r\n\
        a=rtpmap:\r\n\
        a=rtpmap:0 PCMU\r\n\
        a=rtpmap:0 PCMU/0\r\n\
        a=ptime:abc\r\n\
        a=rtcp:0\r\n\
        a=rtcp:x IN IP4 y\r\n\
        a=sendrecv:extra\r\n\
        x=trailing unknown\r\n\
        \t \r\n";
    assert!(exercise(odd));
    let (_, m) = SdpSession::new().answer_offer(odd, &local(&[])).unwrap();
    assert_eq!(
        (m.codec, m.remote_rtp.port(), m.remote_rtcp.port()),
        (Codec::Pcmu, 4000, 4001)
    );
}

#[test]
fn size_limits() {
    let base = include_str!("../../tests/fixtures/sdp/asterisk_offer.sdp");

    // 10,000 extra lines still under 64 KiB: answered normally.
    let many_lines = format!("{base}{}", "a=z\n".repeat(10_000));
    assert!(many_lines.lines().count() > 10_000 && many_lines.len() <= MAX_SDP_BYTES);
    assert!(exercise(&many_lines));

    // 10,000 lines over the limit, and a huge body: refused before parsing.
    let too_big = format!("{base}{}", "a=x-filler:0123456789\r\n".repeat(10_000));
    assert!(malformed(&too_big).contains("byte limit"));
    let huge = "a".repeat(16 * 1024 * 1024);
    assert!(malformed(&huge).contains("byte limit"));
    let exactly = format!("{base}a={}\n", "x".repeat(MAX_SDP_BYTES - base.len() - 3));
    assert_eq!(exactly.len(), MAX_SDP_BYTES);
    assert!(exercise(&exactly));

    // m= line count.
    let head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
    let video = "m=video 5000 RTP/AVP 96\r\n";
    let at_limit = format!(
        "{head}{}m=audio 4000 RTP/AVP 0\r\n",
        video.repeat(MAX_MEDIA_LINES - 1)
    );
    let (answer, _) = SdpSession::new()
        .answer_offer(&at_limit, &local(&[]))
        .unwrap();
    assert_eq!(
        answer.matches("m=video 0 RTP/AVP 96\r\n").count(),
        MAX_MEDIA_LINES - 1
    );
    let over = format!(
        "{head}{}m=audio 4000 RTP/AVP 0\r\n",
        video.repeat(MAX_MEDIA_LINES)
    );
    assert!(malformed(&over).contains("more than 64 m= lines"));

    // Thousands of payload types and rtpmaps on one audio line.
    let pts: Vec<String> = (0..4000).map(|i| (i % 128).to_string()).collect();
    let maps = "a=rtpmap:96 opus/48000/2\r\n".repeat(1500);
    let wide = format!("{head}m=audio 4000 RTP/AVP {}\r\n{maps}", pts.join(" "));
    assert!(wide.len() <= MAX_SDP_BYTES);
    assert!(exercise(&wide));
}

#[test]
fn every_truncation_of_every_fixture() {
    for f in FIXTURES {
        for (i, _) in f.char_indices() {
            exercise(&f[..i]);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x05ee_d5d9);
    for _ in 0..3000 {
        let len = rng.random_range(0..600);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        exercise(&String::from_utf8_lossy(&bytes));
        // Same again behind a valid start, so the parser gets past line 1.
        let prefixed = format!(
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n{}",
            String::from_utf8_lossy(&bytes)
        );
        exercise(&prefixed);
    }
}

/// Tokens that steer a mutation towards the interesting parts of the grammar.
const TOKENS: [&str; 24] = [
    "=",
    " ",
    "/",
    ":",
    "\r\n",
    "\n",
    "\r",
    "0",
    "127",
    "128",
    "65535",
    "65536",
    "0.0.0.0",
    "::",
    "IN IP6 ",
    "RTP/SAVP",
    "m=audio 0 RTP/AVP 0\r\n",
    "a=sendonly\r\n",
    "a=inactive\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    "a=rtpmap:96 opus/48000/2\r\n",
    "a=rtpmap:0 telephone-event/8000\r\n",
    "é",
    "\u{0}",
];

fn mutate(rng: &mut StdRng, input: &str) -> String {
    let mut s: Vec<u8> = input.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=s.len());
        match rng.random_range(0..6) {
            0 if !s.is_empty() => {
                let i = rng.random_range(0..s.len());
                s[i] = rng.random();
            }
            1 => {
                let end = rng.random_range(at..=s.len().min(at + 40));
                s.drain(at..end);
            }
            2 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                s.splice(at..at, t.bytes());
            }
            3 => s.truncate(at),
            4 => {
                // Duplicate a span, e.g. a whole line.
                let end = rng.random_range(at..=s.len().min(at + 80));
                let span = s[at..end].to_vec();
                s.splice(at..at, span);
            }
            _ => {
                let digits = rng.random_range(0u64..u64::MAX).to_string();
                s.splice(at..at, digits.bytes());
            }
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut rng = StdRng::seed_from_u64(20_240_611);
    let mut answered = 0;
    for round in 0..6000 {
        let base = FIXTURES[round % FIXTURES.len()];
        if exercise(&mutate(&mut rng, base)) {
            answered += 1;
        }
    }
    // The mutations must leave many offers usable, or this test only exercises errors.
    assert!(
        answered > 1000,
        "only {answered} mutated offers were answered"
    );
}
