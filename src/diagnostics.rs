//! The diagnostics bundle (`parla diagnostics --output FILE`, Settings > Help > Save
//! diagnostics): one `.zip` or `.tar.gz` with the recent logs, the SIP trace, the last calls'
//! quality, the sound devices, the configuration and the versions, every text redacted
//! ([`redact`]). Offline: it reads the profile's files and never talks to a running Parla.
#![allow(
    clippy::print_stdout,
    reason = "the command line: usage and where the bundle went go to stdout"
)]

mod archive;
pub mod redact;

use parla_core::api::{ErrorKind, RequestId};
use parla_core::Event;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use archive::Format;

pub const USAGE: &str = "\
usage: parla [--profile DIR] diagnostics --output FILE

  Writes one archive for a bug report: the recent logs, the SIP trace of recent calls and
  registrations, the last calls' quality (jitter, loss, round trip, estimated MOS), the sound
  devices, the settings without passwords or keys, and the versions and OS. FILE is written
  exactly as named: a .zip, or a .tar.gz (.tgz), by its extension.";

/// Of the daily logs, the newest this many bytes go in (the rest of an older day is cut).
const LOG_BUDGET: u64 = 4 * 1024 * 1024;
/// Of the SIP trace, the newest this many bytes (it holds about that much: see logging.rs).
const SIP_BUDGET: u64 = 2 * 1024 * 1024;
/// The last calls whose quality summary goes in.
const QUALITY_CALLS: usize = 50;
/// The folder every entry sits in, so that unpacking makes one folder.
const ROOT: &str = "parla-diagnostics";

#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    #[error("{0}: the bundle's name must end in .zip or .tar.gz")]
    UnknownFormat(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One file of the bundle: its name inside the archive and its (already redacted) text.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub text: String,
}

/// Gathers the profile's diagnostics and writes them to `output` (temp file beside it, then
/// renamed over it). Blocks (files, the sound system): call it off the window's thread.
pub fn save(profile: &Path, output: &Path) -> Result<(), DiagnosticsError> {
    let format =
        Format::of(output).ok_or_else(|| DiagnosticsError::UnknownFormat(output.into()))?;
    let entries = collect(profile, &parla_core::device_names);
    archive::write(output, format, &entries).map_err(|source| DiagnosticsError::Write {
        path: output.to_path_buf(),
        source,
    })
}

/// `save_diagnostics` from the control protocol: writes the bundle to `output`, or to
/// [`default_output`], and says so as the event that answers `request`. Blocks: call it off the
/// async workers and the window's thread.
pub fn answer(profile: &Path, output: Option<&str>, request: Option<RequestId>) -> Event {
    let output = output.map_or_else(|| default_output(profile), PathBuf::from);
    match save(profile, &output) {
        Ok(()) => Event::DiagnosticsSaved {
            request,
            path: std::fs::canonicalize(&output)
                .unwrap_or(output)
                .display()
                .to_string(),
        },
        Err(e) => Event::request_error(request, ErrorKind::DiagnosticsFailed, e.to_string()),
    }
}

/// Where a bundle goes when no name is given: the Downloads folder, else the profile folder;
/// the name carries the time (UTC).
pub fn default_output(profile: &Path) -> PathBuf {
    let dir = directories::UserDirs::new()
        .and_then(|d| d.download_dir().map(Path::to_path_buf))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| profile.to_path_buf());
    let stamp = utc_stamp(now_secs()).replace([':', '-'], "");
    dir.join(format!("parla-diagnostics-{stamp}.zip"))
}

/// Every entry of the bundle, redacted. `devices` lists the input and output devices.
pub fn collect(profile: &Path, devices: &dyn Fn() -> (Vec<String>, Vec<String>)) -> Vec<Entry> {
    let (config_text, secrets) = config_entry(profile);
    let logs_dir = profile.join("logs");
    let logs = daily_logs(&logs_dir);
    let quality = quality_lines(&logs);
    let sip = sip_trace(&logs_dir);
    let mut entries = vec![
        Entry {
            name: "README.txt".into(),
            text: readme(),
        },
        Entry {
            name: "system.txt".into(),
            text: system(),
        },
        Entry {
            name: "config.toml".into(),
            text: config_text,
        },
        Entry {
            name: "devices.txt".into(),
            text: devices_text(devices),
        },
        Entry {
            name: "quality.txt".into(),
            text: quality,
        },
        Entry {
            name: "sip-trace.log".into(),
            text: sip,
        },
    ];
    entries.extend(logs.into_iter().map(|(name, text)| Entry {
        name: format!("logs/{name}"),
        text,
    }));
    for entry in &mut entries {
        entry.text = redact::redact(&entry.text, &secrets);
        entry.name = format!("{ROOT}/{}", entry.name);
    }
    entries
}

