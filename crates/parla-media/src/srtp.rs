//! SRTP and SRTCP (RFC 3711; AES-GCM from RFC 7714) over `webrtc-srtp`, with master keys the
//! SIP engine took from the SDP (SDES, RFC 4568).
//!
//! One context encrypts what we send (our key), another decrypts what arrives (the far end's).
//! `webrtc-srtp` keeps state for every SSRC it is handed, before the packet is authenticated,
//! so a stream of forged SSRCs would grow it without bound: packets of an SSRC not yet
//! authenticated are tried in a separate probe context that is rebuilt after
//! [`MAX_PROBED_SSRCS`], and only SSRCs that passed go to the real one.

use webrtc_srtp::context::Context;
use webrtc_srtp::protection_profile::ProtectionProfile;

/// How many unauthenticated SSRCs the probe context holds before it is rebuilt.
pub const MAX_PROBED_SSRCS: usize = 16;
/// Authenticated SSRCs kept per direction (a far end that restarts its stream adds one).
const MAX_KNOWN_SSRCS: usize = 8;
/// Replay windows, in packets.
const REPLAY_WINDOW: usize = 128;
const RTP_HEADER: usize = 12;
const RTCP_HEADER: usize = 8;
const SRTCP_INDEX: usize = 4;

/// The crypto suites Parla speaks (RFC 4568 §6.2, RFC 7714 §14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SrtpSuite {
    AesCm128HmacSha1_80,
    AeadAes128Gcm,
}

impl SrtpSuite {
    /// In our order of preference: AES-GCM (RFC 7714; one AEAD pass, a 128-bit tag) first,
    /// the suite every SDES peer has second.
    pub const ALL: [SrtpSuite; 2] = [SrtpSuite::AeadAes128Gcm, SrtpSuite::AesCm128HmacSha1_80];

    /// The name in `a=crypto`.
    pub fn name(self) -> &'static str {
        match self {
            SrtpSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            SrtpSuite::AeadAes128Gcm => "AEAD_AES_128_GCM",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn key_len(self) -> usize {
        self.profile().key_len()
    }

    pub fn salt_len(self) -> usize {
        self.profile().salt_len()
    }

    /// Master key and salt together, as `inline:` carries them.
    pub fn key_salt_len(self) -> usize {
        self.key_len() + self.salt_len()
    }

    fn profile(self) -> ProtectionProfile {
        match self {
            SrtpSuite::AesCm128HmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
            SrtpSuite::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        }
    }

    fn rtp_tag_len(self) -> usize {
        let p = self.profile();
        p.rtp_auth_tag_len() + p.aead_auth_tag_len()
    }

    fn rtcp_tag_len(self) -> usize {
        let p = self.profile();
        p.rtcp_auth_tag_len() + p.aead_auth_tag_len()
    }
}

/// A call's SRTP parameters: the suite and the master key + salt of each direction.
/// `Debug` shows the suite only: keys never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeys {
    pub suite: SrtpSuite,
    /// Ours: what we encrypt with (key then salt).
    pub send: Vec<u8>,
    /// The far end's: what we decrypt with.
    pub recv: Vec<u8>,
}

impl std::fmt::Debug for SrtpKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpKeys")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SrtpError {
    #[error("{suite} needs {expected} bytes of master key and salt, got {got}")]
    KeyLength {
        suite: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("packet too short for SRTP")]
    TooShort,
    #[error("no room for the SRTP tag")]
    TooLong,
    /// Authentication failed, a replay, or a packet the library cannot read.
    #[error("SRTP: {0}")]
    Rejected(#[from] webrtc_srtp::Error),
}

fn context(suite: SrtpSuite, material: &[u8], replay: bool) -> Result<Context, SrtpError> {
    let (key, salt) = material.split_at(suite.key_len().min(material.len()));
    if material.len() != suite.key_salt_len() {
        return Err(SrtpError::KeyLength {
            suite: suite.name(),
            expected: suite.key_salt_len(),
            got: material.len(),
        });
    }
    let (rtp, rtcp) = if replay {
        (
            Some(webrtc_srtp::option::srtp_replay_protection(REPLAY_WINDOW)),
            Some(webrtc_srtp::option::srtcp_replay_protection(REPLAY_WINDOW)),
        )
    } else {
        (None, None)
    };
    Ok(Context::new(key, salt, suite.profile(), rtp, rtcp)?)
}

/// SSRCs a context has seen, oldest first, at most `cap`.
#[derive(Default)]
struct Seen(Vec<u32>);

impl Seen {
    fn contains(&self, ssrc: u32) -> bool {
        self.0.contains(&ssrc)
    }

    fn add(&mut self, ssrc: u32, cap: usize) {
        if !self.contains(ssrc) {
            if self.0.len() >= cap {
                self.0.remove(0);
            }
            self.0.push(ssrc);
        }
    }
}

