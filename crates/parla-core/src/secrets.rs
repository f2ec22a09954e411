//! Account passwords in the OS keyring: the Secret Service on Linux (over zbus, pure Rust), the
//! Windows Credential Manager, the macOS keychain; through keyring-core, the library of keyring 4.
//!
//! Every call is a blocking IPC call that may wait on a locked keyring or a daemon that does not
//! answer: async code goes through [`call`], which runs it on the blocking pool and gives up
//! after [`KEYRING_TIMEOUT`].

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The service name every Parla password is filed under.
pub const SERVICE: &str = "parla";
/// Longest wait for one keyring call from async code.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No keyring service at all (no Secret Service on the session bus, or no session bus).
    #[error("no keyring is running (Secret Service): the password was not saved")]
    Unavailable,
    /// The keyring is there but locked, or the person dismissed the unlock prompt.
    #[error("the keyring is locked: unlock it and try again")]
    Locked,
    #[error("the keyring did not answer within {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error("keyring: {0}")]
    Failed(String),
}

/// Where account passwords are kept, by account id.
pub trait SecretStore: Send + Sync {
    /// `Ok(None)` when no password is saved for the account.
    fn get(&self, account: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, account: &str, password: &str) -> Result<(), SecretError>;
    /// Deleting a password that is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretError>;
}

/// Runs a blocking keyring call off the async workers, bounded by [`KEYRING_TIMEOUT`]. On
/// timeout the call is left to finish on its own thread.
pub async fn call<T, F>(store: Arc<dyn SecretStore>, f: F) -> Result<T, SecretError>
where
    T: Send + 'static,
    F: FnOnce(&dyn SecretStore) -> Result<T, SecretError> + Send + 'static,
{
    let task = tokio::task::spawn_blocking(move || f(store.as_ref()));
    match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(SecretError::Failed(format!("keyring call failed: {e}"))),
        Err(_) => Err(SecretError::TimedOut(KEYRING_TIMEOUT)),
    }
}

/// The entry's user name: the account id and the profile folder, so that two profiles (a test
/// profile, a portable install) never share a password.
pub fn keyring_user(profile: &Path, account: &str) -> String {
    format!("{account} @ {}", profile.display())
}

/// The platform's keyring. The connection is opened on first use and opened again after a
/// failure, so a keyring that starts after Parla is found.
pub struct OsKeyring {
    profile: std::path::PathBuf,
    store: Mutex<Option<Arc<CredentialStore>>>,
}

impl OsKeyring {
    /// `profile` is made absolute (when it exists) so that `./p` and `/home/ana/p` agree.
    pub fn new(profile: &Path) -> Self {
        let profile = std::fs::canonicalize(profile).unwrap_or_else(|_| profile.to_path_buf());
        Self {
            profile,
            store: Mutex::new(None),
        }
    }

    pub fn user(&self, account: &str) -> String {
        keyring_user(&self.profile, account)
    }

    fn store(&self) -> Result<Arc<CredentialStore>, SecretError> {
        let mut cached = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = cached.as_ref() {
            return Ok(store.clone());
        }
        let store = native_store().map_err(|e| {
            tracing::debug!(error = %e, "no keyring");
            SecretError::Unavailable
        })?;
        *cached = Some(store.clone());
        Ok(store)
    }

    fn entry(&self, account: &str) -> Result<Entry, SecretError> {
        let user = self.user(account);
        let label = format!("Parla: line {account}");
        self.store()?
            .build(SERVICE, &user, modifiers(&label).as_ref())
            .map_err(|e| self.failure(e))
    }

    /// Maps a keyring error; a failure of the platform drops the connection so that the next
    /// call opens a new one (the keyring daemon may have restarted).
    fn failure(&self, error: KeyringError) -> SecretError {
        match error {
            KeyringError::NoStorageAccess(_) => SecretError::Locked,
            KeyringError::NoDefaultStore => SecretError::Unavailable,
            // Only Display: the Debug of some variants carries the secret's bytes.
            other => {
                *self.store.lock().unwrap_or_else(PoisonError::into_inner) = None;
                SecretError::Failed(other.to_string())
            }
        }
    }
}

