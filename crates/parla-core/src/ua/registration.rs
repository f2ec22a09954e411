//! Keeping an account registered: refresh before expiry, follow 423 Min-Expires, and retry
//! failures with capped exponential backoff, never a storm. The SIP exchange itself sits behind
//! [`Registrar`] so that the timing is tested on tokio's paused clock. While registered, a
//! keep-alive goes to the server every `keepalive` (see [`super::keepalive`]); a flow found dead
//! re-registers at once.

pub use super::keepalive::KeepAliveOutcome;
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

    /// One keep-alive towards the server, between registrations.
    async fn keep_alive(&mut self) -> KeepAliveOutcome {
        KeepAliveOutcome::Alive
    }

    /// Resolves when the connection the registration went over closes (TCP/TLS).
    async fn flow_closed(&self) {
        std::future::pending().await
    }
}

/// How the wait for the next refresh ended.
enum Held {
    Stopped,
    Refresh,
    FlowLost,
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
    /// Time between keep-alives while registered; none: no keep-alives.
    pub keepalive: Option<Duration>,
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
                    match self.hold(refresh_after(granted), &stop).await {
                        Held::Stopped => break,
                        Held::Refresh | Held::FlowLost => continue,
                    }
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

    /// Waits `wait` for the refresh, pinging the server every keep-alive interval; returns early
    /// when a ping finds the flow dead.
    async fn hold(&mut self, wait: Duration, stop: &CancellationToken) -> Held {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = match self.keepalive {
                Some(every) if !every.is_zero() => {
                    (tokio::time::Instant::now() + every).min(deadline)
                }
                _ => deadline,
            };
            tokio::select! {
                _ = stop.cancelled() => return Held::Stopped,
                _ = tokio::time::sleep_until(next) => {}
                _ = self.registrar.flow_closed() => {
                    tracing::info!(account = %self.account, "the server closed the connection: registering again");
                    return Held::FlowLost;
                }
            }
            if next >= deadline {
                return Held::Refresh;
            }
            let outcome = tokio::select! {
                _ = stop.cancelled() => return Held::Stopped,
                outcome = self.registrar.keep_alive() => outcome,
            };
            if let KeepAliveOutcome::FlowLost { reason } = outcome {
                tracing::info!(account = %self.account, %reason, "registering again");
                return Held::FlowLost;
            }
        }
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
        /// What the keep-alives find, in turn (then alive); and when they went.
        pings: Arc<Mutex<VecDeque<KeepAliveOutcome>>>,
        pinged: Arc<Mutex<Vec<Duration>>>,
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

        async fn keep_alive(&mut self) -> KeepAliveOutcome {
            let at = self.start.elapsed();
            self.script.pinged.lock().expect("pinged").push(at);
            let next = self.script.pings.lock().expect("pings").pop_front();
            next.unwrap_or(KeepAliveOutcome::Alive)
        }
    }

    struct Run {
        script: Script,
        stop: CancellationToken,
        events: tokio::sync::mpsc::UnboundedReceiver<Event>,
        task: tokio::task::JoinHandle<()>,
    }

    fn start(outcomes: Vec<RegisterOutcome>, fallback: RegisterOutcome) -> Run {
        start_with(outcomes, fallback, None, vec![])
    }

    fn start_with(
        outcomes: Vec<RegisterOutcome>,
        fallback: RegisterOutcome,
        keepalive: Option<Duration>,
        pings: Vec<KeepAliveOutcome>,
    ) -> Run {
        let script = Script::default();
        script.pings.lock().expect("pings").extend(pings);
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
            keepalive,
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

    fn pinged(run: &Run) -> Vec<u64> {
        let pinged = run.script.pinged.lock().expect("pinged");
        pinged.iter().map(|t| t.as_secs()).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn keep_alives_go_every_interval_while_registered_only() {
        let down = RegisterOutcome::Unreachable {
            reason: "timeout".into(),
        };
        let run = start_with(vec![down], ok(120), Some(Duration::from_secs(25)), vec![]);
        tokio::time::sleep(Duration::from_secs(130)).await;
        // Registered at 5 (after one failure), refreshed at 65 and 125: pings in between only.
        assert_eq!(calls(&run), vec![(0, 600), (5, 600), (65, 600), (125, 600)]);
        assert_eq!(pinged(&run), vec![30, 55, 90, 115]);
        run.stop.cancel();
    }

    #[tokio::test(start_paused = true)]
    async fn a_lost_flow_registers_again_at_once() {
        let lost = KeepAliveOutcome::FlowLost {
            reason: "closed".into(),
        };
        let mut run = start_with(
            vec![],
            ok(600),
            Some(Duration::from_secs(25)),
            vec![KeepAliveOutcome::Alive, lost],
        );
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(calls(&run), vec![(0, 600), (50, 600)]);
        assert_eq!(pinged(&run), vec![25, 50]);
        // Still registered throughout: one event each.
        assert_eq!(
            drain(&mut run),
            vec![
                (RegistrationState::Registering, None),
                (RegistrationState::Registered, None)
            ]
        );
        run.stop.cancel();
    }

    #[tokio::test(start_paused = true)]
    async fn no_keep_alives_when_turned_off() {
        let run = start_with(vec![], ok(600), None, vec![]);
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(pinged(&run).is_empty());
        run.stop.cancel();
    }

    #[test]
    fn refresh_times() {
        assert_eq!(refresh_after(3600), Duration::from_secs(3540));
        assert_eq!(refresh_after(60), Duration::from_secs(30));
        assert_eq!(refresh_after(0), Duration::from_secs(1));
    }
}
