//! `parla`: the desktop softphone, or with `--headless` the engine alone, driven by JSON lines.

#[cfg(feature = "gui")]
mod app;
mod cli;
mod desktop;
mod diagnostics;
mod headless;
#[cfg(feature = "gui")]
mod i18n;
mod logging;
#[cfg(feature = "gui")]
mod screen;
mod store_cli;
#[cfg(feature = "gui")]
mod style;
#[cfg(feature = "gui")]
mod theme;
mod voicemail_cli;
#[cfg(feature = "gui")]
mod when;
#[cfg(feature = "gui")]
mod widget;

use anyhow::Context;

#[allow(
    clippy::print_stdout,
    reason = "the command line: --help and --version answer on stdout"
)]
fn main() -> anyhow::Result<()> {
    // The window is a few buttons and text: the CPU renderer starts in a fraction of the time
    // and memory of a GPU context (see the desktop benchmark). ICED_BACKEND=wgpu picks the GPU.
    // Set before any thread starts.
    #[cfg(feature = "gui")]
    if std::env::var_os("ICED_BACKEND").is_none() {
        std::env::set_var("ICED_BACKEND", "tiny-skia");
    }
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if let Some((profile, store_args)) = store_cli::detect(&raw) {
        let profile = cli::profile_dir(profile.as_deref()).context("no profile folder")?;
        let code = store_cli::run(&profile, &store_args)?;
        std::process::exit(store_cli::exit_status(code));
    }
    if let Some((profile, vm_args)) = voicemail_cli::detect(&raw) {
        let profile = cli::profile_dir(profile.as_deref()).context("no profile folder")?;
        let code = voicemail_cli::run(&profile, &vm_args);
        std::process::exit(store_cli::exit_status(code));
    }
    if let Some((profile, diag_args)) = diagnostics::detect(&raw) {
        let profile = cli::profile_dir(profile.as_deref()).context("no profile folder")?;
        let code = diagnostics::run(&profile, &diag_args);
        std::process::exit(store_cli::exit_status(code));
    }
    let args = match cli::Args::parse(raw) {
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
    if args.register_handlers {
        return register_handlers();
    }
    let dial = match args.target.as_deref().map(desktop::links::dial_target) {
        None => None,
        Some(Ok(dial)) => Some(dial),
        Some(Err(e)) => {
            eprintln!("parla: {e}");
            std::process::exit(2);
        }
    };
    let profile = cli::profile_dir(args.profile.as_deref()).context("no profile folder")?;
    std::fs::create_dir_all(&profile)
        .with_context(|| format!("cannot create {}", profile.display()))?;
    let _log_guard = logging::init(&profile);
    let control = match desktop::instance::forward_if_running(&profile, dial.as_deref()) {
        Ok(desktop::instance::Launch::Forwarded) => return Ok(()),
        Ok(desktop::instance::Launch::Primary(control)) => control,
        Err(e) => {
            eprintln!("parla: {e}");
            std::process::exit(1);
        }
    };
    let config = match parla_core::Config::load_profile(&profile) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("parla: {e}");
            std::process::exit(2);
        }
    };
    if args.headless {
        return headless::run(config, &profile, control, dial);
    }
    #[cfg(feature = "gui")]
    return app::run(
        config,
        profile,
        app::Launch {
            dial,
            minimised: args.minimised,
        },
        control,
    );
    #[cfg(not(feature = "gui"))]
    anyhow::bail!("this build has no window: run with --headless")
}

#[allow(
    clippy::print_stdout,
    reason = "the command line: --register-handlers reports on stdout"
)]
fn register_handlers() -> anyhow::Result<()> {
    match desktop::handlers::register_handlers() {
        Ok(registered) => {
            println!(
                "parla: {} installed; Parla now opens tel:, sip:, sips: and callto: links",
                registered.entry.display()
            );
            if !registered.database_updated {
                println!("parla: update-desktop-database did not run (desktop-file-utils)");
            }
            Ok(())
        }
        Err(e) => {
            eprintln!("parla: {e}");
            std::process::exit(1);
        }
    }
}
