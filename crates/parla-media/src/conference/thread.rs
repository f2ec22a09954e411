//! The `parla-mixer` thread: every 20 ms, commands, microphone, mix, speaker. Paced by deadlines
//! from one start instant, as the call's media thread is, so it does not drift.

use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use rtrb::Consumer;

use super::mix::Mixer;
use super::Command;
use crate::device::{AudioSink, AudioSource};
use crate::events::{MediaEvent, MediaEventSink};
use crate::session::switch::Retired as RetiredDevices;

const TICK: Duration = Duration::from_millis(20);
/// Falling further behind than this many ticks skips ahead instead of mixing in a burst.
const MAX_LAG_TICKS: u32 = 5;

pub(super) struct MixerThread {
    pub mixer: Mixer,
    pub source: Box<dyn AudioSource>,
    pub sink: Box<dyn AudioSink>,
    pub commands: Consumer<Command>,
    pub events: Option<MediaEventSink>,
}

impl MixerThread {
    pub fn run(mut self) {
        let shared = self.mixer.shared();
        let start = Instant::now();
        let mut deadline = start;
        let (mut input_failed, mut output_failed) = (false, false);
        while !shared.stop.load(Relaxed) {
            self.take_commands();
            if let Err(e) = self.source.read(&mut self.mixer.mic) {
                if !std::mem::replace(&mut input_failed, true) {
                    tracing::warn!("conference microphone failed, mixing silence: {e}");
                }
            }
            self.mixer.tick();
            if let Err(e) = self.sink.write(self.mixer.speaker()) {
                if !std::mem::replace(&mut output_failed, true) {
                    tracing::warn!("conference output failed: {e}");
                }
            }
            self.report_notices();

            deadline += TICK;
            let now = Instant::now();
            if now > deadline + TICK * MAX_LAG_TICKS {
                let behind = (now - deadline).as_nanos() / TICK.as_nanos();
                deadline += TICK * u32::try_from(behind).unwrap_or(u32::MAX);
            }
            while !shared.stop.load(Relaxed) {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                std::thread::park_timeout(deadline - now);
            }
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
                    let old = RetiredDevices {
                        source: swap
                            .source
                            .map(|new| std::mem::replace(&mut self.source, new)),
                        sink: swap.sink.map(|new| std::mem::replace(&mut self.sink, new)),
                    };
                    old.hand_back(&swap.retired);
                }
            }
        }
    }

    fn report_notices(&mut self) {
        let notices = [self.source.take_notice(), self.sink.take_notice()];
        for notice in notices.into_iter().flatten() {
            tracing::warn!(%notice, "conference audio device changed");
            if let Some(events) = &self.events {
                events.emit(MediaEvent::DeviceChanged {
                    message: notice.to_string(),
                });
            }
        }
    }
}
