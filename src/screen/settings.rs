//! Settings, in sections chosen at the top: lines; audio devices and test; call handling;
//! appearance (colours, language); advanced (codec order, start-up, the diagnostics bundle).
//! `apply` changes the config and says what the engine and the desktop must be told; the app
//! saves the file. `update` also keeps the chosen section, which is the screen's own.

use crate::i18n::Language;
use parla_core::config::{
    AccountConfig, AudioConfig, FeatureCode, ForwardingConfig, RecordingChannels, RecordingFormat,
    ThemeSetting, TransferPolicy,
};
use parla_core::sdp::Codec;
use parla_core::{AccountId, Command, Config};

pub use answering::{Greeting, Machine};
pub use audio::Processing;
pub use busy_lamps::{LampChange, LampDrafts};
pub use feature_codes::CodeChange;
pub use forwarding::ForwardingChange;
pub use identities::{IdentityChange, IdentityDraft};
pub use parts::Choice;
pub use security::SecurityChange;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// Device id -> the name people know it by, where the audio system gives one.
    pub device_labels: std::collections::BTreeMap<String, String>,
    pub echo_running: bool,
    /// Microphone level during the audio test, 0..1.
    pub level: f32,
    /// A translated notice about the last change (e.g. no keyring).
    pub notice: Option<String>,
    /// The section shown.
    pub section: Section,
    /// Voicemail numbers being typed, by line: saved on Enter or the save button, so the line
    /// does not restart at every key.
    pub voicemail_drafts: std::collections::BTreeMap<String, String>,
    /// The line whose own page is open (transfers, voicemail, answering machine); `None`:
    /// the list of lines.
    pub line_open: Option<String>,
    /// Per line, the greeting being recorded, listened to or typed.
    pub greetings: std::collections::BTreeMap<String, Greeting>,
    /// Per line, the busy lamps' fields being typed (busy_lamps.rs).
    pub lamp_drafts: std::collections::BTreeMap<String, LampDrafts>,
    /// Per line, the forwarding being typed (saved with its button).
    pub forwarding_drafts: std::collections::BTreeMap<String, ForwardingConfig>,
    /// Per line, the identity being typed.
    pub identity_drafts: std::collections::BTreeMap<String, IdentityDraft>,
    /// Per line, the feature code being typed.
    pub code_drafts: std::collections::BTreeMap<String, FeatureCode>,
    /// The auto-answer list's field for a new caller.
    pub auto_answer_draft: String,
    /// Per line that does not register, where others can call it (`reachable` events).
    pub reachable: std::collections::BTreeMap<String, Vec<String>>,
}

/// A part of the settings, shown alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    #[default]
    Lines,
    Audio,
    Calls,
    Appearance,
    Advanced,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Lines,
        Section::Audio,
        Section::Calls,
        Section::Appearance,
        Section::Advanced,
    ];
}

