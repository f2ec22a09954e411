//! baresip 1.0.0 as the far end: one instance per config dir, driven over `ctrl_tcp`.
//!
//! Audio: the source is a 48 kHz stereo WAV played by `aufile` (the call ends with an
//! AUDIO_ERROR "end of file" when the file ends, so make it long enough); what the far end sends
//! is played into `aubridge` (nowhere, at real-time pace) and, with `record_dir`, recorded by
//! `sndfile` as `dump-<time>-dec.wav` (heard) and `dump-<time>-enc.wav` (sent), at the codec's
//! rate, mono.

mod config;
mod ctrl;

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::error::{BenchError, IoContext, Result};
use crate::events::WaitFailure;
use crate::kamailio::Kamailio;
use crate::ports::{free_port_range, free_port_tcp};
use crate::process::{poll_until, tcp_port_open, Proc};
use crate::workdir::BenchDir;
use crate::Transport;
use ctrl::Ctrl;

const START_TIMEOUT: Duration = Duration::from_secs(15);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// Length of the tone generated when no `source_wav` is given.
pub const DEFAULT_SOURCE_SECONDS: u32 = 120;
/// Frequency of the tone generated when no `source_wav` is given.
pub const DEFAULT_SOURCE_HZ: f64 = 440.0;

/// What baresip does with an incoming call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerMode {
    /// Answers at once (200 OK).
    #[default]
    Auto,
    /// Rings (180) until [`Baresip::answer`] or [`Baresip::hangup`]; never answers by itself,
    /// so the caller can CANCEL.
    Manual,
    /// Rejects every incoming call with 486 (the bench sends `hangup` on CALL_INCOMING;
    /// baresip 1.0.0 then answers "486 Rejected").
    Busy,
}

/// Where a registering baresip registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrarTarget {
    /// Domain of the AOR and digest realm: `127.0.0.1`, or a name served by [`crate::Dnsmasq`].
    pub domain: String,
    /// `None`: no port in the AOR, so baresip finds the server by DNS (NAPTR, SRV, A).
    pub port: Option<u16>,
    /// `None`: no `transport=` parameter (DNS NAPTR decides, else UDP).
    pub transport: Option<Transport>,
}

impl RegistrarTarget {
    /// Register at this Kamailio over `transport` (port chosen to match).
    pub fn kamailio(kamailio: &Kamailio, transport: Transport) -> RegistrarTarget {
        let port = match transport {
            Transport::Tls => kamailio.tls_port(),
            _ => kamailio.sip_port(),
        };
        RegistrarTarget {
            domain: kamailio.domain().to_string(),
            port: Some(port),
            transport: Some(transport),
        }
    }

    /// Register as `USER@domain`, the server found by RFC 3263 DNS lookups (set
    /// [`BaresipOptions::dns_server`] to the bench's dnsmasq).
    pub fn dns(domain: &str) -> RegistrarTarget {
        RegistrarTarget {
            domain: domain.into(),
            port: None,
            transport: None,
        }
    }

