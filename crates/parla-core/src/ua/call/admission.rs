//! Whether a new INVITE becomes a call: refused at once when there are too many calls (486,
//! nothing recorded), when the caller is a blocked contact (603) or under do not disturb
//! (486, unless the line's answering machine takes such calls at once); forwarded at once
//! (302 with the target in Contact) when the line forwards always, or when busy and another
//! call is under way or do not disturb is on (a busy forward wins over do not disturb's
//! 486); else a call task takes it, with the caller's name from the contacts, the line's
//! no-answer forward, and whether it is answered by itself (auto-answer, intercom).
//!
//! An INVITE with Replaces (RFC 3891) is the far end of an attended transfer taking the place
//! of one of our calls: 481 when it names no call of ours, 403 when the call is on another
//! line, 486 when it is a call ringing in (an early dialog we did not make) or `early-only`
//! names a call that is up, 400 when the header does not read; else it is answered at once.

use super::dialog::{IncomingDialog, IncomingInvite};
use super::incoming::Caller;
use super::replaces::Replaces;
use super::{incoming, record, CallEnv};
use crate::api::{AccountId, CallDirection, CallId, CallState, Event, RefusalReason};
use crate::store::{CallResult, Region};
use crate::ua::account::{Shared, MAX_CALLS};
use crate::ua::media::MediaBackend;

/// The line an INVITE came in on.
pub struct Line<'a> {
    pub account: &'a AccountId,
    pub shared: &'a Shared,
    pub region: Region,
    /// The line's answering machine takes calls at once under do not disturb (instead of
    /// their being refused).
    pub machine_under_dnd: bool,
}

/// Takes or refuses the INVITE behind `dialog`. `start` gives what a call task needs; none:
/// the line cannot take calls (500).
#[cfg(test)]
pub async fn take_incoming_call<D: IncomingDialog, M: MediaBackend>(
    line: Line<'_>,
    dialog: D,
    invite: IncomingInvite,
    start: impl FnOnce() -> Option<(CallEnv, M)>,
) {
    take_incoming_call_asking(line, dialog, invite, None, start).await;
}

/// [`take_incoming_call`] for an INVITE that asks to be answered after `asked` (intercom
/// headers, see [`crate::ua::auto_answer::asked_answer_after`]).
pub async fn take_incoming_call_asking<D: IncomingDialog, M: MediaBackend>(
    line: Line<'_>,
    mut dialog: D,
    invite: IncomingInvite,
    asked: Option<std::time::Duration>,
    start: impl FnOnce() -> Option<(CallEnv, M)>,
) {
    let shared = line.shared;
    if shared.calls.ids().len() >= MAX_CALLS {
        // A flood: no lookup, no history row, and a count per interval rather than a log line.
        crate::ua::log_limit::TOO_MANY_CALLS.note(None);
        dialog.reject(486).await;
        return;
    }
    let replacing = match &invite.replaces {
        None => None,
        Some(replaces) => match replaced_call(&line, replaces) {
            Ok(call) => Some(call),
            Err(code) => {
                tracing::info!(account = %line.account, code, "INVITE with Replaces refused");
                dialog.reject(code).await;
                return;
            }
        },
    };
    let contact = shared.store.caller_name(&invite.from, line.region).await;
    let blocked = contact.as_ref().is_some_and(|c| c.blocked);
    let name = contact
        .map(|c| c.name)
        .filter(|n| !n.is_empty())
        .or_else(|| invite.display_name.clone());
    // A call taking the place of one we have is no new caller to keep away.
    if replacing.is_none() && blocked {
        tracing::info!(account = %line.account, "incoming call refused: blocked contact");
        return refuse(&line, dialog, RefusalReason::Blocked, &invite, name, None).await;
    }
    let forwarding = shared.forwardings.of(line.account);
    let busy = shared.calls.any_in_progress() || shared.do_not_disturb();
    let forward_now = forwarding
        .always
        .clone()
        .or_else(|| forwarding.busy.clone().filter(|_| busy));
    if let (None, Some(target)) = (replacing, forward_now) {
        tracing::info!(account = %line.account, "incoming call forwarded");
        return refuse(
            &line,
            dialog,
            RefusalReason::Forwarded,
            &invite,
            name,
            Some(target),
        )
        .await;
    }
    let machine_at_once = shared.do_not_disturb() && line.machine_under_dnd;
    if replacing.is_none() && shared.do_not_disturb() && !machine_at_once {
        tracing::info!(account = %line.account, "incoming call refused: do not disturb");
        return refuse(
            &line,
            dialog,
            RefusalReason::DoNotDisturb,
            &invite,
            name,
            None,
        )
        .await;
    }
    // Again: the lookup took time, and other INVITEs may have become calls meanwhile.
    let refusal = if shared.calls.ids().len() >= MAX_CALLS {
        486
    } else if let Some((env, backend)) = start() {
        let alone = shared.calls.is_empty();
        let auto_answer_after =
            shared
                .auto_answer()
                .answer_after(&invite.from, line.region, asked, alone);
        let call = shared.next_call_id();
        let commands = shared.calls.insert(
            call,
            line.account.clone(),
            CallDirection::Incoming,
            invite.from.clone(),
            CallState::Incoming,
        );
        let caller = Caller {
            name,
            replacing,
            machine_at_once,
            no_answer_forward: forwarding.no_answer.filter(|_| replacing.is_none()),
            auto_answer_after: auto_answer_after.filter(|_| replacing.is_none()),
        };
        tokio::spawn(incoming::run(
            call, env, backend, dialog, invite, commands, caller,
        ));
        return;
    } else {
        500
    };
    tracing::info!(code = refusal, "incoming call refused");
    dialog.reject(refusal).await;
}

/// The call a Replaces header names, or the status to refuse the INVITE with.
fn replaced_call(line: &Line<'_>, replaces: &Result<Replaces, String>) -> Result<CallId, u16> {
    let Ok(replaces) = replaces else {
        return Err(400);
    };
    let (call, ringing_in) = line.shared.calls.replaced_by(replaces).ok_or(481u16)?;
    if &call.account != line.account {
        return Err(403);
    }
    let early = ringing_in || matches!(call.state, CallState::Calling | CallState::Ringing);
    if ringing_in || (replaces.early_only && !early) {
        return Err(486);
    }
    Ok(call.call)
}

/// Answers without ringing, says so (`call_refused`) and records the call. A forwarded call
/// gets a 302 with `forwarded_to` in its Contact.
async fn refuse<D: IncomingDialog>(
    line: &Line<'_>,
    mut dialog: D,
    reason: RefusalReason,
    invite: &IncomingInvite,
    name: Option<String>,
    forwarded_to: Option<String>,
) {
    let (code, result, text) = match reason {
        RefusalReason::Blocked => (603, CallResult::Blocked, "blocked"),
        // Missed, so the person sees who called while they were not to be disturbed.
        RefusalReason::DoNotDisturb => (486, CallResult::Missed, "do not disturb"),
        RefusalReason::Forwarded => (302, CallResult::Forwarded, "forwarded"),
    };
    match &forwarded_to {
        Some(target) if code == 302 => dialog.redirect(target.clone()).await,
        _ => dialog.reject(code).await,
    }
    let row = record::refused(
        line.account,
        &invite.from,
        invite.display_name.as_deref(),
        result,
        text,
        code,
    );
    line.shared.store.record(row, line.region).await;
    let _ = line.shared.events.send(Event::CallRefused {
        account: line.account.clone(),
        from: invite.from.clone(),
        name,
        reason,
        forwarded_to,
    });
}
