//! Real-time scheduling for the threads that keep audio deadlines (a call's media thread, the
//! local conference's mixer, the capture reader): on a busy machine an ordinary thread can be
//! woken several ms late, which the device rings then absorb as underruns, dropped audio and
//! standing delay.
//!
//! First the kernel is asked directly: `audio_thread_priority` (Mozilla's, as Firefox uses)
//! sets `SCHED_FIFO` at a modest priority, reset on fork. That works where the process may
//! (root, `CAP_SYS_NICE`, or an `RLIMIT_RTPRIO` such as the `audio` group's). An ordinary
//! desktop user has none of these; there the request goes to rtkit (see [`rtkit`]), as sound
//! servers and browsers do. Where neither says yes, the thread stays as it was and the call
//! runs as before.

use audio_thread_priority::{promote_current_thread_to_real_time, RtPriorityHandle};

#[cfg(target_os = "linux")]
pub mod rtkit;

/// Raises the calling thread, which handles `frames` samples at `rate` per wake-up. Keep the
/// handle while the thread runs. `None` when the kernel said no (logged at debug); on Linux
/// rtkit is then asked in the background, and what it grants lasts as long as the thread.
pub(crate) fn promote(what: &'static str, frames: u32, rate: u32) -> Option<RtPriorityHandle> {
    match promote_current_thread_to_real_time(frames, rate) {
        Ok(handle) => {
            tracing::debug!("{what}: real-time scheduling");
            Some(handle)
        }
        Err(e) => {
            tracing::debug!("{what}: no real-time scheduling from the kernel ({e})");
            #[cfg(target_os = "linux")]
            rtkit::request(what, rtkit::current_thread());
            None
        }
    }
}