    /// `domain[:port]`
    pub(crate) fn hostport(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.domain),
            None => self.domain.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BaresipOptions {
    pub user: String,
    /// Digest password (`auth_pass`); `None` for an account without credentials.
    pub password: Option<String>,
    /// `None`: no registration (`regint=0`); the instance only takes direct calls on its own port.
    pub registrar: Option<RegistrarTarget>,
    /// Registration interval in seconds (`regint`).
    pub regint: u32,
    pub answer_mode: AnswerMode,
    /// 48000 Hz, 2-channel, 16-bit WAV to send. `None`: a generated 440 Hz tone of 120 s.
    pub source_wav: Option<PathBuf>,
    /// Record what is heard and sent (sndfile module) into this folder.
    pub record_dir: Option<PathBuf>,
    /// `audio_codecs` of the account, e.g. `["pcmu"]` or `["opus"]`; empty: all loaded
    /// (opus, G.722, PCMU, PCMA, in that order of preference). G.722 is `g722/16000/1`:
    /// baresip looks a bare name up at 8000 Hz, and knows G.722 by its audio rate.
    pub audio_codecs: Vec<String>,
    /// CA certificate to trust for TLS (`sip_cafile`), e.g. [`Kamailio::ca_cert_path`].
    pub ca_cert: Option<PathBuf>,
    /// DNS server baresip asks (`dns_server`); default 127.0.0.1:53.
    pub dns_server: Option<SocketAddr>,
    /// Run with `-s`: every SIP message is written to the log.
    pub sip_trace: bool,
    /// Load baresip's `contact.so` and `presence.so` (`/presence_online`, `/presence_offline`,
    /// PUBLISH with `;pubint`, SUBSCRIBE Event: presence to `;presence=p2p` contacts). The
    /// account is then written to the `accounts` file (the module only sets up publishers and
    /// subscriptions for the accounts there at start), not added with `uanew`.
    pub presence: bool,
    /// PUBLISH interval in seconds (`;pubint`); 0: no PUBLISH. Needs `presence`.
    pub pubint: u32,
    /// SIP URIs written to the `contacts` file with `;presence=p2p` (watched when `presence`).
    pub presence_contacts: Vec<String>,
    /// The address baresip listens on for SIP and media (`sip_listen`, `net_interface`, the
    /// direct account's URI); `None`: 127.0.0.1. ctrl_tcp stays on 127.0.0.1.
    pub listen_ip: Option<std::net::IpAddr>,
    /// Play and capture on ALSA's `default` device (the alsa module) instead of `aufile` and
    /// `aubridge`, with this environment (e.g. [`crate::PulseAudio::env`]).
    pub sound_card: Option<Vec<(String, String)>>,
    /// Media encryption of the account (`;mediaenc=`, loads `srtp.so`): `srtp` (RTP/AVP with
    /// `a=crypto`, best effort), `srtp-mand` (RTP/SAVP) or `srtp-mandf` (RTP/SAVPF).
    pub media_enc: Option<String>,
    /// More `config` lines, written after the others, e.g. `("opus_bitrate", "32000")`.
    pub extra_config: Vec<(String, String)>,
}

impl BaresipOptions {
    /// A user registering at `kamailio` over UDP, auto-answering.
    pub fn registering(kamailio: &Kamailio, user: &str, password: &str) -> BaresipOptions {
        BaresipOptions {
            password: Some(password.into()),
            registrar: Some(RegistrarTarget::kamailio(kamailio, Transport::Udp)),
            ..BaresipOptions::direct(user)
        }
    }

