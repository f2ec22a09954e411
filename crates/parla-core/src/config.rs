//! The profile's `config.toml`: accounts ("lines") and audio settings.
//!
//! Every struct carries `#[serde(default)]` so that old or partial files still load; what is
//! present but wrong is refused with a message naming the account and the field.

mod answering_machine;
mod calls;
mod lines;
mod security;
mod validate;

pub use answering_machine::AnsweringMachineConfig;
pub use calls::{
    dial_code, FeatureCode, FeatureKind, ForwardingConfig, Identity, RecordingChannels,
    RecordingFormat, MAX_LIST_ENTRIES, MAX_NO_ANSWER_S,
};
pub use lines::LOCAL_LINE;
pub use security::{DirectCalls, SrtpPolicy};
pub use validate::{AccountConfigError, AudioConfigError, DirectoryConfigError, ServerUriError};

use crate::sdp::Codec;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Largest config file we read: a person's settings are a few KiB; anything near this is not one.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The longest keep-alive interval taken: beyond it no NAT keeps a mapping, so it cannot be
/// what is meant.
pub const MAX_KEEPALIVE_S: u32 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes, larger than any settings file should be")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{path} is not valid settings: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("account {account:?}: {error}")]
    Account {
        account: String,
        error: AccountConfigError,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the settings cannot be written as TOML: {0}")]
    Serialize(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }
}

/// Which transfers the far end of a call may ask of us (a REFER): where it may send us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferPolicy {
    /// Any SIP address.
    #[default]
    Any,
    /// Only addresses on the line's own domain (the PBX's extensions).
    Domain,
    /// None: every REFER gets 603 Decline and the call goes on.
    Never,
}

/// `Debug` is written by hand below so that the password never reaches a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountConfig {
    pub id: String,
    pub enabled: bool,
    /// The line used for outgoing calls when none is named (the first account if none says so).
    pub default: bool,
    pub display_name: Option<String>,
    pub username: String,
    /// The digest user name when the provider gives one apart from the SIP user.
    pub auth_username: Option<String>,
    pub password: Option<String>,
    pub domain: String,
    /// `sip:host[:port]`; when absent the registrar is found from `domain` (RFC 3263).
    pub registrar: Option<String>,
    /// `sip:host[:port]`: every request goes there first.
    pub outbound_proxy: Option<String>,
    /// When absent, NAPTR/SRV records of the domain choose (UDP if none say).
    pub transport: Option<Transport>,
    /// Register with the server; off for a peer-to-peer line that only listens.
    pub register: bool,
    /// The local SIP port; any free one when absent (a listening line wants a known one).
    pub local_port: Option<u16>,
    /// Registration lifetime asked for, in seconds.
    pub expires: u32,
    /// Codec preference order.
    pub codecs: Vec<Codec>,
    /// An extra CA certificate (PEM) to trust for this account's TLS server, beside the system roots.
    pub ca_file: Option<PathBuf>,
    /// What a leading `+` of a dialled number becomes on this line: `00`, `011`, or empty to
    /// drop it (providers that take E.164 digits only). Absent: the `+` is sent.
    pub international_prefix: Option<String>,
    /// The country (ISO 3166 two letters, `NL`) for numbers dialled or received without a
    /// country code; matching callers to contacts reads numbers with it. Absent: from the locale.
    pub region: Option<String>,
    /// A shared company directory for this line (read-only contacts).
    pub directory: Option<DirectoryConfig>,
    /// Where the far end of a call may transfer us (`any`, `domain`, `never`).
    pub accept_transfers: TransferPolicy,
    /// Subscribe to message waiting (RFC 3842) at the line's server.
    pub message_waiting: bool,
    /// The number (or address) of the line's mailbox; absent: what the server's
    /// `Message-Account` says.
    pub voicemail_number: Option<String>,
    /// Parla's own answering machine for this line (off by default).
    pub answering_machine: AnsweringMachineConfig,
    /// Busy lamps: extensions (`201`) or addresses (`sip:bob@pbx.example`) whose calls this
    /// line watches (`dialog` subscriptions at the line's server).
    pub watch: Vec<String>,
    /// What to dial before an extension to pick up a call ringing there when the server gives
    /// no dialog to replace (`**` on many PBXs). Absent: such a pickup is refused.
    pub pickup_code: Option<String>,
    /// Where incoming calls go instead of ringing here.
    pub forwarding: ForwardingConfig,
    /// Caller IDs to choose from per call; the line's own user when none is marked default.
    pub identities: Vec<Identity>,
    /// Every call from this line is anonymous (RFC 3323/3325: an anonymous From, `Privacy: id`,
    /// the real identity in P-Preferred-Identity for the provider).
    pub anonymous: bool,
    /// The provider's star codes (forwarding, park, pickup, ...), shown in the dialer's menu.
    pub feature_codes: Vec<FeatureCode>,
    /// Encrypted media (SRTP) on this line: `off`, `when_offered` (TLS lines), `required`.
    pub srtp: SrtpPolicy,
    /// Seconds between keep-alives to the server while registered (CRLF on UDP, a CRLF ping
    /// on TCP/TLS, RFC 5626 4.4.1) so a NAT keeps the line's mapping; 0 turns them off; at
    /// most [`MAX_KEEPALIVE_S`].
    pub keepalive_s: u32,
    /// A line that does not register: who may call it directly (`local_network`, `anywhere`).
    pub direct_calls: DirectCalls,
    /// The password lives in the OS keyring: [`Config::save_profile`] leaves it out of the file.
    /// Never read from or written to the file; a password that came from the file stays there.
    #[serde(skip)]
    pub password_in_keyring: bool,
}

