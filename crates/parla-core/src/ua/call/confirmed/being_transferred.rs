//! The established call's side of being transferred: the far end's REFER is checked against
//! the line's policy, answered 202 (with an immediate NOTIFY 100), and the line places the
//! call to the Refer-To; its progress goes back as NOTIFYs with a `message/sipfrag` body,
//! and this call ends as `transferred` once the new one is connected: by the transferor's
//! BYE on our NOTIFY 200 or, if none comes in [`BYE_WAIT`], by ours (a BYE of ours at once
//! would end the dialog before the NOTIFY is out). A new call that fails leaves this one as
//! it was.

use super::Established;
use crate::ua::call::dialog::{CallDialog, RequestId};
use crate::ua::call::referred::{self, LineRequest, Progress, ReferredCall};
use crate::ua::media::{CallAudio, MediaBackend};
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// How long the transferor has to end the old dialog after our NOTIFY 200 before we do.
pub(crate) const BYE_WAIT: Duration = Duration::from_secs(2);

/// A REFER of the far end we are carrying out.
pub(super) struct BeingTransferred {
    progress: UnboundedReceiver<Progress>,
    /// The far end wants NOTIFYs (no `Refer-Sub: false`).
    pub subscription: bool,
}

/// The next progress of the call placed for the REFER; pending while there is none.
pub(super) async fn next(referred: &mut Option<BeingTransferred>) -> Option<Progress> {
    match referred.as_mut() {
        Some(r) => r.progress.recv().await,
        None => std::future::pending().await,
    }
}

impl<D: CallDialog, M: MediaBackend> Established<D, M> {
    /// The far end's REFER: take it (202, NOTIFY 100, the line places the call) or refuse it.
    pub(super) async fn referred_to(
        &mut self,
        request: RequestId,
        target: String,
        replaces: Option<String>,
        referred_by: Option<String>,
        subscription: bool,
    ) {
        let id = self.call.id;
        if self.referred.is_some() || self.transfer.is_some() || self.refer_after_hold.is_some() {
            // One transfer at a time, either way (RFC 3261 14.2 in spirit).
            tracing::info!(call = %id, "REFER refused: a transfer is under way");
            return self.dialog.respond(request, 491, None).await;
        }
        let env = &self.call.env;
        if let Err(refusal) = referred::check(&target, env.transfers, &env.dial_plan.domain) {
            tracing::info!(call = %id, code = refusal.code, why = refusal.why, %target, "REFER refused");
            return self.dialog.respond(request, refusal.code, None).await;
        }
        let (progress_tx, progress) = unbounded_channel();
        let placed = env.line.send(LineRequest::PlaceReferred(ReferredCall {
            from: id,
            target: target.clone(),
            replaces,
            referred_by,
            progress: progress_tx,
        }));
        if placed.is_err() {
            return self.dialog.respond(request, 503, None).await;
        }
        tracing::info!(call = %id, %target, subscription, "transferred by the far end");
        self.dialog.accept_refer(request, subscription).await;
        if subscription {
            self.dialog.notify_refer(100, false);
        }
        self.referred = Some(BeingTransferred {
            progress,
            subscription,
        });
        // Its audio pauses on our side (no re-INVITE: the far end is busy transferring).
        if let Some(media) = self.call.media.as_mut() {
            media.set_local_hold(true);
        }
    }

    /// How the new call goes; true when it is up, so this call is to end as transferred
    /// (the transferor says BYE on our NOTIFY 200, or we do after [`BYE_WAIT`]).
    pub(super) fn referred_progress(&mut self, progress: Progress) -> bool {
        let Some(referred) = self.referred.as_ref() else {
            return false;
        };
        let (code, last) = referred::notify_for(progress);
        if referred.subscription {
            self.dialog.notify_refer(code, last);
        }
        if last {
            self.referred = None;
        }
        let connected = progress == Progress::Connected;
        if last && !connected {
            // The transfer failed: the call is back as it was.
            let held = self.local_hold;
            if let Some(media) = self.call.media.as_mut() {
                media.set_local_hold(held);
            }
        }
        connected
    }
}
