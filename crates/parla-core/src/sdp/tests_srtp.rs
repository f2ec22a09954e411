//! SRTP with SDES keys in offer/answer: what each line mode offers, answers and refuses.

use super::tests::{assert_well_formed, local};
use super::*;
use parla_media::SrtpSuite;

const KEY30: &str = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

fn with(mode: SrtpMode) -> LocalMedia {
    LocalMedia {
        srtp: LocalSrtp::generate(mode),
        ..local(&[Codec::Pcmu])
    }
}

/// baresip 1.0.0 with `mediaenc=srtp-mand`: RTP/SAVP, its suites in its order.
fn offer(proto: &str, crypto: &str) -> String {
    format!(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio 10000 {proto} 0 101\r\na=rtpmap:101 telephone-event/8000\r\n{crypto}a=sendrecv\r\n"
    )
}

fn crypto_lines(sdp: &str) -> Vec<&str> {
    sdp.split("\r\n")
        .filter(|l| l.starts_with("a=crypto:"))
        .collect()
}

#[test]
fn offers_follow_the_mode() {
    for (mode, proto, keys) in [
        (SrtpMode::Off, "RTP/AVP", 0),
        (SrtpMode::Accept, "RTP/AVP", 0),
        (SrtpMode::BestEffort, "RTP/AVP", 2),
        (SrtpMode::Mandatory, "RTP/SAVP", 2),
    ] {
        let sdp = SdpSession::new().create_offer(&with(mode));
        assert_well_formed(&sdp);
        assert!(
            sdp.contains(&format!("m=audio 40000 {proto} ")),
            "{mode:?}\n{sdp}"
        );
        let lines = crypto_lines(&sdp);
        assert_eq!(lines.len(), keys, "{mode:?}");
        if keys == 2 {
            assert!(lines[0].starts_with("a=crypto:1 AEAD_AES_128_GCM inline:"));
            assert!(lines[1].starts_with("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"));
        }
    }
}

#[test]
fn an_encrypted_offer_is_answered_encrypted_with_our_own_key() {
    let gcm = "a=crypto:7 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==\r\n";
    let unknown =
        "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
    for (mode, proto) in [
        (SrtpMode::Accept, "RTP/SAVP"),
        (SrtpMode::BestEffort, "RTP/AVP"),
        (SrtpMode::Mandatory, "RTP/SAVP"),
    ] {
        let local = with(mode);
        let (text, media) = SdpSession::new()
            .answer_offer(&offer(proto, &format!("{unknown}{gcm}")), &local)
            .unwrap();
        assert_well_formed(&text);
        let srtp = media.srtp.expect("encrypted");
        assert_eq!((srtp.tag, srtp.keys.suite), (7, SrtpSuite::AeadAes128Gcm));
        assert_eq!(srtp.keys.recv, (0..28).collect::<Vec<u8>>());
        assert_eq!(
            Some(srtp.keys.send.as_slice()),
            local.srtp.key(SrtpSuite::AeadAes128Gcm)
        );
        assert!(
            text.contains(&format!("m=audio 40000 {proto} 0 101")),
            "{text}"
        );
        let lines = crypto_lines(&text);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("a=crypto:7 AEAD_AES_128_GCM inline:"));
    }
}

#[test]
fn refusals_are_488() {
    let savp = offer(
        "RTP/SAVP",
        &format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}\r\n"),
    );
    let off = SdpSession::new().answer_offer(&savp, &with(SrtpMode::Off));
    assert_eq!(off.map(|_| ()).map_err(|e| e.sip_status()), Err(488));
    // SAVP whose only key is unusable.
    let bad = offer(
        "RTP/SAVP",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n",
    );
    let e = SdpSession::new().answer_offer(&bad, &with(SrtpMode::BestEffort));
    assert_eq!(e.map(|_| ()).map_err(|e| e.sip_status()), Err(488));
    // A plain offer on a required line.
    let plain = offer("RTP/AVP", "");
    let e = SdpSession::new()
        .answer_offer(&plain, &with(SrtpMode::Mandatory))
        .unwrap_err();
    assert_eq!(e.sip_status(), 488);
    assert!(e.to_string().contains("requires SRTP"), "{e}");
    // When offered: a plain offer stays plain; Off ignores keys in RTP/AVP.
    let (_, media) = SdpSession::new()
        .answer_offer(&plain, &with(SrtpMode::BestEffort))
        .unwrap();
    assert!(media.srtp.is_none());
    let avp_keys = offer(
        "RTP/AVP",
        &format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}\r\n"),
    );
    let (text, media) = SdpSession::new()
        .answer_offer(&avp_keys, &with(SrtpMode::Off))
        .unwrap();
    assert!(media.srtp.is_none() && crypto_lines(&text).is_empty());
}

#[test]
fn answers_to_our_offer() {
    let key = |mode| with(mode);
    let answer = |proto: &str, crypto: &str| offer(proto, crypto).replace("o=- 1 2", "o=- 3 4");
    let ours = key(SrtpMode::BestEffort);
    let good = format!("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}\r\n");
    let media = SdpSession::new()
        .apply_answer(&ours, &answer("RTP/AVP", &good))
        .unwrap();
    let srtp = media.srtp.expect("encrypted");
    assert_eq!(srtp.keys.suite, SrtpSuite::AesCm128HmacSha1_80);
    assert_eq!(
        Some(srtp.keys.send.as_slice()),
        ours.srtp.key(srtp.keys.suite)
    );
    // Plain answer to best effort: plain.
    let media = SdpSession::new()
        .apply_answer(&ours, &answer("RTP/AVP", ""))
        .unwrap();
    assert!(media.srtp.is_none());
    // A tag we did not give that suite: unusable.
    let wrong_tag = format!("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}\r\n");
    assert!(SdpSession::new()
        .apply_answer(&ours, &answer("RTP/AVP", &wrong_tag))
        .is_err());
    // Required: SAVP with a key is fine, a plain answer is refused.
    let required = key(SrtpMode::Mandatory);
    let media = SdpSession::new()
        .apply_answer(&required, &answer("RTP/SAVP", &good))
        .unwrap();
    assert!(media.srtp.is_some());
    let e = SdpSession::new()
        .apply_answer(&required, &answer("RTP/AVP", ""))
        .unwrap_err();
    assert!(e.to_string().contains("requires SRTP"), "{e}");
    // SAVP answer to a plain offer.
    assert!(SdpSession::new()
        .apply_answer(&key(SrtpMode::Accept), &answer("RTP/SAVP", &good))
        .is_err());
}
