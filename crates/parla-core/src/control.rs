//! The JSON-lines control protocol: one `Command` per input line, one `Event` per output line.
//! Used by `parla --headless` on stdin/stdout; the local control socket carries the same lines.

use crate::api::{Command, Event};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// Longest command line accepted; a dial string or a chat message fits many times over.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Why a line of input is not a command; the text goes into an `error` event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandLineError {
    #[error("command line of {0} bytes is longer than {MAX_LINE_BYTES}")]
    TooLong(usize),
    /// Not JSON, an unknown command or field, or a missing or mistyped value (serde's words).
    #[error("not a command: {0}")]
    NotACommand(String),
}

/// Parses one line. `Ok(None)` for a blank line.
pub fn parse_command(line: &str) -> Result<Option<Command>, CommandLineError> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    if line.len() > MAX_LINE_BYTES {
        return Err(CommandLineError::TooLong(line.len()));
    }
    serde_json::from_str(line)
        .map(Some)
        .map_err(|e| CommandLineError::NotACommand(e.to_string()))
}

pub fn encode_event(event: &Event) -> String {
    // Event holds only strings, numbers and enums: serialising it cannot fail. Should it ever,
    // the client still gets a well-formed error event.
    serde_json::to_string(event).unwrap_or_else(|e| {
        serde_json::json!({
            "event": "error",
            "kind": crate::api::ErrorKind::Internal,
            "message": format!("an event could not be encoded: {e}"),
        })
        .to_string()
    })
}

/// Reads lines until EOF, handing each command to `submit` and each bad line to `reject`.
/// A line longer than [`MAX_LINE_BYTES`] is skipped whole, without buffering it.
pub async fn read_commands<R, F, G>(reader: R, mut submit: F, mut reject: G) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    F: FnMut(Command) -> bool,
    G: FnMut(String),
{
    let mut reader = reader;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        let (n, overflow) = read_bounded_line(&mut reader, &mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        if overflow {
            reject(format!("command line longer than {MAX_LINE_BYTES} bytes"));
            continue;
        }
        let line = String::from_utf8_lossy(&buf);
        match parse_command(&line) {
            Ok(Some(command)) => {
                if !submit(command) {
                    return Ok(());
                }
            }
            Ok(None) => {}
            Err(error) => reject(error.to_string()),
        }
    }
}

/// Reads one line into `buf`, keeping at most MAX_LINE_BYTES; returns (bytes consumed, overflowed).
async fn read_bounded_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut overflow = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok((consumed, overflow));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        if buf.len() + chunk.len() > MAX_LINE_BYTES + 1 {
            overflow = true;
        } else {
            buf.extend_from_slice(chunk);
        }
        let len = chunk.len();
        consumed += len;
        reader.consume(len);
        if done {
            return Ok((consumed, overflow));
        }
    }
}

pub async fn write_event<W: AsyncWrite + Unpin>(
    writer: &mut W,
    event: &Event,
) -> std::io::Result<()> {
    let mut line = encode_event(event);
    line.push('\n');
    writer.write_all(line.as_bytes()).await?;
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CallId;

    #[test]
    fn lines_become_commands_or_clear_errors() {
        assert_eq!(parse_command("  "), Ok(None));
        assert_eq!(
            parse_command(r#"{"cmd":"hangup","call":2}"#),
            Ok(Some(Command::Hangup { call: CallId(2) }))
        );
        let err = parse_command("{\"cmd\":").expect_err("truncated");
        assert!(err.to_string().starts_with("not a command"), "{err}");
        let err = parse_command(r#"{"cmd":"dial"}"#).expect_err("missing to");
        assert!(
            matches!(&err, CommandLineError::NotACommand(why) if why.contains("to")),
            "{err}"
        );
        let long = format!(
            "{{\"cmd\":\"dial\",\"to\":\"{}\"}}",
            "1".repeat(MAX_LINE_BYTES)
        );
        assert!(matches!(
            parse_command(&long),
            Err(CommandLineError::TooLong(_))
        ));
    }

    #[tokio::test]
    async fn the_reader_skips_bad_and_oversized_lines_and_goes_on() {
        let mut input = String::new();
        input.push_str("garbage\n");
        input.push_str(&"x".repeat(MAX_LINE_BYTES * 3));
        input.push('\n');
        input.push_str("\n{\"cmd\":\"status\"}\n{\"cmd\":\"quit\"}");
        let mut commands = Vec::new();
        let mut errors = Vec::new();
        read_commands(
            tokio::io::BufReader::new(input.as_bytes()),
            |c| {
                commands.push(c);
                true
            },
            |e| errors.push(e),
        )
        .await
        .expect("read");
        assert_eq!(commands, vec![Command::Status, Command::Quit]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[1].contains("longer"), "{errors:?}");
    }
}
