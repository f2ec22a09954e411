//! SDP offer/answer (RFC 3264, RFC 4566) for one audio stream over RTP/AVP, or SRTP with SDES
//! keys (RFC 4568, `crypto.rs`): RTP/AVP with `a=crypto` (best effort) or RTP/SAVP.
//!
//! Our own small parser is used rather than the `sdp` crate: that crate fails the whole
//! description on any m= transport outside its fixed list (`UDP/BFCP`, `TCP/MSRP`,
//! `TCP/RTP/AVP`), on a missing `t=`, on a `u=` that is not an absolute URL or on a stray
//! trailing space, whereas RFC 3264 wants us to answer the audio and reject the rest.

mod crypto;
mod negotiate;
mod parse;
mod write;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fmtp;
#[cfg(test)]
mod tests_g722;
#[cfg(test)]
mod tests_robust;
#[cfg(test)]
mod tests_srtp;

pub use crypto::{redact_keys, LocalSrtp, NegotiatedSrtp, SrtpMode};

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// Largest SDP body we accept.
pub const MAX_SDP_BYTES: usize = 64 * 1024;
/// Most m= lines we accept in one SDP.
pub const MAX_MEDIA_LINES: usize = 64;

/// Payload types we use in our offers.
const OPUS_PT: u8 = 111;
const TELEPHONE_EVENT_PT: u8 = 101;
const TELEPHONE_EVENT_48K_PT: u8 = 110;
/// Events we accept and send: DTMF 0-9 * # A-D, and flash.
const TELEPHONE_EVENT_FMTP: &str = "0-16";
/// Mono, full band, in-band FEC: what a desktop softphone captures and wants back.
const OPUS_FMTP: &str = "useinbandfec=1;maxplaybackrate=48000;stereo=0;sprop-stereo=0";

/// An audio codec we can encode and decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    Opus,
    Pcmu,
    Pcma,
    G722,
}

impl Codec {
    /// Every codec, in the default preference order.
    pub const ALL: [Codec; 4] = [Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma];

    /// The encoding name as written in `a=rtpmap`.
    pub fn encoding_name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::G722 => "G722",
        }
    }

    /// The RTP clock rate: 8000 for G.722 too, whose audio is sampled at 16 kHz (RFC 3551 §4.5.2).
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Opus => 48_000,
            Codec::Pcmu | Codec::Pcma | Codec::G722 => 8_000,
        }
    }

    /// The channel count in `a=rtpmap`: always 2 for Opus (RFC 7587 §7), even for mono.
    pub fn channels(self) -> u8 {
        match self {
            Codec::Opus => 2,
            Codec::Pcmu | Codec::Pcma | Codec::G722 => 1,
        }
    }

    /// The static payload type from RFC 3551, if the codec has one.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Codec::Opus => None,
            Codec::Pcmu => Some(0),
            Codec::Pcma => Some(8),
            Codec::G722 => Some(9),
        }
    }

    /// The payload type we put in our own offers.
    fn offer_payload_type(self) -> u8 {
        self.static_payload_type().unwrap_or(OPUS_PT)
    }

    /// The configuration name: "opus", "g722", "pcmu" or "pcma".
    pub fn config_name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::Pcmu => "pcmu",
            Codec::Pcma => "pcma",
            Codec::G722 => "g722",
        }
    }
}

impl From<Codec> for parla_media::CodecKind {
    fn from(codec: Codec) -> Self {
        match codec {
            Codec::Opus => Self::Opus,
            Codec::Pcmu => Self::Pcmu,
            Codec::Pcma => Self::Pcma,
            Codec::G722 => Self::G722,
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encoding_name())
    }
}

/// A codec name that is not one of "opus", "g722", "pcmu", "pcma".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown codec {0:?} (expected \"opus\", \"g722\", \"pcmu\" or \"pcma\")")]
pub struct UnknownCodec(pub String);

impl FromStr for Codec {
    type Err = UnknownCodec;

    /// Accepts the configuration names and the SDP encoding names, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Codec::ALL
            .into_iter()
            .find(|c| s.eq_ignore_ascii_case(c.config_name()))
            .ok_or_else(|| UnknownCodec(s.to_owned()))
    }
}

/// Media direction from one side's point of view (RFC 3264 §5.1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    pub fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// The same stream seen from the other end.
    pub fn reversed(self) -> Self {
        Direction::from_flags(self.receives(), self.sends())
    }

    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// What both allow.
    pub fn intersect(self, other: Direction) -> Self {
        Direction::from_flags(
            self.sends() && other.sends(),
            self.receives() && other.receives(),
        )
    }

    /// The SDP attribute name.
    pub fn as_attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    fn from_attribute(name: &str) -> Option<Self> {
        [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]
        .into_iter()
        .find(|d| name.eq_ignore_ascii_case(d.as_attribute()))
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_attribute())
    }
}

/// What we can do, from the configuration and the bound RTP socket.
///
/// Pass the same value to [`SdpSession::create_offer`] and to the matching
/// [`SdpSession::apply_answer`]: the answer is checked against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    /// Written in c= and o=. Its family should match the peer's (IP4 or IP6).
    pub address: IpAddr,
    /// Our RTP port; RTCP is expected on port + 1 (we never offer rtcp-mux).
    pub port: u16,
    /// Preference order. Empty means every codec in [`Codec::ALL`] order.
    pub codecs: Vec<Codec>,
    /// SendRecv normally, SendOnly while we hold the call.
    pub direction: Direction,
    /// Our packetization time; 0 or a value invalid for the codec means 20.
    pub ptime_ms: u32,
    /// What we offer and accept of SRTP, and our keys.
    pub srtp: LocalSrtp,
}

