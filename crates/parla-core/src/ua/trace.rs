//! What every message passes on its way in and out: the SIP trace in the log at `debug`, target
//! `sip`, with credentials taken out, and the digest algorithm names translated for rsipstack.

use rsipstack::sip::SipMessage;
use rsipstack::transaction::endpoint::MessageInspector;
use rsipstack::transport::SipAddr;

pub struct SipTrace;

impl MessageInspector for SipTrace {
    fn before_send(&self, mut msg: SipMessage, dest: Option<&SipAddr>) -> SipMessage {
        super::digest_names::outgoing(&mut msg);
        if tracing::enabled!(target: "sip", tracing::Level::DEBUG) {
            let to = dest.map(|d| d.to_string()).unwrap_or_default();
            tracing::debug!(target: "sip", "send to {to}\n{}", redact(&msg.to_string()));
        }
        msg
    }

    fn after_received(&self, mut msg: SipMessage, from: Option<&SipAddr>) -> SipMessage {
        if tracing::enabled!(target: "sip", tracing::Level::DEBUG) {
            let from = from.map(|d| d.to_string()).unwrap_or_default();
            tracing::debug!(target: "sip", "received from {from}\n{}", redact(&msg.to_string()));
        }
        super::digest_names::incoming(&mut msg);
        msg
    }
}

/// Replaces the value of every Authorization and Proxy-Authorization header, and the SRTP
/// keys of `a=crypto` lines in the SDP.
pub fn redact(message: &str) -> String {
    let message = crate::sdp::redact_keys(message);
    message
        .split("\r\n")
        .map(|line| {
            let name = line
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if name == "authorization" || name == "proxy-authorization" {
                format!("{}: <redacted>", line.split(':').next().unwrap_or(""))
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_never_reach_the_log() {
        let msg =
            "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"a\", response=\"abc\"\r\n\
                   proxy-authorization: Digest response=\"def\"\r\nTo: <sip:a@x>\r\n\r\n";
        let out = super::redact(msg);
        assert!(!out.contains("abc") && !out.contains("def"), "{out}");
        assert!(out.contains("Authorization: <redacted>") && out.contains("To: <sip:a@x>"));
    }

    #[test]
    fn srtp_keys_never_reach_the_log() {
        let msg = "INVITE sip:x SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\
                   a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
        let out = super::redact(msg);
        assert!(!out.contains("WVNfX19zZW1j"), "{out}");
        assert!(out.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:***\r\n"));
    }
}
