//! One request out of any dialog (SUBSCRIBE, MESSAGE), sent to the line's server as one
//! client transaction, answered once with digest credentials on 401/407, until its final
//! response. rsipstack has no helper for these: the message-waiting subscriber and text
//! messages both build their request and hand it here.

use crate::ua::stack::SipStack;
use rsipstack::dialog::authenticate::{handle_client_authenticate, AuthRetry, Credential};
use rsipstack::sip::{Request, Response, SipMessage};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::transaction::Transaction;

/// Why an exchange gave no final response.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The transaction ended (timer F) without one.
    #[error("no final response")]
    Unanswered,
    /// The request could not be built or sent.
    #[error("{0}")]
    Failed(String),
}

fn failed(e: impl std::fmt::Display) -> ExchangeError {
    ExchangeError::Failed(e.to_string())
}

/// Sends `request` to the line's server and returns its final response: a 2xx, or any
/// other final one (a 401/407 too, when there are no credentials or they were refused).
/// `cseq` is the request's CSeq; it goes up by one for the authenticated retry.
pub async fn exchange(
    stack: &SipStack,
    request: Request,
    credential: Option<&Credential>,
    cseq: &mut u32,
) -> Result<Response, ExchangeError> {
    let endpoint = stack.endpoint.inner.clone();
    let key = TransactionKey::from_request(&request, TransactionRole::Client).map_err(failed)?;
    let mut tx = Transaction::new_client(key, request, endpoint, None);
    tx.destination = stack.destination();
    tx.send().await.map_err(failed)?;
    let mut auth = AuthRetry::new();
    while let Some(message) = tx.receive().await {
        let SipMessage::Response(response) = message else {
            continue;
        };
        match response.status_code.code() {
            100..=199 => continue,
            401 | 407 => {
                let Some(credential) = credential.filter(|_| auth.should_answer(&response)) else {
                    return Ok(response);
                };
                *cseq += 1;
                tx = handle_client_authenticate(*cseq, &tx, response, credential)
                    .await
                    .map_err(failed)?;
                tx.send().await.map_err(failed)?;
            }
            _ => return Ok(response),
        }
    }
    Err(ExchangeError::Unanswered)
}
