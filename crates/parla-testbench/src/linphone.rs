//! linphonec (Debian `linphone-cli` 5.1) as a far end that can do attended transfer.
//!
//! Run it only inside [`crate::netns`]'s private network namespace: linphonec is started with
//! `--pipe`, and every instance would otherwise sit on the machine's real network.
//!
//! Facts found by running it (5.1.65):
//! - `--pipe`: without a terminal, readline mode never runs the core's main loop (no SIP at all);
//!   in pipe mode a thread reads stdin and the main loop iterates every 20 ms. That thread keeps
//!   only the last line it read until the loop takes it, so the bench sends one command and
//!   waits for the next `linphonec> ` prompt before sending another. (Pipe mode also creates
//!   `/tmp/linphonec-<uid>`, unused here.)
//! - The core aborts its start (no SIP listener, "No listening point") when its database cannot
//!   be opened: `[storage] uri` points into the work dir.
//! - `[sip] auto_net_state_mon=0`: otherwise the network monitor sees only 127.0.0.1 and takes
//!   SIP down 5 s after start.
//! - `[sip] supported=replaces` (no `gruu`): Kamailio hands out a GRUU without port that the
//!   far end's BYE cannot reach through this bench's Kamailio.
//! - linphonec puts the AoR (no port) in To and in the Refer-To of an attended transfer, so the
//!   transferee's INVITE goes to `sip:USER@DOMAIN`: every instance routes everything through
//!   Kamailio (`reg_route`), and attended transfers need a domain Kamailio serves without port
//!   ([`LinphoneOptions::domain`], e.g. `pbx.test` listed in `KamailioOptions::extra_domains`).
//! - Call ids are a counter of the process, never reused (the second call is 2 even when the
//!   first has ended).
//! - `quit` and SIGTERM hang in pipe mode (the socket thread sits in accept()): the bench
//!   stops it with SIGKILL.
//! - Sound: `soundcard use files`, then `play WAV` is sent as the microphone (make it longer
//!   than the call; looping is untested; a call on hold keeps sending it) and `record WAV` gets
//!   what is heard (48 kHz mono).
//! - That record file is one for all calls, and every stream start (a call's first, and the
//!   restart on each re-INVITE, e.g. hold) opens it again (mediastreamer's MSFileRec; logged in
//!   the core log as "MSFileRec: recording into FILE", before the call's next state change).
//!   Audio is written from byte 0; when the stream stops, the header goes over the first 44 bytes,
//!   with sizes counted from byte 0 (44 too large). A start that finds a header appends at the
//!   end ("Opening wav file in append mode, current data size is N"): a call that was held, or
//!   that replaced a held one after a transfer, follows the earlier audio in the file. A start
//!   that finds none (the other call's stream still runs) writes from byte 0 again, and the other
//!   stream's header lands on top when it stops. Streams stop before the call's `End`.
//!   [`Linphone::wait_recording`] cuts the latest call's streams out by the core log.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::error::{BenchError, IoContext, Result};
use crate::kamailio::Kamailio;
use crate::ports::{free_port_range, free_port_udp_tcp};
use crate::process::{open_log, poll_until, Proc};
use crate::workdir::BenchDir;

const PROMPT: &str = "linphonec> ";
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);
/// Audio RTP ports per instance (RTP + RTCP per call; a few calls at once).
const RTP_PORTS: u16 = 10;
/// Length of the tone generated when no `play_wav` is given.
pub const DEFAULT_SOURCE_SECONDS: f64 = 60.0;
/// Frequency of the tone generated when no `play_wav` is given.
pub const DEFAULT_SOURCE_HZ: f64 = 440.0;