fn readme() -> String {
    format!(
        "Parla diagnostics, made {} (UTC).\n\n\
         system.txt     Parla's version, the OS and the kernel\n\
         config.toml    the settings, passwords replaced by <redacted>\n\
         devices.txt    the sound devices Parla sees\n\
         quality.txt    the last calls' quality: jitter, loss, round trip, estimated MOS\n\
         sip-trace.log  the SIP messages of recent calls and registrations\n\
         logs/          the newest daily logs (at most {} MB)\n\n\
         Taken out everywhere: Authorization headers, digest responses, nonces and cnonces,\n\
         SDES keys, anything named like a password, secret, token or key, passwords in URLs,\n\
         and the profile's own passwords.\n",
        utc_stamp(now_secs()),
        LOG_BUDGET / (1024 * 1024)
    )
}

/// The redacted config, and the passwords it holds (taken out of every other entry too). A
/// config that does not load goes in as text, line by line redacted, with the reason.
fn config_entry(profile: &Path) -> (String, Vec<String>) {
    match parla_core::Config::load_profile(profile) {
        Ok(config) => {
            let secrets = redact::secrets(&config);
            let text = redact::config(&config)
                .unwrap_or_else(|e| format!("# the settings could not be written out: {e}\n"));
            (text, secrets)
        }
        Err(e) => {
            let raw = read_tail(&profile.join(parla_core::Config::FILE_NAME), 256 * 1024)
                .unwrap_or_default();
            (
                format!("# config.toml does not load: {e}\n\n{raw}"),
                Vec::new(),
            )
        }
    }
}

fn devices_text(devices: &dyn Fn() -> (Vec<String>, Vec<String>)) -> String {
    let (inputs, outputs) = devices();
    let mut text = String::from("Inputs:\n");
    for name in inputs {
        text.push_str(&format!("  {name}\n"));
    }
    text.push_str("Outputs:\n");
    for name in outputs {
        text.push_str(&format!("  {name}\n"));
    }
    text
}

fn system() -> String {
    let mut text = format!(
        "Parla {}\nBuilt for {} {}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    if let Some(name) = os_release() {
        text.push_str(&format!("OS: {name}\n"));
    }
    #[cfg(unix)]
    {
        let u = rustix::system::uname();
        text.push_str(&format!(
            "Kernel: {} {} {} {}\n",
            u.sysname().to_string_lossy(),
            u.release().to_string_lossy(),
            u.version().to_string_lossy(),
            u.machine().to_string_lossy()
        ));
    }
    for var in ["XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE", "LANG"] {
        if let Some(value) = std::env::var_os(var) {
            text.push_str(&format!("{var}={}\n", value.to_string_lossy()));
        }
    }
    text
}

/// `PRETTY_NAME` of /etc/os-release (else /usr/lib/os-release).
fn os_release() -> Option<String> {
    ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| {
            text.lines().find_map(|line| {
                line.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_owned())
            })
        })
}

/// The daily logs (`parla.YYYY-MM-DD.log`), oldest first, the newest [`LOG_BUDGET`] bytes.
fn daily_logs(dir: &Path) -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.starts_with("parla.") && n.ends_with(".log"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut budget = LOG_BUDGET;
    let mut out = Vec::new();
    for name in names.into_iter().rev() {
        if budget == 0 {
            break;
        }
        if let Some(text) = read_tail(&dir.join(&name), budget) {
            budget = budget.saturating_sub(text.len() as u64);
            out.push((name, text));
        }
    }
    out.reverse();
    out
}

/// `logs/sip.log.1` then `logs/sip.log`: the newest [`SIP_BUDGET`] bytes of the trace.
fn sip_trace(dir: &Path) -> String {
    let mut text = String::new();
    for name in ["sip.log.1", "sip.log"] {
        if let Some(part) = read_tail(&dir.join(name), SIP_BUDGET) {
            text.push_str(&part);
        }
    }
    if text.is_empty() {
        return "No SIP trace recorded yet (logs/sip.log).\n".into();
    }
    let cut = text.len().saturating_sub(SIP_BUDGET as usize);
    match text.get(cut..) {
        Some(tail) if cut > 0 => tail.to_owned(),
        _ => text,
    }
}

