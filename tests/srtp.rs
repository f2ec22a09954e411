//! Encrypted calls (SRTP with SDES keys) through Kamailio over TLS to and from baresip with its
//! srtp module: tones both ways, the `call_encryption` event, RTP on the wire that carries no
//! plain payload (read with tcpdump), SRTCP both ways (a round-trip time), and a line that
//! requires SRTP refusing a plain offer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod support;
use parla_testbench::capture::{pcap_payloads, start_tcpdump, Payload, Protocol};
use parla_testbench::process::Proc;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::*;

const PACKETS: usize = 60;

fn kamailio() -> Kamailio {
    kamailio_alice_bob()
}

/// bob on baresip, registered over TLS, with `;mediaenc=` as given (none: no srtp module).
fn bob(k: &Kamailio, media_enc: Option<&str>, rec: &Path) -> Baresip {
    let bob = Baresip::start(BaresipOptions {
        registrar: Some(RegistrarTarget::kamailio(k, Transport::Tls)),
        ca_cert: Some(k.ca_cert_path().to_path_buf()),
        audio_codecs: vec!["pcmu".into()],
        record_dir: Some(rec.to_path_buf()),
        media_enc: media_enc.map(str::to_owned),
        ..BaresipOptions::registering(k, "bob", "bobpw")
    })
    .expect("baresip");
    bob.wait_registered(T).expect("bob registered");
    bob
}

/// Parla as alice over TLS with `srtp = policy`, sending a 1000 Hz tone, recording what it hears.
fn alice(k: &Kamailio, policy: &str, work: &Path) -> (App, PathBuf) {
    let ours = work.join("alice-tone.wav");
    make_tone_wav(&ours, 1000.0, 30.0, 48_000, 1).expect("tone");
    let heard = work.join("alice-heard.wav");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        ours.display(),
        heard.display()
    );
    let mut line = Line::tls(k, "alice", "alicepw", true);
    line.codecs = &["pcmu"];
    line.extra.push_str(&format!("srtp = {policy:?}\n"));
    let app = start(&[line], Some(&audio), &[]);
    app.wait_registered("alice");
    (app, heard)
}

/// What bob heard of the call, once it holds two seconds at the lowest rate baresip records
/// (8 kHz mono, 16 bit).
fn wait_recording(bob: &Baresip) -> PathBuf {
    bob.wait_recording(0, 2 * 8_000 * 2, T)
        .expect("baresip recorded nothing")
}

/// tcpdump on `lo`, `PACKETS` UDP datagrams from or to `port`, written to `file`.
fn capture(port: u16, file: &Path) -> Proc {
    let packets = PACKETS.to_string();
    let port = port.to_string();
    start_tcpdump(
        "lo",
        file,
        &["-c", &packets, "udp", "and", "port", &port],
        T,
    )
    .expect("tcpdump (scripts/install-test-deps.sh)")
}

/// How alike the bytes of the RTP payloads are to themselves a few samples on: a PCMU tone
/// repeats with its period (1000 Hz at 8 kHz: every 8 bytes, nearly all equal), ciphertext
/// does not (1 in 256). The highest share of equal bytes over lags 1 to 40.
fn self_similarity(payloads: &[&[u8]]) -> f64 {
    (1..=40)
        .map(|lag| {
            let (mut same, mut pairs) = (0usize, 0usize);
            for p in payloads {
                for i in 0..p.len().saturating_sub(lag) {
                    pairs += 1;
                    same += usize::from(p[i] == p[i + lag]);
                }
            }
            same as f64 / pairs.max(1) as f64
        })
        .fold(0.0, f64::max)
}

/// A round-trip time in a quality report needs the far end's RTCP read here and ours read
/// there (its report echoes our sender report): SRTCP works both ways.
fn wait_srtcp_both_ways(app: &App, call: u64) {
    let quality = app.wait("quality with a round trip", |v| {
        is_event(v, "quality") && v["call"] == call && v["rtt_ms"].is_number()
    });
    eprintln!("{quality}");
}

