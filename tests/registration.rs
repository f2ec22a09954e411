//! Registration against a real Kamailio: digest auth, refusal without a storm, transports,
//! un-REGISTER on quit, and finding the registrar by DNS (NAPTR/SRV).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use std::time::Duration;
use support::*;

#[test]
fn registers_over_udp_and_unregisters_on_quit() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    let mut app = start(&[Line::at(&kamailio, "alice", "alicepw")], None, &[]);
    let registered = app.wait("registered", |v| registration(v, "alice", "registered"));
    assert!(
        registered["expires"].as_u64().unwrap_or(0) > 0,
        "{registered}"
    );
    let contacts = kamailio
        .wait_registered("alice", T)
        .expect("alice in the location table");
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    app.quit();
    kamailio
        .wait_unregistered("alice", T)
        .expect("un-REGISTER on quit");
    assert!(app
        .parla
        .events_seen()
        .iter()
        .any(|v| registration(v, "alice", "unregistered")));
}

/// The wrong password is reported once, with the server's code, and retried only with backoff.
fn wrong_password(answer: WrongPasswordAnswer, code: u64) {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw")]);
    options.wrong_password_answer = answer;
    let kamailio = Kamailio::start(options).expect("kamailio");
    let mut app = start(
        &[Line::at(&kamailio, "alice", "not-the-password")],
        None,
        &[],
    );
    let failed = app.wait("failed", |v| registration(v, "alice", "failed"));
    assert_eq!(failed["code"], code, "{failed}");
    assert!(
        failed["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{failed}"
    );
    // The first 30 s of the process: at most 3 REGISTERs reach the server.
    std::thread::sleep(Duration::from_secs(30));
    let registers = kamailio.count_requests("REGISTER", "alice").expect("count");
    assert!(
        (1..=3).contains(&registers),
        "{registers} REGISTERs in 30 s"
    );
    let failures = app
        .parla
        .events_seen()
        .iter()
        .filter(|v| registration(v, "alice", "failed"))
        .count();
    assert_eq!(failures, 1, "one failure report, not one per retry");
    assert!(kamailio
        .registered_contacts("alice")
        .expect("contacts")
        .is_empty());
    app.quit();
}

#[test]
fn a_wrong_password_challenged_again_fails_once_without_a_storm() {
    wrong_password(WrongPasswordAnswer::Answer401, 401);
}

#[test]
fn a_wrong_password_forbidden_fails_once_without_a_storm() {
    wrong_password(WrongPasswordAnswer::Answer403, 403);
}

/// alice, password `pw`, registering at `127.0.0.1:port` over `transport`.
fn alice_at_port(port: u16, transport: &'static str) -> Line<'static> {
    Line {
        id: "alice",
        user: "alice",
        password: Some("pw"),
        domain: "127.0.0.1",
        registrar: Some(format!("sip:127.0.0.1:{port}")),
        transport: Some(transport),
        codecs: &["pcmu"],
        extra: String::new(),
    }
}

#[test]
fn an_unreachable_registrar_is_reported_and_retried() {
    let port = free_port_udp().expect("port");
    let line = alice_at_port(port, "udp");
    let mut app = start(&[line], None, &[]);
    app.wait("registering", |v| registration(v, "alice", "registering"));
    // No server answers: rsipstack gives the REGISTER up after Timer F (32 s).
    let failed = app
        .parla
        .wait_event(
            |v| registration(v, "alice", "failed"),
            Duration::from_secs(60),
        )
        .expect("failed after the transaction timeout");
    assert_eq!(failed["code"], 408, "{failed}");
    app.quit();
}

#[test]
fn registers_over_tcp() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.transport = Some("tcp");
    let mut app = start(&[line], None, &[]);
    app.wait_registered("alice");
    let contacts = kamailio.registered_contacts("alice").expect("contacts");
    assert!(
        contacts
            .iter()
            .any(|c| c.to_ascii_lowercase().contains("transport=tcp")),
        "{contacts:?}"
    );
    app.quit();
}

#[test]
fn registers_over_tls_with_a_verified_certificate() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    let line = Line::tls(&kamailio, "alice", "alicepw", true);
    let mut app = start(&[line], None, &[]);
    app.wait_registered("alice");
    let registrations = kamailio.registrations("alice").expect("registrations");
    assert!(!registrations.is_empty());
    app.quit();
}

#[test]
fn tls_refuses_a_server_whose_certificate_is_not_trusted() {
    let kamailio =
        Kamailio::start(KamailioOptions::with_users(&[("alice", "alicepw")])).expect("kamailio");
    let line = Line::tls(&kamailio, "alice", "alicepw", false);
    let mut app = start(&[line], None, &[]);
    let failed = app.wait("failed", |v| registration(v, "alice", "failed"));
    assert!(
        failed["reason"]
            .as_str()
            .is_some_and(|r| r.contains("certificate")),
        "{failed}"
    );
    assert!(
        kamailio
            .registered_contacts("alice")
            .expect("contacts")
            .is_empty(),
        "{failed}"
    );
    assert_eq!(
        kamailio.count_requests("REGISTER", "alice").expect("count"),
        0,
        "nothing sent to an unverified server"
    );
    app.quit();
}

