//! The three desktop softphones, each started with a fresh HOME (and XDG folders) in its own
//! temp folder, so no first-run state carries over from one start to the next.

use crate::session::Session;
use anyhow::Result;
use parla_testbench::process::Proc;
use parla_testbench::BenchDir;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    /// `parla --profile DIR` as shipped: the CPU renderer (tiny-skia) unless ICED_BACKEND says.
    Parla,
    /// The same with `ICED_BACKEND=wgpu` (GPU, or software GL without one).
    ParlaWgpu,
    Twinkle,
    Linphone,
}

impl App {
    pub const ALL: [App; 4] = [App::Parla, App::ParlaWgpu, App::Twinkle, App::Linphone];

    pub fn label(self) -> &'static str {
        match self {
            App::Parla => "parla (default: tiny-skia)",
            App::ParlaWgpu => "parla (ICED_BACKEND=wgpu)",
            App::Twinkle => "twinkle",
            App::Linphone => "linphone",
        }
    }

    pub fn file_stem(self) -> &'static str {
        match self {
            App::Parla => "parla-default",
            App::ParlaWgpu => "parla-wgpu",
            App::Twinkle => "twinkle",
            App::Linphone => "linphone",
        }
    }

    pub fn is_parla(self) -> bool {
        matches!(self, App::Parla | App::ParlaWgpu)
    }

    /// How the app is set up, i.e. what its first window is expected to be.
    pub fn setup_note(self) -> &'static str {
        match self {
            App::Parla | App::ParlaWgpu => {
                "empty profile (--profile DIR), no account: its first-run window"
            }
            App::Twinkle => {
                "profile bench.cfg (bench@127.0.0.1, no registration) given with -f, so the \
                 main window, not the create-a-profile dialog"
            }
            App::Linphone => {
                "no account: its first-run state, the main window on the welcome/assistant page"
            }
        }
    }

    /// The package version, for the report.
    pub fn version(self, parla_bin: &Path) -> String {
        let query = |pkg: &str| {
            std::process::Command::new("dpkg-query")
                .args(["-W", "-f=${Version}", pkg])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_else(|| "?".into())
        };
        match self {
            App::Parla | App::ParlaWgpu => format!("{}", parla_bin.display()),
            App::Twinkle => format!("Debian twinkle {}", query("twinkle")),
            App::Linphone => format!("Debian linphone-desktop {}", query("linphone-desktop")),
        }
    }

    /// Starts the app in a fresh temp HOME; the clock starts just before the spawn.
    pub fn launch(self, session: &Session, parla_bin: &Path) -> Result<Launch> {
        let dir = BenchDir::new(&format!("desktop-{}", self.file_stem()))?;
        let home = dir.join("home");
        let mut cmd = match self {
            App::Parla | App::ParlaWgpu => {
                let profile = dir.join("profile");
                let bin = parla_bin.to_string_lossy();
                let profile = profile.to_string_lossy();
                let mut cmd = session.command(&home, &bin, &["--profile", &profile])?;
                if self == App::ParlaWgpu {
                    cmd.env("ICED_BACKEND", "wgpu");
                }
                cmd
            }
            App::Twinkle => {
                let twinkle = home.join(".twinkle");
                std::fs::create_dir_all(&twinkle)?;
                std::fs::write(
                    twinkle.join("bench.cfg"),
                    "user_name=bench\nuser_domain=127.0.0.1\nuser_display=Bench\n\
                     register_at_startup=no\n",
                )?;
                session.command(&home, "twinkle", &["-f", "bench"])?
            }
            App::Linphone => session.command(&home, "linphone", &[])?,
        };
        cmd.current_dir(dir.path());
        let log = dir.join("app.log");
        let started = Instant::now();
        let proc = Proc::spawn(self.file_stem(), cmd, &log)?;
        Ok(Launch { proc, started, dir })
    }
}

pub struct Launch {
    pub proc: Proc,
    pub started: Instant,
    pub dir: BenchDir,
}

impl Launch {
    /// Which renderer iced picked, from Parla's log (wgpu logs its adapter at INFO).
    pub fn parla_renderer(&self) -> Option<String> {
        let log = std::fs::read_to_string(self.dir.join("app.log")).ok()?;
        let selected = log.find("Selected: AdapterInfo")?;
        let rest = &log[selected..];
        let name = rest
            .split_once("name: \"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(n, _)| n)?;
        let backend = rest
            .split_once("backend: ")
            .map(|(_, r)| r.split(|c: char| !c.is_alphanumeric()).next().unwrap_or(""))
            .unwrap_or("");
        Some(format!("wgpu, {backend} on {name}"))
    }

    pub fn stop(mut self) {
        self.proc.stop();
    }
}
