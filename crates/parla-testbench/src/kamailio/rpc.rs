//! Kamailio's RPC over the binrpc ctl socket, through `kamcmd`.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{BenchError, IoContext, Result};

/// One contact binding from the location table (`ul.lookup`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registration {
    /// The Contact URI as registered, e.g. `sip:alice@127.0.0.1:5080;transport=tcp`.
    pub address: String,
    /// Seconds left; `None` if Kamailio printed something else.
    pub expires: Option<i64>,
    /// Where Kamailio really reaches the client (set by fix_nated_register for TCP/TLS/NAT).
    pub received: Option<String>,
    /// Kamailio's socket the registration arrived on, e.g. `udp:127.0.0.1:5060`.
    pub socket: Option<String>,
    pub user_agent: Option<String>,
    /// The +sip.instance value, if the client sent one.
    pub instance: Option<String>,
}

/// Runs `kamcmd -s unix:SOCKET args...` and returns its stdout; "error:" output is an error.
pub(super) fn kamcmd(socket: &Path, args: &[&str]) -> Result<String> {
    let mut cmd = Command::new("kamcmd");
    cmd.arg("-s")
        .arg(format!("unix:{}", socket.display()))
        .args(args)
        .stdin(Stdio::null());
    let out = cmd.output().ctx(|| format!("running {cmd:?}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = format!("{stdout}{stderr}");
    if !out.status.success() || text.trim_start().starts_with("error:") {
        return Err(BenchError::Command {
            command: format!("{cmd:?}"),
            detail: text.trim().to_string(),
        });
    }
    Ok(stdout)
}

/// The current bindings of `user`; empty if the user is not registered.
pub(super) fn lookup(socket: &Path, user: &str) -> Result<Vec<Registration>> {
    match kamcmd(socket, &["ul.lookup", "location", user]) {
        Ok(out) => Ok(parse_lookup(&out)),
        Err(BenchError::Command { detail, .. }) if detail.contains("AOR not found") => Ok(vec![]),
        Err(e) => Err(e),
    }
}

fn field(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v != "[not set]").then(|| v.to_string())
}

pub(super) fn parse_lookup(text: &str) -> Vec<Registration> {
    let mut regs = Vec::new();
    let mut current: Option<Registration> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with("Contact:") && line.ends_with('{') {
            if let Some(r) = current.take() {
                regs.push(r);
            }
            current = Some(Registration::default());
            continue;
        }
        let Some(reg) = current.as_mut() else {
            continue;
        };
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "Address" => reg.address = value.trim().to_string(),
            "Expires" => reg.expires = value.trim().parse().ok(),
            "Received" => reg.received = field(value),
            "Socket" => reg.socket = field(value),
            "User-Agent" => reg.user_agent = field(value),
            "Instance" => reg.instance = field(value),
            _ => {}
        }
    }
    regs.extend(current);
    regs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ul_lookup_output() {
        let text = "{\n\tAoR: alice\n\tContacts: {\n\t\tContact: {\n\
            \t\t\tAddress: sip:alice-0x1@127.0.0.1:25060\n\t\t\tExpires: 299\n\
            \t\t\tUser-Agent: baresip v1.0.0 (x86_64/linux)\n\t\t\tReceived: [not set]\n\
            \t\t\tSocket: udp:127.0.0.1:15060\n\t\t}\n\t\tContact: {\n\
            \t\t\tAddress: sip:alice@127.0.0.1:40000;transport=tcp\n\t\t\tExpires: 10\n\
            \t\t\tReceived: sip:127.0.0.1:40001;transport=tcp\n\t\t}\n\t}\n}\n";
        let regs = parse_lookup(text);
        assert_eq!(regs.len(), 2);
        assert_eq!(regs[0].address, "sip:alice-0x1@127.0.0.1:25060");
        assert_eq!(regs[0].expires, Some(299));
        assert_eq!(regs[0].received, None);
        assert_eq!(regs[0].socket.as_deref(), Some("udp:127.0.0.1:15060"));
        assert_eq!(
            regs[1].received.as_deref(),
            Some("sip:127.0.0.1:40001;transport=tcp")
        );
    }
}
