//! Kamailio as registrar and record-routing proxy on 127.0.0.1, from tests/peers/kamailio.cfg.
//!
//! Facts a user agent talking to it must know:
//! - UDP and TCP share one port ([`Kamailio::sip_port`]); TLS has its own ([`Kamailio::tls_port`]).
//! - Domain and digest realm are the From domain: use `sip:USER@127.0.0.1:PORT` (or `localhost`,
//!   or one of [`KamailioOptions::extra_domains`]). The realm is then `127.0.0.1`.
//! - REGISTER: any R-URI (normally `sip:127.0.0.1:PORT`); To/From user = the auth user.
//!   Answered 401 (with `qop=auth` unless [`KamailioOptions::qop_auth`] is false).
//! - Initial requests whose From domain is ours are challenged with 407.
//! - A wrong password gets a fresh 401/407, or 403 with [`WrongPasswordAnswer::Answer403`].
//! - Clients registered over TCP/TLS are reached back over their own connection.
//!
//! Message-waiting (RFC 3842), with [`KamailioOptions::presence`] only:
//! - Kamailio is the notifier (presence + presence_mwi, state in memory). A UA subscribes to its
//!   own mailbox: `SUBSCRIBE sip:USER@127.0.0.1:PORT`, From/To = that AoR, `Event:
//!   message-summary`, `Accept: application/simple-message-summary`, `Expires: N` (above 3600:
//!   the 200 says 3600). The initial SUBSCRIBE is challenged (407) like any request from our
//!   domain; a SUBSCRIBE to someone else's mailbox gets `403 Not your mailbox`. The 200 carries
//!   `Expires` and `Contact: <sip:127.0.0.1:PORT>` and no Record-Route: refreshes and the
//!   unsubscribe (`Expires: 0`) go in the dialog to that URI, are not challenged, and get 200 and
//!   a NOTIFY each; a refresh of an unknown dialog gets 481.
//! - NOTIFYs come from 127.0.0.1:PORT to the subscriber's Contact, with From/To without port
//!   (`<sip:USER@127.0.0.1>`), `Event: message-summary`, `Contact: <sip:127.0.0.1:PORT>`,
//!   `Subscription-State: active;expires=N` (after the unsubscribe `terminated;reason=timeout`).
//!   The first one, right after the 200, has no body while nothing was published; then
//!   `Content-Type: application/simple-message-summary` and the published body as is.
//! - [`Kamailio::publish_mwi`] publishes a mailbox state as a voicemail server would (PUBLISH,
//!   not challenged, later calls modify the same publication); every subscriber of that mailbox
//!   is notified at once.
//!
//! Busy lamps and presence, with [`KamailioOptions::busy_lamps`] (see `tests/peers/README.md`):
//! - every call through the proxy is tracked (dialog) and published (pua_dialoginfo) for its
//!   caller and callee; `SUBSCRIBE Event: dialog` to `sip:USER@127.0.0.1` is challenged, then
//!   NOTIFYs dialog-info: a terminated dummy dialog while idle, then early (with call-id,
//!   `local-tag` = the callee's, `remote-tag` = the caller's), confirmed, terminated;
//! - `PUBLISH Event: presence` (PIDF, challenged) and `SUBSCRIBE Event: presence` (presence_xml,
//!   everyone may watch everyone); `rpc(&["presence.presentity_list", "full"])` shows bodies.

mod config;
mod log;
mod rpc;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

pub use self::config::{peers_dir, template_path};
pub use self::log::{LoggedCallerId, LoggedRequest};
pub use self::rpc::Registration;
use crate::certs::{self, TestCerts};
use crate::error::{BenchError, Result};
use crate::ports::free_port_udp_tcp;
use crate::process::{poll_until, run_checked, tcp_port_open, Proc};
use crate::sipp::{Sipp, SippOptions};
use crate::workdir::BenchDir;

const START_TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);

/// How Kamailio answers a REGISTER (or other request) with a wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WrongPasswordAnswer {
    /// A new challenge (401/407), as Kamailio and Asterisk do by default.
    #[default]
    Answer401,
    /// 403 Forbidden (also for an unknown user).
    Answer403,
}

/// The digest algorithm Kamailio challenges with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestAlgorithm {
    #[default]
    Md5,
    Sha256,
}

impl DigestAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }
}

