//! Codec, telephone-event, direction and ptime choice for both sides of RFC 3264.

use std::net::{IpAddr, SocketAddr};

use super::crypto::{self, NegotiatedSrtp, SrtpMode};
use super::parse::{malformed, snippet, Media, RtpMap, Sdp};
use super::{
    Codec, Direction, LocalMedia, NegotiatedMedia, SdpError, TELEPHONE_EVENT_48K_PT,
    TELEPHONE_EVENT_PT,
};
use parla_media::SrtpKeys;

const TELEPHONE_EVENT: &str = "telephone-event";
const DEFAULT_PTIME_MS: u32 = 20;

/// What we accept from an offer: the stream at `index`, everything else is rejected.
#[derive(Debug)]
pub(super) struct AnswerPlan {
    pub(super) index: usize,
    pub(super) media: NegotiatedMedia,
}

fn codec_matches(codec: Codec, map: RtpMap<'_>) -> bool {
    map.name.eq_ignore_ascii_case(codec.encoding_name()) && map.clock_rate == codec.clock_rate()
}

fn is_telephone_event(map: RtpMap<'_>) -> bool {
    map.name.eq_ignore_ascii_case(TELEPHONE_EVENT)
}

/// Whether `ms` is a packetization the codec can produce.
fn ptime_valid(codec: Codec, ms: u32) -> bool {
    match codec {
        Codec::Opus => matches!(ms, 10 | 20 | 40 | 60),
        Codec::Pcmu | Codec::Pcma | Codec::G722 => {
            ms.is_multiple_of(10) && (10..=120).contains(&ms)
        }
    }
}

/// Our own ptime for `codec`: the configured one if the codec can do it, else 20.
pub(super) fn local_ptime(codec: Codec, configured: u32) -> u32 {
    if ptime_valid(codec, configured) {
        configured
    } else {
        DEFAULT_PTIME_MS
    }
}

/// What we send with: the peer's a=ptime if usable, else ours capped by its a=maxptime.
fn send_ptime(codec: Codec, ptime: Option<u32>, maxptime: Option<u32>, configured: u32) -> u32 {
    if let Some(p) = ptime.filter(|&p| ptime_valid(codec, p)) {
        return p;
    }
    let ours = local_ptime(codec, configured);
    match maxptime {
        Some(max) if ours > max => (1..=max)
            .rev()
            .find(|&p| ptime_valid(codec, p))
            .unwrap_or(ours),
        _ => ours,
    }
}

/// The telephone-event format listed in `m`, preferring one at `clock_rate`.
fn telephone_event<'a>(
    m: &Media<'a>,
    clock_rate: u32,
    lookup: impl Fn(u8) -> Option<RtpMap<'a>>,
) -> Option<(u8, u32)> {
    let events: Vec<(u8, u32)> = m
        .payload_types()
        .filter_map(|pt| {
            lookup(pt)
                .filter(|map| is_telephone_event(*map))
                .map(|map| (pt, map.clock_rate))
        })
        .collect();
    events
        .iter()
        .find(|(_, rate)| *rate == clock_rate)
        .or_else(|| events.first())
        .copied()
}

/// Whether the peer decodes the Opus in-band FEC we would send with payload type `pt`: its
/// `a=fmtp` says `useinbandfec=1` (RFC 7587 §6.1; absent means 0).
fn peer_takes_opus_fec(m: &Media<'_>, codec: Codec, pt: u8) -> bool {
    codec == Codec::Opus && m.fmtp_param(pt, "useinbandfec") == Some("1")
}

/// The peer's address and direction for stream `m`.
struct Remote {
    ip: IpAddr,
    direction: Direction,
    on_hold: bool,
}

fn remote(sdp: &Sdp<'_>, m: &Media<'_>) -> Result<Remote, SdpError> {
    let conn = m.connection.or(sdp.connection).ok_or_else(|| {
        malformed(
            m.line,
            "the audio stream has no c= line, at media or session level",
        )
    })?;
    let ip = conn.address()?;
    let declared = m.direction.or(sdp.direction).unwrap_or_default();
    // RFC 2543 hold: a peer at 0.0.0.0 cannot receive, whatever its attribute says.
    let direction = if ip.is_unspecified() {
        declared.intersect(Direction::SendOnly)
    } else {
        declared
    };
    let on_hold = ip.is_unspecified() || !declared.receives();
    Ok(Remote {
        ip,
        direction,
        on_hold,
    })
}

fn rtcp_address(m: &Media<'_>, rtp: SocketAddr) -> SocketAddr {
    match m.rtcp {
        Some((port, addr)) => SocketAddr::new(addr.unwrap_or(rtp.ip()), port),
        None => SocketAddr::new(rtp.ip(), rtp.port().checked_add(1).unwrap_or(rtp.port())),
    }
}

