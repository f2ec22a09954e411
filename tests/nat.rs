//! Parla behind a NAT: three network namespaces (`parla_testbench::nat`): "home" holds Parla
//! (192.168.77.2), "router" forwards and masquerades with nftables (the kernel's conntrack NAT,
//! `masquerade` on its outside veth, 198.51.100.1), "isp" holds Kamailio and baresip
//! (198.51.100.2). Parla registers through the NAT, learns the address the server saw (Via
//! `received`/`rport`), binds that as its Contact and writes it in its SDP; then it calls baresip
//! and is called by it through Kamailio, with a tone heard both ways each time.
//!
//! Needs root and `nft` (scripts/install-test-deps.sh); skipped with a message otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_testbench::nat::{self, NatNet, ROUTER_OUTSIDE};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;

fn wait_for_size(path: &Path, bytes: u64) {
    let deadline = Instant::now() + T;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(Instant::now() < deadline, "{} stays short", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kamailio and a registered, answering, recording bob on the ISP side.
fn provider(net: &NatNet, record: &Path) -> (Kamailio, Baresip) {
    let kamailio = nat_home::isp_kamailio(net, &[("alice", "alicepw"), ("bob", "bobpw")]);
    let bob = nat_home::isp_bob(net, &kamailio, record);
    (kamailio, bob)
}

/// Parla at home, registering as alice at Kamailio's ISP-side address, sending a tone.
fn parla_at_home(net: &NatNet, kamailio: &Kamailio, work: &Path, extra: &str) -> App {
    let tone = work.join("alice-tone.wav");
    make_tone_wav(&tone, 1000.0, 30.0, 48_000, 1).expect("tone");
    let heard = work.join("alice-heard.wav");
    let mut line = nat_home::isp_line(kamailio);
    line.codecs = &["pcmu"];
    line.extra = extra.to_string();
    nat_home::parla_at_home(
        net,
        &line,
        &format!("file:{}", tone.display()),
        &format!("file:{}", heard.display()),
    )
}

#[test]
fn registers_calls_and_is_called_through_a_nat() {
    if !nat::available() {
        eprintln!("skipped: needs root, ip and nft (scripts/install-test-deps.sh)");
        return;
    }
    let net = NatNet::start().expect("NAT network");
    let work = tempfile::tempdir().expect("dir");
    let (kamailio, bob) = provider(&net, &work.path().join("bob"));
    let mut app = parla_at_home(&net, &kamailio, work.path(), "");
    app.wait_registered("alice");

    // The binding is the router's outside address (what the server saw), not 192.168.77.2.
    let contacts = kamailio.wait_registered("alice", T).expect("alice bound");
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert!(
        contacts[0].address.contains(&ROUTER_OUTSIDE.to_string()),
        "Contact {:?} is not the public address; router: {}",
        contacts[0],
        net.router_state()
    );

    // Parla calls bob.
    let call = app.dial("alice", "sip:bob@127.0.0.1");
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    let recording = bob
        .wait_recording(0, 2 * 8_000 * 2, T)
        .expect("baresip records what it hears");
    let heard = work.path().join("alice-heard.wav");
    wait_for_size(&heard, 2 * 8_000 * 2);
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");
    let bob_heard = tone_band_ratio(&recording, 1000.0).expect("bob's recording");
    let alice_heard = tone_band_ratio(&heard, 440.0).expect("our recording");
    assert!(bob_heard > 0.9, "bob heard our tone: {bob_heard:.3}");
    assert!(
        alice_heard > 0.9,
        "we heard bob's tone: {alice_heard:.3}\n{}\nrouter: {}",
        log_tail(&app),
        net.router_state()
    );

    // Bob calls Parla: Kamailio reaches it through the NAT mapping the registration opened.
    std::fs::remove_file(&heard).expect("remove the first call's recording");
    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (call, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    let recording = bob
        .wait_recording(1, 2 * 8_000 * 2, T)
        .expect("baresip records what it hears");
    wait_for_size(&heard, 2 * 8_000 * 2);
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");
    let bob_heard = tone_band_ratio(&recording, 1000.0).expect("bob's recording");
    let alice_heard = tone_band_ratio(&heard, 440.0).expect("our recording");
    assert!(bob_heard > 0.9, "bob heard our tone: {bob_heard:.3}");
    assert!(alice_heard > 0.9, "we heard bob's tone: {alice_heard:.3}");
    app.quit();
}

/// The end of Parla's log, for a failure's message.
fn log_tail(app: &App) -> String {
    let log = std::fs::read_to_string(app.parla.stderr_log()).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(150)..].join("\n")
}
