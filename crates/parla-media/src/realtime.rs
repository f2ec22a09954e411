//! Real-time scheduling for the threads that keep audio deadlines (a call's media thread, the
//! capture reader): on a busy machine an ordinary thread can be woken several ms late, which
//! the device rings then absorb as underruns, dropped audio and standing delay.
//!
//! `audio_thread_priority` (Mozilla's, as Firefox uses) asks for `SCHED_FIFO` at a modest
//! priority, reset on fork. Without the `dbus` feature it asks the kernel directly, so it works
//! where the process may (root, `CAP_SYS_NICE`, or an `RLIMIT_RTPRIO` such as the `audio`
//! group's); elsewhere the thread stays as it was and the call runs as before.

use audio_thread_priority::{promote_current_thread_to_real_time, RtPriorityHandle};

/// Raises the calling thread, which handles `frames` samples at `rate` per wake-up. Keep the
/// handle while the thread runs; `None` when the system said no (logged at debug).
pub(crate) fn promote(what: &str, frames: u32, rate: u32) -> Option<RtPriorityHandle> {
    match promote_current_thread_to_real_time(frames, rate) {
        Ok(handle) => {
            tracing::debug!("{what}: real-time scheduling");
            Some(handle)
        }
        Err(e) => {
            tracing::debug!("{what}: no real-time scheduling ({e})");
            None
        }
    }
}