impl LocalMedia {
    /// The codecs we offer and accept: deduplicated, with an empty list meaning all.
    fn effective_codecs(&self) -> Vec<Codec> {
        if self.codecs.is_empty() {
            return Codec::ALL.to_vec();
        }
        let mut out: Vec<Codec> = Vec::with_capacity(Codec::ALL.len());
        for &c in &self.codecs {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// The outcome of a completed offer/answer exchange: what the media layer should run.
#[derive(Debug, Clone, PartialEq)]
pub struct NegotiatedMedia {
    /// Where to send RTP. The IP is 0.0.0.0 (or ::) when the peer holds the old RFC 2543 way.
    pub remote_rtp: SocketAddr,
    /// Where to send RTCP: the peer's `a=rtcp` if given, else RTP port + 1.
    pub remote_rtcp: SocketAddr,
    pub codec: Codec,
    /// The payload type to put in the RTP we send.
    pub payload_type: u8,
    /// The payload type the peer uses in the RTP it sends us. Equal to `payload_type` unless
    /// the peer renumbered the codec in its answer (allowed, RFC 3264 §6.1 says SHOULD NOT).
    pub recv_payload_type: u8,
    pub clock_rate: u32,
    /// As in `a=rtpmap`: 2 for Opus, which is still sent mono.
    pub channels: u8,
    /// RFC 4733 payload type for the DTMF we send, if the peer accepts telephone-event.
    pub telephone_event_pt: Option<u8>,
    /// RFC 4733 payload type the peer uses for the DTMF it sends us.
    pub recv_telephone_event_pt: Option<u8>,
    /// Clock rate of the telephone-event format; it can differ from the codec's
    /// (e.g. Opus with telephone-event/8000), then event timestamps use this rate.
    pub telephone_event_clock_rate: Option<u32>,
    /// Packetization to send with: the peer's `a=ptime` when valid for the codec, else ours.
    pub ptime_ms: u32,
    /// OUR resulting direction: whether we may send and whether we should expect to receive.
    pub direction: Direction,
    /// The peer's direction as it applies: its attribute (media-level over session-level),
    /// narrowed to "does not receive" when its address is 0.0.0.0.
    pub remote_direction: Direction,
    /// The peer holds the call: sendonly, inactive, or c=0.0.0.0 (RFC 2543 hold).
    pub remote_on_hold: bool,
    /// SRTP both ways with these keys; `None` is plain RTP.
    pub srtp: Option<NegotiatedSrtp>,
    /// Send Opus in-band FEC: the peer's `a=fmtp` for `payload_type` says `useinbandfec=1`, so
    /// it decodes FEC (RFC 7587 §6.1; absent means 0). False for other codecs. Without it we
    /// send none: FEC a peer ignores only narrows the band it hears under loss.
    pub opus_inband_fec: bool,
}

/// Why an SDP could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("malformed SDP: {0}")]
    Malformed(String),
    #[error("no audio stream in the SDP")]
    NoAudio,
    #[error("no audio codec in common")]
    NoCommonCodec,
    #[error("unsupported media: {0}")]
    Unsupported(String),
    #[error("the answer rejected the audio stream (port 0)")]
    AudioRejected,
}

impl SdpError {
    /// The SIP status to reject an offer with: 400 for syntax, 488 Not Acceptable Here
    /// for anything we understood but cannot do.
    pub fn sip_status(&self) -> u16 {
        match self {
            SdpError::Malformed(_) => 400,
            _ => 488,
        }
    }
}

/// One call's SDP origin: the o= session id stays, the version goes up with every SDP we send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpSession {
    session_id: u64,
    version: u64,
    sent_any: bool,
}

impl Default for SdpSession {
    fn default() -> Self {
        Self::new()
    }
}

impl SdpSession {
    /// A random session id (kept below 2^31: some peers store it in a signed 32-bit int).
    pub fn new() -> Self {
        let id = rand::random_range(1..=0x7fff_ffff_u64);
        Self::with_origin(id, id)
    }

    /// Fixed ids, for tests and reproducible traces. The first SDP carries `version`.
    pub fn with_origin(session_id: u64, version: u64) -> Self {
        Self {
            session_id,
            version,
            sent_any: false,
        }
    }

    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The version of the last SDP we produced (or of the first one, before any).
    pub fn version(&self) -> u64 {
        self.version
    }

    fn next_version(&mut self) -> u64 {
        if self.sent_any {
            self.version = self.version.saturating_add(1);
        }
        self.sent_any = true;
        self.version
    }

    /// Our offer: one audio stream with every configured codec, in preference order.
    pub fn create_offer(&mut self, local: &LocalMedia) -> String {
        let version = self.next_version();
        write::offer(self.session_id, version, local)
    }

    /// Answers a peer's offer. On error nothing was sent (the version is unchanged); reply
    /// to the INVITE with [`SdpError::sip_status`].
    pub fn answer_offer(
        &mut self,
        offer: &str,
        local: &LocalMedia,
    ) -> Result<(String, NegotiatedMedia), SdpError> {
        let parsed = parse::parse(offer)?;
        let plan = negotiate::answer(&parsed, local)?;
        let version = self.next_version();
        let text = write::answer(self.session_id, version, local, &parsed, &plan);
        Ok((text, plan.media))
    }

    /// Checks the peer's answer to our offer (made from the same `local`).
    pub fn apply_answer(
        &self,
        local: &LocalMedia,
        answer: &str,
    ) -> Result<NegotiatedMedia, SdpError> {
        let parsed = parse::parse(answer)?;
        negotiate::apply_answer(&parsed, local)
    }
}
