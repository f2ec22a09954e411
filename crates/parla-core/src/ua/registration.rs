//! Keeping an account registered: refresh before expiry, follow 423 Min-Expires, and retry
//! failures with capped exponential backoff, never a storm. The SIP exchange itself sits behind
//! [`Registrar`] so that the timing is tested on tokio's paused clock.

use crate::api::{AccountId, Event, RegistrationState};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

/// What one REGISTER exchange (with its digest retry) came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterOutcome {
    Registered {
        granted: u32,
    },
    IntervalTooBrief {
        min_expires: Option<u32>,
    },
    /// A final refusal: wrong password (401/407 after credentials), 403, 404 ...
    Rejected {
        code: u16,
        reason: String,
    },
    /// No answer, or the server could not be reached or found.
    Unreachable {
        reason: String,
    },
}

#[allow(async_fn_in_trait)]
pub trait Registrar {
    async fn register(&mut self, expires: u32) -> RegisterOutcome;
}

/// Backoff after a refusal: the credentials will not fix themselves, so wait long.
const REJECTED_FIRST: Duration = Duration::from_secs(60);
const REJECTED_CAP: Duration = Duration::from_secs(30 * 60);
/// Backoff while the server cannot be reached.
const UNREACHABLE_FIRST: Duration = Duration::from_secs(5);
const UNREACHABLE_CAP: Duration = Duration::from_secs(5 * 60);
/// Largest lifetime we agree to raise to on 423; beyond it the server is not sensible.
const MAX_EXPIRES: u32 = 86_400;
/// Longest wait for the un-REGISTER when quitting.
pub const UNREGISTER_TIMEOUT: Duration = Duration::from_secs(4);

/// When to refresh a registration the server granted for `granted` seconds: a minute early for
/// long ones, half way for short ones.
pub fn refresh_after(granted: u32) -> Duration {
    let granted = granted.max(2);
    Duration::from_secs(u64::from(granted.saturating_sub(60).max(granted / 2)))
}

fn backoff(first: Duration, cap: Duration, failures: u32) -> Duration {
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1))
        .unwrap_or(u32::MAX);
    first.saturating_mul(factor).min(cap)
}

pub struct RegistrationLoop<R> {
    pub account: AccountId,
    pub registrar: R,
    pub expires: u32,
    pub events: UnboundedSender<Event>,
}