fn encryption_event(app: &App, call: u64) -> Value {
    app.wait("call_encryption", |v| {
        is_event(v, "call_encryption") && v["call"] == call
    })
}

/// The bytes SRTP adds to each RTP packet with `suite`.
fn tag_len(suite: &Value) -> usize {
    match suite.as_str() {
        Some("AES_CM_128_HMAC_SHA1_80") => 10,
        Some("AEAD_AES_128_GCM") => 16,
        other => panic!("suite {other:?}"),
    }
}

/// Checks the RTP on the wire both ways: SRTP-sized (PCMU 160 bytes + header 12 + tag) and
/// nothing of the tones readable.
fn assert_wire_encrypted(pcap: &Path, bob_rtp: u16, tag: usize) {
    let bytes = std::fs::read(pcap).expect("capture");
    let packets: Vec<Payload> = pcap_payloads(&bytes)
        .into_iter()
        .filter(|p| p.protocol == Protocol::Udp)
        .collect();
    let to_bob: Vec<&[u8]> = packets
        .iter()
        .filter(|p| p.dst_port == bob_rtp)
        .map(|p| p.data.as_slice())
        .collect();
    let from_bob: Vec<&[u8]> = packets
        .iter()
        .filter(|p| p.src_port == bob_rtp)
        .map(|p| p.data.as_slice())
        .collect();
    assert!(
        to_bob.len() >= 10 && from_bob.len() >= 10,
        "RTP both ways on the wire: {} to bob, {} from bob",
        to_bob.len(),
        from_bob.len()
    );
    for (who, list) in [("parla", &to_bob), ("baresip", &from_bob)] {
        assert!(
            list.iter().all(|p| p.len() == 12 + 160 + tag),
            "{who}: every packet carries the {tag}-byte tag: {:?}",
            list.iter().map(|p| p.len()).collect::<Vec<_>>()
        );
        let bodies: Vec<&[u8]> = list.iter().map(|p| &p[12..p.len() - tag]).collect();
        let similarity = self_similarity(&bodies);
        assert!(
            similarity < 0.05,
            "{who}'s RTP payload looks like plain audio: {similarity:.3}"
        );
    }
}

/// Both recordings hold the other side's tone.
fn assert_tones(bob_recording: &Path, heard: &Path) {
    let bob_heard = tone_band_ratio(bob_recording, 1000.0).expect("bob's recording");
    let alice_heard = tone_band_ratio(heard, 440.0).expect("our recording");
    assert!(
        bob_heard > 0.9,
        "baresip heard our 1000 Hz tone: {bob_heard:.3}"
    );
    assert!(
        alice_heard > 0.9,
        "we heard baresip's 440 Hz tone: {alice_heard:.3}"
    );
}

fn assert_baresip_decrypted(bob: &Baresip) {
    let log = std::fs::read_to_string(bob.log_path()).unwrap_or_default();
    assert!(log.contains("SRTP is Enabled"), "{}", bob.log_tail(40));
    assert!(
        !log.contains("failed to decrypt"),
        "baresip could not decrypt what we sent: {}",
        bob.log_tail(40)
    );
}

