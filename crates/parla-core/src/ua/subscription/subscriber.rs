//! The SUBSCRIBE exchange for `message-summary` over rsipstack: the first request out of
//! dialog (digest auth on 401/407), refreshes in the dialog its 2xx made (same Call-ID and
//! tags, the notifier's Contact as Request-URI), and Expires: 0 to end it. Every request goes
//! to the line's server, like the rest of the line's SIP ([`crate::ua::out_of_dialog`] sends
//! it, with the digest retry). rsipstack has no client
//! subscription for this ([`crate::ua::account`] hands us the NOTIFYs), so the request is
//! built here.

use super::plan::Answer;
use super::Package;
use crate::ua::stack::SipStack;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Method, StatusCodeKind, Uri};
use rsipstack::transaction::{make_call_id, make_tag};
use std::sync::Arc;

/// The dialog a 2xx made: the notifier's tag and Contact.
struct Dialog {
    to_tag: String,
    target: Uri,
}

pub struct Subscriber {
    stack: Arc<SipStack>,
    package: Package,
    /// `sip:user@domain`: who we are (From).
    aor: Uri,
    /// What we subscribe to (To, and the first Request-URI): our own AoR for message waiting,
    /// a colleague's for presence and busy lamps.
    resource: Uri,
    contact: Uri,
    credential: Option<Credential>,
    call_id: String,
    from_tag: String,
    cseq: u32,
    dialog: Option<Dialog>,
    /// The Call-ID of the next new subscription is already chosen ([`Subscriber::prepare`]).
    prepared: bool,
}

impl Subscriber {
    pub fn new(
        stack: Arc<SipStack>,
        package: Package,
        aor: Uri,
        resource: Uri,
        contact: Uri,
        credential: Option<Credential>,
    ) -> Self {
        Self {
            stack,
            package,
            aor,
            resource,
            contact,
            credential,
            call_id: String::new(),
            from_tag: String::new(),
            cseq: 0,
            dialog: None,
            prepared: false,
        }
    }

    /// The Call-ID the next SUBSCRIBE carries, chosen now (a new one when it starts a new
    /// subscription): NOTIFYs that overtake its 2xx can then be told apart by it.
    pub fn prepare(&mut self) -> &str {
        if self.dialog.is_none() && !self.prepared {
            self.new_call_id();
            self.prepared = true;
        }
        &self.call_id
    }

    fn new_call_id(&mut self) {
        let endpoint = &self.stack.endpoint.inner;
        self.call_id = make_call_id(
            endpoint.option.callid_suffix.as_deref(),
            endpoint.option.callid_format,
        )
        .value()
        .to_string();
        self.from_tag = make_tag().to_string();
    }

    /// The subscription's Call-ID (empty before the first SUBSCRIBE): its NOTIFYs carry it.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Forgets the dialog: the next SUBSCRIBE starts a new subscription.
    pub fn reset(&mut self) {
        self.dialog = None;
    }

    fn request(&mut self, expires: u32) -> Result<rsipstack::sip::Request, String> {
        if self.dialog.is_none() && !self.prepared {
            self.new_call_id();
        }
        self.prepared = false;
        self.cseq += 1;
        let from = rsipstack::sip::typed::From {
            display_name: None,
            uri: self.aor.clone(),
            params: vec![],
        }
        .with_tag(self.from_tag.clone().into());
        let mut to = rsipstack::sip::typed::To {
            display_name: None,
            uri: self.resource.clone(),
            params: vec![],
        };
        let mut target = self.resource.clone();
        if let Some(dialog) = &self.dialog {
            to = to.with_tag(dialog.to_tag.clone().into());
            target = dialog.target.clone();
        }
        let via = self
            .stack
            .endpoint
            .inner
            .get_via(None, None)
            .map_err(|e| e.to_string())?;
        let mut request = self.stack.endpoint.inner.make_request(
            Method::Subscribe,
            target,
            via,
            from,
            to,
            self.cseq,
            Some(self.call_id.clone().into()),
        );
        let headers = [
            Header::Contact(format!("<{}>", self.contact).into()),
            Header::Event(self.package.event.into()),
            Header::Accept(self.package.accept.into()),
            Header::Expires(expires.into()),
        ];
        request.headers.extend(headers.to_vec());
        Ok(request)
    }

    /// One SUBSCRIBE (a new subscription, or a refresh of the one we have; `expires` 0
    /// ends it), with its digest retry.
    pub async fn subscribe(&mut self, expires: u32) -> Answer {
        match self.exchange(expires).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::info!(event = self.package.event, error = %e, "SUBSCRIBE got no answer");
                Answer::Silence
            }
        }
    }

    async fn exchange(&mut self, expires: u32) -> Result<Answer, String> {
        let request = self.request(expires)?;
        let response = crate::ua::out_of_dialog::exchange(
            &self.stack,
            request,
            self.credential.as_ref(),
            &mut self.cseq,
        )
        .await
        .map_err(|e| e.to_string())?;
        let code = response.status_code.code();
        match code {
            _ if response.status_code.kind() == StatusCodeKind::Successful => {
                let granted = response
                    .headers
                    .iter()
                    .find_map(|h| match h {
                        Header::Expires(e) => e.value().trim().parse().ok(),
                        _ => None,
                    })
                    .unwrap_or(expires);
                let to_tag = response
                    .to_header()
                    .ok()
                    .and_then(|to| to.tag().ok().flatten())
                    .map(|tag| tag.to_string());
                let target = response
                    .contact_header()
                    .ok()
                    .and_then(|c| c.typed().ok())
                    .map(|c| c.uri);
                self.dialog = match (to_tag, target) {
                    (Some(to_tag), Some(target)) if granted > 0 => Some(Dialog { to_tag, target }),
                    _ => None,
                };
                Ok(Answer::Accepted { expires: granted })
            }
            _ => {
                if code == 481 {
                    // The server lost our subscription: the next one starts afresh.
                    self.dialog = None;
                }
                Ok(Answer::Refused { code })
            }
        }
    }
}
