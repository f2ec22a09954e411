//! Side by side in one run, on loopback through Kamailio: a 30-second Opus call Parla -> baresip,
//! then baresip -> baresip, with the same speech (espeak-ng) as the caller's input and as the
//! callee's, and no sound card. Prints the callers' CPU (share of one core over the call) and
//! RSS, and Parla's ratios to baresip's.
//!
//! Then the same calls with the callers on a sound card (a test-started PulseAudio, the speech
//! played into its microphone), where Parla's microphone processing runs: once with echo
//! cancellation, noise suppression and automatic gain on, once with all three off, against
//! baresip on the same card (its ALSA module; baresip has no echo canceller).
//!
//! Each sound-card round also has baresip encode as Parla does (both baresips: Opus mono,
//! 32 kbit/s, complexity 6, VoIP mode, where baresip's own default is stereo at about 99 kbit/s,
//! complexity 10, music mode: a CELT-only stream that costs its encoder about 50 µs a frame
//! less than Parla's hybrid one, 129 against 178 on the machine of issue 15's note), so the
//! ratios are also shown for the same encoding work.
//!
//! After each Parla call it prints Parla's `call quality` log line (jitter, the jitter buffer's
//! target and the delay it held the last packet, loss, MOS).
//!
//! `cargo bench --bench vs_baresip` (release build). `PARLA_CALL_SECONDS` shortens the calls;
//! `PARLA_CPU_ROUNDS` repeats the sound-card calls (each round: baresip, baresip encoding as
//! Parla, Parla with processing on, Parla with it off, in turn forwards and backwards) and
//! prints the median ratios.
//! `PARLA_CPU_CODEC` (`opus` by default; `g722`, `pcmu`, `pcma`) makes every call of the bench
//! use that codec instead, both sides: the capture then runs at 16 or 8 kHz, and so does the
//! processing (there is then no "baresip encoding as Parla" call: it already does).
//! `PARLA_CPU_STAGES` (e.g. `echo_cancellation`, or a comma-separated list) runs only those
//! stages in the "processing on" calls.
//! `PARLA_CPU_SIGNAL=tone` sends a 440 Hz tone instead of speech, as this bench did before. A
//! tone misleads: Opus encodes it about five times cheaper than speech, and the noise suppressor
//! takes a steady tone for noise and leaves near silence, which costs Opus 2-3 times the tone,
//! so with processing on Parla's encoder is charged for what its suppressor did.
//! Asserts nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use parla_testbench::speech::make_speech;
use parla_testbench::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(20);

fn call_seconds() -> u64 {
    std::env::var("PARLA_CALL_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

/// What every call of the bench shares.
struct Calls<'a> {
    kamailio: &'a Kamailio,
    codec: CallCodec,
    /// What the callee sends, and the callers from a file.
    source: &'a Path,
    /// How long each call is measured.
    seconds: u64,
}

/// The codec of every call: Parla's name for it and baresip's.
#[derive(Clone, Copy)]
struct CallCodec {
    parla: &'static str,
    baresip: &'static str,
}

impl CallCodec {
    fn from_env() -> Self {
        let name = std::env::var("PARLA_CPU_CODEC").unwrap_or_else(|_| "opus".into());
        // baresip looks a bare name up at 8000 Hz and knows G.722 by its audio rate.
        let (parla, baresip) = match name.as_str() {
            "opus" => ("opus", "opus"),
            "g722" => ("g722", "g722/16000/1"),
            "pcmu" => ("pcmu", "pcmu"),
            "pcma" => ("pcma", "pcma"),
            other => panic!("PARLA_CPU_CODEC={other}: not opus, g722, pcmu or pcma"),
        };
        Self { parla, baresip }
    }

    fn is_opus(self) -> bool {
        self.parla == "opus"
    }
}

/// The microphone's processing stages, as `[audio]` names them.
const STAGES: [&str; 3] = ["echo_cancellation", "noise_suppression", "auto_gain"];

/// The stages the "processing on" calls run: all, or those `PARLA_CPU_STAGES` lists.
fn on_stages() -> Vec<String> {
    let Ok(list) = std::env::var("PARLA_CPU_STAGES") else {
        return STAGES.iter().map(|s| (*s).to_owned()).collect();
    };
    let stages: Vec<String> = list.split(',').map(|s| s.trim().to_owned()).collect();
    if let Some(unknown) = stages.iter().find(|s| !STAGES.contains(&s.as_str())) {
        panic!("PARLA_CPU_STAGES: {unknown:?} is not one of {STAGES:?}");
    }
    stages
}

/// `[audio]` lines turning on `on` and off the other stages.
fn processing_stages(on: &[String]) -> String {
    STAGES
        .iter()
        .map(|stage| format!("{stage} = {}\n", on.iter().any(|s| s == stage)))
        .collect()
}

fn rss_mib(pid: u32) -> f64 {
    rss_kib(pid) as f64 / 1024.0
}

struct Measure {
    cpu_percent: f64,
    rss_mib: f64,
    /// The busiest threads by name, with their share of one core.
    threads: Vec<(String, f64)>,
}

/// CPU seconds of each thread of `pid`, by thread id, with the thread's name.
fn thread_cpu(pid: u32) -> BTreeMap<u32, (String, f64)> {
    let ticks = 100.0; // USER_HZ on Linux
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        let time = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // After the name: state is field 0, utime 11, stime 12.
        let tid = task.file_name().to_string_lossy().parse().unwrap_or(0);
        out.insert(tid, (name, (time(11) + time(12)) / ticks));
    }
    out
}

