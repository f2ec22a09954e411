//! SDP text for our offers and answers: RFC 4566 line order, CRLF line ends.

use std::fmt::{self, Write};
use std::net::IpAddr;

use super::crypto::{self, SrtpMode};
use super::negotiate::{local_ptime, AnswerPlan};
use super::parse::Sdp;
use super::{
    Codec, LocalMedia, OPUS_FMTP, TELEPHONE_EVENT_48K_PT, TELEPHONE_EVENT_FMTP, TELEPHONE_EVENT_PT,
};

fn line(out: &mut String, args: fmt::Arguments<'_>) {
    // Writing into a String cannot fail.
    let _ = out.write_fmt(args);
    out.push_str("\r\n");
}

fn address_type(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    }
}

fn session_header(out: &mut String, session_id: u64, version: u64, ip: IpAddr) {
    let at = address_type(ip);
    line(out, format_args!("v=0"));
    line(out, format_args!("o=- {session_id} {version} IN {at} {ip}"));
    line(out, format_args!("s=-"));
    line(out, format_args!("c=IN {at} {ip}"));
    line(out, format_args!("t=0 0"));
}

fn codec_attributes(out: &mut String, pt: u8, codec: Codec) {
    match codec {
        Codec::Opus => {
            line(out, format_args!("a=rtpmap:{pt} opus/48000/2"));
            line(out, format_args!("a=fmtp:{pt} {OPUS_FMTP}"));
        }
        Codec::Pcmu | Codec::Pcma | Codec::G722 => line(
            out,
            format_args!(
                "a=rtpmap:{pt} {}/{}",
                codec.encoding_name(),
                codec.clock_rate()
            ),
        ),
    }
}

fn telephone_event_attributes(out: &mut String, pt: u8, clock_rate: u32) {
    line(
        out,
        format_args!("a=rtpmap:{pt} telephone-event/{clock_rate}"),
    );
    line(out, format_args!("a=fmtp:{pt} {TELEPHONE_EVENT_FMTP}"));
}

fn join(items: impl IntoIterator<Item = impl fmt::Display>) -> String {
    let mut s = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{item}");
    }
    s
}

pub(super) fn offer(session_id: u64, version: u64, local: &LocalMedia) -> String {
    let codecs = local.effective_codecs();
    let opus = codecs.contains(&Codec::Opus);
    let mut pts: Vec<u8> = codecs.iter().map(|c| c.offer_payload_type()).collect();
    pts.push(TELEPHONE_EVENT_PT);
    if opus {
        pts.push(TELEPHONE_EVENT_48K_PT);
    }
    // The first codec is the one we would like, so its ptime is the one we ask for.
    let ptime = local_ptime(
        codecs.first().copied().unwrap_or(Codec::Opus),
        local.ptime_ms,
    );

    let mut out = String::with_capacity(512);
    session_header(&mut out, session_id, version, local.address);
    let proto = if local.srtp.mode == SrtpMode::Mandatory {
        "RTP/SAVP"
    } else {
        "RTP/AVP"
    };
    line(
        &mut out,
        format_args!("m=audio {} {proto} {}", local.port, join(&pts)),
    );
    for &c in &codecs {
        codec_attributes(&mut out, c.offer_payload_type(), c);
    }
    telephone_event_attributes(&mut out, TELEPHONE_EVENT_PT, 8000);
    if opus {
        telephone_event_attributes(&mut out, TELEPHONE_EVENT_48K_PT, 48_000);
    }
    line(&mut out, format_args!("a=ptime:{ptime}"));
    line(&mut out, format_args!("a={}", local.direction));
    if local.srtp.mode.offers_keys() {
        for crypto in local.srtp.offer_lines() {
            line(&mut out, format_args!("a={crypto}"));
        }
    }
    out
}

/// One m= line per offered stream, in order (RFC 3264 §6): ours for the chosen stream,
/// port 0 with the offer's transport and formats for every other.
pub(super) fn answer(
    session_id: u64,
    version: u64,
    local: &LocalMedia,
    offer: &Sdp<'_>,
    plan: &AnswerPlan,
) -> String {
    let media = &plan.media;
    let mut out = String::with_capacity(512);
    session_header(&mut out, session_id, version, local.address);
    for (i, m) in offer.media.iter().enumerate() {
        if i != plan.index {
            let formats = if m.formats.is_empty() {
                "0".to_owned()
            } else {
                join(&m.formats)
            };
            line(
                &mut out,
                format_args!("m={} 0 {} {formats}", m.kind, m.proto),
            );
            continue;
        }
        let pts = join(std::iter::once(media.payload_type).chain(media.telephone_event_pt));
        line(
            &mut out,
            format_args!("m={} {} {} {pts}", m.kind, local.port, m.proto),
        );
        codec_attributes(&mut out, media.payload_type, media.codec);
        if let (Some(pt), Some(rate)) = (media.telephone_event_pt, media.telephone_event_clock_rate)
        {
            telephone_event_attributes(&mut out, pt, rate);
        }
        let ptime = local_ptime(media.codec, local.ptime_ms);
        line(&mut out, format_args!("a=ptime:{ptime}"));
        line(&mut out, format_args!("a={}", media.direction));
        if let Some(srtp) = &media.srtp {
            let crypto = crypto::attribute(srtp.tag, srtp.keys.suite, &srtp.keys.send);
            line(&mut out, format_args!("a={crypto}"));
        }
    }
    out
}
