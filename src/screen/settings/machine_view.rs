//! A line's answering machine on its settings page: on or off; when on, how long it lets a call
//! ring, whether it answers at once during do not disturb, the longest message, and the
//! greeting: the default tones, or one's own (recorded here, listened to, kept; or a WAV file).

use iced::widget::{column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::config::{AccountConfig, AnsweringMachineConfig};

use super::answering::{file_of, stepped, Greeting, Machine, ANSWER_AFTER_STEP, MAX_MESSAGE_STEP};
use super::parts::{hint, labelled, switch};
use super::Msg;
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{action, icon_button, Glyph, Press};

pub(super) fn view<'a>(
    i18n: &I18n,
    account: &'a AccountConfig,
    greeting: Option<&'a Greeting>,
    do_not_disturb: bool,
) -> Element<'a, Msg> {
    let id = &account.id;
    let machine = &account.answering_machine;
    let to = move |change: Machine| Msg::Machine(id.clone(), change);
    let on = switch(machine.enabled, i18n.tr("machine-enable"), move |on| {
        to(Machine::Enabled(on))
    });
    if !machine.enabled {
        return column![on, hint(i18n.tr("machine-hint"))]
            .spacing(space::S)
            .into();
    }
    let answer_after = stepper(
        i18n,
        i18n.tr("machine-answer-after"),
        i18n.tr_args(
            "machine-seconds",
            &[("seconds", &machine.answer_after_s.to_string())],
        ),
        [
            stepped(
                machine,
                machine.answer_after_s,
                -i64::from(ANSWER_AFTER_STEP),
                |m, s| m.answer_after_s = s,
            ),
            stepped(
                machine,
                machine.answer_after_s,
                i64::from(ANSWER_AFTER_STEP),
                |m, s| m.answer_after_s = s,
            ),
        ]
        .map(|value| value.map(|s| to(Machine::AnswerAfter(s)))),
    );
    let mut dnd = column![switch(
        machine.when_do_not_disturb,
        i18n.tr("machine-when-dnd"),
        move |on| to(Machine::WhenDoNotDisturb(on)),
    )]
    .spacing(space::XS);
    if do_not_disturb && machine.when_do_not_disturb {
        dnd = dnd.push(hint(i18n.tr("machine-dnd-now")));
    }
    let longest = stepper(
        i18n,
        i18n.tr("machine-max-message"),
        crate::when::duration(u64::from(machine.max_message_s)),
        [
            stepped(
                machine,
                machine.max_message_s,
                -i64::from(MAX_MESSAGE_STEP),
                |m, s| m.max_message_s = s,
            ),
            stepped(
                machine,
                machine.max_message_s,
                i64::from(MAX_MESSAGE_STEP),
                |m, s| m.max_message_s = s,
            ),
        ]
        .map(|value| value.map(|s| to(Machine::MaxMessage(s)))),
    );
    let default = Greeting::default();
    let greeting = greeting.unwrap_or(&default);
    column![
        on,
        answer_after,
        dnd,
        longest,
        greeting_choice(i18n, id, machine, greeting),
    ]
    .spacing(space::M)
    .into()
}

/// A value with its label before it and − / + either side; a button is off where the next
/// value would not be taken (`steps`: the messages for less and more).
fn stepper<'a>(
    i18n: &I18n,
    label: String,
    value: String,
    steps: [Option<Msg>; 2],
) -> Element<'a, Msg> {
    let [less, more] = steps;
    row![
        text(label).size(size::BODY).width(Length::Fill),
        icon_button(Glyph::Less, i18n.tr("step-less"), Tone::Neutral, less),
        text(value)
            .size(size::BODY)
            .width(Length::Fixed(52.0))
            .center(),
        icon_button(Glyph::Add, i18n.tr("step-more"), Tone::Neutral, more),
    ]
    .spacing(space::XS)
    .align_y(Alignment::Center)
    .into()
}

/// The greeting: a menu of the default tones or one's own; with one's own, where it stands,
/// the recorder's buttons and the WAV file field.
fn greeting_choice<'a>(
    i18n: &I18n,
    id: &'a str,
    machine: &'a AnsweringMachineConfig,
    greeting: &Greeting,
) -> Element<'a, Msg> {
    let to = move |change: Machine| Msg::Machine(id.to_string(), change);
    let own = greeting.is_own(machine);
    let choices = [false, true].map(|own| GreetingChoice {
        own,
        label: i18n.tr(if own {
            "greeting-own"
        } else {
            "greeting-default"
        }),
    });
    let chosen = choices.iter().find(|c| c.own == own).cloned();
    let menu = labelled(
        i18n.tr("machine-greeting"),
        pick_list(choices.to_vec(), chosen, move |c: GreetingChoice| {
            to(Machine::OwnGreeting(c.own))
        })
        .text_size(size::BODY)
        .width(Length::Fill),
    );
    if !own {
        return menu;
    }
    let status = match (greeting.recording, greeting.draft, file_of(machine)) {
        (Some(ms), _, _) => i18n.tr_args("greeting-recording", &[("time", &time(ms))]),
        (None, Some(ms), _) => i18n.tr_args("greeting-draft", &[("time", &time(ms))]),
        (None, None, Some(path)) => {
            let name = std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
            i18n.tr_args("greeting-in-use", &[("file", &name)])
        }
        (None, None, None) => i18n.tr("greeting-none"),
    };
    let record = match greeting.recording {
        Some(_) => action(Glyph::StopSound, i18n.tr("greeting-stop"), Tone::On)
            .press(to(Machine::StopRecording)),
        None => action(Glyph::Record, i18n.tr("greeting-record"), Tone::Neutral)
            .press(to(Machine::Record)),
    };
    let listen = if greeting.playing {
        action(Glyph::StopSound, i18n.tr("greeting-stop"), Tone::On)
            .press(to(Machine::StopListening))
    } else {
        action(Glyph::Speaker, i18n.tr("greeting-listen"), Tone::Neutral)
            .press_maybe(greeting.can_listen(machine).then(|| to(Machine::Listen)))
    };
    let keep = action(Glyph::Save, i18n.tr("greeting-keep"), Tone::Accent)
        .press_maybe(greeting.can_keep().then(|| to(Machine::Keep)));
    let buttons = row![record, listen, keep]
        .spacing(space::S)
        .align_y(Alignment::Center)
        .wrap();
    let in_use = file_of(machine).unwrap_or("");
    let typed = greeting.path.as_deref().unwrap_or(in_use);
    let mut file = row![text_input(&i18n.tr("greeting-file-placeholder"), typed)
        .on_input(move |path| to(Machine::PathDraft(path)))
        .on_submit(to(Machine::UseFile(typed.to_string())))
        .size(size::BODY)
        .width(Length::Fill)]
    .spacing(space::S)
    .align_y(Alignment::Center);
    if !typed.trim().is_empty() && typed.trim() != in_use {
        file = file.push(icon_button(
            Glyph::Save,
            i18n.tr("greeting-use-file"),
            Tone::Accent,
            Some(to(Machine::UseFile(typed.to_string()))),
        ));
    }
    column![
        menu,
        hint(status),
        buttons,
        labelled(i18n.tr("greeting-file"), file),
    ]
    .spacing(space::S)
    .into()
}

/// Milliseconds as the recorder shows them: `0:07`.
fn time(ms: u64) -> String {
    crate::when::duration(ms / 1000)
}

/// An entry of the greeting menu.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GreetingChoice {
    own: bool,
    label: String,
}

impl std::fmt::Display for GreetingChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}
