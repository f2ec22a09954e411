//! A lenient SDP reader: it checks the lines offer/answer relies on and skips the rest.
//!
//! Accepted: CRLF, LF or CR line ends, blank lines, surrounding whitespace, unknown line
//! types and attributes, any m= transport. Rejected with a line number: a body over
//! [`MAX_SDP_BYTES`], a first line other than `v=0`, no `o=`, an o= without its six fields, a line not
//! of the form `<letter>=<value>`, an m= line without media/port/transport, a port over 65535, more
//! than [`MAX_MEDIA_LINES`] m= lines, and an audio RTP payload type that is not 0-127.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use super::{Direction, SdpError, MAX_MEDIA_LINES, MAX_SDP_BYTES};

/// Most `a=fmtp` lines kept per m= section; the rest are ignored.
pub(super) const MAX_FMTP_LINES: usize = 32;

#[derive(Debug)]
pub(super) struct Sdp<'a> {
    /// Session-level c=.
    pub(super) connection: Option<Connection<'a>>,
    /// Session-level direction attribute.
    pub(super) direction: Option<Direction>,
    /// Session-level a=ptime (not standard, but seen in the wild).
    pub(super) ptime: Option<u32>,
    pub(super) media: Vec<Media<'a>>,
}

/// A c= line, resolved only when its stream is used.
#[derive(Debug, Clone, Copy)]
pub(super) struct Connection<'a> {
    line: usize,
    value: &'a str,
}

impl Connection<'_> {
    /// `IN IP4 <addr>[/ttl[/count]]` or `IN IP6 <addr>`. Host names are valid SDP but
    /// would need a DNS lookup here; no SIP peer we know of sends them.
    pub(super) fn address(&self) -> Result<IpAddr, SdpError> {
        let mut fields = self.value.split_whitespace();
        let (Some(net), Some(_addr_type), Some(addr)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed(
                self.line,
                format_args!(
                    "c= needs \"IN IP4|IP6 <address>\", got {}",
                    snippet(self.value)
                ),
            ));
        };
        if !net.eq_ignore_ascii_case("IN") {
            return Err(SdpError::Unsupported(format!(
                "line {}: c= network type {} (only IN)",
                self.line,
                snippet(net)
            )));
        }
        let bare = addr.split('/').next().unwrap_or(addr);
        let bare = bare
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .unwrap_or(bare);
        bare.parse::<IpAddr>().map_err(|_| {
            SdpError::Unsupported(format!(
                "line {}: c= address {} is not an IP address (host names are not supported)",
                self.line,
                snippet(addr)
            ))
        })
    }
}

/// An `a=rtpmap`, or the RFC 3551 static mapping of a payload type without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RtpMap<'a> {
    pub(super) name: &'a str,
    pub(super) clock_rate: u32,
}

#[derive(Debug)]
pub(super) struct Media<'a> {
    /// Line number of the m= line.
    pub(super) line: usize,
    pub(super) kind: &'a str,
    pub(super) port: u16,
    pub(super) proto: &'a str,
    /// The format tokens as written, echoed when we reject the stream.
    pub(super) formats: Vec<&'a str>,
    /// Payload types, for audio streams over an RTP transport only.
    payload_types: Vec<u8>,
    pub(super) connection: Option<Connection<'a>>,
    pub(super) direction: Option<Direction>,
    pub(super) ptime: Option<u32>,
    pub(super) maxptime: Option<u32>,
    /// `a=rtcp:<port> [IN IP4 <addr>]`.
    pub(super) rtcp: Option<(u16, Option<IpAddr>)>,
    rtpmaps: HashMap<u8, RtpMap<'a>>,
    /// The `a=fmtp` parameters of payload types on the m= line, at most [`MAX_FMTP_LINES`].
    fmtps: HashMap<u8, &'a str>,
    /// The `a=crypto` values (SDES keys), at most [`super::crypto::MAX_CRYPTO_LINES`].
    pub(super) crypto: Vec<&'a str>,
}

impl<'a> Media<'a> {
    pub(super) fn is_audio(&self) -> bool {
        self.kind.eq_ignore_ascii_case("audio")
    }

    /// Plain, unencrypted RTP: the only transport we speak.
    pub(super) fn is_plain_rtp(&self) -> bool {
        self.proto.eq_ignore_ascii_case("RTP/AVP") || self.proto.eq_ignore_ascii_case("RTP/AVPF")
    }

    pub(super) fn is_srtp(&self) -> bool {
        self.proto.to_ascii_uppercase().contains("SAVP")
    }

