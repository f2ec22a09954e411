//! The three desktop softphones (and, for a before/after comparison, a second Parla binary),
//! each started with a fresh HOME (and XDG folders) in its own temp folder, so no first-run
//! state carries over from one start to the next.

use crate::session::Session;
use anyhow::{Context, Result};
use parla_testbench::process::Proc;
use parla_testbench::BenchDir;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The env var naming the baseline Parla binary (a release build of an older commit).
pub const BASELINE_VAR: &str = "PARLA_BASELINE_BIN";

/// The Parla binaries under test: this build, and the baseline from [`BASELINE_VAR`].
pub struct ParlaBins {
    pub current: PathBuf,
    /// Absolute (the apps run in a temp folder of their own); `None` when the var is unset.
    pub baseline: Option<PathBuf>,
}

impl ParlaBins {
    /// `current`, and the baseline from the environment: an unset or empty var is no
    /// baseline; a set one must name an executable file.
    pub fn from_env(current: &Path) -> Result<ParlaBins> {
        let baseline = match std::env::var_os(BASELINE_VAR).filter(|v| !v.is_empty()) {
            None => None,
            Some(path) => {
                let path = PathBuf::from(path);
                let abs = std::fs::canonicalize(&path)
                    .with_context(|| format!("{BASELINE_VAR}: no such file {}", path.display()))?;
                use std::os::unix::fs::PermissionsExt;
                let meta = std::fs::metadata(&abs)?;
                anyhow::ensure!(
                    meta.is_file() && meta.permissions().mode() & 0o111 != 0,
                    "{BASELINE_VAR}: {} is not an executable file",
                    abs.display()
                );
                Some(abs)
            }
        };
        Ok(ParlaBins {
            current: current.to_path_buf(),
            baseline,
        })
    }

    /// The binary a Parla app runs; `None` for the other apps, and for the baseline app
    /// without a baseline.
    pub fn of(&self, app: App) -> Option<&Path> {
        match app {
            App::Parla | App::ParlaWgpu => Some(&self.current),
            App::ParlaBaseline => self.baseline.as_deref(),
            App::Twinkle | App::Linphone => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    /// `parla --profile DIR` as shipped: the CPU renderer (tiny-skia) unless ICED_BACKEND says.
    Parla,
    /// The same with `ICED_BACKEND=wgpu` (GPU, or software GL without one).
    ParlaWgpu,
    /// Another Parla binary ([`BASELINE_VAR`], e.g. a build of an older commit), started
    /// exactly as [`App::Parla`] is: the before of a before/after comparison.
    ParlaBaseline,
    Twinkle,
    Linphone,
}

impl App {
    pub const ALL: [App; 5] = [
        App::Parla,
        App::ParlaWgpu,
        App::ParlaBaseline,
        App::Twinkle,
        App::Linphone,
    ];

    /// The apps run when `PARLA_DESKTOP_APPS` does not say: all of them, the baseline only
    /// when there is one.
    pub fn default_list(bins: &ParlaBins) -> Vec<App> {
        App::ALL
            .into_iter()
            .filter(|&a| a != App::ParlaBaseline || bins.baseline.is_some())
            .collect()
    }

    pub fn label(self, bins: &ParlaBins) -> String {
        match self {
            App::Parla => "parla (default: tiny-skia)".into(),
            App::ParlaWgpu => "parla (ICED_BACKEND=wgpu)".into(),
            App::ParlaBaseline => match &bins.baseline {
                Some(bin) => format!("parla baseline ({})", bin.display()),
                None => "parla baseline".into(),
            },
            App::Twinkle => "twinkle".into(),
            App::Linphone => "linphone".into(),
        }
    }

    pub fn file_stem(self) -> &'static str {
        match self {
            App::Parla => "parla-default",
            App::ParlaWgpu => "parla-wgpu",
            App::ParlaBaseline => "parla-baseline",
            App::Twinkle => "twinkle",
            App::Linphone => "linphone",
        }
    }

    pub fn is_parla(self) -> bool {
        matches!(self, App::Parla | App::ParlaWgpu | App::ParlaBaseline)
    }

    /// The program the app needs on PATH, and the Debian package that ships it (Parla's
    /// binaries are not looked up on PATH).
    pub fn program(self) -> Option<(&'static str, &'static str)> {
        match self {
            App::Parla | App::ParlaWgpu | App::ParlaBaseline => None,
            App::Twinkle => Some(("twinkle", "twinkle")),
            App::Linphone => Some(("linphone", "linphone-desktop")),
        }
    }

    /// How the app is set up, i.e. what its first window is expected to be.
    pub fn setup_note(self) -> &'static str {
        match self {
            App::Parla | App::ParlaWgpu | App::ParlaBaseline => {
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
    pub fn version(self, bins: &ParlaBins) -> String {
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
            App::Parla | App::ParlaWgpu | App::ParlaBaseline => match bins.of(self) {
                Some(bin) => format!("{}", bin.display()),
                None => format!("? ({BASELINE_VAR} not set)"),
            },
            App::Twinkle => format!("Debian twinkle {}", query("twinkle")),
            App::Linphone => format!("Debian linphone-desktop {}", query("linphone-desktop")),
        }
    }

    /// Starts the app in a fresh temp HOME; the clock starts just before the spawn.
    pub fn launch(self, session: &Session, bins: &ParlaBins) -> Result<Launch> {
        let dir = BenchDir::new(&format!("desktop-{}", self.file_stem()))?;
        let home = dir.join("home");
        let mut cmd = match self {
            App::Parla | App::ParlaWgpu | App::ParlaBaseline => {
                let profile = dir.join("profile");
                let bin = bins
                    .of(self)
                    .with_context(|| format!("{}: {BASELINE_VAR} is not set", self.file_stem()))?
                    .to_string_lossy();
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
