//! Park: a blind transfer to the line's park code. Once the park server has the call (its
//! NOTIFY 200, or it hangs up first) we say `parked` with the orbit (the one its NOTIFY
//! named, else the one asked for) and the call ends as `parked`: at the server's BYE, or
//! ours after [`PARK_GRACE`] (the audio stays up meanwhile, so an announcement is heard).

use super::Established;
use crate::api::{ErrorKind, Event};
use crate::ua::call::dialog::CallDialog;
use crate::ua::media::MediaBackend;
use std::time::Duration;
use tokio::time::Instant;

/// How long a parked call waits for the park server's BYE before saying its own.
pub const PARK_GRACE: Duration = Duration::from_secs(5);

/// Our transfer under way is a park.
#[derive(Debug, Default)]
pub(super) struct Parking {
    /// The orbit asked for.
    pub asked: Option<String>,
    /// The orbit the park server named.
    pub told: Option<String>,
    /// `parked` was reported.
    pub reported: bool,
}

impl<D: CallDialog, M: MediaBackend> Established<D, M> {
    /// Parks the call: a REFER to `target` (the park code with the orbit).
    pub(super) fn park(&mut self, target: &str, orbit: Option<String>) {
        let id = self.call.id;
        let busy = self.transfer_busy().or_else(|| {
            (self.sent.is_some() || self.retry.is_some()).then_some("a hold or resume is under way")
        });
        if let Some(why) = busy {
            return self.call.error(
                ErrorKind::ParkFailed,
                format!("call {id}: not parked: {why}"),
            );
        }
        self.transfer(target);
        if self.transfer.is_some() {
            self.parking = Some(Parking {
                asked: orbit,
                ..Parking::default()
            });
        } else {
            self.call.error(
                ErrorKind::ParkFailed,
                format!("call {id}: not parked: the park code {target} cannot be dialled"),
            );
        }
    }

    /// The park server has the call: say where, and end after the grace.
    pub(super) fn parked(&mut self) {
        let Some(parking) = self.parking.as_mut() else {
            return;
        };
        if !parking.reported {
            parking.reported = true;
            let orbit = parking.told.clone().or_else(|| parking.asked.clone());
            tracing::info!(call = %self.call.id, ?orbit, "parked");
            self.call.emit(Event::Parked {
                call: self.call.id,
                orbit,
            });
        }
        self.leaving_at.get_or_insert(Instant::now() + PARK_GRACE);
    }
}
