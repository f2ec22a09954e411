//! `parla diagnostics --output FILE`, run as the real binary on a temporary profile whose
//! settings and logs hold passwords and digest credentials: the archive (.zip and .tar.gz)
//! holds every part, and none of the secrets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

const ACCOUNT_PASSWORD: &str = "Sup3rSecretPw";
const DIRECTORY_PASSWORD: &str = "D1rectoryPw";
const DIGEST_RESPONSE: &str = "6629fae49393a05397450978507c4ef1";
const NONCE: &str = "N0nceValue42xyz";
const CNONCE: &str = "0a4f113b";

const CONFIG: &str = r#"
[[accounts]]
id = "work"
username = "alice"
domain = "example.com"
password = "Sup3rSecretPw"

[accounts.directory]
url = "https://dav.example.com/book/"
username = "alice"
password = "D1rectoryPw"
"#;

fn parla(profile: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parla"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("PARLA_HOME")
        .output()
        .unwrap()
}

fn profile(dir: &Path) -> std::path::PathBuf {
    let profile = dir.join("profile");
    let logs = profile.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(profile.join("config.toml"), CONFIG).unwrap();
    let register = format!(
        "REGISTER sip:example.com SIP/2.0\r\n\
         Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"{NONCE}\", \
         uri=\"sip:example.com\", response=\"{DIGEST_RESPONSE}\", cnonce=\"{CNONCE}\", nc=00000001\r\n\
         To: <sip:alice@example.com>\r\n\r\n"
    );
    std::fs::write(
        logs.join("parla.2026-11-30.log"),
        format!(
            "2026-11-30T10:00:00.000Z  INFO parla_core::ua::registration: registering account=work\n\
             2026-11-30T10:00:00.100Z DEBUG sip: send to udp:192.0.2.1:5060\n{register}\
             2026-11-30T10:00:01.000Z  WARN parla: sign-in failed password={ACCOUNT_PASSWORD}\n\
             2026-11-30T10:05:00.000Z  INFO parla_core::ua::call::summary: call quality call=3 \
             packets_received=1500 packets_sent=1500 jitter_ms=2.5 lost=3 late=0 concealed=3 \
             loss_percent=0.20 remote_loss_percent=0.0 rtt_ms=40 mos=4.38\n"
        ),
    )
    .unwrap();
    std::fs::write(
        logs.join("sip.log"),
        format!(
            "2026-11-30T10:00:00.050Z DEBUG sip: received from udp:192.0.2.1:5060\n\
             SIP/2.0 401 Unauthorized\r\n\
             WWW-Authenticate: Digest realm=\"example.com\", nonce=\"{NONCE}\", qop=\"auth\"\r\n\r\n\
             2026-11-30T10:00:00.100Z DEBUG sip: send to udp:192.0.2.1:5060\n{register}\
             2026-11-30T10:00:00.200Z DEBUG sip: received from udp:192.0.2.1:5060\n\
             SIP/2.0 200 OK\r\nAuthentication-Info: rspauth=\"abcdef0123\", cnonce=\"{CNONCE}\"\r\n\r\n"
        ),
    )
    .unwrap();
    profile
}

fn read_zip(path: &Path) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        out.insert(file.name().unwrap().into_owned(), text);
    }
    out
}

fn read_tar_gz(path: &Path) -> BTreeMap<String, String> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut archive = tar::Archive::new(gz);
    let mut out = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        out.insert(name, text);
    }
    out
}

