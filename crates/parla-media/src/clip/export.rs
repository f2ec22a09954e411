//! [`export`]: a message written out as WAV or as Ogg Opus (RFC 7845), through a temporary
//! file beside the output that is renamed into place only when complete.

use std::ffi::OsStr;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use super::{Resampled, WavClip};
use crate::ogg_opus::{OggOpusWriter, OPUS_FRAME};
use crate::sample::{f32_to_i16, frame_samples};

/// The bitrate of exported Ogg Opus (bit/s): plenty for speech.
pub const OPUS_BITRATE: i32 = 28_000;

/// Why [`export`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot export to {}: the file name must end in .wav, .ogg or .opus", .0.display())]
    UnsupportedFormat(PathBuf),
    #[error("cannot read the message {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

#[derive(Clone, Copy)]
enum Kind {
    Wav,
    OggOpus,
}

/// Writes the WAV message `source` to `output`: `.wav` as WAV (mono 16-bit at the message's
/// rate), `.ogg` or `.opus` as Ogg Opus (RFC 7845, mono, 48 kHz, 20 ms packets). On error
/// nothing is left at `output` (a file already there stays as it was).
pub fn export(source: &Path, output: &Path) -> Result<(), ExportError> {
    let ext = output
        .extension()
        .and_then(OsStr::to_str)
        .map(str::to_ascii_lowercase);
    let kind = match ext.as_deref() {
        Some("wav") => Kind::Wav,
        Some("ogg" | "opus") => Kind::OggOpus,
        _ => return Err(ExportError::UnsupportedFormat(output.to_path_buf())),
    };
    let read_err = |reason: String| ExportError::Read {
        path: source.to_path_buf(),
        reason,
    };
    let temp = TempFile::create(output)?;
    let written = match kind {
        Kind::Wav => {
            let clip = WavClip::open(source).map_err(|e| read_err(e.to_string()))?;
            write_wav(clip, &temp.path)
        }
        Kind::OggOpus => {
            let audio = Resampled::open(source).map_err(|e| read_err(e.to_string()))?;
            write_ogg_opus(audio, &temp.path)
        }
    };
    written.map_err(|reason| ExportError::Write {
        path: output.to_path_buf(),
        reason,
    })?;
    temp.persist(output)
}

/// A file beside the output, removed unless renamed onto it.
struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    fn create(output: &Path) -> Result<Self, ExportError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let write_err = |reason: String| ExportError::Write {
            path: output.to_path_buf(),
            reason,
        };
        let name = output
            .file_name()
            .ok_or_else(|| write_err("not a file name".into()))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".{}-{}.partial",
            std::process::id(),
            NEXT.fetch_add(1, Relaxed)
        ));
        let path = output.with_file_name(temp_name);
        // Created here so a folder that cannot be written is found before any work.
        File::create(&path).map_err(|e| write_err(e.to_string()))?;
        Ok(Self { path, kept: false })
    }

    fn persist(mut self, output: &Path) -> Result<(), ExportError> {
        std::fs::rename(&self.path, output).map_err(|e| ExportError::Write {
            path: output.to_path_buf(),
            reason: e.to_string(),
        })?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn write_wav(mut clip: WavClip, path: &Path) -> Result<(), String> {
    let mut writer =
        crate::device::file::create_mono_wav(path, clip.rate).map_err(|e| e.to_string())?;
    let chunk = frame_samples(clip.rate, 20).max(1);
    let mut block = Vec::with_capacity(chunk);
    loop {
        block.clear();
        clip.read_block(chunk, &mut block);
        if block.is_empty() {
            break;
        }
        for &s in &block {
            writer
                .write_sample(f32_to_i16(s))
                .map_err(|e| e.to_string())?;
        }
    }
    writer.finalize().map_err(|e| e.to_string())
}

fn write_ogg_opus(mut audio: Resampled, path: &Path) -> Result<(), String> {
    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut ogg = OggOpusWriter::new(BufWriter::new(file), 1, OPUS_BITRATE, audio.clip.rate)?;
    let mut pcm = vec![0.0f32; OPUS_FRAME];
    while !audio.at_end() {
        let n = audio.read(&mut pcm).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        ogg.write(&pcm[..n])?;
    }
    let out = ogg.finish()?;
    out.get_ref().sync_all().map_err(|e| e.to_string())
}
