//! Parla's desktop app beside Twinkle and Linphone desktop (and, optionally, beside another
//! Parla build: a before/after comparison), side by side in one run, on a display, session bus
//! and sound server the bench starts itself (and stops by PID):
//!
//! - cold start to first frame: spawn -> the app's first top-level window is mapped and a
//!   capture of it is not one flat colour. "Cold" = a fresh process with a fresh HOME/profile
//!   (and so fresh shader and QML caches); the OS page cache is NOT dropped, so the binaries
//!   and libraries are warm after the first start. Runs are interleaved app by app.
//! - idle: after the first frame and a settle period, CPU seconds (utime+stime of the app's
//!   process group, threads and children included) over 60 s, and RSS/PSS at the end.
//!
//! Every app runs offline: in its own network namespace with only loopback, with a clean
//! environment (HOME and XDG folders in a temp folder of its own).
//!
//! `cargo bench --bench desktop` (release build). Needs Xvfb, xdotool, xwd, ImageMagick,
//! PulseAudio, and Twinkle and Linphone when they are among the apps run:
//! `scripts/install-bench-deps.sh` installs them all. Knobs: `PARLA_DESKTOP_RUNS` (cold starts
//! per app, default 7), `PARLA_IDLE_SECONDS` (default 60), `PARLA_SETTLE_SECONDS` (default 5),
//! `PARLA_DESKTOP_APPS` (which apps, comma-separated, of `parla-default`, `parla-wgpu`,
//! `parla-baseline`, `twinkle`, `linphone`; default all), `PARLA_BASELINE_BIN` (path to another
//! Parla binary, e.g. a release build of an older commit: the app `parla-baseline` runs it
//! exactly as `parla-default` runs this build, same renderer and empty profile; it is among the
//! default apps only when this is set, and choosing it without it is an error).
//! Before/after, this build against an older one only (no Twinkle or Linphone needed):
//! `PARLA_BASELINE_BIN=/path/to/old/parla PARLA_DESKTOP_APPS=parla-default,parla-baseline`
//! `cargo bench --bench desktop`. Prints medians and ratios (each Parla over Twinkle and
//! Linphone, and `parla-default / parla-baseline` when both ran); asserts nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

#[path = "desktop/apps.rs"]
mod apps;
#[path = "desktop/frame.rs"]
mod frame;
#[path = "desktop/session.rs"]
mod session;
#[path = "desktop/usage.rs"]
mod usage;

use anyhow::{Context, Result};
use apps::{App, ParlaBins, BASELINE_VAR};
use parla_testbench::cpu_seconds;
use session::Session;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use usage::{group_usage, Usage};

/// How long an app may take to show its first frame before the bench gives up.
const FRAME_TIMEOUT: Duration = Duration::from_secs(60);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn parla_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_parla"))
}

fn chosen_apps(bins: &ParlaBins) -> Result<Vec<App>> {
    let Ok(list) = std::env::var("PARLA_DESKTOP_APPS") else {
        return Ok(App::default_list(bins));
    };
    let known = App::ALL.map(App::file_stem).join(", ");
    list.split(',')
        .map(|name| {
            let app = App::ALL
                .into_iter()
                .find(|a| a.file_stem() == name.trim())
                .with_context(|| format!("PARLA_DESKTOP_APPS: unknown app {name:?} ({known})"))?;
            anyhow::ensure!(
                app != App::ParlaBaseline || bins.baseline.is_some(),
                "PARLA_DESKTOP_APPS: {} needs {BASELINE_VAR}, the path of the Parla binary to \
                 compare with (e.g. a release build of an older commit)",
                app.file_stem()
            );
            Ok(app)
        })
        .collect()
}

struct ColdStart {
    samples_ms: Vec<f64>,
    window: String,
    renderer: Option<String>,
}

struct Idle {
    cpu_seconds: f64,
    /// The X server's CPU over the same window: drawing the app asks of it.
    x_cpu_seconds: f64,
    seconds: f64,
    end: Usage,
    audio_streams: i64,
}