/// CPU over the call and RSS at its end, for `pid`, while the call lasts `seconds`.
fn measure_call(pid: u32, seconds: u64) -> Measure {
    let cpu0 = cpu_seconds(pid);
    let threads0 = thread_cpu(pid);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let cpu = cpu_seconds(pid) - cpu0;
    let elapsed = t0.elapsed().as_secs_f64();
    let mut by_name: BTreeMap<String, f64> = BTreeMap::new();
    for (tid, (name, secs)) in thread_cpu(pid) {
        let before = threads0.get(&tid).map_or(0.0, |(_, s)| *s);
        *by_name.entry(name).or_default() += 100.0 * (secs - before) / elapsed;
    }
    let mut threads: Vec<(String, f64)> = by_name.into_iter().collect();
    threads.sort_by(|a, b| b.1.total_cmp(&a.1));
    threads.truncate(5);
    Measure {
        cpu_percent: 100.0 * cpu / elapsed,
        rss_mib: rss_mib(pid),
        threads,
    }
}

/// The callee: baresip answering and sending `source` back.
fn bob(calls: &Calls, opus: &[(String, String)]) -> Baresip {
    calls.baresip("bob", "bobpw", opus, None)
}

impl Calls<'_> {
    /// baresip registered as `user` with the bench's codec, `opus` as more config lines, the
    /// source as its file input, or the sound card whose environment is `sound_card`.
    fn baresip(
        &self,
        user: &str,
        password: &str,
        opus: &[(String, String)],
        sound_card: Option<Vec<(String, String)>>,
    ) -> Baresip {
        let mut o = BaresipOptions::registering(self.kamailio, user, password);
        o.audio_codecs = vec![self.codec.baresip.into()];
        o.extra_config = opus.to_vec();
        o.source_wav = Some(self.source.to_owned());
        o.sound_card = sound_card;
        o.sip_trace = false;
        let baresip = Baresip::start(o).unwrap_or_else(|e| panic!("baresip {user}: {e}"));
        baresip
            .wait_registered(T)
            .unwrap_or_else(|e| panic!("{user} registered: {e}"));
        baresip
    }
}

