//! Capture through ALSA, read by the thread that uses the audio (Linux), in place of cpal's
//! input stream.
//!
//! Why not cpal's: cpal 0.18.2 polls again at once when `poll()` reports data but less than a
//! period is available. PulseAudio's ALSA plugin keeps its descriptor readable while its queue
//! holds a period, counting a fragment it has partly handed out already, so whenever the
//! server's chunks do not line up with the period that loop spins until the next chunk
//! arrives: 8-25 % of a core in a call (strace: hundreds of polls a second returning at once).
//! This reader sleeps for the missing frames instead. Device lookup, names and playback stay
//! with cpal; the PCM opened here is the one cpal lists under the same name.
//!
//! Why no thread of its own: a reader thread woke for each period and then woke the media
//! thread, two wake-ups a frame where the media thread's own `poll()` on the device is one
//! (the reader alone was 0.25-0.45 % of a core in a call, `cargo bench --bench vs_baresip`).
//! The media thread waits on the device's descriptors ([`AlsaCapture::wait`]) and reads what
//! is there into the same ring cpal's callback would fill; a reader on a clock (recording)
//! reads it at each `read` ([`AlsaCapture::pump`]).

use std::ffi::CString;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alsa::pcm::{Access, Format, HwParams, State, PCM};
use alsa::poll::Descriptors;
use alsa::{Direction, ValueOr};
use rtrb::{Consumer, RingBuffer};

use super::health::{retire, Failure};
use super::rt::{CaptureFeed, Shared};
use super::{device_error, ms_to_samples, RING_MS};
use crate::error::MediaError;

/// Without audio for this long the device's state is looked at: a capture that stopped (an
/// xrun the reads did not report) is restarted; a device gone is a failure. A quiet, healthy
/// one is left to the stall watch.
const IDLE: Duration = Duration::from_millis(100);
/// Periods in the device buffer: room for the media thread to be late (a read takes all that
/// is there, so a larger buffer adds no delay).
const PERIODS: u64 = 10;
/// Most channels taken (the read buffer is sized by them).
const MAX_CHANNELS: usize = 64;
/// Shortest nap when the device woke us with less than was asked for.
const MIN_NAP: Duration = Duration::from_micros(500);

/// Where `readi` puts the device's interleaved samples.
enum ReadBuffer {
    F32(Vec<f32>),
    I16(Vec<i16>),
}

/// A running capture, read on the caller's thread. Dropping it closes the device on a thread
/// of its own (closing can block: see [`retire`]).
pub(crate) struct AlsaCapture {
    /// `None` only while being dropped.
    pcm: Option<PCM>,
    params: Params,
    feed: CaptureFeed,
    shared: Arc<Shared>,
    buffer: ReadBuffer,
    fds: Vec<libc::pollfd>,
    /// When audio last came (or the device was last started).
    last_audio: Instant,
    /// A failure was recorded: the device is no longer touched (the link is replaced).
    failed: bool,
    /// Read since the ring was last read from: [`AlsaCapture::refresh`] need not read again.
    fresh: bool,
}

impl Drop for AlsaCapture {
    fn drop(&mut self) {
        if let Some(pcm) = self.pcm.take() {
            retire(pcm);
        }
    }
}

/// What was opened.
pub(crate) struct Opened {
    pub capture: AlsaCapture,
    /// Mono `f32` at `rate`.
    pub ring: Consumer<f32>,
    pub rate: u32,
    /// Frames per device period.
    pub period: usize,
}

/// Opens the ALSA PCM `pcm_name` for capture near 48 kHz with a ~`period_ms` period and starts
/// it; what is read from it goes into the ring it returns as mono `f32`.
pub(crate) fn open(
    pcm_name: &str,
    period_ms: u32,
    shared: Arc<Shared>,
) -> Result<Opened, MediaError> {
    let fail = |what: &str, e: alsa::Error| {
        device_error(format!("cannot {what} audio input \"{pcm_name}\": {e}"))
    };
    let name = CString::new(pcm_name)
        .map_err(|_| device_error(format!("audio input name \"{pcm_name}\" holds a NUL")))?;
    let pcm = PCM::open(&name, Direction::Capture, true).map_err(|e| fail("open", e))?;
    let params = configure(&pcm, period_ms).map_err(|e| fail("configure", e))?;
    let channels = u16::try_from(params.channels)
        .ok()
        .filter(|&c| usize::from(c) <= MAX_CHANNELS)
        .ok_or_else(|| device_error(format!("audio input \"{pcm_name}\" has too many channels")))?;
    let fds = pcm.get().map_err(|e| fail("poll", e))?;
    pcm.start().map_err(|e| fail("start", e))?;
    let (tx, rx) = RingBuffer::new(ms_to_samples(params.rate, RING_MS));
    let samples = params.buffer * params.channels;
    let buffer = if params.float {
        ReadBuffer::F32(vec![0.0; samples])
    } else {
        ReadBuffer::I16(vec![0; samples])
    };
    Ok(Opened {
        capture: AlsaCapture {
            pcm: Some(pcm),
            params,
            feed: CaptureFeed::new(tx, channels, Arc::clone(&shared)),
            shared,
            buffer,
            fds,
            last_audio: Instant::now(),
            failed: false,
            fresh: false,
        },
        ring: rx,
        rate: params.rate,
        period: params.period,
    })
}

