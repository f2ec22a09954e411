//! The padlock beside the call's time: shown only while the audio is encrypted both ways
//! (SRTP), with the suite on hover.

use crate::app::calls::CallView;
use crate::i18n::I18n;
use crate::style::size;
use crate::widget::{icon, tip, Glyph};
use iced::widget::{row, text, tooltip};
use iced::Element;

pub fn indicator<'a, M: 'a>(i18n: &I18n, call: &CallView) -> Element<'a, M> {
    let Some(suite) = &call.encrypted else {
        return row![].into();
    };
    tip(
        icon(Glyph::Encrypted, size::BODY).style(text::success),
        i18n.tr_args("call-encrypted-tip", &[("suite", suite)]),
        tooltip::Position::Bottom,
    )
}

#[cfg(test)]
mod tests {
    use crate::app::calls::Calls;
    use parla_core::api::{CallState, Event};
    use parla_core::CallId;
    use std::time::Instant;

    #[test]
    fn the_padlock_follows_the_encryption_event() {
        let mut calls = Calls::default();
        let now = Instant::now();
        let id = CallId(3);
        calls.apply(&Event::call_state(id, CallState::Connected), now);
        let encryption = |encrypted: bool, suite: Option<&str>| Event::CallEncryption {
            call: id,
            encrypted,
            suite: suite.map(str::to_owned),
        };
        let shown = |calls: &Calls| calls.get(id).and_then(|c| c.encrypted.clone());
        assert_eq!(shown(&calls), None);
        calls.apply(&encryption(true, Some("AEAD_AES_128_GCM")), now);
        assert_eq!(shown(&calls).as_deref(), Some("AEAD_AES_128_GCM"));
        // A re-INVITE to plain media takes it away.
        calls.apply(&encryption(false, None), now);
        assert_eq!(shown(&calls), None);
    }
}
