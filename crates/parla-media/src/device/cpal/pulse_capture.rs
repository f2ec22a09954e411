//! Capture from the sound server itself through libpulse (Linux: the default input, and the
//! server's sources by name, `pulse:NAME`), in place of our ALSA reader over PulseAudio's ALSA
//! plugin.
//!
//! Why: through the plugin, the audio crosses two threads before the media thread sees it
//! (PulseAudio's client thread, then our reader, woken through the plugin's descriptor), and the
//! plugin has a deadlock our reader cannot avoid: a read that ends inside one of the server's
//! fragments keeps that fragment acquired, and when the connection dies the plugin's thread waits
//! for it, holding the lock the next read needs, so the reader, its PCM and the connection are
//! never freed. Here the client thread's read callback takes the fragments whole once they make
//! up a period and hands whole periods to the ring, waking the media thread when its frame is
//! in: one thread fewer in a call, nothing acquired between callbacks. PipeWire's PulseAudio
//! server serves it the same way. Without a server the ALSA reader takes over.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use libpulse_binding as pulse;
use pulse::def::BufferAttr;
use pulse::sample::{Format, Spec};
use pulse::stream::{self, PeekResult, Stream};
use rtrb::{Consumer, RingBuffer};

use super::health::Failure;
use super::pulse_connection::{on_end, Connection, OwnThread};
use super::rt::{CaptureFeed, Shared};
use super::stream::Built;
use super::{device_error, ms_to_samples, RING_MS};
use crate::error::MediaError;

/// The rate asked of the server (it converts from the source's own).
const RATE: u32 = 48_000;
const SAMPLE_BYTES: usize = std::mem::size_of::<f32>();

/// A running capture; dropping it ends the thread that owns the connection (asleep until then),
/// which disconnects and stops PulseAudio's client thread. Nothing waits for that.
pub(crate) struct PulseCapture {
    _connection: OwnThread,
}

/// Connects to the sound server (the one `PULSE_SERVER` names, else the user's own; never
/// started for us), records `source` (the server's name for it; `None`: its default source)
/// as mono `f32` at 48 kHz in fragments of about `period_ms`, and delivers it in whole periods
/// into the ring it returns.
pub(crate) fn open(
    period_ms: u32,
    source: Option<&str>,
    shared: Arc<Shared>,
) -> Result<Built<Consumer<f32>, PulseCapture>, MediaError> {
    let period = ms_to_samples(RATE, period_ms);
    let (tx, ring) = RingBuffer::new(ms_to_samples(RATE, RING_MS));
    let feed = CaptureFeed::new(tx, 1, Arc::clone(&shared));
    let callbacks = Arc::clone(&shared);
    let source = source.map(str::to_owned);
    let connection = Connection::on_own_thread("parla-pulse-in", "audio input", move |c| {
        c.record(
            source.as_deref(),
            period,
            Periods::new(feed, period),
            callbacks,
        )
    })?;
    Ok(Built {
        stream: PulseCapture {
            _connection: connection,
        },
        ring,
        shared,
        rate: RATE,
        period,
    })
}

/// Gathers the server's fragments (any size) into whole periods for the ring, so the ring's
/// reader is woken once a frame, as soon as it is complete, and nothing stands in the ring after
/// a read; the part of a fragment beyond a period waits here, not in the server's buffer.
struct Periods {
    feed: CaptureFeed,
    gathered: Vec<f32>,
    period: usize,
}

impl Periods {
    fn new(feed: CaptureFeed, period: usize) -> Self {
        let period = period.max(1);
        Self {
            feed,
            gathered: Vec::with_capacity(period),
            period,
        }
    }

    /// Takes little-endian `f32` samples; a trailing part of a sample is ignored.
    fn push_bytes(&mut self, bytes: &[u8]) {
        for sample in bytes.chunks_exact(SAMPLE_BYTES) {
            let mut le = [0u8; SAMPLE_BYTES];
            le.copy_from_slice(sample);
            self.gathered.push(f32::from_le_bytes(le));
            if self.gathered.len() == self.period {
                self.feed.on_data(&self.gathered);
                self.gathered.clear();
            }
        }
    }

