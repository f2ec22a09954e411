//! A line's call features as commands: feature codes, forwarding, who is answered
//! automatically, and the caller ID of a call being dialled.

mod provider;

use super::{Engine, Place};
use crate::api::{AccountId, CallId, CallState, Command, ErrorKind, Event};
use crate::config::{AccountConfig, FeatureKind, ForwardingConfig};
use crate::ua::auto_answer::AutoAnswer;
use crate::ua::calls::CallCommand;
use crate::ua::forwarding::{provider_codes, LineForwarding};
use crate::ua::identity::caller_id;
use crate::ua::uri::DialPlan;

impl Engine {
    pub(super) fn handle_call_feature(&mut self, command: Command) {
        match command {
            Command::FeatureCode {
                account,
                name,
                argument,
                call,
            } => self.feature_code(account, &name, argument.as_deref(), call),
            Command::SetForwarding {
                account,
                forwarding,
            } => self.set_forwarding(account, forwarding),
            Command::SetAutoAnswer {
                enabled,
                only,
                intercom,
            } => {
                let settings = AutoAnswer::new(enabled, only, intercom);
                self.config.app.auto_answer = settings.enabled;
                self.config.app.auto_answer_only = settings.only.clone();
                self.config.app.intercom = settings.intercom;
                self.shared.set_auto_answer(settings);
            }
            other => tracing::debug!(?other, "not a call feature"),
        }
    }

    /// `dial`, with the identity the call shows (or anonymous).
    pub(super) fn dial(
        &mut self,
        account: Option<AccountId>,
        to: String,
        identity: Option<String>,
        anonymous: bool,
    ) {
        let line = match &account {
            Some(id) => self.config.account(id.as_str()),
            None => self.config.default_account(),
        };
        let caller = match line.map(|line| caller_id(line, identity.as_deref(), anonymous)) {
            Some(Ok(caller)) => caller,
            Some(Err(why)) => {
                let account = line.map(|l| AccountId::new(l.id.clone()));
                return self.emit(Event::Error {
                    kind: ErrorKind::NoSuchIdentity,
                    message: why.to_string(),
                    call: None,
                    account,
                    request: None,
                });
            }
            // No such line: `place` says so.
            None => None,
        };
        self.place_as(account, to, Place::Dial, caller);
    }

    /// The line's `voicemail` feature code (`call_voicemail` without a voicemail number).
    pub(super) fn voicemail_code(&self, account: &AccountId) -> Option<String> {
        self.line(Some(account))?
            .dial_code(FeatureKind::Voicemail, None)
    }

    fn line(&self, account: Option<&AccountId>) -> Option<&AccountConfig> {
        match account {
            Some(id) => self.config.account(id.as_str()),
            None => self.config.default_account(),
        }
    }

    /// `feature_code`: the named code of the line, dialled as a call or, for an in-call code,
    /// sent as DTMF in `call` (else the connected call).
    fn feature_code(
        &mut self,
        account: Option<AccountId>,
        name: &str,
        argument: Option<&str>,
        call: Option<CallId>,
    ) {
        let Some(line) = self.line(account.as_ref()) else {
            return self.emit(Event::error(
                ErrorKind::NoSuchAccount,
                format!("there is no account {account:?}"),
            ));
        };
        let line_id = AccountId::new(line.id.clone());
        let name = name.trim();
        let found = line
            .feature_codes
            .iter()
            .find(|c| !name.is_empty() && c.name.trim().eq_ignore_ascii_case(name));
        let Some((code, in_call)) = found.and_then(|c| Some((c.expand(argument)?, c.in_call)))
        else {
            return self.emit(Event::account_error(
                line_id,
                ErrorKind::NoSuchFeatureCode,
                format!("line has no feature code {name:?}"),
            ));
        };
        if !in_call {
            return self.place(Some(line_id), code, Place::Dial);
        }
        let connected = |state: CallState| {
            matches!(
                state,
                CallState::Connected | CallState::OnHold | CallState::Held
            )
        };
        let target = self
            .shared
            .calls
            .snapshot()
            .into_iter()
            .find(|c| match call {
                Some(call) => c.call == call,
                None => c.state == CallState::Connected,
            })
            .filter(|c| connected(c.state));
        match target {
            Some(status) => {
                self.shared.calls.send(status.call, CallCommand::Dtmf(code));
            }
            None => {
                let message = match call {
                    Some(call) => format!("call {call} is not connected"),
                    None => "no connected call to send the code in".into(),
                };
                self.emit(Event::Error {
                    kind: ErrorKind::CallNotConnected,
                    message,
                    call,
                    account: Some(line_id),
                    request: None,
                });
            }
        }
    }

    /// `set_forwarding`: the line forwards from now on (no re-registering); a line whose
    /// provider forwards dials the codes for what changed.
    fn set_forwarding(&mut self, account: Option<AccountId>, forwarding: ForwardingConfig) {
        let Some(line) = self.line(account.as_ref()).cloned() else {
            return self.emit(Event::error(
                ErrorKind::NoSuchAccount,
                format!("there is no account {account:?}"),
            ));
        };
        let id = AccountId::new(line.id.clone());
        let failed = |why: String| {
            Event::account_error(
                id.clone(),
                ErrorKind::ForwardingFailed,
                format!("forwarding not changed: {why}"),
            )
        };
        if forwarding.no_answer_after_s > crate::config::MAX_NO_ANSWER_S {
            return self.emit(failed(format!(
                "no_answer_after_s is at most {}",
                crate::config::MAX_NO_ANSWER_S
            )));
        }
        let plan = DialPlan {
            domain: line.domain.clone(),
            international_prefix: line.international_prefix.clone(),
        };
        // Targets must read even when the provider forwards: they are dialled in its codes.
        let readable = ForwardingConfig {
            by_provider: false,
            ..forwarding.clone()
        };
        if let Err(why) = LineForwarding::resolve(&readable, &plan) {
            return self.emit(failed(why.to_string()));
        }
        let codes = if forwarding.by_provider {
            match provider_codes(&line.forwarding, &forwarding, &line.feature_codes) {
                Ok(codes) => codes,
                Err(why) => return self.emit(failed(why.to_string())),
            }
        } else {
            Vec::new()
        };
        let messages = self.accounts.get(&id).map(|entry| entry.messages.clone());
        if !codes.is_empty() && messages.is_none() {
            return self.emit(failed("the line is not running".into()));
        }
        let own = LineForwarding::resolve(&forwarding, &plan).unwrap_or_default();
        if self.accounts.contains_key(&id) {
            self.shared.forwardings.set(id.clone(), own);
        }
        if let Some(slot) = self.config.account_mut(&line.id) {
            slot.forwarding = forwarding.clone();
        }
        self.emit(Event::Forwarding {
            account: id.clone(),
            active: forwarding.is_active(),
            forwarding,
        });
        if let (Some(messages), false) = (messages, codes.is_empty()) {
            let dialler = provider::Dialler {
                account: id,
                shared: self.shared.clone(),
                messages,
            };
            tokio::spawn(dialler.dial_all(codes));
        }
    }
}

#[cfg(test)]
mod tests;
