//! The established call's side of a blind transfer: sends the REFER, answers the NOTIFYs,
//! and carries out what [`crate::ua::call::transfer`] decides (report, end, or keep the call
//! and send the hold or resume that waited).

use super::Established;
use crate::api::{ErrorKind, Event, TransferState};
use crate::ua::call::dialog::{CallDialog, DialogEvent};
use crate::ua::call::transfer::{Outcome, Transfer};
use crate::ua::media::MediaBackend;

impl<D: CallDialog, M: MediaBackend> Established<D, M> {
    /// Blind transfer to `to` (read as a dialled number is): a REFER, unless one is under
    /// way or a hold or resume is.
    pub(super) fn transfer(&mut self, to: &str) {
        let id = self.call.id;
        let busy = if self.transfer.is_some() {
            Some("a transfer is already under way")
        } else if self.sent.is_some() || self.retry.is_some() {
            Some("a hold or resume is under way")
        } else {
            None
        };
        if let Some(why) = busy {
            return self.call.error(
                ErrorKind::TransferFailed,
                format!("call {id}: not transferred: {why}"),
            );
        }
        match self.call.env.dial_plan.target(to) {
            Ok(target) => {
                tracing::info!(call = %id, %target, "blind transfer");
                self.dialog.refer(target.clone());
                self.transfer = Some(Transfer::new(target));
            }
            Err(e) => self.call.error(
                ErrorKind::TransferFailed,
                format!("call {id}: not transferred: {e}"),
            ),
        }
    }

    /// Carries out a step of the transfer; true when the call is to end as transferred.
    fn transfer_step(&mut self, outcome: Option<Outcome>) -> bool {
        let id = self.call.id;
        let report = |state, code| Event::Transfer {
            call: id,
            state,
            code: Some(code),
        };
        match outcome {
            None => false,
            Some(Outcome::Progress(state, code)) => {
                self.call.emit(report(state, code));
                false
            }
            Some(Outcome::Succeeded(code)) => {
                self.transfer = None;
                self.call.emit(report(TransferState::Succeeded, code));
                true
            }
            Some(Outcome::Failed { code, why }) => {
                self.transfer = None;
                tracing::info!(call = %id, code, %why, "transfer failed");
                self.call.emit(report(TransferState::Failed, code));
                self.call
                    .error(ErrorKind::TransferFailed, format!("call {id}: {why}"));
                self.send_queued();
                false
            }
        }
    }

    /// The far end has the target on the line: our part is over.
    pub(super) async fn transferred(mut self) {
        if let Err(e) = self.dialog.bye().await {
            tracing::warn!(call = %self.call.id, error = %e, "BYE after the transfer failed");
        }
        self.call.end("transferred", None).await;
    }

    /// The REFER's response or a NOTIFY of its subscription; true when the call is to end
    /// as transferred.
    pub(super) async fn transfer_event(&mut self, event: DialogEvent) -> bool {
        let outcome = match event {
            DialogEvent::ReferAnswered { code } => {
                self.transfer.as_mut().and_then(|t| t.answered(code))
            }
            DialogEvent::ReferFailed(error) => self.transfer.as_ref().map(|t| t.not_sent(&error)),
            DialogEvent::ReferNotify {
                request,
                status,
                terminated,
            } => {
                // Every NOTIFY gets its 200, also one for a transfer given up on.
                self.dialog.respond(request, 200, None).await;
                self.transfer
                    .as_mut()
                    .and_then(|t| t.notified(status, terminated))
            }
            _ => None,
        };
        self.transfer_step(outcome)
    }

    /// No (final) NOTIFY in time; true when the call is to end (never).
    pub(super) fn transfer_timed_out(&mut self) -> bool {
        let outcome = self.transfer.as_ref().map(Transfer::timed_out);
        self.transfer_step(outcome)
    }
}