impl std::fmt::Debug for AccountConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountConfig")
            .field("id", &self.id)
            .field("enabled", &self.enabled)
            .field("default", &self.default)
            .field("display_name", &self.display_name)
            .field("username", &self.username)
            .field("auth_username", &self.auth_username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("domain", &self.domain)
            .field("registrar", &self.registrar)
            .field("outbound_proxy", &self.outbound_proxy)
            .field("transport", &self.transport)
            .field("register", &self.register)
            .field("local_port", &self.local_port)
            .field("expires", &self.expires)
            .field("codecs", &self.codecs)
            .field("ca_file", &self.ca_file)
            .field("international_prefix", &self.international_prefix)
            .field("region", &self.region)
            .field("directory", &self.directory)
            .field("accept_transfers", &self.accept_transfers)
            .field("message_waiting", &self.message_waiting)
            .field("voicemail_number", &self.voicemail_number)
            .field("answering_machine", &self.answering_machine)
            .field("watch", &self.watch)
            .field("pickup_code", &self.pickup_code)
            .field("forwarding", &self.forwarding)
            .field("identities", &self.identities)
            .field("anonymous", &self.anonymous)
            .field("feature_codes", &self.feature_codes)
            .field("srtp", &self.srtp)
            .field("keepalive_s", &self.keepalive_s)
            .field("direct_calls", &self.direct_calls)
            .field("password_in_keyring", &self.password_in_keyring)
            .finish()
    }
}

impl Default for AccountConfig {
    fn default() -> Self {
        Self {
            id: String::new(),
            enabled: true,
            default: false,
            display_name: None,
            username: String::new(),
            auth_username: None,
            password: None,
            domain: String::new(),
            registrar: None,
            outbound_proxy: None,
            transport: None,
            register: true,
            local_port: None,
            expires: 600,
            codecs: vec![Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma],
            ca_file: None,
            international_prefix: None,
            region: None,
            directory: None,
            accept_transfers: TransferPolicy::Any,
            message_waiting: true,
            voicemail_number: None,
            answering_machine: AnsweringMachineConfig::default(),
            watch: Vec::new(),
            pickup_code: None,
            forwarding: ForwardingConfig::default(),
            identities: Vec::new(),
            anonymous: false,
            feature_codes: Vec::new(),
            srtp: SrtpPolicy::default(),
            keepalive_s: 25,
            direct_calls: DirectCalls::default(),
            password_in_keyring: false,
        }
    }
}