#[derive(Debug, Clone)]
pub enum Msg {
    AddLine,
    EditLine(String),
    RemoveLine(String),
    EnableLine(String, bool),
    DefaultLine(String),
    /// Where the far end of a call on this line may transfer us.
    LineTransfers(String, TransferPolicy),
    /// Subscribe to the line's mailbox state (the voicemail light and count).
    LineMessageWaiting(String, bool),
    /// The line's voicemail number as it is being typed (kept by the screen, not saved).
    VoicemailNumberDraft(String, String),
    /// Save the line's voicemail number (empty: none, the server's is used).
    LineVoicemailNumber(String, String),
    /// Open a line's own page (`None`: back to the list of lines).
    OpenLine(Option<String>),
    /// A change to the line's answering machine, or news of its greeting from the engine.
    Machine(String, Machine),
    /// A change to the line's busy lamps (watched extensions, pickup code).
    Lamps(String, LampChange),
    /// A change to the line's forwarding (typed, or saved).
    Forwarding(String, ForwardingChange),
    /// A change to the line's identities or its "always anonymous".
    Identities(String, IdentityChange),
    /// A change to the line's feature codes.
    Codes(String, CodeChange),
    /// A change to the line's encrypted audio, keep-alive or direct calls.
    Security(String, SecurityChange),
    Input(String),
    Output(String),
    Ring(String),
    EchoTest(bool),
    RefreshDevices,
    CodecEarlier(usize),
    CodecLater(usize),
    DoNotDisturb(bool),
    AutoAnswer(bool),
    /// The auto-answer list's field as it is typed.
    AutoAnswerDraft(String),
    /// Answer only these callers by themselves: add one, or remove one.
    AutoAnswerAdd(String),
    AutoAnswerRemove(String),
    /// Answer intercom and paging calls at once.
    Intercom(bool),
    RecordingFormat(Choice<RecordingFormat>),
    RecordingChannels(Choice<RecordingChannels>),
    ConferenceSize(usize),
    /// Turn one of the microphone's processing steps on or off.
    Processing(Processing, bool),
    AskLineForLinks(bool),
    Language(Language),
    Theme(ThemeItem),
    Scale(ScaleItem),
    Compact(bool),
    MusicOnHold(MusicItem),
    StartMinimised(bool),
    StartAtLogin(bool),
    /// Help: write the diagnostics bundle (Downloads, else the profile folder).
    SaveDiagnostics,
    /// Show another section (the screen's own state: see [`Settings::update`]).
    Section(Section),
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

impl Settings {
    /// Handles `msg`: the chosen section here, everything else by [`apply`].
    pub fn update(&mut self, config: &mut Config, msg: Msg) -> Effect {
        match &msg {
            Msg::Section(section) => {
                self.section = *section;
                self.line_open = None;
            }
            Msg::OpenLine(id) => self.line_open = id.clone(),
            Msg::Machine(id, change) => answering::note(&mut self.greetings, id, change),
            Msg::Lamps(id, change) => busy_lamps::note(&mut self.lamp_drafts, id, change),
            Msg::Forwarding(id, change) => {
                let saved = config
                    .accounts
                    .iter()
                    .find(|a| &a.id == id)
                    .map(|a| &a.forwarding);
                forwarding::note(&mut self.forwarding_drafts, saved, id, change);
            }
            Msg::Identities(id, change) => identities::note(&mut self.identity_drafts, id, change),
            Msg::Codes(id, change) => feature_codes::note(&mut self.code_drafts, id, change),
            Msg::AutoAnswerDraft(typed) => {
                self.auto_answer_draft = typed.chars().take(calls::MAX_ENTRY).collect();
            }
            Msg::AutoAnswerAdd(_) => self.auto_answer_draft.clear(),
            Msg::VoicemailNumberDraft(id, number) => {
                self.voicemail_drafts.insert(id.clone(), number.clone());
            }
            Msg::LineVoicemailNumber(id, _) => {
                self.voicemail_drafts.remove(id);
            }
            Msg::RemoveLine(id) => {
                self.voicemail_drafts.remove(id);
                self.greetings.remove(id);
                self.lamp_drafts.remove(id);
                self.forwarding_drafts.remove(id);
                self.identity_drafts.remove(id);
                self.code_drafts.remove(id);
                if self.line_open.as_ref() == Some(id) {
                    self.line_open = None;
                }
            }
            _ => {}
        }
        apply(config, msg)
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
        Msg::LineTransfers(id, policy) => {
            if let Some(account) = config.accounts.iter_mut().find(|a| a.id == id) {
                account.accept_transfers = policy;
                if account.enabled {
                    effect.commands.push(restart(account));
                }
            }
        }
        Msg::LineMessageWaiting(id, on) => {
            if let Some(account) = config.accounts.iter_mut().find(|a| a.id == id) {
                account.message_waiting = on;
                if account.enabled {
                    effect.commands.push(restart(account));
                }
            }
        }
        Msg::VoicemailNumberDraft(..) => effect.save = false,
        Msg::LineVoicemailNumber(id, number) => {
            let number = Some(number.trim().to_string()).filter(|n| !n.is_empty());
            match config.accounts.iter_mut().find(|a| a.id == id) {
                Some(account) if account.voicemail_number != number => {
                    account.voicemail_number = number;
                    if account.enabled {
                        effect.commands.push(restart(account));
                    }
                }
                _ => effect.save = false,
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
            effect.commands.push(Command::EchoTest {
                stop: !on,
                codec: None,
            });
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
        Msg::AutoAnswer(on) => {
            config.app.auto_answer = on;
            effect.commands.push(calls::set_auto_answer(config));
        }
        Msg::AutoAnswerDraft(_) => effect.save = false,
        Msg::AutoAnswerAdd(entry) => return calls::add_entry(config, &entry),
        Msg::AutoAnswerRemove(entry) => {
            config.app.auto_answer_only.retain(|e| *e != entry);
            effect.commands.push(calls::set_auto_answer(config));
        }
        Msg::Intercom(on) => {
            config.app.intercom = on;
            effect.commands.push(calls::set_auto_answer(config));
        }
        Msg::RecordingFormat(choice) => {
            config.audio.recording_format = choice.value;
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::RecordingChannels(choice) => {
            config.audio.recording_channels = choice.value;
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::ConferenceSize(size) => {
            config.audio.conference_size = size.clamp(2, 10);
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::Processing(which, on) => {
            which.set(&mut config.audio, on);
            effect.commands.push(set_audio(&config.audio));
        }
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
        Msg::Scale(item) => config.app.scale = (item.percent != 100).then(|| item.scale()),
        Msg::Compact(on) => config.app.compact = on,
        Msg::MusicOnHold(item) => {
            config.audio.music_on_hold = item.setting;
            effect.commands.push(set_audio(&config.audio));
        }
        Msg::Section(_) | Msg::OpenLine(_) => effect.save = false,
        Msg::Machine(id, change) => return answering::apply(config, id, change),
        Msg::Lamps(id, change) => return busy_lamps::apply(config, &id, change),
        Msg::Forwarding(id, change) => return forwarding::apply(config, &id, change),
        Msg::Identities(id, change) => return identities::apply(config, &id, change),
        Msg::Codes(id, change) => return feature_codes::apply(config, &id, change),
        Msg::Security(id, change) => return security::apply(config, &id, change),
    }
    effect
}

/// What a held caller hears, by its translated name. A file named in the config shows as
/// itself and stays chosen until another is picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MusicItem {
    pub setting: String,
    pub label: String,
}

impl std::fmt::Display for MusicItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

impl MusicItem {
    /// The built-in music and none, and the current setting when it is a file.
    pub fn choices(current: &str, i18n: &crate::i18n::I18n) -> Vec<MusicItem> {
        let mut items = vec![
            MusicItem {
                setting: "builtin".into(),
                label: i18n.tr("music-builtin"),
            },
            MusicItem {
                setting: "off".into(),
                label: i18n.tr("music-off"),
            },
        ];
        if let Some(path) = current.strip_prefix("file:") {
            let name = std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
            items.push(MusicItem {
                setting: current.to_string(),
                label: name,
            });
        }
        items
    }
}

/// A size for the window's content, in percent of the desktop's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleItem {
    pub percent: u16,
}

impl ScaleItem {
    pub const ALL: [ScaleItem; 8] = [
        ScaleItem { percent: 75 },
        ScaleItem { percent: 90 },
        ScaleItem { percent: 100 },
        ScaleItem { percent: 110 },
        ScaleItem { percent: 125 },
        ScaleItem { percent: 150 },
        ScaleItem { percent: 175 },
        ScaleItem { percent: 200 },
    ];

    /// The menu's item nearest to `[app] scale`.
    pub fn of(scale: Option<f32>) -> ScaleItem {
        let wanted = crate::style::user_scale(scale) * 100.0;
        Self::ALL
            .into_iter()
            .min_by(|a, b| {
                (f32::from(a.percent) - wanted)
                    .abs()
                    .total_cmp(&(f32::from(b.percent) - wanted).abs())
            })
            .unwrap_or(ScaleItem { percent: 100 })
    }

    pub fn scale(self) -> f32 {
        f32::from(self.percent) / 100.0
    }
}

impl std::fmt::Display for ScaleItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} %", self.percent)
    }
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

mod advanced;
mod answering;
mod appearance;
mod audio;
mod busy_lamps;
mod calls;
pub mod devices;
pub mod feature_codes;
pub mod forwarding;
pub mod identities;
mod line_page;
mod lines;
mod machine_view;
mod parts;
mod security;
mod view;

#[cfg(test)]
mod tests {
    use super::devices::device_list;
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
    fn music_on_hold_reaches_the_engine() {
        let mut config = config();
        let i18n = crate::i18n::I18n::new(crate::i18n::Language::English);
        let off = MusicItem::choices("builtin", &i18n)
            .into_iter()
            .find(|i| i.setting == "off")
            .expect("off");
        let effect = apply(&mut config, Msg::MusicOnHold(off));
        assert_eq!(config.audio.music_on_hold, "off");
        assert!(effect.save);
        assert!(matches!(
            effect.commands.as_slice(),
            [Command::SetAudio { audio }] if audio.music_on_hold == "off"
        ));
        let items = MusicItem::choices("file:/home/a/hold.wav", &i18n);
        assert_eq!(items.len(), 3);
        assert_eq!(items[2].label, "hold.wav");
    }