    fn queued(&self) -> usize {
        self.feed.queued()
    }

    /// Whether `readable` more bytes complete a period (or the stream cannot say how much it
    /// holds, when draining it is what reports the error).
    fn completes_a_period(&self, readable: Option<usize>) -> bool {
        readable.is_none_or(|bytes| self.gathered.len() + bytes / SAMPLE_BYTES >= self.period)
    }
}

impl Connection {
    /// Starts recording `source` (`None`: the default) into `periods`; failures are stored in
    /// `shared`.
    fn record(
        &mut self,
        source: Option<&str>,
        period: usize,
        periods: Periods,
        shared: Arc<Shared>,
    ) -> Result<(), MediaError> {
        let fail =
            |what: String| device_error(format!("cannot record from the sound server: {what}"));
        let spec = Spec {
            format: Format::F32le,
            rate: RATE,
            channels: 1,
        };
        let fragment = u32::try_from(period * SAMPLE_BYTES).unwrap_or(u32::MAX);
        // As ALSA's plugin asks, so the server paces it the same: fragments of a period.
        let attr = BufferAttr {
            maxlength: u32::MAX,
            tlength: u32::MAX,
            prebuf: u32::MAX,
            minreq: u32::MAX,
            fragsize: fragment,
        };
        self.mainloop.lock();
        let stream = Stream::new(&mut self.context.borrow_mut(), "Microphone", &spec, None);
        let Some(stream) = stream else {
            self.mainloop.unlock();
            return Err(fail("no stream".into()));
        };
        let stream = Rc::new(RefCell::new(stream));
        self.stream = Some(Rc::clone(&stream));
        // A source picked by name stays that one: when it goes (a headset unplugged) the stream
        // ends, and the media side falls back to the default and says so, rather than the
        // server moving it to its default unseen.
        let flags = match source {
            Some(_) => stream::FlagSet::EARLY_REQUESTS | stream::FlagSet::DONT_MOVE,
            None => stream::FlagSet::EARLY_REQUESTS,
        };
        let connected = stream
            .borrow_mut()
            .connect_record(source, Some(&attr), flags);
        self.mainloop.unlock();
        connected.map_err(|e| fail(e.to_string().unwrap_or_default()))?;
        self.wait_until(|c| {
            let state = c.stream.as_ref()?.borrow().get_state();
            match state {
                stream::State::Ready => Some(Ok(())),
                stream::State::Failed | stream::State::Terminated => {
                    let reason = c.context.borrow().errno().to_string().unwrap_or_default();
                    Some(Err(fail(match source {
                        Some(name) => format!("source \"{name}\": {reason}"),
                        None => format!("the server refused the stream: {reason}"),
                    })))
                }
                _ => None,
            }
        })?;
        self.mainloop.lock();
        install_callbacks(&stream, periods, Arc::clone(&shared));
        self.record_end_in(shared);
        // Under the lock: the read callback upgrades its `Weak` to this on the client thread.
        drop(stream);
        self.mainloop.unlock();
        Ok(())
    }
}