/// A line's shared company directory: a CardDAV address book (`url`) or a CSV / vCard file
/// (`path`). `Debug` is written by hand so that the password never reaches a log.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectoryConfig {
    /// `https://dav.example.com/addressbooks/staff/company/`
    pub url: Option<String>,
    pub path: Option<PathBuf>,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for DirectoryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryConfig")
            .field("url", &self.url)
            .field("path", &self.path)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// `default`, a device name, `file:/path/in.wav` or `null`.
    pub input: String,
    pub output: String,
    /// Where the ringtone plays; empty: the output device. Tones play only on sound devices.
    pub ring: String,
    pub opus_bitrate: i32,
    pub opus_complexity: u8,
    /// What a caller we hold hears: `builtin` (Parla's own loop), `off` (silence, for PBXs
    /// that play their own) or `file:/path/music.wav`.
    pub music_on_hold: String,
    /// Call recordings: `ogg` (Opus) or `wav`, `stereo` (us left, the far end right) or `mono`.
    pub recording_format: RecordingFormat,
    pub recording_channels: RecordingChannels,
    /// Most calls in one local conference (us not counted), 2 to 10.
    pub conference_size: usize,
    /// The microphone's processing while it is a sound device (not a file): cancel the
    /// speaker's echo (turn off with a headset), suppress steady noise, level the voice.
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub auto_gain: bool,
}

impl AudioConfig {
    /// The media engine's processing stages as these settings choose them (the high-pass
    /// filter runs whenever anything else does).
    pub(crate) fn processing(&self) -> parla_media::ProcessingConfig {
        parla_media::ProcessingConfig {
            echo_cancellation: self.echo_cancellation,
            noise_suppression: self.noise_suppression,
            auto_gain: self.auto_gain,
            high_pass: self.echo_cancellation || self.noise_suppression || self.auto_gain,
        }
    }

    pub const DEFAULT_CONFERENCE_SIZE: usize = 5;
    pub const MAX_CONFERENCE_SIZE: usize = 10;
}

impl Default for AudioConfig {
    fn default() -> Self {
        Self {
            input: "default".into(),
            output: "default".into(),
            ring: String::new(),
            opus_bitrate: 32_000,
            opus_complexity: parla_media::DEFAULT_OPUS_COMPLEXITY,
            music_on_hold: "builtin".into(),
            recording_format: RecordingFormat::default(),
            recording_channels: RecordingChannels::default(),
            conference_size: Self::DEFAULT_CONFERENCE_SIZE,
            echo_cancellation: true,
            noise_suppression: true,
            auto_gain: true,
        }
    }
}

/// The window's colours: as the desktop says (the XDG colour-scheme preference), or fixed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeSetting {
    #[default]
    System,
    Light,
    Dark,
}

/// Where the main window was and how big, kept for the next start (logical pixels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowGeometry {
    pub width: u32,
    pub height: u32,
    /// The top-left corner on the screen; absent: where the desktop puts new windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<i32>,
}

/// Desktop-app preferences (the headless engine reads only `do_not_disturb`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    /// `en`, `es`, `it`, `nl`; absent: from the system locale.
    pub language: Option<String>,
    pub start_minimised: bool,
    pub start_at_login: bool,
    /// Refuse incoming calls (486) without ringing.
    pub do_not_disturb: bool,
    /// Answer incoming calls by themselves when no other call is under way (off by default).
    pub auto_answer: bool,
    /// Only these callers are answered by themselves (numbers, extensions or SIP addresses);
    /// empty: anyone.
    pub auto_answer_only: Vec<String>,
    /// Honour a caller's request to be answered at once (intercom: `Call-Info:
    /// ...;answer-after=0`, `Alert-Info: ...;info=alert-autoanswer`) from the callers in
    /// `auto_answer_only` (anyone when empty), also while `auto_answer` is off.
    pub intercom: bool,
    /// Ask which line to use for a clicked link instead of taking the default line.
    pub ask_line_for_links: bool,
    /// Light or dark colours, or as the desktop prefers.
    pub theme: ThemeSetting,
    /// The compact window: the dialer, the line status and the calls, nothing else.
    pub compact: bool,
    /// The window's size on top of the desktop's own scale factor (0.75 to 2; absent: 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<f32>,
    /// The main window's last size and place (written by the app when it is hidden or quits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowGeometry>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub accounts: Vec<AccountConfig>,
    pub audio: AudioConfig,
    pub app: AppConfig,
}

impl Config {
    pub const FILE_NAME: &'static str = "config.toml";

