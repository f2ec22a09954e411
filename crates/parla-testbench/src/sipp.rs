//! SIPp runs: a scenario (file or built-in) against a peer, in the background, with its PID.
//!
//! Files under tests/peers/sipp/ (see [`scenario_path`]):
//! - `uac_direct.xml`: INVITE straight to a UA (not through a proxy), ACK the 200, BYE.
//!   The R-URI is `sip:[service]@[remote_ip]:[remote_port]` (`service` = `-s`).
//! - `uas_answer.xml`: answers an INVITE (180, 200 with SDP), waits for ACK and BYE.
//! - `uas_busy.xml`: answers an INVITE with 486 Busy Here and takes the ACK.
//! - `uac_options.xml`: sends OPTIONS to `sip:[service]@[remote_ip]:[remote_port]`, expects 200.
//! - `uac_options_nouser.xml`: the same to `sip:[remote_ip]:[remote_port]` (a proxy itself).
//! - `mwi_publish.xml`: PUBLISH `Event: message-summary` (what [`crate::Kamailio::publish_mwi`]
//!   runs; keys `user`, `new`, `old`, `waiting`, `account`, `if_match`).
//! - `mwi_subscribe.xml`: SUBSCRIBE message-summary through Kamailio with digest auth, NOTIFYs
//!   until one has `Voice-Message:`, then an in-dialog refresh and an unsubscribe.
//! - `mwi_unsolicited_notify.xml`: an out-of-dialog NOTIFY `Event: message-summary` to
//!   `sip:[service]@[remote_ip]:[remote_port]`; keys `new`, `old`, `waiting`, `account`; takes
//!   any common final response. Another source address: `extra_args` `["-i", "127.0.0.2"]` (the
//!   last `-i` wins over the bench's `-i 127.0.0.1`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::error::{BenchError, Result};
use crate::ports::{free_port_range, free_port_udp_tcp};
use crate::process::{log_tail, Proc};
use crate::workdir::BenchDir;
use crate::Transport;

/// A scenario file under tests/peers/sipp/, e.g. `scenario_path("uas_busy")`.
pub fn scenario_path(name: &str) -> PathBuf {
    crate::kamailio::peers_dir()
        .join("sipp")
        .join(format!("{name}.xml"))
}

#[derive(Debug, Clone)]
pub enum Scenario {
    /// `-sf FILE`
    File(PathBuf),
    /// `-sn NAME`, e.g. `uac`, `uas`, `regexp`
    Builtin(String),
}

#[derive(Debug, Clone)]
pub struct SippOptions {
    pub scenario: Scenario,
    /// `host:port` to send to; `None` for a UAS that only waits.
    pub remote: Option<String>,
    /// `-s`: the user part of the R-URI.
    pub service: Option<String>,
    /// `-au`/`-ap` digest credentials.
    pub auth: Option<(String, String)>,
    /// Local SIP port (`-p`); `None`: a free one.
    pub local_port: Option<u16>,
    pub transport: Transport,
    /// `-m`: calls to run before exiting.
    pub calls: u32,
    /// `-timeout`: SIPp exits (with failure, `-timeout_error`) after this long.
    pub timeout: Duration,
    /// Anything else, e.g. `["-key", "to_user", "bob"]` or `["-d", "2000"]`.
    pub extra_args: Vec<String>,
}

impl SippOptions {
    pub fn new(scenario: Scenario) -> SippOptions {
        SippOptions {
            scenario,
            remote: None,
            service: None,
            auth: None,
            local_port: None,
            transport: Transport::Udp,
            calls: 1,
            timeout: Duration::from_secs(20),
            extra_args: Vec::new(),
        }
    }

    /// A scenario file from tests/peers/sipp/ by name, e.g. `"uac_options"`.
    pub fn bench(name: &str) -> SippOptions {
        SippOptions::new(Scenario::File(scenario_path(name)))
    }
}

/// A SIPp process. Its screen, messages and errors are logged in its folder.
#[derive(Debug)]
pub struct Sipp {
    proc: Proc,
    local_port: u16,
    dir: BenchDir,
}

impl Sipp {
    /// Starts SIPp in the background (no `-bg`: that would fork away from our PID).
    pub fn start(opts: SippOptions) -> Result<Sipp> {
        let dir = BenchDir::new("sipp")?;
        let local_port = match opts.local_port {
            Some(p) => p,
            None => free_port_udp_tcp()?,
        };
        // RTP echo port and the three after it (RTCP, video) must not clash with other tests.
        let media_port = free_port_range(4)?;
        let mut cmd = Command::new("sipp");
        if let Some(remote) = &opts.remote {
            cmd.arg(remote);
        }
        match &opts.scenario {
            Scenario::File(path) => cmd.arg("-sf").arg(path),
            Scenario::Builtin(name) => cmd.arg("-sn").arg(name),
        };
        if let Some(service) = &opts.service {
            cmd.arg("-s").arg(service);
        }
        if let Some((user, password)) = &opts.auth {
            cmd.arg("-au").arg(user).arg("-ap").arg(password);
        }
        cmd.args(["-i", "127.0.0.1", "-mi", "127.0.0.1", "-p"])
            .arg(local_port.to_string())
            .arg("-mp")
            .arg(media_port.to_string())
            .arg("-t")
            .arg(opts.transport.sipp_mode())
            .arg("-m")
            .arg(opts.calls.to_string())
            .arg("-timeout")
            .arg(format!("{}s", opts.timeout.as_secs().max(1)))
            .args(["-timeout_error", "-nostdin", "-trace_msg", "-trace_err"])
            .arg("-message_file")
            .arg(dir.join("messages.log"))
            .arg("-error_file")
            .arg(dir.join("errors.log"))
            .args(["-trace_screen", "-screen_file"])
            .arg(dir.join("screen.log"))
            .args(&opts.extra_args)
            .current_dir(dir.path());
        let proc = Proc::spawn("sipp", cmd, &dir.join("sipp.log"))?;
        Ok(Sipp {
            proc,
            local_port,
            dir,
        })
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn local_port(&self) -> u16 {
        self.local_port
    }

    /// `127.0.0.1:PORT` of SIPp's SIP socket.
    pub fn local_addr(&self) -> String {
        format!("127.0.0.1:{}", self.local_port)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Waits for SIPp to finish; exit code 0 means every call succeeded. A timeout error
    /// carries [`Sipp::diagnostics`].
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        self.proc.wait_timeout(timeout).map_err(|e| match e {
            BenchError::Timeout { what, timeout, .. } => BenchError::Timeout {
                what,
                timeout,
                log_tail: format!("\n{}", self.diagnostics()),
            },
            other => other,
        })
    }

    /// The SIP messages SIPp sent and received (`-trace_msg`).
    pub fn messages(&self) -> String {
        std::fs::read_to_string(self.dir.join("messages.log")).unwrap_or_default()
    }

    /// stdout/stderr, unexpected messages and the final screen: what to print when a run failed.
    pub fn diagnostics(&self) -> String {
        let mut out = String::new();
        for name in ["sipp.log", "errors.log", "screen.log", "messages.log"] {
            let tail = log_tail(&self.dir.join(name), 60);
            if !tail.is_empty() {
                out.push_str(&format!("--- {name} ---\n{tail}\n"));
            }
        }
        out
    }

    pub fn stop(&mut self) {
        self.proc.stop();
    }
}
