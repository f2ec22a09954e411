//! Moving a running call to other audio devices. The new endpoints are opened on the caller's
//! thread, handed to the media thread through a ring, and the ones they replace come back over
//! a one-slot channel to be closed on the caller's thread, off the audio path.

use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::PoisonError;
use std::time::Duration;

use super::MediaSession;
use crate::device::{self, AudioEndpoint, AudioSink, AudioSource};
use crate::error::MediaError;

/// How long the media thread may take to pick new devices up (it looks every ptime).
const HANDOVER_TIMEOUT: Duration = Duration::from_secs(2);

/// New endpoints for the media thread; `None` keeps the current one.
pub(crate) struct DeviceSwap {
    pub source: Option<Box<dyn AudioSource>>,
    pub sink: Option<Box<dyn AudioSink>>,
    /// Where the replaced endpoints go back.
    pub retired: SyncSender<Retired>,
}

/// Endpoints the media thread stopped using.
pub(crate) struct Retired {
    pub source: Option<Box<dyn AudioSource>>,
    pub sink: Option<Box<dyn AudioSink>>,
}

impl DeviceSwap {
    /// Opens what is asked for; if either cannot be opened, nothing changes.
    pub(crate) fn open(
        input: Option<&AudioEndpoint>,
        output: Option<&AudioEndpoint>,
        capture_rate: u32,
        capture_frame: usize,
    ) -> Result<(Self, Receiver<Retired>), MediaError> {
        let source = input
            .map(|endpoint| device::open_source(endpoint, capture_rate, capture_frame))
            .transpose()?;
        let sink = output.map(device::open_sink).transpose()?;
        let (retired, back) = sync_channel(1);
        Ok((
            Self {
                source,
                sink,
                retired,
            },
            back,
        ))
    }
}

impl DeviceSwap {
    /// On the thread that owns the endpoints (a call's media thread, the mixer): puts the new
    /// ones in place and hands the replaced ones back to be closed off this thread.
    pub(crate) fn install(self, source: &mut Box<dyn AudioSource>, sink: &mut Box<dyn AudioSink>) {
        let old = Retired {
            source: self.source.map(|new| std::mem::replace(source, new)),
            sink: self.sink.map(|new| std::mem::replace(sink, new)),
        };
        old.hand_back(&self.retired);
    }
}

/// What the endpoints have to say about their devices (unplugged, fell back to the default).
pub(crate) fn device_notices(
    source: &mut dyn AudioSource,
    sink: &mut dyn AudioSink,
) -> impl Iterator<Item = crate::device::cpal::DeviceNotice> {
    [source.take_notice(), sink.take_notice()]
        .into_iter()
        .flatten()
}

impl Retired {
    /// Closes the endpoints (a WAV output gets its final header); runs on the switching thread.
    pub(crate) fn close(self) {
        drop(self.source);
        if let Some(mut sink) = self.sink {
            if let Err(e) = sink.finish() {
                tracing::warn!("closing the previous audio output failed: {e}");
            }
        }
    }

    /// Sends the endpoints back to the switching thread, or drops them here if it gave up.
    pub(crate) fn hand_back(self, to: &SyncSender<Retired>) {
        if let Err(TrySendError::Full(late) | TrySendError::Disconnected(late)) = to.try_send(self)
        {
            late.close();
        }
    }
}

impl MediaSession {
    /// Moves the call's audio to other devices while it goes on: `input` replaces the
    /// microphone, `output` the speaker; `None` keeps that one. Opening blocks for as long as
    /// the device takes to start (tens of ms; call it off async worker threads) and the old
    /// device is closed on this thread too. If a new device cannot be opened the error says
    /// why and the current devices go on playing.
    pub fn switch_devices(
        &self,
        input: Option<AudioEndpoint>,
        output: Option<AudioEndpoint>,
    ) -> Result<(), MediaError> {
        if input.is_none() && output.is_none() {
            return Ok(());
        }
        // One switch at a time: the ring holds a single request.
        let mut swaps = self.swaps.lock().unwrap_or_else(PoisonError::into_inner);
        let (swap, back) = DeviceSwap::open(
            input.as_ref(),
            output.as_ref(),
            self.capture_rate,
            self.capture_frame,
        )?;
        if swaps.push(swap).is_err() {
            return Err(MediaError::DeviceSwitch(
                "an earlier device switch is still pending",
            ));
        }
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
        await_handover(
            &back,
            "the media thread did not take the new device in time",
            "the call's media has stopped",
        )?;
        tracing::info!(?input, ?output, "audio devices switched");
        Ok(())
    }
}

/// Waits for the thread that was given a [`DeviceSwap`] to hand the replaced endpoints back,
/// and closes them here; `late` and `stopped` say what went wrong otherwise.
pub(crate) fn await_handover(
    back: &Receiver<Retired>,
    late: &'static str,
    stopped: &'static str,
) -> Result<(), MediaError> {
    match back.recv_timeout(HANDOVER_TIMEOUT) {
        Ok(retired) => {
            retired.close();
            Ok(())
        }
        Err(RecvTimeoutError::Timeout) => Err(MediaError::DeviceSwitch(late)),
        Err(RecvTimeoutError::Disconnected) => Err(MediaError::DeviceSwitch(stopped)),
    }
}
