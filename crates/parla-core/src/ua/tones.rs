//! Call-progress tones and the ringtone for a call. They play only on sound devices: with
//! `file:` or `null` audio (tests, headless use) there is nobody to hear them, and a file would
//! be overwritten.

use crate::config::AudioConfig;
use parla_media::{AudioEndpoint, Tone, TonePlayer};
use std::time::Duration;

/// How long the busy tone plays after a busy answer.
const BUSY_FOR: Duration = Duration::from_secs(3);

fn play(tone: Tone, endpoint: &str, limit: Option<Duration>) -> Option<TonePlayer> {
    let endpoint = AudioEndpoint::parse(endpoint).ok()?;
    if !matches!(endpoint, AudioEndpoint::Device(_)) {
        return None;
    }
    TonePlayer::start(tone, &endpoint, limit)
        .map_err(|e| tracing::warn!(?tone, error = %e, "tone not played"))
        .ok()
}

pub fn ringback(audio: &AudioConfig) -> Option<TonePlayer> {
    play(Tone::Ringback, &audio.output, None)
}

pub fn ringtone(audio: &AudioConfig) -> Option<TonePlayer> {
    let device = if audio.ring.trim().is_empty() {
        &audio.output
    } else {
        &audio.ring
    };
    play(Tone::Ring, device, None)
}

/// In the earpiece (the call's output), never on the ring device.
pub fn call_waiting(audio: &AudioConfig) -> Option<TonePlayer> {
    play(Tone::CallWaiting, &audio.output, None)
}

pub fn busy(audio: &AudioConfig) {
    if let Some(player) = play(Tone::Busy, &audio.output, Some(BUSY_FOR)) {
        player.detach();
    }
}
