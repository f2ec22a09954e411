//! Speech for quality measurements: a few Harvard sentences spoken by espeak-ng, as a
//! reference at 8 and 16 kHz and as a padded, repeated 48 kHz stereo source for senders.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{BenchError, IoContext, Result};

const SENTENCES: &str = "The birch canoe slid on the smooth planks. \
    Glue the sheet to the dark blue background. \
    It is easy to tell the depth of a well.";

/// Silence before and after each repetition in the source, seconds.
pub const PAD_SECONDS: f64 = 0.5;

/// The speech files of one run.
#[derive(Debug, Clone)]
pub struct Speech {
    /// The sentences alone, mono 16-bit at 8 kHz (narrowband PESQ reference).
    pub ref_8k: PathBuf,
    /// The sentences alone, mono 16-bit at 16 kHz (wideband PESQ reference).
    pub ref_16k: PathBuf,
    /// 48 kHz stereo: `repeats` x (pad, sentences, pad), what the senders play.
    pub source: PathBuf,
    /// Length of the sentences alone.
    pub seconds: f64,
}

impl Speech {
    /// The reference at `rate` (8000 or 16000).
    pub fn reference(&self, rate: u32) -> &Path {
        if rate <= 8000 {
            &self.ref_8k
        } else {
            &self.ref_16k
        }
    }

    /// Length of one repetition in the source (sentences and their padding).
    pub fn period_seconds(&self) -> f64 {
        self.seconds + 2.0 * PAD_SECONDS
    }
}

/// Makes the speech files in `dir` (espeak-ng and sox must be installed).
pub fn make_speech(dir: &Path, repeats: u32) -> Result<Speech> {
    let raw = dir.join("speech-raw.wav");
    run(Command::new("espeak-ng")
        .args(["-v", "en", "-s", "150", "-w"])
        .arg(&raw)
        .arg(SENTENCES))?;
    let ref_8k = dir.join("speech-8k.wav");
    let ref_16k = dir.join("speech-16k.wav");
    let source = dir.join("speech-source.wav");
    for (path, rate) in [(&ref_8k, "8000"), (&ref_16k, "16000")] {
        run(Command::new("sox")
            .arg(&raw)
            .args(["-r", rate, "-c", "1", "-b", "16"])
            .arg(path))?;
    }
    let pad = PAD_SECONDS.to_string();
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", "48000", "-c", "2", "-b", "16"])
        .arg(&source)
        .args([
            "pad",
            &pad,
            &pad,
            "repeat",
            &repeats.saturating_sub(1).to_string(),
        ]))?;
    let reader = hound::WavReader::open(&ref_16k)
        .map_err(|e| BenchError::Setup(format!("reading {}: {e}", ref_16k.display())))?;
    let seconds = f64::from(reader.duration()) / f64::from(reader.spec().sample_rate);
    Ok(Speech {
        ref_8k,
        ref_16k,
        source,
        seconds,
    })
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .ctx(|| format!("running {:?}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BenchError::Command {
            command: format!("{cmd:?}"),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}