/// What an ALSA device was configured to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Params {
    pub rate: u32,
    pub channels: usize,
    /// Frames per period.
    pub period: usize,
    /// Frames in the buffer.
    pub buffer: usize,
    pub float: bool,
}

/// Interleaved float (else 16-bit), one channel if the device has it, ~48 kHz, `period_ms`
/// periods; what the device accepted.
fn configure(pcm: &PCM, period_ms: u32) -> alsa::Result<Params> {
    let hw = HwParams::any(pcm)?;
    let SampleFormat {
        float,
        channels,
        rate,
    } = set_sample_format(&hw)?;
    let period = ms_to_samples(rate, period_ms) as alsa::pcm::Frames;
    let period = hw.set_period_size_near(period, ValueOr::Nearest)?;
    hw.set_buffer_size_near(period * PERIODS as alsa::pcm::Frames)?;
    pcm.hw_params(&hw)?;
    let (buffer, period) = pcm.get_params()?;
    let sw = pcm.sw_params_current()?;
    sw.set_avail_min(period as alsa::pcm::Frames)?;
    pcm.sw_params(&sw)?;
    Ok(Params {
        rate,
        channels: channels.max(1) as usize,
        period: period.max(1) as usize,
        // What one read takes at most: the device's buffer, at most a second.
        buffer: buffer.max(period).clamp(1, u64::from(rate.max(1))) as usize,
        float,
    })
}

/// What [`set_sample_format`] got.
pub(super) struct SampleFormat {
    pub float: bool,
    pub channels: u32,
    pub rate: u32,
}

/// Interleaved float (else 16-bit), one channel if the device has it, ~48 kHz: the formats
/// Parla's own ALSA reader and writer take.
pub(super) fn set_sample_format(hw: &HwParams) -> alsa::Result<SampleFormat> {
    hw.set_access(Access::RWInterleaved)?;
    let float = hw.set_format(Format::float()).is_ok();
    if !float {
        hw.set_format(Format::s16())?;
    }
    let channels = hw.set_channels_near(1)?;
    let rate = hw.set_rate_near(48_000, ValueOr::Nearest)?;
    Ok(SampleFormat {
        float,
        channels,
        rate,
    })
}

/// What one read found.
enum Turn {
    /// Audio read into the ring.
    Read,
    /// Nothing to read yet.
    Wait,
    Failed(Failure),
}

impl AlsaCapture {
    /// As [`AlsaCapture::pump`], unless that was done since the ring was last read from
    /// ([`AlsaCapture::consumed`]): each look at the device is a round through PulseAudio's
    /// plugin (its lock and several system calls), and a reader that waited has just looked.
    pub fn refresh(&mut self) {
        if !self.fresh {
            self.pump();
        }
    }

    /// The ring was read from.
    pub fn consumed(&mut self) {
        self.fresh = false;
    }

    /// Reads whatever the device holds into the ring, without waiting.
    pub fn pump(&mut self) {
        self.pump_known(None);
    }

    /// [`AlsaCapture::pump`], with what the device said it holds if that was just asked.
    fn pump_known(&mut self, avail: Option<usize>) {
        self.fresh = true;
        if self.failed {
            return;
        }
        match self.read_available(avail) {
            Turn::Read => self.last_audio = Instant::now(),
            Turn::Wait if self.last_audio.elapsed() >= IDLE => {
                let turn = self.idle();
                self.settle(turn);
            }
            turn => self.settle(turn),
        }
    }

    /// Waits up to `timeout` until the device holds at least `frames` (it wakes the caller),
    /// then reads what is there.
    pub fn wait(&mut self, frames: usize, timeout: Duration) {
        if self.failed {
            std::thread::sleep(timeout);
            return;
        }
        let started = Instant::now();
        let Some(pcm) = self.pcm.as_ref() else {
            return;
        };
        let ms = i32::try_from(timeout.as_micros().div_ceil(1000)).unwrap_or(i32::MAX);
        let woke = alsa::poll::poll(&mut self.fds, ms.max(1));
        Shared::bump(&self.shared.wakeups);
        match woke {
            Ok(0) => {}
            Ok(_) => match pcm.revents(&self.fds) {
                Ok(flags) if flags.intersects(alsa::poll::Flags::HUP | alsa::poll::Flags::NVAL) => {
                    return self.settle(Turn::Failed(Failure::Gone));
                }
                Ok(_) => {
                    let avail = pcm.avail_update().map_or(0, |f| f.max(0) as usize);
                    if avail >= frames {
                        return self.pump_known(Some(avail));
                    }
                    // The wake-up cpal would spin on: wait for the rest.
                    let rest = timeout.saturating_sub(started.elapsed());
                    self.nap((frames - avail).min(self.params.buffer), rest);
                }
                Err(e) => {
                    let turn = self.recover(e);
                    return self.settle(turn);
                }
            },
            Err(e) if e.errno() == libc::EINTR => {}
            Err(_) => return self.settle(Turn::Failed(Failure::Errors)),
        }
        self.pump();
    }