/// The SRTP an offer's stream gets from us: keys from its first usable `a=crypto` line,
/// unless the line's mode is off.
fn answer_srtp(m: &Media<'_>, local: &LocalMedia) -> Option<NegotiatedSrtp> {
    if local.srtp.mode == SrtpMode::Off {
        return None;
    }
    let (theirs, ours) = crypto::choose(&m.crypto, &local.srtp)?;
    Some(NegotiatedSrtp {
        tag: theirs.tag,
        keys: SrtpKeys {
            suite: theirs.suite,
            send: ours,
            recv: theirs.key,
        },
    })
}

/// RFC 3264 §6: the first audio stream over RTP (or SRTP, as the line's mode allows) that
/// carries one of our codecs, taking codecs in OUR preference order and keeping the
/// offerer's payload types.
pub(super) fn answer(sdp: &Sdp<'_>, local: &LocalMedia) -> Result<AnswerPlan, SdpError> {
    let prefs = local.effective_codecs();
    let mut saw_audio_rtp = false;
    let mut saw_srtp = false;
    let mut saw_plain_refused = false;
    let mut other_transport: Option<&str> = None;

    for (index, m) in sdp.media.iter().enumerate() {
        if !m.is_audio() || m.port == 0 {
            continue;
        }
        if !m.is_plain_rtp() && !m.is_srtp() {
            other_transport.get_or_insert(m.proto);
            continue;
        }
        let srtp = answer_srtp(m, local);
        if m.is_srtp() && srtp.is_none() {
            // Off, or no key we can use: RTP/SAVP cannot be answered in the clear.
            saw_srtp = true;
            continue;
        }
        if srtp.is_none() && local.srtp.mode == SrtpMode::Mandatory {
            saw_plain_refused = true;
            continue;
        }
        saw_audio_rtp = true;
        let chosen = prefs.iter().find_map(|&codec| {
            m.payload_types()
                .find(|&pt| m.rtpmap(pt).is_some_and(|map| codec_matches(codec, map)))
                .map(|pt| (codec, pt))
        });
        let Some((codec, pt)) = chosen else {
            continue;
        };

        let remote = remote(sdp, m)?;
        let te = telephone_event(m, codec.clock_rate(), |pt| m.rtpmap(pt));
        let remote_rtp = SocketAddr::new(remote.ip, m.port);
        let media = NegotiatedMedia {
            remote_rtp,
            remote_rtcp: rtcp_address(m, remote_rtp),
            codec,
            payload_type: pt,
            recv_payload_type: pt,
            clock_rate: codec.clock_rate(),
            channels: codec.channels(),
            telephone_event_pt: te.map(|(pt, _)| pt),
            recv_telephone_event_pt: te.map(|(pt, _)| pt),
            telephone_event_clock_rate: te.map(|(_, rate)| rate),
            ptime_ms: send_ptime(codec, m.ptime.or(sdp.ptime), m.maxptime, local.ptime_ms),
            direction: local.direction.intersect(remote.direction.reversed()),
            remote_direction: remote.direction,
            remote_on_hold: remote.on_hold,
            srtp,
            opus_inband_fec: peer_takes_opus_fec(m, codec, pt),
        };
        return Ok(AnswerPlan { index, media });
    }

    Err(if saw_audio_rtp {
        SdpError::NoCommonCodec
    } else if saw_plain_refused {
        SdpError::Unsupported("plain RTP offered; this line requires SRTP".to_owned())
    } else if saw_srtp {
        SdpError::Unsupported("only encrypted (SRTP) audio was offered".to_owned())
    } else if let Some(proto) = other_transport {
        SdpError::Unsupported(format!("audio over transport {}", snippet(proto)))
    } else {
        SdpError::NoAudio
    })
}

/// What our offer (built from `local`) said a payload type means, for answers that reuse
/// our numbers without repeating the rtpmap.
fn offered_rtpmap(offered: &[Codec], pt: u8) -> Option<RtpMap<'static>> {
    if let Some(c) = offered.iter().find(|c| c.offer_payload_type() == pt) {
        return Some(RtpMap {
            name: c.encoding_name(),
            clock_rate: c.clock_rate(),
        });
    }
    let clock_rate = match pt {
        TELEPHONE_EVENT_PT => 8000,
        TELEPHONE_EVENT_48K_PT if offered.contains(&Codec::Opus) => 48_000,
        _ => return None,
    };
    Some(RtpMap {
        name: TELEPHONE_EVENT,
        clock_rate,
    })
}

/// The payload type our offer gave telephone-event at `clock_rate`.
fn offered_telephone_event_pt(offered: &[Codec], clock_rate: u32) -> Option<u8> {
    match clock_rate {
        8000 => Some(TELEPHONE_EVENT_PT),
        48_000 if offered.contains(&Codec::Opus) => Some(TELEPHONE_EVENT_48K_PT),
        _ => None,
    }
}

