//! G.722: static payload type 9 with an 8000 Hz RTP clock (RFC 3551 §4.5.2), offered after Opus.

use super::tests::{assert_well_formed, local};
use super::*;

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\n";

fn m_line(sdp: &str) -> &str {
    sdp.split("\r\n")
        .find(|l| l.starts_with("m="))
        .unwrap_or_default()
}

fn has(sdp: &str, line: &str) -> bool {
    sdp.split("\r\n").any(|l| l == line)
}

fn answer(offer: &str, codecs: &[Codec]) -> (String, NegotiatedMedia) {
    match SdpSession::with_origin(5, 5).answer_offer(offer, &local(codecs)) {
        Ok(r) => r,
        Err(e) => panic!("answer_offer failed: {e}\n{offer}"),
    }
}

#[test]
fn names_and_numbers() {
    assert_eq!(Codec::G722.encoding_name(), "G722");
    assert_eq!(Codec::G722.clock_rate(), 8000);
    assert_eq!(Codec::G722.channels(), 1);
    assert_eq!(Codec::G722.static_payload_type(), Some(9));
    assert_eq!("g722".parse::<Codec>(), Ok(Codec::G722));
    assert_eq!("G722".parse::<Codec>(), Ok(Codec::G722));
    assert_eq!(
        serde_json::to_string(&Codec::G722).ok().as_deref(),
        Some("\"g722\"")
    );
    assert_eq!(
        Codec::ALL,
        [Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma]
    );
}

#[test]
fn offers_list_g722_on_pt_9_in_the_configured_place() {
    let offer = SdpSession::new().create_offer(&local(&[]));
    assert_eq!(m_line(&offer), "m=audio 40000 RTP/AVP 111 9 0 8 101 110");
    assert!(has(&offer, "a=rtpmap:9 G722/8000"), "{offer}");
    assert!(!offer.contains("G722/16000"));
    assert_well_formed(&offer);

    let offer = SdpSession::new().create_offer(&local(&[Codec::Pcma, Codec::G722]));
    assert_eq!(m_line(&offer), "m=audio 40000 RTP/AVP 8 9 101");
    assert!(has(&offer, "a=rtpmap:9 G722/8000"));
    assert!(!offer.contains("/48000"), "no Opus, no 48 kHz events");

    let offer = SdpSession::new().create_offer(&local(&[Codec::G722]));
    assert_eq!(m_line(&offer), "m=audio 40000 RTP/AVP 9 101");
    assert!(has(&offer, "a=ptime:20"));
}

#[test]
fn an_offer_that_prefers_g722_gets_it() {
    let offer = format!(
        "{HEAD}m=audio 7078 RTP/AVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n"
    );
    let (text, m) = answer(&offer, &[]);
    assert_eq!(
        (m.codec, m.payload_type, m.clock_rate),
        (Codec::G722, 9, 8000)
    );
    assert_eq!(m.channels, 1);
    assert_eq!(m.telephone_event_pt, Some(101));
    assert_eq!(m.telephone_event_clock_rate, Some(8000));
    assert_eq!(m_line(&text), "m=audio 40000 RTP/AVP 9 101");
    assert!(has(&text, "a=rtpmap:9 G722/8000"), "{text}");
    assert_well_formed(&text);

    // Static payload type: no rtpmap needed.
    let (_, m) = answer(&format!("{HEAD}m=audio 7078 RTP/AVP 9 0\r\n"), &[]);
    assert_eq!(m.codec, Codec::G722);
}

#[test]
fn our_preference_order_decides_between_offered_codecs() {
    let offer = format!("{HEAD}m=audio 7078 RTP/AVP 0 9 111\r\na=rtpmap:111 opus/48000/2\r\n");
    assert_eq!(answer(&offer, &[]).1.codec, Codec::Opus);
    let offer = format!("{HEAD}m=audio 7078 RTP/AVP 0 8 9\r\n");
    assert_eq!(
        answer(&offer, &[]).1.codec,
        Codec::G722,
        "G.722 before G.711"
    );
    assert_eq!(
        answer(&offer, &[Codec::Pcmu, Codec::G722]).1.codec,
        Codec::Pcmu
    );
    let offer = format!("{HEAD}m=audio 7078 RTP/AVP 9\r\n");
    let err = SdpSession::new()
        .answer_offer(&offer, &local(&[Codec::Pcmu]))
        .expect_err("G.722 not configured");
    assert_eq!(err, SdpError::NoCommonCodec);
}

#[test]
fn g722_at_16000_is_not_taken_for_g722() {
    // Some old phones write the audio rate; their timestamps would then count at 16 kHz too,
    // which we do not do. Prefer a codec whose clock we agree on.
    let offer = format!(
        "{HEAD}m=audio 7078 RTP/AVP 96 0\r\na=rtpmap:96 G722/16000\r\na=rtpmap:0 PCMU/8000\r\n"
    );
    let (text, m) = answer(&offer, &[]);
    assert_eq!((m.codec, m.payload_type), (Codec::Pcmu, 0));
    assert!(!text.contains("G722"));
}

#[test]
fn answers_to_our_offer_with_g722() {
    let ours = local(&[Codec::Opus, Codec::G722, Codec::Pcmu]);
    let text = format!("{HEAD}m=audio 6000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n");
    let m = SdpSession::new()
        .apply_answer(&ours, &text)
        .expect("G722 answer");
    assert_eq!(
        (m.codec, m.payload_type, m.clock_rate),
        (Codec::G722, 9, 8000)
    );
    assert_eq!(
        m.ptime_ms, 30,
        "any multiple of 10 ms up to 120 ms is sendable"
    );
    // The answer may leave out the rtpmap of a static payload type.
    let bare = format!("{HEAD}m=audio 6000 RTP/AVP 9\r\n");
    let m = SdpSession::new()
        .apply_answer(&ours, &bare)
        .expect("bare G722 answer");
    assert_eq!(m.codec, Codec::G722);
    // ...but not name a codec we did not offer.
    let unoffered = local(&[Codec::Pcmu]);
    assert!(SdpSession::new().apply_answer(&unoffered, &bare).is_err());
}