/// baresip's Opus settings for encoding as Parla does (mono, VoIP, and the bitrate and
/// complexity of parla-media's `OpusSettings::default()`, which this package does not link:
/// keep them in step). Given to both baresips: the caller's encoder takes stereo and
/// bitrate from the callee's SDP, complexity and mode from its own config.
fn opus_as_parla() -> Vec<(String, String)> {
    [
        ("opus_stereo", "no"),
        ("opus_sprop_stereo", "no"),
        ("opus_bitrate", "32000"),
        ("opus_complexity", "6"),
        ("opus_application", "voip"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// What the callers (and the callee) send, at least `seconds` long, 48 kHz stereo (baresip's
/// file source needs that): speech, or with `PARLA_CPU_SIGNAL=tone` a 440 Hz tone.
fn make_source(dir: &Path, seconds: f64) -> std::path::PathBuf {
    if std::env::var("PARLA_CPU_SIGNAL").is_ok_and(|s| s == "tone") {
        let tone = dir.join("tone.wav");
        make_tone_wav(&tone, 440.0, seconds, 48_000, 2).expect("tone");
        return tone;
    }
    let period = make_speech(dir, 1)
        .expect("speech (espeak-ng, sox)")
        .period_seconds();
    let repeats = (seconds / period).ceil() as u32 + 1;
    make_speech(dir, repeats).expect("speech").source
}

fn main() {
    let seconds = call_seconds();
    let codec = CallCodec::from_env();
    let kamailio = Kamailio::start(KamailioOptions::with_users(&[
        ("alice", "alicepw"),
        ("bob", "bobpw"),
        ("carol", "carolpw"),
    ]))
    .expect("kamailio");
    let work = tempfile::tempdir().expect("dir");
    // One 20 s run cannot tell a ratio to 0.1 on a busy machine; the median of rounds can.
    let rounds = env_in_range("PARLA_CPU_ROUNDS", 1, 1, 10).unwrap_or_else(|e| panic!("{e}"));
    // Long enough for every sound-card call, played once into the microphone.
    let card_calls = 4 * rounds as u64;
    let source = make_source(work.path(), (card_calls * (seconds + 20)) as f64);

    let calls = Calls {
        kamailio: &kamailio,
        codec,
        source: &source,
        seconds,
    };

    let audio = format!("input = \"file:{}\"\noutput = \"null\"\n", source.display());
    let ours = parla_call(&calls, work.path(), "parla", &audio, &[]);
    let theirs = baresip_call(&calls, None, &[]);
    print_pair(&calls, "no sound card", &ours, &theirs);

    if !PulseAudio::available() {
        println!("(PulseAudio is not available: no sound-card comparison)");
        return;
    }
    let pulse = PulseAudio::start().expect("pulseaudio");
    let env = pulse.env();
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // The source keeps playing into the microphone for every call below.
    let _player = pulse.play_into_mic(&source).expect("paplay");
    let card = "input = \"default\"\noutput = \"default\"\n";
    let on = format!("{card}{}", processing_stages(&on_stages()));
    let off = format!("{card}{}", processing_stages(&[]));
    let (mut on_ratios, mut off_ratios) = (Vec::new(), Vec::new());
    let (mut on_same, mut off_same) = (Vec::new(), Vec::new());
    let same_opus = opus_as_parla();
    for round in 0..rounds {
        // Each round's four calls back to back, in turn forwards and backwards, so a busy
        // spell of the machine does not always land on the same one.
        let ours = |label: &str, audio: &str| {
            let name = format!("parla-{label}-{round}");
            parla_call(&calls, work.path(), &name, audio, &envs)
        };
        let baresip = |opus: &[(String, String)]| baresip_call(&calls, Some(env.clone()), opus);
        // With another codec than Opus baresip already encodes as Parla does.
        let same_encoding = || codec.is_opus().then(|| baresip(&same_opus));
        let (theirs, same, ours_on, ours_off) = if round % 2 == 0 {
            let theirs = baresip(&[]);
            let same = same_encoding();
            let on = ours("on", &on);
            (theirs, same, on, ours("off", &off))
        } else {
            let off = ours("off", &off);
            let on = ours("on", &on);
            let same = same_encoding();
            (baresip(&[]), same, on, off)
        };
        println!("round {} of {rounds}:", round + 1);
        print_pair(&calls, "sound card, processing on", &ours_on, &theirs);
        print_pair(&calls, "sound card, processing off", &ours_off, &theirs);
        let ratio =
            |ours: &Measure, theirs: &Measure| ours.cpu_percent / theirs.cpu_percent.max(0.01);
        on_ratios.push(ratio(&ours_on, &theirs));
        off_ratios.push(ratio(&ours_off, &theirs));
        if let Some(same) = same {
            let same_what = "sound card, processing off, baresip encoding as Parla";
            print_pair(&calls, same_what, &ours_off, &same);
            on_same.push(ratio(&ours_on, &same));
            off_same.push(ratio(&ours_off, &same));
        }
    }
    let fmt = |v: &[f64]| {
        let all: Vec<String> = v.iter().map(|r| format!("{r:.2}")).collect();
        let middle = median(v).map_or("-".to_owned(), |m| format!("{m:.2}"));
        format!("median {middle} ({})", all.join(" "))
    };
    println!("sound card, CPU ratio parla/baresip over {rounds} round(s):");
    println!("  processing on:  {}", fmt(&on_ratios));
    println!("  processing off: {}", fmt(&off_ratios));
    if codec.is_opus() {
        println!("  against baresip encoding as Parla (mono, 32 kbit/s, complexity 6, VoIP):");
        println!("  processing on:  {}", fmt(&on_same));
        println!("  processing off: {}", fmt(&off_same));
    }
}

/// Parla (alice) calls baresip (bob, sending the source) with `audio` as its `[audio]` section
/// and `envs` in its environment; the caller's CPU and RSS over the call's measured seconds.
fn parla_call(
    calls: &Calls,
    work: &Path,
    name: &str,
    audio: &str,
    envs: &[(&str, &str)],
) -> Measure {
    let Calls {
        kamailio,
        codec,
        seconds,
        ..
    } = *calls;
    let callee = bob(calls, &[]);
    let profile = work.join(name);
    std::fs::create_dir_all(&profile).expect("profile");
    std::fs::write(
        profile.join("config.toml"),
        format!(
            "[[accounts]]\nid = \"alice\"\nusername = \"alice\"\npassword = \"alicepw\"\ndomain = \"127.0.0.1\"\n\
             registrar = \"sip:127.0.0.1:{}\"\ncodecs = [\"{}\"]\n[audio]\n{audio}",
            kamailio.sip_port(),
            codec.parla,
        ),
    )
    .expect("config");
    let mut parla =
        Headless::spawn_with(Path::new(env!("CARGO_BIN_EXE_parla")), &profile, &[], envs)
            .expect("parla");
    parla.wait_registered(T).expect("registered");
    let call = parla
        .call_connected(&kamailio.user_uri("bob"), T)
        .expect("connected");
    callee
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("bob answered");
    let ours = measure_call(parla.pid(), seconds);
    parla
        .send(&json!({"cmd": "hangup", "call": call}))
        .expect("hangup");
    drop(parla.quit_and_wait(T));
    print_call_quality(&profile);
    ours
}

/// Parla's `call quality` log line for the call: what its jitter buffer held (past the first
/// half minute of a call without loss, a few ms and the phase of the far end's packets).
fn print_call_quality(profile: &Path) {
    let log = headless::read_stderr_log(profile);
    if let Some((_, figures)) = log
        .lines()
        .rev()
        .find_map(|line| line.split_once("call quality "))
    {
        println!("  parla call quality: {}", strip_ansi(figures));
    }
}

/// baresip (carol) calls baresip (bob): the source from a file, or from the sound card whose
/// environment is `sound_card` (carol then plays to it too); `opus`: more config lines for both.
fn baresip_call(
    calls: &Calls,
    sound_card: Option<Vec<(String, String)>>,
    opus: &[(String, String)],
) -> Measure {
    let _callee = bob(calls, opus);
    let carol = calls.baresip("carol", "carolpw", opus, sound_card);
    carol
        .dial(&calls.kamailio.user_uri("bob"))
        .expect("carol dials");
    carol
        .wait_event_type("CALL_ESTABLISHED", T)
        .expect("established");
    let theirs = measure_call(carol.pid(), calls.seconds);
    let _ = carol.hangup();
    theirs
}

fn print_pair(calls: &Calls, what: &str, ours: &Measure, theirs: &Measure) {
    let (codec, seconds) = (calls.codec.parla, calls.seconds);
    println!("{seconds} s {codec} call, caller side, loopback, {what}:");
    println!(
        "  parla   CPU {:5.2} % of one core, RSS {:5.1} MiB",
        ours.cpu_percent, ours.rss_mib
    );
    println!(
        "  baresip CPU {:5.2} % of one core, RSS {:5.1} MiB",
        theirs.cpu_percent, theirs.rss_mib
    );
    for (who, m) in [("parla", ours), ("baresip", theirs)] {
        let busiest: Vec<String> = m
            .threads
            .iter()
            .map(|(name, pct)| format!("{name} {pct:.2}"))
            .collect();
        println!("  {who} threads (% of one core): {}", busiest.join(", "));
    }
    println!(
        "  ratio parla/baresip: CPU {:.2}, RSS {:.2}",
        ours.cpu_percent / theirs.cpu_percent.max(0.01),
        ours.rss_mib / theirs.rss_mib.max(0.01)
    );
}
