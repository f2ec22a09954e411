//! Where one SIP message ends on a stream (RFC 3261 18.3: the head, then Content-Length bytes
//! of body), read the way rsipstack's stream codec reads it, so that what the TCP bridge
//! (tcp_accept.rs) passes on is framed exactly as rsipstack will frame it again.

/// The most a message may take, as rsipstack's stream reader allows.
pub const MAX_MESSAGE: usize = 65_535;

#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// More bytes are needed.
    Incomplete,
    /// A CRLF keep-alive (ping `\r\n\r\n` or pong `\r\n`) of this many bytes.
    KeepAlive(usize),
    /// A message (head and body) of this many bytes.
    Message(usize),
    /// The message is larger than [`MAX_MESSAGE`] (or says it will be).
    TooLarge,
    /// A head whose Content-Length is no number: where it ends cannot be known.
    Unframeable,
}

/// The frame at the start of `bytes`.
pub fn next_frame(bytes: &[u8]) -> Frame {
    if bytes.starts_with(b"\r\n\r\n") {
        return Frame::KeepAlive(4);
    }
    if bytes.starts_with(b"\r\n") {
        // `\r\n\r` may still become a ping.
        return if bytes.len() < 4 && b"\r\n\r\n".starts_with(bytes) {
            Frame::Incomplete
        } else {
            Frame::KeepAlive(2)
        };
    }
    let Some(head_end) = find(bytes, b"\r\n\r\n") else {
        return if bytes.len() > MAX_MESSAGE {
            Frame::TooLarge
        } else {
            Frame::Incomplete
        };
    };
    let head_len = head_end + 4;
    let Some(body) = content_length(bytes.get(..head_len).unwrap_or_default()) else {
        return Frame::Unframeable;
    };
    match head_len.checked_add(body) {
        Some(total) if total <= MAX_MESSAGE => {
            if bytes.len() >= total {
                Frame::Message(total)
            } else {
                Frame::Incomplete
            }
        }
        _ => Frame::TooLarge,
    }
}

/// The first Content-Length (or `l`) of a head, 0 without one; `None` when it is no number.
fn content_length(head: &[u8]) -> Option<usize> {
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = line.get(..colon).unwrap_or_default();
        if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
            let value = std::str::from_utf8(line.get(colon + 1..)?).ok()?;
            return value.trim().parse().ok();
        }
    }
    Some(0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_its_head_and_its_content_length() {
        let two = b"NEWTHING sip:a SIP/2.0\r\nl: 4\r\n\r\nbodyNEXT";
        assert_eq!(next_frame(two), Frame::Message(two.len() - 4));
        assert_eq!(next_frame(b"X sip:a SIP/2.0\r\n\r\n"), Frame::Message(19));
        assert_eq!(
            next_frame(b"X sip:a SIP/2.0\r\nContent-Length: 9\r\n\r\nabc"),
            Frame::Incomplete
        );
        assert_eq!(
            next_frame(b"X sip:a SIP/2.0\r\nVia: x\r\n"),
            Frame::Incomplete
        );
    }

    #[test]
    fn keep_alives_are_framed_alone() {
        assert_eq!(next_frame(b"\r\n\r\nINVITE"), Frame::KeepAlive(4));
        assert_eq!(next_frame(b"\r\nINVITE"), Frame::KeepAlive(2));
        assert_eq!(next_frame(b"\r\n\r"), Frame::Incomplete);
        assert_eq!(next_frame(b""), Frame::Incomplete);
    }

    #[test]
    fn sizes_are_bounded_and_bad_lengths_unframeable() {
        assert_eq!(
            next_frame(b"X sip:a SIP/2.0\r\nContent-Length: 99999999\r\n\r\n"),
            Frame::TooLarge
        );
        assert_eq!(
            next_frame(b"X sip:a SIP/2.0\r\nl: 18446744073709551615\r\n\r\n"),
            Frame::TooLarge
        );
        assert_eq!(next_frame(&vec![b'x'; MAX_MESSAGE + 1]), Frame::TooLarge);
        assert_eq!(
            next_frame(b"X sip:a SIP/2.0\r\nContent-Length: -999\r\n\r\n"),
            Frame::Unframeable
        );
        // Trailing bytes after a body cut short by its Content-Length (RFC 4475 dblreq):
        // a frame of their own, which is not a message.
        assert_eq!(next_frame(b"C\r\n\r\n"), Frame::Message(5));
    }
}
