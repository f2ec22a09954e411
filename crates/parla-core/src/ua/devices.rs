//! The sound devices a person can pick, by the names `[audio] input`/`output` and
//! `set_call_devices` take.

use std::collections::BTreeMap;

use parla_media::device::cpal::{list_devices_labelled, Labelled, DEFAULT_NAME};
use parla_media::{AudioEndpoint, MediaEvent, MediaEventSink};
use tokio::sync::mpsc::UnboundedSender;

use crate::api::Event;

/// A media session's events for `events` where no call owns the audio (a conference's mixer,
/// the echo test): a device that went away and the one that took over, as a `device` event.
pub(crate) fn device_notices_to(events: UnboundedSender<Event>) -> MediaEventSink {
    MediaEventSink::new(move |event| {
        if let MediaEvent::DeviceChanged { message } = event {
            let _ = events.send(Event::Device {
                call: None,
                message,
            });
        }
    })
}

/// Input and output device names, `default` first. Blocks while the audio system is asked:
/// call it off the async workers.
pub fn device_names() -> (Vec<String>, Vec<String>) {
    let (inputs, outputs, _) = labelled_devices();
    (inputs, outputs)
}

/// As [`device_names`], and each listed name's label ("HDA Intel PCH, ALC3246 Analog" for
/// `hw:CARD=PCH,DEV=0`). Blocks likewise.
pub fn labelled_devices() -> (Vec<String>, Vec<String>, BTreeMap<String, String>) {
    let (inputs, outputs) = list_devices_labelled();
    choices(inputs, outputs)
}

/// The selectable names of each direction, and the labels of the names kept, bar `default`
/// (the window names that one itself).
fn choices(
    inputs: Labelled,
    outputs: Labelled,
) -> (Vec<String>, Vec<String>, BTreeMap<String, String>) {
    let mut labels: BTreeMap<String, String> = inputs.iter().chain(&outputs).cloned().collect();
    let names = |list: Labelled| selectable(list.into_iter().map(|(n, _)| n).collect());
    let (inputs, outputs) = (names(inputs), names(outputs));
    labels.retain(|name, _| {
        name != DEFAULT_NAME && (inputs.contains(name) || outputs.contains(name))
    });
    (inputs, outputs, labels)
}

/// ALSA's converter and effect plugins and a card's channel-layout and sharing variants: ALSA
/// lists them beside the devices, but nobody picks "Rate Converter Plugin Using Speex
/// Resampler" as a headset. They still work when named in the config.
fn is_plumbing(name: &str) -> bool {
    const PLUGINS: [&str; 9] = [
        "lavrate",
        "samplerate",
        "speexrate",
        "speex",
        "upmix",
        "vdownmix",
        "jack",
        "oss",
        "usbstream",
    ];
    const VARIANTS: [&str; 5] = ["surround", "dmix:", "dsnoop:", "iec958:", "usbstream:"];
    PLUGINS.contains(&name) || VARIANTS.iter().any(|v| name.starts_with(v))
}

/// `default`, then each name that the settings read back as that same device, once, without
/// ALSA's plumbing. (ALSA's own `null` PCM is left out: in the settings `null` is the discard
/// endpoint.)
fn selectable(names: Vec<String>) -> Vec<String> {
    let mut out = vec![DEFAULT_NAME.to_owned()];
    for name in names {
        let same_device =
            matches!(AudioEndpoint::parse(&name), Ok(AudioEndpoint::Device(Some(n))) if n == name);
        if same_device && !is_plumbing(&name) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_comes_first_and_only_device_names_stay() {
        let listed = [
            "pulse",
            "default",
            "null",
            "hw:CARD=PCH,DEV=0",
            "pulse",
            " padded",
            "speexrate",
            "upmix",
            "surround51:CARD=PCH,DEV=0",
            "dmix:CARD=PCH,DEV=0",
            "hdmi:CARD=HDMI,DEV=0",
            "pulse:alsa_output.usb-Jabra_EVOLVE_20-00.analog-stereo",
        ];
        assert_eq!(
            selectable(listed.iter().map(|s| s.to_string()).collect()),
            [
                "default",
                "pulse",
                "hw:CARD=PCH,DEV=0",
                "hdmi:CARD=HDMI,DEV=0",
                "pulse:alsa_output.usb-Jabra_EVOLVE_20-00.analog-stereo",
            ]
        );
        assert_eq!(selectable(Vec::new()), ["default"]);
    }

    #[test]
    fn labels_come_for_the_names_kept_bar_default() {
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(n, l)| (n.to_string(), l.to_string()))
                .collect::<Vec<_>>()
        };
        let inputs = pairs(&[
            (
                "default",
                "Default ALSA Output (currently PulseAudio Sound Server)",
            ),
            (
                "null",
                "Discard all samples (playback) or generate zero samples (capture)",
            ),
            ("hw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog"),
        ]);
        let outputs = pairs(&[
            ("hw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog"),
            ("pulse", "PulseAudio Sound Server"),
        ]);
        let (inputs, outputs, labels) = choices(inputs, outputs);
        assert_eq!(inputs, ["default", "hw:CARD=PCH,DEV=0"]);
        assert_eq!(outputs, ["default", "hw:CARD=PCH,DEV=0", "pulse"]);
        assert_eq!(
            labels,
            BTreeMap::from([
                (
                    "hw:CARD=PCH,DEV=0".to_owned(),
                    "HDA Intel PCH, ALC3246 Analog".to_owned()
                ),
                ("pulse".to_owned(), "PulseAudio Sound Server".to_owned()),
            ])
        );
        let (inputs, outputs, labels) = choices(Vec::new(), Vec::new());
        assert_eq!(
            (inputs, outputs),
            (vec!["default".to_owned()], vec!["default".to_owned()])
        );
        assert!(labels.is_empty());
    }
}
