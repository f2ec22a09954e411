//! Settings: lines, audio devices and test, codec order, call handling, language and start-up,
//! help (the diagnostics bundle).
//! `apply` changes the config and says what the engine and the desktop must be told; the app
//! saves the file.

use crate::i18n::Language;
use parla_core::config::{AccountConfig, AudioConfig, ThemeSetting};
use parla_core::sdp::Codec;
use parla_core::{AccountId, Command, Config};

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub echo_running: bool,
    /// Microphone level during the audio test, 0..1.
    pub level: f32,
    /// A translated notice about the last change (e.g. no keyring).
    pub notice: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    AddLine,
    EditLine(String),
    RemoveLine(String),
    EnableLine(String, bool),
    DefaultLine(String),
    Input(String),
    Output(String),
    Ring(String),
    EchoTest(bool),
    RefreshDevices,
    CodecEarlier(usize),
    CodecLater(usize),
    DoNotDisturb(bool),
    AutoAnswer(bool),
    AskLineForLinks(bool),
    Language(Language),
    Theme(ThemeItem),
    StartMinimised(bool),
    StartAtLogin(bool),
    /// Help: write the diagnostics bundle (Downloads, else the profile folder).
    SaveDiagnostics,
}

/// What a settings change means beyond the config file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effect {
    pub commands: Vec<Command>,
    /// The config changed and must be saved.
    pub save: bool,
    pub open_sign_in: Option<Option<String>>,
    pub forget_password: Option<String>,
    pub language: Option<Language>,
    pub start_at_login: Option<bool>,
    pub save_diagnostics: bool,
}

/// The codec order shown: the default line's (changes apply to every line).
pub fn codec_order(config: &Config) -> Vec<Codec> {
    config
        .default_account()
        .or(config.accounts.first())
        .map(|a| a.codecs.clone())
        .unwrap_or_else(|| Codec::ALL.to_vec())
}

fn set_audio(audio: &AudioConfig) -> Command {
    Command::SetAudio {
        audio: audio.clone(),
    }
}

fn restart(account: &AccountConfig) -> Command {
    Command::SetAccount {
        account: Box::new(account.clone()),
    }
}