#[derive(Debug, Clone)]
pub struct LinphoneOptions {
    pub user: String,
    pub password: String,
    /// Domain of the AoR and digest realm; `127.0.0.1` by default. For attended transfers use a
    /// name Kamailio serves (see the module notes).
    pub domain: String,
    /// Kamailio's UDP port: REGISTER goes there, and every request is routed through it.
    pub proxy_port: u16,
    /// `-a`: answer every incoming call at once.
    pub auto_answer: bool,
    /// WAV sent as the microphone; `None`: a generated 440 Hz tone (48 kHz mono, 60 s).
    pub play_wav: Option<PathBuf>,
    /// Where what is heard is recorded; `None`: `heard.wav` in the work dir.
    pub record_wav: Option<PathBuf>,
    /// linphonec's log level (`-d`, 0-6) for `core.log` in the work dir; 5 shows SIP messages.
    /// 0 logs errors only, without the recorder's lines: [`Linphone::wait_recording`] then
    /// returns every call's audio.
    pub log_level: u8,
}

impl LinphoneOptions {
    /// `user@127.0.0.1` registering at `kamailio` over UDP, answering by hand.
    pub fn registering(kamailio: &Kamailio, user: &str, password: &str) -> LinphoneOptions {
        LinphoneOptions {
            user: user.into(),
            password: password.into(),
            domain: kamailio.domain().into(),
            proxy_port: kamailio.udp_port(),
            auto_answer: false,
            play_wav: None,
            record_wav: None,
            log_level: 5,
        }
    }
}

/// One row of linphonec's `calls` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinphoneCall {
    pub id: u32,
    /// The remote address as linphonec prints it, e.g. `sip:a@127.0.0.1`.
    pub remote: String,
    /// liblinphone's state name: `OutgoingProgress`, `OutgoingRinging`, `IncomingReceived`,
    /// `Connected`, `StreamsRunning`, `Paused`, `PausedByRemote`, `Pausing`, `Resuming`, ...
    pub state: String,
}

impl LinphoneCall {
    /// True once media flows (`StreamsRunning`).
    pub fn is_running(&self) -> bool {
        self.state == "StreamsRunning"
    }

    /// True if the remote address names `user` (`sip:USER@...`).
    pub fn is_with(&self, user: &str) -> bool {
        let r = self.remote.trim_start_matches('<');
        r.strip_prefix("sip:")
            .or_else(|| r.strip_prefix("sips:"))
            .and_then(|rest| rest.split('@').next())
            == Some(user)
    }
}

#[derive(Debug, Default)]
struct Output {
    text: String,
    prompts: usize,
    closed: bool,
}

type Shared = Arc<(Mutex<Output>, Condvar)>;

/// A running linphonec. Dropping it kills it (SIGKILL; see the module notes).
pub struct Linphone {
    stdin: Option<ChildStdin>,
    proc: Proc,
    out: Shared,
    reader: Option<JoinHandle<()>>,
    opts: LinphoneOptions,
    sip_port: u16,
    record_wav: PathBuf,
    dir: BenchDir,
}