    /// Loads `DIR/config.toml`; a profile with no config file yet is an empty config.
    pub fn load_profile(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(Self::FILE_NAME);
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(ConfigError::Read { path, source }),
            Ok(meta) if meta.len() > MAX_CONFIG_BYTES => {
                return Err(ConfigError::TooLarge {
                    path,
                    size: meta.len(),
                })
            }
            Ok(_) => {}
        }
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse { path, message },
            other => other,
        })
    }

    /// Writes `DIR/config.toml` atomically: a temp file in the same folder (0600 on Unix),
    /// fsync, rename over the old file, fsync the folder. Passwords kept in the keyring
    /// (`password_in_keyring`) are left out; a config that would not load again is refused.
    pub fn save_profile(&self, dir: &Path) -> Result<(), ConfigError> {
        self.validate()?;
        let text = self.to_toml()?;
        let path = dir.join(Self::FILE_NAME);
        let write_error = |source| ConfigError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(write_error)?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".config.toml.").suffix(".tmp");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
        let mut file = builder.tempfile_in(dir).map_err(write_error)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(write_error)?;
        file.as_file().sync_all().map_err(write_error)?;
        file.persist(&path).map_err(|e| write_error(e.error))?;
        // The rename is durable only once the folder itself is on disk.
        #[cfg(unix)]
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(write_error)?;
        Ok(())
    }

    /// The file's text, with a short header and without keyring passwords.
    fn to_toml(&self) -> Result<String, ConfigError> {
        let mut stored = self.clone();
        for account in stored.accounts.iter_mut().filter(|a| a.password_in_keyring) {
            account.password = None;
        }
        let body =
            toml::to_string_pretty(&stored).map_err(|e| ConfigError::Serialize(e.to_string()))?;
        Ok(format!(
            "# Parla's settings, written by Parla (every key: config/parla.toml in its source).\n\
             # Passwords saved from the app are in the system keyring, not here.\n\n{body}"
        ))
    }

    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from(Self::FILE_NAME),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// The line for outgoing calls when none is named.
    pub fn default_account(&self) -> Option<&AccountConfig> {
        let enabled = || self.accounts.iter().filter(|a| a.enabled);
        enabled().find(|a| a.default).or_else(|| enabled().next())
    }

    /// The line with this id, enabled or not.
    pub fn account(&self, id: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn account_mut(&mut self, id: &str) -> Option<&mut AccountConfig> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_and_directory_are_checked() {
        let base = "[[accounts]]\nid='a'\nusername='a'\ndomain='d'\n";
        let config = Config::parse(&format!(
            "{base}region='nl'\n[accounts.directory]\nurl='https://dav.example.com/book/'\nusername='u'\npassword='p'\n"
        ))
        .expect("region and directory");
        let account = &config.accounts[0];
        assert_eq!(account.region.as_deref(), Some("nl"));
        let directory = account.directory.as_ref().expect("directory");
        assert_eq!(directory.username.as_deref(), Some("u"));
        assert!(!format!("{account:?}").contains("password: Some(\"p\")"));
        assert!(Config::parse(base).expect("old file").accounts[0]
            .directory
            .is_none());
        let err = Config::parse(&format!("{base}region='XX'\n")).expect_err("bad region");
        assert!(err.to_string().contains("region"), "{err}");
        let err = Config::parse(&format!("{base}[accounts.directory]\nusername='u'\n"))
            .expect_err("no url or path");
        assert!(err.to_string().contains("directory"), "{err}");
        let err = Config::parse(&format!("{base}[accounts.directory]\nurl='ldap://x'\n"))
            .expect_err("not http");
        assert!(err.to_string().contains("http"), "{err}");
        Config::parse(&format!(
            "{base}[accounts.directory]\npath='/srv/company.vcf'\n"
        ))
        .expect("file directory");
    }

    const CONTRACT: &str = r#"
[[accounts]]
id = "alice"
username = "alice"
password = "alicepw"
domain = "127.0.0.1"
registrar = "sip:127.0.0.1:5060"   # optional; default: found from domain
transport = "udp"                  # udp | tcp | tls
codecs = ["opus", "pcmu", "pcma"]  # preference order

[audio]
input = "file:/path/in.wav"        # or "default", a device name, or "null"
output = "file:/path/out.wav"
"#;

    #[test]
    fn the_documented_example_loads() {
        let config = Config::parse(CONTRACT).expect("contract config");
        let alice = &config.accounts[0];
        assert_eq!(alice.id, "alice");
        assert_eq!(alice.password.as_deref(), Some("alicepw"));
        assert_eq!(alice.transport, Some(Transport::Udp));
        assert_eq!(alice.codecs, vec![Codec::Opus, Codec::Pcmu, Codec::Pcma]);
        assert!(alice.enabled && alice.register);
        assert_eq!(config.audio.input, "file:/path/in.wav");
        assert_eq!(config.audio.opus_complexity, 6);
    }

    #[test]
    fn partial_files_take_defaults() {
        let config = Config::parse("[[accounts]]\nid='a'\nusername='a'\ndomain='example.com'\n")
            .expect("minimal account");
        let account = &config.accounts[0];
        assert_eq!(account.transport, None);
        assert_eq!(account.registrar, None);
        assert_eq!(account.expires, 600);
        assert_eq!(
            account.codecs,
            vec![Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma]
        );
        assert_eq!(config.audio.input, "default");
        assert!(Config::parse("").expect("empty").accounts.is_empty());
    }

    #[test]
    fn mistakes_are_named() {
        let err =
            Config::parse("[[accounts]]\nid='a'\nusername='a'\ndomain='d'\ncodecs=['g729']\n")
                .expect_err("unknown codec");
        assert!(err.to_string().contains("g729"), "{err}");
        let err = Config::parse("[[accounts]]\nid='a'\nusername=''\ndomain='d'\n")
            .expect_err("empty user");
        assert!(err.to_string().contains("username"), "{err}");
        let err = Config::parse(
            "[[accounts]]\nid='a'\nusername='a'\ndomain='d'\n[[accounts]]\nid='a'\nusername='b'\ndomain='d'\n",
        )
        .expect_err("duplicate");
        assert!(err.to_string().contains("share"), "{err}");
        let err =
            Config::parse("[[accounts]]\nid='a'\nusername='a'\ndomain='d'\nregistrar='http://x'\n")
                .expect_err("bad registrar");
        assert!(err.to_string().contains("registrar"), "{err}");
        let err = Config::parse("[[accounts]\nid=").expect_err("broken toml");
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
        let err = Config::parse("[audio]\nspeaker='x'\n").expect_err("unknown key");
        assert!(err.to_string().contains("speaker"), "{err}");
        let err =
            Config::parse("[[accounts]]\nid='a'\nusername='a'\ndomain='d'\ntransport='sctp'\n")
                .expect_err("bad transport");
        assert!(err.to_string().contains("sctp"), "{err}");
    }

    #[test]
    fn profile_files_are_read_and_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(Config::load_profile(dir.path())
            .expect("no file")
            .accounts
            .is_empty());
        std::fs::write(dir.path().join("config.toml"), CONTRACT).expect("write");
        assert_eq!(
            Config::load_profile(dir.path())
                .expect("load")
                .accounts
                .len(),
            1
        );
        let huge = "#".repeat((MAX_CONFIG_BYTES + 1) as usize);
        std::fs::write(dir.path().join("config.toml"), huge).expect("write");
        assert!(matches!(
            Config::load_profile(dir.path()),
            Err(ConfigError::TooLarge { .. })
        ));
        std::fs::write(dir.path().join("config.toml"), "[[accounts]]\nid=1\n").expect("write");
        let err = Config::load_profile(dir.path()).expect_err("wrong type");
        assert!(err.to_string().contains("config.toml"), "{err}");
    }

    fn full_config() -> Config {
        let mut config = Config::parse(CONTRACT).expect("contract config");
        let alice = &mut config.accounts[0];
        alice.display_name = Some("Alice \"A\" Ünal".into());
        alice.outbound_proxy = Some("sip:proxy.example.com;lr".into());
        alice.ca_file = Some(PathBuf::from("/etc/ssl/company ca.pem"));
        alice.local_port = Some(5070);
        alice.codecs = vec![Codec::Pcma, Codec::Opus];
        config.accounts.push(AccountConfig {
            id: "work".into(),
            username: "2001".into(),
            password: Some("from-the-keyring".into()),
            password_in_keyring: true,
            domain: "sip.example.com".into(),
            transport: Some(Transport::Tls),
            default: true,
            ..Default::default()
        });
        config.audio.ring = "hw:CARD=USB,DEV=0".into();
        config.audio.opus_bitrate = 24_000;
        config.app = AppConfig {
            language: Some("nl".into()),
            start_minimised: true,
            start_at_login: true,
            do_not_disturb: true,
            auto_answer: false,
            auto_answer_only: vec!["201".into()],
            intercom: true,
            ask_line_for_links: true,
            theme: ThemeSetting::Dark,
            compact: true,
            scale: Some(1.25),
            window: Some(WindowGeometry {
                width: 480,
                height: 700,
                x: Some(40),
                y: None,
            }),
        };
        config
    }

    #[test]
    fn saved_settings_load_back_equal_without_keyring_passwords() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = full_config();
        config.save_profile(dir.path()).expect("save");
        let text = std::fs::read_to_string(dir.path().join("config.toml")).expect("read");
        assert!(!text.contains("from-the-keyring"), "{text}");
        assert!(
            text.contains("alicepw"),
            "a password from the file stays there"
        );
        let loaded = Config::load_profile(dir.path()).expect("load");
        let mut expected = config.clone();
        expected.accounts[1].password = None;
        expected.accounts[1].password_in_keyring = false;
        assert_eq!(loaded, expected);
        // Saved again unchanged, the file is the same.
        loaded.save_profile(dir.path()).expect("save again");
        let again = std::fs::read_to_string(dir.path().join("config.toml")).expect("read");
        assert_eq!(again, text);
    }

    #[test]
    fn saving_is_atomic_private_and_refuses_what_would_not_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        full_config().save_profile(dir.path()).expect("save");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["config.toml".to_string()], "no temp file left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join("config.toml")).expect("meta");
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
        let before = std::fs::read_to_string(dir.path().join("config.toml")).expect("read");
        let mut broken = full_config();
        broken.accounts[1].id = "alice".into();
        let err = broken.save_profile(dir.path()).expect_err("duplicate ids");
        assert!(err.to_string().contains("share"), "{err}");
        let after = std::fs::read_to_string(dir.path().join("config.toml")).expect("read");
        assert_eq!(before, after, "the old file is untouched");
    }

    #[test]
    fn old_files_without_an_app_section_load() {
        let config = Config::parse(CONTRACT).expect("contract config");
        assert_eq!(config.app, AppConfig::default());
        assert!(!config.accounts[0].password_in_keyring);
        let err = Config::parse(
            "[[accounts]]\nid='a'\nusername='a'\ndomain='d'\npassword_in_keyring=true\n",
        )
        .expect_err("not a file key");
        assert!(err.to_string().contains("password_in_keyring"), "{err}");
    }

    #[test]
    fn audio_settings_are_checked() {
        assert!(AudioConfig::default().validate().is_ok());
        let audio = AudioConfig {
            opus_bitrate: 1,
            ..Default::default()
        };
        assert!(matches!(
            audio.validate(),
            Err(AudioConfigError::OpusBitrate(1))
        ));
        let audio = AudioConfig {
            input: "file:".into(),
            ..Default::default()
        };
        let err = audio.validate().expect_err("input");
        assert!(err.to_string().starts_with("`input`: "), "{err}");
    }

    #[test]
    fn a_keepalive_beyond_an_hour_is_refused_with_its_field() {
        let mut config = Config::parse(CONTRACT).expect("contract config");
        config.accounts[0].keepalive_s = 0;
        assert!(config.accounts[0].validate().is_ok(), "0 is off");
        config.accounts[0].keepalive_s = MAX_KEEPALIVE_S;
        assert!(config.accounts[0].validate().is_ok());
        config.accounts[0].keepalive_s = u32::MAX;
        let err = config.accounts[0].validate().expect_err("too long");
        assert!(
            err.to_string().starts_with("`keepalive_s` = 4294967295"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_hides_the_password() {
        let config = full_config();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("alicepw") && !shown.contains("from-the-keyring"),
            "{shown}"
        );
    }

    #[test]
    fn default_account_is_the_marked_or_first_enabled() {
        let config = Config::parse(
            "[[accounts]]\nid='a'\nusername='a'\ndomain='d'\nenabled=false\n\
             [[accounts]]\nid='b'\nusername='b'\ndomain='d'\n\
             [[accounts]]\nid='c'\nusername='c'\ndomain='d'\n",
        )
        .expect("config");
        assert_eq!(config.default_account().map(|a| a.id.as_str()), Some("b"));
        let config = Config::parse(
            "[[accounts]]\nid='b'\nusername='b'\ndomain='d'\n\
             [[accounts]]\nid='c'\nusername='c'\ndomain='d'\ndefault=true\n",
        )
        .expect("config");
        assert_eq!(config.default_account().map(|a| a.id.as_str()), Some("c"));
    }
}
