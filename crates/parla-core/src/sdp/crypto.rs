//! SDES (RFC 4568): the `a=crypto` lines that carry SRTP master keys, and what a line offers
//! and accepts.
//!
//! `a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<length>] [<params>]`.
//! A lifetime is accepted and ignored (calls are far shorter than 2^31 packets; a shorter one
//! would need re-keying, which we leave to the next offer). Lines with an MKI, several keys or
//! session parameters (KDR, UNENCRYPTED_SRTP, ...) are skipped: we could not honour them.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use parla_media::{SrtpKeys, SrtpSuite};
use rand::RngCore;

use crate::config::SrtpPolicy;

/// Most `a=crypto` lines read per stream.
pub(super) const MAX_CRYPTO_LINES: usize = 16;
/// Longest `a=crypto` value we look at (a 256-bit key with lifetime and MKI is ~80 bytes).
const MAX_CRYPTO_LEN: usize = 512;

const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a line does about SRTP in one call, from its policy and its transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrtpMode {
    /// Plain RTP only; keys in an offer are ignored, an RTP/SAVP-only offer is refused.
    #[default]
    Off,
    /// Our offers are plain (the signalling is not encrypted), an offer with keys is
    /// answered encrypted.
    Accept,
    /// RTP/AVP with `a=crypto` offered; encrypted when the far end takes a key, else plain.
    BestEffort,
    /// RTP/SAVP offered; anything plain is refused (488, or the call ends).
    Mandatory,
}

impl SrtpMode {
    /// Keys go into offers only over TLS (RFC 4568 §8.3); `required` is obeyed everywhere.
    pub fn for_line(policy: SrtpPolicy, tls: bool) -> Self {
        match (policy, tls) {
            (SrtpPolicy::Off, _) => SrtpMode::Off,
            (SrtpPolicy::Required, _) => SrtpMode::Mandatory,
            (SrtpPolicy::WhenOffered, true) => SrtpMode::BestEffort,
            (SrtpPolicy::WhenOffered, false) => SrtpMode::Accept,
        }
    }

    pub(super) fn offers_keys(self) -> bool {
        matches!(self, SrtpMode::BestEffort | SrtpMode::Mandatory)
    }
}

/// A call's SRTP side: the mode and our master key + salt for each suite (made once per call
/// by rand's thread CSPRNG, ChaCha12 seeded by the OS, and kept for its re-offers). `Debug`
/// hides the keys.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct LocalSrtp {
    pub mode: SrtpMode,
    keys: Vec<(SrtpSuite, Vec<u8>)>,
}

impl std::fmt::Debug for LocalSrtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSrtp")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl LocalSrtp {
    /// Fresh keys for every suite (none when `mode` is off).
    pub fn generate(mode: SrtpMode) -> Self {
        let keys = if mode == SrtpMode::Off {
            Vec::new()
        } else {
            SrtpSuite::ALL
                .into_iter()
                .map(|suite| {
                    let mut key = vec![0u8; suite.key_salt_len()];
                    rand::rng().fill_bytes(&mut key);
                    (suite, key)
                })
                .collect()
        };
        Self { mode, keys }
    }

    pub(super) fn key(&self, suite: SrtpSuite) -> Option<&[u8]> {
        self.keys
            .iter()
            .find(|(s, _)| *s == suite)
            .map(|(_, k)| k.as_slice())
    }

    /// Our offer's lines, tag 1, 2, ... in suite preference order.
    pub(super) fn offer_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.keys
            .iter()
            .enumerate()
            .map(|(i, (suite, key))| attribute(i as u32 + 1, *suite, key))
    }

    /// The tag our offer gave `suite`.
    pub(super) fn offered_tag(&self, suite: SrtpSuite) -> Option<u32> {
        self.keys
            .iter()
            .position(|(s, _)| *s == suite)
            .map(|i| i as u32 + 1)
    }
}

/// What a call's SRTP settled on: the tag of the chosen line and both directions' keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedSrtp {
    pub tag: u32,
    pub keys: SrtpKeys,
}