/// Both directions of one call's SRTP and SRTCP.
pub struct Srtp {
    suite: SrtpSuite,
    tx: Context,
    rx: Context,
    probe: Context,
    recv_material: Vec<u8>,
    known_rtp: Seen,
    known_rtcp: Seen,
    probed: Seen,
}

impl Srtp {
    pub fn new(keys: &SrtpKeys) -> Result<Self, SrtpError> {
        Ok(Self {
            suite: keys.suite,
            tx: context(keys.suite, &keys.send, false)?,
            rx: context(keys.suite, &keys.recv, true)?,
            probe: context(keys.suite, &keys.recv, true)?,
            recv_material: keys.recv.clone(),
            known_rtp: Seen::default(),
            known_rtcp: Seen::default(),
            probed: Seen::default(),
        })
    }

    pub fn suite(&self) -> SrtpSuite {
        self.suite
    }

    /// Encrypts and authenticates the RTP packet in `buf[..n]` in place; returns the new
    /// length (`buf` needs room for the tag: up to 16 bytes more).
    pub fn protect_rtp(&mut self, buf: &mut [u8], n: usize) -> Result<usize, SrtpError> {
        let packet = buf.get(..n).ok_or(SrtpError::TooShort)?;
        if n < RTP_HEADER {
            return Err(SrtpError::TooShort);
        }
        let sealed = self.tx.encrypt_rtp(packet)?;
        copy_back(buf, &sealed)
    }

    /// Encrypts and authenticates the (compound) RTCP packet in `buf[..n]` in place; returns
    /// the new length (`buf` needs room for the index and tag: up to 20 bytes more).
    pub fn protect_rtcp(&mut self, buf: &mut [u8], n: usize) -> Result<usize, SrtpError> {
        let packet = buf.get(..n).ok_or(SrtpError::TooShort)?;
        if n < RTCP_HEADER {
            return Err(SrtpError::TooShort);
        }
        let sealed = self.tx.encrypt_rtcp(packet)?;
        copy_back(buf, &sealed)
    }

    /// Checks and decrypts the SRTP packet in `buf[..n]` in place; returns the plain length.
    /// On error `buf` is unchanged and the packet must be dropped.
    pub fn unprotect_rtp(&mut self, buf: &mut [u8], n: usize) -> Result<usize, SrtpError> {
        let packet = buf.get(..n).ok_or(SrtpError::TooShort)?;
        if n < RTP_HEADER + self.suite.rtp_tag_len() {
            return Err(SrtpError::TooShort);
        }
        let ssrc = u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]);
        let plain = if self.known_rtp.contains(ssrc) {
            self.rx.decrypt_rtp(packet)?
        } else {
            self.make_room_to_probe(ssrc)?;
            self.probe.decrypt_rtp(packet)?;
            // Genuine: the real context takes it too, so it knows this packet (replays) and
            // starts its rollover count here.
            self.known_rtp.add(ssrc, MAX_KNOWN_SSRCS);
            self.rx.decrypt_rtp(packet)?
        };
        copy_back(buf, &plain)
    }

    /// Checks and decrypts the SRTCP packet in `buf[..n]` in place; returns the plain length.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8], n: usize) -> Result<usize, SrtpError> {
        let packet = buf.get(..n).ok_or(SrtpError::TooShort)?;
        // The library reads the SSRC and the index without checking the length first.
        if n < RTCP_HEADER + SRTCP_INDEX + self.suite.rtcp_tag_len() {
            return Err(SrtpError::TooShort);
        }
        let ssrc = u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]);
        let plain = if self.known_rtcp.contains(ssrc) {
            self.rx.decrypt_rtcp(packet)?
        } else {
            self.make_room_to_probe(ssrc)?;
            self.probe.decrypt_rtcp(packet)?;
            self.known_rtcp.add(ssrc, MAX_KNOWN_SSRCS);
            self.rx.decrypt_rtcp(packet)?
        };
        copy_back(buf, &plain)
    }

    fn make_room_to_probe(&mut self, ssrc: u32) -> Result<(), SrtpError> {
        if !self.probed.contains(ssrc) && self.probed.0.len() >= MAX_PROBED_SSRCS {
            self.probe = context(self.suite, &self.recv_material, true)?;
            self.probed.0.clear();
        }
        self.probed.add(ssrc, MAX_PROBED_SSRCS);
        Ok(())
    }
}

fn copy_back(buf: &mut [u8], bytes: &[u8]) -> Result<usize, SrtpError> {
    let out = buf.get_mut(..bytes.len()).ok_or(SrtpError::TooLong)?;
    out.copy_from_slice(bytes);
    Ok(bytes.len())
}

#[cfg(test)]
mod tests;
