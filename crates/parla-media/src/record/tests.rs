#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test module: a failed step is a failed test"
)]

use std::io::{self, Cursor, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

use rtrb::RingBuffer;

use super::tap::{RecordState, Tap};
use super::writer::{Output, Writer};
use super::{RecordChannels, RecordFormat};
use crate::events::{MediaEvent, MediaEventSink};
use crate::resample::StreamResampler;

/// Accepts `budget` bytes, then fails every write like a full disk.
struct FailingAfter {
    inner: Cursor<Vec<u8>>,
    budget: usize,
}

impl Write for FailingAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget < buf.len() {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"));
        }
        self.budget -= buf.len();
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for FailingAfter {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn failing_recording(format: RecordFormat) {
    let out = FailingAfter {
        inner: Cursor::new(Vec::new()),
        // Past the headers, within the first second (an Ogg page holds a second).
        budget: 4000,
    };
    let output = Output::new(out, format, RecordChannels::Stereo).expect("headers fit");
    let (local, local_out) = RingBuffer::new(16_000);
    let (remote, remote_out) = RingBuffer::new(96_000);
    let state = Arc::new(RecordState::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let writer = Writer {
        path: PathBuf::from("full.rec"),
        output,
        channels: RecordChannels::Stereo,
        local: local_out,
        remote: remote_out,
        resampler: StreamResampler::new(8000, 48_000, 160).expect("resampler"),
        state: Arc::clone(&state),
        events: Some(MediaEventSink::new(move |e| seen.lock().unwrap().push(e))),
    };
    let thread = std::thread::spawn(move || writer.run());
    let mut tap = Tap::new(local, remote, Arc::clone(&state), 1920);
    let (mic, far) = (vec![0.1f32; 160], vec![0.2f32; 960]);
    // Two seconds of call, far more than the writer may write; the tap keeps going.
    for _ in 0..100 {
        tap.begin_tick(160);
        tap.local(Some(&mic), 160);
        tap.remote(&far);
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    state.stop.store(true, Relaxed);
    thread.thread().unpark();
    assert_eq!(thread.join().expect("join"), None, "{format:?}: no summary");
    assert!(state.failed.load(Relaxed));
    assert!(!state.is_live());
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1, "{format:?}: one event: {events:?}");
    match &events[0] {
        MediaEvent::RecordingFailed { message } => {
            assert!(
                message.contains("full.rec") && message.contains("no space"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_write_failure_stops_the_recording_with_one_event() {
    failing_recording(RecordFormat::Wav);
    failing_recording(RecordFormat::Ogg);
}

#[test]
#[cfg(debug_assertions)]
fn the_tap_allocates_nothing() {
    let (local, mut local_out) = RingBuffer::new(1000);
    let (remote, mut remote_out) = RingBuffer::new(5000);
    let state = Arc::new(RecordState::default());
    let mut tap = Some(Tap::new(local, remote, Arc::clone(&state), 1920));
    let (mic, far) = (vec![0.1f32; 160], vec![0.2f32; 960]);
    let before = assert_no_alloc::violation_count();
    for tick in 0..20 {
        assert_no_alloc::assert_no_alloc(|| {
            if let Some(t) = tap.as_mut() {
                t.begin_tick(160);
            }
            super::tap::local(&mut tap, (tick % 2 == 0).then_some(&mic[..]), 160);
            if let Some(t) = tap.as_mut() {
                t.remote(&far);
            }
        });
        if tick < 10 {
            // The writer keeps up for a while, then stops reading: ticks are dropped.
            while local_out.pop().is_ok() {}
            while remote_out.pop().is_ok() {}
        }
    }
    assert_eq!(assert_no_alloc::violation_count(), before);
    assert!(
        state.dropped_ticks.load(Relaxed) > 0,
        "the full rings dropped ticks"
    );
    assert!(
        local_out.slots() <= 1000 && local_out.slots() % 160 == 0,
        "whole ticks only"
    );
}
