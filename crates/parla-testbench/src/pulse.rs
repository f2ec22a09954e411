//! A user-mode PulseAudio with null sinks: a sound card for tests on machines without one.
//!
//! The daemon runs in its own temp folder (HOME, XDG_RUNTIME_DIR, PULSE_RUNTIME_PATH and
//! PULSE_STATE_PATH all point there) and listens only on a unix socket in it. Two null sinks:
//! `spk` (48 kHz stereo: what the app plays, heard on `spk.monitor`) and `mic` (48 kHz mono:
//! what [`PulseAudio::play_into_mic`] plays, captured by the app from `mic.monitor`).
//!
//! A null sink is paced by a timer that, with no stream on it, sleeps for up to two seconds, so a
//! new stream would stall that long; each sink gets a silent low-latency stream (`pacat` from
//! /dev/zero) that keeps it ticking like a sound card.
//!
//! A client (our app or a test process) reaches it through ALSA's `default` device with the
//! variables from [`PulseAudio::env`]: an ALSA config that routes `default` to the `pulse`
//! plugin, the server socket, and the default sink/source for that client.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{BenchError, IoContext, Result};
use crate::process::{open_log, poll_until, run_checked, Proc};
use crate::workdir::BenchDir;

const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The rate of both null sinks and of recordings.
pub const PULSE_RATE: u32 = 48_000;
/// Where Debian (and most distributions) keep ALSA's top-level config, which loads the plugins.
const SYSTEM_ALSA_CONF: [&str; 2] = ["/usr/share/alsa/alsa.conf", "/etc/alsa/alsa.conf"];

/// A running PulseAudio daemon. Dropping it stops it.
#[derive(Debug)]
pub struct PulseAudio {
    keepalive: Vec<Proc>,
    proc: Proc,
    socket: PathBuf,
    alsa_conf: PathBuf,
    client_conf: PathBuf,
    cookie: PathBuf,
    dir: BenchDir,
}

