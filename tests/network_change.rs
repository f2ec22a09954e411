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
use parla_testbench::nat::{self, NatNet, HOME_IP, HOME_IP_2};
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
    let kamailio = nat_home::isp_kamailio(&net, &[("alice", "alicepw")]);
    let line = nat_home::isp_line(&kamailio);
    let app = nat_home::parla_at_home(&net, &line, "null", "null");
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
    let kamailio = nat_home::isp_kamailio(&net, &[("alice", "alicepw")]);
    let mut line = nat_home::isp_line(&kamailio);
    line.transport = Some("tcp");
    line.extra = "keepalive_s = 2\n".into();
    let mut app = nat_home::parla_at_home(&net, &line, "null", "null");
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
    let mut app = start(&[alice, bob], None, &[("RUST_LOG", "info,sip=debug")]);
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
    if let Err(e) = kamailio.wait_registered("bob", T) {
        panic!(
            "bob (TCP) not registered again: {e}\n--- parla's log ---\n{}",
            parla_testbench::process::log_tail(app.parla.stderr_log(), 150)
        );
    }
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

/// Bytes of a growing WAV file (0 while it does not exist).
fn size_of(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Interleaved 16-bit samples of a WAV, its rate and channel count.
fn read_wav(path: &std::path::Path) -> (Vec<i16>, u32, usize) {
    let mut reader = hound::WavReader::open(path).expect("open WAV");
    let spec = reader.spec();
    let samples = reader
        .samples::<i16>()
        .collect::<std::result::Result<Vec<_>, _>>()
        .expect("WAV samples");
    (samples, spec.sample_rate, usize::from(spec.channels))
}

/// The WAV from `from_s` seconds on, as a new file in `dir`, for `tone_band_ratio`.
fn tail_of(path: &std::path::Path, from_s: f64, dir: &std::path::Path) -> std::path::PathBuf {
    let (samples, rate, channels) = read_wav(path);
    let skip = (from_s * f64::from(rate)) as usize * channels;
    let out = dir.join(format!(
        "tail-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("x.wav")
    ));
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&out, spec).expect("tail WAV");
    for s in samples.iter().skip(skip) {
        w.write_sample(*s).expect("sample");
    }
    w.finalize().expect("finalize");
    out
}

/// Seconds into a WAV from which audio (RMS above 1 % of full scale in each 20 ms window)
/// plays for 2 s without a break: where it came back after a gap, or 0.
fn steady_sound_from_s(path: &std::path::Path) -> Option<f64> {
    let (samples, rate, channels) = read_wav(path);
    let window = ((rate as usize / 50) * channels).max(1);
    let loud: Vec<bool> = samples
        .chunks_exact(window)
        .map(|c| {
            let power = c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / c.len() as f64;
            power.sqrt() > 0.01 * f64::from(i16::MAX)
        })
        .collect();
    loud.windows(100)
        .position(|w| w.iter().all(|&l| l))
        .map(|n| n as f64 * 0.02)
}

/// One character per 100 ms of a WAV: `#` loud, `.` quiet (below 1 % of full scale).
fn loudness(path: &std::path::Path) -> String {
    let (samples, rate, channels) = read_wav(path);
    let window = ((rate as usize / 10) * channels).max(1);
    samples
        .chunks(window)
        .map(|c| {
            let power = c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / c.len() as f64;
            if power.sqrt() > 0.01 * f64::from(i16::MAX) {
                '#'
            } else {
                '.'
            }
        })
        .collect()
}

