//! The caller's message: what arrives after the beep, at [`MESSAGE_RATE`], into a 16-bit mono
//! WAV file.
//!
//! Audio is judged in 20 ms blocks: a block whose RMS is below [`SILENCE_DBFS`] is silence.
//! Silence is held back in a buffer allocated at setup and written only when the caller speaks
//! again, so a message never ends in silence; `silence_limit` of it ends the message. The file
//! is created on the setup thread and finalised by [`AudioSink::finish`], on the thread that
//! closes the sink.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hound::WavWriter;

use super::{
    AnsweringMachine, MachineEnd, MachinePhase, MachineState, MAX_SILENCE_LIMIT, MESSAGE_RATE,
};
use crate::device::{AudioSink, OUTPUT_RATE};
use crate::error::MediaError;
use crate::resample::StreamResampler;
use crate::sample::{f32_to_i16, frame_samples};

/// A 20 ms block whose RMS level is below this is silence.
pub const SILENCE_DBFS: f32 = -45.0;
/// Samples per block at [`MESSAGE_RATE`] (20 ms).
const BLOCK: usize = (MESSAGE_RATE / 50) as usize;

type Writer = WavWriter<BufWriter<File>>;

/// The machine's sink: discards during the greeting, records after the beep.
pub(crate) struct MessageRecorder {
    path: PathBuf,
    writer: Option<Writer>,
    /// Why the file could not be created; reported when the beep is over.
    create_error: Option<String>,
    resampler: StreamResampler,
    message: Message,
    state: Arc<MachineState>,
}

/// The recording's bookkeeping at [`MESSAGE_RATE`].
struct Message {
    /// The block being filled.
    block: Vec<f32>,
    /// Silence not written yet (capacity fixed at setup).
    pending: Vec<i16>,
    written: u64,
    max: u64,
    silence_limit: u64,
    /// Mean square below which a block is silence.
    threshold: f32,
}

fn samples_in(d: Duration) -> u64 {
    let samples = d.as_micros() * u128::from(MESSAGE_RATE) / 1_000_000;
    u64::try_from(samples).unwrap_or(u64::MAX)
}

impl MessageRecorder {
    /// Creates the message file (a failure is remembered, not returned: the caller still hears
    /// the greeting and the beep) and every buffer the recording needs.
    pub fn create(
        machine: &AnsweringMachine,
        state: Arc<MachineState>,
    ) -> Result<Self, MediaError> {
        let path = machine.recording.clone();
        let (writer, create_error) = match crate::device::file::create_mono_wav(&path, MESSAGE_RATE)
        {
            Ok(w) => (Some(w), None),
            Err(e) => {
                let error = e.to_string();
                tracing::warn!("answering machine: {error}");
                (None, Some(error))
            }
        };
        let resampler =
            StreamResampler::new(OUTPUT_RATE, MESSAGE_RATE, frame_samples(OUTPUT_RATE, 20))?;
        let max = samples_in(machine.max_message);
        let silence_limit = samples_in(machine.silence_limit.min(MAX_SILENCE_LIMIT));
        // Silence is held until it reaches the limit (or the message its end), one block over.
        let pending_max = silence_limit.min(max).saturating_add(BLOCK as u64);
        let threshold = 10f32.powf(SILENCE_DBFS / 10.0);
        Ok(Self {
            path,
            writer,
            create_error,
            resampler,
            message: Message {
                block: Vec::with_capacity(BLOCK),
                pending: Vec::with_capacity(usize::try_from(pending_max).unwrap_or(usize::MAX)),
                written: 0,
                max,
                silence_limit,
                threshold,
            },
            state,
        })
    }
}