impl Drop for OsKeyring {
    fn drop(&mut self) {
        let cached = self
            .store
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(store) = cached {
            // Closing the Secret Service connection blocks on D-Bus (zbus drives it with a
            // runtime of its own), which panics when the last owner is dropped on an async
            // worker, e.g. the engine at quit: close it on a thread of its own.
            let _ = std::thread::Builder::new()
                .name("parla-keyring-close".into())
                .spawn(move || drop(store));
        }
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        match self.entry(account)?.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(KeyringError::Ambiguous(entries)) => Err(SecretError::Failed(format!(
                "{} passwords are saved for line {account}",
                entries.len()
            ))),
            Err(e) => Err(self.failure(e)),
        }
    }

    fn set(&self, account: &str, password: &str) -> Result<(), SecretError> {
        self.entry(account)?
            .set_password(password)
            .map_err(|e| self.failure(e))
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(self.failure(e)),
        }
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

/// The label shows in keyring managers (Seahorse, KWallet); other stores take no modifiers.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn modifiers(label: &str) -> Option<std::collections::HashMap<&str, &str>> {
    Some(std::collections::HashMap::from([("label", label)]))
}

#[cfg(target_os = "windows")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(not(any(
    target_os = "windows",
    target_os = "macos",
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )
)))]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(KeyringError::NotSupportedByStore(
        "no keyring on this platform".into(),
    ))
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
fn modifiers(_label: &str) -> Option<std::collections::HashMap<&str, &str>> {
    None
}

/// Passwords in memory, for tests of code that needs a [`SecretStore`] but not a keyring.
#[derive(Default)]
pub struct MemorySecrets(Mutex<std::collections::HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(map.get(account).cloned())
    }

    fn set(&self, account: &str, password: &str) -> Result<(), SecretError> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(account.to_string(), password.to_string());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks until released, like a keyring waiting on an unlock prompt nobody answers.
    struct Stuck(Mutex<std::sync::mpsc::Receiver<()>>);

    impl SecretStore for Stuck {
        fn get(&self, _: &str) -> Result<Option<String>, SecretError> {
            let _ = self.0.lock().unwrap_or_else(PoisonError::into_inner).recv();
            Ok(None)
        }
        fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<(), SecretError> {
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_keyring_that_does_not_answer_is_given_up() {
        let (release, blocked) = std::sync::mpsc::channel();
        let store = Arc::new(Stuck(Mutex::new(blocked)));
        let pending = tokio::spawn(call(store, |s| s.get("alice")));
        // A running blocking task stops the paused clock from advancing by itself.
        tokio::task::yield_now().await;
        tokio::time::advance(KEYRING_TIMEOUT + Duration::from_secs(1)).await;
        let result = pending.await.expect("join");
        drop(release);
        assert_eq!(result, Err(SecretError::TimedOut(KEYRING_TIMEOUT)));
    }

    #[tokio::test]
    async fn calls_run_off_the_async_workers() {
        let store: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        call(store.clone(), |s| s.set("alice", "pw"))
            .await
            .expect("set");
        let got = call(store.clone(), |s| s.get("alice")).await;
        assert_eq!(got, Ok(Some("pw".into())));
        call(store.clone(), |s| s.delete("alice"))
            .await
            .expect("delete");
        assert_eq!(call(store, |s| s.get("alice")).await, Ok(None));
    }

    #[test]
    fn two_profiles_do_not_share_an_entry() {
        let a = keyring_user(Path::new("/home/ana/.config/parla"), "work");
        let b = keyring_user(Path::new("/tmp/test-profile"), "work");
        assert_ne!(a, b);
        assert!(a.starts_with("work"), "{a}");
    }

    #[test]
    fn unavailable_says_so_plainly() {
        assert_eq!(
            SecretError::Unavailable.to_string(),
            "no keyring is running (Secret Service): the password was not saved"
        );
    }
}