/// Checks the answer to our single-stream offer and takes the answerer's first codec that
/// we offered (the answerer chooses; its list is in its preference order).
pub(super) fn apply_answer(sdp: &Sdp<'_>, local: &LocalMedia) -> Result<NegotiatedMedia, SdpError> {
    let m = sdp.media.first().ok_or(SdpError::NoAudio)?;
    if !m.is_audio() {
        return Err(malformed(
            m.line,
            format_args!(
                "the answer's first m= line is {}, we offered audio",
                snippet(m.kind)
            ),
        ));
    }
    if m.port == 0 {
        return Err(SdpError::AudioRejected);
    }
    let offered_savp = local.srtp.mode == SrtpMode::Mandatory;
    if !(m.is_plain_rtp() || offered_savp && m.is_srtp()) {
        return Err(malformed(
            m.line,
            format_args!(
                "the answer uses transport {}, we offered {}",
                snippet(m.proto),
                if offered_savp { "RTP/SAVP" } else { "RTP/AVP" }
            ),
        ));
    }
    let srtp = answered_srtp(m, local)?;

    let offered = local.effective_codecs();
    let lookup = |pt: u8| {
        m.explicit_rtpmap(pt)
            .or_else(|| offered_rtpmap(&offered, pt))
            .or_else(|| m.rtpmap(pt))
    };
    let (codec, pt) = m
        .payload_types()
        .find_map(|pt| {
            let map = lookup(pt)?;
            offered
                .iter()
                .find(|&&c| codec_matches(c, map))
                .map(|&c| (c, pt))
        })
        .ok_or(SdpError::NoCommonCodec)?;

    let te = telephone_event(m, codec.clock_rate(), |pt| {
        lookup(pt).filter(|map| offered_telephone_event_pt(&offered, map.clock_rate).is_some())
    });
    let remote = remote(sdp, m)?;
    let remote_rtp = SocketAddr::new(remote.ip, m.port);
    Ok(NegotiatedMedia {
        remote_rtp,
        remote_rtcp: rtcp_address(m, remote_rtp),
        codec,
        payload_type: pt,
        recv_payload_type: codec.offer_payload_type(),
        clock_rate: codec.clock_rate(),
        channels: codec.channels(),
        telephone_event_pt: te.map(|(pt, _)| pt),
        recv_telephone_event_pt: te
            .and_then(|(_, rate)| offered_telephone_event_pt(&offered, rate)),
        telephone_event_clock_rate: te.map(|(_, rate)| rate),
        ptime_ms: send_ptime(codec, m.ptime.or(sdp.ptime), m.maxptime, local.ptime_ms),
        direction: local.direction.intersect(remote.direction.reversed()),
        remote_direction: remote.direction,
        remote_on_hold: remote.on_hold,
        srtp,
        opus_inband_fec: peer_takes_opus_fec(m, codec, pt),
    })
}

/// The key the answer gives for one of the suites we offered (same tag, same suite).
fn answered_srtp(m: &Media<'_>, local: &LocalMedia) -> Result<Option<NegotiatedSrtp>, SdpError> {
    let mode = local.srtp.mode;
    if !mode.offers_keys() {
        return Ok(None);
    }
    let chosen = m.crypto.iter().find_map(|value| {
        let c = crypto::parse(value).ok()?;
        (local.srtp.offered_tag(c.suite) == Some(c.tag)).then_some(c)
    });
    match chosen {
        Some(c) => {
            let ours = local.srtp.key(c.suite).map(<[u8]>::to_vec);
            Ok(ours.map(|send| NegotiatedSrtp {
                tag: c.tag,
                keys: SrtpKeys {
                    suite: c.suite,
                    send,
                    recv: c.key,
                },
            }))
        }
        // The far end would encrypt with a key we cannot read.
        None if !m.crypto.is_empty() => Err(SdpError::Unsupported(
            "the answer's SRTP key does not match any we offered".to_owned(),
        )),
        None if mode == SrtpMode::Mandatory => Err(SdpError::Unsupported(
            "the answer is not encrypted; this line requires SRTP".to_owned(),
        )),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ptime_rules() {
        assert_eq!(send_ptime(Codec::Pcmu, Some(30), None, 20), 30);
        assert_eq!(send_ptime(Codec::Opus, Some(30), None, 20), 20);
        assert_eq!(send_ptime(Codec::Opus, None, None, 60), 60);
        assert_eq!(send_ptime(Codec::Opus, None, None, 0), 20);
        assert_eq!(send_ptime(Codec::Pcma, None, Some(15), 20), 10);
        assert_eq!(send_ptime(Codec::Opus, None, Some(5), 20), 20);
        assert_eq!(send_ptime(Codec::Pcma, None, Some(150), 40), 40);
    }

    #[test]
    fn offered_mapping() {
        let all = Codec::ALL;
        assert_eq!(offered_rtpmap(&all, 111).map(|m| m.name), Some("opus"));
        assert_eq!(
            offered_rtpmap(&all, 110).map(|m| m.clock_rate),
            Some(48_000)
        );
        assert_eq!(offered_rtpmap(&[Codec::Pcmu], 110), None);
        assert_eq!(offered_rtpmap(&[Codec::Pcmu], 8), None);
        assert_eq!(offered_telephone_event_pt(&[Codec::Pcmu], 48_000), None);
        assert_eq!(offered_telephone_event_pt(&[Codec::Pcmu], 8000), Some(101));
    }
}