impl Message {
    /// Takes samples at [`MESSAGE_RATE`]; returns how the message ended, if it did.
    fn push(
        &mut self,
        mut pcm: &[f32],
        writer: &mut Writer,
    ) -> Result<Option<MachineEnd>, hound::Error> {
        while !pcm.is_empty() {
            let take = (BLOCK - self.block.len()).min(pcm.len());
            self.block.extend_from_slice(&pcm[..take]);
            pcm = &pcm[take..];
            if self.block.len() < BLOCK {
                break;
            }
            let end = self.end_block(writer);
            self.block.clear();
            if let Some(end) = end? {
                self.pending.clear();
                return Ok(Some(end));
            }
        }
        Ok(None)
    }

    /// A full block: silence goes to `pending`, voice is written after the silence before it.
    fn end_block(&mut self, writer: &mut Writer) -> Result<Option<MachineEnd>, hound::Error> {
        let held = self.written + self.pending.len() as u64;
        let room = usize::try_from(self.max.saturating_sub(held)).unwrap_or(usize::MAX);
        let part = &self.block[..room.min(BLOCK)];
        let mean_square = self.block.iter().map(|s| s * s).sum::<f32>() / BLOCK as f32;
        if mean_square < self.threshold {
            self.pending.extend(part.iter().map(|&s| f32_to_i16(s)));
            if self.pending.len() as u64 >= self.silence_limit {
                return Ok(Some(MachineEnd::Silence));
            }
        } else {
            for &s in &self.pending {
                writer.write_sample(s)?;
                self.written += 1;
            }
            self.pending.clear();
            for &s in part {
                writer.write_sample(f32_to_i16(s))?;
                self.written += 1;
            }
        }
        if self.written + self.pending.len() as u64 >= self.max {
            return Ok(Some(MachineEnd::MaxLength));
        }
        Ok(None)
    }
}

impl AudioSink for MessageRecorder {
    fn write(&mut self, samples: &[f32]) -> Result<(), MediaError> {
        if self.state.phase() != MachinePhase::Recording {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            // The file could not be created: the beep is over, so the message is.
            let error = self.create_error.take();
            self.state.end(MachineEnd::WriteFailed, error);
            return Ok(());
        };
        let message = &mut self.message;
        let mut outcome = Ok(None);
        self.resampler.process(samples, &mut |pcm| {
            if let Ok(None) = outcome {
                outcome = message.push(pcm, writer);
            }
        })?;
        self.state.set_recorded(message.written);
        match outcome {
            Ok(None) => Ok(()),
            Ok(Some(end)) => {
                self.state.end(end, None);
                Ok(())
            }
            Err(source) => {
                let error = format!("cannot write {}: {source}", self.path.display());
                self.state.end(MachineEnd::WriteFailed, Some(error));
                Err(MediaError::Wav {
                    path: self.path.clone(),
                    source,
                })
            }
        }
    }

