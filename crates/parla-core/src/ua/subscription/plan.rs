//! When a subscription is made again: a refresh before the granted expiry, a new
//! subscription (after a wait that grows) when the server ends or refuses it, none at all when
//! it does not offer the event package.

use std::time::Duration;
use tokio::time::Instant;

/// First wait after a failed or ended subscription; it doubles up to [`MAX_WAIT`].
pub const FIRST_WAIT: Duration = Duration::from_secs(30);
pub const MAX_WAIT: Duration = Duration::from_secs(30 * 60);
/// What we ask for, in seconds.
pub const EXPIRES: u32 = 3600;

/// What the line does next about its subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Subscribe (or refresh) at that time.
    SubscribeAt(Instant),
    /// Never again this run: the server does not offer the package; the text says why.
    Stop(String),
}

/// The outcome of one SUBSCRIBE exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 2xx with the expiry the server granted (seconds).
    Accepted { expires: u32 },
    /// A final refusal.
    Refused { code: u16 },
    /// No final response (timeout, transport).
    Silence,
}

#[derive(Debug)]
pub struct Plan {
    failures: u32,
    package: super::Package,
}

impl Plan {
    pub fn new(package: super::Package) -> Self {
        Self {
            failures: 0,
            package,
        }
    }

    fn retry(&mut self) -> Next {
        let wait = FIRST_WAIT
            .saturating_mul(1 << self.failures.min(8))
            .min(MAX_WAIT);
        self.failures += 1;
        Next::SubscribeAt(Instant::now() + wait)
    }

    /// What to do after a SUBSCRIBE.
    pub fn answered(&mut self, answer: &Answer) -> Next {
        match *answer {
            Answer::Accepted { expires: 0 } => self.retry(),
            Answer::Accepted { expires } => {
                self.failures = 0;
                // Refresh with room to spare: at four fifths, and at least 5 s before.
                let secs = u64::from(expires);
                let at = (secs * 4 / 5).min(secs.saturating_sub(5)).max(1);
                Next::SubscribeAt(Instant::now() + Duration::from_secs(at))
            }
            Answer::Refused {
                code: code @ (489 | 405 | 501),
            } => Next::Stop(format!(
                "the server does not offer {} ({code})",
                self.package.what
            )),
            Answer::Refused { .. } | Answer::Silence => self.retry(),
        }
    }

    /// The server ended the subscription (`Subscription-State: terminated;reason=..`).
    pub fn terminated(&mut self, reason: Option<&str>) -> Next {
        match reason.map(str::to_ascii_lowercase).as_deref() {
            // RFC 6665 4.1.3: subscribe again at once.
            Some("deactivated") | Some("timeout") => Next::SubscribeAt(Instant::now()),
            Some("noresource") | Some("rejected") => Next::Stop(format!(
                "the server has no {} for this resource",
                self.package.what
            )),
            _ => self.retry(),
        }
    }
}

/// The `reason` of a `terminated` Subscription-State, and whether it is terminated at all.
pub fn termination(state: &str) -> Option<Option<String>> {
    let mut parts = state.split(';').map(str::trim);
    if !parts.next()?.eq_ignore_ascii_case("terminated") {
        return None;
    }
    Some(parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("reason")
            .then(|| v.trim().to_string())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_granted_hour_is_refreshed_at_48_minutes() {
        let mut plan = Plan::new(super::super::MESSAGE_SUMMARY);
        assert_eq!(
            plan.answered(&Answer::Accepted { expires: 3600 }),
            Next::SubscribeAt(Instant::now() + Duration::from_secs(2880))
        );
        assert_eq!(
            plan.answered(&Answer::Accepted { expires: 10 }),
            Next::SubscribeAt(Instant::now() + Duration::from_secs(5))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failures_wait_longer_each_time_up_to_half_an_hour_and_success_resets() {
        let mut plan = Plan::new(super::super::MESSAGE_SUMMARY);
        let waits: Vec<u64> = (0..9)
            .map(|_| match plan.answered(&Answer::Silence) {
                Next::SubscribeAt(at) => (at - Instant::now()).as_secs(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        plan.answered(&Answer::Accepted { expires: 600 });
        assert_eq!(
            plan.answered(&Answer::Refused { code: 500 }),
            Next::SubscribeAt(Instant::now() + FIRST_WAIT)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_without_the_package_stops_the_subscription() {
        for code in [489, 405, 501] {
            assert!(matches!(
                Plan::new(super::super::MESSAGE_SUMMARY).answered(&Answer::Refused { code }),
                Next::Stop(why) if why.contains(&code.to_string())
            ));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn terminated_subscriptions_are_made_again_as_the_reason_says() {
        let mut plan = Plan::new(super::super::MESSAGE_SUMMARY);
        assert_eq!(
            plan.terminated(Some("deactivated")),
            Next::SubscribeAt(Instant::now())
        );
        assert_eq!(
            plan.terminated(Some("timeout")),
            Next::SubscribeAt(Instant::now())
        );
        assert!(matches!(plan.terminated(Some("rejected")), Next::Stop(_)));
        assert_eq!(
            plan.terminated(Some("giveup")),
            Next::SubscribeAt(Instant::now() + FIRST_WAIT)
        );
        assert_eq!(termination("active;expires=3600"), None);
        assert_eq!(
            termination("terminated;reason=timeout"),
            Some(Some("timeout".into()))
        );
        assert_eq!(termination("Terminated"), Some(None));
    }
}
