//! Proves the bench itself works with the real peers: Kamailio, baresip, SIPp, dnsmasq, openssl.
//! Each test checks at the end that every process it started is gone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use parla_testbench::{
    dns_query, kamailio, make_tone_wav, pid_exists, process_group_exists, tone_band_ratio,
    AnswerMode, Baresip, BaresipOptions, BenchDir, DnsAnswer, DnsRecord, Dnsmasq, DnsmasqOptions,
    Headless, Kamailio, KamailioOptions, RecordType, RegistrarTarget, Result, Sipp, SippOptions,
    Transport, WrongPasswordAnswer,
};
use serde_json::{json, Value};

const T: Duration = Duration::from_secs(15);

fn users() -> KamailioOptions {
    KamailioOptions::with_users(&[("alice", "alicepw"), ("bob", "bobpw"), ("carol", "carolpw")])
}

fn event_type(ty: &'static str) -> impl Fn(&Value) -> bool {
    move |v: &Value| v["type"] == ty
}

/// The PID and its process group are gone (process stopped and reaped, workers included).
fn assert_gone(pids: &[u32]) {
    for &pid in pids {
        assert!(!pid_exists(pid), "process {pid} still exists");
        assert!(
            !process_group_exists(pid),
            "process group {pid} still exists"
        );
    }
}

#[test]
fn kamailio_config_checks_and_starts() -> Result<()> {
    let k = Kamailio::start(users())?;
    kamailio::check_config(k.config_path())?;
    assert!(k.udp_port() > 0 && k.tls_port() > 0 && k.udp_port() != k.tls_port());
    assert_eq!(k.tcp_port(), k.udp_port());
    assert!(k.ca_cert_path().exists());
    assert_eq!(k.registered_contacts("alice")?, Vec::<String>::new());
    let pid = k.pid();
    assert!(pid_exists(pid));
    drop(k);
    assert_gone(&[pid]);
    Ok(())
}

#[test]
fn baresips_register_and_call_through_kamailio() -> Result<()> {
    let k = Kamailio::start(users())?;
    let rec = BenchDir::new("smoke-rec")?;
    let alice_tone = rec.join("alice-1000.wav");
    make_tone_wav(&alice_tone, 1000.0, 60.0, 48_000, 2)?;

    let alice = Baresip::start(BaresipOptions {
        source_wav: Some(alice_tone),
        ..BaresipOptions::registering(&k, "alice", "alicepw")
    })?;
    let mut bob = Baresip::start(BaresipOptions {
        record_dir: Some(rec.join("bob")),
        audio_codecs: vec!["pcmu".into()],
        ..BaresipOptions::registering(&k, "bob", "bobpw")
    })?;
    alice.wait_registered(T)?;
    bob.wait_registered(T)?;
    let contacts = k.wait_registered("bob", T)?;
    assert!(contacts[0]
        .address
        .contains(&format!(":{}", bob.sip_port())));
    assert_eq!(k.registered_contacts("alice")?.len(), 1);

    alice.dial(&k.user_uri("bob"))?;
    bob.wait_event(event_type("CALL_ESTABLISHED"), T)?;
    let established = alice.wait_event(event_type("CALL_ESTABLISHED"), T)?;
    assert!(established["peeruri"]
        .as_str()
        .is_some_and(|u| u.contains("bob")));
    // The INVITE was challenged (407) and sent again with credentials.
    assert!(k.count_requests("INVITE", "alice")? >= 2);
    assert!(k
        .requests()?
        .iter()
        .any(|r| r.method == "ACK" && r.from_user == "alice"));

    std::thread::sleep(Duration::from_secs(2)); // let some audio flow into the recording
    alice.hangup()?;
    alice.wait_event(event_type("CALL_CLOSED"), T)?;
    bob.wait_event(event_type("CALL_CLOSED"), T)?;
    assert!(k.count_requests("BYE", "alice")? >= 1);

    let heard = bob.recordings()?;
    assert_eq!(heard.len(), 1, "one recording expected: {heard:?}");
    let ratio = tone_band_ratio(&heard[0], 1000.0)?;
    eprintln!("bob heard alice's 1000 Hz tone at band ratio {ratio:.4}");
    assert!(
        ratio > 0.9,
        "bob heard alice's 1000 Hz tone at ratio {ratio}"
    );

    // SIGTERM makes baresip unregister before it exits.
    let bob_pid = bob.pid();
    bob.stop();
    k.wait_unregistered("bob", T)?;

    let pids = [k.pid(), alice.pid(), bob_pid];
    drop((alice, bob, k));
    assert_gone(&pids);
    Ok(())
}

