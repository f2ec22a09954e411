//! The desktop the apps run on, owned by the bench: its own Xvfb (free display via `-displayfd`),
//! a private D-Bus session bus, a PulseAudio with null sinks as the sound card, and a network
//! namespace per app with loopback only. Everything is started here and stopped by PID when the
//! [`Session`] drops.

use crate::apps::App;
use anyhow::{bail, Context, Result};
use parla_testbench::process::Proc;
use parla_testbench::{BenchDir, PulseAudio};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(20);
/// Screen of the virtual display: big enough for every app's first window.
const SCREEN: &str = "1280x1024x24";

/// Programs the bench itself runs, whatever the apps, and the Debian package that ships each.
const TOOLS: [(&str, &str); 10] = [
    ("Xvfb", "xvfb"),
    ("xdotool", "xdotool"),
    ("xwd", "x11-apps"),
    ("convert", "imagemagick"),
    ("import", "imagemagick"),
    ("dbus-daemon", "dbus"),
    ("pulseaudio", "pulseaudio"),
    ("pactl", "pulseaudio-utils"),
    ("unshare", "util-linux"),
    ("ip", "iproute2"),
];

/// The tools (and their packages) missing from PATH, of the bench's own and those of the
/// `apps` chosen ([`App::program`]); empty when the bench can run them.
pub fn missing_tools(apps: &[App]) -> Vec<(&'static str, &'static str)> {
    let mut tools = TOOLS.to_vec();
    for program in apps.iter().filter_map(|a| a.program()) {
        if !tools.contains(&program) {
            tools.push(program);
        }
    }
    tools
        .into_iter()
        .filter(|(tool, _)| find_in_path(tool).is_none())
        .collect()
}

