//! PESQ scores of received speech, by `pesq_score.py` in the test venv (PyPI `pesq`).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::error::{BenchError, IoContext, Result};
use crate::impair::VENV_PYTHON;

const SCORER: &str = include_str!("pesq_score.py");

/// One score and how the recording was aligned to the reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PesqScore {
    /// MOS-LQO: narrowband (P.862) at 8 kHz, wideband (P.862.2) at 16 kHz.
    pub mos: f64,
    /// Where in the recording the best-matching window starts, seconds.
    pub lag_s: f64,
    /// Normalised correlation of that window with the reference (1: identical).
    pub corr: f64,
    /// Level of that window, dBFS.
    pub rms_db: f64,
}

/// Scores `received` (any WAV) against `reference` (mono 16-bit at `rate`, 8000 or 16000).
pub fn pesq_score(reference: &Path, received: &Path, rate: u32) -> Result<PesqScore> {
    let out = Command::new(VENV_PYTHON)
        .arg("-c")
        .arg(SCORER)
        .arg(reference)
        .arg(received)
        .arg(rate.to_string())
        .output()
        .ctx(|| format!("running the PESQ scorer with {VENV_PYTHON}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let err = |detail: String| BenchError::Protocol {
        peer: "pesq_score.py".into(),
        detail,
    };
    if !out.status.success() {
        return Err(err(format!(
            "{}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| err(format!("{text:?}: {e}")))?;
    if let Some(e) = v["error"].as_str() {
        return Err(err(format!(
            "{} vs {}: {e}",
            received.display(),
            reference.display()
        )));
    }
    let f = |k: &str| v[k].as_f64().ok_or_else(|| err(format!("no {k} in {v}")));
    Ok(PesqScore {
        mos: f("pesq")?,
        lag_s: f("lag_s")?,
        corr: f("corr")?,
        rms_db: f("rms_db")?,
    })
}