#[test]
fn wrong_password_is_refused_and_counted() -> Result<()> {
    for (mode, code) in [
        (WrongPasswordAnswer::Answer401, "401"),
        (WrongPasswordAnswer::Answer403, "403"),
    ] {
        let k = Kamailio::start(KamailioOptions {
            wrong_password_answer: mode,
            ..users()
        })?;
        let mallory = Baresip::start(BaresipOptions::registering(&k, "alice", "wrong"))?;
        let fail = mallory.wait_event(event_type("REGISTER_FAIL"), T)?;
        assert!(
            fail["param"].as_str().is_some_and(|p| p.contains(code)),
            "expected {code} in {fail}"
        );
        // First REGISTER (no credentials) plus at least one with the wrong ones.
        let n = k.wait_requests("REGISTER", "alice", 2, T)?;
        eprintln!("{code} mode: {n} REGISTERs from baresip so far");
        assert!(k.registered_contacts("alice")?.is_empty());
        assert!(!mallory.is_registered()?);
        let pids = [k.pid(), mallory.pid()];
        drop((mallory, k));
        assert_gone(&pids);
    }
    Ok(())
}

#[test]
fn sipp_options_gets_200_from_baresip_and_kamailio() -> Result<()> {
    let k = Kamailio::start(users())?;
    let bob = Baresip::start(BaresipOptions::direct("bob"))?;

    let mut to_bob = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{}", bob.sip_port())),
        service: Some("bob".into()),
        ..SippOptions::bench("uac_options")
    })?;
    let status = to_bob.wait(T)?;
    assert!(status.success(), "{}", to_bob.diagnostics());
    assert!(to_bob.messages().contains("SIP/2.0 200"));

    let mut to_kamailio = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{}", k.sip_port())),
        ..SippOptions::bench("uac_options_nouser")
    })?;
    let status = to_kamailio.wait(T)?;
    assert!(status.success(), "{}", to_kamailio.diagnostics());
    assert_eq!(k.count_requests("OPTIONS", "sipp")?, 1);

    let pids = [k.pid(), bob.pid(), to_bob.pid(), to_kamailio.pid()];
    drop((k, bob, to_bob, to_kamailio));
    assert_gone(&pids);
    Ok(())
}

#[test]
fn sipp_call_scenarios_work_against_baresip() -> Result<()> {
    // UAC calling a UA directly, hanging up after the 200.
    let bob = Baresip::start(BaresipOptions::direct("bob"))?;
    let mut uac = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{}", bob.sip_port())),
        service: Some("bob".into()),
        ..SippOptions::bench("uac_direct")
    })?;
    assert!(uac.wait(T)?.success(), "{}", uac.diagnostics());
    bob.wait_event(event_type("CALL_ESTABLISHED"), T)?;
    bob.wait_event(event_type("CALL_CLOSED"), T)?;

    // UAS that answers.
    let mut uas = Sipp::start(SippOptions::bench("uas_answer"))?;
    bob.dial(&format!("sip:sipp@{}", uas.local_addr()))?;
    bob.wait_event(event_type("CALL_ESTABLISHED"), T)?;
    bob.hangup()?;
    bob.wait_event(event_type("CALL_CLOSED"), T)?;
    assert!(uas.wait(T)?.success(), "{}", uas.diagnostics());

    // UAS that answers 486.
    let mut busy = Sipp::start(SippOptions::bench("uas_busy"))?;
    bob.dial(&format!("sip:sipp@{}", busy.local_addr()))?;
    let closed = bob.wait_event(event_type("CALL_CLOSED"), T)?;
    assert!(closed["param"].as_str().is_some_and(|p| p.contains("486")));
    assert!(busy.wait(T)?.success(), "{}", busy.diagnostics());

    // A busy baresip answers 486; a manual one rings until the caller gives up (CANCEL).
    let busy_ua = Baresip::start(BaresipOptions {
        answer_mode: AnswerMode::Busy,
        ..BaresipOptions::direct("busy")
    })?;
    bob.dial(&busy_ua.sip_uri())?;
    let closed = bob.wait_event(event_type("CALL_CLOSED"), T)?;
    assert!(
        closed["param"].as_str().is_some_and(|p| p.contains("486")),
        "{closed}"
    );

    let silent = Baresip::start(BaresipOptions {
        answer_mode: AnswerMode::Manual,
        ..BaresipOptions::direct("silent")
    })?;
    bob.dial(&silent.sip_uri())?;
    silent.wait_event(event_type("CALL_INCOMING"), T)?;
    bob.wait_event(event_type("CALL_RINGING"), T)?;
    bob.hangup()?;
    silent.wait_event(event_type("CALL_CLOSED"), T)?;
    assert!(!silent
        .events_seen()
        .iter()
        .any(event_type("CALL_ESTABLISHED")));

    let pids = [
        bob.pid(),
        busy_ua.pid(),
        silent.pid(),
        uac.pid(),
        uas.pid(),
        busy.pid(),
    ];
    drop((bob, busy_ua, silent, uac, uas, busy));
    assert_gone(&pids);
    Ok(())
}

