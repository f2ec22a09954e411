//! The Local line on a local network: two Parla instances in two network namespaces joined by
//! a veth pair (10.77.0.1/24 and 10.77.0.2/24) call each other both ways with audio, each
//! having said where it can be called (`reachable`); a third namespace with an outside address
//! (203.0.113.5, on a second veth to the callee) sends an INVITE that never rings the phone,
//! unless the line takes direct calls from anywhere. Needs root (network namespaces), as in CI;
//! elsewhere the tests say so and pass.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_testbench::netpair::NetNs;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use support::*;

const A_IP: &str = "10.77.0.1";
const B_IP: &str = "10.77.0.2";
const B_OUTSIDE_IP: &str = "203.0.113.1";
const OUTSIDER_IP: &str = "203.0.113.5";

/// A namespace with a process parked in it, so `ip link ... netns PID` can reach it.
struct Room {
    ns: NetNs,
    parked: Child,
}

impl Room {
    fn new() -> Option<Room> {
        let ns = NetNs::new().ok()?;
        let parked = ns
            .run(|| Command::new("sleep").arg("600").spawn())
            .ok()?
            .ok()?;
        Some(Room { ns, parked })
    }

    /// A veth pair from this room to `other`, with these addresses at each end.
    fn link(&self, other: &Room, name: &str, ours: &str, theirs: &str) {
        let pid = other.parked.id();
        self.ns
            .sh(&format!(
                "ip link add {name}a type veth peer name {name}b netns {pid} && \
                 ip addr add {ours}/24 dev {name}a && ip link set {name}a up"
            ))
            .expect("veth");
        other
            .ns
            .sh(&format!(
                "ip addr add {theirs}/24 dev {name}b && ip link set {name}b up"
            ))
            .expect("veth far end");
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        let _ = self.parked.kill();
        let _ = self.parked.wait();
    }
}

/// A (10.77.0.1) and B (10.77.0.2) on one link; the outsider (203.0.113.5) on a link to B.
fn network() -> Option<(Room, Room, Room)> {
    let (a, b, outsider) = (Room::new()?, Room::new()?, Room::new()?);
    // The LAN link first: B's first interface, the address it advertises, is the private one.
    a.link(&b, "lan", A_IP, B_IP);
    outsider.link(&b, "wan", OUTSIDER_IP, B_OUTSIDE_IP);
    Some((a, b, outsider))
}

/// The Local line as the window makes it (a host name, so it listens on every address), with
/// tone files for audio.
fn phone(room: &Room, user: &str, tone_hz: f64, work: &Path, anywhere: bool) -> App {
    let tone = work.join(format!("{user}-tone.wav"));
    make_tone_wav(&tone, tone_hz, 30.0, 48_000, 1).expect("tone");
    let heard = work.join(format!("{user}-heard.wav"));
    let profile = tempfile::tempdir().expect("profile");
    let direct = if anywhere {
        "anywhere"
    } else {
        "local_network"
    };
    let config = format!(
        "[[accounts]]\nid = \"local\"\nusername = {user:?}\ndomain = \"desk-{user}\"\n\
         register = false\nlocal_port = 5060\ncodecs = [\"pcmu\"]\ndirect_calls = {direct:?}\n\
         \n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        tone.display(),
        heard.display()
    );
    std::fs::write(profile.path().join("config.toml"), config).expect("config");
    let parla = room
        .ns
        .run(|| Headless::spawn_with(bin(), profile.path(), &[], &[]))
        .expect("netns")
        .expect("start parla");
    let app = App { parla, profile };
    app.wait("ready", |v| is_event(v, "ready"));
    app
}

fn heard(work: &Path, user: &str) -> PathBuf {
    work.join(format!("{user}-heard.wav"))
}

