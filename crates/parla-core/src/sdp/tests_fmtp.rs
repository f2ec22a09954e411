//! Opus in-band FEC only for a peer that decodes it: its `a=fmtp` for the payload type we send
//! with says `useinbandfec=1` (RFC 7587 §6.1; absent means 0).

use super::tests::{self, fixture, local};
use super::*;

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\n";
const OPUS_96: &str = "m=audio 5004 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\n\
                       a=rtpmap:101 telephone-event/8000\r\n";

fn answer(offer: &str, codecs: &[Codec]) -> NegotiatedMedia {
    tests::answer(offer, &local(codecs)).1
}

/// FEC as negotiated when answering an offer of Opus on 96 with these extra lines.
fn offered_fec(lines: &str) -> bool {
    let m = answer(&format!("{HEAD}{OPUS_96}{lines}"), &[Codec::Opus]);
    assert_eq!((m.codec, m.payload_type), (Codec::Opus, 96));
    m.opus_inband_fec
}

/// The negotiated media from a peer's answer to our offer of every codec.
fn answered_sdp(text: &str) -> NegotiatedMedia {
    match tests::apply(&local(&[]), text) {
        Ok(m) => m,
        Err(e) => panic!("apply_answer failed: {e}\n{text}"),
    }
}

fn answered(media: &str) -> NegotiatedMedia {
    answered_sdp(&format!("{HEAD}{media}"))
}

#[test]
fn an_offer_with_useinbandfec_1_gets_fec() {
    assert!(offered_fec("a=fmtp:96 useinbandfec=1\r\n"));
    assert!(offered_fec(
        "a=fmtp:96 maxplaybackrate=48000; UseInBandFEC = 1 ;stereo=0\r\n"
    ));
    // Asterisk numbers Opus 107 and says useinbandfec=1 there.
    let m = answer(fixture!("asterisk_offer.sdp"), &[Codec::Opus]);
    assert_eq!((m.payload_type, m.opus_inband_fec), (107, true));
}

#[test]
fn an_offer_without_useinbandfec_1_gets_none() {
    for lines in [
        "",
        "a=fmtp:96 useinbandfec=0\r\n",
        "a=fmtp:96 stereo=1;sprop-stereo=1\r\n",
        "a=fmtp:101 useinbandfec=1\r\n",
        "a=fmtp:97 useinbandfec=1\r\n",
        "a=fmtp:96useinbandfec=1\r\n",
        "a=fmtp:96 useinbandfec\r\n",
        "a=fmtp:96 useinbandfec=yes;useinbandfec=1\r\n",
        "a=fmtp:96 useinbandfec=10\r\n",
        "a=fmtp:96 xuseinbandfec=1\r\n",
        "a=fmtp:96 useinbandfec:1\r\n",
        "a=fmtp:96\r\n",
        "a=fmtp: useinbandfec=1\r\n",
        "a=fmtp:96 useinbandfec=0\r\na=fmtp:96 useinbandfec=1\r\n",
    ] {
        assert!(!offered_fec(lines), "FEC from {lines:?}");
    }
    // baresip 1.0 does not ask for FEC.
    let m = answer(fixture!("baresip_offer.sdp"), &[Codec::Opus]);
    assert_eq!((m.codec, m.opus_inband_fec), (Codec::Opus, false));
}

#[test]
fn only_opus_carries_fec() {
    let m = answer(fixture!("asterisk_offer.sdp"), &[Codec::Pcma, Codec::Opus]);
    assert_eq!((m.codec, m.opus_inband_fec), (Codec::Pcma, false));
}

#[test]
fn an_answer_says_for_the_payload_type_we_send_with() {
    let m = answered("m=audio 6000 RTP/AVP 111\r\na=fmtp:111 useinbandfec=1\r\n");
    assert_eq!((m.payload_type, m.opus_inband_fec), (111, true));
    assert!(!answered("m=audio 6000 RTP/AVP 111\r\n").opus_inband_fec);
    let m = answered_sdp(fixture!("baresip_answer.sdp"));
    assert_eq!((m.codec, m.opus_inband_fec), (Codec::Opus, false));

    // Renumbered by the answerer: its number counts, not the 111 of our offer.
    let m = answered(
        "m=audio 6000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n",
    );
    assert_eq!((m.payload_type, m.opus_inband_fec), (96, true));
    let m = answered(
        "m=audio 6000 RTP/AVP 96 111\r\na=rtpmap:96 opus/48000/2\r\n\
         a=fmtp:96 useinbandfec=0\r\na=fmtp:111 useinbandfec=1\r\n",
    );
    assert_eq!((m.payload_type, m.opus_inband_fec), (96, false));
}

#[test]
fn two_parlas_send_each_other_fec() {
    let l = local(&[]);
    let (mut alice, mut bob) = (SdpSession::new(), SdpSession::new());
    let (ans, at_bob) = match bob.answer_offer(&alice.create_offer(&l), &l) {
        Ok(r) => r,
        Err(e) => panic!("answer_offer failed: {e}"),
    };
    let at_alice = alice.apply_answer(&l, &ans);
    assert_eq!(at_bob.codec, Codec::Opus);
    assert!(at_bob.opus_inband_fec);
    assert_eq!(at_alice.map(|m| m.opus_inband_fec), Ok(true));
}
