//! Playback written straight into the ALSA device's buffer from the media thread (Linux), in
//! place of cpal's output stream.
//!
//! Why not cpal's: its playback thread wakes for every device period and copies from a ring
//! that must hold a period and a margin; with PulseAudio's plugin, the plugin's own thread wakes
//! as often again. Writing each frame as it is decoded needs no thread and no ring, and the
//! device's buffer is the only queue: in a call that is about 40 % less CPU for the sound card
//! and a few ms less delay (`cargo bench --bench vs_baresip`, `--bench latency`). Device
//! lookup and names stay with cpal; the PCM opened here is the one cpal lists under the same
//! name.

use std::ffi::CString;
use std::sync::Arc;

use alsa::pcm::{HwParams, State, PCM};
use alsa::{Direction, ValueOr};

use super::alsa_capture::{set_sample_format, Params, SampleFormat};
use super::health::{retire, Failure};
use super::rt::Shared;
use super::{device_error, ms_to_samples};
use crate::error::MediaError;
use crate::resample::drift::PlaybackQueue;

/// Device period: how often the sound server asks for more. PulseAudio's plugin requests the
/// stream early, so the server keeps about one period in the sink besides our queue.
const PERIOD_MS: u32 = 10;
/// Device buffer: room for bursts (a late frame followed by the next) above the small fill
/// kept; it is not filled in steady state.
const BUFFER_MS: u32 = 80;
/// Most channels written (the scratch buffer is sized by them).
const MAX_CHANNELS: usize = 64;

/// An open PCM written from the media thread. Dropping it closes the PCM on a thread of its
/// own (closing can block: see [`retire`]).
pub(crate) struct AlsaPlayback {
    /// `None` only while being dropped.
    pcm: Option<PCM>,
    channels: usize,
    float: bool,
    buffer: usize,
    rate: u32,
    period: usize,
    /// Frames written since the device last started.
    written: u64,
    /// Frames it had played when last seen; progress counts as a callback for the stall watch.
    played: u64,
    /// The delay read at the start of the current frame (0 while stopped).
    fill: usize,
    scratch_f: Vec<f32>,
    scratch_i: Vec<i16>,
    shared: Arc<Shared>,
}

impl Drop for AlsaPlayback {
    fn drop(&mut self) {
        if let Some(pcm) = self.pcm.take() {
            retire(pcm);
        }
    }
}

impl AlsaPlayback {
    /// Opens the ALSA PCM `pcm_name` for non-blocking mono (or the fewest channels it takes)
    /// playback near 48 kHz; it starts with the first write.
    pub fn open(pcm_name: &str, shared: Arc<Shared>) -> Result<Self, MediaError> {
        let fail = |what: &str, e: alsa::Error| {
            device_error(format!("cannot {what} audio output \"{pcm_name}\": {e}"))
        };
        let name = CString::new(pcm_name)
            .map_err(|_| device_error(format!("audio output name \"{pcm_name}\" holds a NUL")))?;
        let pcm = PCM::open(&name, Direction::Playback, true).map_err(|e| fail("open", e))?;
        let params = configure(&pcm).map_err(|e| fail("configure", e))?;
        if params.channels > MAX_CHANNELS {
            return Err(device_error(format!(
                "audio output \"{pcm_name}\" has too many channels"
            )));
        }
        tracing::debug!(
            rate = params.rate,
            channels = params.channels,
            period = params.period,
            buffer = params.buffer,
            "playback through ALSA opened"
        );
        let scratch = params.buffer * params.channels;
        Ok(Self {
            pcm: Some(pcm),
            channels: params.channels,
            float: params.float,
            buffer: params.buffer,
            rate: params.rate,
            period: params.period,
            written: 0,
            played: 0,
            fill: 0,
            scratch_f: vec![0.0; if params.float { scratch } else { 0 }],
            scratch_i: vec![0; if params.float { 0 } else { scratch }],
            shared,
        })
    }

    /// The device's sample rate.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The device's period, in frames.
    pub fn period(&self) -> usize {
        self.period
    }

    /// Frames queued ahead of the speaker, as the device counts them (PulseAudio's plugin: our
    /// queue in the server and the sink's; its free-space pointer moves in the server's request
    /// chunks, so it is no measure of the fill).
    fn delay(&self) -> Option<usize> {
        let pcm = self.pcm.as_ref()?;
        if pcm.state() != State::Running {
            return None;
        }
        pcm.delay()
            .ok()
            .map(|d| (d.max(0) as usize).min(self.buffer))
    }

    /// Reads the delay for this frame, and counts the device's progress as a callback, so a
    /// device that stops playing is seen as stalled.
    fn note_progress(&mut self) {
        self.fill = 0;
        let Some(delay) = self.delay() else {
            return;
        };
        self.fill = delay;
        let played = self.written.saturating_sub(delay as u64);
        if played > self.played {
            self.played = played;
            Shared::bump(&self.shared.callbacks);
        }
    }

    /// Recovers from a write error, or records why the stream ended.
    fn recover(&mut self, e: alsa::Error) {
        let Some(pcm) = self.pcm.as_ref() else {
            return;
        };
        match e.errno() {
            libc::EPIPE => {
                Shared::bump(&self.shared.underruns);
                self.restart();
            }
            libc::ESTRPIPE => {
                if pcm.resume().is_err() {
                    self.restart();
                }
            }
            libc::EAGAIN | libc::EINTR => {}
            libc::ENODEV | libc::EBADFD => Failure::Gone.record(&self.shared),
            // Errors that keep coming while nothing plays are judged by the stall watch.
            _ => Shared::bump(&self.shared.errors),
        }
    }

