//! Ogg Opus (RFC 7845) written as a stream: 48 kHz, mono or stereo (channel mapping family 0),
//! 20 ms packets, one page a second. Used by message export and by call recording.

use std::io::Write;

use audiopus::coder::Encoder as RawEncoder;
use audiopus::{Application, Bitrate, Channels, SampleRate};
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

/// 20 ms at 48 kHz, per channel.
pub(crate) const OPUS_FRAME: usize = 960;
/// Audio packets per Ogg page (one second).
const PACKETS_PER_PAGE: u64 = 50;
/// Largest Opus packet we let the encoder write.
const MAX_PACKET: usize = 4000;

/// Encodes interleaved 48 kHz samples into an Ogg Opus stream. [`OggOpusWriter::finish`]
/// writes the last page, whose granule position trims the padding (RFC 7845 section 4).
pub(crate) struct OggOpusWriter<W: Write> {
    ogg: PacketWriter<'static, W>,
    encoder: RawEncoder,
    serial: u32,
    channels: usize,
    pre_skip: u16,
    /// Interleaved samples of the frame being filled.
    frame: Vec<f32>,
    filled: usize,
    /// The last packet encoded, held back so the final one can end the stream.
    held: Option<Vec<u8>>,
    packets: u64,
    /// Samples per channel given so far.
    samples: u64,
    packet: Vec<u8>,
}

fn opus_err(e: audiopus::Error) -> String {
    format!("Opus: {e}")
}

fn io_err(e: std::io::Error) -> String {
    e.to_string()
}

impl<W: Write> OggOpusWriter<W> {
    /// Writes both headers. `channels` is 1 or 2; `input_rate` goes in the header for players
    /// that decode back to the original rate.
    pub fn new(out: W, channels: usize, bitrate: i32, input_rate: u32) -> Result<Self, String> {
        let opus_channels = match channels {
            1 => Channels::Mono,
            2 => Channels::Stereo,
            n => return Err(format!("{n} channels: Ogg Opus here is mono or stereo")),
        };
        let mut encoder = RawEncoder::new(SampleRate::Hz48000, opus_channels, Application::Voip)
            .map_err(opus_err)?;
        encoder
            .set_bitrate(Bitrate::BitsPerSecond(bitrate))
            .map_err(opus_err)?;
        encoder.set_complexity(10).map_err(opus_err)?;
        let pre_skip = encoder.lookahead().map_err(opus_err)?;
        let pre_skip = u16::try_from(pre_skip).map_err(|_| format!("Opus lookahead {pre_skip}"))?;
        let mut ogg = PacketWriter::new(out);
        let serial = rand::random::<u32>();
        ogg.write_packet(
            opus_head(channels as u8, pre_skip, input_rate),
            serial,
            PacketWriteEndInfo::EndPage,
            0,
        )
        .map_err(io_err)?;
        ogg.write_packet(opus_tags(), serial, PacketWriteEndInfo::EndPage, 0)
            .map_err(io_err)?;
        Ok(Self {
            ogg,
            encoder,
            serial,
            channels,
            pre_skip,
            frame: vec![0.0; OPUS_FRAME * channels],
            filled: 0,
            held: None,
            packets: 0,
            samples: 0,
            packet: vec![0; MAX_PACKET],
        })
    }

    /// Adds interleaved samples (a whole number of sample frames).
    pub fn write(&mut self, mut interleaved: &[f32]) -> Result<(), String> {
        self.samples += (interleaved.len() / self.channels) as u64;
        while !interleaved.is_empty() {
            let take = (self.frame.len() - self.filled).min(interleaved.len());
            self.frame[self.filled..self.filled + take].copy_from_slice(&interleaved[..take]);
            self.filled += take;
            interleaved = &interleaved[take..];
            if self.filled == self.frame.len() {
                self.encode_frame()?;
            }
        }
        Ok(())
    }

    fn encode_frame(&mut self) -> Result<(), String> {
        let len = self
            .encoder
            .encode_float(&self.frame, &mut self.packet)
            .map_err(opus_err)?;
        self.filled = 0;
        if let Some(previous) = self.held.take() {
            self.write_held(previous, PacketWriteEndInfo::NormalPacket, None)?;
        }
        self.held = Some(self.packet[..len].to_vec());
        Ok(())
    }

    /// Writes a held packet, the `packets`-th; the end of a second ends its page.
    fn write_held(
        &mut self,
        packet: Vec<u8>,
        end: PacketWriteEndInfo,
        granule: Option<u64>,
    ) -> Result<(), String> {
        self.packets += 1;
        let k = self.packets;
        let end = match end {
            PacketWriteEndInfo::NormalPacket if k.is_multiple_of(PACKETS_PER_PAGE) => {
                PacketWriteEndInfo::EndPage
            }
            other => other,
        };
        let granule = granule.unwrap_or(k * OPUS_FRAME as u64);
        self.ogg
            .write_packet(packet, self.serial, end, granule)
            .map_err(io_err)
    }

    /// Flushes the encoder's lookahead, ends the stream and hands the output back (flushed).
    pub fn finish(mut self) -> Result<W, String> {
        let samples = self.samples;
        // The decoder drops `pre_skip` samples at the start: feed that much silence more so
        // the last real sample comes out, then pad to a whole packet.
        let mut flush = usize::from(self.pre_skip) * self.channels;
        while flush > 0 || self.filled > 0 || self.held.is_none() {
            let space = self.frame.len() - self.filled;
            let take = if flush > 0 { space.min(flush) } else { space };
            self.frame[self.filled..self.filled + take].fill(0.0);
            self.filled += take;
            flush = flush.saturating_sub(take);
            if self.filled == self.frame.len() {
                self.encode_frame()?;
            }
        }
        let end_granule = samples + u64::from(self.pre_skip);
        if let Some(last) = self.held.take() {
            self.write_held(last, PacketWriteEndInfo::EndStream, Some(end_granule))?;
        }
        let mut out = self.ogg.into_inner();
        out.flush().map_err(io_err)?;
        Ok(out)
    }
}

/// The identification header (RFC 7845 section 5.1), channel mapping family 0.
fn opus_head(channels: u8, pre_skip: u16, input_rate: u32) -> Vec<u8> {
    let mut head = Vec::with_capacity(19);
    head.extend_from_slice(b"OpusHead");
    head.push(1); // version
    head.push(channels);
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
