//! Foundation figures for `parla --headless`, measured against real peers on loopback:
//! start to first REGISTER on the wire, start to registered (Kamailio, digest auth), and the
//! process's resident memory idle and in an Opus call, beside baresip's in the same run.
//!
//! `cargo bench --bench foundation` (release build). Prints medians; asserts nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use parla_testbench::*;
use serde_json::json;
use std::net::UdpSocket;
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const T: Duration = Duration::from_secs(20);

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_parla"))
}

fn write_profile(dir: &Path, registrar_port: u16, codecs: &str) {
    let toml = format!(
        "[[accounts]]\nid = \"alice\"\nusername = \"alice\"\npassword = \"alicepw\"\ndomain = \"127.0.0.1\"\n\
         registrar = \"sip:127.0.0.1:{registrar_port}\"\ntransport = \"udp\"\ncodecs = [{codecs}]\n\
         [audio]\ninput = \"null\"\noutput = \"null\"\n"
    );
    std::fs::write(dir.join("config.toml"), toml).expect("config");
}

/// Spawn to the first REGISTER datagram, at a socket that plays registrar and never answers.
fn start_to_register_sent() -> Vec<f64> {
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("socket");
        socket.set_read_timeout(Some(T)).expect("timeout");
        let port = socket.local_addr().expect("addr").port();
        let profile = tempfile::tempdir().expect("profile");
        write_profile(profile.path(), port, "\"opus\"");
        let started = Instant::now();
        let mut parla = Headless::spawn(bin(), profile.path()).expect("spawn");
        let mut buf = [0u8; 4096];
        let (n, _) = socket.recv_from(&mut buf).expect("a REGISTER");
        let elapsed = started.elapsed();
        assert!(
            buf[..n].starts_with(b"REGISTER "),
            "first datagram is a REGISTER"
        );
        samples.push(elapsed.as_secs_f64() * 1000.0);
        drop(parla.quit_and_wait(T));
    }
    samples
}

fn main() {
    let sent = start_to_register_sent();
    println!(
        "start -> REGISTER sent: median {:.1} ms (min {:.1}, max {:.1}, n={RUNS})",
        median(&sent).expect("runs"),
        sent.iter().cloned().fold(f64::MAX, f64::min),
        sent.iter().cloned().fold(0.0, f64::max)
    );

    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
    ]))
    .expect("kamailio");
    let mut registered = Vec::new();
    let mut idle_rss = Vec::new();
    for i in 0..RUNS {
        let profile = tempfile::tempdir().expect("profile");
        write_profile(profile.path(), kamailio.sip_port(), "\"opus\", \"pcmu\"");
        let started = Instant::now();
        let mut parla = Headless::spawn(bin(), profile.path()).expect("spawn");
        parla.wait_registered(T).expect("registered");
        registered.push(started.elapsed().as_secs_f64() * 1000.0);
        if i < 3 {
            std::thread::sleep(Duration::from_secs(2));
            idle_rss.push(rss_kib(parla.pid()) as f64);
        }
        drop(parla.quit_and_wait(T));
    }
    println!(
        "start -> registered (Kamailio, digest): median {:.1} ms (n={RUNS})",
        median(&registered).expect("runs")
    );

    // One Opus call to baresip with no sound on either side; memory of both in the same run.
    let bob = Baresip::start({
        let mut o = BaresipOptions::registering(&kamailio, "bob", "bobpw");
        o.audio_codecs = vec!["opus".into()];
        o.sip_trace = false;
        o
    })
    .expect("baresip");
    bob.wait_registered(T).expect("bob registered");
    let baresip_idle = rss_kib(bob.pid());
    let profile = tempfile::tempdir().expect("profile");
    write_profile(profile.path(), kamailio.sip_port(), "\"opus\"");
    let mut parla = Headless::spawn(bin(), profile.path()).expect("spawn");
    parla.wait_registered(T).expect("registered");
    let call = parla
        .call_connected(&kamailio.user_uri("bob"), T)
        .expect("connected");
    std::thread::sleep(Duration::from_secs(5));
    let parla_call = rss_kib(parla.pid());
    let baresip_call = rss_kib(bob.pid());
    parla
        .send(&json!({"cmd": "hangup", "call": call}))
        .expect("hangup");
    drop(parla.quit_and_wait(T));

    let idle = median(&idle_rss).expect("samples");
    println!(
        "RSS idle, registered: parla {:.1} MiB, baresip {:.1} MiB (ratio {:.2})",
        idle / 1024.0,
        baresip_idle as f64 / 1024.0,
        idle / baresip_idle as f64
    );
    println!(
        "RSS in an Opus call: parla {:.1} MiB, baresip {:.1} MiB (ratio {:.2})",
        parla_call as f64 / 1024.0,
        baresip_call as f64 / 1024.0,
        parla_call as f64 / baresip_call as f64
    );
}