/// We call (RTP/AVP with our keys, best effort on a TLS line); baresip with `mediaenc=srtp`
/// answers with its key.
#[test]
fn an_outgoing_call_over_tls_is_encrypted_both_ways() {
    let k = kamailio();
    let work = tempfile::tempdir().expect("dir");
    let bob = bob(&k, Some("srtp"), &work.path().join("bob"));
    let (mut app, heard) = alice(&k, "when_offered", work.path());

    let call = app.dial("alice", &k.user_uri("bob"));
    app.wait_call(call, "connected");
    let media = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    assert!(media.get("warning").is_none(), "{media}");
    let enc = encryption_event(&app, call);
    eprintln!("{enc}");
    assert_eq!(enc["encrypted"], true, "{enc}");
    // baresip takes the first line it can use: ours offers AES-GCM first.
    assert_eq!(enc["suite"], "AEAD_AES_128_GCM", "{enc}");
    let bob_rtp: std::net::SocketAddr = media["remote_rtp"].as_str().unwrap().parse().unwrap();
    let pcap = work.path().join("rtp.pcap");
    let mut tcpdump = capture(bob_rtp.port(), &pcap);
    let status = tcpdump
        .wait_timeout(T)
        .expect("tcpdump ends after its packets");
    assert!(status.success(), "tcpdump: {status}");
    let recording = wait_recording(&bob);
    wait_srtcp_both_ways(&app, call);
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");

    assert_wire_encrypted(&pcap, bob_rtp.port(), tag_len(&enc["suite"]));
    assert_tones(&recording, &heard);
    assert_baresip_decrypted(&bob);
    app.quit();
}

/// baresip with `mediaenc=srtp-mand` calls: RTP/SAVP with its keys; we answer encrypted.
#[test]
fn an_incoming_savp_call_is_answered_encrypted() {
    let k = kamailio();
    let work = tempfile::tempdir().expect("dir");
    let bob = bob(&k, Some("srtp-mand"), &work.path().join("bob"));
    let (mut app, heard) = alice(&k, "when_offered", work.path());

    bob.dial(&k.user_uri("alice")).expect("bob dials");
    let (call, _) = app.wait_incoming();
    app.send(json!({"cmd": "answer", "call": call}));
    app.wait_call(call, "connected");
    let media = app.wait("media", |v| is_event(v, "media") && v["call"] == call);
    let enc = encryption_event(&app, call);
    eprintln!("{enc}");
    assert_eq!(enc["encrypted"], true, "{enc}");
    // Its first line, AES_CM_128_HMAC_SHA1_80.
    assert_eq!(enc["suite"], "AES_CM_128_HMAC_SHA1_80", "{enc}");
    let bob_rtp: std::net::SocketAddr = media["remote_rtp"].as_str().unwrap().parse().unwrap();
    let pcap = work.path().join("rtp.pcap");
    let mut tcpdump = capture(bob_rtp.port(), &pcap);
    assert!(tcpdump.wait_timeout(T).expect("tcpdump").success());
    let recording = wait_recording(&bob);
    wait_srtcp_both_ways(&app, call);
    bob.hangup().expect("bob hangs up");
    app.wait_call(call, "ended");

    assert_wire_encrypted(&pcap, bob_rtp.port(), tag_len(&enc["suite"]));
    assert_tones(&recording, &heard);
    assert_baresip_decrypted(&bob);
    app.quit();
}

/// A line with `srtp = "required"`: a plain offer gets 488, and our RTP/SAVP offer to a peer
/// without SRTP does not become a plain call.
#[test]
fn a_required_line_refuses_plain_media() {
    let k = kamailio();
    let work = tempfile::tempdir().expect("dir");
    let bob = bob(&k, None, &work.path().join("bob"));
    let (mut app, _) = alice(&k, "required", work.path());

    bob.dial(&k.user_uri("alice")).expect("bob dials");
    let closed = bob
        .wait_event(
            |e| e["type"] == "CALL_CLOSED" && e["param"].to_string().contains("488"),
            T,
        )
        .unwrap_or_else(|e| panic!("bob sees 488: {e}: {:?}", bob.events_seen()));
    assert!(closed["param"].is_string(), "{closed}");

    let call = app.dial("alice", &k.user_uri("bob"));
    let ended = app.wait_call(call, "ended");
    eprintln!("required line, plain far end: {ended}");
    assert!(
        !app.parla
            .events_seen()
            .iter()
            .any(|v| call_state(v, call, "connected")),
        "no plain call: {ended}"
    );
    app.quit();
}
