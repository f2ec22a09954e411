//! An outgoing MESSAGE: the request (out of dialog, to the line's server), and what its final
//! response (or none within 32 s) makes of the message.

use super::MessageLine;
use crate::store::MessageState;
use rsipstack::sip::{Header, Method, Request, Uri};
use rsipstack::transaction::{make_call_id, make_tag};
use std::future::Future;
use std::time::Duration;

/// How long a MESSAGE may go unanswered (64 × T1, a non-INVITE transaction's life): then it
/// failed with 408.
pub const ANSWER_WAIT: Duration = Duration::from_secs(32);

pub const CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

/// How a send ended: the message's new state, with the response's code and reason phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: MessageState,
    pub code: Option<u16>,
    pub reason: Option<String>,
}

/// A final response's code and reason phrase read as the message's state: 2xx sent (202:
/// the server keeps it for later), anything else failed.
pub fn outcome(code: u16, reason: &str) -> Outcome {
    let state = if (200..300).contains(&code) {
        MessageState::Sent
    } else {
        MessageState::Failed
    };
    let reason = (!reason.trim().is_empty() && state == MessageState::Failed)
        .then(|| reason.trim().to_string());
    Outcome {
        state,
        code: Some(code),
        reason,
    }
}

/// Waits for `exchange` (the final response's code and reason) at most [`ANSWER_WAIT`]:
/// none in time is 408; a send that broke (no route, transport error) is failed with why.
pub async fn within_timeout(
    exchange: impl Future<Output = Result<(u16, String), String>>,
) -> Outcome {
    match tokio::time::timeout(ANSWER_WAIT, exchange).await {
        Ok(Ok((code, reason))) => outcome(code, &reason),
        Ok(Err(why)) => Outcome {
            state: MessageState::Failed,
            code: None,
            reason: Some(why),
        },
        Err(_) => Outcome {
            state: MessageState::Failed,
            code: Some(408),
            reason: Some("Request Timeout".into()),
        },
    }
}

/// The headers a MESSAGE carries beyond those rsipstack's `make_request` writes (Via,
/// Call-ID, From, To, CSeq, Max-Forwards, User-Agent).
fn extra_headers(contact: &Uri, body_len: usize) -> Vec<Header> {
    vec![
        Header::Contact(format!("<{contact}>").into()),
        Header::ContentType(CONTENT_TYPE.into()),
        Header::ContentLength((body_len as u32).into()),
    ]
}