/// A call through the NAT with a tone each way; the home address changes mid-call. The call's
/// SIP and RTP sockets listen on every address, so they keep working from the new one, and
/// the call sends a re-INVITE offering its audio there: answered within 5 s of the change,
/// and the tones are heard again both ways (recorded after the change).
#[test]
fn an_active_call_follows_a_network_change() {
    if !nat::available() {
        eprintln!("skipped: needs root, ip and nft (scripts/install-test-deps.sh)");
        return;
    }
    let net = NatNet::start().expect("NAT network");
    let work = tempfile::tempdir().expect("dir");
    let kamailio = nat_home::isp_kamailio(&net, &[("alice", "alicepw"), ("bob", "bobpw")]);
    let bob = nat_home::isp_bob(&net, &kamailio, &work.path().join("bob"));

    let tone = work.path().join("alice-tone.wav");
    make_tone_wav(&tone, 1000.0, 60.0, 48_000, 1).expect("tone");
    let heard_before = work.path().join("alice-heard.wav");
    let heard_after = work.path().join("alice-heard-after.wav");
    let mut line = nat_home::isp_line(&kamailio);
    line.codecs = &["pcmu"];
    let mut app = nat_home::parla_at_home(
        &net,
        &line,
        &format!("file:{}", tone.display()),
        &format!("file:{}", heard_before.display()),
    );
    app.wait_registered("alice");

    let call = app.dial("alice", "sip:bob@127.0.0.1");
    app.wait_call(call, "connected");
    bob.wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    let recording = bob
        .wait_recording(0, 0, T)
        .expect("baresip records what it hears");
    let deadline = Instant::now() + T;
    while size_of(&recording) < 2 * 8_000 * 2 || size_of(&heard_before) < 2 * 8_000 * 2 {
        assert!(Instant::now() < deadline, "audio flows before the change");
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = app.parla.stderr_log().to_path_buf();
    let answered = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("our re-INVITE was answered")
            .count()
    };
    let answered_before = answered();
    let bob_bytes_per_s = hound::WavReader::open(&recording)
        .map(|r| u64::from(r.spec().sample_rate) * u64::from(r.spec().channels) * 2)
        .unwrap_or(8_000 * 2);
    let our_bytes_per_s = hound::WavReader::open(&heard_before)
        .map(|r| u64::from(r.spec().sample_rate) * u64::from(r.spec().channels) * 2)
        .unwrap_or(48_000 * 2);

    net.renumber_home(HOME_IP, HOME_IP_2).expect("renumber");
    let changed = Instant::now();
    let bob_at_change = size_of(&recording);
    app.send(serde_json::json!({
        "cmd": "set_call_devices",
        "call": call,
        "output": format!("file:{}", heard_after.display()),
    }));
    let switched = changed.elapsed();
    // Until the re-INVITE is answered and three seconds more are heard each way; meanwhile
    // the longest time bob's recording (written as packets arrive) stood still.
    let (mut reinvited, mut bob_at_answer) = (None, 0);
    let (mut last_size, mut last_growth) = (bob_at_change, Instant::now());
    let (mut stall, mut bob_back) = (Duration::ZERO, Duration::ZERO);
    // Our output file starts again when the call's audio moves to its new ports.
    let (mut after_size, mut after_started) = (0, switched);
    let deadline = changed + Duration::from_secs(25);
    loop {
        let now = Instant::now();
        let size = size_of(&recording);
        if size > last_size {
            if now - last_growth > stall {
                stall = now - last_growth;
                bob_back = now - changed;
            }
            (last_size, last_growth) = (size, now);
        }
        let ours = size_of(&heard_after);
        if ours < after_size {
            after_started = now - changed;
        }
        after_size = ours;
        if reinvited.is_none() && answered() > answered_before {
            reinvited = Some(changed.elapsed());
            bob_at_answer = size;
        }
        if reinvited.is_some()
            && size >= bob_at_answer + 3 * bob_bytes_per_s
            && size_of(&heard_after) >= 4 * our_bytes_per_s
        {
            break;
        }
        assert!(
            now < deadline,
            "re-INVITE answered: {reinvited:?}; bob heard {} bytes, we {} after the change; \
             router: {}",
            size.saturating_sub(bob_at_change),
            size_of(&heard_after),
            net.router_state()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let reinvited = reinvited.unwrap_or_default();
    // bob's BYE still reaches us (Kamailio sends it where our re-INVITE came from).
    bob.hangup().expect("bob hangs up");
    let ended = app.wait_call(call, "ended");
    eprintln!("ended: {ended}");

    let (_, bob_rate, bob_channels) = read_wav(&recording);
    let bob_from_s =
        bob_at_answer.saturating_sub(44) as f64 / (2.0 * f64::from(bob_rate) * bob_channels as f64);
    let bob_heard =
        tone_band_ratio(&tail_of(&recording, bob_from_s, work.path()), 1000.0).expect("bob's");
    let sound_at = steady_sound_from_s(&heard_after).unwrap_or_else(|| {
        panic!(
            "we do not hear bob steadily after the change: {}\nbefore: {}\nrouter: {}",
            loudness(&heard_after),
            loudness(&heard_before),
            net.router_state()
        )
    });
    let alice_heard = tone_band_ratio(&tail_of(&heard_after, sound_at, work.path()), 440.0)
        .expect("our recording");
    let alice_back = after_started + Duration::from_secs_f64(sound_at);
    eprintln!(
        "network change -> re-INVITE answered {reinvited:?}; audio back: to bob {bob_back:?} \
         (longest break {stall:?}), to us {alice_back:?} (tone share after the change: bob {bob_heard:.3}, us {alice_heard:.3})"
    );
    assert!(
        reinvited < REREGISTER_WITHIN,
        "re-INVITE answered after {reinvited:?}"
    );
    assert!(
        bob_heard > 0.9,
        "bob heard our tone after the change: {bob_heard:.3}"
    );
    assert!(
        alice_heard > 0.9,
        "we heard bob's tone after the change: {alice_heard:.3}"
    );
    app.quit();
}
