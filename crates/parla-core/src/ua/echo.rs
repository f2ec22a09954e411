//! The audio self-test: the microphone goes through the whole call path — encode, RTP over a
//! loopback socket, jitter buffer, decode — to the speaker, so a person hears themselves as the
//! far end would, with no account and no network. While it runs, the microphone's level is
//! reported for the settings screen's meter, and a device that fails as a `device` event.

use crate::api::Event;
use crate::config::AudioConfig;
use crate::sdp::Codec;
use parla_media::{AudioEndpoint, CodecParams, InputLevel, MediaConfig, MediaError, MediaSession};
use std::net::UdpSocket;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::{CancellationToken, DropGuard};

/// The dynamic payload type used on the loopback for Opus; any would do.
const OPUS_PT: u8 = 111;
/// How often `level` is reported.
const LEVEL_EVERY: Duration = Duration::from_millis(100);

/// Why the echo test could not start.
#[derive(Debug, thiserror::Error)]
pub enum EchoTestError {
    #[error("no loopback socket: {0}")]
    Socket(std::io::Error),
    /// `[audio] input` or `output` names no usable endpoint.
    #[error(transparent)]
    Endpoint(MediaError),
    /// The audio devices or the media thread would not start.
    #[error(transparent)]
    Media(MediaError),
}

pub struct EchoTest {
    session: MediaSession,
    /// Ends the level reports when the test ends; `None` outside a tokio runtime.
    level_reports: Option<DropGuard>,
}

impl EchoTest {
    /// Starts the loop through `codec`; `level` events go to `events` until it stops.
    pub fn start(
        audio: &AudioConfig,
        codec: Codec,
        events: UnboundedSender<Event>,
    ) -> Result<Self, EchoTestError> {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(EchoTestError::Socket)?;
        let own = socket.local_addr().map_err(EchoTestError::Socket)?;
        let mut config = MediaConfig::new(
            socket,
            own,
            CodecParams {
                kind: codec.into(),
                payload_type: codec.static_payload_type().unwrap_or(OPUS_PT),
                clock_rate: codec.clock_rate(),
                channels: codec.channels(),
            },
        );
        config.input = AudioEndpoint::parse(&audio.input).map_err(EchoTestError::Endpoint)?;
        config.output = AudioEndpoint::parse(&audio.output).map_err(EchoTestError::Endpoint)?;
        config.opus_bitrate = audio.opus_bitrate;
        config.opus_complexity = audio.opus_complexity;
        // In-band FEC stays on (`MediaConfig::new`): the far end is our own decoder.
        // As the other side would hear it: through the microphone's processing. The echo
        // canceller also keeps the loop's own playback out of the microphone (no howl).
        config.processing = audio.processing();
        // A device that goes while the person listens (the settings screen's sound test) is
        // told as in a call.
        config.events = Some(super::devices::device_notices_to(events.clone()));
        let session = super::media::off_the_async_workers(|| MediaSession::start(config))
            .map_err(EchoTestError::Media)?;
        let level_reports = report_level(session.input_level_meter(), events);
        Ok(Self {
            session,
            level_reports,
        })
    }

    /// The level reports end first, so none follows the `stopped` event.
    pub fn stop(self) {
        let Self {
            session,
            level_reports,
        } = self;
        drop(level_reports);
        let stats = session.stop();
        tracing::info!(
            received = stats.packets_received,
            jitter_target_ms = stats.quality.target_delay_ms,
            concealed = stats.quality.concealed,
            late = stats.quality.late,
            ticks_skipped = stats.ticks_skipped,
            "echo test stopped"
        );
    }
}

/// Sends `level` events every [`LEVEL_EVERY`] until the guard is dropped. The timer runs only
/// while the echo test does: an idle engine has nothing ticking.
fn report_level(level: InputLevel, events: UnboundedSender<Event>) -> Option<DropGuard> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    runtime.spawn(async move {
        let mut every = tokio::time::interval(LEVEL_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                biased;
                () = stopped.cancelled() => return,
                _ = every.tick() => {
                    // Three decimals are plenty for a meter and keep the JSON short.
                    let input = (level.get() * 1000.0).round() / 1000.0;
                    if events.send(Event::Level { input }).is_err() {
                        return;
                    }
                }
            }
        }
    });
    Some(stop.drop_guard())
}
