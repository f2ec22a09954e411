//! Settings: lines, audio devices and test, codec order, call handling, language and start-up.
//! `apply` changes the config and says what the engine and the desktop must be told; the app
//! saves the file.

use crate::i18n::{I18n, Language};
use iced::widget::{
    button, checkbox, column, container, pick_list, progress_bar, row, scrollable, space, text,
};
use iced::{Alignment, Element, Length};
use parla_core::api::RegistrationState;
use parla_core::config::{AccountConfig, AudioConfig};
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
    StartMinimised(bool),
    StartAtLogin(bool),
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
        Msg::Language(language) => {
            config.app.language = Some(language.code().to_string());
            effect.language = Some(language);
        }
    }
    effect
}

fn section<'a>(title: String, body: impl Into<Element<'a, Msg>>) -> Element<'a, Msg> {
    column![text(title).size(18), body.into()].spacing(8).into()
}

fn device_list(current: &str, found: &[String]) -> Vec<String> {
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

impl Settings {
    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        config: &'a Config,
        line_state: impl Fn(&str) -> Option<RegistrationState>,
    ) -> Element<'a, Msg> {
        let mut lines = column![].spacing(6);
        for account in &config.accounts {
            let state = match line_state(&account.id) {
                _ if !account.enabled => i18n.tr("line-off"),
                Some(RegistrationState::Registered) => i18n.tr("line-registered"),
                Some(RegistrationState::Registering) => i18n.tr("line-registering"),
                Some(RegistrationState::Failed) => i18n.tr("line-failed"),
                _ if !account.register => i18n.tr("line-listening"),
                _ => i18n.tr("line-off"),
            };
            let is_default = config.default_account().map(|a| a.id.as_str()) == Some(&account.id);
            let id = account.id.clone();
            lines = lines.push(
                row![
                    checkbox(account.enabled).on_toggle({
                        let id = id.clone();
                        move |on| Msg::EnableLine(id.clone(), on)
                    }),
                    column![
                        text(if account.id == crate::app::LOCAL_LINE {
                            format!(
                                "{} · {}@{}",
                                i18n.tr("line-local"),
                                account.username,
                                account.domain
                            )
                        } else {
                            format!("{}@{}", account.username, account.domain)
                        })
                        .size(14),
                        text(state).size(11),
                    ]
                    .width(Length::Fill),
                    button(text(if is_default {
                        i18n.tr("line-is-default")
                    } else {
                        i18n.tr("line-make-default")
                    }))
                    .style(button::text)
                    .on_press_maybe(
                        (!is_default && account.enabled).then(|| Msg::DefaultLine(id.clone())),
                    ),
                    button(text(i18n.tr("edit")))
                        .style(button::secondary)
                        .on_press_maybe(account.register.then(|| Msg::EditLine(id.clone()))),
                    button(text(i18n.tr("remove")))
                        .style(button::danger)
                        .on_press(Msg::RemoveLine(id.clone())),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        lines = lines.push(button(text(i18n.tr("line-add"))).on_press(Msg::AddLine));

        let device_row = |label: String, current: &str, found: &[String], on: fn(String) -> Msg| {
            let list = device_list(current, found);
            let selected = list.iter().find(|d| *d == current).cloned();
            row![
                text(label).width(110),
                pick_list(list, selected, on).width(Length::Fill)
            ]
            .spacing(8)
            .align_y(Alignment::Center)
        };
        let ring_current = if config.audio.ring.is_empty() {
            config.audio.output.as_str()
        } else {
            config.audio.ring.as_str()
        };
        let audio = column![
            device_row(
                i18n.tr("audio-input"),
                &config.audio.input,
                &self.inputs,
                Msg::Input
            ),
            device_row(
                i18n.tr("audio-output"),
                &config.audio.output,
                &self.outputs,
                Msg::Output
            ),
            device_row(
                i18n.tr("audio-ring"),
                ring_current,
                &self.outputs,
                Msg::Ring
            ),
            row![
                button(text(if self.echo_running {
                    i18n.tr("audio-test-stop")
                } else {
                    i18n.tr("audio-test-start")
                }))
                .on_press(Msg::EchoTest(!self.echo_running)),
                button(text(i18n.tr("audio-refresh")))
                    .style(button::secondary)
                    .on_press(Msg::RefreshDevices),
                progress_bar(0.0..=1.0, if self.echo_running { self.level } else { 0.0 })
                    .length(Length::Fill)
                    .girth(10),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            text(i18n.tr("audio-test-hint")).size(11),
        ]
        .spacing(6);

        let order = codec_order(config);
        let mut codecs = column![].spacing(4);
        for (index, codec) in order.iter().enumerate() {
            codecs = codecs.push(
                row![
                    text(format!("{}. {}", index + 1, codec.encoding_name())).width(120),
                    button(text("▲"))
                        .style(button::secondary)
                        .on_press_maybe((index > 0).then_some(Msg::CodecEarlier(index))),
                    button(text("▼")).style(button::secondary).on_press_maybe(
                        (index + 1 < order.len()).then_some(Msg::CodecLater(index))
                    ),
                ]
                .spacing(6)
                .align_y(Alignment::Center),
            );
        }

        let app = &config.app;
        let calls = column![
            checkbox(app.do_not_disturb)
                .label(i18n.tr("setting-dnd"))
                .on_toggle(Msg::DoNotDisturb),
            checkbox(app.auto_answer)
                .label(i18n.tr("setting-auto-answer"))
                .on_toggle(Msg::AutoAnswer),
            checkbox(app.ask_line_for_links)
                .label(i18n.tr("setting-ask-line"))
                .on_toggle(Msg::AskLineForLinks),
        ]
        .spacing(6);
        let general = column![
            row![
                text(i18n.tr("setting-language")).width(110),
                pick_list(Language::ALL, Some(i18n.language()), Msg::Language),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            checkbox(app.start_minimised)
                .label(i18n.tr("setting-start-minimised"))
                .on_toggle(Msg::StartMinimised),
            checkbox(app.start_at_login)
                .label(i18n.tr("setting-start-at-login"))
                .on_toggle(Msg::StartAtLogin),
        ]
        .spacing(6);

        let mut content = column![
            section(i18n.tr("settings-lines"), lines),
            section(i18n.tr("settings-audio"), audio),
            section(i18n.tr("settings-codecs"), codecs),
            section(i18n.tr("settings-calls"), calls),
            section(i18n.tr("settings-general"), general),
            space().height(12),
        ]
        .spacing(18)
        .padding(16);
        if let Some(notice) = &self.notice {
            content = column![text(notice.clone()).style(text::warning), content].spacing(6);
        }
        container(scrollable(content)).height(Length::Fill).into()
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            device_list("file:/x.wav", &["spk".into(), "default".into()]),
            vec!["default", "spk", "file:/x.wav"]
        );
    }
}
