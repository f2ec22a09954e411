//! The Audio section: microphone, speaker and ringtone devices by the names people know, the
//! sound test with the microphone's level, the microphone's processing (echo cancellation,
//! noise suppression, automatic gain), and how calls are recorded and how many a conference
//! takes.

use iced::widget::{column, pick_list, progress_bar, row};
use iced::{Alignment, Element, Length};
use parla_core::config::{AudioConfig, RecordingChannels, RecordingFormat};
use parla_core::Config;

use super::devices::{device_choices, device_list, DeviceChoice};
use super::parts::{choices, group, hint, labelled, switch, Choice};
use super::{Msg, Settings};
use crate::i18n::I18n;
use crate::style::{size, space, Tone};
use crate::widget::{action, Glyph};

pub(super) fn view<'a>(
    settings: &'a Settings,
    i18n: &I18n,
    config: &'a Config,
) -> Element<'a, Msg> {
    let picker = |label: String, current: &str, found: &[String], on: fn(String) -> Msg| {
        let choices = device_choices(&device_list(current, found), &settings.device_labels, i18n);
        let selected = choices.iter().find(|c| c.id == current).cloned();
        labelled(
            label,
            pick_list(choices, selected, move |choice: DeviceChoice| on(choice.id))
                .text_size(size::BODY)
                .width(Length::Fill),
        )
    };
    let audio = &config.audio;
    let ring = if audio.ring.is_empty() {
        audio.output.as_str()
    } else {
        audio.ring.as_str()
    };
    let devices = column![
        picker(
            i18n.tr("audio-input"),
            &audio.input,
            &settings.inputs,
            Msg::Input
        ),
        picker(
            i18n.tr("audio-output"),
            &audio.output,
            &settings.outputs,
            Msg::Output
        ),
        picker(i18n.tr("audio-ring"), ring, &settings.outputs, Msg::Ring),
        action(Glyph::Search, i18n.tr("audio-refresh"), Tone::Neutral)
            .on_press(Msg::RefreshDevices),
    ]
    .spacing(space::M);

    let running = settings.echo_running;
    let test = if running {
        action(Glyph::Microphone, i18n.tr("audio-test-stop"), Tone::On)
    } else {
        action(Glyph::Microphone, i18n.tr("audio-test-start"), Tone::Accent)
    }
    .on_press(Msg::EchoTest(!running));
    let level = progress_bar(0.0..=1.0, if running { settings.level } else { 0.0 })
        .length(Length::Fill)
        .girth(space::S);
    let test = column![
        row![test, level]
            .spacing(space::M)
            .align_y(Alignment::Center),
        hint(i18n.tr("audio-test-hint")),
    ]
    .spacing(space::S);

    column![
        group(i18n.tr("audio-devices"), devices),
        group(i18n.tr("audio-test-title"), test),
        group(i18n.tr("audio-processing-title"), processing(i18n, audio)),
        group(i18n.tr("audio-recording-title"), recording(i18n, audio)),
    ]
    .spacing(space::L)
    .into()
}

/// One of the microphone's processing steps, each turned on or off on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    EchoCancellation,
    NoiseSuppression,
    AutoGain,
}

impl Processing {
    /// Turns this step on or off in `audio`.
    pub fn set(self, audio: &mut AudioConfig, on: bool) {
        match self {
            Processing::EchoCancellation => audio.echo_cancellation = on,
            Processing::NoiseSuppression => audio.noise_suppression = on,
            Processing::AutoGain => audio.auto_gain = on,
        }
    }
}

/// The three switches; the engine takes them for the calls that start afterwards.
fn processing<'a>(i18n: &I18n, audio: &AudioConfig) -> Element<'a, Msg> {
    let step = |which: Processing, on: bool, key: &str| {
        switch(on, i18n.tr(key), move |on| Msg::Processing(which, on))
    };
    column![
        step(
            Processing::EchoCancellation,
            audio.echo_cancellation,
            "audio-echo-cancellation"
        ),
        hint(i18n.tr("audio-echo-cancellation-hint")),
        step(
            Processing::NoiseSuppression,
            audio.noise_suppression,
            "audio-noise-suppression"
        ),
        step(Processing::AutoGain, audio.auto_gain, "audio-auto-gain"),
        hint(i18n.tr("audio-processing-hint")),
    ]
    .spacing(space::S)
    .into()
}

/// Call recordings' format and channels, and the most calls a conference joins.
fn recording<'a>(i18n: &I18n, audio: &AudioConfig) -> Element<'a, Msg> {
    let formats = choices(
        i18n,
        &[
            (RecordingFormat::Ogg, "audio-recording-ogg"),
            (RecordingFormat::Wav, "audio-recording-wav"),
        ],
    );
    let format = formats
        .iter()
        .find(|c| c.value == audio.recording_format)
        .cloned();
    let channels = choices(
        i18n,
        &[
            (RecordingChannels::Stereo, "audio-recording-stereo"),
            (RecordingChannels::Mono, "audio-recording-mono"),
        ],
    );
    let channel = channels
        .iter()
        .find(|c| c.value == audio.recording_channels)
        .cloned();
    let sizes: Vec<usize> = (2..=10).collect();
    let size_now = audio.conference_size.clamp(2, 10);
    column![
        labelled(
            i18n.tr("audio-recording-format"),
            pick_list(formats, format, |c: Choice<RecordingFormat>| {
                Msg::RecordingFormat(c)
            })
            .text_size(size::BODY)
            .width(Length::Fill)
        ),
        labelled(
            i18n.tr("audio-recording-channels"),
            pick_list(channels, channel, |c: Choice<RecordingChannels>| {
                Msg::RecordingChannels(c)
            })
            .text_size(size::BODY)
            .width(Length::Fill)
        ),
        labelled(
            i18n.tr("audio-conference-size"),
            pick_list(sizes, Some(size_now), Msg::ConferenceSize)
                .text_size(size::BODY)
                .width(Length::Fill)
        ),
        hint(i18n.tr("audio-conference-size-hint")),
    ]
    .spacing(space::M)
    .into()
}