pub fn apply(config: &mut Config, msg: Msg) -> Effect {
    let mut effect = Effect {
        save: true,
        ..Effect::default()
    };
    match msg {
        Msg::AddLine => {
            effect.save = false;
            effect.open_sign_in = Some(None);
        }
        Msg::EditLine(id) => {
            effect.save = false;
            effect.open_sign_in = Some(Some(id));
        }
        Msg::RemoveLine(id) => {
            config.accounts.retain(|a| a.id != id);
            effect.commands.push(Command::RemoveAccount {
                account: AccountId::new(id.clone()),
            });
            effect.forget_password = Some(id);
        }
        Msg::EnableLine(id, on) => {
            if let Some(account) = config.accounts.iter_mut().find(|a| a.id == id) {
                account.enabled = on;
                effect.commands.push(if on {
                    restart(account)
                } else {
                    Command::RemoveAccount {
                        account: AccountId::new(id),
                    }
                });
            }
        }
        Msg::DefaultLine(id) => {
            for account in &mut config.accounts {
                account.default = account.id == id;
            }
        }
        Msg::Input(device) => {
            config.audio.input = device;
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::Output(device) => {
            config.audio.output = device;
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::Ring(device) => {
            config.audio.ring = device;
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::EchoTest(on) => {
            effect.save = false;
            effect.commands.push(Command::EchoTest { stop: !on });
        }
        Msg::RefreshDevices => {
            effect.save = false;
            effect.commands.push(Command::ListDevices);
        }
        Msg::CodecEarlier(index) | Msg::CodecLater(index) => {
            let mut order = codec_order(config);
            let other = match msg {
                Msg::CodecEarlier(_) => index.checked_sub(1),
                _ => Some(index + 1).filter(|i| *i < order.len()),
            };
            let Some(other) = other.filter(|_| index < order.len()) else {
                effect.save = false;
                return effect;
            };
            order.swap(index, other);
            for account in &mut config.accounts {
                account.codecs = order.clone();
                if account.enabled {
                    effect.commands.push(restart(account));
                }
            }
        }
        Msg::DoNotDisturb(on) => {
            config.app.do_not_disturb = on;
            effect.commands.push(Command::SetDoNotDisturb { on });
        }
        Msg::AutoAnswer(on) => config.app.auto_answer = on,
        Msg::AskLineForLinks(on) => config.app.ask_line_for_links = on,
        Msg::StartMinimised(on) => config.app.start_minimised = on,
        Msg::StartAtLogin(on) => {
            config.app.start_at_login = on;
            effect.start_at_login = Some(on);
        }
        Msg::SaveDiagnostics => {
            effect.save = false;
            effect.save_diagnostics = true;
        }
        Msg::Language(language) => {
            config.app.language = Some(language.code().to_string());
            effect.language = Some(language);
        }
        Msg::Theme(item) => config.app.theme = item.setting,
    }
    effect
}

/// A theme choice with its translated name, for the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeItem {
    pub setting: ThemeSetting,
    pub label: String,
}

impl std::fmt::Display for ThemeItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

mod view;

#[cfg(test)]
mod tests {
    use super::view::device_list;
    use super::*;

    fn config() -> Config {
        let mut config = Config::default();
        for id in ["work", "home"] {
            config.accounts.push(AccountConfig {
                id: id.into(),
                username: id.into(),
                domain: "example.com".into(),
                ..AccountConfig::default()
            });
        }
        config
    }

    #[test]
    fn the_theme_choice_is_kept_in_the_settings() {
        let mut config = config();
        let item = ThemeItem {
            setting: ThemeSetting::Dark,
            label: "Dark".into(),
        };
        let effect = apply(&mut config, Msg::Theme(item));
        assert_eq!(config.app.theme, ThemeSetting::Dark);
        assert!(effect.save && effect.commands.is_empty());
    }

    #[test]
    fn codec_order_moves_on_every_line_and_restarts_them() {
        let mut config = config();
        let effect = apply(&mut config, Msg::CodecLater(0));
        assert_eq!(
            config.accounts[1].codecs,
            vec![Codec::Pcmu, Codec::Opus, Codec::Pcma]
        );
        assert_eq!(effect.commands.len(), 2);
        assert!(effect.save);
        let effect = apply(&mut config, Msg::CodecLater(2));
        assert!(
            effect.commands.is_empty() && !effect.save,
            "nothing below the last"
        );
    }

    #[test]
    fn line_switches_reach_the_engine() {
        let mut config = config();
        let effect = apply(&mut config, Msg::EnableLine("home".into(), false));
        assert!(!config.accounts[1].enabled);
        assert_eq!(
            effect.commands,
            vec![Command::RemoveAccount {
                account: AccountId::new("home")
            }]
        );
        apply(&mut config, Msg::DefaultLine("home".into()));
        assert!(config.accounts[1].default && !config.accounts[0].default);
        let effect = apply(&mut config, Msg::RemoveLine("work".into()));
        assert_eq!(config.accounts.len(), 1);
        assert_eq!(effect.forget_password.as_deref(), Some("work"));
    }

    #[test]
    fn call_handling_and_devices() {
        let mut config = config();
        let effect = apply(&mut config, Msg::DoNotDisturb(true));
        assert!(config.app.do_not_disturb);
        assert_eq!(effect.commands, vec![Command::SetDoNotDisturb { on: true }]);
        let effect = apply(&mut config, Msg::Output("spk".into()));
        assert_eq!(config.audio.output, "spk");
        assert!(matches!(effect.commands[0], Command::SetAudio { .. }));
        let effect = apply(&mut config, Msg::EchoTest(true));
        assert_eq!(effect.commands, vec![Command::EchoTest { stop: false }]);
        assert!(!effect.save);
        let effect = apply(&mut config, Msg::SaveDiagnostics);
        assert!(effect.save_diagnostics && !effect.save && effect.commands.is_empty());
        assert_eq!(
            device_list("file:/x.wav", &["spk".into(), "default".into()]),
            vec!["default", "spk", "file:/x.wav"]
        );
    }
}
