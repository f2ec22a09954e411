//! Single instance: the first Parla on a profile owns a local control socket; a second launch
//! hands its link (or a "show yourself") to it and exits. The socket speaks the JSON lines of the
//! control protocol (`parla_core::control`): commands in, every event out.

mod client;
pub mod server;

pub use client::ControlClient;
pub use server::ControlServer;

use parla_core::Command;
use std::io;
use std::path::{Path, PathBuf};

/// `sun_path` holds 108 bytes on Linux (104 on the BSDs), the terminating NUL included.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("cannot lock the profile folder {path}: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot create the control socket {path}: {source}")]
    Bind {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot reach the running Parla at {path}: {source}")]
    Connect {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is served by another user (uid {uid:?}); nothing is handed to it")]
    ForeignOwner { path: PathBuf, uid: Option<u32> },
    #[error("the running Parla did not take the request: {0}")]
    Send(#[source] io::Error),
    #[allow(dead_code)] // reading events back is for tests and scripts; a launch only sends
    #[error("no event from the running Parla: {0}")]
    Receive(#[source] io::Error),
    #[allow(dead_code)]
    #[error("the running Parla sent something that is not an event: {0}")]
    BadEvent(String),
}

/// Who owns the profile's control socket.
pub enum Claim {
    /// This process does: it serves the socket until the server is dropped.
    Primary(ControlServer),
    /// Another Parla does: here is a connection to it.
    Running(ControlClient),
}

/// What `main` does next after [`forward_if_running`].
pub enum Launch {
    /// The running instance took the request: this process has nothing more to do.
    Forwarded,
    /// This is the first instance. `None` when the socket could not be set up: the phone still
    /// works, but a second launch will not find it (the reason is logged).
    Primary(Option<ControlServer>),
}

/// The profile's control socket: `$XDG_RUNTIME_DIR/parla-<uid>-<hash>.sock` (else `/tmp`), the
/// hash taken from the profile's canonical path so that each profile has its own instance.
pub fn socket_path(profile: &Path) -> PathBuf {
    use sha2::Digest;
    let canonical = std::fs::canonicalize(profile)
        .or_else(|_| std::path::absolute(profile))
        .unwrap_or_else(|_| profile.to_path_buf());
    let digest = sha2::Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let name = format!("parla-{}-{hash}.sock", user_id());
    platform_socket_path(&name)
}

#[cfg(unix)]
fn platform_socket_path(name: &str) -> PathBuf {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute() && dir.is_dir());
    match runtime {
        Some(dir) if dir.join(name).as_os_str().len() <= MAX_SOCKET_PATH => dir.join(name),
        _ => Path::new("/tmp").join(name),
    }
}

#[cfg(not(unix))]
fn platform_socket_path(name: &str) -> PathBuf {
    let _ = MAX_SOCKET_PATH;
    PathBuf::from(format!(r"\\.\pipe\{name}"))
}

#[cfg(unix)]
fn user_id() -> String {
    rustix::process::getuid().as_raw().to_string()
}

#[cfg(not(unix))]
fn user_id() -> String {
    std::env::var("USERNAME").unwrap_or_default()
}

/// Connects to the Parla serving `profile`, or becomes it. A socket file left by an instance
/// that was killed is removed. Claims of one profile are serialised by a lock on its folder,
/// so two launches at once cannot both become the first.
pub fn claim(profile: &Path) -> Result<Claim, InstanceError> {
    let path = socket_path(profile);
    let _lock = lock_profile(profile)?;
    match ControlClient::connect(&path) {
        Ok(client) => return Ok(Claim::Running(client)),
        Err(InstanceError::Connect { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
        Err(InstanceError::Connect { source, .. })
            if source.kind() == io::ErrorKind::ConnectionRefused =>
        {
            tracing::info!(socket = %path.display(), "removing the socket of an instance that is gone");
            remove_stale(&path)?;
        }
        Err(e) => return Err(e),
    }
    ControlServer::start(path).map(Claim::Primary)
}

/// The second-launch step `main` runs before starting the window or the headless engine: when
/// Parla already runs on `profile`, it is asked to dial `dial` (or, with no link, to show its
/// window) and this process is done.
pub fn forward_if_running(profile: &Path, dial: Option<&str>) -> Result<Launch, InstanceError> {
    match claim(profile) {
        Ok(Claim::Running(mut client)) => {
            let command = match dial {
                Some(to) => Command::Dial {
                    account: None,
                    to: to.to_string(),
                    identity: None,
                    anonymous: false,
                },
                None => Command::Show,
            };
            client.send(&command)?;
            Ok(Launch::Forwarded)
        }
        Ok(Claim::Primary(server)) => Ok(Launch::Primary(Some(server))),
        Err(e) => {
            tracing::warn!(error = %e, "running without a control socket");
            Ok(Launch::Primary(None))
        }
    }
}

fn remove_stale(path: &Path) -> Result<(), InstanceError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(InstanceError::Bind {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// An exclusive `flock` on the profile folder, held while a claim decides; released on drop.
#[cfg(unix)]
fn lock_profile(profile: &Path) -> Result<std::fs::File, InstanceError> {
    let lock_error = |source| InstanceError::Lock {
        path: profile.to_path_buf(),
        source,
    };
    let dir = std::fs::File::open(profile).map_err(lock_error)?;
    rustix::fs::flock(&dir, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| lock_error(e.into()))?;
    Ok(dir)
}

/// Named pipes cannot be left behind by a dead process: there is nothing to race over.
#[cfg(not(unix))]
fn lock_profile(_profile: &Path) -> Result<(), InstanceError> {
    Ok(())
}

#[cfg(test)]
mod tests;
