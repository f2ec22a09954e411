//! The call screen of the local conference: a header (how many people, how long), the
//! participants (each with mute, split and hang up), the controls acting on the whole
//! conference, and End conference.

use super::{grid, labelled, list, recording, transfer, Action, CallScreen};
use crate::app::calls::{display_number, merge_set, CallView};
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::keypad::keypad;
use crate::widget::{avatar, icon, icon_button, round, tile, tip, Glyph, Press};
use iced::widget::{column, container, row, scrollable, text, tooltip};
use iced::{Alignment, Element, Length};
use parla_core::api::CallState;
use parla_core::CallId;

pub fn view<'a>(screen: CallScreen<'a>, i18n: &I18n) -> Element<'a, (CallId, Action)> {
    let members: Vec<&CallView> = screen
        .calls
        .iter()
        .copied()
        .filter(|c| c.in_conference)
        .collect();
    let id = screen.focused;
    let now = screen.now;
    let mut content = column![].spacing(space::M).align_x(Alignment::Center);
    for waiting in screen
        .calls
        .iter()
        .filter(|c| !c.in_conference && c.wants_pick_up())
    {
        content = content.push(list::waiting_banner(i18n, waiting));
    }
    // Calls outside the conference (one held, one just placed) stay a click away.
    let others: Vec<&CallView> = screen
        .calls
        .iter()
        .copied()
        .filter(|c| !c.in_conference && !c.wants_pick_up())
        .collect();
    if !others.is_empty() {
        content = content.push(list::calls(i18n, &others, id, now));
    }
    content = content.push(header(i18n, &screen, &members));
    content = content.push(participants(i18n, &members, now));
    content = content.push(controls(i18n, &screen, &members));
    if let Some(to) = screen.add_call_to {
        content = content.push(transfer::add_call_field(i18n, id, to));
        if !screen.suggestions.is_empty() {
            content = content.push(transfer::suggestions(id, screen.suggestions));
        }
    }
    if screen.keypad_open {
        content = content.push(keypad(move |c| (id, Action::Digit(c)), screen.compact));
    }
    if let Some(picker) = screen.output_picker(i18n, id) {
        content = content.push(picker);
    }
    content = content.push(iced::widget::space().height(space::S));
    content = content.push(labelled(
        round(Glyph::HangUp, Tone::HangUp, 64.0).press((id, Action::EndConference)),
        i18n.tr("conference-end"),
    ));
    container(scrollable(
        container(content.max_width(screen.width()))
            .center_x(Length::Fill)
            .padding([space::L, space::M]),
    ))
    .into()
}

/// "Conference · 3 people", its time, and the recording indicator while one runs.
fn header<'a>(
    i18n: &I18n,
    screen: &CallScreen<'a>,
    members: &[&CallView],
) -> Element<'a, (CallId, Action)> {
    let count = members.len().to_string();
    let secs = screen
        .in_call
        .conference_since
        .map(|t| screen.now.saturating_duration_since(t).as_secs())
        .unwrap_or(0);
    let mut time = row![text(crate::when::duration(secs)).size(size::TITLE)]
        .spacing(space::L)
        .align_y(Alignment::Center);
    if let Some(recorded) = members.iter().find(|c| c.recording_since.is_some()) {
        time = time.push(recording::indicator(recorded, screen.now));
    }
    column![
        icon(Glyph::Conference, if screen.compact { 28.0 } else { 48.0 }).style(text::primary),
        text(i18n.tr_args("conference-title", &[("count", &count)]))
            .size(if screen.compact {
                size::TITLE
            } else {
                size::HEADLINE
            })
            .center(),
        time,
    ]
    .spacing(space::S)
    .align_x(Alignment::Center)
    .into()
}