/// The read callback drains every fragment there is (so none stays acquired between callbacks)
/// into `periods` once they complete a period; the state callback turns a stream that ends
/// into a failure the media side's watch acts on (the connection's: `record_end_in`). They run
/// on the client thread with the lock held.
fn install_callbacks(stream: &Rc<RefCell<Stream>>, mut periods: Periods, shared: Arc<Shared>) {
    let weak: Weak<RefCell<Stream>> = Rc::downgrade(stream);
    let on_read = Arc::clone(&shared);
    let read = move |_bytes: usize| {
        let Some(stream) = weak.upgrade() else { return };
        let Ok(mut stream) = stream.try_borrow_mut() else {
            return;
        };
        Shared::bump(&on_read.wakeups);
        // Less than a period in: the fragments wait in the stream's own queue (nothing is
        // acquired), and are taken together with the one that completes it. Taking each as it
        // came cost this thread a wake-up of its own main loop per fragment (the server's
        // memory is handed back through a deferred event), several a frame from a sound server
        // that delivers in small blocks.
        if !periods.completes_a_period(stream.readable_size()) {
            return;
        }
        loop {
            match stream.peek() {
                Ok(PeekResult::Data(bytes)) => periods.push_bytes(bytes),
                // Audio the server lost: the ring's reader pads what is missing.
                Ok(PeekResult::Hole(_)) => Shared::bump(&on_read.xruns),
                Ok(PeekResult::Empty) => break,
                Err(_) => {
                    Shared::bump(&on_read.errors);
                    break;
                }
            }
            if stream.discard().is_err() {
                Shared::bump(&on_read.errors);
                break;
            }
        }
        on_read.frame_wake.notify(periods.queued());
    };
    // The source went away (or the server killed the stream); the connection ended.
    let stream_state = on_end(
        Rc::downgrade(stream),
        |s: &Stream| {
            matches!(
                s.get_state(),
                stream::State::Failed | stream::State::Terminated
            )
        },
        Failure::Gone,
        shared,
    );
    let mut stream = stream.borrow_mut();
    stream.set_read_callback(Some(Box::new(read)));
    stream.set_state_callback(Some(Box::new(stream_state)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn periods(period: usize) -> (Periods, Consumer<f32>) {
        let (tx, rx) = RingBuffer::new(64);
        let feed = CaptureFeed::new(tx, 1, Arc::new(Shared::default()));
        (Periods::new(feed, period), rx)
    }

    fn bytes(samples: &[f32]) -> Vec<u8> {
        samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    #[test]
    fn fragments_reach_the_ring_in_whole_periods() {
        let (mut periods, mut ring) = periods(4);
        periods.push_bytes(&bytes(&[1.0, 2.0, 3.0]));
        assert_eq!(ring.slots(), 0, "less than a period waits");
        periods.push_bytes(&bytes(&[4.0, 5.0, 6.0, 7.0, 8.0, 9.0]));
        assert_eq!(periods.queued(), 8, "two whole periods");
        let got: Vec<f32> = std::iter::from_fn(|| ring.pop().ok()).collect();
        assert_eq!(got, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        periods.push_bytes(&bytes(&[10.0, 11.0, 12.0]));
        let got: Vec<f32> = std::iter::from_fn(|| ring.pop().ok()).collect();
        assert_eq!(got, [9.0, 10.0, 11.0, 12.0], "the rest came first");
    }

    #[test]
    fn fragments_are_taken_once_they_complete_a_period() {
        let (mut periods, _ring) = periods(4);
        assert!(!periods.completes_a_period(Some(3 * SAMPLE_BYTES)));
        assert!(periods.completes_a_period(Some(4 * SAMPLE_BYTES)));
        assert!(
            periods.completes_a_period(None),
            "drained to report the error"
        );
        periods.push_bytes(&bytes(&[1.0, 2.0, 3.0, 4.0, 5.0]));
        assert!(
            !periods.completes_a_period(Some(2 * SAMPLE_BYTES)),
            "one gathered"
        );
        assert!(periods.completes_a_period(Some(3 * SAMPLE_BYTES)));
    }

    #[test]
    fn a_torn_sample_is_ignored() {
        let (mut periods, mut ring) = periods(2);
        let mut data = bytes(&[0.5, -0.5]);
        data.extend_from_slice(&[0xff, 0xff]);
        periods.push_bytes(&data);
        assert_eq!(ring.pop(), Ok(0.5));
        assert_eq!(ring.pop(), Ok(-0.5));
        assert!(ring.pop().is_err());
    }
}