impl PulseAudio {
    /// True if `pulseaudio`, `pactl`, `paplay` and `parec` can be run.
    pub fn available() -> bool {
        ["pulseaudio", "pactl", "paplay", "parec"]
            .iter()
            .all(|tool| {
                Command::new(tool)
                    .arg("--version")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
    }

    /// Starts the daemon with the `spk` and `mic` null sinks and waits until it answers.
    pub fn start() -> Result<PulseAudio> {
        Self::start_with(false)
    }

    /// A daemon that takes real-time scheduling, as a desktop's sound server does (through
    /// rtkit), and has no sinks until the caller adds its own (so no `spk` or `mic`, and no
    /// streams keeping them awake: [`PulseAudio::env`]'s `PULSE_SINK` and `PULSE_SOURCE` must
    /// be replaced). For benchmarks that measure timing, where an ordinary daemon delivering
    /// the microphone late on a busy machine, or idle sinks ticking beside the measured ones,
    /// would be counted against the client.
    pub fn start_realtime() -> Result<PulseAudio> {
        Self::start_with(true)
    }

    /// `measuring`: real-time, and no default sinks (see [`PulseAudio::start_realtime`]).
    fn start_with(measuring: bool) -> Result<PulseAudio> {
        let dir = BenchDir::new("pulse")?;
        for sub in ["home", "run", "state"] {
            std::fs::create_dir_all(dir.join(sub)).ctx(|| format!("creating {sub} dir"))?;
        }
        let socket = dir.join("run").join("native");
        let alsa_conf = dir.join("asound.conf");
        std::fs::write(
            &alsa_conf,
            "pcm.!default { type pulse }\nctl.!default { type pulse }\n",
        )
        .ctx(|| format!("writing {}", alsa_conf.display()))?;
        // No autospawn: if this daemon dies, clients must fail rather than start a system one.
        let client_conf = dir.join("client.conf");
        std::fs::write(&client_conf, "autospawn = no\n")
            .ctx(|| format!("writing {}", client_conf.display()))?;

        let yes_no = if measuring { "yes" } else { "no" };
        let default_sinks: &[(&str, u16)] = if measuring {
            &[]
        } else {
            &[("spk", 2), ("mic", 1)]
        };
        let mut cmd = Command::new("pulseaudio");
        cmd.args([
            "-n",
            "--daemonize=no",
            "--system=false",
            "--exit-idle-time=-1",
            "--disallow-exit=yes",
            "--use-pid-file=no",
            "--log-target=stderr",
        ])
        .arg(format!("--realtime={yes_no}"))
        .arg(format!("--high-priority={yes_no}"))
        .arg("-L")
        .arg(format!(
            "module-native-protocol-unix auth-anonymous=1 socket={}",
            socket.display()
        ))
        .arg("-L")
        .arg(format!(
            "module-cli-protocol-unix socket={}",
            dir.join("run").join("cli").display()
        ))
        .env("HOME", dir.join("home"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env("XDG_CONFIG_HOME", dir.join("home").join(".config"))
        .env("PULSE_RUNTIME_PATH", dir.join("run"))
        .env("PULSE_STATE_PATH", dir.join("state"))
        .env_remove("PULSE_SERVER")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
        for (name, channels) in default_sinks {
            cmd.arg("-L").arg(format!(
                "module-null-sink sink_name={name} rate={PULSE_RATE} channels={channels}"
            ));
        }
        let proc = Proc::spawn("pulseaudio", cmd, &dir.join("pulseaudio.log"))?;
        let cookie = dir
            .join("home")
            .join(".config")
            .join("pulse")
            .join("cookie");
        let mut pa = PulseAudio {
            keepalive: Vec::new(),
            proc,
            socket,
            alsa_conf,
            client_conf,
            cookie,
            dir,
        };
        pa.wait_ready()?;
        let names: Vec<&str> = default_sinks.iter().map(|(name, _)| *name).collect();
        for name in &names {
            pa.keep_awake(name)?;
        }
        pa.wait_awake(&names)?;
        Ok(pa)
    }

    /// Starts the silent stream that keeps `sink` ticking (see the module docs).
    fn keep_awake(&mut self, sink: &str) -> Result<()> {
        let mut cmd = self.client("pacat");
        cmd.args([
            "--playback",
            "-d",
            sink,
            "--raw",
            "--format=s16le",
            "--channels=1",
        ])
        .arg(format!("--rate={PULSE_RATE}"))
        .args(["--latency-msec=10", "/dev/zero"]);
        let log = self.dir.join(&format!("keepalive-{sink}.log"));
        self.keepalive.push(Proc::spawn("pacat", cmd, &log)?);
        Ok(())
    }

    fn wait_ready(&mut self) -> Result<()> {
        let ready = poll_until(START_TIMEOUT, Duration::from_millis(50), || {
            self.proc.ensure_running()?;
            // The daemon loads its `-L` modules before it answers.
            Ok(self.pactl(&["info"]).is_ok().then_some(()))
        })?;
        ready.ok_or_else(|| {
            BenchError::timeout(
                "PulseAudio to answer",
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )
        })
    }

    /// `unix:/…/native`: the value of PULSE_SERVER.
    pub fn server(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    /// What a client process needs so that ALSA's `default` device (and so cpal's default
    /// input and output) goes to this daemon: playback to `spk`, capture from `mic.monitor`.
    /// Set these before the client first touches ALSA (ALSA reads its config once).
    pub fn env(&self) -> Vec<(String, String)> {
        let system = SYSTEM_ALSA_CONF.iter().find(|p| Path::new(p).exists());
        // ALSA_CONFIG_PATH replaces the config search: keep the system file first (it defines
        // the plugin types), ours last so its `!default` wins.
        let alsa_path = match system {
            Some(sys) => format!("{sys}:{}", self.alsa_conf.display()),
            None => self.alsa_conf.display().to_string(),
        };
        let pairs = [
            ("PULSE_SERVER", self.server()),
            ("PULSE_SINK", "spk".to_string()),
            ("PULSE_SOURCE", "mic.monitor".to_string()),
            ("PULSE_CLIENTCONFIG", self.client_conf.display().to_string()),
            ("PULSE_COOKIE", self.cookie.display().to_string()),
            ("ALSA_CONFIG_PATH", alsa_path),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// Runs `pactl` against this daemon and returns its output.
    pub fn pactl(&self, args: &[&str]) -> Result<String> {
        let mut cmd = self.client("pactl");
        cmd.args(args);
        run_checked(&mut cmd)
    }

    /// Loads another null sink; returns its module index (for [`PulseAudio::unload_module`]).
    pub fn add_null_sink(&mut self, name: &str, channels: u16) -> Result<u32> {
        self.load_awake_sink(
            name,
            &[
                "module-null-sink",
                &format!("sink_name={name}"),
                &format!("rate={PULSE_RATE}"),
                &format!("channels={channels}"),
            ],
        )
    }

    /// Loads a mono remap sink `name` on one channel (`front-left`, `front-right`) of the sink
    /// `master`, kept ticking like the null sinks; returns its module index. What is played to
    /// it is heard on that channel of `master.monitor`, in the same block as the other channels.
    pub fn add_remap_sink(&mut self, name: &str, master: &str, channel: &str) -> Result<u32> {
        self.load_awake_sink(
            name,
            &[
                "module-remap-sink",
                &format!("sink_name={name}"),
                &format!("master={master}"),
                "channels=1",
                &format!("master_channel_map={channel}"),
                "channel_map=mono",
                "remix=no",
            ],
        )
    }

    /// Loads a mono source `name`, described as `description` (no quotes in it), that carries
    /// what the sink `sink` plays (its monitor): a device's microphone, a source of its own as a
    /// headset's is, not a monitor. Returns the module index.
    pub fn add_source(&self, name: &str, sink: &str, description: &str) -> Result<u32> {
        let out = self.pactl(&[
            "load-module",
            "module-remap-source",
            &format!("source_name={name}"),
            &format!("master={sink}.monitor"),
            "channels=1",
            "channel_map=mono",
            "master_channel_map=mono",
            &format!("source_properties='device.description=\"{description}\"'"),
        ])?;
        module_index(&out)
    }

    /// Loads the module (name and arguments in `module`) that makes the sink `name`, and keeps
    /// the sink ticking; returns the module index.
    fn load_awake_sink(&mut self, name: &str, module: &[&str]) -> Result<u32> {
        let mut args = vec!["load-module"];
        args.extend_from_slice(module);
        let index = module_index(&self.pactl(&args)?)?;
        self.keep_awake(name)?;
        self.wait_awake(&[name])?;
        Ok(index)
    }

    /// Kills every stream of the process `pid` (the test's own, for a cpal client): it sees its
    /// streams fail, as an ALSA client sees a USB headset unplugged. Unload the headset's sinks
    /// first: PulseAudio moves their streams to the default device, and a client whose stream
    /// is killed there reconnects to the device it asked for, which is gone. (Killing before
    /// unloading races with that reconnection.) The bench's own keep-awake streams live on.
    pub fn kill_streams_of(&self, pid: u32) -> Result<usize> {
        let clients = clients_of(&self.pactl(&["list", "clients"])?, pid);
        let mut killed = 0;
        for (streams, kill) in [
            // pactl has no kill command; the daemon's CLI socket has.
            ("sink-inputs", "kill-sink-input"),
            ("source-outputs", "kill-source-output"),
        ] {
            let listed = self.pactl(&["list", "short", streams])?;
            let theirs = listed.lines().filter_map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                let (stream, client) = (*cols.first()?, *cols.get(2)?);
                clients.iter().any(|c| c == client).then_some(stream)
            });
            for stream in theirs {
                let reply = self.cli(&format!("{kill} {stream}"))?;
                if !reply.is_empty() {
                    return Err(BenchError::Protocol {
                        peer: "pulseaudio".into(),
                        detail: format!("{kill} {stream}: {reply}"),
                    });
                }
                killed += 1;
            }
        }
        Ok(killed)
    }

    /// Unloads a module, e.g. a null sink from [`PulseAudio::add_null_sink`]. PulseAudio moves
    /// the streams on it to the default sink/source.
    pub fn unload_module(&self, index: u32) -> Result<()> {
        self.pactl(&["unload-module", &index.to_string()])
            .map(|_| ())
    }

    /// Adds an ALSA PCM named `pcm` that goes to the PulseAudio sink or source `device`, listed
    /// by ALSA (and so by cpal) under that name. Seen by clients that read ALSA's config after
    /// this call.
    pub fn add_alsa_pcm(&self, pcm: &str, device: &str) -> Result<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.alsa_conf)
            .ctx(|| format!("opening {}", self.alsa_conf.display()))?;
        writeln!(
            f,
            "pcm.{pcm} {{ type pulse device \"{device}\" hint {{ show on description \"{pcm} (bench)\" }} }}"
        )
        .ctx(|| format!("writing {}", self.alsa_conf.display()))
    }

    /// Plays a WAV file into the `mic` sink (`paplay -d mic`); apps capture it from `mic.monitor`.
    /// The returned process ends when the file ends; dropping it stops the playback.
    pub fn play_into_mic(&self, wav: &Path) -> Result<Proc> {
        self.play_into("mic", wav)
    }

    /// Plays a WAV file into any sink of this daemon.
    pub fn play_into(&self, sink: &str, wav: &Path) -> Result<Proc> {
        let mut cmd = self.client("paplay");
        cmd.args(["-d", sink]).arg(wav);
        Proc::spawn("paplay", cmd, &self.dir.join("paplay.log"))
    }

    /// Starts recording what is played to `spk` (from `spk.monitor`) as a 48 kHz stereo
    /// 16-bit WAV of exactly `seconds` (counted from when the recorder connects).
    pub fn record_speaker(&self, path: &Path, seconds: f64) -> Result<Recording> {
        self.record("spk.monitor", path, seconds, 2)
    }

    /// Records `seconds` of a source (e.g. `mic.monitor`) to a 48 kHz 16-bit WAV.
    pub fn record(
        &self,
        source: &str,
        path: &Path,
        seconds: f64,
        channels: u16,
    ) -> Result<Recording> {
        if !(seconds > 0.0 && seconds < 3600.0) || channels == 0 {
            return Err(BenchError::Setup(format!(
                "recording of {seconds} s with {channels} channels"
            )));
        }
        let (proc, stdout) = self.parec(source, channels)?;
        let frames = (seconds * f64::from(PULSE_RATE)).round() as usize;
        let bytes = frames * usize::from(channels) * 2;
        let reader = std::thread::spawn(move || read_up_to(stdout, bytes));
        Ok(Recording {
            proc,
            reader: Some(reader),
            path: path.to_path_buf(),
            channels,
        })
    }

    /// Runs one command on the daemon's CLI socket (what `pacmd` talks to) and returns what it
    /// printed, without the banner and prompts.
    pub fn cli(&self, command: &str) -> Result<String> {
        use std::io::Write;
        use std::os::unix::net::UnixStream;
        let path = self.dir.join("run").join("cli");
        let context = || format!("PulseAudio CLI {}", path.display());
        let mut sock = UnixStream::connect(&path).ctx(context)?;
        sock.set_read_timeout(Some(START_TIMEOUT)).ctx(context)?;
        sock.write_all(format!("{command}\n").as_bytes())
            .ctx(context)?;
        // End of input ends the session (the CLI's `exit` would stop the daemon).
        sock.shutdown(std::net::Shutdown::Write).ctx(context)?;
        let mut reply = String::new();
        sock.read_to_string(&mut reply).ctx(context)?;
        let text: Vec<&str> = reply
            .lines()
            .map(|l| l.trim_start_matches(">>> ").trim())
            .filter(|l| !l.is_empty() && !l.starts_with("Welcome to PulseAudio"))
            .collect();
        Ok(text.join("\n"))
    }

    /// Starts `parec` on `source`: raw 48 kHz s16le on the returned pipe.
    fn parec(&self, source: &str, channels: u16) -> Result<(Proc, ChildStdout)> {
        let mut cmd = self.client("parec");
        cmd.args(["-d", source, "--raw", "--format=s16le", "--latency-msec=10"])
            .arg(format!("--rate={PULSE_RATE}"))
            .arg(format!("--channels={channels}"));
        let log = self.dir.join("parec.log");
        let err = open_log(&log)?;
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(err);
        let mut proc = Proc::spawn_configured("parec", cmd, &log)?;
        match proc.child_mut().stdout.take() {
            Some(stdout) => Ok((proc, stdout)),
            None => Err(BenchError::Setup("parec has no stdout pipe".into())),
        }
    }

    /// Waits until each sink delivers audio promptly: a null sink that was idle wakes only at
    /// the end of its long idle block, and streams opened before then stall that long.
    fn wait_awake(&self, sinks: &[&str]) -> Result<()> {
        let mut readers = Vec::new();
        for sink in sinks {
            let (proc, stdout) = self.parec(&format!("{sink}.monitor"), 1)?;
            // 50 ms of audio
            let reader = std::thread::spawn(move || read_up_to(stdout, 4800));
            readers.push((proc, reader));
        }
        let awake = poll_until(START_TIMEOUT, Duration::from_millis(20), || {
            Ok(readers.iter().all(|(_, r)| r.is_finished()).then_some(()))
        })?;
        // Dropping the recorders stops them; their reader threads then see the end of the pipe.
        drop(readers);
        awake.ok_or_else(|| {
            BenchError::timeout(
                format!("null sinks {sinks:?} to deliver audio"),
                START_TIMEOUT,
                Some(self.proc.log_path()),
            )
        })
    }

    /// A command for a PulseAudio client tool that talks to this daemon only.
    fn client(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.env_remove("PULSE_SINK").env_remove("PULSE_SOURCE");
        cmd
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

    /// Stops the daemon (SIGTERM, then SIGKILL); clients see their streams fail.
    pub fn stop(&mut self) {
        self.keepalive.clear();
        self.proc.stop();
    }
}

/// A recording in progress; [`Recording::finish`] waits for it and writes the WAV.
#[derive(Debug)]
pub struct Recording {
    proc: Proc,
    reader: Option<JoinHandle<std::io::Result<Vec<u8>>>>,
    path: PathBuf,
    channels: u16,
}

impl Recording {
    /// Waits until the requested length has been recorded (or the recorder ended), stops the
    /// recorder and writes the WAV file. Returns its path.
    pub fn finish(mut self) -> Result<PathBuf> {
        let bytes = match self.reader.take().map(JoinHandle::join) {
            Some(Ok(read)) => read.ctx(|| "reading parec's output".into())?,
            _ => return Err(BenchError::Setup("the parec reader thread panicked".into())),
        };
        self.proc.stop();
        let frame_bytes = usize::from(self.channels) * 2;
        let whole = bytes.len() / frame_bytes * frame_bytes;
        let spec = hound::WavSpec {
            channels: self.channels,
            sample_rate: PULSE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let wav_err =
            |e: hound::Error| BenchError::Setup(format!("WAV {}: {e}", self.path.display()));
        let mut w = hound::WavWriter::create(&self.path, spec).map_err(wav_err)?;
        for pair in bytes[..whole].chunks_exact(2) {
            w.write_sample(i16::from_le_bytes([pair[0], pair[1]]))
                .map_err(wav_err)?;
        }
        w.finalize().map_err(wav_err)?;
        Ok(self.path.clone())
    }
}

/// Reads until `limit` bytes or end of file.
fn read_up_to(stdout: ChildStdout, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(limit);
    stdout.take(limit as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The module index `pactl load-module` printed.
fn module_index(out: &str) -> Result<u32> {
    out.trim().parse().map_err(|_| BenchError::Protocol {
        peer: "pactl".into(),
        detail: format!("load-module printed {out:?}, not a module index"),
    })
}

/// The indexes of the clients in `pactl list clients` output that belong to process `pid`.
fn clients_of(listing: &str, pid: u32) -> Vec<String> {
    let wanted = format!("application.process.id = \"{pid}\"");
    let mut found = Vec::new();
    let mut current = None;
    for line in listing.lines().map(str::trim) {
        if let Some(index) = line.strip_prefix("Client #") {
            current = Some(index.to_owned());
        } else if line == wanted {
            found.extend(current.take());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::clients_of;

    #[test]
    fn finds_the_clients_of_a_process() {
        let listing = "Client #4\n\tDriver: protocol-native.c\n\tProperties:\n\t\t\
                       application.process.id = \"77\"\nClient #9\n\tProperties:\n\t\t\
                       application.process.id = \"770\"\nClient #12\n\tProperties:\n\t\t\
                       application.process.id = \"77\"\n";
        assert_eq!(clients_of(listing, 77), ["4", "12"]);
        assert!(clients_of(listing, 5).is_empty());
    }
}
