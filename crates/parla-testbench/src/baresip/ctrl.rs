//! baresip's `ctrl_tcp` connection: JSON objects in netstrings, commands and events on one socket.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::{BenchError, IoContext, Result};
use crate::events::{EventLog, WaitFailure};

/// Longest netstring we accept (baresip messages are a few hundred bytes).
const MAX_LEN: usize = 1 << 20;

pub(super) struct Ctrl {
    writer: Arc<Mutex<TcpStream>>,
    events: EventLog,
    responses: EventLog,
    next_token: AtomicU64,
    reader: Option<JoinHandle<()>>,
}

impl Ctrl {
    /// Connects and starts the reader thread. With `reject_incoming`, every CALL_INCOMING is
    /// answered with `hangup` right away (baresip then replies 486).
    pub fn connect(port: u16, reject_incoming: bool) -> Result<Ctrl> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .ctx(|| format!("connecting to baresip ctrl_tcp on port {port}"))?;
        let read_half = stream
            .try_clone()
            .ctx(|| "cloning the ctrl_tcp socket".to_string())?;
        let writer = Arc::new(Mutex::new(stream));
        let events = EventLog::new();
        let responses = EventLog::new();
        let reader = {
            let (events, responses, writer) = (events.clone(), responses.clone(), writer.clone());
            thread::Builder::new()
                .name(format!("baresip-ctrl-{port}"))
                .spawn(move || {
                    read_loop(read_half, &events, &responses, &writer, reject_incoming);
                    events.close();
                    responses.close();
                })
                .ctx(|| "spawning the ctrl_tcp reader thread".to_string())?
        };
        Ok(Ctrl {
            writer,
            events,
            responses,
            next_token: AtomicU64::new(1),
            reader: Some(reader),
        })
    }

    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// Sends a command and waits for the response with the same token.
    pub fn command(&self, name: &str, params: &str, timeout: Duration) -> Result<Value> {
        let token = self.next_token.fetch_add(1, Ordering::Relaxed).to_string();
        send(&self.writer, name, params, &token)?;
        self.responses
            .wait_for(|v| v["token"] == token.as_str(), timeout)
            .map_err(|failure| BenchError::Protocol {
                peer: "baresip ctrl_tcp".into(),
                detail: match failure {
                    WaitFailure::TimedOut => {
                        format!("no response to `{name} {params}` in {timeout:?}")
                    }
                    WaitFailure::Closed => {
                        format!("connection closed before the response to `{name}`")
                    }
                },
            })
    }

    /// Closes the socket; the reader thread then ends.
    pub fn shutdown(&mut self) {
        if let Ok(stream) = self.writer.lock() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Ctrl {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn send(writer: &Mutex<TcpStream>, name: &str, params: &str, token: &str) -> Result<()> {
    let body = json!({"command": name, "params": params, "token": token}).to_string();
    let frame = format!("{}:{body},", body.len());
    let mut stream = writer.lock().unwrap_or_else(|p| p.into_inner());
    stream
        .write_all(frame.as_bytes())
        .ctx(|| format!("sending `{name}` to baresip"))
}

fn read_loop(
    stream: TcpStream,
    events: &EventLog,
    responses: &EventLog,
    writer: &Mutex<TcpStream>,
    reject_incoming: bool,
) {
    let mut reader = BufReader::new(stream);
    while let Some(msg) = read_netstring(&mut reader) {
        let Ok(value) = serde_json::from_slice::<Value>(&msg) else {
            continue;
        };
        if value["response"] == true {
            responses.push(value);
        } else {
            if reject_incoming && value["type"] == "CALL_INCOMING" {
                let _ = send(writer, "hangup", "", "bench-reject");
            }
            events.push(value);
        }
    }
}

/// `LEN:BYTES,`; `None` at end of stream or on a framing error.
fn read_netstring(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut len_text = Vec::new();
    reader.read_until(b':', &mut len_text).ok()?;
    if len_text.pop() != Some(b':') {
        return None;
    }
    let len: usize = std::str::from_utf8(&len_text).ok()?.trim().parse().ok()?;
    if len > MAX_LEN {
        return None;
    }
    let mut body = vec![0; len + 1];
    reader.read_exact(&mut body).ok()?;
    (body.pop() == Some(b',')).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_consecutive_netstrings() {
        let data = b"5:hello,2:{},".to_vec();
        let mut r = std::io::Cursor::new(data);
        assert_eq!(read_netstring(&mut r), Some(b"hello".to_vec()));
        assert_eq!(read_netstring(&mut r), Some(b"{}".to_vec()));
        assert_eq!(read_netstring(&mut r), None);
    }

    #[test]
    fn rejects_bad_framing() {
        let mut r = std::io::Cursor::new(b"3:abcd".to_vec());
        assert_eq!(read_netstring(&mut r), None);
    }
}
