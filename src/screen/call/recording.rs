//! A call's recording on the call screen: the Record tile, and the indicator (a red dot,
//! "REC" and the time recorded) shown beside the call's time and on its row in the list.

use super::Action;
use crate::app::calls::CallView;
use crate::i18n::I18n;
use crate::style::{size, space};
use crate::widget::{tile, Glyph, Press};
use iced::widget::{row, text};
use iced::{Alignment, Element};
use parla_core::CallId;
use std::time::Instant;

/// "● REC 0:12" while `call` is being recorded; nothing otherwise.
pub fn indicator<'a, M: 'a>(call: &CallView, now: Instant) -> Element<'a, M> {
    let Some(secs) = call.recording_secs(now) else {
        return row![].into();
    };
    row![
        text("●").size(size::CAPTION).style(text::danger),
        text("REC").size(size::CAPTION).style(text::danger),
        text(crate::when::duration(secs))
            .size(size::CAPTION)
            .style(text::secondary),
    ]
    .spacing(space::XS)
    .align_y(Alignment::Center)
    .into()
}

/// Record / Stop recording, lit while it records; only a call that is up can be recorded.
pub fn record_tile<'a>(i18n: &I18n, call: &CallView) -> Element<'a, (CallId, Action)> {
    let on = call.recording_since.is_some();
    let label = i18n.tr(if on {
        "call-record-stop"
    } else {
        "call-record"
    });
    tile(Glyph::Record, label, on)
        .press_maybe((call.is_live() || on).then_some((call.id, Action::Record(!on))))
}
