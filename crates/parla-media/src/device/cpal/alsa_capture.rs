//! Capture through ALSA on a thread of our own (Linux), in place of cpal's input stream.
//!
//! Why not cpal's: cpal 0.18.2 polls again at once when `poll()` reports data but less than a
//! period is available. PulseAudio's ALSA plugin keeps its descriptor readable while its queue
//! holds a period, counting a fragment it has partly handed out already, so whenever the
//! server's chunks do not line up with the period that loop spins until the next chunk
//! arrives: 8-25 % of a core in a call (strace: hundreds of polls a second returning at once).
//! This reader sleeps for the missing frames instead. Device lookup, names and playback stay
//! with cpal; the PCM opened here is the one cpal lists under the same name.

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use alsa::pcm::{Access, Format, HwParams, State, IO, PCM};
use alsa::poll::Descriptors;
use alsa::{Direction, ValueOr};
use rtrb::{Consumer, RingBuffer};

use super::health::Failure;
use super::rt::{CaptureFeed, Shared};
use super::stream::Built;
use super::{device_error, ms_to_samples, RING_MS};
use crate::error::MediaError;

/// Longest wait in `poll()`: how soon a stop, or a device that went quiet, is noticed.
const POLL_TIMEOUT_MS: i32 = 100;
/// Periods in the device buffer: only a backlog, read as soon as it is there.
const PERIODS: u64 = 4;
/// Most channels taken (the read buffer is sized by them).
const MAX_CHANNELS: usize = 64;
/// Shortest nap when the device woke us with less than a period.
const MIN_NAP: Duration = Duration::from_micros(500);

/// A running capture; dropping it stops the thread, which then closes the device.
pub(crate) struct AlsaCapture {
    stop: Arc<AtomicBool>,
    // Detached on drop, not joined: closing can block (see `health::retire`).
    _thread: JoinHandle<()>,
}

impl Drop for AlsaCapture {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
    }
}

