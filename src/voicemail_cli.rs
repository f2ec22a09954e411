//! `parla voicemail list|export|delete`: the answering machine's messages from the command
//! line, on the same profile the app uses (its database and its `voicemail/` folder).
#![allow(
    clippy::print_stdout,
    reason = "the command line: usage and the message list go to stdout"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use parla_core::store::{
    is_export_format, Store, VoicemailEntry, VoicemailFileError, VoicemailId, VOICEMAIL_DIR,
};

use crate::store_cli::{open_store, BAD_ARGS, FAILED};

pub const USAGE: &str = "\
usage: parla [--profile DIR] voicemail list [--json] [--limit N]
       parla [--profile DIR] voicemail export ID --output FILE
       parla [--profile DIR] voicemail delete ID

  voicemail list    the answering machine's messages, newest first: id, time (UTC), length,
                    caller, and whether it was heard; --json prints one JSON array
  voicemail export  write message ID to FILE: .wav as WAV, .ogg or .opus as Ogg Opus
  voicemail delete  delete message ID: its audio file and its entry";

/// How many messages `list` shows unless `--limit` says otherwise.
const DEFAULT_LIMIT: usize = 1000;

/// The profile flag and the arguments from `voicemail` on, when the command line asks for it.
pub fn detect(raw: &[String]) -> Option<(Option<PathBuf>, Vec<String>)> {
    crate::cli::offline_command(raw, &["voicemail"])
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    List { json: bool, limit: usize },
    Export { id: VoicemailId, output: PathBuf },
    Delete { id: VoicemailId },
}

impl Command {
    fn parse(args: &[String]) -> Result<Command, String> {
        let mut positional = Vec::new();
        let (mut json, mut output, mut limit) = (false, None, None);
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match arg.as_str() {
                "--help" | "-h" => return Ok(Command::Help),
                "--json" => json = true,
                "--output" | "-o" => output = Some(PathBuf::from(value("--output")?)),
                "--limit" => {
                    let n = value("--limit")?;
                    let n = n
                        .parse()
                        .map_err(|_| format!("--limit {n}: give a number of messages"))?;
                    limit = Some(n);
                }
                other if other.starts_with('-') => return Err(format!("unknown option {other}")),
                other => positional.push(other),
            }
        }
        let command = match positional.as_slice() {
            ["voicemail", "list"] => Command::List {
                json: std::mem::take(&mut json),
                limit: limit.take().unwrap_or(DEFAULT_LIMIT),
            },
            ["voicemail", "export", id] => {
                let output = output
                    .take()
                    .ok_or("voicemail export needs --output FILE")?;
                if !is_export_format(&output) {
                    return Err(format!(
                        "cannot export to {}: the file name must end in .wav, .ogg or .opus",
                        output.display()
                    ));
                }
                Command::Export {
                    id: message_id(id)?,
                    output,
                }
            }
            ["voicemail", "delete", id] => Command::Delete {
                id: message_id(id)?,
            },
            ["voicemail", "export" | "delete"] => {
                return Err(format!("voicemail {} needs a message ID", positional[1]))
            }
            ["voicemail"] => return Ok(Command::Help),
            _ => return Err(format!("unknown command: parla {}", positional.join(" "))),
        };
        let unused = [
            ("--json", json),
            ("--output", output.is_some()),
            ("--limit", limit.is_some()),
        ];
        if let Some((name, _)) = unused.iter().find(|(_, set)| *set) {
            return Err(format!("{name} does not apply to this command"));
        }
        Ok(command)
    }
}

fn message_id(raw: &str) -> Result<VoicemailId, String> {
    raw.parse()
        .map(VoicemailId)
        .map_err(|_| format!("{raw} is not a message id (`parla voicemail list` shows them)"))
}

/// Runs `args` (`voicemail list`, ...) against the database and messages in `profile`.
pub fn run(profile: &Path, args: &[String]) -> ExitCode {
    let command = match Command::parse(args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("parla: {message}\n\n{USAGE}");
            return ExitCode::from(BAD_ARGS);
        }
    };
    if let Command::Help = command {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Some(mut store) = open_store(profile) else {
        return ExitCode::from(FAILED);
    };
    let folder = profile.join(VOICEMAIL_DIR);
    let done = match command {
        Command::Help => Ok(()),
        Command::List { json, limit } => list(&store, &folder, json, limit),
        Command::Export { id, output } => export(&store, &folder, id, &output),
        Command::Delete { id } => store
            .delete_voicemail_and_file(id, &folder)
            .map(|entry| eprintln!("parla: deleted message {}", entry.id))
            .map_err(|e| e.to_string()),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("parla: {message}");
            ExitCode::from(FAILED)
        }
    }
}

