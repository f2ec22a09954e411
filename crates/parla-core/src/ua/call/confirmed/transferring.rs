//! The established call's side of our transfers: sends the REFER, answers the NOTIFYs, and
//! carries out what [`crate::ua::call::transfer`] decides (report, end, or keep the call
//! and send the hold or resume that waited).
//!
//! Attended (RFC 5589): the call is held first and the REFER goes only once the hold is
//! answered (baresip's REFER before the hold's answer gets 491 from some PBXs); its Refer-To
//! names the consult call's far end with a Replaces of that dialog. On success the consult
//! call is handed over too. A far end that cannot take a REFER (405, 501) is transferred the
//! other way round: the consult call REFERs its far end to ours.

use super::Established;
use crate::api::{CallId, ErrorKind, Event, TransferState};
use crate::ua::call::dialog::{CallDialog, DialogEvent};
use crate::ua::call::replaces::DialogInfo;
use crate::ua::call::transfer::{Outcome, Transfer};
use crate::ua::calls::CallCommand;
use crate::ua::media::MediaBackend;

/// An attended transfer: the consult call whose dialog our far end is to replace.
#[derive(Debug, Clone)]
pub(super) struct Attended {
    pub consult: CallId,
    pub target: DialogInfo,
    /// Asked of the consult call because the first call's far end refused the REFER.
    pub reversed: bool,
}

/// REFER refusals that mean "not here, try the other way" (RFC 5589 7.1).
fn cannot_refer(code: u16) -> bool {
    matches!(code, 405 | 501)
}

