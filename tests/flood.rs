//! A call under attack: while Parla (registered at Kamailio) talks to baresip, a SIP scanner on
//! another loopback address sends 500 INVITEs and 500 OPTIONS a second for 30 s straight at
//! Parla's SIP port, and a stranger on a third address sprays RTP with another SSRC at the
//! call's RTP port (the RTP Bleed pattern). The call's audio must stay clean both ways, the
//! engine must keep answering, nothing may ring, the log may grow by a few lines only, and
//! memory must come back. CPU and RSS are printed for the issue's note.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them), and \
              the figures it prints are its report"
)]

mod support;
use serde_json::json;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

/// The issue's figures: 500 INVITEs/s and 500 OPTIONS/s for 30 s.
const FLOOD_RATE: u32 = 500;
const FLOOD_SECONDS: u32 = 30;
/// RTP from the stranger, packets a second.
const BLEED_PPS: u64 = 300;

/// Lines and bytes of the profile's main log files (`logs/parla*.log`).
fn log_size(profile: &Path) -> (usize, u64) {
    let mut lines = 0;
    let mut bytes = 0;
    let Ok(dir) = std::fs::read_dir(profile.join("logs")) else {
        return (0, 0);
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("parla") {
            let text = std::fs::read(entry.path()).unwrap_or_default();
            lines += text.iter().filter(|&&b| b == b'\n').count();
            bytes += text.len() as u64;
        }
    }
    (lines, bytes)
}

/// The lines of the profile's main log files that report dropped datagrams.
fn drop_lines(profile: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(profile.join("logs")) else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("parla"))
        .flat_map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("dropped="))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The sum of the `dropped=N` fields of `lines`.