/// The MESSAGE to `target` from the line, with `text` as its body and CSeq `cseq`.
pub fn build(line: &MessageLine, target: Uri, text: &str, cseq: u32) -> Result<Request, String> {
    let endpoint = &line.stack.endpoint.inner;
    let call_id = make_call_id(
        endpoint.option.callid_suffix.as_deref(),
        endpoint.option.callid_format,
    );
    let from = rsipstack::sip::typed::From {
        display_name: line.display_name.clone().filter(|n| !n.trim().is_empty()),
        uri: line.aor.clone(),
        params: vec![],
    }
    .with_tag(make_tag());
    let to = rsipstack::sip::typed::To {
        display_name: None,
        uri: target.clone(),
        params: vec![],
    };
    let via = endpoint.get_via(None, None).map_err(|e| e.to_string())?;
    let mut request =
        endpoint.make_request(Method::Message, target, via, from, to, cseq, Some(call_id));
    request
        .headers
        .extend(extra_headers(&line.contact, text.len()));
    request.body = text.as_bytes().to_vec();
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_responses_set_the_state() {
        let ok = outcome(200, "OK");
        assert_eq!(ok.state, MessageState::Sent);
        assert_eq!((ok.code, ok.reason), (Some(200), None));
        let stored = outcome(202, "Accepted");
        assert_eq!(stored.state, MessageState::Sent);
        assert_eq!(stored.code, Some(202));
        let nobody = outcome(404, "Not Found");
        assert_eq!(nobody.state, MessageState::Failed);
        assert_eq!(nobody.code, Some(404));
        assert_eq!(nobody.reason.as_deref(), Some("Not Found"));
        assert_eq!(outcome(407, "").reason, None);
        assert_eq!(outcome(603, "Decline").state, MessageState::Failed);
    }

    #[tokio::test(start_paused = true)]
    async fn no_answer_in_32_seconds_is_a_408() {
        let started = tokio::time::Instant::now();
        let outcome = within_timeout(std::future::pending()).await;
        assert_eq!(outcome.state, MessageState::Failed);
        assert_eq!(outcome.code, Some(408));
        assert_eq!(started.elapsed(), ANSWER_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_just_in_time_counts() {
        let late = async {
            tokio::time::sleep(ANSWER_WAIT - Duration::from_millis(1)).await;
            Ok((202, "Accepted".to_string()))
        };
        let outcome = within_timeout(late).await;
        assert_eq!(outcome.state, MessageState::Sent);
        assert_eq!(outcome.code, Some(202));
    }

    #[tokio::test]
    async fn a_broken_send_fails_without_a_code() {
        let outcome = within_timeout(async { Err("no route".to_string()) }).await;
        assert_eq!(outcome.state, MessageState::Failed);
        assert_eq!(outcome.code, None);
        assert_eq!(outcome.reason.as_deref(), Some("no route"));
    }

    /// The request as a line with no server (its own UDP socket, nothing sent) builds it.
    #[tokio::test]
    async fn the_request_is_a_complete_out_of_dialog_message() {
        let config = crate::config::AccountConfig {
            id: "desk".into(),
            username: "alice".into(),
            domain: "example.com".into(),
            display_name: Some("Alice A".into()),
            register: false,
            ..Default::default()
        };
        let parts = crate::ua::stack::SipStack::start(&config, &[])
            .await
            .unwrap();
        let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
        let line = MessageLine {
            account: crate::api::AccountId::new("desk".to_string()),
            stack: parts.stack.clone(),
            aor: Uri::try_from("sip:alice@example.com").unwrap(),
            display_name: config.display_name.clone(),
            contact: Uri::try_from("sip:alice@127.0.0.1:5070").unwrap(),
            credential: None,
            domain: config.domain.clone(),
            international_prefix: None,
            events,
            store: crate::ua::store_link::StoreLink::none(),
        };
        let target = Uri::try_from("sip:bob@example.com").unwrap();
        let request = build(&line, target, "hi ✓", 1).unwrap();
        let text = request.to_string();
        parts.stack.shutdown();
        assert!(
            text.starts_with("MESSAGE sip:bob@example.com SIP/2.0\r\n"),
            "{text}"
        );
        for expected in [
            "From: \"Alice A\" <sip:alice@example.com>;tag=",
            "To: <sip:bob@example.com>\r\n",
            "CSeq: 1 MESSAGE\r\n",
            "Max-Forwards: 70\r\n",
            "User-Agent: Parla/",
            "Call-ID: ",
            "Via: SIP/2.0/UDP ",
            "Contact: <sip:alice@127.0.0.1:5070>\r\n",
            "Content-Type: text/plain;charset=UTF-8\r\n",
            "Content-Length: 6\r\n",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        assert!(text.ends_with("\r\n\r\nhi ✓"), "{text}");
        let again = build(&line, Uri::try_from("sip:bob@example.com").unwrap(), "x", 1).unwrap();
        let call_id = |r: &Request| {
            r.headers.iter().find_map(|h| match h {
                Header::CallId(c) => Some(c.to_string()),
                _ => None,
            })
        };
        assert_ne!(
            call_id(&request),
            call_id(&again),
            "a new Call-ID per message"
        );
    }

    #[test]
    fn a_message_says_what_it_carries() {
        let contact = Uri::try_from("sip:alice@127.0.0.1:5070").unwrap();
        let text = "héllo";
        let headers: Vec<String> = extra_headers(&contact, text.len())
            .iter()
            .map(|h| h.to_string())
            .collect();
        assert!(headers.contains(&"Content-Type: text/plain;charset=UTF-8".to_string()));
        assert!(headers.contains(&"Content-Length: 6".to_string()));
        assert!(headers.contains(&"Contact: <sip:alice@127.0.0.1:5070>".to_string()));
    }
}
