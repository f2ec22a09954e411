//! Radicale, a CardDAV/CalDAV server from PyPI, for the shared-directory sync tests.
//!
//! `scripts/install-test-deps.sh` installs it into a venv at [`DEFAULT_BINARY`]; the
//! `PARLA_RADICALE` environment variable names another binary. Users log in with htpasswd
//! (plain), collections live in the instance's temp folder, optionally behind TLS.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::certs::{self, TestCerts};
use crate::error::{BenchError, IoContext, Result};
use crate::ports::free_port_tcp;
use crate::process::{poll_until, Proc};
use crate::workdir::BenchDir;

/// Where the install script puts Radicale.
pub const DEFAULT_BINARY: &str = "/opt/parla-test/venv/bin/radicale";
/// Environment variable naming another `radicale` binary.
pub const BINARY_ENV: &str = "PARLA_RADICALE";

const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How to start Radicale.
#[derive(Debug, Clone, Default)]
pub struct RadicaleOptions {
    /// `(user, password)` pairs that may log in.
    pub users: Vec<(String, String)>,
    /// Serve HTTPS with a throw-away CA ([`Radicale::ca_cert`]).
    pub tls: bool,
}

/// A running Radicale. Dropping it stops it.
#[derive(Debug)]
pub struct Radicale {
    proc: Proc,
    port: u16,
    certs: Option<TestCerts>,
    dir: BenchDir,
}

impl Radicale {
    /// The binary to run: `$PARLA_RADICALE`, else [`DEFAULT_BINARY`], else `radicale` on PATH.
    pub fn binary() -> PathBuf {
        if let Some(b) = std::env::var_os(BINARY_ENV).filter(|v| !v.is_empty()) {
            return PathBuf::from(b);
        }
        if Path::new(DEFAULT_BINARY).exists() {
            return PathBuf::from(DEFAULT_BINARY);
        }
        PathBuf::from("radicale")
    }

    pub fn start(opts: RadicaleOptions) -> Result<Radicale> {
        let dir = BenchDir::new("radicale")?;
        let port = free_port_tcp()?;
        let users = dir.join("users");
        let mut lines = String::new();
        for (user, password) in &opts.users {
            lines.push_str(&format!("{user}:{password}\n"));
        }
        std::fs::write(&users, lines).ctx(|| format!("writing {}", users.display()))?;
        let certs = if opts.tls {
            Some(certs::generate(&dir.join("certs"), &[])?)
        } else {
            None
        };
        let tls = match &certs {
            Some(c) => format!(
                "ssl = True\ncertificate = {}\nkey = {}\n",
                c.server_cert.display(),
                c.server_key.display()
            ),
            None => String::new(),
        };
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\n{tls}\n\
             [auth]\ntype = htpasswd\nhtpasswd_filename = {}\nhtpasswd_encryption = plain\ndelay = 0\n\n\
             [rights]\ntype = owner_only\n\n\
             [storage]\nfilesystem_folder = {}\n\n\
             [logging]\nlevel = info\nmask_passwords = True\n",
            users.display(),
            dir.join("collections").display()
        );
        let config_path = dir.join("config");
        std::fs::write(&config_path, config)
            .ctx(|| format!("writing {}", config_path.display()))?;
        let mut cmd = Command::new(Self::binary());
        cmd.arg("--config").arg(&config_path);
        let proc = Proc::spawn("radicale", cmd, &dir.join("radicale.log"))?;
        let mut r = Radicale {
            proc,
            port,
            certs,
            dir,
        };
        r.wait_ready()?;
        Ok(r)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let up = poll_until(START_TIMEOUT, Duration::from_millis(50), || {
            self.proc.ensure_running()?;
            Ok(
                TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                    .ok()
                    .map(|_| ()),
            )
        })?;
        up.ok_or_else(|| {
            BenchError::timeout(
                "radicale to listen",
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` (or `https://` with TLS), no trailing slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.certs.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The CA that signed the server's certificate (TLS only).
    pub fn ca_cert(&self) -> Option<&Path> {
        self.certs.as_ref().map(|c| c.ca_cert.as_path())
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_path(&self) -> &Path {
        self.proc.log_path()
    }

    pub fn stop(&mut self) {
        self.proc.stop();
    }
}
