//! Who the other side sees as the caller: one of the line's identities (display name and
//! user at the line's domain), or nobody (RFC 3323/3325: an anonymous From, `Privacy: id`,
//! and the real identity in `P-Preferred-Identity` for the provider). Digest authentication
//! keeps the line's own credentials whatever the From says.

use crate::config::AccountConfig;
use rsipstack::sip::{Header, Uri};

/// The From of a call we place, when it is not simply the line's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerId {
    pub display_name: Option<String>,
    /// The From's user part at the line's domain.
    pub user: String,
    pub anonymous: bool,
}

/// What an anonymous call's From says (RFC 3323 4.1.1.3).
pub const ANONYMOUS_FROM: &str = "sip:anonymous@anonymous.invalid";
pub const ANONYMOUS_NAME: &str = "Anonymous";

/// `dial` named an identity the line does not have (`no_such_identity`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} has no identity {name:?}")]
pub struct NoSuchIdentity {
    pub line: String,
    pub name: String,
}

/// The caller ID of a call on `line`: the identity named `identity` (by its user or display
/// name), else the line's default identity, else none (the line's own From); anonymous when
/// the call or the line asks. `Err` when the line has no identity of that name.
pub fn caller_id(
    line: &AccountConfig,
    identity: Option<&str>,
    anonymous: bool,
) -> Result<Option<CallerId>, NoSuchIdentity> {
    let anonymous = anonymous || line.anonymous;
    let chosen = match identity.map(str::trim).filter(|i| !i.is_empty()) {
        Some(name) => Some(
            line.identities
                .iter()
                .find(|i| {
                    i.user.trim() == name || i.display_name.as_deref().map(str::trim) == Some(name)
                })
                .ok_or_else(|| NoSuchIdentity {
                    line: line.id.clone(),
                    name: name.to_string(),
                })?,
        ),
        None => line.identities.iter().find(|i| i.default),
    };
    let caller = match chosen {
        Some(i) => CallerId {
            display_name: i
                .display_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| line.display_name.clone()),
            user: if i.user.trim().is_empty() {
                line.username.clone()
            } else {
                i.user.trim().to_string()
            },
            anonymous,
        },
        None if anonymous => CallerId {
            display_name: line.display_name.clone(),
            user: line.username.clone(),
            anonymous,
        },
        None => return Ok(None),
    };
    Ok(Some(caller))
}

/// The From (display name and URI) and the extra headers of an INVITE from the line whose
/// address of record is `aor`, showing `caller` (none: the line itself).
pub fn caller_from(
    aor: &Uri,
    display_name: Option<String>,
    caller: Option<&CallerId>,
) -> (Option<String>, Uri, Vec<Header>) {
    let Some(caller) = caller else {
        return (display_name, aor.clone(), vec![]);
    };
    let domain = aor.host_with_port.to_string();
    let uri = Uri::try_from(format!("sip:{}@{domain}", caller.user).as_str())
        .unwrap_or_else(|_| aor.clone());
    if !caller.anonymous {
        return (caller.display_name.clone(), uri, vec![]);
    }
    let anonymous = Uri::try_from(ANONYMOUS_FROM).unwrap_or_else(|_| aor.clone());
    let asserted = match &caller.display_name {
        Some(name) => format!("\"{}\" <{uri}>", name.replace(['"', '\\'], "")),
        None => format!("<{uri}>"),
    };
    let headers = vec![
        Header::Other("Privacy".into(), "id".into()),
        Header::Other("P-Preferred-Identity".into(), asserted),
    ];
    (Some(ANONYMOUS_NAME.to_string()), anonymous, headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Identity;

    fn line() -> AccountConfig {
        AccountConfig {
            id: "work".into(),
            username: "alice".into(),
            domain: "pbx.example".into(),
            display_name: Some("Alice".into()),
            identities: vec![
                Identity {
                    display_name: Some("Sales".into()),
                    user: "+31201234567".into(),
                    default: false,
                },
                Identity {
                    display_name: None,
                    user: "helpdesk".into(),
                    default: true,
                },
            ],
            ..AccountConfig::default()
        }
    }

    #[test]
    fn identities_by_name_or_user_default_and_anonymous() {
        let line = line();
        let sales = caller_id(&line, Some("Sales"), false).expect("known");
        assert_eq!(
            sales,
            Some(CallerId {
                display_name: Some("Sales".into()),
                user: "+31201234567".into(),
                anonymous: false,
            })
        );
        assert_eq!(caller_id(&line, Some("+31201234567"), false), Ok(sales));
        let default = caller_id(&line, None, false).expect("default");
        assert_eq!(default.as_ref().map(|c| c.user.as_str()), Some("helpdesk"));
        assert_eq!(
            default.and_then(|c| c.display_name).as_deref(),
            Some("Alice")
        );
        assert!(caller_id(&line, Some("nobody"), false)
            .expect_err("unknown")
            .to_string()
            .contains("nobody"));

        let plain = AccountConfig {
            identities: vec![],
            ..line.clone()
        };
        assert_eq!(caller_id(&plain, None, false), Ok(None));
        let anonymous = caller_id(&plain, None, true).expect("ok").expect("some");
        assert!(anonymous.anonymous);
        assert_eq!(anonymous.user, "alice");
        let always = AccountConfig {
            anonymous: true,
            ..plain
        };
        assert!(caller_id(&always, None, false)
            .expect("ok")
            .is_some_and(|c| c.anonymous));
    }

    #[test]
    fn the_invite_from_and_headers_of_an_identity_and_of_an_anonymous_call() {
        let aor = Uri::try_from("sip:alice@pbx.example:5060").expect("uri");
        let (name, from, headers) = caller_from(&aor, Some("Alice".into()), None);
        assert_eq!(
            (name.as_deref(), from.to_string()),
            (Some("Alice"), aor.to_string())
        );
        assert!(headers.is_empty());

        let sales = CallerId {
            display_name: Some("Sales \"NL\"".into()),
            user: "+31201234567".into(),
            anonymous: false,
        };
        let (name, from, headers) = caller_from(&aor, Some("Alice".into()), Some(&sales));
        assert_eq!(name.as_deref(), Some("Sales \"NL\""));
        assert_eq!(from.to_string(), "sip:+31201234567@pbx.example:5060");
        assert!(headers.is_empty());

        let hidden = CallerId {
            anonymous: true,
            ..sales
        };
        let (name, from, headers) = caller_from(&aor, None, Some(&hidden));
        assert_eq!(name.as_deref(), Some("Anonymous"));
        assert_eq!(from.to_string(), "sip:anonymous@anonymous.invalid");
        let text: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        assert_eq!(
            text,
            [
                "Privacy: id",
                "P-Preferred-Identity: \"Sales NL\" <sip:+31201234567@pbx.example:5060>"
            ]
        );
    }
}
