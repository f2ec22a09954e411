//! The `parla-mixer` thread: every 20 ms, commands, microphone, mix, speaker; paced as a call's
//! media thread is, by the microphone's frames (`pacing.rs`).

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use rtrb::Consumer;

use super::mix::Mixer;
use super::Command;
use crate::device::{AudioSink, AudioSource};
use crate::events::{MediaEvent, MediaEventSink};
use crate::pacing::Pacer;
use crate::processing::CaptureProcessor;
use crate::session::switch::device_notices;

const TICK: Duration = Duration::from_millis(20);

pub(super) struct MixerThread {
    pub mixer: Mixer,
    pub source: Box<dyn AudioSource>,
    pub sink: Box<dyn AudioSink>,
    pub commands: Consumer<Command>,
    pub events: Option<MediaEventSink>,
    /// The microphone's processing; the mix played on the speaker is its echo reference.
    pub processor: Option<CaptureProcessor>,
}

impl MixerThread {
    pub fn run(mut self) {
        // It drives the sound card while the calls are joined, as a call's media thread does.
        let frame = u32::try_from(super::FRAME).unwrap_or(u32::MAX);
        let _realtime = crate::realtime::promote("mixer", frame, crate::device::OUTPUT_RATE);
        let shared = self.mixer.shared();
        let mut pacer = Pacer::new(TICK);
        let (mut input_failed, mut output_failed) = (false, false);
        while !shared.stop.load(Relaxed) {
            self.take_commands();
            if let Err(e) = self.source.read(&mut self.mixer.mic) {
                if !std::mem::replace(&mut input_failed, true) {
                    tracing::warn!("conference microphone failed, mixing silence: {e}");
                }
            }
            let acoustic = self.source.acoustic();
            if let (Some(processor), true) = (self.processor.as_mut(), acoustic) {
                processor.capture(&mut self.mixer.mic);
            }
            self.mixer.tick();
            if let Err(e) = self.sink.write(self.mixer.speaker()) {
                if !std::mem::replace(&mut output_failed, true) {
                    tracing::warn!("conference output failed: {e}");
                }
            }
            if let (Some(processor), true) = (self.processor.as_mut(), acoustic) {
                processor.render(self.mixer.speaker());
            }
            self.report_notices();
            // As a call's loop: each tick runs when the microphone has its frame.
            pacer.wait_ready(&shared.stop, || self.source.frame_ready());
        }
        if let Err(e) = self.sink.finish() {
            tracing::warn!("closing the conference output failed: {e}");
        }
    }

    fn take_commands(&mut self) {
        while let Ok(command) = self.commands.pop() {
            match command {
                Command::Input { slot, ring } => self.mixer.attach_input(slot, ring),
                Command::Output { slot, ring } => self.mixer.attach_output(slot, ring),
                Command::Devices(swap) => {
                    self.report_notices();
                    swap.install(&mut self.source, &mut self.sink);
                }
            }
        }
    }

    fn report_notices(&mut self) {
        for notice in device_notices(self.source.as_mut(), self.sink.as_mut()) {
            tracing::warn!(%notice, "conference audio device changed");
            if let Some(events) = &self.events {
                events.emit(MediaEvent::DeviceChanged {
                    message: notice.to_string(),
                });
            }
        }
    }
}
