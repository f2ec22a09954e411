//! A whole run at `debug` with a registered line (digest auth) and an encrypted call: the
//! password, the digest `response=` values and the SRTP master keys (both sides', as the SDP
//! carried them on the wire) appear in none of the logs (the daily log, `sip.log`, stderr).
//! The secrets are read from a tcpdump capture of the SIP, so they are the real ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_testbench::capture::{pcap_payloads, start_tcpdump};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

const PASSWORD: &str = "Zq8-secret-Xv3";

/// The values after `prefix` up to a delimiter, in every message.
fn values(messages: &[String], prefix: &str, end: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    for m in messages {
        let mut rest = m.as_str();
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            let v: String = rest.chars().take_while(|c| !end.contains(c)).collect();
            if !v.is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        bits = bits << 6 | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn log_files(profile: &Path) -> Vec<PathBuf> {
    let mut files = vec![profile.join(parla_testbench::headless::STDERR_LOG)];
    if let Ok(dir) = std::fs::read_dir(profile.join("logs")) {
        files.extend(dir.flatten().map(|e| e.path()).filter(|p| p.is_file()));
    }
    files
}

#[test]
fn a_debug_run_logs_no_password_digest_response_or_srtp_key() {
    let k = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", PASSWORD),
        ("bob", "bobpw"),
    ]))
    .expect("kamailio");
    let work = tempfile::tempdir().expect("dir");

    // The SIP of the whole run, to and from Kamailio (UDP, and TCP for requests too large for
    // UDP, RFC 3261 section 18.1.1).
    let pcap = work.path().join("sip.pcap");
    let port = k.sip_port().to_string();
    let mut tcpdump = start_tcpdump("lo", &pcap, &["port", &port], T)
        .expect("tcpdump (scripts/install-test-deps.sh)");

    let bob = Baresip::start(BaresipOptions {
        media_enc: Some("srtp-mand".into()),
        ..BaresipOptions::registering(&k, "bob", "bobpw")
    })
    .expect("baresip");
    bob.wait_registered(T).expect("bob registered");

    // A UDP line: `required` offers keys on any transport, and the SIP can be captured.
    let mut line = Line::at(&k, "alice", PASSWORD);
    line.extra.push_str("srtp = \"required\"\n");
    let mut app = start(&[line], None, &[("RUST_LOG", "debug")]);
    app.wait_registered("alice");
    let call = app.dial("alice", &k.user_uri("bob"));
    app.wait_call(call, "connected");
    let enc = app.wait("call_encryption", |v| {
        is_event(v, "call_encryption") && v["call"] == call
    });
    assert_eq!(enc["encrypted"], true, "{enc}");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    app.hang_up(call);
    app.quit();
    // Everything up to the BYE is on file before tcpdump stops.
    let deadline = Instant::now() + T;
    while !std::fs::read(&pcap)
        .unwrap_or_default()
        .windows(8)
        .any(|w| w == b"BYE sip:")
    {
        assert!(Instant::now() < deadline, "the capture never got the BYE");
        std::thread::sleep(Duration::from_millis(20));
    }
    tcpdump.stop();

    let messages: Vec<String> = pcap_payloads(&std::fs::read(&pcap).expect("capture"))
        .iter()
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .collect();
    let responses = values(&messages, "response=\"", &['"']);
    let keys = values(&messages, "inline:", &['|', '\r', '\n', ' ']);
    assert!(!responses.is_empty(), "the capture holds digest responses");
    assert!(
        keys.len() >= 3,
        "the capture holds our keys and bob's: {keys:?}"
    );

    let mut secrets: Vec<String> = vec![PASSWORD.to_owned()];
    secrets.extend(responses);
    for key in &keys {
        secrets.push(key.clone());
        secrets.push(hex(&decode_base64(key)));
    }

    let profile = app.profile_path();
    let files = log_files(&profile);
    let mut all = String::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{} holds a secret ({} characters)",
                file.display(),
                secret.len()
            );
        }
        all.push_str(&text);
    }
    // The run did log the traffic the secrets travel in.
    assert!(
        all.contains("REGISTER sip:"),
        "SIP traced at debug: {files:?}"
    );
    assert!(
        all.contains("Authorization: <redacted>"),
        "digest traced redacted"
    );
    assert!(
        all.contains("a=crypto:1 AEAD_AES_128_GCM inline:***"),
        "SDP traced redacted"
    );
}