    /// A user that does not register and takes direct calls, auto-answering.
    pub fn direct(user: &str) -> BaresipOptions {
        BaresipOptions {
            user: user.into(),
            password: None,
            registrar: None,
            regint: 300,
            answer_mode: AnswerMode::Auto,
            source_wav: None,
            record_dir: None,
            audio_codecs: Vec::new(),
            ca_cert: None,
            dns_server: None,
            sip_trace: true,
            presence: false,
            pubint: 0,
            presence_contacts: Vec::new(),
            listen_ip: None,
            sound_card: None,
            media_enc: None,
            extra_config: Vec::new(),
        }
    }
}

/// A running baresip. Dropping it stops it (SIGTERM: it unregisters on the way out).
pub struct Baresip {
    ctrl: Ctrl,
    proc: Proc,
    opts: BaresipOptions,
    sip_port: u16,
    ctrl_port: u16,
    dir: BenchDir,
}

impl std::fmt::Debug for Baresip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Baresip")
            .field("user", &self.opts.user)
            .field("pid", &self.proc.pid())
            .field("sip_port", &self.sip_port)
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl Baresip {
    /// Writes the config, starts baresip, connects to its ctrl_tcp socket and adds the account
    /// (`uanew`). Does not wait for the registration: call [`Baresip::wait_registered`].
    pub fn start(opts: BaresipOptions) -> Result<Baresip> {
        let dir = BenchDir::new(&format!("baresip-{}", opts.user))?;
        let source = match &opts.source_wav {
            Some(path) => {
                check_source(path)?;
                path.clone()
            }
            None => {
                let path = dir.join("source.wav");
                crate::tones::make_tone_wav(
                    &path,
                    DEFAULT_SOURCE_HZ,
                    f64::from(DEFAULT_SOURCE_SECONDS),
                    48_000,
                    2,
                )?;
                path
            }
        };
        if let Some(rec) = &opts.record_dir {
            fs::create_dir_all(rec).ctx(|| format!("creating {}", rec.display()))?;
        }
        // baresip puts its TLS listener on the SIP port + 1.
        let ports = config::Ports {
            sip: free_port_range(2)?,
            ctrl: free_port_tcp()?,
        };
        let conf_dir = dir.join("config");
        fs::create_dir_all(&conf_dir).ctx(|| format!("creating {}", conf_dir.display()))?;
        let config_text = config::config_text(&opts, &ports, &source)?;
        fs::write(conf_dir.join("config"), config_text)
            .ctx(|| "writing baresip config".to_string())?;
        // The account is added over ctrl_tcp once connected (`uanew`), so that no event of its
        // first REGISTER (e.g. REGISTER_FAIL) happens before the bench listens.
        let account = config::account_line(&opts, &ports)?;
        let accounts = if opts.presence {
            format!("{account}\n")
        } else {
            String::new()
        };
        fs::write(conf_dir.join("accounts"), accounts)
            .ctx(|| "writing baresip accounts".to_string())?;
        fs::write(conf_dir.join("contacts"), config::contacts_text(&opts)?)
            .ctx(|| "writing baresip contacts".to_string())?;

        let mut cmd = Command::new("baresip");
        cmd.arg("-4").arg("-f").arg(&conf_dir);
        if opts.sip_trace {
            cmd.arg("-s");
        }
        if let Some(env) = &opts.sound_card {
            cmd.envs(env.iter().map(|(k, v)| (k, v)));
        }
        let log = dir.join("baresip.log");
        let mut proc = Proc::spawn(&format!("baresip {}", opts.user), cmd, &log)?;
        let up = poll_until(START_TIMEOUT, Duration::from_millis(50), || {
            proc.ensure_running()?;
            Ok(tcp_port_open(ports.ctrl).then_some(()))
        })?;
        if up.is_none() {
            return Err(BenchError::timeout(
                format!("baresip {} to open ctrl_tcp", opts.user),
                START_TIMEOUT,
                Some(&log),
            ));
        }
        let ctrl = Ctrl::connect(ports.ctrl, opts.answer_mode == AnswerMode::Busy)?;
        let bs = Baresip {
            ctrl,
            proc,
            opts,
            sip_port: ports.sip,
            ctrl_port: ports.ctrl,
            dir,
        };
        if !bs.opts.presence {
            bs.command_ok("uanew", &account)?;
        }
        Ok(bs)
    }

    pub fn user(&self) -> &str {
        &self.opts.user
    }

    /// The UDP/TCP port baresip listens on (TLS: this + 1).
    pub fn sip_port(&self) -> u16 {
        self.sip_port
    }

    pub fn ctrl_port(&self) -> u16 {
        self.ctrl_port
    }

    /// `sip:USER@127.0.0.1:PORT`: reaches this instance directly, without a proxy.
    pub fn sip_uri(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.opts.user, self.sip_port)
    }

    /// The account's address of record, as baresip prints it in `accountaor`.
    pub fn aor(&self) -> String {
        match &self.opts.registrar {
            Some(r) => format!("sip:{}@{}", self.opts.user, r.hostport()),
            None => self.sip_uri(),
        }
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

    /// Waits until baresip's log holds `text` (e.g. the presence module's
    /// `presence: update status of '...' from '...' to '...'`); returns the whole log.
    pub fn wait_log(&self, text: &str, timeout: Duration) -> Result<String> {
        let path = self.proc.log_path();
        let found = poll_until(timeout, Duration::from_millis(50), || {
            let log = fs::read_to_string(path).unwrap_or_default();
            Ok(log.contains(text).then_some(log))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!("baresip {} to log {text:?}", self.opts.user),
                timeout,
                Some(path),
            )
        })
    }

