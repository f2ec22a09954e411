//! The local conference against two baresip peers through Kamailio: Parla (alice, sending
//! 700 Hz from its `file:` input) calls bob (1 kHz) and carol (440 Hz), both ringing before
//! either answers (so both are up at once and neither is held: baresip's recorder stops at a
//! call's first re-INVITE, and what each peer hears is read from its recording); `conference`
//! mixes the three. Each peer's recording must then hold the other peer's tone and ours, and
//! our output (moved to a file of its own with `set_call_devices` on a member) both peers'
//! tones. `split` takes carol out (held, and the conference of two is over): bob hears no
//! 440 Hz any more, and still hears us. Merged again (carol resumed before she joins), bob
//! hangs up: the conference is over and carol and Parla go on talking (we hear her).
//! Holding a call and resuming it into a conference is covered below the socket too
//! (`ua::conference::tests`).
//!
//! Also printed, not asserted: Parla's CPU over the same seconds with the two calls apart (one
//! held) and in the 3-way conference.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test"
)]

mod excerpt;
mod support;
use excerpt::excerpt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

const OURS_HZ: f64 = 700.0;
const BOBS_HZ: f64 = 1000.0;
const CAROLS_HZ: f64 = 440.0;
/// How long each phase runs, for the tones and the CPU figures.
const PHASE: Duration = Duration::from_secs(4);

fn peer(kamailio: &Kamailio, user: &str, hz: f64, work: &Path) -> Baresip {
    let tone = work.join(format!("{user}-tone.wav"));
    make_tone_wav(&tone, hz, 90.0, 48_000, 2).expect("tone");
    let mut options = BaresipOptions::registering(kamailio, user, &format!("{user}pw"));
    options.audio_codecs = vec!["pcmu".into()];
    options.source_wav = Some(tone);
    options.record_dir = Some(work.join(user));
    // Answered when the test says: both calls are up at once, with no re-INVITE before the
    // conference (baresip's recorder stops at the first re-INVITE of a call).
    options.answer_mode = AnswerMode::Manual;
    let peer = Baresip::start(options).expect("baresip");
    peer.wait_registered(T).expect("registered");
    peer
}

fn conference_event(v: &Value, calls: &[u64]) -> bool {
    is_event(v, "conference") && v["calls"] == json!(calls)
}

/// The recording of what `peer` heard in its one call (complete once the call closed).
fn heard_by(peer: &Baresip) -> PathBuf {
    peer.recordings()
        .expect("recordings")
        .into_iter()
        .last()
        .expect("a recording")
}

fn ratio(path: &Path, from: f64, to: f64, hz: f64) -> f64 {
    tone_band_ratio(&excerpt(path, None, from, Some(to)), hz).expect("tone")
}