#[derive(Debug, Clone)]
pub struct KamailioOptions {
    /// (user, password) pairs for digest auth.
    pub users: Vec<(String, String)>,
    pub wrong_password_answer: WrongPasswordAnswer,
    /// Challenge with `qop="auth"` (true, default) or without qop (RFC 2069 style).
    pub qop_auth: bool,
    /// More domains served as local (aliases and From domains), e.g. `example.test` for DNS tests.
    /// They are also put into the TLS certificate's subjectAltName.
    pub extra_domains: Vec<String>,
    pub digest_algorithm: DigestAlgorithm,
    /// Shorter REGISTER lifetimes get 423 Interval Too Brief with this Min-Expires.
    pub min_expires: u32,
    /// Also a message-waiting server (presence + presence_mwi): SUBSCRIBE and PUBLISH
    /// `Event: message-summary`, see the module docs and [`Kamailio::publish_mwi`].
    pub presence: bool,
    /// Also keeps MESSAGEs to known users who are not registered (msilo: 202 Accepted) and
    /// sends them when the user registers. Without it such a MESSAGE gets 404.
    pub msilo: bool,
    /// Also a busy-lamp server (implies `presence`): every call through the proxy is tracked
    /// (dialog) and published (pua_dialoginfo); SUBSCRIBE `Event: dialog` gets its NOTIFYs.
    pub busy_lamps: bool,
    /// INVITEs from local users may carry another From user than the digest user (caller-ID
    /// identities); other requests still must match.
    pub caller_ids: bool,
    /// A 302 to an INVITE the proxy relayed sends the call on to the 302's Contact (once),
    /// as a provider's proxy does for a callee that forwards.
    pub follow_redirects: bool,
    /// More addresses to listen on (UDP and TCP, the same port as 127.0.0.1), e.g. the
    /// "provider" side of a NAT test inside a network namespace; `mhomed` picks the socket.
    pub extra_listen: Vec<std::net::IpAddr>,
}

impl Default for KamailioOptions {
    fn default() -> Self {
        KamailioOptions {
            users: Vec::new(),
            wrong_password_answer: WrongPasswordAnswer::default(),
            qop_auth: true,
            extra_domains: Vec::new(),
            digest_algorithm: DigestAlgorithm::default(),
            min_expires: 10,
            presence: false,
            msilo: false,
            busy_lamps: false,
            caller_ids: false,
            follow_redirects: false,
            extra_listen: Vec::new(),
        }
    }
}

impl KamailioOptions {
    /// Options with these users and everything else default.
    pub fn with_users(users: &[(&str, &str)]) -> Self {
        KamailioOptions {
            users: users
                .iter()
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .collect(),
            ..Default::default()
        }
    }
}

/// A running Kamailio. Dropping it stops it (and its worker processes).
#[derive(Debug)]
pub struct Kamailio {
    proc: Proc,
    sip_port: u16,
    tls_port: u16,
    certs: TestCerts,
    cfg: PathBuf,
    ctl_socket: PathBuf,
    dir: BenchDir,
    /// The SIP-ETag of each user's message-summary publication, to modify it next time.
    mwi_etags: Mutex<HashMap<String, String>>,
}

impl Kamailio {
    /// Writes the config, checks it with `kamailio -c`, starts Kamailio and waits until it
    /// accepts on UDP/TCP/TLS and answers RPC.
    pub fn start(opts: KamailioOptions) -> Result<Kamailio> {
        let dir = BenchDir::new("kamailio")?;
        let certs = certs::generate(&dir.join("certs"), &opts.extra_domains)?;
        let ports = config::Ports {
            sip: free_port_udp_tcp()?,
            tls: free_port_udp_tcp()?,
        };
        let rendered = config::write_all(dir.path(), &opts, &ports, &certs)?;
        check_config(&rendered.cfg)?;

        let mut cmd = Command::new("kamailio");
        cmd.args(["-DD", "-E", "-f"])
            .arg(&rendered.cfg)
            .arg("-w")
            .arg(dir.path())
            .arg("-Y")
            .arg(dir.path())
            .arg("-P")
            .arg(dir.join("kamailio.pid"))
            .args(["-m", "64", "-M", "8"]);
        let proc = Proc::spawn("kamailio", cmd, &dir.join("kamailio.log"))?;
        let mut kam = Kamailio {
            proc,
            sip_port: ports.sip,
            tls_port: ports.tls,
            certs,
            cfg: rendered.cfg,
            ctl_socket: dir.join("kamailio_ctl"),
            dir,
            mwi_etags: Mutex::new(HashMap::new()),
        };
        kam.wait_ready()?;
        Ok(kam)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let (sip, tls) = (self.sip_port, self.tls_port);
        let ready = poll_until(START_TIMEOUT, POLL, || {
            self.proc.ensure_running()?;
            let up = tcp_port_open(sip)
                && tcp_port_open(tls)
                && self.ctl_socket.exists()
                && rpc::kamcmd(&self.ctl_socket, &["core.uptime"]).is_ok();
            Ok(up.then_some(()))
        })?;
        ready.ok_or_else(|| {
            BenchError::timeout(
                "Kamailio to listen and answer RPC",
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )
        })
    }

