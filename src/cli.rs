//! Command-line arguments and where the profile lives.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: parla [--profile DIR] [--headless] [--minimised] [tel:|sip:|sips:|callto: URI | NUMBER]
       parla --register-handlers
       parla [--profile DIR] contacts import FILE       (CSV or vCard; prints what was refused)
       parla [--profile DIR] contacts export [--format csv|vcard] [--output FILE]
       parla [--profile DIR] history export [--output FILE]
       parla [--profile DIR] voicemail list [--json] | export ID --output FILE | delete ID
       parla [--profile DIR] diagnostics --output FILE  (.zip or .tar.gz, for a bug report)
       (`parla contacts --help`, `parla voicemail --help` and `parla diagnostics --help` tell more)

  A link or number is called; when Parla already runs on the profile, it is handed over to it.

  --headless      run the engine without a window: JSON commands on stdin, JSON events on stdout
  --minimised     start with the window hidden (in the tray)
  --register-handlers
                  install the desktop entry and make Parla the handler of tel:, sip:, sips: and
                  callto: links (xdg-mime)
  --profile DIR   keep settings, data and logs in DIR (default: $PARLA_HOME, else the user's
                  config folder)
  --version       print the version
  --help          print this help";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub headless: bool,
    pub profile: Option<PathBuf>,
    pub help: bool,
    pub version: bool,
    pub minimised: bool,
    pub register_handlers: bool,
    /// A `tel:`/`sip:` link or number to call. A shell splits `tel:+34 912 345 678` into several
    /// arguments: they are joined again with spaces.
    pub target: Option<String>,
}

impl Args {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--headless" => parsed.headless = true,
                "--help" | "-h" => parsed.help = true,
                "--version" | "-V" => parsed.version = true,
                "--minimised" | "--minimized" => parsed.minimised = true,
                "--register-handlers" => parsed.register_handlers = true,
                "--profile" => {
                    let dir = args.next().ok_or("--profile needs a folder")?;
                    parsed.profile = Some(PathBuf::from(dir));
                }
                other if other.starts_with("--") => return Err(format!("unknown option {other}")),
                other => match &mut parsed.target {
                    Some(target) => {
                        target.push(' ');
                        target.push_str(other);
                    }
                    None => parsed.target = Some(other.to_string()),
                },
            }
        }
        Ok(parsed)
    }
}

/// `--profile`, else `PARLA_HOME`, else the platform's config folder for Parla.
pub fn profile_dir(flag: Option<&std::path::Path>) -> Option<PathBuf> {
    if let Some(dir) = flag {
        return Some(dir.to_path_buf());
    }
    if let Some(home) = std::env::var_os("PARLA_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(home));
    }
    directories::ProjectDirs::from("org", "Parla", "parla").map(|d| d.config_dir().to_path_buf())
}

/// The commands that run on the profile without starting Parla (`contacts ...`, `history ...`,
/// `diagnostics ...`): when the first argument that is not an option or its value is one of
/// `commands`, the `--profile` folder (anywhere on the line) and the arguments from that
/// command on.
pub fn offline_command(
    raw: &[String],
    commands: &[&str],
) -> Option<(Option<std::path::PathBuf>, Vec<String>)> {
    let mut profile = None;
    let mut rest = Vec::new();
    let mut args = raw.iter();
    while let Some(arg) = args.next() {
        if arg == "--profile" {
            profile = args.next().map(std::path::PathBuf::from);
            continue;
        }
        if rest.is_empty() && !arg.starts_with('-') && !commands.contains(&arg.as_str()) {
            return None;
        }
        if !rest.is_empty() || !arg.starts_with('-') {
            rest.push(arg.clone());
        }
    }
    (!rest.is_empty()).then_some((profile, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        let args = parse(&["--headless", "--profile", "/tmp/p"]).expect("args");
        assert!(args.headless);
        assert_eq!(args.profile, Some(PathBuf::from("/tmp/p")));
        assert_eq!(
            parse(&["tel:+15551234"]).expect("link").target.as_deref(),
            Some("tel:+15551234")
        );
        assert!(parse(&["--profile"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert_eq!(
            parse(&["--headless", "tel:+34", "912", "345", "678"])
                .expect("split link")
                .target
                .as_deref(),
            Some("tel:+34 912 345 678")
        );
        let args = parse(&["--minimised", "--register-handlers"]).expect("flags");
        assert!(args.minimised && args.register_handlers);
    }
}
