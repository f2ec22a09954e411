//! Transfers end to end, through Kamailio on 127.0.0.1, where Parla is the one transferred
//! or the target, and attended transfer between three Parla processes (each its own line and
//! SIP stack): the REFER with Replaces, the INVITE with Replaces answered at once, both of
//! the transferor's calls ended, and the two remaining parties hearing each other's tones.
//! (Parla transferring baresip blind is in `calls.rs`; linphonec peers in `transfer_linphone.rs`;
//! the protocol edges against SIPp in `transfer_edges.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

/// How much of the remaining parties' audio to record after a transfer.
const LISTEN: Duration = Duration::from_secs(2);

fn kamailio_abc() -> Kamailio {
    Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]))
    .expect("kamailio")
}

/// A Parla process with one line, sending a tone of `hz` (none: silence) and hearing nothing
/// until a call's output is pointed at a file.
fn parla(
    kamailio: &Kamailio,
    user: &'static str,
    pw: &'static str,
    tone: Option<(&Path, f64)>,
) -> App {
    let input = match tone {
        Some((dir, hz)) => {
            let path = dir.join(format!("{user}-tone.wav"));
            make_tone_wav(&path, hz, 30.0, 48_000, 1).expect("tone");
            format!("file:{}", path.display())
        }
        None => "null".into(),
    };
    let audio = format!("\n[audio]\ninput = {input:?}\noutput = \"null\"\n");
    let app = start(
        &[Line::at(kamailio, user, pw)],
        Some(&audio),
        &[("RUST_LOG", "info,sip=debug")],
    );
    app.wait_registered(user);
    app
}

/// Points `call`'s output at a WAV file in `dir` and returns its path.
fn record(app: &mut App, call: u64, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    app.send(json!({"cmd": "set_call_devices", "call": call, "output": format!("file:{}", path.display())}));
    app.wait("call_devices", |v| {
        is_event(v, "call_devices") && v["call"] == call
    });
    path
}