fn check(entries: &BTreeMap<String, String>, raw: &[u8]) {
    let get = |name: &str| {
        entries
            .get(&format!("parla-diagnostics/{name}"))
            .unwrap_or_else(|| panic!("no {name} in {:?}", entries.keys()))
    };
    assert!(get("README.txt").contains("sip-trace.log"));
    let system = get("system.txt");
    assert!(
        system.contains(&format!("Parla {}", env!("CARGO_PKG_VERSION"))),
        "{system}"
    );
    assert!(system.contains("Kernel: Linux"), "{system}");
    let config = get("config.toml");
    assert!(config.contains("username = \"alice\""), "{config}");
    assert!(config.contains("domain = \"example.com\""), "{config}");
    assert!(config.contains("<redacted>"), "{config}");
    let devices = get("devices.txt");
    assert!(
        devices.contains("Inputs:\n  default") && devices.contains("Outputs:\n  default"),
        "{devices}"
    );
    let quality = get("quality.txt");
    assert!(
        quality.contains("call quality call=3") && quality.contains("mos=4.38"),
        "{quality}"
    );
    let sip = get("sip-trace.log");
    assert!(
        sip.contains("REGISTER sip:example.com SIP/2.0") && sip.contains("401 Unauthorized"),
        "{sip}"
    );
    let log = get("logs/parla.2026-11-30.log");
    assert!(log.contains("registering account=work"), "{log}");

    for (name, text) in entries {
        for secret in [
            ACCOUNT_PASSWORD,
            DIRECTORY_PASSWORD,
            DIGEST_RESPONSE,
            NONCE,
            CNONCE,
            "abcdef0123",
        ] {
            assert!(!text.contains(secret), "{secret} in {name}:\n{text}");
        }
        for param in ["response=", "nonce=", "rspauth="] {
            for (at, _) in text.match_indices(param) {
                let value = &text[at + param.len()..];
                assert!(
                    value.starts_with("<redacted>"),
                    "{param} in {name}:\n{text}"
                );
            }
        }
    }
    // Nor in the compressed bytes as such (stored rather than deflated, say).
    let raw = String::from_utf8_lossy(raw);
    for secret in [ACCOUNT_PASSWORD, DIRECTORY_PASSWORD, DIGEST_RESPONSE, NONCE] {
        assert!(!raw.contains(secret), "{secret} in the archive's bytes");
    }
}

#[test]
fn zip_and_tar_gz_hold_every_part_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let profile = profile(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();

    for (name, read) in [
        (
            "bundle.zip",
            read_zip as fn(&Path) -> BTreeMap<String, String>,
        ),
        ("report.tar.gz", read_tar_gz),
    ] {
        let file = out_dir.join(name);
        let out = parla(
            &profile,
            &["diagnostics", "--output", file.to_str().unwrap()],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains(name));
        let entries = read(&file);
        check(&entries, &std::fs::read(&file).unwrap());
    }
    // Written exactly as named, no temp file left beside them.
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bundle.zip", "report.tar.gz"]);
}

#[test]
fn refuses_an_unknown_extension_or_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let profile = profile(dir.path());
    let file = dir.path().join("bundle.rar");
    let out = parla(
        &profile,
        &["diagnostics", "--output", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".zip or .tar.gz"));
    assert!(!file.exists());
    assert_eq!(parla(&profile, &["diagnostics"]).status.code(), Some(2));
}

#[test]
fn a_headless_parla_saves_the_bundle_on_a_control_command() {
    use parla_testbench::Headless;
    use serde_json::json;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    // A line that only listens on loopback: nothing leaves this machine.
    std::fs::write(
        profile.join("config.toml"),
        "[[accounts]]\nid = \"lan\"\nusername = \"alice\"\ndomain = \"127.0.0.1\"\n\
         register = false\n[audio]\ninput = \"null\"\noutput = \"null\"\n",
    )
    .unwrap();
    let mut parla = Headless::spawn(Path::new(env!("CARGO_BIN_EXE_parla")), &profile).unwrap();
    let file = dir.path().join("from-headless.tar.gz");
    parla
        .send(&json!({"cmd":"save_diagnostics","output":file.to_str().unwrap(),"request":5}))
        .unwrap();
    let saved = parla
        .wait_event(
            |v| v["event"] == "diagnostics_saved" && v["request"] == 5,
            Duration::from_secs(20),
        )
        .unwrap();
    assert_eq!(
        Path::new(saved["path"].as_str().unwrap()),
        std::fs::canonicalize(&file).unwrap()
    );
    let entries = read_tar_gz(&file);
    assert!(
        entries.contains_key("parla-diagnostics/config.toml"),
        "{entries:?}"
    );

    let bad = dir.path().join("bundle.rar");
    parla
        .send(&json!({"cmd":"save_diagnostics","output":bad.to_str().unwrap(),"request":6}))
        .unwrap();
    let refused = parla
        .wait_event(
            |v| v["event"] == "error" && v["request"] == 6,
            Duration::from_secs(20),
        )
        .unwrap();
    assert_eq!(refused["kind"], "diagnostics_failed");
    assert!(!bad.exists());
    parla.quit_and_wait(Duration::from_secs(20)).unwrap();
}
