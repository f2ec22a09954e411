//! Saving settings: the TOML file (atomically, by parla-core) and passwords in the OS keyring.
//! Keyring calls are blocking D-Bus round trips: parla-core runs them off the async workers
//! with a time limit. The file is written (with an fsync) on its own thread, never in the
//! window's `update`.

use parla_core::secrets::{self, OsKeyring, SecretError, SecretStore};
use parla_core::Config;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use tokio::sync::mpsc as async_mpsc;

enum Write {
    Save(Box<Config>),
    /// Answered once every save sent before is on disk.
    Flush(mpsc::Sender<()>),
}

/// Writes `config.toml` on a thread of its own, newest settings last: saves that queue up
/// while one is written collapse into the latest. Failures come out of the receiver
/// [`ConfigWriter::start`] returns.
#[derive(Debug, Clone)]
pub struct ConfigWriter {
    writes: mpsc::Sender<Write>,
}

impl std::fmt::Debug for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Write::Save(_) => "Save",
            Write::Flush(_) => "Flush",
        })
    }
}

impl ConfigWriter {
    pub fn start(profile: PathBuf) -> (ConfigWriter, async_mpsc::UnboundedReceiver<String>) {
        let (writes, jobs) = mpsc::channel::<Write>();
        let (failures, failed) = async_mpsc::unbounded_channel();
        let spawned = std::thread::Builder::new()
            .name("parla-settings".into())
            .spawn(move || write_loop(&profile, &jobs, &failures));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the settings writer; settings are not saved");
        }
        (ConfigWriter { writes }, failed)
    }

    /// Queues the settings to be written; returns at once.
    pub fn save(&self, config: &Config) {
        let _ = self.writes.send(Write::Save(Box::new(config.clone())));
    }

    /// Waits (at most 5 s) until every save queued before is written: before the process
    /// exits, and in tests that read the file afterwards.
    pub fn flush(&self) {
        let (done, written) = mpsc::channel();
        if self.writes.send(Write::Flush(done)).is_ok() {
            let _ = written.recv_timeout(std::time::Duration::from_secs(5));
        }
    }
}

fn write_loop(
    profile: &Path,
    jobs: &mpsc::Receiver<Write>,
    failures: &async_mpsc::UnboundedSender<String>,
) {
    while let Ok(job) = jobs.recv() {
        let mut latest = None;
        let mut flushes = Vec::new();
        for job in std::iter::once(job).chain(jobs.try_iter()) {
            match job {
                Write::Save(config) => latest = Some(config),
                Write::Flush(done) => flushes.push(done),
            }
        }
        if let Some(config) = latest {
            if let Err(e) = config.save_profile(profile) {
                tracing::warn!(error = %e, "settings not saved");
                let _ = failures.send(e.to_string());
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
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