/// Waits until `path` holds `duration` of audio at 48 kHz mono 16-bit (what Parla writes).
fn wait_recorded(path: &Path, duration: Duration) {
    let bytes = 44 + (duration.as_secs_f64() * 48_000.0 * 2.0) as u64;
    let deadline = Instant::now() + T;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(
            Instant::now() < deadline,
            "{} never grew to {bytes} bytes",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn band(path: &Path, hz: f64) -> f64 {
    tone_band_ratio(path, hz).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ended_reason(app: &App, call: u64) -> String {
    app.wait_call(call, "ended")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn first_call_event(app: &App, pred: impl Fn(&Value) -> bool) -> Value {
    app.wait("call_state", |v| is_event(v, "call_state") && pred(v))
}

/// The SIP messages of one method Parla sent or received, from its trace.
fn sip_messages(app: &App, start_line: &str) -> Vec<String> {
    let trace = std::fs::read_to_string(app.parla.stderr_log()).expect("stderr log");
    trace
        .split(start_line)
        .skip(1)
        // Up to the next log line: headers and body.
        .map(|m| {
            let end = [m.find("\n\u{1b}["), m.find("\n20")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(m.len());
            m[..end].to_string()
        })
        .collect()
}

/// baresip (bob) calls alice (Parla) and transfers her to carol (baresip): Parla takes the
/// REFER, places the call with Referred-By, NOTIFYs its progress as message/sipfrag, and
/// ends bob's call as transferred once carol answers; alice and carol hear each other.
#[test]
fn a_blind_transfer_by_the_far_end_puts_us_through_to_the_target() {
    let kamailio = kamailio_abc();
    let work = tempfile::tempdir().expect("dir");
    let peer = |user: &str, pw: &str, record: bool| {
        let mut options = BaresipOptions::registering(&kamailio, user, pw);
        options.record_dir = record.then(|| work.path().join(user));
        let peer = Baresip::start(options).expect("baresip");
        peer.wait_registered(T).expect("registered");
        peer
    };
    let (bob, carol) = (peer("bob", "bobpw", false), peer("carol", "carolpw", true));
    let mut alice = parla(&kamailio, "alice", "alicepw", Some((work.path(), 1000.0)));

    bob.dial(&kamailio.user_uri("alice")).expect("bob dials");
    let (first, _) = alice.wait_incoming();
    alice.send(json!({"cmd": "answer", "call": first}));
    alice.wait_call(first, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");

    let asked = Instant::now();
    bob.transfer(&kamailio.user_uri("carol"))
        .expect("bob transfers");
    let calling = first_call_event(&alice, |v| v["transferred_from"] == first);
    let second = calling["call"].as_u64().expect("call id");
    assert_eq!(calling["state"], "calling", "{calling}");
    assert_eq!(calling["remote"], kamailio.user_uri("carol"), "{calling}");
    alice.wait_call(second, "connected");
    let heard = record(&mut alice, second, work.path(), "alice-heard");
    assert_eq!(ended_reason(&alice, first), "transferred");
    eprintln!(
        "blind transfer as transferee: REFER asked -> first call ended in {:?}",
        asked.elapsed()
    );
    carol
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("carol answers");

    wait_recorded(&heard, LISTEN);
    let carols = carol.recordings().expect("carol's recordings");
    let carol_heard = carols.last().expect("carol records");
    alice.hang_up(second);
    carol.wait_event_type("CALL_CLOSED", T).expect("closed");
    assert!(band(&heard, 440.0) > 0.9, "alice hears carol's 440 Hz");
    assert!(
        band(carol_heard, 1000.0) > 0.9,
        "carol hears alice's 1000 Hz"
    );

    let notifies = sip_messages(&alice, "NOTIFY sip:");
    assert!(
        notifies.iter().any(|n| n.contains("SIP/2.0 100 Trying")),
        "{notifies:?}"
    );
    let last = notifies.last().expect("NOTIFYs sent");
    assert!(last.contains("SIP/2.0 200 OK"), "{last}");
    assert!(last.contains("terminated;reason=noresource"), "{last}");
    assert!(last.contains("message/sipfrag"), "{last}");
    // baresip 1.0 sends no Referred-By, so the new INVITE carries none (the attended test
    // below checks that one is passed on).
    alice.quit();
}

/// Attended transfer between three Parla processes: alice talks to bob, holds him, consults
/// carol, and transfers bob to carol. bob gets a REFER with Replaces (after alice's hold was
/// answered) and calls carol with Replaces; carol answers that at once and drops alice; alice's
/// two calls end as transferred; bob and carol hear each other.
#[test]
fn an_attended_transfer_replaces_the_consult_call_with_the_transferee() {
    let kamailio = kamailio_abc();
    let work = tempfile::tempdir().expect("dir");
    let mut alice = parla(&kamailio, "alice", "alicepw", None);
    let mut bob = parla(&kamailio, "bob", "bobpw", Some((work.path(), 1000.0)));
    let mut carol = parla(&kamailio, "carol", "carolpw", Some((work.path(), 600.0)));

    let to_bob = alice.dial("alice", &kamailio.user_uri("bob"));
    let (bobs, _) = bob.wait_incoming();
    bob.send(json!({"cmd": "answer", "call": bobs}));
    alice.wait_call(to_bob, "connected");

    // The consult call holds bob's first.
    let to_carol = alice.dial("alice", &kamailio.user_uri("carol"));
    alice.wait_call(to_bob, "on_hold");
    let (carols, _) = carol.wait_incoming();
    carol.send(json!({"cmd": "answer", "call": carols}));
    alice.wait_call(to_carol, "connected");

    let asked = Instant::now();
    alice.send(json!({"cmd": "transfer", "call": to_bob, "to_call": to_carol}));
    let done = alice.wait("transfer succeeded", |v| {
        is_event(v, "transfer") && v["call"] == to_bob && v["state"] == "succeeded"
    });
    assert_eq!(done["to_call"], to_carol, "{done}");
    assert_eq!(ended_reason(&alice, to_bob), "transferred");
    eprintln!(
        "attended transfer: transfer asked -> original call ended in {:?}",
        asked.elapsed()
    );
    assert_eq!(ended_reason(&alice, to_carol), "transferred");

    let placed = first_call_event(&bob, |v| v["transferred_from"] == bobs);
    let bob_new = placed["call"].as_u64().expect("call id");
    bob.wait_call(bob_new, "connected");
    let bob_heard = record(&mut bob, bob_new, work.path(), "bob-heard");
    let replacing = first_call_event(&carol, |v| v["replaces"] == carols);
    let carol_new = replacing["call"].as_u64().expect("call id");
    assert_eq!(replacing["state"], "connected", "{replacing}");
    let remote = replacing["remote"].as_str().unwrap_or_default();
    assert!(remote.starts_with("sip:bob@"), "{replacing}");
    let carol_heard = record(&mut carol, carol_new, work.path(), "carol-heard");
    assert_eq!(ended_reason(&bob, bobs), "transferred");
    assert_eq!(ended_reason(&carol, carols), "replaced");
    assert!(
        !carol
            .parla
            .events_seen()
            .iter()
            .any(|v| is_event(v, "incoming_call") && v["call"] == carol_new),
        "the replacing call does not ring"
    );

    wait_recorded(&bob_heard, LISTEN);
    wait_recorded(&carol_heard, LISTEN);
    bob.hang_up(bob_new);
    carol.wait_call(carol_new, "ended");
    assert!(band(&bob_heard, 600.0) > 0.9, "bob hears carol's 600 Hz");
    assert!(
        band(&carol_heard, 1000.0) > 0.9,
        "carol hears bob's 1000 Hz"
    );

    // The REFER came after the hold's 200 was acknowledged, and named carol's dialog.
    let refer = sip_messages(&alice, "REFER sip:").pop().expect("a REFER");
    assert!(refer.contains("?Replaces="), "{refer}");
    assert!(refer.contains("Referred-By: <sip:alice@"), "{refer}");
    let invite = sip_messages(&bob, "INVITE sip:carol@")
        .pop()
        .expect("bob's INVITE");
    assert!(invite.contains("Replaces: "), "{invite}");
    assert!(invite.contains("Referred-By: <sip:alice@"), "{invite}");
    for app in [&mut alice, &mut bob, &mut carol] {
        app.quit();
    }
}
