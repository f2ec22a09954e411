//! Handing a prepared object (hold music, a recording's tap) from the handle's thread to the
//! media thread, and the one it replaces back, so that nothing is built or freed on the media
//! thread.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

/// One slot each way: `offer` on the handle's thread, `take` on the media thread, `retire`
/// gives the replaced object back to be dropped by the next `offer` (or `drop_retired`).
pub(crate) struct Handover<T> {
    changed: AtomicBool,
    next: Mutex<Option<T>>,
    retired: Mutex<Option<T>>,
}

impl<T> Default for Handover<T> {
    fn default() -> Self {
        Self {
            changed: AtomicBool::new(false),
            next: Mutex::new(None),
            retired: Mutex::new(None),
        }
    }
}

impl<T> Handover<T> {
    /// On the handle's thread: `new` for the media thread. What was retired earlier, and an
    /// offer it has not taken yet, are dropped here.
    pub fn offer(&self, new: T) {
        self.drop_retired();
        let unused = self
            .next
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(new);
        drop(unused);
        self.changed.store(true, Relaxed);
    }

    /// On the handle's thread: drops what the media thread gave back.
    pub fn drop_retired(&self) {
        let retired = self
            .retired
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(retired);
    }

    /// On the media thread: the object offered since the last call, if any (one atomic load
    /// when there is none).
    pub fn take(&self) -> Option<T> {
        if !self.changed.swap(false, Relaxed) {
            return None;
        }
        self.next
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// On the media thread: gives a replaced object back. The slot is empty here (the handle
    /// empties it before each offer), so nothing is freed on this thread.
    pub fn retire(&self, old: T) {
        let mut retired = self.retired.lock().unwrap_or_else(PoisonError::into_inner);
        if retired.is_none() {
            *retired = Some(old);
        } else {
            drop(retired);
            drop(old);
        }
    }

    /// Whether a replaced object waits to be dropped (tests).
    #[cfg(test)]
    pub fn has_retired(&self) -> bool {
        self.retired
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}
