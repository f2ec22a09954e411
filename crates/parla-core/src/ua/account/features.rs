//! A line's call features: its forwarding when it starts, and the incoming INVITE handed to
//! admission with what its headers ask (intercom).

use super::{Running, Shared};
use crate::api::{AccountId, Event};
use crate::config::AccountConfig;
use crate::ua::auto_answer::{asked_answer_after, AutoAnswer};
use crate::ua::call::admission::{self, Line};
use crate::ua::call::sip_dialog::{incoming_invite, SipIncoming};
use crate::ua::forwarding::LineForwarding;
use crate::ua::uri::DialPlan;
use rsipstack::transaction::Transaction;
use std::sync::PoisonError;

impl Shared {
    pub fn auto_answer(&self) -> AutoAnswer {
        self.auto_answer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_auto_answer(&self, settings: AutoAnswer) {
        *self
            .auto_answer
            .write()
            .unwrap_or_else(PoisonError::into_inner) = settings;
    }
}

/// Sets the line's own forwarding from its settings and reports it (`forwarding`), whether
/// any forward is on or not, so the window shows it at a glance.
pub(super) fn line_starts(id: &AccountId, config: &AccountConfig, shared: &Shared) {
    let plan = DialPlan {
        domain: config.domain.clone(),
        international_prefix: config.international_prefix.clone(),
    };
    let forwarding = LineForwarding::resolve(&config.forwarding, &plan).unwrap_or_else(|why| {
        tracing::warn!(account = %id, %why, "forwarding target unreadable: not forwarding");
        LineForwarding::default()
    });
    shared.forwardings.set(id.clone(), forwarding);
    let _ = shared.events.send(Event::Forwarding {
        account: id.clone(),
        forwarding: config.forwarding.clone(),
        active: config.forwarding.is_active(),
    });
}

/// The values of every header named `name` (any case); a few at most.
pub(crate) fn header_values(request: &rsipstack::sip::Request, name: &str) -> Vec<String> {
    request
        .headers
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case(name))
        .take(8)
        .map(|h| h.value().to_string())
        .collect()
}

impl Running {
    /// A new INVITE: [`admission`] takes it or refuses it.
    pub(super) async fn take_incoming_call(&self, tx: Transaction) {
        let invite = incoming_invite(&tx);
        let call_info = header_values(&tx.original, "Call-Info");
        let alert_info = header_values(&tx.original, "Alert-Info");
        let asked = asked_answer_after(
            call_info.iter().map(String::as_str),
            alert_info.iter().map(String::as_str),
        );
        // Without a Contact for the dialog, `call_parts` is none too and the INVITE gets 500.
        let dialog = SipIncoming::new(self.stack.clone(), self.contact(), self.aor(), tx);
        let line = Line {
            account: &self.id,
            shared: &self.shared,
            region: self.region,
            machine_under_dnd: self.machine().is_some()
                && self.config.answering_machine.when_do_not_disturb,
        };
        admission::take_incoming_call_asking(line, dialog, invite, asked, || {
            self.call_parts().map(|parts| (parts.env, parts.media))
        })
        .await;
    }
}
