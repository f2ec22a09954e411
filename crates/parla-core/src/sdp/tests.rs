//! Offer/answer behaviour against real-world SDP from baresip, Asterisk, Linphone,
//! Kamailio+rtpengine, a Polycom-style BFCP endpoint and a browser.

use std::net::SocketAddr;

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/fixtures/sdp/", $name))
    };
}
pub(super) use fixture;

pub(super) fn local(codecs: &[Codec]) -> LocalMedia {
    LocalMedia {
        address: "192.0.2.10".parse().unwrap(),
        port: 40000,
        codecs: codecs.to_vec(),
        direction: Direction::SendRecv,
        ptime_ms: 20,
        srtp: Default::default(),
    }
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(super) fn answer(offer: &str, local: &LocalMedia) -> (String, NegotiatedMedia) {
    match SdpSession::with_origin(1000, 1).answer_offer(offer, local) {
        Ok(r) => r,
        Err(e) => panic!("answer_offer failed: {e}\n{offer}"),
    }
}

fn answer_err(offer: &str, local: &LocalMedia) -> SdpError {
    match SdpSession::new().answer_offer(offer, local) {
        Ok((text, _)) => panic!("answer_offer should fail, answered:\n{text}"),
        Err(e) => e,
    }
}

pub(super) fn apply(local: &LocalMedia, answer: &str) -> Result<NegotiatedMedia, SdpError> {
    SdpSession::new().apply_answer(local, answer)
}

fn m_lines(sdp: &str) -> Vec<&str> {
    sdp.split("\r\n").filter(|l| l.starts_with("m=")).collect()
}

fn has(sdp: &str, line: &str) -> bool {
    sdp.split("\r\n").any(|l| l == line)
}

/// What we send: CRLF everywhere, RFC 4566 order (v o s c t, then m= sections holding
/// only m, c and a lines), and readable by our own parser.
pub(super) fn assert_well_formed(sdp: &str) {
    assert!(sdp.ends_with("\r\n"), "no final CRLF:\n{sdp}");
    let lines: Vec<&str> = sdp.trim_end_matches("\r\n").split("\r\n").collect();
    let types: String = lines.iter().map(|l| &l[..1]).collect();
    assert!(types.starts_with("vosct"), "header order {types}:\n{sdp}");
    let media_part = &types[5..];
    assert!(
        media_part.is_empty() || media_part.starts_with('m'),
        "{sdp}"
    );
    assert!(media_part.chars().all(|c| "mca".contains(c)), "{sdp}");
    for l in &lines {
        assert!(
            !l.contains('\r') && !l.contains('\n') && !l.ends_with(' '),
            "{l:?}"
        );
        assert_eq!(l.as_bytes().get(1), Some(&b'='), "{l:?}");
        assert!(l.len() > 2, "empty value: {l:?}");
    }
    assert!(
        parse::parse(sdp).is_ok(),
        "we cannot parse our own SDP:\n{sdp}"
    );
}

/// A second, independent RFC 4566 reader (webrtc-rs), for SDP with ordinary transports.
fn assert_strict_parser_accepts(sdp: &str) {
    if let Err(e) = ::sdp::SessionDescription::try_from(sdp.to_owned()) {
        panic!("webrtc-rs sdp rejects our SDP: {e}\n{sdp}");
    }
}

// ---------------------------------------------------------------- offers

#[test]
fn offer_exact_text() {
    let mut s = SdpSession::with_origin(42, 7);
    let offer = s.create_offer(&local(&[Codec::Opus, Codec::Pcmu, Codec::Pcma]));
    let expected = "v=0\r\n\
        o=- 42 7 IN IP4 192.0.2.10\r\n\
        s=-\r\n\
        c=IN IP4 192.0.2.10\r\n\
        t=0 0\r\n\
        m=audio 40000 RTP/AVP 111 0 8 101 110\r\n\
        a=rtpmap:111 opus/48000/2\r\n\
        a=fmtp:111 useinbandfec=1;maxplaybackrate=48000;stereo=0;sprop-stereo=0\r\n\
        a=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-16\r\n\
        a=rtpmap:110 telephone-event/48000\r\n\
        a=fmtp:110 0-16\r\n\
        a=ptime:20\r\n\
        a=sendrecv\r\n";
    assert_eq!(offer, expected);
    assert_well_formed(&offer);
    assert_strict_parser_accepts(&offer);
}

#[test]
fn offer_follows_preference_and_subset() {
    let offer = SdpSession::new().create_offer(&local(&[Codec::Pcma, Codec::Pcmu]));
    assert_eq!(m_lines(&offer), vec!["m=audio 40000 RTP/AVP 8 0 101"]);
    assert!(!offer.contains("opus") && !offer.contains("/48000"));
    assert!(has(&offer, "a=rtpmap:8 PCMA/8000"));
    assert_well_formed(&offer);

    let offer = SdpSession::new().create_offer(&local(&[Codec::Pcmu, Codec::Opus, Codec::Pcmu]));
    assert_eq!(m_lines(&offer), vec!["m=audio 40000 RTP/AVP 0 111 101 110"]);
    let offer = SdpSession::new().create_offer(&local(&[]));
    assert_eq!(
        m_lines(&offer),
        vec!["m=audio 40000 RTP/AVP 111 9 0 8 101 110"]
    );
}

#[test]
fn offer_ptime_hold_and_ipv6() {
    let mut l = local(&[Codec::Opus]);
    l.address = "2001:db8::5".parse().unwrap();
    l.direction = Direction::SendOnly;
    l.ptime_ms = 40;
    let offer = SdpSession::with_origin(5, 5).create_offer(&l);
    assert!(has(&offer, "o=- 5 5 IN IP6 2001:db8::5"));
    assert!(has(&offer, "c=IN IP6 2001:db8::5"));
    assert!(has(&offer, "a=sendonly") && !has(&offer, "a=sendrecv"));
    assert!(has(&offer, "a=ptime:40"));
    assert_well_formed(&offer);
    assert_strict_parser_accepts(&offer);

    // Opus cannot do 30 ms, G.711 can.
    l.ptime_ms = 30;
    assert!(has(&SdpSession::new().create_offer(&l), "a=ptime:20"));
    l.codecs = vec![Codec::Pcmu];
    assert!(has(&SdpSession::new().create_offer(&l), "a=ptime:30"));
}

#[test]
fn version_goes_up_with_every_sdp_sent() {
    let mut s = SdpSession::with_origin(9, 100);
    let l = local(&[]);
    let o1 = s.create_offer(&l);
    let o2 = s.create_offer(&l);
    assert!(has(&o1, "o=- 9 100 IN IP4 192.0.2.10"));
    assert!(has(&o2, "o=- 9 101 IN IP4 192.0.2.10"));
    assert!(s.answer_offer("garbage", &l).is_err());
    assert_eq!(s.version(), 101, "a failed answer sends nothing");
    let (a, _) = s.answer_offer(fixture!("baresip_offer.sdp"), &l).unwrap();
    assert!(has(&a, "o=- 9 102 IN IP4 192.0.2.10"));
    assert_eq!((s.session_id(), s.version()), (9, 102));

    let fresh = SdpSession::new();
    assert!((1..=0x7fff_ffff).contains(&fresh.session_id()));
    assert_eq!(fresh.session_id(), fresh.version());
    assert_ne!(fresh.session_id(), SdpSession::new().session_id());
}

// ---------------------------------------------------------------- answers to real offers

#[test]
fn baresip_offer() {
    let offer = fixture!("baresip_offer.sdp");
    let (text, m) = answer(offer, &local(&[Codec::Opus, Codec::Pcmu, Codec::Pcma]));
    assert_eq!(m.codec, Codec::Opus);
    assert_eq!(
        (m.payload_type, m.recv_payload_type),
        (96, 96),
        "offerer's PT kept"
    );
    assert_eq!((m.clock_rate, m.channels), (48000, 2));
    // Only telephone-event/8000 is offered: taken although the codec runs at 48 kHz.
    assert_eq!(m.telephone_event_pt, Some(101));
    assert_eq!(m.telephone_event_clock_rate, Some(8000));
    assert_eq!(m.remote_rtp, addr("192.168.1.23:10000"));
    assert_eq!(m.remote_rtcp, addr("192.168.1.23:10001"));
    assert_eq!(m.ptime_ms, 20);
    assert_eq!(m.direction, Direction::SendRecv);
    assert!(!m.remote_on_hold);

    assert_eq!(m_lines(&text), vec!["m=audio 40000 RTP/AVP 96 101"]);
    assert!(has(&text, "a=rtpmap:96 opus/48000/2"));
    assert!(has(&text, &format!("a=fmtp:96 {OPUS_FMTP}")));
    assert!(has(&text, "a=rtpmap:101 telephone-event/8000"));
    assert!(has(&text, "a=sendrecv"));
    assert!(!text.contains("PCMU") && !text.contains("G722"));
    assert_well_formed(&text);
    assert_strict_parser_accepts(&text);

    let (text, m) = answer(offer, &local(&[Codec::Pcmu, Codec::Opus]));
    assert_eq!((m.codec, m.payload_type), (Codec::Pcmu, 0));
    assert_eq!((m.clock_rate, m.channels), (8000, 1));
    assert_eq!(m_lines(&text), vec!["m=audio 40000 RTP/AVP 0 101"]);
    assert!(has(&text, "a=rtpmap:0 PCMU/8000"));
}

#[test]
fn asterisk_offer() {
    let offer = fixture!("asterisk_offer.sdp");
    let (text, m) = answer(offer, &local(&[Codec::Pcma, Codec::Pcmu, Codec::Opus]));
    assert_eq!((m.codec, m.payload_type), (Codec::Pcma, 8));
    assert_eq!(m.remote_rtp, addr("203.0.113.5:14562"));
    assert_eq!(m_lines(&text), vec!["m=audio 40000 RTP/AVP 8 101"]);
    assert_strict_parser_accepts(&text);

    // Asterisk numbers Opus 107: the answer must say 107, not our 111.
    let (text, m) = answer(offer, &local(&[Codec::Opus]));
    assert_eq!((m.codec, m.payload_type), (Codec::Opus, 107));
    assert_eq!(m.telephone_event_pt, Some(101));
    assert!(has(&text, "a=rtpmap:107 opus/48000/2"));
    assert!(!text.contains("111"));
}

#[test]
fn linphone_offer_with_video() {
    let offer = fixture!("linphone_offer.sdp");
    let (text, m) = answer(offer, &local(&[]));
    assert_eq!((m.codec, m.payload_type), (Codec::Opus, 96));
    // telephone-event at 48000, 16000 and 8000: the one matching Opus wins.
    assert_eq!(
        (m.telephone_event_pt, m.telephone_event_clock_rate),
        (Some(101), Some(48000))
    );
    assert_eq!(m.remote_rtcp, addr("192.168.0.20:7079"));
    assert_eq!(
        m_lines(&text),
        vec!["m=audio 40000 RTP/AVP 96 101", "m=video 0 RTP/AVP 96 97"]
    );
    assert!(has(&text, "a=rtpmap:101 telephone-event/48000"));
    assert_well_formed(&text);
    assert_strict_parser_accepts(&text);

    let (_, m) = answer(offer, &local(&[Codec::Pcmu]));
    assert_eq!((m.codec, m.payload_type), (Codec::Pcmu, 0));
    assert_eq!(
        (m.telephone_event_pt, m.telephone_event_clock_rate),
        (Some(100), Some(8000))
    );
}

#[test]
fn rtpengine_offer_two_telephone_events() {
    let offer = fixture!("rtpengine_offer.sdp");
    let (text, m) = answer(offer, &local(&[Codec::Opus]));
    assert_eq!((m.payload_type, m.telephone_event_pt), (96, Some(97)));
    assert_eq!(m.telephone_event_clock_rate, Some(48000));
    assert_eq!(m_lines(&text), vec!["m=audio 40000 RTP/AVP 96 97"]);
    assert!(
        !text.contains("telephone-event/8000"),
        "only one telephone-event in the answer"
    );
    // Media-level c= only, and a=rtcp.
    assert_eq!(m.remote_rtp, addr("198.51.100.7:11492"));
    assert_eq!(m.remote_rtcp, addr("198.51.100.7:11493"));

    let (text, m) = answer(offer, &local(&[Codec::Pcma]));
    assert_eq!((m.payload_type, m.telephone_event_pt), (8, Some(101)));
    assert_eq!(m_lines(&text), vec!["m=audio 40000 RTP/AVP 8 101"]);
}

#[test]
fn polycom_offer_with_bfcp_and_two_videos() {
    let offer = fixture!("polycom_bfcp_offer.sdp");
    let (text, m) = answer(offer, &local(&[]));
    // It lists G.722 first and so do we after Opus, which it lacks.
    assert_eq!((m.codec, m.payload_type), (Codec::G722, 9));
    assert!(has(&text, "a=rtpmap:9 G722/8000"));
    assert_eq!(
        m_lines(&text),
        vec![
            "m=audio 40000 RTP/AVP 9 101",
            "m=video 0 RTP/AVP 109 34",
            "m=application 0 UDP/BFCP *",
            "m=video 0 RTP/AVP 109",
        ]
    );
    assert_well_formed(&text);
}

#[test]
fn ipv6_offer() {
    let mut l = local(&[]);
    l.address = "2001:db8::20".parse().unwrap();
    let (text, m) = answer(fixture!("ipv6_offer.sdp"), &l);
    assert_eq!(m.remote_rtp, addr("[2001:db8::10]:30000"));
    assert_eq!(m.remote_rtcp, addr("[2001:db8::10]:30001"));
    assert!(has(&text, "c=IN IP6 2001:db8::20"));
    assert_strict_parser_accepts(&text);
}

#[test]
fn srtp_is_not_supported() {
    for offer in [
        fixture!("asterisk_srtp_offer.sdp"),
        fixture!("webrtc_offer.sdp"),
    ] {
        let e = answer_err(offer, &local(&[]));
        assert!(
            matches!(&e, SdpError::Unsupported(s) if s.contains("SRTP")),
            "{e}"
        );
        assert_eq!(e.sip_status(), 488);
    }
}

#[test]
fn srtp_with_rtp_fallback_uses_the_rtp_stream() {
    let offer = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
        m=audio 5000 RTP/SAVP 0 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:xyz\r\n\
        m=audio 5002 RTP/AVP 0 8\r\n";
    let (text, m) = answer(offer, &local(&[]));
    assert_eq!(m.remote_rtp, addr("10.0.0.1:5002"));
    assert_eq!(
        m_lines(&text),
        vec!["m=audio 0 RTP/SAVP 0 8", "m=audio 40000 RTP/AVP 0"]
    );
    assert!(
        !text.contains("a=rtpmap:101"),
        "no telephone-event was offered, none answered"
    );
    assert_eq!(m.telephone_event_pt, None);
}

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";

#[test]
fn static_payload_types_without_rtpmap() {
    let offer = format!("{HEAD}m=audio 5004 RTP/AVP 8 0\r\n");
    // Our order wins over the offerer's: PCMU before PCMA.
    let (text, m) = answer(&offer, &local(&[]));
    assert_eq!((m.codec, m.payload_type), (Codec::Pcmu, 0));
    assert!(
        has(&text, "a=rtpmap:0 PCMU/8000"),
        "we write rtpmap even for static PTs"
    );
    let (_, m) = answer(&offer, &local(&[Codec::Pcma]));
    assert_eq!((m.codec, m.payload_type), (Codec::Pcma, 8));
}

#[test]
fn codec_names_match_case_insensitively_and_by_clock_rate() {
    let offer = format!(
        "{HEAD}m=audio 5004 RTP/AVP 97 98 99\r\na=rtpmap:97 OPUS/16000/2\r\n\
         a=rtpmap:98 Opus/48000/2\r\na=rtpmap:99 pcma/8000\r\n"
    );
    let (_, m) = answer(&offer, &local(&[]));
    assert_eq!((m.codec, m.payload_type), (Codec::Opus, 98));
    let (_, m) = answer(&offer, &local(&[Codec::Pcma]));
    assert_eq!((m.codec, m.payload_type), (Codec::Pcma, 99));
}

#[test]
fn no_common_codec() {
    let g729 = format!("{HEAD}m=audio 5004 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\n");
    let e = answer_err(&g729, &local(&[]));
    assert_eq!(e, SdpError::NoCommonCodec);
    assert_eq!(e.sip_status(), 488);
    // A dynamic PT without an rtpmap is unknown, whatever its number.
    assert_eq!(
        answer_err(&format!("{HEAD}m=audio 5004 RTP/AVP 111\r\n"), &local(&[])),
        SdpError::NoCommonCodec
    );
    // PCMA only, we do Opus and PCMU only.
    assert_eq!(
        answer_err(
            fixture!("ipv6_offer.sdp"),
            &local(&[Codec::Opus, Codec::Pcmu])
        ),
        SdpError::NoCommonCodec
    );
}

#[test]
fn no_audio() {
    assert_eq!(answer_err(HEAD, &local(&[])), SdpError::NoAudio);
    let video = format!("{HEAD}m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n");
    assert_eq!(answer_err(&video, &local(&[])), SdpError::NoAudio);
    let disabled = format!("{HEAD}m=audio 0 RTP/AVP 0\r\n");
    assert_eq!(answer_err(&disabled, &local(&[])), SdpError::NoAudio);
    let tcp = format!("{HEAD}m=audio 9 TCP/RTP/AVP 0\r\n");
    assert!(
        matches!(answer_err(&tcp, &local(&[])), SdpError::Unsupported(s) if s.contains("TCP/RTP/AVP"))
    );
}

#[test]
fn missing_or_unusable_connection() {
    let no_c = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n";
    let e = answer_err(no_c, &local(&[]));
    assert!(
        matches!(&e, SdpError::Malformed(s) if s.contains("line 5") && s.contains("no c= line")),
        "{e}"
    );
    assert_eq!(e.sip_status(), 400);
    let host = format!("{HEAD}m=audio 5004 RTP/AVP 0\r\nc=IN IP4 media.example.com\r\n");
    assert!(
        matches!(answer_err(&host, &local(&[])), SdpError::Unsupported(s) if s.contains("host name"))
    );
}

// ---------------------------------------------------------------- hold

#[test]
fn hold_sendonly_offer() {
    let (text, m) = answer(fixture!("asterisk_hold_offer.sdp"), &local(&[]));
    assert_eq!(m.direction, Direction::RecvOnly);
    assert_eq!(m.remote_direction, Direction::SendOnly);
    assert!(m.remote_on_hold);
    assert!(has(&text, "a=recvonly"));
    assert_strict_parser_accepts(&text);
}

#[test]
fn hold_inactive_and_recvonly_offers() {
    let inactive = format!("{HEAD}m=audio 5004 RTP/AVP 0\r\na=inactive\r\n");
    let (text, m) = answer(&inactive, &local(&[]));
    assert_eq!((m.direction, m.remote_on_hold), (Direction::Inactive, true));
    assert!(has(&text, "a=inactive"));

    let recvonly = format!("{HEAD}m=audio 5004 RTP/AVP 0\r\na=recvonly\r\n");
    let (text, m) = answer(&recvonly, &local(&[]));
    assert_eq!(
        (m.direction, m.remote_on_hold),
        (Direction::SendOnly, false)
    );
    assert!(has(&text, "a=sendonly"));
}

#[test]
fn hold_rfc2543_zero_address() {
    let offer = "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n\
         m=audio 5004 RTP/AVP 0\r\na=sendrecv\r\n";
    let (text, m) = answer(offer, &local(&[]));
    assert_eq!(m.remote_rtp, addr("0.0.0.0:5004"));
    assert!(m.remote_on_hold);
    assert_eq!(m.remote_direction, Direction::SendOnly);
    assert_eq!(
        m.direction,
        Direction::RecvOnly,
        "we cannot send to 0.0.0.0"
    );
    assert!(has(&text, "a=recvonly"));
    assert!(
        has(&text, "c=IN IP4 192.0.2.10"),
        "our own address stays real"
    );

    let (_, m) = answer(fixture!("opensips_placeholder_offer.sdp"), &local(&[]));
    assert!(m.remote_on_hold);
    assert_eq!(m.direction, Direction::RecvOnly);
}

#[test]
fn session_level_direction_and_media_override() {
    let session =
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=sendonly\r\n";
    let (_, m) = answer(&format!("{session}m=audio 5004 RTP/AVP 0\r\n"), &local(&[]));
    assert_eq!(m.direction, Direction::RecvOnly);
    let (_, m) = answer(
        &format!("{session}m=audio 5004 RTP/AVP 0\r\na=sendrecv\r\n"),
        &local(&[]),
    );
    assert_eq!(
        (m.direction, m.remote_on_hold),
        (Direction::SendRecv, false)
    );
}

#[test]
fn we_hold_while_answering() {
    let mut l = local(&[]);
    l.direction = Direction::SendOnly;
    let (text, m) = answer(fixture!("baresip_offer.sdp"), &l);
    assert_eq!(m.direction, Direction::SendOnly);
    assert!(has(&text, "a=sendonly"));
    let (text, m) = answer(fixture!("asterisk_hold_offer.sdp"), &l);
    assert_eq!(m.direction, Direction::Inactive);
    assert!(has(&text, "a=inactive"));
}

// ---------------------------------------------------------------- telephone-event, ptime

#[test]
fn telephone_event_selection() {
    let te = |extra: &str| {
        let offer = format!(
            "{HEAD}m=audio 5004 RTP/AVP {extra}\r\na=rtpmap:96 opus/48000/2\r\n\
            a=rtpmap:100 telephone-event/8000\r\na=rtpmap:101 telephone-event/48000\r\n\
            a=rtpmap:102 telephone-event/16000\r\n"
        );
        let (_, m) = answer(&offer, &local(&[]));
        (m.telephone_event_pt, m.telephone_event_clock_rate)
    };
    assert_eq!(te("96 100 101"), (Some(101), Some(48000)));
    assert_eq!(te("96 101 100"), (Some(101), Some(48000)));
    assert_eq!(te("96 100"), (Some(100), Some(8000)));
    assert_eq!(te("96 102"), (Some(102), Some(16000)), "else any");
    assert_eq!(
        te("96"),
        (None, None),
        "rtpmap without the PT in m= is not offered"
    );
    assert_eq!(
        te("0 101 100"),
        (Some(100), Some(8000)),
        "PCMU takes the 8 kHz one"
    );
}

#[test]
fn ptime_is_honoured() {
    let pcmu30 = format!("{HEAD}m=audio 5004 RTP/AVP 0\r\na=ptime:30\r\n");
    let (text, m) = answer(&pcmu30, &local(&[]));
    assert_eq!(m.ptime_ms, 30, "we send what the peer asked for");
    assert!(has(&text, "a=ptime:20"), "and ask for our own");

    let opus30 =
        format!("{HEAD}m=audio 5004 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\na=ptime:30\r\n");
    assert_eq!(
        answer(&opus30, &local(&[])).1.ptime_ms,
        20,
        "Opus cannot do 30 ms"
    );

    let mut l = local(&[]);
    l.ptime_ms = 40;
    let plain = format!("{HEAD}m=audio 5004 RTP/AVP 8\r\n");
    assert_eq!(answer(&plain, &l).1.ptime_ms, 40);
    let session_ptime = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
        a=ptime:60\r\nm=audio 5004 RTP/AVP 8\r\n";
    assert_eq!(answer(session_ptime, &l).1.ptime_ms, 60);
    let capped = format!("{HEAD}m=audio 5004 RTP/AVP 8\r\na=maxptime:20\r\n");
    assert_eq!(answer(&capped, &l).1.ptime_ms, 20);
}

// ---------------------------------------------------------------- our offer, their answer

#[test]
fn round_trip_between_two_sessions() {
    let alice_local = local(&[Codec::Opus, Codec::Pcmu, Codec::Pcma]);
    let mut bob_local = local(&[Codec::Pcma, Codec::Opus]);
    bob_local.address = "198.51.100.9".parse().unwrap();
    bob_local.port = 7000;
    let (mut alice, mut bob) = (SdpSession::new(), SdpSession::new());

    let offer = alice.create_offer(&alice_local);
    let (ans, at_bob) = bob.answer_offer(&offer, &bob_local).unwrap();
    let at_alice = alice.apply_answer(&alice_local, &ans).unwrap();
    assert_well_formed(&ans);
    assert_eq!((at_bob.codec, at_alice.codec), (Codec::Pcma, Codec::Pcma));
    assert_eq!((at_bob.payload_type, at_alice.payload_type), (8, 8));
    assert_eq!(at_alice.recv_payload_type, 8);
    assert_eq!(at_bob.remote_rtp, addr("192.0.2.10:40000"));
    assert_eq!(at_alice.remote_rtp, addr("198.51.100.9:7000"));
    assert_eq!(at_alice.telephone_event_pt, Some(101));
    assert_eq!(at_alice.recv_telephone_event_pt, Some(101));
    assert_eq!(
        (at_alice.direction, at_bob.direction),
        (Direction::SendRecv, Direction::SendRecv)
    );

    bob_local.codecs = vec![Codec::Opus];
    let (ans, at_bob) = bob
        .answer_offer(&alice.create_offer(&alice_local), &bob_local)
        .unwrap();
    let at_alice = alice.apply_answer(&alice_local, &ans).unwrap();
    assert_eq!((at_bob.payload_type, at_alice.payload_type), (111, 111));
    assert_eq!(at_bob.telephone_event_pt, Some(110));
    assert_eq!(
        (
            at_alice.telephone_event_pt,
            at_alice.recv_telephone_event_pt
        ),
        (Some(110), Some(110))
    );
    assert_eq!(at_alice.telephone_event_clock_rate, Some(48000));
}

#[test]
fn round_trip_hold_and_resume() {
    let mut alice_local = local(&[]);
    let bob_local = local(&[]);
    let (mut alice, mut bob) = (SdpSession::new(), SdpSession::new());

    alice_local.direction = Direction::SendOnly;
    let (ans, at_bob) = bob
        .answer_offer(&alice.create_offer(&alice_local), &bob_local)
        .unwrap();
    assert_eq!(
        (at_bob.direction, at_bob.remote_on_hold),
        (Direction::RecvOnly, true)
    );
    let at_alice = alice.apply_answer(&alice_local, &ans).unwrap();
    assert_eq!(at_alice.direction, Direction::SendOnly);
    assert_eq!(at_alice.remote_direction, Direction::RecvOnly);
    assert!(!at_alice.remote_on_hold);

    alice_local.direction = Direction::SendRecv;
    let (ans, at_bob) = bob
        .answer_offer(&alice.create_offer(&alice_local), &bob_local)
        .unwrap();
    assert_eq!(
        (at_bob.direction, at_bob.remote_on_hold),
        (Direction::SendRecv, false)
    );
    assert_eq!(
        alice.apply_answer(&alice_local, &ans).unwrap().direction,
        Direction::SendRecv
    );
}

#[test]
fn baresip_answer_to_our_offer() {
    let l = local(&[]);
    let m = apply(&l, fixture!("baresip_answer.sdp")).unwrap();
    assert_eq!(
        (m.codec, m.payload_type, m.recv_payload_type),
        (Codec::Opus, 111, 111)
    );
    assert_eq!(m.telephone_event_pt, Some(101));
    assert_eq!(m.recv_telephone_event_pt, Some(101));
    assert_eq!(m.telephone_event_clock_rate, Some(8000));
    assert_eq!(m.remote_rtp, addr("192.168.1.23:10004"));
    assert_eq!(m.direction, Direction::SendRecv);
}

#[test]
fn answer_checks() {
    let l = local(&[Codec::Opus, Codec::Pcmu]);
    let ans = |media: &str| apply(&l, &format!("{HEAD}{media}"));
    assert_eq!(
        ans("m=audio 0 RTP/AVP 111\r\n"),
        Err(SdpError::AudioRejected)
    );
    assert_eq!(
        ans("m=audio 6000 RTP/AVP 8\r\n"),
        Err(SdpError::NoCommonCodec),
        "PCMA was not offered"
    );
    assert_eq!(
        ans("m=audio 6000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n"),
        Err(SdpError::NoCommonCodec)
    );
    assert_eq!(apply(&l, HEAD), Err(SdpError::NoAudio));
    assert!(
        matches!(ans("m=video 6000 RTP/AVP 96\r\n"), Err(SdpError::Malformed(s)) if s.contains("we offered audio"))
    );
    assert!(
        matches!(ans("m=audio 6000 RTP/SAVP 0\r\n"), Err(SdpError::Malformed(s)) if s.contains("RTP/SAVP"))
    );

    // Our numbers reused without rtpmap.
    let m = ans("m=audio 6000 RTP/AVP 111 110\r\n").unwrap();
    assert_eq!((m.codec, m.payload_type), (Codec::Opus, 111));
    assert_eq!(
        (m.telephone_event_pt, m.telephone_event_clock_rate),
        (Some(110), Some(48000))
    );
    // Renumbered by the answerer: we send its number, it sends ours.
    let m = ans("m=audio 6000 RTP/AVP 96 97\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:97 telephone-event/48000\r\n")
        .unwrap();
    assert_eq!((m.payload_type, m.recv_payload_type), (96, 111));
    assert_eq!(
        (m.telephone_event_pt, m.recv_telephone_event_pt),
        (Some(97), Some(110))
    );
    // The answerer's order decides between codecs we both have.
    let m = ans("m=audio 6000 RTP/AVP 0 111\r\n").unwrap();
    assert_eq!(m.codec, Codec::Pcmu);
    // Inactive answer, and a=ptime in the answer.
    let m = ans("m=audio 6000 RTP/AVP 0\r\na=inactive\r\na=ptime:40\r\n").unwrap();
    assert_eq!(
        (m.direction, m.remote_on_hold, m.ptime_ms),
        (Direction::Inactive, true, 40)
    );
}

#[test]
fn answer_telephone_event_we_did_not_offer_is_ignored() {
    let l = local(&[Codec::Pcmu]);
    let text = format!("{HEAD}m=audio 6000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/48000\r\n");
    let m = apply(&l, &text).unwrap();
    assert_eq!(m.telephone_event_pt, None);
}

// ---------------------------------------------------------------- small types

#[test]
fn codec_names() {
    assert_eq!(
        serde_json::to_string(&Codec::ALL).unwrap(),
        r#"["opus","g722","pcmu","pcma"]"#
    );
    let c: Vec<Codec> = serde_json::from_str(r#"["pcma","opus"]"#).unwrap();
    assert_eq!(c, vec![Codec::Pcma, Codec::Opus]);
    assert!(serde_json::from_str::<Codec>(r#""g729""#).is_err());
    assert_eq!(Codec::Pcmu.to_string(), "PCMU");
    assert_eq!(Codec::Opus.to_string(), "opus");
    assert_eq!(" PCMA ".parse::<Codec>(), Ok(Codec::Pcma));
    assert_eq!("Opus".parse::<Codec>(), Ok(Codec::Opus));
    assert!("g729"
        .parse::<Codec>()
        .unwrap_err()
        .to_string()
        .contains("g729"));
}

#[test]
fn direction_algebra() {
    use Direction::*;
    assert_eq!(
        [SendRecv, SendOnly, RecvOnly, Inactive].map(Direction::reversed),
        [SendRecv, RecvOnly, SendOnly, Inactive]
    );
    assert!(SendOnly.sends() && !SendOnly.receives());
    assert!(RecvOnly.receives() && !RecvOnly.sends());
    assert_eq!(SendOnly.intersect(RecvOnly), Inactive);
    assert_eq!(SendRecv.intersect(RecvOnly), RecvOnly);
    assert_eq!(Direction::default(), SendRecv);
    assert_eq!(serde_json::to_string(&SendOnly).unwrap(), r#""sendonly""#);
    assert_eq!(Inactive.to_string(), "inactive");
}
