//! The media thread's side of the devices: what happened to them, and switching to new ones
//! that `MediaSession::switch_devices` opened.

use super::Pipeline;
use crate::events::MediaEvent;
use crate::session::switch::device_notices;

impl Pipeline {
    /// Reports device changes (unplugged, fell back to the default) as events.
    pub(super) fn report_device_notices(&mut self) {
        for notice in device_notices(self.s.source.as_mut(), self.s.sink.as_mut()) {
            tracing::warn!(%notice, "audio device changed");
            self.emit(MediaEvent::DeviceChanged {
                message: notice.to_string(),
            });
        }
    }

    /// Puts in the endpoints a switch opened and hands the replaced ones back, to be closed
    /// on the switching thread.
    pub(super) fn take_device_swap(&mut self) {
        let Ok(swap) = self.s.swaps.pop() else {
            return;
        };
        // What the old devices still had to say is said before they go.
        self.report_device_notices();
        swap.install(&mut self.s.source, &mut self.s.sink);
    }
}