    /// The UDP and TCP port (the same number).
    pub fn sip_port(&self) -> u16 {
        self.sip_port
    }
    pub fn udp_port(&self) -> u16 {
        self.sip_port
    }
    pub fn tcp_port(&self) -> u16 {
        self.sip_port
    }
    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    /// The domain (and digest realm) of the users: `127.0.0.1`.
    pub fn domain(&self) -> &'static str {
        "127.0.0.1"
    }

    /// `sip:127.0.0.1:PORT;transport=T`, a registrar / outbound proxy URI for the transport.
    pub fn registrar_uri(&self, transport: crate::Transport) -> String {
        let port = match transport {
            crate::Transport::Tls => self.tls_port,
            _ => self.sip_port,
        };
        format!("sip:127.0.0.1:{port};transport={}", transport.param())
    }

    /// `sip:USER@127.0.0.1:PORT`: the address of a local user (what to dial through Kamailio).
    pub fn user_uri(&self, user: &str) -> String {
        format!("sip:{user}@127.0.0.1:{}", self.sip_port)
    }

    /// The CA certificate (PEM) that signed the TLS server certificate.
    pub fn ca_cert_path(&self) -> &Path {
        &self.certs.ca_cert
    }

    pub fn certs(&self) -> &TestCerts {
        &self.certs
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

    pub fn config_path(&self) -> &Path {
        &self.cfg
    }

    /// The last `lines` lines of Kamailio's log.
    pub fn log_tail(&self, lines: usize) -> String {
        crate::process::log_tail(self.proc.log_path(), lines)
    }

    /// Any RPC command through kamcmd, e.g. `rpc(&["ul.dump"])`.
    pub fn rpc(&self, args: &[&str]) -> Result<String> {
        rpc::kamcmd(&self.ctl_socket, args)
    }

    /// The bindings of `user` in the location table (empty if not registered).
    pub fn registrations(&self, user: &str) -> Result<Vec<Registration>> {
        rpc::lookup(&self.ctl_socket, user)
    }

    /// The registered Contact URIs of `user`.
    pub fn registered_contacts(&self, user: &str) -> Result<Vec<String>> {
        Ok(self
            .registrations(user)?
            .into_iter()
            .map(|r| r.address)
            .collect())
    }

    /// Waits until `user` has at least one binding; returns the bindings.
    pub fn wait_registered(&self, user: &str, timeout: Duration) -> Result<Vec<Registration>> {
        let found = poll_until(timeout, POLL, || {
            let regs = self.registrations(user)?;
            Ok((!regs.is_empty()).then_some(regs))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!("{user} to be registered at Kamailio"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Waits until `user` has no binding left.
    pub fn wait_unregistered(&self, user: &str, timeout: Duration) -> Result<()> {
        let gone = poll_until(timeout, POLL, || {
            Ok(self.registrations(user)?.is_empty().then_some(()))
        })?;
        gone.ok_or_else(|| {
            BenchError::timeout(
                format!("{user} to be unregistered at Kamailio"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Every request that reached Kamailio so far, in arrival order (retransmissions included).
    pub fn requests(&self) -> Result<Vec<LoggedRequest>> {
        log::read(self.proc.log_path())
    }

    /// The From, Privacy and P-Preferred-Identity of every new INVITE so far.
    pub fn caller_ids(&self) -> Result<Vec<LoggedCallerId>> {
        log::read_caller_ids(self.proc.log_path())
    }

    /// How many `method` requests with From user `from_user` arrived so far.
    pub fn count_requests(&self, method: &str, from_user: &str) -> Result<usize> {
        Ok(self
            .requests()?
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.from_user == from_user)
            .count())
    }

    /// Waits until at least `n` `method` requests from `from_user` arrived; returns the count.
    pub fn wait_requests(
        &self,
        method: &str,
        from_user: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<usize> {
        let got = poll_until(timeout, POLL, || {
            let c = self.count_requests(method, from_user)?;
            Ok((c >= n).then_some(c))
        })?;
        got.ok_or_else(|| {
            BenchError::timeout(
                format!("{n} {method} request(s) from {from_user}"),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Publishes the mailbox state of `user` (needs [`KamailioOptions::presence`]) as a voicemail
    /// server would: a SIPp PUBLISH `Event: message-summary` (tests/peers/sipp/mwi_publish.xml)
    /// with `Messages-Waiting: yes|no` (yes if `new > 0`), `Message-Account:` the user's AoR
    /// ([`Kamailio::user_uri`]) and `Voice-Message: NEW/OLD`. Returns once it got its 200;
    /// Kamailio then NOTIFYs every subscriber of that mailbox with this body.
    ///
    /// The first call for a user creates a publication, later ones modify it (`SIP-If-Match`
    /// with the last SIP-ETag): Kamailio does not replace a publication with a new one, it keeps
    /// both and goes on notifying the oldest body.
    pub fn publish_mwi(&self, user: &str, new: u32, old: u32) -> Result<()> {
        let etag = self.mwi_etag(user, None);
        let outcome = self.run_mwi_publish(user, new, old, etag.as_deref())?;
        let outcome = match outcome {
            // The publication expired or Kamailio lost it: publish afresh.
            PublishOutcome::PreconditionFailed if etag.is_some() => {
                self.run_mwi_publish(user, new, old, None)?
            }
            other => other,
        };
        match outcome {
            PublishOutcome::Done(etag) => {
                self.mwi_etag(user, Some(etag));
                Ok(())
            }
            PublishOutcome::PreconditionFailed => Err(BenchError::Protocol {
                peer: "kamailio".into(),
                detail: format!("PUBLISH message-summary for {user} got 412"),
            }),
        }
    }

    /// The stored ETag of `user`'s publication; with `set`, stores that one instead.
    fn mwi_etag(&self, user: &str, set: Option<String>) -> Option<String> {
        let mut etags = self
            .mwi_etags
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match set {
            Some(etag) => etags.insert(user.to_string(), etag),
            None => etags.get(user).cloned(),
        }
    }

    fn run_mwi_publish(
        &self,
        user: &str,
        new: u32,
        old: u32,
        etag: Option<&str>,
    ) -> Result<PublishOutcome> {
        let waiting = if new > 0 { "yes" } else { "no" };
        let account = self.user_uri(user);
        let if_match = match etag {
            Some(etag) => format!("SIP-If-Match: {etag}"),
            None => "X-Parla-Publish: initial".to_string(),
        };
        let keys = [
            ("user", user),
            ("new", &new.to_string()),
            ("old", &old.to_string()),
            ("waiting", waiting),
            ("account", &account),
            ("if_match", &if_match),
        ]
        .iter()
        .flat_map(|(k, v)| ["-key".to_string(), k.to_string(), v.to_string()])
        .collect();
        let mut sipp = Sipp::start(SippOptions {
            remote: Some(format!("127.0.0.1:{}", self.sip_port)),
            timeout: PUBLISH_TIMEOUT,
            extra_args: keys,
            ..SippOptions::bench("mwi_publish")
        })?;
        let status = sipp.wait(PUBLISH_TIMEOUT + Duration::from_secs(5))?;
        let messages = sipp.messages();
        if status.success() {
            let etag = messages
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("SIP-ETag"))
                .map(|(_, value)| value.trim().to_string());
            return etag
                .map(PublishOutcome::Done)
                .ok_or_else(|| BenchError::Protocol {
                    peer: "kamailio".into(),
                    detail: format!("200 to PUBLISH without SIP-ETag\n{}", sipp.diagnostics()),
                });
        }
        if etag.is_some() && messages.contains("SIP/2.0 412") {
            return Ok(PublishOutcome::PreconditionFailed);
        }
        Err(BenchError::Protocol {
            peer: "kamailio".into(),
            detail: format!(
                "PUBLISH message-summary for {user} ({new}/{old}) failed ({status})\n{}",
                sipp.diagnostics()
            ),
        })
    }

    /// Stops Kamailio now (also done on drop).
    pub fn stop(&mut self) {
        self.proc.stop();
    }

    /// Stops Kamailio and starts it again with the same config and ports, as a provider's
    /// registrar restarting: its location table (in memory) is lost.
    pub fn restart(&mut self) -> Result<()> {
        self.proc.stop();
        let _ = std::fs::remove_file(&self.ctl_socket);
        let mut cmd = Command::new("kamailio");
        cmd.args(["-DD", "-E", "-f"])
            .arg(&self.cfg)
            .arg("-w")
            .arg(self.dir.path())
            .arg("-Y")
            .arg(self.dir.path())
            .arg("-P")
            .arg(self.dir.join("kamailio.pid"))
            .args(["-m", "64", "-M", "8"]);
        let log = self.dir.join("kamailio-restarted.log");
        self.proc = Proc::spawn("kamailio", cmd, &log)?;
        self.wait_ready()
    }
}

enum PublishOutcome {
    /// 200, with the SIP-ETag of the publication.
    Done(String),
    /// 412 Conditional Request Failed: the SIP-If-Match ETag is unknown.
    PreconditionFailed,
}

/// `kamailio -c -f CFG`: parses the config and loads its modules without starting.
pub fn check_config(cfg: &Path) -> Result<()> {
    run_checked(Command::new("kamailio").arg("-c").arg("-f").arg(cfg)).map(|_| ())
}
