//! The media thread's side of a recording: each tick, what we send and what we play are copied
//! into two SPSC rings for the writer thread. Never blocks, never allocates; when the writer
//! falls behind, the whole tick is dropped (both sides, so they stay aligned) and counted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use rtrb::Producer;

/// What the handle, the media thread and the writer thread share about one recording.
#[derive(Default)]
pub(crate) struct RecordState {
    /// The handle asked the writer to complete the file.
    pub stop: AtomicBool,
    /// Writing failed; the writer closed the file and reported it.
    pub failed: AtomicBool,
    /// Ticks the media thread dropped because a ring was full.
    pub dropped_ticks: AtomicU64,
}

impl RecordState {
    pub fn is_live(&self) -> bool {
        !self.stop.load(Relaxed) && !self.failed.load(Relaxed)
    }
}

pub(crate) struct Tap {
    /// What we send, at the encoder's rate.
    local: Producer<f32>,
    /// What we play, at the output rate.
    remote: Producer<f32>,
    state: Arc<RecordState>,
    /// Room the remote ring must have for a tick to be kept.
    remote_reserve: usize,
    /// This tick is not recorded.
    skipping: bool,
}

impl Tap {
    pub fn new(
        local: Producer<f32>,
        remote: Producer<f32>,
        state: Arc<RecordState>,
        remote_reserve: usize,
    ) -> Self {
        Self {
            local,
            remote,
            state,
            remote_reserve,
            skipping: true,
        }
    }

    /// At the start of a tick that sends `local_len` samples: decides whether it is recorded.
    pub fn begin_tick(&mut self, local_len: usize) {
        let live = self.state.is_live();
        let room = self.local.slots() >= local_len && self.remote.slots() >= self.remote_reserve;
        if live && !room {
            self.state.dropped_ticks.fetch_add(1, Relaxed);
        }
        self.skipping = !(live && room);
    }

    /// What we sent this tick; `None` when it was not voice (not sending, a DTMF event).
    pub fn local(&mut self, pcm: Option<&[f32]>, len: usize) {
        if self.skipping {
            return;
        }
        match pcm {
            Some(pcm) => {
                let _ = self.local.push_partial_slice(pcm);
            }
            None => {
                if let Ok(chunk) = self.local.write_chunk_uninit(len.min(self.local.slots())) {
                    chunk.fill_from_iter(std::iter::repeat(0.0));
                }
            }
        }
    }

    /// What we played this tick (it may come in pieces).
    pub fn remote(&mut self, pcm: &[f32]) {
        if !self.skipping {
            let _ = self.remote.push_partial_slice(pcm);
        }
    }
}

/// Records `pcm` (or silence) as this tick's local side, when a recording runs.
pub(crate) fn local(tap: &mut Option<Tap>, pcm: Option<&[f32]>, len: usize) {
    if let Some(tap) = tap.as_mut() {
        tap.local(pcm, len);
    }
}