    pub(super) fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.payload_types.iter().copied()
    }

    /// The explicit rtpmap, else the static one for PCMU, PCMA and G722.
    pub(super) fn rtpmap(&self, pt: u8) -> Option<RtpMap<'a>> {
        self.rtpmaps.get(&pt).copied().or_else(|| static_rtpmap(pt))
    }

    /// The explicit rtpmap only.
    pub(super) fn explicit_rtpmap(&self, pt: u8) -> Option<RtpMap<'a>> {
        self.rtpmaps.get(&pt).copied()
    }

    /// The value of format parameter `name` (any case) in the `a=fmtp` for `pt`, if given.
    pub(super) fn fmtp_param(&self, pt: u8, name: &str) -> Option<&'a str> {
        let params = self.fmtps.get(&pt)?;
        params
            .split(';')
            .filter_map(|p| p.split_once('='))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Keeps the first `a=fmtp` of a payload type listed on the m= line, up to the cap.
    fn add_fmtp(&mut self, value: &'a str) {
        let Some((pt, params)) = parse_fmtp(value) else {
            return;
        };
        if self.fmtps.len() < MAX_FMTP_LINES && self.payload_types.contains(&pt) {
            self.fmtps.entry(pt).or_insert(params);
        }
    }
}

fn static_rtpmap(pt: u8) -> Option<RtpMap<'static>> {
    let name = match pt {
        0 => "PCMU",
        8 => "PCMA",
        9 => "G722",
        _ => return None,
    };
    Some(RtpMap {
        name,
        clock_rate: 8000,
    })
}

pub(super) fn malformed(line: usize, what: impl fmt::Display) -> SdpError {
    SdpError::Malformed(format!("line {line}: {what}"))
}

/// Untrusted text for an error message: at most 40 characters, quoted and escaped.
pub(super) fn snippet(s: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().nth(MAX).is_some() {
        out.push_str("...");
    }
    format!("{out:?}")
}

pub(super) fn parse(text: &str) -> Result<Sdp<'_>, SdpError> {
    if text.len() > MAX_SDP_BYTES {
        return Err(SdpError::Malformed(format!(
            "the SDP is {} bytes, over the {MAX_SDP_BYTES} byte limit",
            text.len()
        )));
    }
    let mut sdp = Sdp {
        connection: None,
        direction: None,
        ptime: None,
        media: Vec::new(),
    };
    let mut seen_version = false;
    let mut seen_origin = false;

    let lines = text
        .split('\n')
        .enumerate()
        .flat_map(|(i, l)| l.split('\r').map(move |part| (i + 1, part.trim())))
        .filter(|(_, l)| !l.is_empty());

    for (n, line) in lines {
        let (kind, value) = split_line(n, line)?;
        if !seen_version {
            if kind != 'v' || value != "0" {
                return Err(malformed(
                    n,
                    format_args!("an SDP starts with v=0, found {}", snippet(line)),
                ));
            }
            seen_version = true;
            continue;
        }
        match kind {
            'o' if sdp.media.is_empty() => {
                if value.split_whitespace().count() < 6 {
                    return Err(malformed(
                        n,
                        format_args!(
                            "o= needs <user> <session-id> <version> IN <IP4|IP6> <address>, found {}",
                            snippet(value)
                        ),
                    ));
                }
                seen_origin = true;
            }
            'c' => {
                let conn = Some(Connection { line: n, value });
                match sdp.media.last_mut() {
                    Some(m) => m.connection = conn,
                    None => sdp.connection = conn,
                }
            }
            'm' => {
                if sdp.media.len() >= MAX_MEDIA_LINES {
                    return Err(malformed(
                        n,
                        format_args!("more than {MAX_MEDIA_LINES} m= lines"),
                    ));
                }
                sdp.media.push(parse_media(n, value)?);
            }
            'a' => match sdp.media.last_mut() {
                Some(m) => media_attribute(m, value),
                None => session_attribute(&mut sdp, value),
            },
            _ => {}
        }
    }

    if !seen_version {
        return Err(SdpError::Malformed("empty SDP".to_owned()));
    }
    if !seen_origin {
        return Err(SdpError::Malformed("no o= line".to_owned()));
    }
    Ok(sdp)
}

fn split_line(n: usize, line: &str) -> Result<(char, &str), SdpError> {
    let bytes = line.as_bytes();
    match (bytes.first(), bytes.get(1), line.get(2..)) {
        (Some(&k), Some(b'='), Some(value)) if k.is_ascii_alphabetic() => {
            Ok((char::from(k), value.trim()))
        }
        _ => Err(malformed(
            n,
            format_args!("expected <type>=<value>, found {}", snippet(line)),
        )),
    }
}