fn list(store: &Store, folder: &Path, json: bool, limit: usize) -> Result<(), String> {
    let mut messages = store.list_voicemail(limit).map_err(|e| e.to_string())?;
    for message in &mut messages {
        message.check_file(folder);
    }
    if json {
        let text = serde_json::to_string_pretty(&messages).map_err(|e| e.to_string())?;
        println!("{text}");
    } else if messages.is_empty() {
        println!("no messages");
    } else {
        for message in &messages {
            println!("{}", line(message));
        }
    }
    Ok(())
}

/// `12  2023-11-14 22:13:20Z  0:27  Anna Jansen  new`: id, time in UTC, length, who, heard.
fn line(message: &VoicemailEntry) -> String {
    let who = [&message.name, &message.number, &message.from]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or("unknown caller", String::as_str);
    let secs = message.duration_ms.div_ceil(1000);
    let mark = if message.heard { "heard" } else { "new" };
    let missing = if message.missing {
        "  (audio file missing)"
    } else {
        ""
    };
    format!(
        "{:>4}  {}  {}:{:02}  {who}  {mark}{missing}",
        message.id.0,
        message.start.replacen('T', " ", 1),
        secs / 60,
        secs % 60,
    )
}

fn export(store: &Store, folder: &Path, id: VoicemailId, output: &Path) -> Result<(), String> {
    let entry = store
        .voicemail(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no voicemail message with id {id}"))?;
    entry.export(folder, output).map_err(|e| match e {
        VoicemailFileError::Missing { .. } => {
            format!("{e}; it can only be deleted (`parla voicemail delete {id}`)")
        }
        other => other.to_string(),
    })?;
    eprintln!("parla: wrote message {id} to {}", output.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn detects_voicemail_only() {
        assert_eq!(
            detect(&args("--profile /p voicemail list --json")),
            Some((Some(PathBuf::from("/p")), args("voicemail list --json")))
        );
        assert_eq!(detect(&args("contacts export")), None);
        assert_eq!(detect(&args("tel:+31612345678")), None);
    }

    #[test]
    fn parses_each_command_and_refuses_the_rest() {
        let p = |s: &str| Command::parse(&args(s));
        assert_eq!(
            p("voicemail list"),
            Ok(Command::List {
                json: false,
                limit: DEFAULT_LIMIT
            })
        );
        assert_eq!(
            p("voicemail list --json --limit 5"),
            Ok(Command::List {
                json: true,
                limit: 5
            })
        );
        assert_eq!(
            p("voicemail export 7 --output a.OPUS"),
            Ok(Command::Export {
                id: VoicemailId(7),
                output: PathBuf::from("a.OPUS")
            })
        );
        assert_eq!(
            p("voicemail delete 3"),
            Ok(Command::Delete { id: VoicemailId(3) })
        );
        assert_eq!(p("voicemail --help"), Ok(Command::Help));
        assert_eq!(p("voicemail"), Ok(Command::Help));
        let refused = [
            "voicemail export 7 --output a.mp3",
            "voicemail export 7",
            "voicemail export x --output a.wav",
            "voicemail export --output a.wav",
            "voicemail delete",
            "voicemail delete 3 --json",
            "voicemail list --limit many",
            "voicemail list --output a.wav",
            "voicemail play 3",
            "voicemail list --bogus",
        ];
        for line in refused {
            assert!(p(line).is_err(), "{line}");
        }
        let mp3 = p("voicemail export 7 -o a.mp3").unwrap_err();
        assert!(mp3.contains(".wav, .ogg or .opus"), "{mp3}");
    }

    #[test]
    fn a_line_shows_the_caller_and_the_mark() {
        let mut entry = VoicemailEntry {
            id: VoicemailId(12),
            account: "work".into(),
            from: "sip:0612345678@pbx.example".into(),
            number: "0612345678".into(),
            name: "Anna Jansen".into(),
            start: "2023-11-14T22:13:20Z".into(),
            start_ms: 1_700_000_000_000,
            duration_ms: 86_400,
            heard: false,
            file: "12.wav".into(),
            missing: false,
            history: None,
        };
        assert_eq!(
            line(&entry),
            "  12  2023-11-14 22:13:20Z  1:27  Anna Jansen  new"
        );
        entry.name.clear();
        entry.heard = true;
        entry.missing = true;
        assert_eq!(
            line(&entry),
            "  12  2023-11-14 22:13:20Z  1:27  0612345678  heard  (audio file missing)"
        );
    }
}
