//! What is present in the settings but wrong, named for the person who typed it: one error
//! type per section, each message naming the field.

use std::collections::HashSet;

use super::{AccountConfig, AudioConfig, Config, ConfigError, DirectoryConfig};
use crate::store::StoreError;
use crate::ua::uri::parse_server_uri;
/// Why a `registrar` or `outbound_proxy` is not a SIP server address.
pub use crate::ua::uri::ServerUriError;

/// What is wrong with an `[[accounts]]` entry.
#[derive(Debug, thiserror::Error)]
pub enum AccountConfigError {
    /// `id`, `username` or `domain` is empty (or only spaces).
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("`codecs` names no codec")]
    NoCodecs,
    #[error("`expires` = {0} is outside 60..=86400 seconds")]
    Expires(u32),
    #[error("`keepalive_s` = {0} is above {max} seconds (0 turns keep-alives off)", max = super::MAX_KEEPALIVE_S)]
    Keepalive(u32),
    /// `registrar` or `outbound_proxy` is not a SIP server address.
    #[error("`{field}`: {error}")]
    Server {
        field: &'static str,
        error: ServerUriError,
    },
    #[error("`region`: {0}")]
    Region(StoreError),
    #[error("`directory`: {0}")]
    Directory(DirectoryConfigError),
    /// `[accounts.answering_machine]`: the message names the field.
    #[error("`answering_machine`: {0}")]
    AnsweringMachine(String),
    /// `identities`, `feature_codes` or `forwarding`: the message names the field.
    #[error("{0}")]
    CallFeatures(String),
    #[error("two accounts share this id")]
    DuplicateId,
}

/// What is wrong with an `[accounts.directory]` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryConfigError {
    #[error("give `url` or `path`, not both")]
    UrlAndPath,
    #[error("give a CardDAV `url` or a file `path`")]
    NoSource,
    #[error("`url` {0:?} is not an http(s) address")]
    NotHttp(String),
}

/// What is wrong with the `[audio]` settings.
#[derive(Debug, thiserror::Error)]
pub enum AudioConfigError {
    /// `input`, `output` or `ring` names no usable endpoint.
    #[error("`{field}`: {error}")]
    Endpoint {
        field: &'static str,
        error: parla_media::MediaError,
    },
    #[error("`opus_bitrate` = {0} is outside 6000..=510000")]
    OpusBitrate(i32),
    #[error("`opus_complexity` = {0} is above 10")]
    OpusComplexity(u8),
    #[error("`music_on_hold`: {0}")]
    MusicOnHold(parla_media::MediaError),
    #[error("`conference_size` = {0} is outside 2..=10")]
    ConferenceSize(usize),
}

impl AccountConfig {
    /// What is wrong with the account, in words for the person who typed it.
    pub fn validate(&self) -> Result<(), AccountConfigError> {
        for (field, value) in [
            ("id", &self.id),
            ("username", &self.username),
            ("domain", &self.domain),
        ] {
            if value.trim().is_empty() {
                return Err(AccountConfigError::Empty(field));
            }
        }
        if self.codecs.is_empty() {
            return Err(AccountConfigError::NoCodecs);
        }
        if !(60..=86_400).contains(&self.expires) {
            return Err(AccountConfigError::Expires(self.expires));
        }
        if self.keepalive_s > super::MAX_KEEPALIVE_S {
            return Err(AccountConfigError::Keepalive(self.keepalive_s));
        }
        for (field, value) in [
            ("registrar", &self.registrar),
            ("outbound_proxy", &self.outbound_proxy),
        ] {
            if let Some(uri) = value {
                parse_server_uri(uri)
                    .map_err(|error| AccountConfigError::Server { field, error })?;
            }
        }
        if let Some(region) = &self.region {
            region
                .parse::<crate::store::Region>()
                .map_err(AccountConfigError::Region)?;
        }
        if let Some(directory) = &self.directory {
            directory
                .validate()
                .map_err(AccountConfigError::Directory)?;
        }
        if let Some(problem) = self.answering_machine.problem() {
            return Err(AccountConfigError::AnsweringMachine(problem));
        }
        if let Some(problem) = self.call_features_problem() {
            return Err(AccountConfigError::CallFeatures(problem));
        }
        Ok(())
    }
}

impl DirectoryConfig {
    pub fn validate(&self) -> Result<(), DirectoryConfigError> {
        match (&self.url, &self.path) {
            (Some(_), Some(_)) => Err(DirectoryConfigError::UrlAndPath),
            (None, None) => Err(DirectoryConfigError::NoSource),
            (Some(url), None) => {
                let lower = url.trim().to_ascii_lowercase();
                if lower.starts_with("https://") || lower.starts_with("http://") {
                    Ok(())
                } else {
                    Err(DirectoryConfigError::NotHttp(url.clone()))
                }
            }
            (None, Some(_)) => Ok(()),
        }
    }
}

impl AudioConfig {
    /// Opus accepts 6 to 510 kbit/s and complexity 0 to 10.
    pub fn validate(&self) -> Result<(), AudioConfigError> {
        let mut endpoints = vec![("input", &self.input), ("output", &self.output)];
        if !self.ring.trim().is_empty() {
            endpoints.push(("ring", &self.ring));
        }
        for (field, value) in endpoints {
            parla_media::AudioEndpoint::parse(value)
                .map_err(|error| AudioConfigError::Endpoint { field, error })?;
        }
        if !(6_000..=510_000).contains(&self.opus_bitrate) {
            return Err(AudioConfigError::OpusBitrate(self.opus_bitrate));
        }
        if self.opus_complexity > 10 {
            return Err(AudioConfigError::OpusComplexity(self.opus_complexity));
        }
        parla_media::MusicOnHold::parse(&self.music_on_hold)
            .map_err(AudioConfigError::MusicOnHold)?;
        if !(2..=Self::MAX_CONFERENCE_SIZE).contains(&self.conference_size) {
            return Err(AudioConfigError::ConferenceSize(self.conference_size));
        }
        Ok(())
    }
}

impl Config {
    /// Every account valid, and no two with one id.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = HashSet::new();
        for account in &self.accounts {
            let named = |error| ConfigError::Account {
                account: account.id.clone(),
                error,
            };
            account.validate().map_err(named)?;
            if !seen.insert(account.id.as_str()) {
                return Err(named(AccountConfigError::DuplicateId));
            }
        }
        Ok(())
    }
}