    pub fn log_tail(&self, lines: usize) -> String {
        crate::process::log_tail(self.proc.log_path(), lines)
    }

    /// Any ctrl_tcp command; returns baresip's response object
    /// (`{"response":true,"ok":BOOL,"data":TEXT,"token":..}`).
    pub fn command(&self, name: &str, params: &str) -> Result<Value> {
        self.ctrl.command(name, params, COMMAND_TIMEOUT)
    }

    /// Like [`Baresip::command`] but an error unless baresip answered `"ok": true`.
    pub fn command_ok(&self, name: &str, params: &str) -> Result<String> {
        let reply = self.command(name, params)?;
        if reply["ok"] == true {
            Ok(reply["data"].as_str().unwrap_or_default().to_string())
        } else {
            Err(BenchError::Protocol {
                peer: format!("baresip {}", self.opts.user),
                detail: format!("`{name} {params}` answered {reply}"),
            })
        }
    }

    pub fn dial(&self, uri: &str) -> Result<()> {
        self.command_ok("dial", uri).map(|_| ())
    }

    /// Hangs up the current call (an unanswered incoming call is rejected with 486).
    pub fn hangup(&self) -> Result<()> {
        self.command_ok("hangup", "").map(|_| ())
    }

    /// Answers the ringing incoming call (`accept`).
    pub fn answer(&self) -> Result<()> {
        self.command_ok("accept", "").map(|_| ())
    }

    /// Sends DTMF digits (RFC 4733) in the current call, e.g. `"42#"`.
    pub fn sndcode(&self, digits: &str) -> Result<()> {
        self.command_ok("sndcode", digits).map(|_| ())
    }

    pub fn hold(&self) -> Result<()> {
        self.command_ok("hold", "").map(|_| ())
    }

    pub fn resume(&self) -> Result<()> {
        self.command_ok("resume", "").map(|_| ())
    }

    /// Blind transfer (REFER) of the current call to `uri`.
    pub fn transfer(&self, uri: &str) -> Result<()> {
        self.command_ok("transfer", uri).map(|_| ())
    }

