//! [`export`]: a message written out as WAV or as Ogg Opus (RFC 7845), through a temporary
//! file beside the output that is renamed into place only when complete.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use audiopus::coder::Encoder as RawEncoder;
use audiopus::{Application, Bitrate, Channels, SampleRate};
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use super::{Resampled, WavClip};
use crate::sample::{f32_to_i16, frame_samples};

/// The bitrate of exported Ogg Opus (bit/s): plenty for speech.
pub const OPUS_BITRATE: i32 = 28_000;
/// 20 ms at 48 kHz.
const OPUS_FRAME: usize = 960;
/// Audio packets per Ogg page (one second).
const PACKETS_PER_PAGE: u64 = 50;
/// Largest Opus packet we let the encoder write.
const MAX_PACKET: usize = 4000;

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
    let opus_err = |e: audiopus::Error| format!("Opus: {e}");
    let mut encoder = RawEncoder::new(SampleRate::Hz48000, Channels::Mono, Application::Voip)
        .map_err(opus_err)?;
    encoder
        .set_bitrate(Bitrate::BitsPerSecond(OPUS_BITRATE))
        .map_err(opus_err)?;
    encoder.set_complexity(10).map_err(opus_err)?;
    let pre_skip = encoder.lookahead().map_err(opus_err)?;
    let pre_skip = u16::try_from(pre_skip).map_err(|_| format!("Opus lookahead {pre_skip}"))?;

    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut ogg = PacketWriter::new(BufWriter::new(file));
    let serial = rand::random::<u32>();
    let io = |e: std::io::Error| e.to_string();
    ogg.write_packet(
        opus_head(pre_skip, audio.clip.rate),
        serial,
        PacketWriteEndInfo::EndPage,
        0,
    )
    .map_err(io)?;
    ogg.write_packet(opus_tags(), serial, PacketWriteEndInfo::EndPage, 0)
        .map_err(io)?;

    // The decoder drops `pre_skip` samples at the start; the last page's granule position
    // trims the padding at the end (RFC 7845 section 4).
    let samples = audio.total();
    let end_granule = samples + u64::from(pre_skip);
    let packets = end_granule.div_ceil(OPUS_FRAME as u64).max(1);
    let mut pcm = vec![0.0f32; OPUS_FRAME];
    let mut packet = vec![0u8; MAX_PACKET];
    for k in 1..=packets {
        let n = audio.read(&mut pcm).map_err(|e| e.to_string())?;
        pcm[n..].fill(0.0);
        let len = encoder.encode_float(&pcm, &mut packet).map_err(opus_err)?;
        let (end, granule) = if k == packets {
            (PacketWriteEndInfo::EndStream, end_granule)
        } else if k % PACKETS_PER_PAGE == 0 {
            (PacketWriteEndInfo::EndPage, k * OPUS_FRAME as u64)
        } else {
            (PacketWriteEndInfo::NormalPacket, k * OPUS_FRAME as u64)
        };
        ogg.write_packet(packet[..len].to_vec(), serial, end, granule)
            .map_err(io)?;
    }
    let mut out = ogg.into_inner();
    out.flush().map_err(io)?;
    out.get_ref().sync_all().map_err(io)
}

/// The identification header (RFC 7845 section 5.1): mono, channel mapping family 0.
fn opus_head(pre_skip: u16, input_rate: u32) -> Vec<u8> {
    let mut head = Vec::with_capacity(19);
    head.extend_from_slice(b"OpusHead");
    head.push(1); // version
    head.push(1); // channels
    head.extend_from_slice(&pre_skip.to_le_bytes());
    head.extend_from_slice(&input_rate.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes()); // output gain
    head.push(0); // mapping family
    head
}

/// The comment header (RFC 7845 section 5.2): our vendor string, no comments.
fn opus_tags() -> Vec<u8> {
    let vendor = format!("Parla {}", env!("CARGO_PKG_VERSION"));
    let mut tags = Vec::with_capacity(16 + vendor.len());
    tags.extend_from_slice(b"OpusTags");
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor.as_bytes());
    tags.extend_from_slice(&0u32.to_le_bytes());
    tags
}
