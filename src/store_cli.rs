//! `parla contacts import|export` and `parla history export`: the contacts database from the
//! command line, on the same profile the app uses.
#![allow(
    clippy::print_stdout,
    reason = "the command line: usage and the import report go to stdout"
)]

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use parla_core::store::{
    is_vcard, ImportError, ImportReport, Region, SearchFilter, Store, VCardVersion, DB_FILE_NAME,
};

pub const USAGE: &str = "\
usage: parla [--profile DIR] contacts import FILE [--region CC]
       parla [--profile DIR] contacts export [--format csv|vcard] [--vcard-version 3|4] [--output FILE]
       parla [--profile DIR] history export [--output FILE]

  contacts import   add the contacts of a CSV or vCard file (by extension, else by content)
                    as personal contacts; prints what was taken and what was refused, and why
  contacts export   write every contact as CSV (the columns the import reads) or vCard
                    (3.0 unless --vcard-version 4); to standard output unless --output
  history export    write the call history as CSV, newest first, times in UTC
  --region CC       the country for numbers without a country code (default: the default
                    line's `region`, else the locale's country)";

/// Exit codes: 0 done (an import may still have refused rows), 1 failed, 2 bad arguments.
pub(crate) const FAILED: u8 = 1;
pub(crate) const BAD_ARGS: u8 = 2;

/// The profile flag and the arguments from `contacts` / `history` on, when the command line
/// asks for one of these.
pub fn detect(raw: &[String]) -> Option<(Option<PathBuf>, Vec<String>)> {
    crate::cli::offline_command(raw, &["contacts", "history"])
}

/// The `i32` for `std::process::exit` of a code returned by [`run`].
pub fn exit_status(code: ExitCode) -> i32 {
    [0, FAILED, BAD_ARGS]
        .into_iter()
        .find(|&c| ExitCode::from(c) == code)
        .map_or(1, i32::from)
}

/// Runs `args` (`contacts import FILE`, ...) against the database in `profile`.
pub fn run(profile: &Path, args: &[String]) -> anyhow::Result<ExitCode> {
    let command = match Command::parse(args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("parla: {message}\n\n{USAGE}");
            return Ok(ExitCode::from(BAD_ARGS));
        }
    };
    if let Command::Help = command {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let Some(mut store) = open_store(profile) else {
        return Ok(ExitCode::from(FAILED));
    };
    match command {
        Command::Help => Ok(ExitCode::SUCCESS),
        Command::Import { file, region } => {
            let region = match region.map(|r| r.parse::<Region>()).transpose() {
                Ok(Some(region)) => region,
                Ok(None) => default_region(profile),
                Err(e) => {
                    eprintln!("parla: --region: {e}");
                    return Ok(ExitCode::from(BAD_ARGS));
                }
            };
            import(&mut store, &file, region)
        }
        Command::ExportContacts {
            vcard,
            version,
            output,
        } => export(output.as_deref(), |out| {
            let n = if vcard {
                store.export_vcard(SearchFilter::All, version, out)?
            } else {
                store.export_contacts_csv(SearchFilter::All, out)?
            };
            Ok(format!("{n} contacts"))
        }),
        Command::ExportHistory { output } => export(output.as_deref(), |out| {
            let n = store.export_history_csv(out)?;
            Ok(format!("{n} calls"))
        }),
    }
}

