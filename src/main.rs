//! `parla`: the desktop softphone, or with `--headless` the engine alone, driven by JSON lines.

mod cli;
#[cfg(feature = "gui")]
mod gui;
mod headless;
mod logging;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let args = match cli::Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("parla: {message}\n\n{}", cli::USAGE);
            std::process::exit(2);
        }
    };
    if args.help {
        println!("{}", cli::USAGE);
        return Ok(());
    }
    if args.version {
        println!("parla {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let profile = cli::profile_dir(args.profile.as_deref()).context("no profile folder")?;
    std::fs::create_dir_all(&profile)
        .with_context(|| format!("cannot create {}", profile.display()))?;
    let _log_guard = logging::init(&profile);
    let config = match parla_core::Config::load_profile(&profile) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("parla: {e}");
            std::process::exit(2);
        }
    };
    if args.headless {
        return headless::run(config);
    }
    #[cfg(feature = "gui")]
    return gui::run(config, profile);
    #[cfg(not(feature = "gui"))]
    anyhow::bail!("this build has no window: run with --headless")
}