/// The engine's `call quality` summary lines (one per call that had audio), the newest
/// [`QUALITY_CALLS`].
fn quality_lines(logs: &[(String, String)]) -> String {
    let lines: Vec<&str> = logs
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter(|line| line.contains("call quality"))
        .collect();
    if lines.is_empty() {
        return "No call with audio in the logs.\n".into();
    }
    let start = lines.len().saturating_sub(QUALITY_CALLS);
    let mut text = String::from(
        "One line per call when it ended: jitter_ms (RFC 3550), lost/late/concealed packets,\n\
         loss_percent (of what we received), remote_loss_percent (the far end's RTCP), rtt_ms,\n\
         mos (estimated from loss, jitter and round trip with the ITU-T G.107 E-model\n\
         simplified; none when nothing was received).\n\n",
    );
    for line in &lines[start..] {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The last `max` bytes of a file as text, starting at a line; `None` if it cannot be read.
fn read_tail(path: &Path, max: u64) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(max);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).ok()?;
    if start > 0 {
        let newline = bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes.drain(..newline);
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-12-01T18:20:00Z` of seconds since 1970.
fn utc_stamp(secs: u64) -> String {
    parla_core::store::rfc3339_utc(i64::try_from(secs).unwrap_or(i64::MAX / 1000) * 1000)
}

/// Year, month, day, hour, minute, second (UTC) of seconds since 1970.
pub(crate) fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let [year, month, day, hour, minute, second] =
        parla_core::store::civil_utc(i64::try_from(secs).unwrap_or(i64::MAX));
    let small = |v: i64| u32::try_from(v).unwrap_or(0);
    (
        year,
        small(month),
        small(day),
        small(hour),
        small(minute),
        small(second),
    )
}

/// The profile flag and the arguments after `diagnostics`, when the command line asks for it.
pub fn detect(raw: &[String]) -> Option<(Option<PathBuf>, Vec<String>)> {
    let (profile, mut rest) = crate::cli::offline_command(raw, &["diagnostics"])?;
    rest.remove(0);
    Some((profile, rest))
}

/// `parla diagnostics --output FILE`: 0 written, 1 failed, 2 bad arguments.
pub fn run(profile: &Path, args: &[String]) -> ExitCode {
    let mut output = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--output" | "-o" => match args.next() {
                Some(file) => output = Some(PathBuf::from(file)),
                None => return bad_args("--output needs a file name"),
            },
            other => return bad_args(&format!("unexpected argument {other}")),
        }
    }
    let Some(output) = output else {
        return bad_args("diagnostics needs --output FILE (.zip or .tar.gz)");
    };
    match save(profile, &output) {
        Ok(()) => {
            println!("diagnostics written to {}", output.display());
            ExitCode::SUCCESS
        }
        Err(e @ DiagnosticsError::UnknownFormat(_)) => bad_args(&e.to_string()),
        Err(e) => {
            eprintln!("parla: {e}");
            ExitCode::from(1)
        }
    }
}

fn bad_args(message: &str) -> ExitCode {
    eprintln!("parla: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_stamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_stamp(1_795_976_400), "2026-11-29T18:20:00Z");
        assert_eq!(utc_stamp(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn detects_the_command() {
        let raw = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (profile, rest) = detect(&raw(&[
            "--profile",
            "/p",
            "diagnostics",
            "--output",
            "x.zip",
        ]))
        .expect("cmd");
        assert_eq!(profile, Some(PathBuf::from("/p")));
        assert_eq!(rest, raw(&["--output", "x.zip"]));
        assert!(detect(&raw(&["--headless"])).is_none());
        assert!(detect(&raw(&["tel:123"])).is_none());
    }

    #[test]
    fn the_window_bundle_is_named_by_time_and_holds_every_part() {
        let dir = tempfile::tempdir().expect("dir");
        let profile = dir.path();
        std::fs::create_dir_all(profile.join("logs")).expect("logs");
        std::fs::write(
            profile.join("config.toml"),
            "[[accounts]]\nid='a'\nusername='alice'\ndomain='example.com'\npassword='pw-4-alice'\n",
        )
        .expect("config");
        std::fs::write(
            profile.join("logs/parla.2026-12-01.log"),
            "x INFO parla: retry with pw-4-alice\nx INFO summary: call quality call=1 mos=4.39\n",
        )
        .expect("log");
        let name = default_output(profile);
        let file = name
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            file.starts_with("parla-diagnostics-2") && file.ends_with("Z.zip"),
            "{file}"
        );
        let devices = || {
            (
                vec!["default".to_owned()],
                vec!["default".to_owned(), "hdmi".to_owned()],
            )
        };
        let entries = collect(profile, &devices);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "parla-diagnostics/README.txt",
                "parla-diagnostics/system.txt",
                "parla-diagnostics/config.toml",
                "parla-diagnostics/devices.txt",
                "parla-diagnostics/quality.txt",
                "parla-diagnostics/sip-trace.log",
                "parla-diagnostics/logs/parla.2026-12-01.log",
            ]
        );
        assert!(entries.iter().all(|e| !e.text.contains("pw-4-alice")));
        assert!(entries[3].text.contains("  hdmi\n"));
        assert!(entries[4].text.contains("call quality call=1 mos=4.39"));
        assert!(entries[5].text.contains("No SIP trace"));
        let output = profile.join("bundle.tar.gz");
        save(profile, &output).expect("saved");
        assert!(output.is_file());
    }

    #[test]
    fn the_tail_starts_at_a_line() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("a.log");
        std::fs::write(&path, "first line\nsecond\nthird\n").expect("write");
        assert_eq!(read_tail(&path, 12).as_deref(), Some("third\n"));
        assert_eq!(
            read_tail(&path, 100).as_deref(),
            Some("first line\nsecond\nthird\n")
        );
    }
}