    /// Prepares the device again (after an underrun); the next write starts it.
    fn restart(&mut self) {
        let Some(pcm) = self.pcm.as_ref() else {
            return;
        };
        self.written = 0;
        self.played = 0;
        self.fill = 0;
        match pcm.prepare() {
            Ok(()) => {}
            Err(e) if e.errno() == libc::ENODEV => Failure::Gone.record(&self.shared),
            Err(_) => Shared::bump(&self.shared.errors),
        }
    }

    /// Writes `n` frames (at most a buffer), each sample from `sample`, to every channel.
    fn write_frames(
        &mut self,
        n: usize,
        mut sample: impl FnMut(usize) -> f32,
    ) -> alsa::Result<usize> {
        let Some(pcm) = self.pcm.as_ref() else {
            return Ok(0);
        };
        let n = n.min(self.buffer);
        let ch = self.channels;
        if self.float {
            for (i, frame) in self.scratch_f.chunks_exact_mut(ch).take(n).enumerate() {
                frame.fill(sample(i));
            }
            pcm.io_f32()?.writei(&self.scratch_f[..n * ch])
        } else {
            for (i, frame) in self.scratch_i.chunks_exact_mut(ch).take(n).enumerate() {
                frame.fill((sample(i).clamp(-1.0, 1.0) * 32767.0) as i16);
            }
            pcm.io_i16()?.writei(&self.scratch_i[..n * ch])
        }
    }

    /// Writes `n` frames, retrying once after an underrun the sound server reported since the
    /// frame began (the device is prepared again, and the write starts it).
    fn write(&mut self, n: usize, mut sample: impl FnMut(usize) -> f32) -> usize {
        if n == 0 {
            return 0;
        }
        let mut result = self.write_frames(n, &mut sample);
        if let Err(e) = result {
            if e.errno() == libc::EPIPE {
                Shared::bump(&self.shared.underruns);
                self.restart();
                result = self.write_frames(n, &mut sample);
            }
        }
        match result {
            Ok(written) => {
                self.written += written as u64;
                written
            }
            Err(e) => {
                self.recover(e);
                0
            }
        }
    }
}

impl PlaybackQueue for AlsaPlayback {
    /// As read at the start of the frame ([`PlaybackQueue::ran_dry`]): the plugin is asked once
    /// per frame.
    fn queued(&self) -> usize {
        self.fill
    }

    fn ran_dry(&mut self) -> bool {
        // Reading the delay is also what turns an underrun the sound server reported into the
        // device's XRUN state (PulseAudio's plugin): read it first, once per frame, not between
        // the writes of one frame.
        self.note_progress();
        let Some(pcm) = self.pcm.as_ref() else {
            return false;
        };
        match pcm.state() {
            State::Running => false,
            State::XRun => {
                Shared::bump(&self.shared.underruns);
                self.restart();
                true
            }
            State::Suspended => {
                if pcm.resume().is_err() {
                    self.restart();
                }
                true
            }
            State::Disconnected => {
                Failure::Gone.record(&self.shared);
                true
            }
            // Not started yet (or after a restart): the next write starts it.
            _ => true,
        }
    }

    fn push(&mut self, samples: &[f32]) -> usize {
        self.write(samples.len(), |i| samples[i])
    }

    fn push_silence(&mut self, n: usize) -> usize {
        self.write(n, |_| 0.0)
    }
}

/// Interleaved float (else 16-bit), one channel if the device has it, ~48 kHz, [`PERIOD_MS`]
/// periods in a [`BUFFER_MS`] buffer, started by the first write; what the device accepted.
fn configure(pcm: &PCM) -> alsa::Result<Params> {
    let hw = HwParams::any(pcm)?;
    let SampleFormat {
        float,
        channels,
        rate,
    } = set_sample_format(&hw)?;
    let frames = |ms| ms_to_samples(rate, ms) as alsa::pcm::Frames;
    hw.set_period_size_near(frames(PERIOD_MS), ValueOr::Nearest)?;
    hw.set_buffer_size_near(frames(BUFFER_MS))?;
    pcm.hw_params(&hw)?;
    let (buffer, period) = pcm.get_params()?;
    let sw = pcm.sw_params_current()?;
    sw.set_start_threshold(1)?;
    sw.set_avail_min(period as alsa::pcm::Frames)?;
    pcm.sw_params(&sw)?;
    Ok(Params {
        rate,
        channels: channels.max(1) as usize,
        period: period.max(1) as usize,
        // At most a second: the scratch buffers are sized by it.
        buffer: buffer.clamp(1, u64::from(rate.max(1))) as usize,
        float,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_alsa_cannot_take_is_a_clear_error() {
        let shared = Arc::new(Shared::default());
        let err = AlsaPlayback::open("no_such_pcm_parla", Arc::clone(&shared))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("cannot open audio output \"no_such_pcm_parla\""),
            "{err}"
        );
        let err = AlsaPlayback::open("a\0b", shared)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("holds a NUL"), "{err}");
    }
}