fn dropped_total(lines: &[String]) -> u64 {
    lines
        .iter()
        .filter_map(|l| {
            l.split("dropped=")
                .nth(1)?
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// The RTP port of the first SDP Parla sent (its INVITE's offer), from `logs/sip.log`.
fn our_rtp_port(profile: &Path) -> u16 {
    let deadline = Instant::now() + T;
    loop {
        let log = std::fs::read_to_string(profile.join("logs").join("sip.log")).unwrap_or_default();
        let port = log
            .split("send to ")
            .filter(|m| m.contains("INVITE sip:"))
            .find_map(|m| {
                m.lines()
                    .find_map(|l| l.trim().strip_prefix("m=audio "))
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|p| p.parse().ok())
            });
        if let Some(port) = port {
            return port;
        }
        assert!(
            Instant::now() < deadline,
            "no SDP of ours in sip.log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// G.711 mu-law of one linear sample.
fn mu_law(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    let mut s = i32::from(sample);
    let sign = if s < 0 { 0x80 } else { 0 };
    if s < 0 {
        s = -s;
    }
    let s = (s + BIAS).min(0x7FFF);
    let exponent = (0..8).rev().find(|e| s & (0x80 << e) != 0).unwrap_or(0);
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) | mantissa) as u8
}

/// Sends PCMU RTP of a loud 2500 Hz tone with SSRC 0xB1EEDB1E from 127.0.0.3 to `port` until
/// `stop`; returns how many packets went out.
fn bleed(port: u16, stop: Arc<AtomicBool>, sent: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let socket = UdpSocket::bind("127.0.0.3:0").expect("bind 127.0.0.3");
        let every = Duration::from_micros(1_000_000 / BLEED_PPS);
        let mut seq: u16 = 1;
        let mut ts: u32 = 0;
        let mut next = Instant::now();
        let mut phase = 0.0f64;
        while !stop.load(Ordering::Relaxed) {
            let mut packet = vec![0x80, 0x00];
            packet.extend_from_slice(&seq.to_be_bytes());
            packet.extend_from_slice(&ts.to_be_bytes());
            packet.extend_from_slice(&0xB1EE_DB1Eu32.to_be_bytes());
            for _ in 0..160 {
                phase += 2.0 * std::f64::consts::PI * 2500.0 / 8000.0;
                packet.push(mu_law((phase.sin() * 20_000.0) as i16));
            }
            let _ = socket.send_to(&packet, ("127.0.0.1", port));
            sent.fetch_add(1, Ordering::Relaxed);
            seq = seq.wrapping_add(1);
            ts = ts.wrapping_add(160);
            next += every;
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    })
}

fn wait_for_size(path: &Path, bytes: u64) {
    let deadline = Instant::now() + T;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(Instant::now() < deadline, "{} did not grow", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn bob_recording(bob: &Baresip) -> PathBuf {
    let deadline = Instant::now() + T;
    loop {
        if let Some(p) = bob.recordings().ok().and_then(|r| r.into_iter().last()) {
            return p;
        }
        assert!(Instant::now() < deadline, "baresip records nothing");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_call_survives_a_sip_scanner_flood_and_rtp_from_a_stranger() {
    let kamailio = kamailio_alice_bob();
    let work = tempfile::tempdir().expect("dir");
    let bob = start_bob(&kamailio, Some("pcmu"), Some(work.path().join("bob")));

    let ours = work.path().join("alice-tone.wav");
    make_tone_wav(&ours, 1000.0, 20.0, 48_000, 1).expect("tone");
    let heard = work.path().join("alice-heard.wav");
    let audio = format!(
        "\n[audio]\ninput = \"file:{}\"\noutput = \"file:{}\"\n",
        ours.display(),
        heard.display()
    );
    let sip_port = free_port_udp().expect("port");
    let mut line = Line::at(&kamailio, "alice", "alicepw");
    line.codecs = &["pcmu"];
    line.extra = format!("local_port = {sip_port}\n");
    let mut app = start(&[line], Some(&audio), &[]);
    app.wait_registered("alice");
    let pid = app.parla.pid();
    let profile = app.profile_path();

    let call = app.dial("alice", &kamailio.user_uri("bob"));
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    let rtp_port = our_rtp_port(&profile);
    let recording = bob_recording(&bob);
    wait_for_size(&recording, 8_000 * 2);
    // Settled: the log of the call's start is written before the count starts.
    std::thread::sleep(Duration::from_secs(1));

    let rss_before = rss_kib(pid);
    let cpu_before = cpu_seconds(pid);
    let (lines_before, bytes_before) = log_size(&profile);
    let started = Instant::now();

    let mut options = SippOptions::bench("flood_scanner");
    options.remote = Some(format!("127.0.0.1:{sip_port}"));
    options.service = Some("alice".into());
    options.calls = FLOOD_RATE * FLOOD_SECONDS;
    options.timeout = Duration::from_secs(u64::from(FLOOD_SECONDS) * 3);
    options.extra_args = ["-i", "127.0.0.2", "-r", &FLOOD_RATE.to_string()]
        .map(String::from)
        .to_vec();
    let mut scanner = Sipp::start(options).expect("sipp");
    let stop = Arc::new(AtomicBool::new(false));
    let bled = Arc::new(AtomicU64::new(0));
    let bleeder = bleed(rtp_port, stop.clone(), bled.clone());

    // The engine answers while the flood goes on: a history request every 2 s.
    let mut request = 1000u64;
    let mut slowest = Duration::ZERO;
    let mut answered = 0;
    while started.elapsed() < Duration::from_secs(u64::from(FLOOD_SECONDS)) {
        request += 1;
        let asked = Instant::now();
        app.send(json!({"cmd": "list_history", "request": request}));
        app.wait("history during the flood", |v| {
            is_event(v, "history") && v["request"] == request
        });
        slowest = slowest.max(asked.elapsed());
        answered += 1;
        std::thread::sleep(Duration::from_secs(2));
    }
    let status = scanner
        .wait(Duration::from_secs(u64::from(FLOOD_SECONDS) * 3))
        .expect("the scanner finishes");
    let flood_wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    bleeder.join().expect("bleeder");
    let cpu = cpu_seconds(pid) - cpu_before;

    // The call is still up and carries audio; the flood is over. What was counted after the
    // last summary line is written when its interval ends (at most 10 s on).
    let sent = u64::from(2 * FLOOD_RATE * FLOOD_SECONDS);
    let deadline = Instant::now() + Duration::from_secs(15);
    while dropped_total(&drop_lines(&profile)) < sent && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let rss_after = rss_kib(pid);
    let (lines_after, bytes_after) = log_size(&profile);
    app.hang_up(call);
    bob.wait_event_type("CALL_CLOSED", T).expect("closed");

    let bob_heard = tone_band_ratio(&recording, 1000.0).expect("bob's recording");
    let alice_heard = tone_band_ratio(&heard, 440.0).expect("our recording");
    let alice_bleed = tone_band_ratio(&heard, 2500.0).expect("our recording");
    let drops = drop_lines(&profile);
    let dropped = dropped_total(&drops);
    let log_lines = lines_after.saturating_sub(lines_before);
    let log_bytes = bytes_after.saturating_sub(bytes_before);
    let cpu_percent = 100.0 * cpu / flood_wall.as_secs_f64();
    println!(
        "FLOOD FIGURES: {} INVITE/s + {} OPTIONS/s for {} s from 127.0.0.2 (sipp {status}), \
         {} RTP packets from 127.0.0.3 ({BLEED_PPS} pps)\n\
         audio: baresip heard our 1000 Hz tone {bob_heard:.3}, we heard its 440 Hz tone \
         {alice_heard:.3} (2500 Hz of the stranger: {alice_bleed:.4})\n\
         parla CPU during the flood: {cpu:.2} s over {:.1} s = {cpu_percent:.1} % of one core\n\
         parla RSS: {rss_before} KiB before, {rss_after} KiB after\n\
         log: +{log_lines} lines, +{log_bytes} bytes during the flood\n\
         control: {answered} history requests answered, slowest {} ms\n\
         the log's count of dropped datagrams: {dropped} of {sent} sent\n{}",
        FLOOD_RATE,
        FLOOD_RATE,
        FLOOD_SECONDS,
        bled.load(Ordering::Relaxed),
        flood_wall.as_secs_f64(),
        slowest.as_millis(),
        drops.join("\n"),
    );

    let rang: Vec<_> = app
        .parla
        .events_seen()
        .into_iter()
        .filter(|v| is_event(v, "incoming_call"))
        .collect();
    assert!(rang.is_empty(), "the scanner rang the phone: {rang:?}");
    assert!(bob_heard > 0.9, "baresip heard our tone: {bob_heard:.3}");
    assert!(
        alice_heard > 0.9,
        "we heard baresip's tone: {alice_heard:.3}"
    );
    assert!(
        alice_bleed < 0.01,
        "the stranger's RTP was played: {alice_bleed:.4}"
    );
    // The flood reached the socket and was counted, all of it but what the kernel may have
    // dropped from a full socket buffer.
    assert!(
        dropped >= sent * 95 / 100 && dropped <= sent,
        "the log counts {dropped} dropped datagrams of {sent}"
    );
    assert!(log_lines < 200, "the flood wrote {log_lines} log lines");
    assert!(
        log_bytes < 64 * 1024,
        "the flood wrote {log_bytes} log bytes"
    );
    assert!(
        rss_after < rss_before + 16 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
    assert!(
        slowest < Duration::from_secs(5),
        "a history request took {slowest:?}"
    );
    app.quit();
}