#[test]
fn the_registrar_is_found_from_the_domain_by_naptr_and_srv() {
    if !Dnsmasq::available() {
        panic!("dnsmasq is not installed: scripts/install-test-deps.sh installs it");
    }
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw")]);
    options.extra_domains = vec!["example.test".into()];
    let kamailio = Kamailio::start(options).expect("kamailio");
    let dns = Dnsmasq::start(DnsmasqOptions {
        records: vec![
            DnsRecord::Naptr {
                name: "example.test".into(),
                order: 10,
                preference: 10,
                flags: "S".into(),
                service: "SIP+D2T".into(),
                regexp: String::new(),
                replacement: "_sip._tcp.example.test".into(),
            },
            DnsRecord::Srv {
                name: "_sip._tcp.example.test".into(),
                target: "pbx.example.test".into(),
                port: kamailio.sip_port(),
                priority: 10,
                weight: 10,
            },
            DnsRecord::Host {
                name: "pbx.example.test".into(),
                ip: "127.0.0.1".parse().expect("ip"),
            },
        ],
        ..Default::default()
    })
    .expect("dnsmasq");
    let line = Line {
        id: "alice",
        user: "alice",
        password: Some("alicepw"),
        domain: "example.test",
        registrar: None,
        transport: None,
        codecs: &["pcmu"],
        extra: String::new(),
    };
    let servers = dns.addr().to_string();
    let mut app = start(&[line], None, &[("PARLA_DNS_SERVERS", servers.as_str())]);
    app.wait_registered("alice");
    let requests = kamailio.requests().expect("requests");
    assert!(
        requests
            .iter()
            .any(|r| r.method == "REGISTER" && r.source.starts_with("tcp:")),
        "NAPTR chose TCP: {requests:?}"
    );
    app.quit();
}

#[test]
fn a_sha256_digest_challenge_is_answered() {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw")]);
    options.digest_algorithm = DigestAlgorithm::Sha256;
    let kamailio = Kamailio::start(options).expect("kamailio");
    let mut app = start(
        &[Line::at(&kamailio, "alice", "alicepw")],
        None,
        &[("RUST_LOG", "info,sip=debug")],
    );
    app.wait_registered("alice");
    let trace = std::fs::read_to_string(app.parla.stderr_log()).expect("stderr log");
    assert!(
        trace.contains("algorithm=SHA-256"),
        "the challenge was SHA-256"
    );
    assert!(
        !trace.contains("response=\""),
        "digest responses stay out of the log"
    );
    app.quit();
}

#[test]
fn interval_too_brief_is_followed_by_a_longer_registration() {
    let mut options = KamailioOptions::with_users(&[("alice", "alicepw")]);
    options.min_expires = 900;
    let kamailio = Kamailio::start(options).expect("kamailio");
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.extra = "expires = 120\n".into();
    let mut app = start(&[line], None, &[]);
    let registered = app.wait("registered", |v| registration(v, "alice", "registered"));
    assert!(
        registered["expires"].as_u64().unwrap_or(0) >= 900,
        "{registered}"
    );
    app.quit();
}

/// Accepts one connection on `listener` within [`T`], reads its first request up to the blank
/// line and returns that head with the stream.
fn take_request(listener: &std::net::TcpListener) -> (String, std::net::TcpStream) {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = listener.try_clone().expect("listener");
    std::thread::spawn(move || {
        let _ = tx.send(listener.accept());
    });
    let (mut stream, _) = rx.recv_timeout(T).expect("a connection").expect("accept");
    stream.set_read_timeout(Some(T)).expect("read timeout");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = std::io::Read::read(&mut stream, &mut byte).expect("the request");
        assert_eq!(n, 1, "closed before a whole request: {head:?}");
        head.push(byte[0]);
    }
    (String::from_utf8_lossy(&head).into_owned(), stream)
}

/// A registrar going down takes the REGISTER on its connection and closes it unanswered. No
/// answer can come on that connection, so the line must not wait out Timer F (32 s): it reports
/// the failure at once and tries again after the short backoff (5 s). No Kamailio here: it
/// cannot be made to close mid-exchange on cue, so a plain listener plays that registrar (the
/// restart of a real one is in network_change.rs).
#[test]
fn a_tcp_registrar_closing_without_an_answer_is_retried_within_seconds() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let line = alice_at_port(port, "tcp");
    let mut app = start(&[line], None, &[]);
    let (first, stream) = take_request(&listener);
    assert!(first.starts_with("REGISTER "), "{first}");
    drop(stream);
    // T (20 s) is well short of Timer F.
    let failed = app.wait("failed", |v| registration(v, "alice", "failed"));
    assert_eq!(failed["code"], 408, "{failed}");
    assert!(
        failed["reason"]
            .as_str()
            .is_some_and(|r| r.contains("closed the connection")),
        "{failed}"
    );
    let (again, _stream) = take_request(&listener);
    assert!(again.starts_with("REGISTER "), "{again}");
    app.quit();
}