impl std::fmt::Debug for Linphone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linphone")
            .field("user", &self.opts.user)
            .field("pid", &self.proc.pid())
            .field("sip_port", &self.sip_port)
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl Linphone {
    /// Writes the config, starts `linphonec --pipe`, switches it to the files sound card and
    /// sets the play/record files. Does not wait for the registration
    /// ([`Linphone::wait_registered`]).
    pub fn start(opts: LinphoneOptions) -> Result<Linphone> {
        let dir = BenchDir::new(&format!("linphone-{}", opts.user))?;
        let play = match &opts.play_wav {
            Some(p) => p.clone(),
            None => {
                let p = dir.join("source.wav");
                crate::tones::make_tone_wav(
                    &p,
                    DEFAULT_SOURCE_HZ,
                    DEFAULT_SOURCE_SECONDS,
                    48_000,
                    1,
                )?;
                p
            }
        };
        let record_wav = opts
            .record_wav
            .clone()
            .unwrap_or_else(|| dir.join("heard.wav"));
        let sip_port = free_port_udp_tcp()?;
        let rtp = free_port_range(RTP_PORTS)?;
        let rc = dir.join("linphonerc");
        std::fs::write(&rc, config_text(&opts, &dir, sip_port, rtp))
            .ctx(|| format!("writing {}", rc.display()))?;

        let log = dir.join("linphonec.log");
        let stderr = open_log(&log)?;
        let mut cmd = Command::new("linphonec");
        cmd.arg("--pipe")
            .arg("-c")
            .arg(&rc)
            .arg("-d")
            .arg(opts.log_level.min(6).to_string())
            .arg("-l")
            .arg(dir.join("core.log"));
        if opts.auto_answer {
            cmd.arg("-a");
        }
        cmd.current_dir(dir.path())
            .env("HOME", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut proc = Proc::spawn_configured(&format!("linphonec {}", opts.user), cmd, &log)?;
        let child = proc.child_mut();
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Setup("linphonec has no stdout pipe".into()))?;
        let out: Shared = Arc::default();
        let reader = spawn_reader(stdout, out.clone(), &log)?;
        let mut lp = Linphone {
            stdin,
            proc,
            out,
            reader: Some(reader),
            opts,
            sip_port,
            record_wav,
            dir,
        };
        lp.wait_prompts(1, COMMAND_TIMEOUT)?;
        let reply = lp.command("soundcard use files")?;
        if !reply.contains("wav files") {
            return Err(lp.protocol(format!("`soundcard use files` answered {reply:?}")));
        }
        lp.command(&format!("play {}", play.display()))?;
        let rec = lp.record_wav.display().to_string();
        lp.command(&format!("record {rec}"))?;
        Ok(lp)
    }

    pub fn user(&self) -> &str {
        &self.opts.user
    }

    /// `sip:USER@DOMAIN`, the AoR (what to dial through Kamailio).
    pub fn aor(&self) -> String {
        format!("sip:{}@{}", self.opts.user, self.opts.domain)
    }

    pub fn sip_port(&self) -> u16 {
        self.sip_port
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What linphonec printed (its console, stdout and stderr).
    pub fn log_path(&self) -> &Path {
        self.proc.log_path()
    }

    /// liblinphone's own log (`-d`/`-l`), with every SIP message at level 5.
    pub fn core_log_path(&self) -> PathBuf {
        self.dir.join("core.log")
    }

    /// The WAV what this instance heard is recorded into, all calls in one file (see the module
    /// notes); it grows while a call's media flows. [`Linphone::wait_recording`] gives the latest
    /// call's part as a WAV of its own.
    pub fn record_path(&self) -> &Path {
        &self.record_wav
    }

    pub fn log_tail(&self, lines: usize) -> String {
        crate::process::log_tail(self.proc.log_path(), lines)
    }

    /// Everything linphonec printed on stdout so far.
    pub fn output(&self) -> String {
        self.lock().text.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Output> {
        self.out.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn protocol(&self, detail: String) -> BenchError {
        BenchError::Protocol {
            peer: format!("linphonec {}", self.opts.user),
            detail: format!("{detail}{}", crate::error::format_log_tail(self.log_path())),
        }
    }

    fn wait_prompts(&mut self, n: usize, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let (lock, cvar) = &*self.out;
        let mut out = lock.lock().unwrap_or_else(|p| p.into_inner());
        while out.prompts < n {
            if out.closed {
                drop(out);
                self.proc.ensure_running()?;
                return Err(self.protocol("stdout closed".into()));
            }
            let now = Instant::now();
            if now >= deadline {
                drop(out);
                return Err(BenchError::timeout(
                    format!("linphonec {} to show its prompt", self.opts.user),
                    timeout,
                    Some(self.proc.log_path()),
                ));
            }
            out = cvar
                .wait_timeout(out, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(())
    }

    /// Sends one command line and waits until linphonec has run it (its next prompt); returns
    /// what it printed meanwhile (events of the moment included).
    pub fn command(&mut self, line: &str) -> Result<String> {
        if line.contains('\n') {
            return Err(BenchError::Setup(format!("one line only: {line:?}")));
        }
        self.proc.ensure_running()?;
        let (start, prompts) = {
            let out = self.lock();
            (out.text.len(), out.prompts)
        };
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| BenchError::Setup("linphonec stdin is closed".into()))?;
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .ctx(|| format!("writing {line:?} to linphonec"))?;
        self.wait_prompts(prompts + 1, COMMAND_TIMEOUT)?;
        let out = self.lock();
        let tail = &out.text[start..];
        let end = tail.find(PROMPT).unwrap_or(tail.len());
        Ok(tail[..end].to_string())
    }

    /// `call URI`; returns the id linphonec assigned.
    pub fn call(&mut self, uri: &str) -> Result<u32> {
        let reply = self.command(&format!("call {uri}"))?;
        parse_assigned_id(&reply)
            .ok_or_else(|| self.protocol(format!("`call {uri}` answered {reply:?}")))
    }

    /// Answers the incoming call `id` (`answer ID`).
    pub fn answer(&mut self, id: u32) -> Result<()> {
        self.command(&format!("answer {id}")).map(drop)
    }

    /// Answers the (only) incoming call.
    pub fn answer_current(&mut self) -> Result<()> {
        self.command("answer").map(drop)
    }

    /// Puts the current call on hold (`pause`: linphonec pauses the current call only).
    pub fn pause(&mut self) -> Result<()> {
        self.command("pause").map(drop)
    }

    pub fn resume(&mut self, id: u32) -> Result<()> {
        self.command(&format!("resume {id}")).map(drop)
    }

    pub fn terminate(&mut self, id: u32) -> Result<()> {
        self.command(&format!("terminate {id}")).map(drop)
    }

    pub fn terminate_all(&mut self) -> Result<()> {
        self.command("terminate all").map(drop)
    }

    /// Blind transfer: REFER of call `id` to `uri`.
    pub fn transfer(&mut self, id: u32, uri: &str) -> Result<()> {
        self.command(&format!("transfer {id} {uri}")).map(drop)
    }

    /// Attended transfer: REFER of call `id1` with Refer-To the far end of call `id2` (with
    /// Replaces).
    pub fn transfer_to_call(&mut self, id1: u32, id2: u32) -> Result<()> {
        self.command(&format!("transfer {id1} --to-call {id2}"))
            .map(drop)
    }

    /// The current calls (`calls`).
    pub fn calls(&mut self) -> Result<Vec<LinphoneCall>> {
        let reply = self.command("calls")?;
        Ok(parse_calls(&reply))
    }

    /// True if linphonec reports its registration as done (`status register`).
    pub fn is_registered(&mut self) -> Result<bool> {
        Ok(self
            .command("status register")?
            .contains("registered, identity="))
    }

    pub fn wait_registered(&mut self, timeout: Duration) -> Result<()> {
        let ok = poll_until(timeout, POLL, || Ok(self.is_registered()?.then_some(())))?;
        ok.ok_or_else(|| {
            BenchError::timeout(
                format!("linphonec {} to register", self.opts.user),
                timeout,
                Some(&self.core_log_path()),
            )
        })
    }

    /// Polls `calls` until `pred` holds for the whole list; returns that list.
    pub fn wait_calls(
        &mut self,
        what: &str,
        pred: impl Fn(&[LinphoneCall]) -> bool,
        timeout: Duration,
    ) -> Result<Vec<LinphoneCall>> {
        let mut last = Vec::new();
        let found = poll_until(timeout, POLL, || {
            last = self.calls()?;
            Ok(pred(&last).then(|| last.clone()))
        })?;
        found.ok_or_else(|| {
            BenchError::timeout(
                format!(
                    "linphonec {}: {what} (last calls: {last:?})",
                    self.opts.user
                ),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Waits until some call matches `pred`; returns it.
    pub fn wait_call(
        &mut self,
        what: &str,
        pred: impl Fn(&LinphoneCall) -> bool,
        timeout: Duration,
    ) -> Result<LinphoneCall> {
        let calls = self.wait_calls(what, |calls| calls.iter().any(&pred), timeout)?;
        calls
            .into_iter()
            .find(|c| pred(c))
            .ok_or_else(|| self.protocol("call vanished".into()))
    }

    /// Waits until a call with `user` (remote `sip:USER@...`) is in `state`; returns it.
    pub fn wait_call_state(
        &mut self,
        user: &str,
        state: &str,
        timeout: Duration,
    ) -> Result<LinphoneCall> {
        self.wait_call(
            &format!("a call with {user} in state {state}"),
            |c| c.is_with(user) && c.state == state,
            timeout,
        )
    }

    /// Waits until an incoming call rings; returns it.
    pub fn wait_incoming(&mut self, timeout: Duration) -> Result<LinphoneCall> {
        self.wait_call(
            "an incoming call",
            |c| c.state == "IncomingReceived",
            timeout,
        )
    }

    /// Waits until there are no calls left.
    pub fn wait_no_calls(&mut self, timeout: Duration) -> Result<()> {
        self.wait_calls("no calls", |c| c.is_empty(), timeout)
            .map(drop)
    }

    /// Waits until linphonec has no call left (then every stream has stopped and written its
    /// header), and writes what the latest call heard, all of its streams and nothing of the
    /// calls before, to `NAME.last-call.wav` beside the record file; returns that path. The
    /// latest call is the one whose stream opened the record file last. The record file itself
    /// is only read.
    pub fn wait_recording(&mut self, timeout: Duration) -> Result<PathBuf> {
        let deadline = Instant::now() + timeout;
        self.wait_no_calls(timeout)?;
        let (rec, out) = (
            self.record_wav.clone(),
            self.record_wav.with_extension("last-call.wav"),
        );
        let log = self.core_log_path();
        let left = deadline.saturating_duration_since(Instant::now());
        let ok = poll_until(left, POLL, || {
            let Ok(raw) = std::fs::read(&rec) else {
                return Ok(None);
            };
            let log = std::fs::read(&log).unwrap_or_default();
            let opens = recorder_opens(&String::from_utf8_lossy(&log), &rec.display().to_string());
            Ok(last_call_wav(&raw, &opens).filter(|wav| {
                hound::WavReader::new(std::io::Cursor::new(wav)).is_ok_and(|r| r.duration() > 0)
            }))
        })?;
        if let Some(wav) = &ok {
            std::fs::write(&out, wav).ctx(|| format!("writing {}", out.display()))?;
        }
        ok.map(|_| out.clone()).ok_or_else(|| {
            BenchError::timeout(
                format!("a complete recording in {}", rec.display()),
                timeout,
                Some(self.proc.log_path()),
            )
        })
    }

    /// Kills linphonec now (also done on drop).
    pub fn stop(&mut self) {
        self.stdin = None;
        if let Ok(pgid) = i32::try_from(self.proc.pid()) {
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
        self.proc.stop();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

impl Drop for Linphone {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn_reader(
    stdout: impl Read + Send + 'static,
    out: Shared,
    log: &Path,
) -> Result<JoinHandle<()>> {
    let mut log = open_log(log)?;
    thread::Builder::new()
        .name("linphonec-stdout".into())
        .spawn(move || {
            let mut buf = [0u8; 4096];
            let mut reader = BufReader::new(stdout);
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let _ = log.write_all(&buf[..n]);
                let chunk = String::from_utf8_lossy(&buf[..n]);
                let (lock, cvar) = &*out;
                let mut o = lock.lock().unwrap_or_else(|p| p.into_inner());
                // a prompt may be split across reads: count on the joined text
                let before = o.text.len().saturating_sub(PROMPT.len() - 1);
                o.text.push_str(&chunk);
                let added = o.text[floor_char(&o.text, before)..]
                    .matches(PROMPT)
                    .count();
                o.prompts += added;
                cvar.notify_all();
            }
            let (lock, cvar) = &*out;
            lock.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
            cvar.notify_all();
        })
        .ctx(|| "spawning the linphonec stdout reader".into())
}

/// Length of the header MSFileRec writes (RIFF, `fmt ` of 16 bytes, `data`).
const WAV_HEADER: usize = 44;

/// One opening of the record file by a stream, from the core log.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RecorderOpen {
    /// Where the stream's audio starts: the size of the file it appended to, or 0.
    offset: usize,
    /// The `CallSession [..]` whose state changes next: the call the stream belongs to.
    call: Option<String>,
}

/// The record file's openings, in order, from the core log (see the module notes).
fn recorder_opens(log: &str, record: &str) -> Vec<RecorderOpen> {
    const APPEND: &str = "Opening wav file in append mode, current data size is ";
    const OPEN: &str = "MSFileRec: recording into ";
    let mut opens: Vec<RecorderOpen> = Vec::new();
    let mut append = None;
    for line in log.lines() {
        if let Some((_, size)) = line.split_once(APPEND) {
            append = size.trim().parse().ok();
        } else if let Some((_, path)) = line.split_once(OPEN) {
            let offset = append.take().unwrap_or(0);
            if path.trim_end() == record {
                opens.push(RecorderOpen { offset, call: None });
            }
        } else if let Some(call) = call_moving(line) {
            for open in opens.iter_mut().filter(|o| o.call.is_none()) {
                open.call = Some(call.to_string());
            }
        }
    }
    opens
}

/// The session of "CallSession [0x55d0] moving from state A to B".
fn call_moving(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once("CallSession [")?;
    let (call, rest) = rest.split_once(']')?;
    rest.starts_with(" moving from state ").then_some(call)
}

/// A WAV of what the stream that opened the record file last and the other streams of its call
/// wrote into `raw` (the record file, every stream stopped): each stream's audio runs from its
/// offset to the next stream's, a stream writing from byte 0 covers what came before, and the
/// last one ends where the header says (its size counts from byte 0). Without `opens` (no core
/// log), all of the file. `None` until the header is there.
fn last_call_wav(raw: &[u8], opens: &[RecorderOpen]) -> Option<Vec<u8>> {
    if raw.len() <= WAV_HEADER
        || &raw[0..4] != b"RIFF"
        || &raw[8..16] != b"WAVEfmt "
        || &raw[36..40] != b"data"
    {
        return None;
    }
    let size = usize::try_from(u32::from_le_bytes([raw[40], raw[41], raw[42], raw[43]])).ok()?;
    let end = size.min(raw.len());
    let mut streams: Vec<(usize, Option<&str>)> = Vec::new();
    for open in opens {
        let start = open.offset.max(WAV_HEADER);
        while streams.last().is_some_and(|&(s, _)| s >= start) {
            streams.pop();
        }
        streams.push((start, open.call.as_deref()));
    }
    if streams.is_empty() {
        streams.push((WAV_HEADER, None));
    }
    let last = streams.last().map(|&(_, call)| call)?;
    let mut wav = raw[..WAV_HEADER].to_vec();
    for (i, &(start, call)) in streams.iter().enumerate() {
        let stop = streams.get(i + 1).map_or(end, |&(next, _)| next.min(end));
        if call == last && start < stop {
            wav.extend_from_slice(&raw[start..stop]);
        }
    }
    let riff = u32::try_from(wav.len() - 8).ok()?;
    let data = u32::try_from(wav.len() - WAV_HEADER).ok()?;
    wav[4..8].copy_from_slice(&riff.to_le_bytes());
    wav[40..44].copy_from_slice(&data.to_le_bytes());
    Some(wav)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn config_text(opts: &LinphoneOptions, dir: &BenchDir, sip_port: u16, rtp: u16) -> String {
    let proxy = format!("<sip:127.0.0.1:{};transport=udp>", opts.proxy_port);
    let db = |name: &str| dir.join(name).display().to_string();
    format!(
        "[sip]\n\
         sip_port={sip_port}\n\
         sip_tcp_port=0\n\
         sip_tls_port=0\n\
         use_ipv6=0\n\
         auto_net_state_mon=0\n\
         register_only_when_network_is_up=0\n\
         register_only_when_upnp_is_ok=0\n\
         supported=replaces\n\
         default_proxy=0\n\
         inc_timeout=120\n\
         guess_hostname=1\n\
         contact=sip:{user}@127.0.0.1\n\
         [net]\n\
         firewall_policy=0\n\
         [rtp]\n\
         audio_rtp_port={rtp}-{rtp_max}\n\
         [video]\n\
         enabled=0\n\
         display=0\n\
         capture=0\n\
         automatically_initiate=0\n\
         automatically_accept=0\n\
         [sound]\n\
         echocancellation=0\n\
         [proxy_0]\n\
         reg_proxy={proxy}\n\
         reg_route={proxy}\n\
         reg_identity=sip:{user}@{domain}\n\
         reg_expires=300\n\
         reg_sendregister=1\n\
         publish=0\n\
         [auth_info_0]\n\
         username={user}\n\
         userid={user}\n\
         passwd={password}\n\
         realm={domain}\n\
         domain={domain}\n\
         [storage]\n\
         uri={linphone_db}\n\
         call_logs_db_uri={call_db}\n\
         zrtp_secrets_db_uri={zrtp_db}\n",
        user = opts.user,
        password = opts.password,
        domain = opts.domain,
        rtp_max = rtp + RTP_PORTS - 1,
        linphone_db = db("linphone.db"),
        call_db = db("call-history.db"),
        zrtp_db = db("zrtp-secrets.db"),
    )
}

/// "Establishing call id to URI, assigned id N"
fn parse_assigned_id(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.split("assigned id ").nth(1))
        .and_then(|rest| {
            rest.trim()
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|d| d.parse().ok())
        })
}

/// The rows of linphonec's `calls` table:
/// `1  | sip:b@127.0.0.1:5060               | StreamsRunning  | `
fn parse_calls(text: &str) -> Vec<LinphoneCall> {
    text.lines()
        .map(|l| l.trim_start_matches(PROMPT))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            if cols.len() < 3 {
                return None;
            }
            let id = cols[0].parse().ok()?;
            Some(LinphoneCall {
                id,
                remote: cols[1].to_string(),
                state: cols[2].to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_call_table() {
        let text = "Call states\n\
            Id |            Destination              |      State      |    Flags   |\n\
            ------------------------------------------------------------------------\n\
            1  | sip:b@127.0.0.1:33937               | Paused          | \n\
            3  | <sip:c@127.0.0.1?Replaces=4ML%3bfrom-tag%3d9G> | OutgoingProgress | \n";
        let calls = parse_calls(text);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].id, 1);
        assert_eq!(calls[0].state, "Paused");
        assert!(calls[0].is_with("b"));
        assert_eq!(calls[1].id, 3);
        assert!(calls[1].is_with("c"));
        assert_eq!(calls[1].state, "OutgoingProgress");
    }

    /// Core log lines of a callee put on hold (its stream restarts and appends) and then
    /// transferred: the call that replaces it appends too.
    const HELD_THEN_TRANSFERRED: &str = "\
        14:38:55:389 mediastreamer-message-MSFileRec: recording into /w/carol-heard.wav\n\
        14:38:55:390 liblinphone-message-CallSession [0xa1] moving from state LinphoneCallConnected to LinphoneCallStreamsRunning\n\
        14:38:55:498 mediastreamer-message-Opening wav file in append mode, current data size is 9600\n\
        14:38:55:498 mediastreamer-message-MSFileRec: recording into /w/carol-heard.wav\n\
        14:38:55:499 liblinphone-message-CallSession[0xa1] : payload type 96 opus/48000 added to frozen list\n\
        14:38:55:499 liblinphone-message-CallSession [0xa1] moving from state LinphoneCallStreamsRunning to LinphoneCallPausedByRemote\n\
        14:38:56:000 liblinphone-message-CallSession [0xb2] moving from state LinphoneCallIdle to LinphoneCallOutgoingInit\n\
        14:38:56:125 mediastreamer-message-Opening wav file in append mode, current data size is 56640\n\
        14:38:56:125 mediastreamer-message-MSFileRec: recording into /w/carol-heard.wav\n\
        14:38:56:126 liblinphone-message-CallSession [0xb2] moving from state LinphoneCallConnected to LinphoneCallStreamsRunning\n\
        14:38:56:200 liblinphone-message-CallSession [0xa1] moving from state LinphoneCallPaused to LinphoneCallEnd\n";

    fn open(offset: usize, call: &str) -> RecorderOpen {
        RecorderOpen {
            offset,
            call: Some(call.into()),
        }
    }

    /// A record file of `len` bytes whose header (sizes as MSFileRec writes them: from byte 0)
    /// is followed by bytes that tell their offset (`i % 251`).
    fn recorded(len: usize) -> Vec<u8> {
        let mut raw: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        raw[0..16].copy_from_slice(b"RIFF\0\0\0\0WAVEfmt ");
        raw[4..8].copy_from_slice(&(len as u32 + 32).to_le_bytes());
        raw[16..36].copy_from_slice(&[
            16, 0, 0, 0, 1, 0, 1, 0, 0x80, 0xbb, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0,
        ]);
        raw[36..40].copy_from_slice(b"data");
        raw[40..44].copy_from_slice(&(len as u32).to_le_bytes());
        raw
    }

    /// The header `wav` says it has (RIFF size, data size) and its audio.
    fn split(wav: &[u8]) -> (u32, u32, &[u8]) {
        let le = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        (le(&wav[4..8]), le(&wav[40..44]), &wav[44..])
    }

    #[test]
    fn finds_the_record_files_openings_and_their_calls() {
        let opens = recorder_opens(HELD_THEN_TRANSFERRED, "/w/carol-heard.wav");
        assert_eq!(
            opens,
            vec![open(0, "0xa1"), open(9600, "0xa1"), open(56640, "0xb2")]
        );
        assert!(recorder_opens(HELD_THEN_TRANSFERRED, "/w/heard.wav").is_empty());
    }

    #[test]
    fn the_latest_call_is_cut_out_of_the_appended_file() {
        let raw = recorded(60_000);
        let opens = recorder_opens(HELD_THEN_TRANSFERRED, "/w/carol-heard.wav");
        let wav = last_call_wav(&raw, &opens).unwrap();
        let (riff, data, audio) = split(&wav);
        assert_eq!(audio, &raw[56_640..]);
        assert_eq!((riff, data), (3_360 + 36, 3_360));
    }

    #[test]
    fn a_stream_writing_from_the_start_covers_the_ones_before() {
        // the second call started while the first still ran (no header yet): both wrote from
        // byte 0; the second stopped last, with 30 000 bytes
        let mut raw = recorded(50_000);
        raw[40..44].copy_from_slice(&30_000u32.to_le_bytes());
        let wav = last_call_wav(&raw, &[open(0, "0xa1"), open(0, "0xb2")]).unwrap();
        assert_eq!(split(&wav).2, &raw[44..30_000]);
    }

    #[test]
    fn a_calls_streams_are_joined_without_the_other_calls() {
        let raw = recorded(10_000);
        let opens = [open(0, "0xa1"), open(2_000, "0xb2"), open(6_000, "0xa1")];
        let wav = last_call_wav(&raw, &opens).unwrap();
        assert_eq!(split(&wav).2, [&raw[44..2_000], &raw[6_000..]].concat());
    }

    #[test]
    fn without_the_core_log_the_whole_file_is_taken() {
        let raw = recorded(10_000);
        let wav = last_call_wav(&raw, &[]).unwrap();
        assert_eq!(split(&wav), (9_992, 9_956, &raw[44..]));
    }

    #[test]
    fn no_wav_before_the_header_is_written() {
        let mut raw = recorded(10_000);
        raw[0..4].copy_from_slice(&[0; 4]);
        assert_eq!(last_call_wav(&raw, &[]), None);
        assert_eq!(last_call_wav(&raw[..44], &[]), None);
    }

    #[test]
    fn parses_the_assigned_id() {
        let text = "Establishing call id to sip:c@127.0.0.1:33937, assigned id 12\n\
                    Call 12 to sip:c@127.0.0.1:33937 in progress.\n";
        assert_eq!(parse_assigned_id(text), Some(12));
        assert_eq!(
            parse_assigned_id("Terminate or hold on the current call first."),
            None
        );
    }
}