/// One row per participant: who, muted or not, and mute / split / hang up for that one.
fn participants<'a>(
    i18n: &I18n,
    members: &[&CallView],
    now: std::time::Instant,
) -> Element<'a, (CallId, Action)> {
    let mut rows = column![].spacing(space::XS);
    for call in members {
        let id = call.id;
        let number = display_number(&call.remote);
        let mut about = Vec::new();
        if number != call.title() {
            about.push(number);
        }
        if call.participant_muted {
            about.insert(0, i18n.tr("conference-muted"));
        }
        if call.state == CallState::Held {
            about.insert(0, i18n.tr("call-held-by-them"));
        }
        let about_empty = about.is_empty();
        let about = text(about.join(" · "))
            .size(size::CAPTION)
            .wrapping(text::Wrapping::None);
        let about = if call.participant_muted {
            about.style(text::warning)
        } else {
            about.style(text::secondary)
        };
        let (mute_glyph, mute_label, mute_tone) = if call.participant_muted {
            (Glyph::Mute, "conference-unmute-participant", Tone::On)
        } else {
            (
                Glyph::Microphone,
                "conference-mute-participant",
                Tone::Quiet,
            )
        };
        let mut who = row![text(call.title())
            .size(size::BODY)
            .wrapping(text::Wrapping::None)]
        .spacing(space::S)
        .align_y(Alignment::Center);
        if call.recording_since.is_some() {
            who = who.push(recording::indicator(call, now));
        }
        rows = rows.push(
            row![
                avatar(&call.title(), 32.0),
                if about_empty {
                    column![who]
                } else {
                    column![who, about]
                }
                .spacing(2)
                .width(Length::Fill)
                .clip(true),
                icon_button(
                    mute_glyph,
                    i18n.tr(mute_label),
                    mute_tone,
                    Some((id, Action::MuteParticipant(!call.participant_muted))),
                ),
                icon_button(
                    Glyph::Split,
                    i18n.tr("conference-split"),
                    Tone::Quiet,
                    Some((id, Action::Split)),
                ),
                tip(
                    round(Glyph::HangUp, Tone::HangUp, 32.0).press((id, Action::Hangup)),
                    i18n.tr("conference-hang-up-participant"),
                    tooltip::Position::Bottom,
                ),
            ]
            .spacing(space::XS)
            .align_y(Alignment::Center)
            .padding([space::XS, space::S]),
        );
    }
    container(rows)
        .padding(space::XS)
        .width(Length::Fill)
        .style(style::card)
        .into()
}

/// Mute the microphone, hold, keypad; record, merge another call in, add a call.
fn controls<'a>(
    i18n: &I18n,
    screen: &CallScreen<'a>,
    members: &[&CallView],
) -> Element<'a, (CallId, Action)> {
    let id = screen.focused;
    let muted = members.iter().any(|c| c.muted);
    let on_hold = members.iter().all(|c| c.state == CallState::OnHold);
    let Some(focused) = members.iter().find(|c| c.id == id).or(members.first()) else {
        return row![].into();
    };
    let mut tiles: Vec<Element<'a, (CallId, Action)>> = vec![
        tile(
            Glyph::Mute,
            i18n.tr(if muted { "unmute" } else { "mute" }),
            muted,
        )
        .press((id, Action::Mute(!muted))),
        tile(
            if on_hold { Glyph::Resume } else { Glyph::Hold },
            i18n.tr(if on_hold { "resume" } else { "hold" }),
            on_hold,
        )
        .press((id, Action::Hold(!on_hold))),
        tile(Glyph::Keypad, i18n.tr("keypad"), screen.keypad_open)
            .press((id, Action::ToggleKeypad)),
        recording::record_tile(i18n, focused),
    ];
    if merge_set(&screen.calls, id, screen.in_call.conference_size).is_some() {
        tiles.push(tile(Glyph::Merge, i18n.tr("conference-add"), false).press((id, Action::Merge)));
    }
    tiles.push(
        tile(
            Glyph::AddCall,
            i18n.tr("call-add"),
            screen.add_call_to.is_some(),
        )
        .press((id, Action::ToggleAddCall)),
    );
    // Three a row: at most six tiles make two rows either way, and three leave room for
    // "Stop recording" on one line.
    grid(tiles, 3)
}