fn openssl_verify(k: &Kamailio) -> Result<String> {
    let out = Command::new("openssl")
        .args(["s_client", "-connect"])
        .arg(format!("127.0.0.1:{}", k.tls_port()))
        .arg("-CAfile")
        .arg(k.ca_cert_path())
        .args(["-verify_return_error", "-verify_ip", "127.0.0.1", "-brief"])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| parla_testbench::BenchError::Setup(format!("openssl s_client: {e}")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl s_client failed:\n{text}");
    Ok(text)
}

#[test]
fn tls_and_tcp_clients_register_and_call() -> Result<()> {
    let k = Kamailio::start(users())?;
    let text = openssl_verify(&k)?;
    assert!(text.contains("Verification: OK"), "{text}");

    let alice = Baresip::start(BaresipOptions {
        registrar: Some(RegistrarTarget::kamailio(&k, Transport::Tls)),
        ca_cert: Some(k.ca_cert_path().to_path_buf()),
        ..BaresipOptions::registering(&k, "alice", "alicepw")
    })?;
    let bob = Baresip::start(BaresipOptions {
        registrar: Some(RegistrarTarget::kamailio(&k, Transport::Tcp)),
        ..BaresipOptions::registering(&k, "bob", "bobpw")
    })?;
    alice.wait_registered(T)?;
    bob.wait_registered(T)?;
    let a = k.wait_registered("alice", T)?;
    let b = k.wait_registered("bob", T)?;
    assert!(
        a[0].socket
            .as_deref()
            .is_some_and(|s| s.starts_with("tls:")),
        "{a:?}"
    );
    assert!(
        b[0].socket
            .as_deref()
            .is_some_and(|s| s.starts_with("tcp:")),
        "{b:?}"
    );

    alice.dial(&k.user_uri("bob"))?;
    bob.wait_event(event_type("CALL_ESTABLISHED"), T)?;
    alice.wait_event(event_type("CALL_ESTABLISHED"), T)?;
    bob.hangup()?; // in-dialog BYE from the TCP side back to the TLS side
    alice.wait_event(event_type("CALL_CLOSED"), T)?;
    bob.wait_event(event_type("CALL_CLOSED"), T)?;
    let src = |m: &str, u: &str| -> Result<Vec<String>> {
        Ok(k.requests()?
            .into_iter()
            .filter(|r| r.method == m && r.from_user == u)
            .map(|r| r.source)
            .collect())
    };
    assert!(src("INVITE", "alice")?
        .iter()
        .all(|s| s.starts_with("tls:")));
    assert!(src("BYE", "bob")?.iter().all(|s| s.starts_with("tcp:")));

    let pids = [k.pid(), alice.pid(), bob.pid()];
    drop((alice, bob, k));
    assert_gone(&pids);
    Ok(())
}

#[test]
fn dnsmasq_serves_naptr_srv_and_a() -> Result<()> {
    if !Dnsmasq::available() {
        eprintln!("dnsmasq is not installed (scripts/install-test-deps.sh): skipping");
        return Ok(());
    }
    let dns = Dnsmasq::start(DnsmasqOptions {
        records: vec![
            DnsRecord::Naptr {
                name: "example.test".into(),
                order: 10,
                preference: 50,
                flags: "s".into(),
                service: "SIP+D2U".into(),
                regexp: String::new(),
                replacement: "_sip._udp.example.test".into(),
            },
            DnsRecord::Srv {
                name: "_sip._udp.example.test".into(),
                target: "sip.example.test".into(),
                port: 5099,
                priority: 10,
                weight: 5,
            },
            DnsRecord::Host {
                name: "sip.example.test".into(),
                ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            },
        ],
        ..Default::default()
    })?;
    let naptr = dns_query(dns.addr(), "example.test", RecordType::Naptr)?;
    assert_eq!(
        naptr.answers,
        vec![DnsAnswer::Naptr {
            order: 10,
            preference: 50,
            flags: "s".into(),
            service: "SIP+D2U".into(),
            regexp: String::new(),
            replacement: "_sip._udp.example.test".into(),
        }]
    );
    let srv = dns_query(dns.addr(), "_sip._udp.example.test", RecordType::Srv)?;
    assert_eq!(
        srv.answers,
        vec![DnsAnswer::Srv {
            priority: 10,
            weight: 5,
            port: 5099,
            target: "sip.example.test".into()
        }]
    );
    let a = dns_query(dns.addr(), "sip.example.test", RecordType::A)?;
    assert_eq!(a.answers, vec![DnsAnswer::A(Ipv4Addr::LOCALHOST)]);
    let missing = dns_query(dns.addr(), "nothing.example.test", RecordType::A)?;
    assert_eq!(missing.rcode, 3, "NXDOMAIN for unknown names");

    // A record pointing off the machine is refused before anything starts.
    let off_box = Dnsmasq::start(DnsmasqOptions {
        records: vec![DnsRecord::Host {
            name: "x.test".into(),
            ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        }],
        ..Default::default()
    });
    assert!(off_box.is_err());

    let pid = dns.pid();
    drop(dns);
    assert_gone(&[pid]);
    Ok(())
}

/// RFC 3263 records as a SIP client needs them: NAPTR -> SRV -> A, pointing at Kamailio.
fn sip_records(domain: &str, port: u16) -> Vec<DnsRecord> {
    vec![
        DnsRecord::Naptr {
            name: domain.into(),
            order: 10,
            preference: 50,
            flags: "s".into(),
            service: "SIP+D2U".into(),
            regexp: String::new(),
            replacement: format!("_sip._udp.{domain}"),
        },
        DnsRecord::Srv {
            name: format!("_sip._udp.{domain}"),
            target: format!("sip.{domain}"),
            port,
            priority: 10,
            weight: 5,
        },
        DnsRecord::Host {
            name: format!("sip.{domain}"),
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        },
    ]
}

#[test]
fn dns_discovery_lets_baresip_find_kamailio() -> Result<()> {
    if !Dnsmasq::available() {
        eprintln!("dnsmasq is not installed (scripts/install-test-deps.sh): skipping");
        return Ok(());
    }
    let k = Kamailio::start(KamailioOptions {
        extra_domains: vec!["example.test".into()],
        ..users()
    })?;
    let dns = Dnsmasq::start(DnsmasqOptions {
        records: sip_records("example.test", k.sip_port()),
        ..Default::default()
    })?;
    let alice = Baresip::start(BaresipOptions {
        registrar: Some(RegistrarTarget::dns("example.test")),
        dns_server: Some(dns.addr()),
        ..BaresipOptions::registering(&k, "alice", "alicepw")
    })?;
    alice.wait_registered(T)?;
    k.wait_registered("alice", T)?;
    let queries = std::fs::read_to_string(dns.log_path()).unwrap_or_default();
    assert!(queries.contains("query[NAPTR] example.test"), "{queries}");
    assert!(
        queries.contains("query[SRV] _sip._udp.example.test"),
        "{queries}"
    );

    let pids = [k.pid(), dns.pid(), alice.pid()];
    drop((alice, dns, k));
    assert_gone(&pids);
    Ok(())
}

/// The Parla binary does not exist yet: this drives a shell stand-in that echoes JSON lines
/// (tests/fixtures/fake_parla.sh), to prove the Headless plumbing.
#[test]
fn headless_drives_a_fake_app() -> Result<()> {
    let dir = BenchDir::new("smoke-headless")?;
    let bin = write_fake_app(dir.path())?;
    let profile = dir.join("profile");

    let mut app = Headless::spawn(&bin, &profile)?;
    let started = app.wait_event(|v| v["event"] == "started", T)?;
    let args = started["args"].as_str().unwrap_or_default();
    assert!(args.starts_with("--headless --profile"), "{args}");
    app.send(&json!({"cmd": "dial", "uri": "sip:bob@127.0.0.1"}))?;
    let echo = app.wait_event(|v| v["event"] == "echo", T)?;
    assert_eq!(echo["got"]["uri"], "sip:bob@127.0.0.1");
    assert!(app
        .events_seen()
        .contains(&Value::String("this line is not JSON".into())));
    assert!(!app.events_seen().iter().any(|v| v["event"] == "bye"));
    let status = app.quit_and_wait(T)?;
    assert!(status.success());
    assert!(app.events_seen().iter().any(|v| v["event"] == "bye"));
    let stderr = std::fs::read_to_string(app.stderr_log()).unwrap_or_default();
    assert!(stderr.contains("fake parla starting"));

    // Dropping a live app kills it.
    let app2 = Headless::spawn(&bin, &profile)?;
    app2.wait_event(|v| v["event"] == "started", T)?;
    let pids = [app.pid(), app2.pid()];
    let t0 = Instant::now();
    drop((app, app2));
    assert!(t0.elapsed() < Duration::from_secs(6));
    assert_gone(&pids);
    Ok(())
}

fn write_fake_app(dir: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake_parla.sh");
    let io = |e| parla_testbench::BenchError::Setup(format!("writing the fake app: {e}"));
    std::fs::write(&path, include_str!("fixtures/fake_parla.sh")).map_err(io)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    Ok(path)
}
