//! Command-line arguments and where the profile lives.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: parla [--profile DIR] [--headless] [tel:|sip:|sips:|callto: URI]

  --headless      run the engine without a window: JSON commands on stdin, JSON events on stdout
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
    /// A `tel:`/`sip:` link or number to call.
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
                "--profile" => {
                    let dir = args.next().ok_or("--profile needs a folder")?;
                    parsed.profile = Some(PathBuf::from(dir));
                }
                other if other.starts_with("--") => return Err(format!("unknown option {other}")),
                other if parsed.target.is_none() => parsed.target = Some(other.to_string()),
                other => return Err(format!("unexpected argument {other}")),
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
        assert!(parse(&["a", "b"]).is_err());
    }
}