    #[test]
    fn scale_and_compact_are_saved_settings() {
        let mut config = config();
        let effect = apply(&mut config, Msg::Scale(ScaleItem { percent: 125 }));
        assert_eq!(config.app.scale, Some(1.25));
        assert!(effect.save);
        apply(&mut config, Msg::Scale(ScaleItem { percent: 100 }));
        assert_eq!(config.app.scale, None, "100 % is the default, not written");
        assert_eq!(ScaleItem::of(Some(1.3)).percent, 125);
        assert_eq!(ScaleItem::of(None).percent, 100);
        apply(&mut config, Msg::Compact(true));
        assert!(config.app.compact);
    }

    #[test]
    fn codec_order_moves_on_every_line_and_restarts_them() {
        let mut config = config();
        let effect = apply(&mut config, Msg::CodecLater(0));
        assert_eq!(
            config.accounts[1].codecs,
            vec![Codec::G722, Codec::Opus, Codec::Pcmu, Codec::Pcma]
        );
        assert_eq!(effect.commands.len(), 2);
        assert!(effect.save);
        let effect = apply(&mut config, Msg::CodecLater(3));
        assert!(
            effect.commands.is_empty() && !effect.save,
            "nothing below the last"
        );
    }

    #[test]
    fn where_transfers_may_send_us_is_a_saved_line_setting() {
        let mut config = config();
        let effect = apply(
            &mut config,
            Msg::LineTransfers("home".into(), TransferPolicy::Domain),
        );
        assert_eq!(config.accounts[1].accept_transfers, TransferPolicy::Domain);
        assert_eq!(config.accounts[0].accept_transfers, TransferPolicy::Any);
        assert!(effect.save);
        assert_eq!(
            effect.commands,
            vec![Command::SetAccount {
                account: Box::new(config.accounts[1].clone())
            }],
            "the line takes the new policy"
        );
        let dir = tempfile::tempdir().expect("dir");
        config.save_profile(dir.path()).expect("saved");
        let saved = Config::load_profile(dir.path()).expect("loads");
        assert_eq!(saved.accounts[1].accept_transfers, TransferPolicy::Domain);
    }

