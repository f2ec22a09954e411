//! Per-line security settings: encrypted media (SRTP with SDES keys) and, for a line that
//! does not register (the Local line), from where direct calls are taken.

use serde::{Deserialize, Serialize};

/// SRTP (RFC 3711) with keys in the SDP (SDES, RFC 4568). Keys in the SDP are only as secret
/// as the signalling, so SRTP is offered on TLS lines only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SrtpPolicy {
    /// Plain RTP; an offer of SRTP only is refused (488).
    Off,
    /// On a TLS line our offers carry keys (RTP/AVP with `a=crypto`, best effort) and an
    /// offer with keys is answered encrypted; a plain answer or offer is taken as plain.
    #[default]
    WhenOffered,
    /// Encrypted or nothing: we offer RTP/SAVP, and a plain offer or answer is refused (488).
    Required,
}

/// Who may call a line that does not register straight at its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectCalls {
    /// Private (RFC 1918, RFC 4193) and link-local addresses, and this machine.
    #[default]
    LocalNetwork,
    /// Any address: a scanner on the internet can ring the phone.
    Anywhere,
}