/// Opens the ALSA PCM `pcm_name` for capture near 48 kHz with a ~`period_ms` period, and starts
/// delivering mono `f32` into the ring it returns.
pub(crate) fn open(
    pcm_name: &str,
    period_ms: u32,
    shared: Arc<Shared>,
) -> Result<Built<Consumer<f32>, AlsaCapture>, MediaError> {
    let fail = |what: &str, e: alsa::Error| {
        device_error(format!("cannot {what} audio input \"{pcm_name}\": {e}"))
    };
    let name = CString::new(pcm_name)
        .map_err(|_| device_error(format!("audio input name \"{pcm_name}\" holds a NUL")))?;
    let pcm = PCM::open(&name, Direction::Capture, true).map_err(|e| fail("open", e))?;
    let params = configure(&pcm, period_ms).map_err(|e| fail("configure", e))?;
    pcm.start().map_err(|e| fail("start", e))?;
    let rate = params.rate;
    let period = params.period;
    let (tx, rx) = RingBuffer::new(ms_to_samples(rate, RING_MS));
    let channels = u16::try_from(params.channels)
        .ok()
        .filter(|&c| usize::from(c) <= MAX_CHANNELS)
        .ok_or_else(|| device_error(format!("audio input \"{pcm_name}\" has too many channels")))?;
    let feed = CaptureFeed::new(tx, channels, Arc::clone(&shared));
    let stop = Arc::new(AtomicBool::new(false));
    let reader = Reader {
        pcm,
        params,
        feed,
        shared: Arc::clone(&shared),
        stop: Arc::clone(&stop),
    };
    let thread = std::thread::Builder::new()
        .name("parla-alsa-in".into())
        .spawn(move || reader.run())
        .map_err(|e| device_error(format!("no thread for audio input \"{pcm_name}\": {e}")))?;
    Ok(Built {
        stream: AlsaCapture {
            stop,
            _thread: thread,
        },
        ring: rx,
        shared,
        rate,
        period,
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

struct Reader {
    pcm: PCM,
    params: Params,
    feed: CaptureFeed,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

/// What one turn of the loop found.
enum Turn {
    /// Frames read into the buffer.
    Read(usize),
    /// Nothing to read yet.
    Wait,
    Failed(Failure),
}

impl Reader {
    fn run(self) {
        let Self {
            pcm,
            params,
            mut feed,
            shared,
            stop,
        } = self;
        let period = u32::try_from(params.period).unwrap_or(u32::MAX);
        let _realtime = crate::realtime::promote("audio input", period, params.rate);
        let samples = params.buffer * params.channels;
        let wake = &shared.frame_wake;
        let result = if params.float {
            pcm.io_f32().map(|io| {
                let mut buf = vec![0f32; samples];
                Loop::new(&pcm, params, &shared, &stop).run(io, &mut buf, |d| {
                    feed.on_data(d);
                    wake.notify(feed.queued());
                });
            })
        } else {
            pcm.io_i16().map(|io| {
                let mut buf = vec![0i16; samples];
                Loop::new(&pcm, params, &shared, &stop).run(io, &mut buf, |d| {
                    feed.on_data(d);
                    wake.notify(feed.queued());
                });
            })
        };
        if result.is_err() {
            Failure::Errors.record(&shared);
        }
        // The PCM closes here, on this thread.
    }
}

struct Loop<'a> {
    pcm: &'a PCM,
    params: Params,
    shared: &'a Shared,
    stop: &'a AtomicBool,
}

impl<'a> Loop<'a> {
    fn new(pcm: &'a PCM, params: Params, shared: &'a Shared, stop: &'a AtomicBool) -> Self {
        Self {
            pcm,
            params,
            shared,
            stop,
        }
    }

    fn run<S: alsa::pcm::IoFormat + Copy>(
        &self,
        io: IO<'_, S>,
        buf: &mut [S],
        mut deliver: impl FnMut(&[S]),
    ) {
        let Ok(mut fds) = self.pcm.get() else {
            Failure::Errors.record(self.shared);
            return;
        };
        while !self.stop.load(Relaxed) {
            match self.turn(&io, &mut fds, buf) {
                Turn::Read(frames) => {
                    let end = (frames * self.params.channels).min(buf.len());
                    deliver(&buf[..end]);
                }
                Turn::Wait => {}
                Turn::Failed(failure) => {
                    failure.record(self.shared);
                    return;
                }
            }
        }
    }

    fn turn<S: alsa::pcm::IoFormat + Copy>(
        &self,
        io: &IO<'_, S>,
        fds: &mut [libc::pollfd],
        buf: &mut [S],
    ) -> Turn {
        let woke = alsa::poll::poll(fds, POLL_TIMEOUT_MS);
        Shared::bump(&self.shared.wakeups);
        match woke {
            Ok(0) => return self.idle(),
            Ok(_) => {}
            Err(e) if e.errno() == libc::EINTR => return Turn::Wait,
            Err(_) => return Turn::Failed(Failure::Errors),
        }
        match self.pcm.revents(fds) {
            Ok(flags) if flags.intersects(alsa::poll::Flags::HUP | alsa::poll::Flags::NVAL) => {
                return Turn::Failed(Failure::Gone)
            }
            Ok(_) => {}
            Err(e) => return self.recover(e),
        }
        let avail = match self.pcm.avail_update() {
            Ok(frames) => frames.max(0) as usize,
            Err(e) => return self.recover(e),
        };
        if avail < self.params.period {
            // The wake-up cpal would spin on: wait for the rest of the period.
            self.nap(self.params.period - avail);
            return Turn::Wait;
        }
        // Whole periods only. A device that hands over audio in chunks that do not divide the
        // period (PulseAudio's fragments) is found with a little more: left in its buffer, it
        // counts towards the next period, so the next wake-up comes when the next frame is
        // complete; taken, it would wait in the ring with the wake-up a whole period after it,
        // and the ring would hold more and more of it (up to a frame: 10 ms more delay on
        // average in the latency bench).
        let whole = avail - avail % self.params.period.max(1);
        let frames = whole.min(buf.len() / self.params.channels.max(1));
        match io.readi(&mut buf[..frames * self.params.channels]) {
            Ok(read) => Turn::Read(read),
            Err(e) => self.recover(e),
        }
    }

    /// Nothing for a whole poll timeout: a capture that stopped (an xrun the poll did not
    /// report) is restarted; a device gone is a failure. A quiet, healthy one is left to the
    /// media side's stall watch.
    fn idle(&self) -> Turn {
        match self.pcm.state() {
            State::Disconnected => Turn::Failed(Failure::Gone),
            State::XRun | State::Suspended | State::Setup | State::Prepared => self.restart(),
            _ => Turn::Wait,
        }
    }

    /// An overrun or suspend is recovered; anything else ends the stream.
    fn recover(&self, e: alsa::Error) -> Turn {
        match e.errno() {
            libc::EPIPE => {
                Shared::bump(&self.shared.xruns);
                self.restart()
            }
            libc::ESTRPIPE => {
                if self.pcm.resume().is_ok() {
                    Turn::Wait
                } else {
                    self.restart()
                }
            }
            libc::EAGAIN | libc::EINTR => {
                // Said ready, yet nothing to read: do not spin (a real-time thread that never
                // blocks is ended by the kernel under rtkit's limit, see realtime/rtkit.rs).
                self.nap(0);
                Turn::Wait
            }
            libc::ENODEV | libc::EBADFD => Turn::Failed(Failure::Gone),
            _ => {
                Shared::bump(&self.shared.errors);
                // Errors that keep coming with no audio are judged by the stall watch; do not
                // spin on them meanwhile.
                self.nap(self.params.period);
                Turn::Wait
            }
        }
    }

    fn restart(&self) -> Turn {
        match self.pcm.prepare().and_then(|()| self.pcm.start()) {
            Ok(()) => Turn::Wait,
            Err(e) if e.errno() == libc::ENODEV => Turn::Failed(Failure::Gone),
            Err(_) => {
                Shared::bump(&self.shared.errors);
                self.nap(self.params.period);
                Turn::Wait
            }
        }
    }

    /// Sleeps for `frames` at the device's rate.
    fn nap(&self, frames: usize) {
        let micros = frames as u64 * 1_000_000 / u64::from(self.params.rate.max(1));
        std::thread::sleep(Duration::from_micros(micros).max(MIN_NAP));
    }
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