impl<R: Registrar> RegistrationLoop<R> {
    /// Runs until `stop` is cancelled, then un-registers if registered.
    pub async fn run(mut self, stop: CancellationToken) {
        let mut expires = self.expires;
        let mut failures = 0u32;
        let mut too_brief = 0u32;
        let mut reported: Option<(RegistrationState, Option<u16>)> = None;
        let mut registered = false;
        self.report(
            &mut reported,
            RegistrationState::Registering,
            None,
            None,
            None,
        );
        loop {
            let outcome = tokio::select! {
                _ = stop.cancelled() => break,
                outcome = self.registrar.register(expires) => outcome,
            };
            let wait = match outcome {
                RegisterOutcome::Registered { granted } => {
                    failures = 0;
                    too_brief = 0;
                    registered = true;
                    self.report(
                        &mut reported,
                        RegistrationState::Registered,
                        None,
                        None,
                        Some(granted),
                    );
                    refresh_after(granted)
                }
                RegisterOutcome::IntervalTooBrief { min_expires } if too_brief < 3 => {
                    too_brief += 1;
                    expires = min_expires
                        .unwrap_or(expires.saturating_mul(2))
                        .clamp(expires, MAX_EXPIRES);
                    Duration::ZERO
                }
                RegisterOutcome::IntervalTooBrief { .. } => {
                    registered = false;
                    failures += 1;
                    let reason = "the server keeps asking for a longer registration".to_string();
                    self.report(
                        &mut reported,
                        RegistrationState::Failed,
                        Some(423),
                        Some(reason),
                        None,
                    );
                    backoff(REJECTED_FIRST, REJECTED_CAP, failures)
                }
                RegisterOutcome::Rejected { code, reason } => {
                    registered = false;
                    failures += 1;
                    self.report(
                        &mut reported,
                        RegistrationState::Failed,
                        Some(code),
                        Some(reason),
                        None,
                    );
                    backoff(REJECTED_FIRST, REJECTED_CAP, failures)
                }
                RegisterOutcome::Unreachable { reason } => {
                    registered = false;
                    failures += 1;
                    self.report(
                        &mut reported,
                        RegistrationState::Failed,
                        Some(408),
                        Some(reason),
                        None,
                    );
                    backoff(UNREACHABLE_FIRST, UNREACHABLE_CAP, failures)
                }
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
        if registered {
            // A registrar that does not answer must not hold up quitting.
            let _ = tokio::time::timeout(UNREGISTER_TIMEOUT, self.registrar.register(0)).await;
        }
        self.report(
            &mut reported,
            RegistrationState::Unregistered,
            None,
            None,
            None,
        );
    }

    /// Emits a registration event when the state (or the failure code) changes, so a wrong
    /// password is reported once however often it is retried.
    fn report(
        &self,
        reported: &mut Option<(RegistrationState, Option<u16>)>,
        state: RegistrationState,
        code: Option<u16>,
        reason: Option<String>,
        expires: Option<u32>,
    ) {
        let key = (state, code);
        if *reported == Some(key) {
            return;
        }
        *reported = Some(key);
        let _ = self.events.send(Event::Registration {
            account: self.account.clone(),
            state,
            code,
            reason,
            expires,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};
    use tokio::time::Instant;

    #[derive(Clone, Default)]
    struct Script {
        outcomes: Arc<Mutex<VecDeque<RegisterOutcome>>>,
        calls: Arc<Mutex<Vec<(Duration, u32)>>>,
    }

    struct FakeRegistrar {
        script: Script,
        start: Instant,
        fallback: RegisterOutcome,
    }

    impl Registrar for FakeRegistrar {
        async fn register(&mut self, expires: u32) -> RegisterOutcome {
            let at = self.start.elapsed();
            self.script.calls.lock().expect("calls").push((at, expires));
            let next = self.script.outcomes.lock().expect("outcomes").pop_front();
            next.unwrap_or_else(|| self.fallback.clone())
        }
    }

    struct Run {
        script: Script,
        stop: CancellationToken,
        events: tokio::sync::mpsc::UnboundedReceiver<Event>,
        task: tokio::task::JoinHandle<()>,
    }

    fn start(outcomes: Vec<RegisterOutcome>, fallback: RegisterOutcome) -> Run {
        let script = Script::default();
        script.outcomes.lock().expect("outcomes").extend(outcomes);
        let (tx, events) = tokio::sync::mpsc::unbounded_channel();
        let stop = CancellationToken::new();
        let lp = RegistrationLoop {
            account: AccountId::new("alice"),
            registrar: FakeRegistrar {
                script: script.clone(),
                start: Instant::now(),
                fallback,
            },
            expires: 600,
            events: tx,
        };
        let task = tokio::spawn(lp.run(stop.clone()));
        Run {
            script,
            stop,
            events,
            task,
        }
    }

    fn calls(run: &Run) -> Vec<(u64, u32)> {
        run.script
            .calls
            .lock()
            .expect("calls")
            .iter()
            .map(|(t, e)| (t.as_secs(), *e))
            .collect()
    }

    fn drain(run: &mut Run) -> Vec<(RegistrationState, Option<u16>)> {
        let mut out = Vec::new();
        while let Ok(Event::Registration { state, code, .. }) = run.events.try_recv() {
            out.push((state, code));
        }
        out
    }

    fn ok(granted: u32) -> RegisterOutcome {
        RegisterOutcome::Registered { granted }
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_before_expiry_and_unregisters_on_stop() {
        let mut run = start(vec![], ok(600));
        tokio::time::sleep(Duration::from_secs(1200)).await;
        assert_eq!(calls(&run), vec![(0, 600), (540, 600), (1080, 600)]);
        run.stop.cancel();
        (&mut run.task).await.expect("task");
        assert_eq!(
            calls(&run).last(),
            Some(&(1200, 0)),
            "un-REGISTER with expires 0"
        );
        assert_eq!(
            drain(&mut run),
            vec![
                (RegistrationState::Registering, None),
                (RegistrationState::Registered, None),
                (RegistrationState::Unregistered, None)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_wrong_password_is_reported_once_and_retried_slowly() {
        let rejected = RegisterOutcome::Rejected {
            code: 401,
            reason: "Unauthorized".into(),
        };
        let mut run = start(vec![], rejected);
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(calls(&run).len(), 1, "one attempt in the first 30 s");
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let times: Vec<u64> = calls(&run).iter().map(|c| c.0).collect();
        assert_eq!(times, vec![0, 60, 180, 420, 900, 1860]);
        assert_eq!(
            drain(&mut run),
            vec![
                (RegistrationState::Registering, None),
                (RegistrationState::Failed, Some(401))
            ]
        );
        run.stop.cancel();
        (&mut run.task).await.expect("task");
        assert_eq!(
            calls(&run).last().map(|c| c.1),
            Some(600),
            "no un-REGISTER when never registered"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreachable_server_is_retried_with_capped_backoff_then_recovers() {
        let down = RegisterOutcome::Unreachable {
            reason: "timeout".into(),
        };
        let mut outcomes = vec![down.clone(); 8];
        outcomes.push(ok(300));
        let mut run = start(outcomes, ok(300));
        tokio::time::sleep(Duration::from_secs(1300)).await;
        let times: Vec<u64> = calls(&run).iter().map(|c| c.0).collect();
        assert_eq!(&times[..10], &[0, 5, 15, 35, 75, 155, 315, 615, 915, 1155]);
        assert_eq!(
            drain(&mut run),
            vec![
                (RegistrationState::Registering, None),
                (RegistrationState::Failed, Some(408)),
                (RegistrationState::Registered, None)
            ]
        );
        run.stop.cancel();
    }

    #[tokio::test(start_paused = true)]
    async fn interval_too_brief_raises_expires_at_once() {
        let brief = RegisterOutcome::IntervalTooBrief {
            min_expires: Some(1800),
        };
        let run = start(vec![brief], ok(1800));
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(calls(&run), vec![(0, 600), (0, 1800)]);
        run.stop.cancel();
    }

    #[tokio::test(start_paused = true)]
    async fn endless_interval_too_brief_becomes_a_failure() {
        let brief = RegisterOutcome::IntervalTooBrief {
            min_expires: Some(100),
        };
        let mut run = start(vec![], brief);
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(calls(&run).len(), 4);
        assert_eq!(
            drain(&mut run).last(),
            Some(&(RegistrationState::Failed, Some(423)))
        );
        run.stop.cancel();
    }

    #[test]
    fn refresh_times() {
        assert_eq!(refresh_after(3600), Duration::from_secs(3540));
        assert_eq!(refresh_after(60), Duration::from_secs(30));
        assert_eq!(refresh_after(0), Duration::from_secs(1));
    }
}
