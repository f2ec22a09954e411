//! A `simple-message-summary` body (RFC 3842), read leniently by rsipstack's parser.

/// What the server says about a line's mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    pub waiting: bool,
    /// New and old voice messages (`Voice-Message: new/old`).
    pub new: u32,
    pub old: u32,
    /// The mailbox's address (`Message-Account`), the number to call for it.
    pub account: Option<String>,
}

/// Reads a body; `None` when it says nothing about messages at all.
pub fn read(body: &[u8]) -> Option<Mailbox> {
    let summary = rsipstack::sip::event_packages::parse_message_summary(body)?;
    Some(Mailbox {
        waiting: summary.messages_waiting,
        new: u32::try_from(summary.new_messages).unwrap_or(0),
        old: u32::try_from(summary.old_messages).unwrap_or(0),
        account: summary.account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_flags_and_the_account_are_read() {
        let body = b"Messages-Waiting: yes\r\nMessage-Account: sip:1233@pbx.example.com\r\nVoice-Message: 2/8 (0/2)\r\n";
        assert_eq!(
            read(body),
            Some(Mailbox {
                waiting: true,
                new: 2,
                old: 8,
                account: Some("sip:1233@pbx.example.com".into()),
            })
        );
    }

    #[test]
    fn odd_bodies_are_read_or_refused_without_harm() {
        // No counts: the flag alone.
        assert_eq!(read(b"Messages-Waiting: no\r\n"), Some(Mailbox::default()));
        // Unknown headers and other media are ignored; a negative count is none.
        let odd = b"Messages-Waiting: yes\r\nFax-Message: 1/0\r\nX-Whatever: 3\r\nVoice-Message: -4/1\r\n";
        let mailbox = read(odd).expect("reads");
        assert_eq!((mailbox.waiting, mailbox.new, mailbox.old), (true, 0, 1));
        assert_eq!(read(b""), None);
        assert_eq!(read(b"hello"), None);
        assert_eq!(read(&[0xff, 0xfe, 0x00]), None);
    }
}
