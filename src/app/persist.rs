//! Saving settings: the TOML file (atomically, by parla-core) and passwords in the OS keyring.
//! Keyring calls are blocking D-Bus round trips: parla-core runs them off the async workers
//! with a time limit.

use parla_core::secrets::{self, OsKeyring, SecretError, SecretStore};
use parla_core::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Writes the file; passwords marked as kept in the keyring stay out of it.
pub fn save_config(profile: &Path, config: &Config) -> Result<(), String> {
    config.save_profile(profile).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordOutcome {
    InKeyring,
    /// No keyring runs: the person is asked whether to keep it in the settings file.
    NoKeyring(String),
    Failed(String),
}

fn keyring(profile: &Path) -> Arc<dyn SecretStore> {
    Arc::new(OsKeyring::new(profile))
}

pub async fn store_password(
    profile: PathBuf,
    account: String,
    password: String,
) -> PasswordOutcome {
    match secrets::call(keyring(&profile), move |s| s.set(&account, &password)).await {
        Ok(()) => PasswordOutcome::InKeyring,
        Err(e @ SecretError::Unavailable) => PasswordOutcome::NoKeyring(e.to_string()),
        Err(e) => PasswordOutcome::Failed(e.to_string()),
    }
}

pub async fn forget_password(profile: PathBuf, account: String) {
    let _ = secrets::call(keyring(&profile), move |s| s.delete(&account)).await;
}

/// The engine's keyring for this profile.
pub fn engine_keyring(profile: &Path) -> Arc<dyn SecretStore> {
    keyring(profile)
}