    #[test]
    fn the_voicemail_light_and_number_are_saved_line_settings() {
        let mut config = config();
        let mut settings = Settings::default();
        let effect = settings.update(&mut config, Msg::LineMessageWaiting("home".into(), false));
        assert!(!config.accounts[1].message_waiting);
        assert!(
            config.accounts[0].message_waiting,
            "the other line keeps it"
        );
        assert!(effect.save);
        assert_eq!(
            effect.commands,
            vec![Command::SetAccount {
                account: Box::new(config.accounts[1].clone())
            }]
        );
        let effect = settings.update(
            &mut config,
            Msg::VoicemailNumberDraft("home".into(), "*9".into()),
        );
        assert!(
            !effect.save && effect.commands.is_empty(),
            "typing saves nothing"
        );
        assert_eq!(
            settings.voicemail_drafts.get("home").map(String::as_str),
            Some("*9")
        );
        assert_eq!(config.accounts[1].voicemail_number, None);
        let effect = settings.update(
            &mut config,
            Msg::LineVoicemailNumber("home".into(), " *98 ".into()),
        );
        assert_eq!(config.accounts[1].voicemail_number.as_deref(), Some("*98"));
        assert!(effect.save && effect.commands.len() == 1);
        assert!(settings.voicemail_drafts.is_empty());
        let effect = apply(
            &mut config,
            Msg::LineVoicemailNumber("home".into(), "*98".into()),
        );
        assert!(!effect.save && effect.commands.is_empty(), "unchanged");
        let dir = tempfile::tempdir().expect("dir");
        config.save_profile(dir.path()).expect("saved");
        let saved = Config::load_profile(dir.path()).expect("loads");
        assert!(!saved.accounts[1].message_waiting);
        assert_eq!(saved.accounts[1].voicemail_number.as_deref(), Some("*98"));
        apply(
            &mut config,
            Msg::LineVoicemailNumber("home".into(), "  ".into()),
        );
        assert_eq!(config.accounts[1].voicemail_number, None, "empty is none");
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
        assert_eq!(
            effect.commands,
            vec![Command::EchoTest {
                stop: false,
                codec: None
            }]
        );
        assert!(!effect.save);
        let effect = apply(&mut config, Msg::SaveDiagnostics);
        assert!(effect.save_diagnostics && !effect.save && effect.commands.is_empty());
        assert_eq!(
            device_list("file:/x.wav", &["spk".into(), "default".into()]),
            vec!["default", "spk", "file:/x.wav"]
        );
    }

    #[test]
    fn choosing_a_section_is_the_screens_own_business() {
        let mut config = config();
        let before = config.clone();
        let mut settings = Settings::default();
        assert_eq!(settings.section, Section::Lines, "lines first");
        let effect = settings.update(&mut config, Msg::Section(Section::Audio));
        assert_eq!(settings.section, Section::Audio);
        assert_eq!(effect, Effect::default(), "no save, no command");
        assert_eq!(config, before);
        let effect = settings.update(&mut config, Msg::DoNotDisturb(true));
        assert!(effect.save && config.app.do_not_disturb);
        assert_eq!(settings.section, Section::Audio);
    }
}