fn parse_media(n: usize, value: &str) -> Result<Media<'_>, SdpError> {
    let mut fields = value.split_whitespace();
    let (Some(kind), Some(port), Some(proto)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(malformed(
            n,
            format_args!(
                "m= needs <media> <port> <transport> <formats>, found {}",
                snippet(value)
            ),
        ));
    };
    // A port count ("49170/2") asks for consecutive ports; we only use the first.
    let port_digits = port.split('/').next().unwrap_or(port);
    let port = port_digits.parse::<u16>().map_err(|_| {
        malformed(
            n,
            format_args!("m= port {} is not a number 0-65535", snippet(port)),
        )
    })?;
    let formats: Vec<&str> = fields.collect();

    let mut media = Media {
        line: n,
        kind,
        port,
        proto,
        formats,
        payload_types: Vec::new(),
        connection: None,
        direction: None,
        ptime: None,
        maxptime: None,
        rtcp: None,
        rtpmaps: HashMap::new(),
        fmtps: HashMap::new(),
        crypto: Vec::new(),
    };
    if media.is_audio() && proto.to_ascii_uppercase().contains("RTP/") {
        media.payload_types = media
            .formats
            .iter()
            .map(|f| {
                parse_payload_type(f).ok_or_else(|| {
                    malformed(
                        n,
                        format_args!("payload type {} is not a number 0-127", snippet(f)),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(media)
}

fn parse_payload_type(s: &str) -> Option<u8> {
    s.parse::<u8>().ok().filter(|&pt| pt <= 127)
}

/// Splits `name[:value]`.
fn attribute(value: &str) -> (&str, &str) {
    match value.split_once(':') {
        Some((name, v)) => (name.trim(), v.trim()),
        None => (value.trim(), ""),
    }
}

fn session_attribute(sdp: &mut Sdp<'_>, value: &str) {
    let (name, value) = attribute(value);
    if let Some(d) = Direction::from_attribute(name) {
        sdp.direction = Some(d);
    } else if name.eq_ignore_ascii_case("ptime") {
        sdp.ptime = parse_ms(value);
    }
}

fn media_attribute<'a>(m: &mut Media<'a>, value: &'a str) {
    let (name, value) = attribute(value);
    if let Some(d) = Direction::from_attribute(name) {
        m.direction = Some(d);
    } else if name.eq_ignore_ascii_case("rtpmap") {
        if let Some((pt, map)) = parse_rtpmap(value) {
            // A repeated rtpmap for one payload type is an error by the sender; keep the first.
            m.rtpmaps.entry(pt).or_insert(map);
        }
    } else if name.eq_ignore_ascii_case("fmtp") {
        m.add_fmtp(value);
    } else if name.eq_ignore_ascii_case("ptime") {
        m.ptime = parse_ms(value);
    } else if name.eq_ignore_ascii_case("maxptime") {
        m.maxptime = parse_ms(value);
    } else if name.eq_ignore_ascii_case("rtcp") {
        m.rtcp = parse_rtcp(value);
    } else if name.eq_ignore_ascii_case("crypto")
        && m.crypto.len() < super::crypto::MAX_CRYPTO_LINES
    {
        m.crypto.push(value);
    }
}

/// `<pt> <name>/<rate>[/<channels>]`.
fn parse_rtpmap(value: &str) -> Option<(u8, RtpMap<'_>)> {
    let mut fields = value.split_whitespace();
    let pt = parse_payload_type(fields.next()?)?;
    let mut parts = fields.next()?.split('/');
    let name = parts.next().filter(|n| !n.is_empty())?;
    let clock_rate = parts.next()?.parse::<u32>().ok().filter(|&r| r > 0)?;
    Some((pt, RtpMap { name, clock_rate }))
}

/// `<pt> <format parameters>`.
fn parse_fmtp(value: &str) -> Option<(u8, &str)> {
    let (pt, params) = value.split_once(|c: char| c.is_ascii_whitespace())?;
    Some((parse_payload_type(pt)?, params.trim()))
}

/// Milliseconds, whole or with a fraction ("20", "20.0"); absurd values are ignored.
fn parse_ms(value: &str) -> Option<u32> {
    let whole = value.split('.').next().unwrap_or(value);
    whole
        .parse::<u32>()
        .ok()
        .filter(|ms| (1..=1000).contains(ms))
}

/// `<port> [IN IP4 <addr>]` (RFC 3605).
fn parse_rtcp(value: &str) -> Option<(u16, Option<IpAddr>)> {
    let mut fields = value.split_whitespace();
    let port = fields.next()?.parse::<u16>().ok().filter(|&p| p != 0)?;
    // Skip the network and address types.
    let addr = fields.nth(2).and_then(|a| a.parse::<IpAddr>().ok());
    Some((port, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Sdp<'_> {
        match parse(text) {
            Ok(s) => s,
            Err(e) => panic!("parse failed: {e}\n{text}"),
        }
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("parse should fail:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    const MIN: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";

    #[test]
    fn minimal_without_media() {
        let s = ok(MIN);
        assert!(s.media.is_empty());
        assert!(s.connection.is_some());
    }

    #[test]
    fn mixed_line_endings_and_whitespace() {
        let text = "  v=0 \no=- 1 1 IN IP4 10.0.0.1\r\rs=-\r\n\r\n\tc=IN IP4   10.0.0.1  \n\
                    t=0 0\rm=audio   4000  RTP/AVP  0   8 \r\na=rtpmap: 8  PCMA/8000 \n";
        let s = ok(text);
        assert_eq!(s.media.len(), 1);
        let m = &s.media[0];
        assert_eq!((m.kind, m.port, m.proto), ("audio", 4000, "RTP/AVP"));
        assert_eq!(m.payload_types().collect::<Vec<_>>(), vec![0, 8]);
        assert_eq!(m.explicit_rtpmap(8).map(|r| r.name), Some("PCMA"));
        let ip = s.connection.map(|c| c.address());
        assert_eq!(ip, Some(Ok("10.0.0.1".parse().unwrap())));
    }

    #[test]
    fn line_numbers_in_errors() {
        let e = err("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nthis is not sdp\r\n");
        assert!(e.contains("line 3") && e.contains("<type>=<value>"), "{e}");
        let e = err(&format!("{MIN}m=audio 70000 RTP/AVP 0\r\n"));
        assert!(e.contains("line 6") && e.contains("0-65535"), "{e}");
        let e = err(&format!("{MIN}m=audio 4000 RTP/AVP 0 200\r\n"));
        assert!(e.contains("\"200\"") && e.contains("0-127"), "{e}");
        let e = err(&format!("{MIN}m=audio 4000\r\n"));
        assert!(e.contains("m= needs"), "{e}");
    }

    #[test]
    fn must_start_with_v0_and_have_origin() {
        assert!(err("o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n").contains("starts with v=0"));
        assert!(err("v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\n").contains("starts with v=0"));
        assert!(err("v=0\r\ns=-\r\n").contains("no o= line"));
        assert!(err("v=0\r\no=- 1 1\r\n").contains("o= needs"));
        assert!(err("").contains("empty"));
        assert!(err(" \r\n\r\n").contains("empty"));
    }

    #[test]
    fn non_audio_formats_are_not_checked() {
        let text = format!(
            "{MIN}m=application 5070 UDP/BFCP *\r\nm=message 9 TCP/MSRP *\r\n\
             m=video 9 RTP/AVP 96 abc\r\nm=image 0 udptl t38\r\n"
        );
        let s = ok(&text);
        assert_eq!(s.media.len(), 4);
        assert_eq!(s.media[0].formats, vec!["*"]);
        assert_eq!(s.media[0].payload_types().count(), 0);
    }

    #[test]
    fn connection_forms() {
        let conn = |v| Connection { line: 1, value: v }.address();
        assert_eq!(
            conn("IN IP6 2001:db8::1"),
            Ok("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            conn("IN IP6 [2001:db8::1]"),
            Ok("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            conn("IN IP4 224.2.1.1/127/3"),
            Ok("224.2.1.1".parse().unwrap())
        );
        assert_eq!(conn("in ip4 0.0.0.0"), Ok("0.0.0.0".parse().unwrap()));
        assert!(
            matches!(conn("IN IP4 pbx.example.com"), Err(SdpError::Unsupported(m)) if m.contains("host name"))
        );
        assert!(matches!(conn("IN IP4"), Err(SdpError::Malformed(_))));
        assert!(matches!(
            conn("ATM NSAP 47.0005"),
            Err(SdpError::Unsupported(_))
        ));
    }

    #[test]
    fn attributes() {
        let text = format!(
            "{MIN}a=sendonly\r\na=ptime:30\r\nm=audio 4000 RTP/AVP 0 96 97\r\n\
             a=rtpmap:96 opus/48000/2\r\na=rtpmap:96 speex/8000\r\na=rtpmap:97 telephone-event\r\n\
             a=rtpmap:300 x/8000\r\na=ptime:20.5\r\na=maxptime:99999\r\na=rtcp:4001 IN IP4 10.0.0.9\r\n\
             a=INACTIVE\r\na=x-unknown:whatever:with:colons\r\n"
        );
        let s = ok(&text);
        assert_eq!(s.direction, Some(Direction::SendOnly));
        assert_eq!(s.ptime, Some(30));
        let m = &s.media[0];
        assert_eq!(m.direction, Some(Direction::Inactive));
        assert_eq!(m.ptime, Some(20));
        assert_eq!(m.maxptime, None);
        assert_eq!(m.rtcp, Some((4001, Some("10.0.0.9".parse().unwrap()))));
        let opus = RtpMap {
            name: "opus",
            clock_rate: 48000,
        };
        assert_eq!(m.rtpmap(96), Some(opus));
        assert_eq!(m.rtpmap(97), None, "rtpmap without a clock rate is ignored");
        assert_eq!(m.rtpmap(0).map(|r| r.name), Some("PCMU"));
        assert_eq!(m.explicit_rtpmap(0), None);
    }

    #[test]
    fn fmtp_lines() {
        let text = format!(
            "{MIN}a=fmtp:0 x=1\r\nm=audio 4000 RTP/AVP 0 96 97\r\n\
             a=fmtp: 96  UseInbandFEC = 1 ; stereo=0\r\na=fmtp:96 useinbandfec=0\r\n\
             a=fmtp:97\r\na=fmtp:98 useinbandfec=1\r\na=fmtp:x y=1\r\na=fmtp:300 y=1\r\n\
             a=fmtp:0\tmode=2;;=;bare\r\n"
        );
        let s = ok(&text);
        let m = &s.media[0];
        assert_eq!(
            m.fmtp_param(96, "useinbandfec"),
            Some("1"),
            "the first line counts"
        );
        assert_eq!(m.fmtp_param(96, "STEREO"), Some("0"));
        assert_eq!(m.fmtp_param(96, "maxplaybackrate"), None);
        assert_eq!(m.fmtp_param(97, "useinbandfec"), None, "no parameters");
        assert_eq!(
            m.fmtp_param(98, "useinbandfec"),
            None,
            "98 is not on the m= line"
        );
        assert_eq!(m.fmtp_param(0, "mode"), Some("2"));
        assert_eq!(m.fmtp_param(0, "bare"), None);
        assert_eq!(
            m.fmtp_param(0, "x"),
            None,
            "a session-level fmtp is ignored"
        );
    }

    #[test]
    fn fmtp_lines_are_capped() {
        let kept = u8::try_from(MAX_FMTP_LINES).unwrap();
        let pts: Vec<String> = (0..kept + 8).map(|pt| pt.to_string()).collect();
        let fmtps: String = pts
            .iter()
            .map(|pt| format!("a=fmtp:{pt} p={pt}\r\n"))
            .collect();
        let text = format!("{MIN}m=audio 4000 RTP/AVP {}\r\n{fmtps}", pts.join(" "));
        let s = ok(&text);
        let m = &s.media[0];
        let last = kept - 1;
        assert_eq!(m.fmtp_param(last, "p"), Some(last.to_string().as_str()));
        assert_eq!(m.fmtp_param(kept, "p"), None, "over the cap");
    }

    #[test]
    fn limits() {
        let big = format!("{MIN}{}", "a=x\r\n".repeat(MAX_SDP_BYTES / 5));
        assert!(err(&big).contains("byte limit"));
        let many = format!(
            "{MIN}{}",
            "m=audio 0 RTP/AVP 0\r\n".repeat(MAX_MEDIA_LINES + 1)
        );
        assert!(err(&many).contains("more than 64 m= lines"));
        let max = format!("{MIN}{}", "m=audio 0 RTP/AVP 0\r\n".repeat(MAX_MEDIA_LINES));
        assert_eq!(ok(&max).media.len(), MAX_MEDIA_LINES);
    }

    #[test]
    fn snippet_is_bounded_and_escaped() {
        let s = snippet(&"é\r\n".repeat(100));
        assert!(s.starts_with("\"é\\r\\n"));
        assert!(s.ends_with("...\""));
        assert!(s.chars().count() < 100);
    }
}