fn main() -> ExitCode {
    let chosen = ParlaBins::from_env(parla_bin())
        .and_then(|bins| chosen_apps(&bins).map(|apps| (bins, apps)));
    let (bins, apps) = match chosen {
        Ok(chosen) => chosen,
        Err(e) => {
            eprintln!("desktop bench: {e:#}");
            return ExitCode::from(2);
        }
    };
    let missing = session::missing_tools(&apps);
    if !missing.is_empty() {
        eprintln!("desktop bench: missing programs (Debian package in brackets):");
        for (tool, package) in &missing {
            eprintln!("  {tool} ({package})");
        }
        eprintln!("install them with scripts/install-bench-deps.sh");
        return ExitCode::from(2);
    }
    match run(&apps, &bins) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("desktop bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Width of the app column: the longest label (a baseline's carries its path).
fn label_width(apps: &[App], bins: &ParlaBins) -> usize {
    apps.iter()
        .map(|a| a.label(bins).len())
        .max()
        .unwrap_or(0)
        .max(26)
}

fn run(apps: &[App], bins: &ParlaBins) -> Result<()> {
    let runs = env_u64("PARLA_DESKTOP_RUNS", 7).max(1) as usize;
    let idle_seconds = env_u64("PARLA_IDLE_SECONDS", 60);
    let settle = Duration::from_secs(env_u64("PARLA_SETTLE_SECONDS", 5));
    let w = label_width(apps, bins);
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("desktop-bench");
    std::fs::create_dir_all(&shots)?;

    let session = Session::start()?;
    println!("desktop bench: {}", session.describe());
    let overhead = session.wrapper_overhead_ms()?;
    println!(
        "namespace wrapper (unshare + sh + ip, exec into the app): {overhead:.1} ms median, \
         included in every cold-start figure"
    );
    for app in apps {
        println!("  {:<w$} {}", app.label(bins), app.version(bins));
        println!("  {:<w$} {}", "", app.setup_note());
    }

    println!("\ncold start to first frame, {runs} runs per app, interleaved:");
    let mut cold: Vec<ColdStart> = apps
        .iter()
        .map(|_| ColdStart {
            samples_ms: Vec::new(),
            window: String::new(),
            renderer: None,
        })
        .collect();
    for run in 0..runs {
        let mut line = format!("  run {}/{runs}:", run + 1);
        for (app, stats) in apps.iter().zip(cold.iter_mut()) {
            let mut launch = app.launch(&session, bins)?;
            let frame = frame::wait_first_frame(
                session.display(),
                &mut launch.proc,
                launch.started,
                FRAME_TIMEOUT,
            )
            .with_context(|| {
                format!(
                    "{} (log in {})",
                    app.label(bins),
                    launch.dir.path().display()
                )
            })?;
            let ms = frame.elapsed.as_secs_f64() * 1000.0;
            stats.samples_ms.push(ms);
            line.push_str(&format!(" {} {ms:.0} ms;", app.file_stem()));
            if run == 0 {
                stats.window = format!("\"{}\" {}x{}", frame.title, frame.width, frame.height);
                if app.is_parla() {
                    stats.renderer = launch.parla_renderer();
                }
                save_png(&frame.xwd, &shots.join(format!("{}.png", app.file_stem())))?;
            }
            launch.stop();
        }
        println!("{line}");
    }
    println!("  first frames saved as PNG in {}", shots.display());

    println!(
        "\nidle: {}s settle after the first frame, then {idle_seconds}s measured, one app at a time:",
        settle.as_secs()
    );
    let mut idle = Vec::new();
    for app in apps {
        let figures = measure_idle(&session, *app, bins, settle, idle_seconds)?;
        println!(
            "  {}: {:.0} ms CPU in {:.0} s (X server {:.0} ms), RSS {:.1} MiB, {} process(es), \
             {} audio stream(s) open",
            app.label(bins),
            figures.cpu_seconds * 1000.0,
            figures.seconds,
            figures.x_cpu_seconds * 1000.0,
            figures.end.rss_kib as f64 / 1024.0,
            figures.end.processes,
            figures.audio_streams
        );
        idle.push(figures);
    }

    print_report(apps, bins, &cold, &idle, idle_seconds);
    Ok(())
}

fn measure_idle(
    session: &Session,
    app: App,
    bins: &ParlaBins,
    settle: Duration,
    seconds: u64,
) -> Result<Idle> {
    let streams_before = audio_streams(session)?;
    let mut launch = app.launch(session, bins)?;
    frame::wait_first_frame(
        session.display(),
        &mut launch.proc,
        launch.started,
        FRAME_TIMEOUT,
    )
    .with_context(|| {
        format!(
            "{} (log in {})",
            app.label(bins),
            launch.dir.path().display()
        )
    })?;
    std::thread::sleep(settle);
    let pgid = launch.proc.pid();
    let start = group_usage(pgid);
    let x0 = cpu_seconds(session.xvfb_pid());
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let end = group_usage(pgid);
    let x_cpu_seconds = cpu_seconds(session.xvfb_pid()) - x0;
    let elapsed = t0.elapsed().as_secs_f64();
    launch.proc.ensure_running()?;
    let audio_streams = audio_streams(session)? - streams_before;
    launch.stop();
    Ok(Idle {
        cpu_seconds: end.cpu_seconds - start.cpu_seconds,
        x_cpu_seconds,
        seconds: elapsed,
        end,
        audio_streams,
    })
}

/// Playback plus capture streams open on the bench's PulseAudio.
fn audio_streams(session: &Session) -> Result<i64> {
    let mut n = 0;
    for kind in ["sink-inputs", "source-outputs"] {
        let list = session.pulse().pactl(&["list", "short", kind])?;
        n += list.lines().filter(|l| !l.trim().is_empty()).count() as i64;
    }
    Ok(n)
}

fn save_png(xwd: &[u8], png: &Path) -> Result<()> {
    let raw = png.with_extension("xwd");
    std::fs::write(&raw, xwd)?;
    let status = Command::new("convert")
        .arg(format!("xwd:{}", raw.display()))
        .arg(format!("png:{}", png.display()))
        .status()
        .context("running ImageMagick's convert")?;
    std::fs::remove_file(&raw)?;
    anyhow::ensure!(status.success(), "convert failed: {status}");
    Ok(())
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn median(v: &[f64]) -> f64 {
    let v = sorted(v);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() {
        format!("{:.2}", a / b)
    } else {
        "n/a".into()
    }
}

fn print_report(
    apps: &[App],
    bins: &ParlaBins,
    cold: &[ColdStart],
    idle: &[Idle],
    idle_seconds: u64,
) {
    let w = label_width(apps, bins);
    println!("\n== desktop: cold start to first frame, idle CPU, idle memory (one run) ==");
    println!(
        "{:<w$} {:>24} {:>20} {:>8} {:>8} {:>8}  first window",
        "app",
        "cold start ms, median",
        format!("idle CPU ms / {idle_seconds} s"),
        "X ms",
        "RSS MiB",
        "PSS MiB"
    );
    for ((app, c), i) in apps.iter().zip(cold).zip(idle) {
        let s = sorted(&c.samples_ms);
        let cold = format!(
            "{:.0} ({:.0}-{:.0})",
            median(&c.samples_ms),
            s.first().copied().unwrap_or(f64::NAN),
            s.last().copied().unwrap_or(f64::NAN)
        );
        let cpu = format!(
            "{:.0} ({:.2}%)",
            i.cpu_seconds * 1000.0,
            100.0 * i.cpu_seconds / i.seconds
        );
        let pss = i
            .end
            .pss_kib
            .map(|k| format!("{:.1}", k as f64 / 1024.0))
            .unwrap_or_else(|| "?".into());
        println!(
            "{:<w$} {cold:>24} {cpu:>20} {:>8.0} {:>8.1} {pss:>8}  {}",
            app.label(bins),
            i.x_cpu_seconds * 1000.0,
            i.end.rss_kib as f64 / 1024.0,
            c.window
        );
    }
    println!(
        "(cold start: min-max in brackets; idle CPU: the app's process group, % of one core; \
         X ms: the X server's CPU over the same window; RSS/PSS at its end)"
    );
    for (app, c) in apps.iter().zip(cold) {
        if let Some(r) = &c.renderer {
            println!("{}: renderer {r}", app.label(bins));
        }
    }

    let figures = |k: usize| {
        let (c, i) = (&cold[k], &idle[k]);
        [
            median(&c.samples_ms),
            i.cpu_seconds,
            i.end.rss_kib as f64,
            i.end.pss_kib.map(|p| p as f64).unwrap_or(f64::NAN),
        ]
    };
    let find = |a: App| apps.iter().position(|&x| x == a);
    let ratios = |a: usize, b: usize| {
        let (af, bf) = (figures(a), figures(b));
        format!(
            "cold start {}, idle CPU {}, RSS {}, PSS {}",
            ratio(af[0], bf[0]),
            ratio(af[1], bf[1]),
            ratio(af[2], bf[2]),
            ratio(af[3], bf[3])
        )
    };
    for (p, parla) in apps.iter().enumerate().filter(|(_, a)| a.is_parla()) {
        for other in [App::Twinkle, App::Linphone] {
            let Some(o) = find(other) else { continue };
            println!(
                "{} / {}: {}",
                parla.label(bins),
                other.label(bins),
                ratios(p, o)
            );
        }
    }
    // Before/after: this build over the baseline, both run the same way (below 1 = better).
    if let (Some(now), Some(before)) = (find(App::Parla), find(App::ParlaBaseline)) {
        println!(
            "{} / {} (this build over {}): {}",
            App::Parla.file_stem(),
            App::ParlaBaseline.file_stem(),
            App::ParlaBaseline.version(bins),
            ratios(now, before)
        );
    }
}
