//! Recovery from network and server failures.
//!
//! - A network change: Parla, at home behind the NAT of `parla_testbench::nat`, loses its
//!   address and gets another (`ip addr del` / `ip addr add`, the default route follows).
//!   Its route check (every second) notices, the line starts again on the new address and
//!   registers within 5 s.
//! - The registrar restarting (Kamailio killed and started again with the same config, its
//!   location table lost): a TCP line notices at once (the connection closes; the flow is
//!   registered again), a UDP line at its next refresh (half the granted time at most).
//! - A TCP flow that goes silent (the NAT drops its segments, no reset): the pong missing after
//!   a keep-alive closes it within the interval plus 10 s, and the line registers again.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_testbench::nat::{self, NatNet, HOME_IP, HOME_IP_2, ISP_IP};
use std::time::{Duration, Instant};
use support::*;

/// What the network change may take, from the new address being usable to registered.
const REREGISTER_WITHIN: Duration = Duration::from_secs(5);

#[test]
fn a_new_address_is_registered_within_5_s() {
    if !nat::available() {
        eprintln!("skipped: needs root, ip and nft (scripts/install-test-deps.sh)");
        return;
    }
    let net = NatNet::start().expect("NAT network");
    let kamailio = net
        .isp
        .run(|| {
            Kamailio::start(KamailioOptions {
                extra_listen: vec![ISP_IP.into()],
                ..KamailioOptions::with_users(&[("alice", "alicepw")])
            })
        })
        .expect("netns")
        .expect("kamailio");
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.registrar = Some(format!("sip:{ISP_IP}:{}", kamailio.sip_port()));
    let profile = tempfile::tempdir().expect("profile");
    let toml = format!(
        "{}\n[audio]\ninput = \"null\"\noutput = \"null\"\n",
        line.toml()
    );
    std::fs::write(profile.path().join("config.toml"), toml).expect("config");
    let parla = net
        .home
        .run(|| Headless::spawn_with(bin(), profile.path(), &[], &[]))
        .expect("netns")
        .expect("parla");
    let app = App { parla, profile };
    app.wait_registered("alice");
    let before = kamailio.wait_registered("alice", T).expect("bound");
    let registrations = |app: &App| {
        app.parla
            .events_seen()
            .iter()
            .filter(|v| registration(v, "alice", "registered"))
            .count()
    };
    let registered_before = registrations(&app);

    net.renumber_home(HOME_IP, HOME_IP_2).expect("renumber");
    let changed = Instant::now();
    app.parla
        .wait_event(|v| registration(v, "alice", "registering"), T)
        .expect("the line starts again");
    let deadline = changed + T;
    while registrations(&app) == registered_before {
        assert!(
            Instant::now() < deadline,
            "not registered again: {:?}",
            app.parla.events_seen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = changed.elapsed();
    eprintln!("network change -> registered again: {took:?}");
    assert!(took < REREGISTER_WITHIN, "registered again after {took:?}");
    // The server now holds a binding through the new NAT mapping.
    let after = kamailio.registrations("alice").expect("bindings");
    assert!(
        after
            .iter()
            .any(|r| !before.iter().any(|b| b.address == r.address)),
        "no new binding: before {before:?}, after {after:?}"
    );
    let mut app = app;
    app.quit();
}

#[test]
fn a_silent_tcp_flow_is_found_dead_by_its_missing_pong() {
    if !nat::available() {
        eprintln!("skipped: needs root, ip and nft (scripts/install-test-deps.sh)");
        return;
    }
    let net = NatNet::start().expect("NAT network");
    let kamailio = net
        .isp
        .run(|| {
            Kamailio::start(KamailioOptions {
                extra_listen: vec![ISP_IP.into()],
                ..KamailioOptions::with_users(&[("alice", "alicepw")])
            })
        })
        .expect("netns")
        .expect("kamailio");
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.registrar = Some(format!("sip:{ISP_IP}:{}", kamailio.sip_port()));
    line.transport = Some("tcp");
    line.extra = "keepalive_s = 2\n".into();
    let profile = tempfile::tempdir().expect("profile");
    let toml = format!(
        "{}\n[audio]\ninput = \"null\"\noutput = \"null\"\n",
        line.toml()
    );
    std::fs::write(profile.path().join("config.toml"), toml).expect("config");
    let parla = net
        .home
        .run(|| Headless::spawn_with(bin(), profile.path(), &[], &[]))
        .expect("netns")
        .expect("parla");
    let mut app = App { parla, profile };
    app.wait_registered("alice");

    net.silence_tcp().expect("silence TCP");
    let silenced = Instant::now();
    // The flow is closed for its missing pong; registering again on a new connection is
    // refused (reset) while TCP stays blocked.
    app.parla
        .wait_event(
            |v| registration(v, "alice", "failed"),
            Duration::from_secs(30),
        )
        .expect("the dead flow is noticed");
    let noticed = silenced.elapsed();
    eprintln!("silent TCP flow -> noticed: {noticed:?}");
    assert!(
        noticed < Duration::from_secs(16),
        "noticed after {noticed:?}"
    );
    net.restore_tcp().expect("restore TCP");
    app.parla
        .wait_event(|v| registration(v, "alice", "registered"), T)
        .expect("registered again once TCP passes");
    app.quit();
}

#[test]
fn a_restarted_registrar_is_noticed_and_registered_again() {
    let mut kamailio = kamailio_alice_bob();
    // alice on UDP refreshes every 30 s (60 s granted); bob on TCP keeps his connection.
    let mut alice = Line::at(&kamailio, "alice", "alicepw");
    alice.extra = "expires = 60\n".into();
    let mut bob = Line::at(&kamailio, "bob", "bobpw");
    bob.transport = Some("tcp");
    let mut app = start(&[alice, bob], None, &[]);
    app.wait("alice registered", |v| {
        registration(v, "alice", "registered")
    });
    app.wait("bob registered", |v| registration(v, "bob", "registered"));
    kamailio.wait_registered("alice", T).expect("alice bound");
    kamailio.wait_registered("bob", T).expect("bob bound");

    kamailio.restart().expect("restart kamailio");
    let restarted = Instant::now();
    assert!(
        kamailio.registrations("bob").expect("rpc").is_empty(),
        "the location table is lost"
    );
    kamailio
        .wait_registered("bob", T)
        .expect("bob (TCP) registered again");
    let tcp = restarted.elapsed();
    kamailio
        .wait_registered("alice", Duration::from_secs(40))
        .expect("alice (UDP) registered again");
    let udp = restarted.elapsed();
    eprintln!("registrar restart -> registered again: TCP {tcp:?}, UDP {udp:?}");
    assert!(tcp < Duration::from_secs(8), "TCP noticed after {tcp:?}");
    assert!(udp <= Duration::from_secs(35), "UDP noticed after {udp:?}");
    app.quit();
}
