//! The sound devices a person can pick, by the names `[audio] input`/`output` and
//! `set_call_devices` take.

use parla_media::device::cpal::{list_devices, DEFAULT_NAME};
use parla_media::AudioEndpoint;

/// Input and output device names, `default` first. Blocks while the audio system is asked:
/// call it off the async workers.
pub fn device_names() -> (Vec<String>, Vec<String>) {
    let (inputs, outputs) = list_devices();
    (selectable(inputs), selectable(outputs))
}

/// `default`, then each name that the settings read back as that same device, once. (ALSA's
/// own `null` PCM is left out: in the settings `null` is the discard endpoint.)
fn selectable(names: Vec<String>) -> Vec<String> {
    let mut out = vec![DEFAULT_NAME.to_owned()];
    for name in names {
        let same_device =
            matches!(AudioEndpoint::parse(&name), Ok(AudioEndpoint::Device(Some(n))) if n == name);
        if same_device && !out.contains(&name) {
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
        ];
        assert_eq!(
            selectable(listed.iter().map(|s| s.to_string()).collect()),
            ["default", "pulse", "hw:CARD=PCH,DEV=0"]
        );
        assert_eq!(selectable(Vec::new()), ["default"]);
    }
}