    fn settle(&mut self, turn: Turn) {
        if let Turn::Failed(failure) = turn {
            failure.record(&self.shared);
            self.failed = true;
        }
    }

    fn read_available(&mut self, known: Option<usize>) -> Turn {
        let Some(pcm) = self.pcm.as_ref() else {
            return Turn::Wait;
        };
        let avail = match known.map_or_else(|| pcm.avail_update(), |n| Ok(n as alsa::pcm::Frames)) {
            Ok(frames) => frames.max(0) as usize,
            Err(e) => return self.recover(e),
        };
        if avail == 0 {
            return Turn::Wait;
        }
        let channels = self.params.channels.max(1);
        let read = match &mut self.buffer {
            ReadBuffer::F32(buf) => read_into(pcm.io_f32(), buf, avail, channels)
                .map(|n| self.feed.on_data(&buf[..n * channels])),
            ReadBuffer::I16(buf) => read_into(pcm.io_i16(), buf, avail, channels)
                .map(|n| self.feed.on_data(&buf[..n * channels])),
        };
        match read {
            Ok(()) => Turn::Read,
            Err(e) if e.errno() == libc::EAGAIN => Turn::Wait,
            Err(e) => self.recover(e),
        }
    }

    /// Nothing for a while: a capture that stopped (an xrun no read reported) is restarted; a
    /// device gone is a failure. A quiet, healthy one is left to the media side's stall watch.
    fn idle(&mut self) -> Turn {
        let Some(pcm) = self.pcm.as_ref() else {
            return Turn::Wait;
        };
        match pcm.state() {
            State::Disconnected => Turn::Failed(Failure::Gone),
            State::XRun | State::Suspended | State::Setup | State::Prepared => self.restart(),
            _ => Turn::Wait,
        }
    }

    /// An overrun or suspend is recovered; anything else ends the stream.
    fn recover(&mut self, e: alsa::Error) -> Turn {
        match e.errno() {
            libc::EPIPE => {
                Shared::bump(&self.shared.xruns);
                self.restart()
            }
            libc::ESTRPIPE => {
                if self.pcm.as_ref().is_some_and(|pcm| pcm.resume().is_ok()) {
                    Turn::Wait
                } else {
                    self.restart()
                }
            }
            libc::EAGAIN | libc::EINTR => Turn::Wait,
            libc::ENODEV | libc::EBADFD => Turn::Failed(Failure::Gone),
            _ => {
                // Errors that keep coming with no audio are judged by the stall watch.
                Shared::bump(&self.shared.errors);
                Turn::Wait
            }
        }
    }

    fn restart(&mut self) -> Turn {
        let Some(pcm) = self.pcm.as_ref() else {
            return Turn::Wait;
        };
        // Whatever happens, the state is not looked at again for a while.
        self.last_audio = Instant::now();
        match pcm.prepare().and_then(|()| pcm.start()) {
            Ok(()) => Turn::Wait,
            Err(e) if e.errno() == libc::ENODEV => Turn::Failed(Failure::Gone),
            Err(_) => {
                Shared::bump(&self.shared.errors);
                Turn::Wait
            }
        }
    }

    /// Sleeps for `frames` at the device's rate, at most `limit`.
    fn nap(&self, frames: usize, limit: Duration) {
        let micros = frames as u64 * 1_000_000 / u64::from(self.params.rate.max(1));
        std::thread::sleep(Duration::from_micros(micros).max(MIN_NAP).min(limit));
    }
}

/// Reads up to `avail` frames (at most what `buf` holds) through `io`; the frames read.
fn read_into<S: alsa::pcm::IoFormat + Copy>(
    io: alsa::Result<alsa::pcm::IO<'_, S>>,
    buf: &mut [S],
    avail: usize,
    channels: usize,
) -> alsa::Result<usize> {
    let frames = avail.min(buf.len() / channels);
    let read = io?.readi(&mut buf[..frames * channels])?;
    Ok(read.min(frames))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(name: &str) -> String {
        match open(name, 5, Arc::new(Shared::default())) {
            Ok(_) => panic!("{name:?} opened"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_name_alsa_cannot_take_is_a_clear_error() {
        let text = error_of("default\0evil");
        assert!(text.contains("holds a NUL"), "{text}");
        let text = error_of("parla_no_such_pcm");
        assert!(
            text.contains("cannot open audio input \"parla_no_such_pcm\""),
            "{text}"
        );
    }
}