fn wait_for_size(path: &Path, bytes: u64) {
    let deadline = Instant::now() + T;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(Instant::now() < deadline, "{} did not grow", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn reachable(app: &App) -> Vec<String> {
    let event = app.wait("reachable", |v| is_event(v, "reachable"));
    event["uris"]
        .as_array()
        .expect("uris")
        .iter()
        .filter_map(|u| u.as_str().map(String::from))
        .collect()
}

/// `caller` dials `callee` at `uri`; the callee answers; both hear the other's tone.
fn call_with_audio(
    caller: &mut App,
    callee: &mut App,
    uri: &str,
    work: &Path,
    (caller_user, caller_hz): (&str, f64),
    (callee_user, callee_hz): (&str, f64),
) {
    let call = caller.dial("local", uri);
    let (incoming, _) = callee.wait_incoming();
    callee.send(json!({"cmd": "answer", "call": incoming}));
    caller.wait_call(call, "connected");
    callee.wait_call(incoming, "connected");
    // Two seconds of 48 kHz mono at each end.
    wait_for_size(&heard(work, caller_user), 2 * 48_000 * 2);
    wait_for_size(&heard(work, callee_user), 2 * 48_000 * 2);
    caller.hang_up(call);
    callee.wait_call(incoming, "ended");
    let caller_heard = tone_band_ratio(&heard(work, caller_user), callee_hz).expect("wav");
    let callee_heard = tone_band_ratio(&heard(work, callee_user), caller_hz).expect("wav");
    println!("{caller_user} -> {callee_user}: {caller_user} heard {caller_heard:.3}, {callee_user} heard {callee_heard:.3}");
    assert!(
        caller_heard > 0.9,
        "{caller_user} heard {callee_hz} Hz: {caller_heard:.3}"
    );
    assert!(
        callee_heard > 0.9,
        "{callee_user} heard {caller_hz} Hz: {callee_heard:.3}"
    );
}

#[test]
fn two_phones_on_a_lan_call_each_other_both_ways_with_audio() {
    let Some((a, b, _outsider)) = network() else {
        println!("skipped: network namespaces need root");
        return;
    };
    for (caller_is_a, run) in [(true, "a-calls-b"), (false, "b-calls-a")] {
        let dir = tempfile::tempdir().expect("work");
        let work = dir.path().join(run);
        std::fs::create_dir_all(&work).expect("dir");
        let mut ana = phone(&a, "ana", 1000.0, &work, false);
        let mut bob = phone(&b, "bob", 600.0, &work, false);
        let ana_at = reachable(&ana);
        let bob_at = reachable(&bob);
        assert_eq!(ana_at, [format!("sip:ana@{A_IP}:5060")]);
        // Bob's namespace also has the outside link; the LAN address comes first.
        assert_eq!(
            bob_at.first().map(String::as_str),
            Some(format!("sip:bob@{B_IP}:5060").as_str()),
            "{bob_at:?}"
        );
        if caller_is_a {
            call_with_audio(
                &mut ana,
                &mut bob,
                &bob_at[0],
                &work,
                ("ana", 1000.0),
                ("bob", 600.0),
            );
        } else {
            call_with_audio(
                &mut bob,
                &mut ana,
                &ana_at[0],
                &work,
                ("bob", 600.0),
                ("ana", 1000.0),
            );
        }
        ana.quit();
        bob.quit();
    }
}

/// An INVITE from the outsider's namespace to bob's outside address; whether it rang.
fn outsider_invites(outsider: &Room, bob: &App) -> bool {
    let invite = format!(
        "INVITE sip:bob@{B_OUTSIDE_IP}:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP {OUTSIDER_IP}:5099;branch=z9hG4bKscan1;rport\r\n\
         Max-Forwards: 70\r\nFrom: \"scanner\" <sip:100@{OUTSIDER_IP}>;tag=s1\r\n\
         To: <sip:bob@{B_OUTSIDE_IP}>\r\nCall-ID: scan-1@{OUTSIDER_IP}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:100@{OUTSIDER_IP}:5099>\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{}",
        SDP.len(),
        SDP
    );
    let answered = outsider
        .ns
        .run(|| {
            let socket = std::net::UdpSocket::bind((OUTSIDER_IP, 5099)).expect("socket");
            socket
                .set_read_timeout(Some(Duration::from_secs(2)))
                .expect("timeout");
            socket
                .send_to(invite.as_bytes(), (B_OUTSIDE_IP, 5060))
                .expect("send");
            let mut buf = [0u8; 4096];
            socket.recv_from(&mut buf).is_ok()
        })
        .expect("netns");
    // Rang: an incoming_call within 3 s (it comes in milliseconds when it does).
    let rang = bob
        .parla
        .wait_event(|v| is_event(v, "incoming_call"), Duration::from_secs(3))
        .is_ok();
    println!("outsider's INVITE: answered {answered}, rang {rang}");
    rang
}

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n\
                   m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

#[test]
fn an_invite_from_outside_the_local_network_never_rings_unless_anywhere_is_chosen() {
    let Some((_a, b, outsider)) = network() else {
        println!("skipped: network namespaces need root");
        return;
    };
    let work = tempfile::tempdir().expect("work");
    let mut bob = phone(&b, "bob", 600.0, work.path(), false);
    reachable(&bob);
    assert!(
        !outsider_invites(&outsider, &bob),
        "the outsider's INVITE rang the phone"
    );
    // Still answering the local network afterwards: OPTIONS from the LAN side is not needed,
    // the phone simply has no call.
    bob.send(json!({"cmd": "status"}));
    let status = bob.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"], json!([]), "{status}");
    bob.quit();

    // The same INVITE rings a line that takes direct calls from anywhere: the filter refused it.
    let mut bob = phone(&b, "bob", 600.0, work.path(), true);
    reachable(&bob);
    assert!(
        outsider_invites(&outsider, &bob),
        "with direct_calls = anywhere it rings"
    );
    bob.quit();
}