/// Waits until `path` holds `bytes` more than now.
fn grows(path: &Path, bytes: u64) {
    let size = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let start = size();
    let deadline = Instant::now() + T;
    while size() < start + bytes {
        assert!(
            Instant::now() < deadline,
            "{} does not grow",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Parla's CPU seconds over `PHASE`.
fn cpu_over_phase(app: &App) -> f64 {
    let pid = app.parla.pid();
    let before = cpu_seconds(pid);
    std::thread::sleep(PHASE);
    cpu_seconds(pid) - before
}

#[test]
fn three_way_conference_split_and_a_leg_hanging_up() {
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]))
    .expect("kamailio");
    let work = tempfile::tempdir().expect("dir");
    let bob = peer(&kamailio, "bob", BOBS_HZ, work.path());
    let carol = peer(&kamailio, "carol", CAROLS_HZ, work.path());
    let ours = work.path().join("alice-tone.wav");
    make_tone_wav(&ours, OURS_HZ, 90.0, 48_000, 1).expect("tone");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        ours.display(),
        work.path().join("alice-calls.wav").display()
    );
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.codecs = &["pcmu"];
    let mut app = start(&[line], Some(&audio), &[]);
    app.wait_registered("alice");

    let b = app.dial("alice", &kamailio.user_uri("bob"));
    bob.wait_event_type("CALL_INCOMING", T).expect("bob rings");
    let c = app.dial("alice", &kamailio.user_uri("carol"));
    carol
        .wait_event_type("CALL_INCOMING", T)
        .expect("carol rings");
    bob.answer().expect("bob answers");
    app.wait_call(b, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T).expect("bob up");
    let bob_start = Instant::now();
    carol.answer().expect("carol answers");
    app.wait_call(c, "connected");
    carol
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("carol up");
    let carol_start = Instant::now();
    let apart = cpu_over_phase(&app);

    app.send(json!({"cmd": "conference", "calls": [b, c]}));
    app.wait("conference", |v| conference_event(v, &[b, c]));
    let conf_out = work.path().join("alice-conference.wav");
    app.send(json!({"cmd": "set_call_devices", "call": b,
                    "output": format!("file:{}", conf_out.display())}));
    app.wait("call_devices", |v| {
        is_event(v, "call_devices") && v["call"] == b
    });
    let merged = Instant::now();
    grows(&conf_out, 48_000 * 2);
    let together = cpu_over_phase(&app);
    // Our output file is complete once the conference moves off it.
    app.send(json!({"cmd": "set_call_devices", "call": c, "output": "null"}));
    app.wait("call_devices null", |v| {
        is_event(v, "call_devices") && v["call"] == c && v["output"] == "null"
    });
    let merged_secs = merged.elapsed().as_secs_f64();
    eprintln!(
        "CPU of parla over {PHASE:?}: two calls up apart {apart:.3} s, \
         the same two in a 3-way conference {together:.3} s"
    );

    // Split carol: she is held, the conference of two is over, bob stays with us.
    app.send(json!({"cmd": "split", "call": c}));
    app.wait("conference over", |v| conference_event(v, &[]));
    app.wait_call(c, "on_hold");
    let split = Instant::now();
    std::thread::sleep(PHASE);
    let split_secs = split.elapsed().as_secs_f64();

    // Merged again (carol resumed first); bob hangs up: carol and we go on.
    app.send(json!({"cmd": "conference", "calls": [b, c]}));
    app.wait("merged again", |v| conference_event(v, &[b, c]));
    let after = work.path().join("alice-after.wav");
    bob.hangup().expect("bob hangs up");
    let ended = app.wait_call(b, "ended");
    assert_eq!(ended["reason"], "remote hangup", "{ended}");
    app.wait("conference over again", |v| conference_event(v, &[]));
    app.send(json!({"cmd": "set_call_devices", "call": c,
                    "output": format!("file:{}", after.display())}));
    app.wait("carol's devices", |v| {
        is_event(v, "call_devices") && v["call"] == c && v["output"] != "null"
    });
    grows(&after, 3 * 48_000 * 2);
    app.send(json!({"cmd": "status"}));
    let status = app.wait("status", |v| is_event(v, "status"));
    assert_eq!(status["calls"][0]["call"], c, "{status}");
    assert_eq!(status["calls"][0]["state"], "connected", "{status}");
    app.hang_up(c);
    carol
        .wait_event_type("CALL_CLOSED", T)
        .expect("carol closed");
    bob.wait_event_type("CALL_CLOSED", T).expect("bob closed");

    // What each one heard, by the wall-clock times above (a second of margin each side).
    let at = |from: Instant, start: Instant| from.duration_since(start).as_secs_f64();
    let bob_heard = heard_by(&bob);
    let carol_heard = heard_by(&carol);
    let (m_bob, m_carol, s_bob) = (
        at(merged, bob_start),
        at(merged, carol_start),
        at(split, bob_start),
    );
    let in_conference =
        |path: &Path, from: f64, hz: f64| ratio(path, from + 1.0, from + merged_secs - 1.0, hz);
    let figures = [
        (
            "bob hears carol in the conference",
            in_conference(&bob_heard, m_bob, CAROLS_HZ),
        ),
        (
            "bob hears us in the conference",
            in_conference(&bob_heard, m_bob, OURS_HZ),
        ),
        (
            "carol hears bob in the conference",
            in_conference(&carol_heard, m_carol, BOBS_HZ),
        ),
        (
            "carol hears us in the conference",
            in_conference(&carol_heard, m_carol, OURS_HZ),
        ),
        (
            "we hear bob in the conference",
            ratio(&conf_out, 0.5, merged_secs - 1.0, BOBS_HZ),
        ),
        (
            "we hear carol in the conference",
            ratio(&conf_out, 0.5, merged_secs - 1.0, CAROLS_HZ),
        ),
        (
            "bob hears us after the split",
            ratio(&bob_heard, s_bob + 1.0, s_bob + split_secs - 0.5, OURS_HZ),
        ),
        (
            "we hear carol after bob left",
            ratio(&after, 0.5, 2.5, CAROLS_HZ),
        ),
    ];
    let carol_after_split = ratio(&bob_heard, s_bob + 1.0, s_bob + split_secs - 0.5, CAROLS_HZ);
    for (what, r) in &figures {
        eprintln!("{what}: {r:.3}");
    }
    eprintln!("bob hears carol after the split: {carol_after_split:.3}");
    for (what, r) in figures {
        assert!(r > 0.2, "{what}: ratio {r:.3}");
    }
    assert!(
        carol_after_split < 0.05,
        "bob hears no 440 Hz after the split: {carol_after_split:.3}"
    );
    app.quit();
}