/// The profile's database, or `None` once stderr says why it cannot be opened.
pub(crate) fn open_store(profile: &Path) -> Option<Store> {
    let path = profile.join(DB_FILE_NAME);
    match Store::open(&path) {
        Ok(opened) => {
            if let Some(old) = &opened.moved_aside {
                eprintln!(
                    "parla: the database {} could not be read; it was kept as {} and a new one started",
                    path.display(),
                    old.display()
                );
            }
            Some(opened.store)
        }
        Err(e) => {
            eprintln!("parla: cannot open {}: {e}", path.display());
            None
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Import {
        file: PathBuf,
        region: Option<String>,
    },
    ExportContacts {
        vcard: bool,
        version: VCardVersion,
        output: Option<PathBuf>,
    },
    ExportHistory {
        output: Option<PathBuf>,
    },
}

impl Command {
    fn parse(args: &[String]) -> Result<Command, String> {
        let mut positional = Vec::new();
        let (mut format, mut version, mut output, mut region) = (None, None, None, None);
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match arg.as_str() {
                "--help" | "-h" => return Ok(Command::Help),
                "--format" => format = Some(value("--format")?),
                "--vcard-version" => version = Some(value("--vcard-version")?),
                "--output" | "-o" => output = Some(PathBuf::from(value("--output")?)),
                "--region" => region = Some(value("--region")?),
                other if other.starts_with('-') && other != "-" => {
                    return Err(format!("unknown option {other}"))
                }
                other => positional.push(other),
            }
        }
        let command = match positional.as_slice() {
            ["contacts", "import", file] => Command::Import {
                file: PathBuf::from(file),
                region: region.take(),
            },
            ["contacts", "import"] => return Err("contacts import needs a FILE".into()),
            ["contacts", "export"] => {
                let vcard = match format.take().as_deref() {
                    None | Some("csv") => false,
                    Some("vcard" | "vcf") => true,
                    Some(other) => return Err(format!("--format {other}: use csv or vcard")),
                };
                let version = match version.take().as_deref() {
                    None | Some("3" | "3.0") => VCardVersion::V3,
                    Some("4" | "4.0") => VCardVersion::V4,
                    Some(other) => return Err(format!("--vcard-version {other}: use 3 or 4")),
                };
                Command::ExportContacts {
                    vcard,
                    version,
                    output: output.take(),
                }
            }
            ["history", "export"] => Command::ExportHistory {
                output: output.take(),
            },
            _ => return Err(format!("unknown command: parla {}", positional.join(" "))),
        };
        let unused = [
            ("--format", format.is_some()),
            ("--vcard-version", version.is_some()),
            ("--output", output.is_some()),
            ("--region", region.is_some()),
        ];
        if let Some((name, _)) = unused.iter().find(|(_, set)| *set) {
            return Err(format!("{name} does not apply to this command"));
        }
        Ok(command)
    }
}

fn import(store: &mut Store, file: &Path, region: Region) -> anyhow::Result<ExitCode> {
    // The first 4 KiB tell a vCard file from a CSV one when the extension does not.
    let mut head = Vec::with_capacity(4096);
    let read = File::open(file).and_then(|f| f.take(4096).read_to_end(&mut head));
    if let Err(e) = read {
        eprintln!("parla: cannot read {}: {e}", file.display());
        return Ok(ExitCode::from(FAILED));
    }
    let result = if is_vcard(file, &head) {
        store.import_vcard(file, region)
    } else {
        store.import_csv(file, region)
    };
    match result {
        Ok(report) => {
            print_report(&report);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("parla: nothing imported from {}: {e}", file.display());
            if let ImportError::Store(_) = e {
                eprintln!("parla: the contacts were left as they were");
            }
            Ok(ExitCode::from(FAILED))
        }
    }
}

fn print_report(report: &ImportReport) {
    let refused: Vec<_> = report.refused().collect();
    println!("imported {}, refused {}", report.accepted(), refused.len());
    for r in refused {
        println!("{r}");
    }
    if !report.ignored_columns.is_empty() {
        println!("ignored columns: {}", report.ignored_columns.join(", "));
    }
}

/// Runs `write` into the output file (written beside it, then renamed: a failed export leaves
/// no half file) or standard output; prints a summary on stderr for a file.
fn export(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<String, parla_core::store::ExportError>,
) -> anyhow::Result<ExitCode> {
    let Some(path) = output else {
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        return Ok(match write(&mut out) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("parla: {e}");
                ExitCode::from(FAILED)
            }
        });
    };
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    let result = File::create(&partial)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            let mut out = BufWriter::new(f);
            let summary = write(&mut out).map_err(|e| e.to_string())?;
            out.into_inner()
                .map_err(|e| e.to_string())?
                .sync_all()
                .map_err(|e| e.to_string())?;
            std::fs::rename(&partial, path).map_err(|e| e.to_string())?;
            Ok(summary)
        });
    match result {
        Ok(summary) => {
            eprintln!("parla: wrote {summary} to {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            eprintln!("parla: cannot write {}: {e}", path.display());
            Ok(ExitCode::from(FAILED))
        }
    }
}

/// The default line's `region`, else the country of the locale (`nl_NL.UTF-8`), else US.
fn default_region(profile: &Path) -> Region {
    let configured = parla_core::Config::load_profile(profile)
        .ok()
        .and_then(|c| c.default_account().and_then(|a| a.region.clone()));
    let from_locale = ["LC_ALL", "LC_TELEPHONE", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| {
            let country = v.split(['.', '@']).next()?.split('_').nth(1)?.to_string();
            Some(country)
        });
    configured
        .into_iter()
        .chain(from_locale)
        .find_map(|c| c.parse().ok())
        .unwrap_or(Region::US)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn detects_store_commands_only() {
        assert_eq!(
            detect(&args("--profile /p contacts import a.csv")),
            Some((Some(PathBuf::from("/p")), args("contacts import a.csv")))
        );
        assert_eq!(
            detect(&args("history export --profile /p -o x.csv")),
            Some((Some(PathBuf::from("/p")), args("history export -o x.csv")))
        );
        assert_eq!(detect(&args("tel:+31612345678")), None);
        assert_eq!(detect(&args("--headless --profile /p")), None);
        assert_eq!(detect(&args("--profile contacts")), None);
    }

    #[test]
    fn parses_each_command() {
        let p = |s: &str| Command::parse(&args(s));
        assert_eq!(
            p("contacts import a.vcf --region nl"),
            Ok(Command::Import {
                file: PathBuf::from("a.vcf"),
                region: Some("nl".into())
            })
        );
        assert_eq!(
            p("contacts export --format vcard --vcard-version 4 -o out.vcf"),
            Ok(Command::ExportContacts {
                vcard: true,
                version: VCardVersion::V4,
                output: Some(PathBuf::from("out.vcf"))
            })
        );
        assert_eq!(
            p("history export"),
            Ok(Command::ExportHistory { output: None })
        );
        assert_eq!(p("contacts --help"), Ok(Command::Help));
        assert!(p("contacts import").is_err());
        assert!(p("contacts export --format xml").is_err());
        assert!(p("history export --region NL").is_err());
        assert!(p("contacts delete").is_err());
        assert!(p("contacts export --bogus").is_err());
    }

    #[test]
    fn exit_statuses() {
        assert_eq!(exit_status(ExitCode::SUCCESS), 0);
        assert_eq!(exit_status(ExitCode::from(FAILED)), 1);
        assert_eq!(exit_status(ExitCode::from(BAD_ARGS)), 2);
    }
}
