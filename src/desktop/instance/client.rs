//! A blocking connection to a running Parla's control socket: what a second launch uses to hand
//! over its link, and what tests (or power users) use to send commands and read events.

use super::InstanceError;
use interprocess::local_socket::prelude::*;
use interprocess::local_socket::{GenericFilePath, Stream};
use parla_core::control::MAX_LINE_BYTES;
use parla_core::{Command, Event};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg_attr(not(test), allow(dead_code))] // a second launch only sends; tests read events back
pub struct ControlClient {
    path: PathBuf,
    reader: BufReader<Stream>,
    /// Bytes of an event line not yet complete when a read timed out.
    pending: Vec<u8>,
}

#[cfg_attr(not(test), allow(dead_code))]
impl ControlClient {
    /// Connects to the socket at `path` and checks that the process serving it runs as this user.
    pub fn connect(path: &Path) -> Result<ControlClient, InstanceError> {
        let connect_error = |source| InstanceError::Connect {
            path: path.to_path_buf(),
            source,
        };
        let name = path
            .to_fs_name::<GenericFilePath>()
            .map_err(connect_error)?;
        let stream = Stream::connect(name).map_err(connect_error)?;
        check_same_user(&stream, path)?;
        Ok(ControlClient {
            path: path.to_path_buf(),
            reader: BufReader::new(stream),
            pending: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn send(&mut self, command: &Command) -> Result<(), InstanceError> {
        let line =
            serde_json::to_string(command).map_err(|e| InstanceError::Send(io::Error::other(e)))?;
        self.send_line(&line)
    }

    /// Sends one line as it is (a newline is added): for lines that are not commands.
    pub fn send_line(&mut self, line: &str) -> Result<(), InstanceError> {
        let mut stream = self.reader.get_ref();
        stream
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stream.flush())
            .map_err(InstanceError::Send)
    }

    /// The next event, waiting at most `timeout`; `Ok(None)` when the instance closed the
    /// connection.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, InstanceError> {
        self.reader
            .get_ref()
            .set_recv_timeout(Some(timeout))
            .map_err(InstanceError::Receive)?;
        let room = (MAX_LINE_BYTES + 1).saturating_sub(self.pending.len());
        (&mut self.reader)
            .take(room as u64)
            .read_until(b'\n', &mut self.pending)
            .map_err(InstanceError::Receive)?;
        if !self.pending.ends_with(b"\n") {
            let overlong = self.pending.len() > MAX_LINE_BYTES;
            self.pending.clear();
            if overlong {
                return Err(InstanceError::BadEvent(format!(
                    "a line longer than {MAX_LINE_BYTES} bytes"
                )));
            }
            // End of the stream (a last line without its newline is dropped).
            return Ok(None);
        }
        let line = std::mem::take(&mut self.pending);
        serde_json::from_slice(&line).map(Some).map_err(|e| {
            InstanceError::BadEvent(format!("{e}: {}", String::from_utf8_lossy(&line)))
        })
    }
}

/// The socket file is created 0600, which is what keeps other users out on Linux; this check
/// also covers systems that ignore socket permissions, and a socket another user put at our
/// path in a shared `/tmp`.
#[cfg(unix)]
fn check_same_user(stream: &Stream, path: &Path) -> Result<(), InstanceError> {
    let peer = stream
        .peer_creds()
        .map_err(|source| InstanceError::Connect {
            path: path.to_path_buf(),
            source,
        })?
        .euid();
    if peer == Some(rustix::process::geteuid().as_raw()) {
        Ok(())
    } else {
        Err(InstanceError::ForeignOwner {
            path: path.to_path_buf(),
            uid: peer,
        })
    }
}

#[cfg(not(unix))]
fn check_same_user(_stream: &Stream, _path: &Path) -> Result<(), InstanceError> {
    Ok(())
}