impl<D: CallDialog, M: MediaBackend> Established<D, M> {
    /// Why a new transfer cannot start now, if it cannot.
    pub(super) fn transfer_busy(&self) -> Option<&'static str> {
        if self.transfer.is_some() || self.refer_after_hold.is_some() {
            Some("a transfer is already under way")
        } else if self.referred.is_some() {
            Some("the far end is transferring this call")
        } else {
            None
        }
    }

    fn refuse_transfer(&self, why: &str) {
        let id = self.call.id;
        self.call.error(
            ErrorKind::TransferFailed,
            format!("call {id}: not transferred: {why}"),
        );
    }

    /// Blind transfer to `to` (read as a dialled number is): a REFER, unless one is under
    /// way or a hold or resume is.
    pub(super) fn transfer(&mut self, to: &str) {
        let id = self.call.id;
        let busy = self.transfer_busy().or_else(|| {
            (self.sent.is_some() || self.retry.is_some()).then_some("a hold or resume is under way")
        });
        if let Some(why) = busy {
            return self.refuse_transfer(why);
        }
        match self.call.env.dial_plan.target(to) {
            Ok(target) => {
                tracing::info!(call = %id, %target, "blind transfer");
                self.dialog.refer(target.clone());
                self.transfer = Some(Transfer::new(target));
            }
            Err(e) => self.refuse_transfer(&e.to_string()),
        }
    }

    /// Attended transfer: hold first (unless held already), then the REFER with Replaces.
    pub(super) fn transfer_replacing(&mut self, attended: Attended) {
        if let Some(why) = self.transfer_busy() {
            self.call
                .emit(self.report(TransferState::Failed, None, Some(&attended)));
            return self.refuse_transfer(why);
        }
        let settled = self.sent.is_none() && self.retry.is_none();
        if self.local_hold && settled {
            return self.refer_replacing(attended);
        }
        tracing::info!(call = %self.call.id, consult = %attended.consult, "holding before the attended transfer");
        self.refer_after_hold = Some(attended);
        self.hold(true);
    }

    /// A re-INVITE of ours has its outcome: the attended transfer waiting for the hold goes
    /// on, or fails if the call is not held.
    pub(super) fn refer_if_held(&mut self) {
        if self.sent.is_some() || self.retry.is_some() {
            return;
        }
        let Some(attended) = self.refer_after_hold.take() else {
            return;
        };
        if self.local_hold {
            return self.refer_replacing(attended);
        }
        self.call
            .emit(self.report(TransferState::Failed, None, Some(&attended)));
        self.refuse_transfer("the call could not be put on hold first");
    }

    fn refer_replacing(&mut self, attended: Attended) {
        let target = attended.target.refer_target_replacing();
        tracing::info!(call = %self.call.id, consult = %attended.consult, reversed = attended.reversed, "attended transfer");
        self.dialog.refer(target);
        // The target may drop the consult call before the NOTIFY 200 reaches us.
        let calls = &self.call.env.calls;
        calls.expect_hand_over(attended.consult, Some("transferred"));
        self.transfer = Some(Transfer::new(attended.target.remote_uri.clone()));
        self.attended = Some(attended);
    }

    fn report(
        &self,
        state: TransferState,
        code: Option<u16>,
        attended: Option<&Attended>,
    ) -> Event {
        Event::Transfer {
            call: self.call.id,
            state,
            code,
            to_call: attended.map(|a| a.consult),
            reversed: attended.is_some_and(|a| a.reversed),
        }
    }

    /// Carries out a step of the transfer; true when the call is to end as transferred.
    fn transfer_step(&mut self, outcome: Option<Outcome>) -> bool {
        let id = self.call.id;
        match outcome {
            None => false,
            Some(Outcome::Progress(state, code)) => {
                self.call
                    .emit(self.report(state, Some(code), self.attended.as_ref()));
                false
            }
            Some(Outcome::Succeeded(code)) if self.parking.is_some() => {
                self.transfer = None;
                self.call
                    .emit(self.report(TransferState::Succeeded, Some(code), None));
                self.parked();
                false
            }
            Some(Outcome::Succeeded(code)) => {
                self.transfer = None;
                let attended = self.attended.take();
                self.call.emit(self.report(
                    TransferState::Succeeded,
                    Some(code),
                    attended.as_ref(),
                ));
                if let Some(attended) = attended {
                    self.call
                        .env
                        .calls
                        .hand_over(attended.consult, "transferred");
                }
                true
            }
            Some(Outcome::Failed { code, why }) => {
                self.transfer = None;
                let attended = self.attended.take();
                if let Some(a) = &attended {
                    self.call.env.calls.expect_hand_over(a.consult, None);
                }
                let reversible = attended
                    .as_ref()
                    .filter(|a| !a.reversed && cannot_refer(code));
                if reversible.is_some_and(|a| self.reverse(a, code)) {
                    return false;
                }
                tracing::info!(call = %id, code, %why, "transfer failed");
                self.call
                    .emit(self.report(TransferState::Failed, Some(code), attended.as_ref()));
                let kind = match self.parking.take() {
                    Some(_) => ErrorKind::ParkFailed,
                    None => ErrorKind::TransferFailed,
                };
                self.call.error(kind, format!("call {id}: {why}"));
                self.send_queued();
                false
            }
        }
    }

    /// Our far end cannot take a REFER: ask the consult call to REFER its far end to ours.
    /// False when that cannot be asked (no dialog to name, the consult call gone).
    fn reverse(&mut self, attended: &Attended, code: u16) -> bool {
        let id = self.call.id;
        let Some(ours) = self.dialog.info() else {
            return false;
        };
        let reversed = CallCommand::TransferReplacing {
            consult: id,
            target: ours,
            reversed: true,
        };
        if !self.call.env.calls.send(attended.consult, reversed) {
            return false;
        }
        tracing::info!(call = %id, code, consult = %attended.consult, "the far end cannot take a REFER: transferring the other way");
        self.send_queued();
        true
    }

    /// The far end has the target on the line: our part is over.
    pub(super) async fn transferred(mut self) {
        if let Err(e) = self.dialog.bye().await {
            tracing::warn!(call = %self.call.id, error = %e, "BYE after the transfer failed");
        }
        let reason = self.leaving_reason();
        self.call.end(reason, None).await;
    }

    /// How the call ends once its transfer succeeded.
    pub(super) fn leaving_reason(&self) -> &'static str {
        if self.parking.is_some() {
            "parked"
        } else {
            "transferred"
        }
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
                orbit,
            } => {
                // Every NOTIFY gets its 200, also one for a transfer given up on.
                self.dialog.respond(request, 200, None).await;
                if let (Some(parking), Some(orbit)) = (self.parking.as_mut(), orbit) {
                    parking.told = Some(orbit);
                }
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
