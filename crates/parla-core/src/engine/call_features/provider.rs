//! Dialling the provider's forwarding codes one after another, as ordinary calls: each is
//! let ring, its announcement heard for a moment once answered, then hung up (or ended by
//! the far end), all within a bounded time.

use crate::api::{AccountId, CallDirection, CallState};
use crate::ua::account::{AccountMessage, Shared};
use crate::ua::calls::CallCommand;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

/// How long a code's call may take to be answered.
pub const ANSWER_WAIT: Duration = Duration::from_secs(30);
/// How long the provider's announcement plays before we hang up.
pub const LISTEN: Duration = Duration::from_secs(3);
/// How long hanging up may take.
pub const END_WAIT: Duration = Duration::from_secs(10);

pub struct Dialler {
    pub account: AccountId,
    pub shared: Shared,
    pub messages: UnboundedSender<AccountMessage>,
}

impl Dialler {
    /// Dials `codes` in order, each once the previous call has ended.
    pub async fn dial_all(self, codes: Vec<String>) {
        for code in codes {
            if !self.dial_one(code).await {
                break;
            }
        }
    }

    /// One code's call; false when the line is gone.
    async fn dial_one(&self, code: String) -> bool {
        let calls = &self.shared.calls;
        let call = self.shared.next_call_id();
        let commands = calls.insert(
            call,
            self.account.clone(),
            CallDirection::Outgoing,
            code.clone(),
            CallState::Calling,
        );
        tracing::info!(account = %self.account, call = %call, "dialling a forwarding code");
        let message = AccountMessage::Dial {
            call,
            to: code,
            commands,
            caller_id: None,
        };
        if self.messages.send(message).is_err() {
            calls.remove(call);
            return false;
        }
        let ringing = [CallState::Calling, CallState::Ringing];
        calls
            .wait_out_of(call, &ringing, Instant::now() + ANSWER_WAIT)
            .await;
        if calls
            .status(call)
            .is_some_and(|s| !ringing.contains(&s.state))
        {
            // Answered: let the announcement play, unless the far end ends it first.
            let gone = Instant::now() + LISTEN;
            let up = [
                CallState::Connected,
                CallState::OnHold,
                CallState::Held,
                CallState::Incoming,
            ];
            calls.wait_out_of(call, &up, gone).await;
        }
        calls.send(call, CallCommand::Hangup);
        calls.wait_gone(call, Instant::now() + END_WAIT).await;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AudioConfig;
    use tokio::sync::mpsc::unbounded_channel;

    /// The line's side: each code's call is answered after a second, and ends when hung up.
    #[tokio::test(start_paused = true)]
    async fn codes_are_dialled_in_turn_each_heard_then_hung_up() {
        let (events, _events) = unbounded_channel();
        let shared = Shared::new(events, AudioConfig::default(), vec![]);
        let (messages, mut line) = unbounded_channel();
        let dialler = Dialler {
            account: AccountId::new("work"),
            shared: shared.clone(),
            messages,
        };
        let start = Instant::now();
        let task = tokio::spawn(dialler.dial_all(vec!["*72201".into(), "*90202".into()]));
        let mut dialled = Vec::new();
        while let Some(AccountMessage::Dial {
            call,
            to,
            mut commands,
            ..
        }) = line.recv().await
        {
            dialled.push((to, start.elapsed().as_secs()));
            tokio::time::sleep(Duration::from_secs(1)).await;
            shared.calls.set_state(call, CallState::Connected);
            let hung_up = commands.recv().await;
            assert!(matches!(hung_up, Some(CallCommand::Hangup)));
            let heard = start.elapsed().as_secs() - dialled.last().map_or(0, |d| d.1);
            assert_eq!(heard, 1 + LISTEN.as_secs(), "the announcement is heard");
            shared.calls.remove(call);
            if dialled.len() == 2 {
                break;
            }
        }
        task.await.expect("dialler");
        assert_eq!(
            dialled,
            [("*72201".to_string(), 0), ("*90202".to_string(), 4)]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_code_nobody_answers_is_given_up_in_bounded_time() {
        let (events, _events) = unbounded_channel();
        let shared = Shared::new(events, AudioConfig::default(), vec![]);
        let (messages, mut line) = unbounded_channel();
        let dialler = Dialler {
            account: AccountId::new("work"),
            shared: shared.clone(),
            messages,
        };
        let start = Instant::now();
        let task = tokio::spawn(dialler.dial_all(vec!["*73".into()]));
        let Some(AccountMessage::Dial { mut commands, .. }) = line.recv().await else {
            panic!("a call");
        };
        assert!(matches!(commands.recv().await, Some(CallCommand::Hangup)));
        assert_eq!(start.elapsed(), ANSWER_WAIT);
        task.await.expect("dialler");
        assert_eq!(
            start.elapsed(),
            ANSWER_WAIT + END_WAIT,
            "the call never ended"
        );
    }
}
