//! The audio self-test: the microphone goes through the whole call path — encode, RTP over a
//! loopback socket, jitter buffer, decode — to the speaker, so a person hears themselves as the
//! far end would, with no account and no network.

use crate::config::AudioConfig;
use parla_media::{AudioEndpoint, CodecKind, CodecParams, MediaConfig, MediaSession};
use std::net::UdpSocket;

/// The dynamic payload type used on the loopback; any would do.
const OPUS_PT: u8 = 111;

pub struct EchoTest {
    session: MediaSession,
}

impl EchoTest {
    pub fn start(audio: &AudioConfig) -> Result<Self, String> {
        let socket =
            UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("no loopback socket: {e}"))?;
        let own = socket.local_addr().map_err(|e| e.to_string())?;
        let mut config = MediaConfig::new(
            socket,
            own,
            CodecParams {
                kind: CodecKind::Opus,
                payload_type: OPUS_PT,
                clock_rate: 48_000,
                channels: 2,
            },
        );
        config.input = AudioEndpoint::parse(&audio.input).map_err(|e| e.to_string())?;
        config.output = AudioEndpoint::parse(&audio.output).map_err(|e| e.to_string())?;
        config.opus_bitrate = audio.opus_bitrate;
        config.opus_complexity = audio.opus_complexity;
        let session = super::media::off_the_async_workers(|| MediaSession::start(config))
            .map_err(|e| e.to_string())?;
        Ok(Self { session })
    }

    /// Packets that made the round trip so far.
    pub fn packets_looped(&self) -> u64 {
        self.session.stats().packets_received
    }

    pub fn stop(self) {
        let stats = self.session.stop();
        tracing::info!(received = stats.packets_received, "echo test stopped");
    }
}
