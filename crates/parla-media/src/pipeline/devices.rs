//! The media thread's side of the devices: what happened to them, and switching to new ones
//! that `MediaSession::switch_devices` opened.

use super::Pipeline;
use crate::events::MediaEvent;
use crate::session::switch::{DeviceSwap, Retired};

impl Pipeline {
    /// Reports device changes (unplugged, fell back to the default) as events.
    pub(super) fn report_device_notices(&mut self) {
        let notices = [self.s.source.take_notice(), self.s.sink.take_notice()];
        for notice in notices.into_iter().flatten() {
            tracing::warn!(%notice, "audio device changed");
            self.emit(MediaEvent::DeviceChanged {
                message: notice.to_string(),
            });
        }
    }

    /// Puts in the endpoints a switch opened and hands the replaced ones back, to be closed
    /// on the switching thread.
    pub(super) fn take_device_swap(&mut self) {
        let Ok(DeviceSwap {
            source,
            sink,
            retired,
        }) = self.s.swaps.pop()
        else {
            return;
        };
        // What the old devices still had to say is said before they go.
        self.report_device_notices();
        let old = Retired {
            source: source.map(|new| std::mem::replace(&mut self.s.source, new)),
            sink: sink.map(|new| std::mem::replace(&mut self.s.sink, new)),
        };
        old.hand_back(&retired);
    }
}
