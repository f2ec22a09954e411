//! rsipstack keeps every dialog until it is removed, ended or not, and keeps the last answer of
//! an INVITE transaction whose ACK never came (a scanner never sends one) after the transaction
//! itself is gone: without this sweep each call and each INVITE would stay in memory for the
//! life of the line.

use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transaction::key::TransactionKey;
use rsipstack::transaction::Transaction;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often ended dialogs and finished transactions are looked for; one is removed when two
/// looks in a row found it ended, so it outlives the retransmissions of its last messages
/// (32 s) and not much more.
const SWEEP: Duration = Duration::from_secs(20);

pub async fn sweep_ended(
    dialogs: Arc<DialogLayer>,
    endpoint: EndpointInnerRef,
    cancel: CancellationToken,
) {
    let mut dialogs_ended = HashSet::new();
    let mut transactions_ended = HashSet::new();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(SWEEP) => {}
        }
        let removed = sweep_dialogs(&dialogs, &mut dialogs_ended);
        let forgotten = sweep_transactions(&endpoint, &mut transactions_ended);
        let stats = endpoint.get_stats();
        tracing::debug!(
            removed,
            forgotten,
            dialogs = dialogs.len(),
            transactions = stats.running_transactions,
            finished = stats.finished_transactions,
            waiting_ack = stats.waiting_ack,
            tasks = tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks(),
            "ended dialogs and transactions swept"
        );
    }
}

/// How long an INVITE's transaction may outlive its dialog: the ACK to a final answer comes
/// within 64*T1 (RFC 3261 timer H), so after that nothing can still arrive for it.
const INVITE_OUTLIVES_DIALOG: Duration = Duration::from_secs(32);
/// How often [`handle_invite`] looks whether the dialog has ended.
const DIALOG_CHECK: Duration = Duration::from_secs(4);

/// Runs a received INVITE's transaction for its dialog (the answers sent through it, the ACK
/// or CANCEL it waits for) until it ends, or until the dialog has been over for
/// [`INVITE_OUTLIVES_DIALOG`]. On TCP no timer runs while the transaction waits, so when its
/// connection is gone before the final answer (a scanner, a caller that hung up its
/// connection) that answer is never sent and the transaction would wait for ever, with its
/// task, its connection and its messages: dropping it ends it.
pub async fn handle_invite(mut server: InviteDialog, mut tx: Transaction) {
    let (dialog, key) = (server.clone(), tx.key.clone());
    let over_for_long = async {
        let mut over_since = None;
        loop {
            tokio::time::sleep(DIALOG_CHECK).await;
            if !dialog.state().is_terminated() {
                continue;
            }
            let since = *over_since.get_or_insert_with(tokio::time::Instant::now);
            if since.elapsed() >= INVITE_OUTLIVES_DIALOG {
                return;
            }
        }
    };
    tokio::select! {
        handled = server.handle(&mut tx) => if let Err(e) = handled {
            tracing::debug!(error = %e, "INVITE transaction ended with an error");
        },
        () = over_for_long => {
            tracing::debug!(%key, "INVITE transaction dropped: its dialog is long over");
        }
    }
}

fn sweep_dialogs(dialogs: &DialogLayer, ended_before: &mut HashSet<String>) -> usize {
    let mut ended_now = HashSet::new();
    let mut removed = 0;
    for key in dialogs.all_dialog_ids() {
        let Some(dialog) = dialogs.get_dialog_with(&key) else {
            continue;
        };
        if !dialog.state().is_terminated() {
            continue;
        }
        if ended_before.contains(&key) {
            dialogs.remove_dialog(&dialog.id());
            removed += 1;
        } else {
            ended_now.insert(key);
        }
    }
    *ended_before = ended_now;
    removed
}

/// Finished transactions no longer running (their timers are over) and what waits for their
/// ACK.
fn sweep_transactions(
    endpoint: &EndpointInnerRef,
    ended_before: &mut HashSet<TransactionKey>,
) -> usize {
    let finished: Vec<TransactionKey> = endpoint
        .finished_transactions
        .with(|m| m.keys().cloned().collect());
    let mut ended_now = HashSet::new();
    let mut gone = HashSet::new();
    for key in finished {
        if endpoint.transactions.contains_key(&key) {
            continue;
        }
        if ended_before.contains(&key) {
            endpoint.finished_transactions.remove(&key);
            gone.insert(key);
        } else {
            ended_now.insert(key);
        }
    }
    if !gone.is_empty() {
        endpoint.waiting_ack.retain(|_, key| !gone.contains(key));
    }
    *ended_before = ended_now;
    gone.len()
}
