//! One row of the network-impairment comparison: Parla (namespace `a`) calls baresip
//! (namespace `b`) directly over an [`ImpairedPath`]; both send the same speech at once, both
//! record what they receive, and each recording is scored with PESQ against the speech.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::baresip::{Baresip, BaresipOptions};
use crate::error::{BenchError, IoContext, Result};
use crate::headless::Headless;
use crate::impair::{DirectionStats, ImpairedPath, Impairment, ADDR_B};
use crate::pesq::{pesq_score, PesqScore};
use crate::process::poll_until;
use crate::speech::Speech;
use crate::workdir::BenchDir;

const T: Duration = Duration::from_secs(20);
/// Call time after one repetition of the speech: the start (jitter buffer filling, the first
/// words) and slack for the alignment.
const EXTRA_CALL: Duration = Duration::from_millis(2500);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Opus, scored with wideband PESQ at 16 kHz.
    Opus,
    /// G.711 u-law, scored with narrowband PESQ at 8 kHz.
    Pcmu,
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::Pcmu => "pcmu",
        }
    }

    pub fn pesq_rate(self) -> u32 {
        match self {
            Codec::Opus => 16_000,
            Codec::Pcmu => 8_000,
        }
    }
}

/// What one row measured.
#[derive(Debug)]
pub struct RowResult {
    /// What Parla recorded of baresip's speech.
    pub parla_rx: PesqScore,
    /// What baresip recorded of Parla's speech.
    pub baresip_rx: PesqScore,
    /// RTP through the router, Parla to baresip.
    pub to_baresip: DirectionStats,
    /// RTP through the router, baresip to Parla.
    pub to_parla: DirectionStats,
    /// The recordings, in `dir` (gone with it unless `PARLA_KEEP_BENCH=all`).
    pub parla_recording: PathBuf,
    pub baresip_recording: PathBuf,
    pub dir: BenchDir,
}

/// Runs one call of one repetition of `speech` (plus [`EXTRA_CALL`]) over `impairment`.
pub fn run_row(
    parla_bin: &Path,
    speech: &Speech,
    codec: Codec,
    impairment: Impairment,
    seed: u64,
) -> Result<RowResult> {
    let dir = BenchDir::new(&format!("impair-{}", codec.name()))?;
    let path = ImpairedPath::start(impairment, seed)?;
    let rec_dir = dir.join("baresip-rec");
    let opts = BaresipOptions {
        source_wav: Some(speech.source.clone()),
        record_dir: Some(rec_dir),
        audio_codecs: vec![codec.name().into()],
        sip_trace: false,
        listen_ip: Some(ADDR_B),
        ..BaresipOptions::direct("bob")
    };
    let bob = path.b.run(|| Baresip::start(opts))??;

    let profile = dir.join("parla");
    let out = dir.join("parla-heard.wav");
    std::fs::create_dir_all(&profile).ctx(|| format!("creating {}", profile.display()))?;
    // No registration: the "registrar" only tells Parla which local address reaches bob
    // (10.77.0.1, the TUN device), and that is where it binds SIP and RTP.
    let config = format!(
        "[[accounts]]\nid = \"imp\"\nusername = \"alice\"\ndomain = \"{ADDR_B}\"\n\
         registrar = \"sip:{ADDR_B}:{port}\"\nregister = false\ncodecs = [\"{codec}\"]\n\
         [audio]\ninput = \"file:{input}\"\noutput = \"file:{output}\"\n",
        port = bob.sip_port(),
        codec = codec.name(),
        input = speech.source.display(),
        output = out.display(),
    );
    std::fs::write(profile.join("config.toml"), config).ctx(|| "writing config.toml".into())?;
    let mut parla = path.a.run(|| Headless::spawn(parla_bin, &profile))??;
    parla.wait_event(|v| v["event"] == "ready", T)?;
    let to = format!("sip:bob@{ADDR_B}:{}", bob.sip_port());
    let call = parla.call_connected(&to, T)?;

    std::thread::sleep(Duration::from_secs_f64(speech.period_seconds()) + EXTRA_CALL);

    parla.send(&json!({"cmd": "hangup", "call": call}))?;
    parla.wait_event(
        |v| v["event"] == "call_state" && v["call"] == call && v["state"] == "ended",
        T,
    )?;
    bob.wait_event_type("CALL_CLOSED", T)?;
    let (to_baresip, to_parla) = path.finish()?;

    let min_seconds = speech.seconds;
    let parla_recording = wait_wav(&out, min_seconds)?;
    let baresip_recording = poll_until(T, Duration::from_millis(100), || {
        Ok(bob
            .recordings()?
            .into_iter()
            .find(|p| wav_seconds(p).is_some_and(|s| s >= min_seconds)))
    })?
    .ok_or_else(|| BenchError::timeout("baresip's recording", T, Some(bob.log_path())))?;

    let reference = speech.reference(codec.pesq_rate());
    let parla_rx = pesq_score(reference, &parla_recording, codec.pesq_rate())?;
    let baresip_rx = pesq_score(reference, &baresip_recording, codec.pesq_rate())?;
    // baresip's folder goes with it: keep a copy beside Parla's.
    let baresip_copy = dir.join("baresip-heard.wav");
    std::fs::copy(&baresip_recording, &baresip_copy)
        .ctx(|| format!("copying {}", baresip_recording.display()))?;
    Ok(RowResult {
        parla_rx,
        baresip_rx,
        to_baresip,
        to_parla,
        parla_recording,
        baresip_recording: baresip_copy,
        dir,
    })
}

/// Length of a readable WAV file, seconds.
fn wav_seconds(path: &Path) -> Option<f64> {
    let r = hound::WavReader::open(path).ok()?;
    let spec = r.spec();
    let frames = r.len() / u32::from(spec.channels.max(1));
    Some(f64::from(frames) / f64::from(spec.sample_rate))
}

/// Waits until `path` is a finished WAV of at least `seconds`.
fn wait_wav(path: &Path, seconds: f64) -> Result<PathBuf> {
    poll_until(T, Duration::from_millis(100), || {
        Ok(wav_seconds(path)
            .is_some_and(|s| s >= seconds)
            .then(|| path.to_path_buf()))
    })?
    .ok_or_else(|| BenchError::timeout(format!("{} to be written", path.display()), T, None))
}