    /// Waits for the oldest not-yet-returned event matching `pred`
    /// (events look like `{"event":true,"type":"CALL_ESTABLISHED","peeruri":..,"param":..}`).
    pub fn wait_event(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Result<Value> {
        self.ctrl
            .events()
            .wait_for(pred, timeout)
            .map_err(|failure| self.wait_error("the expected event", failure, timeout))
    }

    /// As [`Baresip::wait_event_type`], with the time the event arrived on the control
    /// connection.
    pub fn wait_event_type_timed(
        &self,
        event_type: &str,
        timeout: Duration,
    ) -> Result<(Value, std::time::Instant)> {
        self.ctrl
            .events()
            .wait_for_timed(|v| v["type"] == event_type, timeout)
            .map_err(|failure| self.wait_error(event_type, failure, timeout))
    }

    /// Waits for the next not-yet-returned event of this `type`, e.g. `"CALL_CLOSED"`.
    pub fn wait_event_type(&self, event_type: &str, timeout: Duration) -> Result<Value> {
        self.ctrl
            .events()
            .wait_for(|v| v["type"] == event_type, timeout)
            .map_err(|failure| self.wait_error(event_type, failure, timeout))
    }

    fn wait_error(&self, what: &str, failure: WaitFailure, timeout: Duration) -> BenchError {
        let types: Vec<String> = self
            .events_seen()
            .iter()
            .map(|e| e["type"].as_str().unwrap_or("?").to_string())
            .collect();
        let what = format!(
            "{what} from baresip {} (connection {}; events so far: {})",
            self.opts.user,
            if failure == WaitFailure::Closed {
                "closed"
            } else {
                "open"
            },
            types.join(", ")
        );
        BenchError::timeout(what, timeout, Some(self.proc.log_path()))
    }

    /// Every event received so far.
    pub fn events_seen(&self) -> Vec<Value> {
        self.ctrl.events().all()
    }

    /// True if baresip reports its registration as OK (`reginfo`).
    pub fn is_registered(&self) -> Result<bool> {
        let info = self.command_ok("reginfo", "")?;
        Ok(reginfo_ok(&info))
    }

    /// Waits until baresip reports its registration as OK.
    pub fn wait_registered(&self, timeout: Duration) -> Result<()> {
        let ok = poll_until(timeout, Duration::from_millis(100), || {
            Ok(self.is_registered()?.then_some(()))
        })?;
        ok.ok_or_else(|| {
            BenchError::timeout(
                format!("baresip {} to register", self.opts.user),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// The `dump-*-dec.wav` files (what this instance heard) in `record_dir`, oldest first.
    pub fn recordings(&self) -> Result<Vec<PathBuf>> {
        self.dumps("-dec.wav")
    }

    /// The `dump-*-enc.wav` files (what this instance sent) in `record_dir`, oldest first.
    pub fn sent_recordings(&self) -> Result<Vec<PathBuf>> {
        self.dumps("-enc.wav")
    }

    /// Waits until the `nth` (from 0) of [`Baresip::recordings`] exists and holds at least
    /// `min_bytes`; its path.
    pub fn wait_recording(&self, nth: usize, min_bytes: u64, timeout: Duration) -> Result<PathBuf> {
        let found = poll_until(timeout, Duration::from_millis(50), || {
            let path = self.recordings()?.into_iter().nth(nth);
            Ok(path.filter(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0) >= min_bytes))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!("baresip's recording #{nth} of at least {min_bytes} bytes"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    fn dumps(&self, suffix: &str) -> Result<Vec<PathBuf>> {
        let Some(dir) = &self.opts.record_dir else {
            return Err(BenchError::Setup(
                "this baresip was started without record_dir".into(),
            ));
        };
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .ctx(|| format!("listing {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("dump-") && n.ends_with(suffix))
            })
            .collect();
        files.sort();
        Ok(files)
    }

    /// Stops baresip (SIGTERM, so it unregisters first); also done on drop.
    pub fn stop(&mut self) {
        self.ctrl.shutdown();
        self.proc.stop();
    }
}

/// `reginfo` prints one line per UA with a coloured "OK " or "ERR".
fn reginfo_ok(info: &str) -> bool {
    info.lines()
        .filter(|l| l.trim_start().starts_with('>') || l.contains("sip:"))
        .any(|l| l.contains("OK "))
}

/// baresip 1.0.0 silently fails (and stops auto-answering) with any other source format.
fn check_source(path: &Path) -> Result<()> {
    let reader = hound::WavReader::open(path)
        .map_err(|e| BenchError::Setup(format!("source_wav {}: {e}", path.display())))?;
    let spec = reader.spec();
    if spec.sample_rate != 48_000
        || spec.channels != 2
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(BenchError::Setup(format!(
            "source_wav {} is {} Hz, {} channel(s), {} bit: baresip 1.0.0 needs 48000 Hz, 2 channels, 16 bit",
            path.display(),
            spec.sample_rate,
            spec.channels,
            spec.bits_per_sample
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reginfo_status() {
        let ok = "\n--- User Agents (1) ---\n> sip:alice@127.0.0.1:15060                  \u{1b}[32mOK \u{1b}[;m parla-bench-kamailio Expires 300s\n\n";
        let err = "\n--- User Agents (1) ---\n> sip:alice@127.0.0.1:15060                  \u{1b}[31mERR\u{1b}[;m parla-bench-kamailio Expires 0s\n\n";
        assert!(reginfo_ok(ok));
        assert!(!reginfo_ok(err));
    }
}