    /// Finalises the WAV header, whatever the phase (a message with nothing in it is a valid,
    /// empty file). Safe to call again: later calls do nothing.
    fn finish(&mut self) -> Result<(), MediaError> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        writer.finalize().map_err(|source| {
            self.state
                .set_error(format!("cannot close {}: {source}", self.path.display()));
            MediaError::Wav {
                path: self.path.clone(),
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::TAU;
    use std::path::Path;

    use super::*;
    use crate::machine::Greeting;

    fn machine(recording: &Path, max_ms: u64, silence_ms: u64) -> AnsweringMachine {
        AnsweringMachine {
            greeting: Greeting::Default,
            recording: recording.to_owned(),
            max_message: Duration::from_millis(max_ms),
            silence_limit: Duration::from_millis(silence_ms),
        }
    }

    fn recorder(m: &AnsweringMachine) -> (MessageRecorder, Arc<MachineState>) {
        let state = Arc::new(MachineState::new(None));
        let rec = MessageRecorder::create(m, Arc::clone(&state)).expect("recorder");
        (rec, state)
    }

    /// `ms` of a 440 Hz tone at 48 kHz (amplitude 0.3), or silence with `amp` 0.
    fn tone(ms: usize, amp: f64) -> Vec<f32> {
        (0..ms * 48)
            .map(|n| (amp * (TAU * 440.0 * n as f64 / 48_000.0).sin()) as f32)
            .collect()
    }

    /// Writes in 20 ms pieces, as the pipeline does.
    fn feed(rec: &mut MessageRecorder, pcm: &[f32]) {
        for piece in pcm.chunks(960) {
            rec.write(piece).expect("write");
        }
    }

    fn read(path: &Path) -> Vec<i16> {
        let mut r = hound::WavReader::open(path).expect("a valid WAV");
        let spec = r.spec();
        assert_eq!(
            (spec.sample_rate, spec.channels, spec.bits_per_sample),
            (16_000, 1, 16)
        );
        r.samples::<i16>().map(|s| s.expect("sample")).collect()
    }

    fn rms_dbfs(x: &[i16]) -> f64 {
        let ms = x
            .iter()
            .map(|&s| (f64::from(s) / 32768.0).powi(2))
            .sum::<f64>()
            / x.len() as f64;
        10.0 * ms.log10()
    }

    #[test]
    fn discards_during_the_greeting_and_records_after_the_beep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msg.wav");
        let (mut rec, state) = recorder(&machine(&path, 60_000, 5000));
        feed(&mut rec, &tone(1000, 0.3));
        assert_eq!(state.status().recorded_ms, 0);
        state.start_recording();
        feed(&mut rec, &tone(1000, 0.3));
        let status = state.status();
        assert_eq!(status.phase, MachinePhase::Recording);
        assert!(
            (980..=1000).contains(&status.recorded_ms),
            "{}",
            status.recorded_ms
        );
        rec.finish().expect("finish");
        rec.finish().expect("a second finish does nothing");
        let samples = read(&path);
        // recorded_ms is what the file holds, to the millisecond.
        assert_eq!(samples.len() as u64 * 1000 / 16_000, status.recorded_ms);
        let level = rms_dbfs(&samples[1600..]);
        assert!((-14.0..=-12.0).contains(&level), "{level:.1} dBFS");
        // 440 Hz: ~29 samples per cycle, 2 zero crossings each.
        let crossings = samples[1600..]
            .windows(2)
            .filter(|w| (w[0] < 0) != (w[1] < 0))
            .count();
        let hz = crossings as f64 / 2.0 / ((samples.len() - 1600) as f64 / 16_000.0);
        assert!((430.0..=450.0).contains(&hz), "{hz:.1} Hz");
    }

    #[test]
    fn trailing_silence_is_trimmed_and_ends_the_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msg.wav");
        let (mut rec, state) = recorder(&machine(&path, 60_000, 2000));
        state.start_recording();
        // Voice, a pause shorter than the limit (kept), voice, then silence.
        feed(&mut rec, &tone(1000, 0.3));
        feed(&mut rec, &tone(500, 0.0));
        feed(&mut rec, &tone(500, 0.3));
        let mut silent_ms = 0;
        while state.phase() == MachinePhase::Recording && silent_ms < 5000 {
            feed(&mut rec, &tone(20, 0.0));
            silent_ms += 20;
        }
        assert_eq!(state.phase(), MachinePhase::Done(MachineEnd::Silence));
        // Ended 2 s into the silence (give or take a block and the resampler's delay).
        assert!((2000..=2060).contains(&silent_ms), "after {silent_ms} ms");
        // 2 s of message (behind the resampler's delay), without the trailing silence.
        let voiced = state.status().recorded_ms;
        assert!((2000..=2040).contains(&voiced), "{voiced}");
        // After the end nothing more is written.
        feed(&mut rec, &tone(1000, 0.3));
        assert_eq!(state.status().recorded_ms, voiced);
        rec.finish().expect("finish");
        let samples = read(&path);
        assert_eq!(samples.len() as u64 * 1000 / 16_000, voiced);
        // The inner pause is there, the file ends with voice.
        let pause = &samples[16_000 + 1600..16_000 + 6400];
        assert!(rms_dbfs(pause) < -60.0, "the pause: {:.1}", rms_dbfs(pause));
        let last = &samples[samples.len() - BLOCK..];
        assert!(rms_dbfs(last) > -40.0, "the end: {:.1}", rms_dbfs(last));
    }

    #[test]
    fn the_message_stops_at_max_length() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msg.wav");
        let (mut rec, state) = recorder(&machine(&path, 1000, 3000));
        state.start_recording();
        feed(&mut rec, &tone(2000, 0.3));
        let status = state.status();
        assert_eq!(status.phase, MachinePhase::Done(MachineEnd::MaxLength));
        assert_eq!(status.recorded_ms, 1000);
        rec.finish().expect("finish");
        assert_eq!(read(&path).len(), 16_000);
    }

