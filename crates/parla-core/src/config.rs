//! The profile's `config.toml`: accounts ("lines") and audio settings.
//!
//! Every struct carries `#[serde(default)]` so that old or partial files still load; what is
//! present but wrong is refused with a message naming the account and the field.

use crate::sdp::Codec;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Largest config file we read: a person's settings are a few KiB; anything near this is not one.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

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
    #[error("account {account:?}: {message}")]
    Account { account: String, message: String },
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
            codecs: vec![Codec::Opus, Codec::Pcmu, Codec::Pcma],
            ca_file: None,
        }
    }
}

impl AccountConfig {
    fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("`id` is empty".into());
        }
        if self.username.trim().is_empty() {
            return Err("`username` is empty".into());
        }
        if self.domain.trim().is_empty() {
            return Err("`domain` is empty".into());
        }
        if self.codecs.is_empty() {
            return Err("`codecs` names no codec".into());
        }
        if !(60..=86_400).contains(&self.expires) {
            return Err(format!(
                "`expires` = {} is outside 60..=86400 seconds",
                self.expires
            ));
        }
        for (field, value) in [
            ("registrar", &self.registrar),
            ("outbound_proxy", &self.outbound_proxy),
        ] {
            if let Some(uri) = value {
                crate::ua::uri::parse_server_uri(uri).map_err(|e| format!("`{field}`: {e}"))?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// `default`, a device name, `file:/path/in.wav` or `null`.
    pub input: String,
    pub output: String,
    /// Where the ringtone plays; empty: the output device. Tones play only on sound devices.
    pub ring: String,
    pub opus_bitrate: i32,
    pub opus_complexity: u8,
}

impl Default for AudioConfig {
    fn default() -> Self {
        Self {
            input: "default".into(),
            output: "default".into(),
            ring: String::new(),
            opus_bitrate: 32_000,
            opus_complexity: 9,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub accounts: Vec<AccountConfig>,
    pub audio: AudioConfig,
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

    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from(Self::FILE_NAME),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = HashSet::new();
        for account in &self.accounts {
            account.validate().map_err(|message| ConfigError::Account {
                account: account.id.clone(),
                message,
            })?;
            if !seen.insert(account.id.as_str()) {
                return Err(ConfigError::Account {
                    account: account.id.clone(),
                    message: "two accounts share this id".into(),
                });
            }
        }
        Ok(())
    }

    /// The line for outgoing calls when none is named.
    pub fn default_account(&self) -> Option<&AccountConfig> {
        let enabled = || self.accounts.iter().filter(|a| a.enabled);
        enabled().find(|a| a.default).or_else(|| enabled().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(config.audio.opus_complexity, 9);
    }

    #[test]
    fn partial_files_take_defaults() {
        let config = Config::parse("[[accounts]]\nid='a'\nusername='a'\ndomain='example.com'\n")
            .expect("minimal account");
        let account = &config.accounts[0];
        assert_eq!(account.transport, None);
        assert_eq!(account.registrar, None);
        assert_eq!(account.expires, 600);
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