fn find_in_path(tool: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// How each app is put in a network namespace that has only loopback.
#[derive(Debug, Clone, Copy)]
enum Netns {
    /// `unshare -n` (root, or CAP_SYS_ADMIN).
    Plain,
    /// `unshare -rn`: an unprivileged user namespace maps us to root inside it.
    UserNs,
}

impl Netns {
    fn flags(self) -> &'static str {
        match self {
            Netns::Plain => "-n",
            Netns::UserNs => "-rn",
        }
    }

    /// The first that can bring loopback up in a new namespace on this machine.
    fn detect() -> Option<Netns> {
        [Netns::Plain, Netns::UserNs].into_iter().find(|ns| {
            Command::new("unshare")
                .args([ns.flags(), "--", "ip", "link", "set", "lo", "up"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    }
}

pub struct Session {
    // Dropped in this order: apps are gone by then; the bus and sound server before the display.
    dbus: Proc,
    pulse: PulseAudio,
    xvfb: Proc,
    display: String,
    bus_address: String,
    netns: Netns,
    dir: BenchDir,
}

impl Session {
    pub fn start() -> Result<Session> {
        let netns = Netns::detect().context(
            "cannot make a network namespace (`unshare -n` and `unshare -rn` both failed): the \
             bench keeps every app offline that way; run it as root or enable user namespaces",
        )?;
        let dir = BenchDir::new("desktop-session")?;
        let (xvfb, display) = start_xvfb(&dir)?;
        let (dbus, bus_address) = start_dbus(&dir)?;
        let pulse = PulseAudio::start().context("starting PulseAudio (the apps' sound card)")?;
        Ok(Session {
            dbus,
            pulse,
            xvfb,
            display,
            bus_address,
            netns,
            dir,
        })
    }

    /// `:N`
    pub fn display(&self) -> &str {
        &self.display
    }

    pub fn xvfb_pid(&self) -> u32 {
        self.xvfb.pid()
    }

    pub fn pulse(&self) -> &PulseAudio {
        &self.pulse
    }

    pub fn describe(&self) -> String {
        format!(
            "Xvfb {} ({SCREEN}, pid {}), private session bus (pid {}), PulseAudio null sinks \
             (pid {}), each app in its own network namespace with loopback only (unshare {})",
            self.display,
            self.xvfb.pid(),
            self.dbus.pid(),
            self.pulse.pid(),
            self.netns.flags()
        )
    }

    /// `program args...` in a fresh network namespace with loopback up (the PID is the app's
    /// own: `unshare` and `sh` exec into it), with a clean environment: this display, bus and
    /// sound server, and `home` as HOME and every XDG folder.
    pub fn command(&self, home: &Path, program: &str, args: &[&str]) -> Result<Command> {
        let mut cmd = Command::new("unshare");
        cmd.args([self.netns.flags(), "--", "sh", "-c"])
            .arg("ip link set lo up && exec \"$@\"")
            .arg("sh")
            .arg(program)
            .args(args);
        cmd.env_clear();
        for keep in ["PATH", "USER", "LOGNAME"] {
            if let Some(v) = std::env::var_os(keep) {
                cmd.env(keep, v);
            }
        }
        let runtime = home.join("run");
        for sub in [".config", ".local/share", ".local/state", ".cache"] {
            std::fs::create_dir_all(home.join(sub))?;
        }
        std::fs::create_dir_all(&runtime)?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))?;
        }
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("LANG", "C.UTF-8")
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("QT_QPA_PLATFORM", "xcb");
        for (k, v) in self.pulse.env() {
            cmd.env(k, v);
        }
        Ok(cmd)
    }

    /// Median time, in ms, of the namespace wrapper alone (`exec true`): part of every app's
    /// cold-start figure alike.
    pub fn wrapper_overhead_ms(&self) -> Result<f64> {
        let home = self.dir.join("overhead");
        let mut samples = Vec::new();
        for _ in 0..5 {
            let mut cmd = self.command(&home, "true", &[])?;
            let t0 = Instant::now();
            let status = cmd.status().context("running the namespace wrapper")?;
            if !status.success() {
                bail!("the namespace wrapper failed: {status}");
            }
            samples.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        samples.sort_by(f64::total_cmp);
        Ok(samples[samples.len() / 2])
    }
}

fn start_xvfb(dir: &BenchDir) -> Result<(Proc, String)> {
    let log = dir.join("xvfb.log");
    let mut cmd = Command::new("Xvfb");
    // -displayfd 1: Xvfb picks a free display and writes its number to stdout (the log) once it
    // accepts connections. -noreset: no server reset (and refused connections meanwhile) each
    // time the last client, i.e. the app just stopped, disconnects.
    cmd.args([
        "-displayfd",
        "1",
        "-screen",
        "0",
        SCREEN,
        "-nolisten",
        "tcp",
        "-noreset",
    ]);
    let mut xvfb = Proc::spawn("Xvfb", cmd, &log)?;
    let number = wait_for_line(&mut xvfb, &log, |line| {
        (!line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())).then(|| line.to_string())
    })
    .context("Xvfb did not report its display")?;
    Ok((xvfb, format!(":{number}")))
}

/// A session bus from our own config: the session policy, a socket in our folder, and no
/// service directories, so nothing is auto-started behind the bench's back.
fn start_dbus(dir: &BenchDir) -> Result<(Proc, String)> {
    let config = dir.join("session.conf");
    let socket = dir.join("bus");
    std::fs::write(
        &config,
        format!(
            "<busconfig>\n  <type>session</type>\n  <keep_umask/>\n  \
             <listen>unix:path={}</listen>\n  <auth>EXTERNAL</auth>\n  <auth>ANONYMOUS</auth>\n  \
             <allow_anonymous/>\n  <policy context=\"default\">\n    \
             <allow send_destination=\"*\" eavesdrop=\"true\"/>\n    \
             <allow eavesdrop=\"true\"/>\n    <allow own=\"*\"/>\n  </policy>\n</busconfig>\n",
            socket.display()
        ),
    )?;
    let log = dir.join("dbus.log");
    let mut cmd = Command::new("dbus-daemon");
    cmd.arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1", "--nopidfile"]);
    let mut dbus = Proc::spawn("dbus-daemon", cmd, &log)?;
    let address = wait_for_line(&mut dbus, &log, |line| {
        line.starts_with("unix:").then(|| line.to_string())
    })
    .context("dbus-daemon did not print its address")?;
    Ok((dbus, address))
}

/// Polls `log` (bounded) for the first line `pick` accepts, while `proc` runs.
fn wait_for_line(
    proc: &mut Proc,
    log: &Path,
    pick: impl Fn(&str) -> Option<String>,
) -> Result<String> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        proc.ensure_running()?;
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(found) = text.lines().map(str::trim).find_map(&pick) {
            return Ok(found);
        }
        if Instant::now() >= deadline {
            bail!(
                "{} gave no ready line within {START_TIMEOUT:?}; log:\n{text}",
                proc.name()
            );
        }
        std::thread::sleep(POLL);
    }
}