impl NegotiatedSrtp {
    pub fn suite_name(&self) -> &'static str {
        self.keys.suite.name()
    }
}

/// One usable `a=crypto` line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Crypto {
    pub(super) tag: u32,
    pub(super) suite: SrtpSuite,
    pub(super) key: Vec<u8>,
}

/// Why a line was skipped (for tests and debug logs; never carries key material).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum CryptoSkipped {
    #[error("malformed a=crypto")]
    Malformed,
    #[error("unknown crypto suite")]
    UnknownSuite,
    #[error("key is not base64")]
    BadBase64,
    #[error("key has the wrong length for its suite")]
    KeyLength,
    #[error("MKI, several keys or session parameters are not supported")]
    Unsupported,
}

/// `a=crypto:` + value, for SDP.
pub(super) fn attribute(tag: u32, suite: SrtpSuite, key: &[u8]) -> String {
    format!(
        "crypto:{tag} {} inline:{}",
        suite.name(),
        BASE64.encode(key)
    )
}

/// Reads the value of one `a=crypto` attribute (after `crypto:`).
pub(super) fn parse(value: &str) -> Result<Crypto, CryptoSkipped> {
    if value.len() > MAX_CRYPTO_LEN {
        return Err(CryptoSkipped::Malformed);
    }
    let mut fields = value.split_ascii_whitespace();
    let (Some(tag), Some(suite), Some(key_params)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(CryptoSkipped::Malformed);
    };
    if fields.next().is_some() {
        return Err(CryptoSkipped::Unsupported);
    }
    if tag.is_empty() || tag.len() > 9 || !tag.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoSkipped::Malformed);
    }
    let tag: u32 = tag.parse().map_err(|_| CryptoSkipped::Malformed)?;
    let suite = SrtpSuite::from_name(suite).ok_or(CryptoSkipped::UnknownSuite)?;
    if key_params.contains(';') {
        return Err(CryptoSkipped::Unsupported);
    }
    let inline = key_params
        .strip_prefix("inline:")
        .ok_or(CryptoSkipped::Malformed)?;
    let mut parts = inline.split('|');
    let key = parts.next().ok_or(CryptoSkipped::Malformed)?;
    for part in parts {
        if part.contains(':') {
            return Err(CryptoSkipped::Unsupported);
        }
        if !lifetime_ok(part) {
            return Err(CryptoSkipped::Malformed);
        }
    }
    let key = BASE64.decode(key).map_err(|_| CryptoSkipped::BadBase64)?;
    if key.len() != suite.key_salt_len() {
        return Err(CryptoSkipped::KeyLength);
    }
    Ok(Crypto { tag, suite, key })
}