    #[test]
    fn a_missing_folder_fails_after_the_beep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no such folder").join("msg.wav");
        let (mut rec, state) = recorder(&machine(&path, 60_000, 5000));
        feed(&mut rec, &tone(500, 0.3));
        let status = state.status();
        assert_eq!(status.phase, MachinePhase::Greeting, "the greeting goes on");
        assert_eq!(status.error, None);
        state.start_recording();
        feed(&mut rec, &tone(100, 0.3));
        let status = state.status();
        assert_eq!(status.phase, MachinePhase::Done(MachineEnd::WriteFailed));
        let error = status.error.expect("why");
        assert!(error.contains("no such folder"), "{error}");
        assert_eq!(status.recorded_ms, 0);
        rec.finish().expect("nothing to close");
        assert!(!path.exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_failing_write_ends_the_message_once() {
        let (mut rec, state) = recorder(&machine(Path::new("/dev/full"), 60_000, 5000));
        state.start_recording();
        let mut failures = 0;
        for piece in tone(3000, 0.3).chunks(960) {
            failures += usize::from(rec.write(piece).is_err());
        }
        assert_eq!(failures, 1, "reported once");
        let status = state.status();
        assert_eq!(status.phase, MachinePhase::Done(MachineEnd::WriteFailed));
        let error = status.error.expect("why");
        assert!(error.contains("/dev/full"), "{error}");
        // The buffered writer fails as soon as it flushes; what it accepted is counted.
        assert!(status.recorded_ms < 1000, "{}", status.recorded_ms);
        assert!(rec.finish().is_err());
        assert_eq!(
            state.status().error.as_deref(),
            Some(error.as_str()),
            "first error kept"
        );
    }

    #[test]
    fn finishing_an_empty_message_gives_a_valid_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msg.wav");
        let (mut rec, state) = recorder(&machine(&path, 60_000, 5000));
        feed(&mut rec, &tone(500, 0.3));
        rec.finish().expect("finish");
        assert!(read(&path).is_empty());
        // Writes after finishing (there are none in a session) are ignored.
        state.start_recording();
        feed(&mut rec, &tone(500, 0.3));
        assert!(read(&path).is_empty());
    }

    // Debug only: `assert_no_alloc` counts violations only there.
    #[cfg(debug_assertions)]
    #[test]
    fn recording_allocates_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msg.wav");
        let (mut rec, state) = recorder(&machine(&path, 60_000, 1000));
        let mut script = Vec::new();
        for (ms, amp) in [
            (500, 0.3),
            (1000, 0.3),
            (600, 0.0),
            (1000, 0.3),
            (1500, 0.0),
        ] {
            script.push(tone(ms, amp));
        }
        let before = assert_no_alloc::violation_count();
        for (i, pcm) in script.iter().enumerate() {
            if i == 1 {
                state.start_recording();
            }
            for piece in pcm.chunks(960) {
                assert_no_alloc::assert_no_alloc(|| rec.write(piece)).expect("write");
            }
        }
        assert_eq!(
            assert_no_alloc::violation_count(),
            before,
            "recording allocated"
        );
        assert_eq!(state.phase(), MachinePhase::Done(MachineEnd::Silence));
        rec.finish().expect("finish");
        assert_eq!(
            read(&path).len() as u64 * 1000 / 16_000,
            state.status().recorded_ms
        );
    }
}
