//! Sound devices as people know them: the engine names them by id (`default`, `null`, a file,
//! an ALSA or PulseAudio name) and, where the sound system has one, a description. A menu shows
//! the description and hands back the id.

use std::collections::BTreeMap;
use std::path::Path;

use crate::i18n::I18n;

/// A device in a menu: shown by `label`, chosen by `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChoice {
    pub id: String,
    pub label: String,
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// The devices `ids`, in that order, each with the name to show: the system default and no
/// sound translated, a file by its file name, the rest by their label in `labels`, else the id.
pub fn device_choices(
    ids: &[String],
    labels: &BTreeMap<String, String>,
    i18n: &I18n,
) -> Vec<DeviceChoice> {
    ids.iter()
        .map(|id| DeviceChoice {
            id: id.clone(),
            label: label_of(id, labels, i18n),
        })
        .collect()
}

fn label_of(id: &str, labels: &BTreeMap<String, String>, i18n: &I18n) -> String {
    match id {
        "default" => return i18n.tr("device-default"),
        "null" => return i18n.tr("device-none"),
        _ => {}
    }
    if let Some(path) = id.strip_prefix("file:") {
        return Path::new(path)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| id.to_string());
    }
    labels
        .get(id)
        .map(|label| label.trim())
        .filter(|label| !label.is_empty())
        .map_or_else(|| id.to_string(), str::to_string)
}

/// The ids a menu offers: the system default first, then those found, then the one in use
/// when it was not found (unplugged, or a file), so the menu still shows it.
pub fn device_list(current: &str, found: &[String]) -> Vec<String> {
    let mut list = vec!["default".to_string()];
    for device in found {
        if !list.contains(device) {
            list.push(device.clone());
        }
    }
    if !current.is_empty() && !list.iter().any(|d| d == current) {
        list.push(current.to_string());
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn devices_show_the_names_people_know() {
        let i18n = I18n::new(Language::English);
        let labels = BTreeMap::from([
            (
                "alsa_output.pci-0000_00_1f.3.analog-stereo".to_string(),
                "Built-in Audio Analog Stereo".to_string(),
            ),
            ("blank".to_string(), "  ".to_string()),
            ("default".to_string(), "Ignored".to_string()),
        ]);
        let choices = device_choices(
            &ids(&[
                "default",
                "null",
                "alsa_output.pci-0000_00_1f.3.analog-stereo",
                "hw:1,0",
                "blank",
                "file:/home/ada/ring tones/bell.wav",
                "file:",
            ]),
            &labels,
            &i18n,
        );
        let shown: Vec<String> = choices.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "System default",
                "No sound",
                "Built-in Audio Analog Stereo",
                "hw:1,0",
                "blank",
                "bell.wav",
                "file:",
            ]
        );
        assert_eq!(choices[2].id, "alsa_output.pci-0000_00_1f.3.analog-stereo");
        assert_eq!(choices[5].id, "file:/home/ada/ring tones/bell.wav");
    }

    #[test]
    fn the_special_devices_are_translated() {
        let i18n = I18n::new(Language::Dutch);
        let choices = device_choices(&ids(&["default", "null"]), &BTreeMap::new(), &i18n);
        assert_ne!(choices[0].label, "System default");
        assert_ne!(choices[1].label, "No sound");
        assert!(choices.iter().all(|c| !c.label.is_empty()));
    }
}