/// `2^n` or a decimal count.
fn lifetime_ok(s: &str) -> bool {
    let digits = s.strip_prefix("2^").unwrap_or(s);
    !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The first usable line of `lines`, in the offerer's order, that `local` has a key for.
pub(super) fn choose(lines: &[&str], local: &LocalSrtp) -> Option<(Crypto, Vec<u8>)> {
    lines.iter().find_map(|value| match parse(value) {
        Ok(c) => local.key(c.suite).map(|ours| (c, ours.to_vec())),
        Err(why) => {
            tracing::debug!(target: "sip", %why, "a=crypto line skipped");
            None
        }
    })
}

/// Replaces the key material of every `a=crypto` line in an SDP body or SIP message with `***`
/// (for logs).
pub fn redact_keys(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("inline:") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("inline:") {
        let start = at + "inline:".len();
        out.push_str(&rest[..start]);
        out.push_str("***");
        let after = &rest[start..];
        let end = after
            .find(|c: char| c == '|' || c == ';' || c.is_ascii_whitespace())
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY30: &str = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    #[test]
    fn parses_the_rfc_example_and_gcm() {
        let c = parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}|2^20")).unwrap();
        assert_eq!(
            (c.tag, c.suite, c.key.len()),
            (1, SrtpSuite::AesCm128HmacSha1_80, 30)
        );
        let gcm = BASE64.encode([7u8; 28]);
        let c = parse(&format!("12 AEAD_AES_128_GCM inline:{gcm}")).unwrap();
        assert_eq!((c.tag, c.suite), (12, SrtpSuite::AeadAes128Gcm));
        // Without padding, as some peers write it.
        let c = parse(&format!(
            "3 AEAD_AES_128_GCM inline:{}",
            gcm.trim_end_matches('=')
        ))
        .unwrap();
        assert_eq!(c.key, vec![7u8; 28]);
    }

    #[test]
    fn refuses_cleanly() {
        let cases = [
            ("", CryptoSkipped::Malformed),
            ("1 AES_CM_128_HMAC_SHA1_80", CryptoSkipped::Malformed),
            (
                "x AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                CryptoSkipped::Malformed,
            ),
            (
                "1234567890 AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                CryptoSkipped::Malformed,
            ),
            (
                "1 F8_128_HMAC_SHA1_80 inline:AAAA",
                CryptoSkipped::UnknownSuite,
            ),
            (
                "1 AES_CM_128_HMAC_SHA1_32 inline:AAAA",
                CryptoSkipped::UnknownSuite,
            ),
            (
                "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!",
                CryptoSkipped::BadBase64,
            ),
            (
                "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                CryptoSkipped::KeyLength,
            ),
            (
                "1 AES_CM_128_HMAC_SHA1_80 key:AAAA",
                CryptoSkipped::Malformed,
            ),
        ];
        for (value, why) in cases {
            assert_eq!(parse(value), Err(why), "{value:?}");
        }
        let mki = format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}|2^20|1:4");
        assert_eq!(parse(&mki), Err(CryptoSkipped::Unsupported));
        let two = format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30};inline:{KEY30}");
        assert_eq!(parse(&two), Err(CryptoSkipped::Unsupported));
        let kdr = format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30} KDR=1");
        assert_eq!(parse(&kdr), Err(CryptoSkipped::Unsupported));
        let bad_life = format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}|2^x");
        assert_eq!(parse(&bad_life), Err(CryptoSkipped::Malformed));
        assert_eq!(parse(&"1 ".repeat(400)), Err(CryptoSkipped::Malformed));
    }

    #[test]
    fn written_lines_read_back_and_keys_are_fresh() {
        let a = LocalSrtp::generate(SrtpMode::BestEffort);
        let b = LocalSrtp::generate(SrtpMode::BestEffort);
        let lines: Vec<String> = a.offer_lines().collect();
        assert_eq!(lines.len(), 2);
        for (i, line) in lines.iter().enumerate() {
            let c = parse(line.strip_prefix("crypto:").unwrap()).unwrap();
            assert_eq!(c.tag, i as u32 + 1);
            assert_eq!(Some(c.key.as_slice()), a.key(c.suite));
            assert_ne!(a.key(c.suite), b.key(c.suite));
        }
        assert!(!format!("{a:?}").contains(&lines[0][30..40]));
        assert!(LocalSrtp::generate(SrtpMode::Off)
            .offer_lines()
            .next()
            .is_none());
    }

    #[test]
    fn redaction() {
        let sdp = format!("m=audio 1 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}|2^20\r\na=crypto:2 X inline:{KEY30}\r\n");
        let red = redact_keys(&sdp);
        assert!(!red.contains(KEY30));
        assert!(red.contains("inline:***|2^20\r\n"));
        assert!(red.contains("a=crypto:2 X inline:***\r\n"));
        assert!(matches!(
            redact_keys("no keys"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn mode_for_line() {
        use SrtpPolicy::*;
        assert_eq!(SrtpMode::for_line(WhenOffered, true), SrtpMode::BestEffort);
        assert_eq!(SrtpMode::for_line(WhenOffered, false), SrtpMode::Accept);
        assert_eq!(SrtpMode::for_line(Required, false), SrtpMode::Mandatory);
        assert_eq!(SrtpMode::for_line(Off, true), SrtpMode::Off);
    }
}
