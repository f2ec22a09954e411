//! A read-only CardDAV client (RFC 6352): fetches every vCard of one address book.
//!
//! One `REPORT addressbook-query` (Depth 1) asks for each card's ETag and data in a single
//! answer. Servers that refuse the REPORT get `PROPFIND` (Depth 1) and a `GET` per card.
//! Blocking (`ureq` on rustls): run it off the async workers. TLS is verified against the
//! system roots plus the account's CA file; a password is never sent over plain HTTP except to
//! a loopback address. Every answer is bounded in size and the whole fetch in time.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use ureq::http;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use super::directory::{CardDavSource, DirectoryError};

/// The largest answer read from the server (all cards of a big company fit in a few MB).
pub const MAX_RESPONSE_BYTES: u64 = 50 * 1024 * 1024;
/// At most this many cards are fetched one by one when the server has no REPORT.
pub const MAX_CARDS: usize = 100_000;
/// A fetch gives up after this long.
const TIMEOUT: Duration = Duration::from_secs(120);

const DAV: &str = "DAV:";
const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";

const QUERY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/><C:address-data/></D:prop>
</C:addressbook-query>
"#;

const PROPFIND: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:">
  <D:prop><D:resourcetype/><D:getetag/></D:prop>
</D:propfind>
"#;

/// One card as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardResource {
    /// The card's path on the server; stable across syncs.
    pub href: String,
    pub etag: Option<String>,
    pub vcard: String,
}

/// Every card of the address book at `source.url`.
pub(crate) fn fetch_address_book(
    source: &CardDavSource,
) -> Result<Vec<CardResource>, DirectoryError> {
    let base = url::Url::parse(&source.url).map_err(|e| DirectoryError::BadUrl {
        url: source.url.clone(),
        message: e.to_string(),
    })?;
    check_url(&base, source.password.is_some())?;
    let client = Client::new(source, base)?;
    match client.report()? {
        Some(cards) => Ok(cards),
        None => client.propfind_and_get(),
    }
}

/// http(s) only; no password over plain HTTP unless the server is on this machine.
fn check_url(url: &url::Url, with_password: bool) -> Result<(), DirectoryError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(a)) => a.is_loopback(),
                Some(url::Host::Ipv6(a)) => a.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if with_password && !loopback {
                Err(DirectoryError::Insecure {
                    url: url.to_string(),
                })
            } else {
                Ok(())
            }
        }
        other => Err(DirectoryError::BadUrl {
            url: url.to_string(),
            message: format!("{other}: is not http or https"),
        }),
    }
}

struct Client {
    agent: ureq::Agent,
    base: url::Url,
    authorization: Option<String>,
}

impl Client {
    fn new(source: &CardDavSource, base: url::Url) -> Result<Client, DirectoryError> {
        let pem = crate::tls::trusted_roots_pem(source.ca_file.as_deref())?;
        let roots: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .user_agent(concat!("Parla/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let authorization = source.username.as_ref().map(|user| {
            let pass = source.password.as_deref().unwrap_or("");
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            format!("Basic {token}")
        });
        Ok(Client {
            agent,
            base,
            authorization,
        })
    }

    /// `REPORT addressbook-query`; `None` when the server does not do it.
    fn report(&self) -> Result<Option<Vec<CardResource>>, DirectoryError> {
        let (status, body) = self.send("REPORT", &self.base, Some(QUERY))?;
        match status {
            207 => {
                let responses = parse_multistatus(&body)?;
                Ok(Some(
                    responses
                        .into_iter()
                        .filter_map(|r| {
                            r.address_data.map(|vcard| CardResource {
                                href: r.href,
                                etag: r.etag,
                                vcard,
                            })
                        })
                        .collect(),
                ))
            }
            400 | 403 | 405 | 415 | 501 => Ok(None),
            code => Err(self.status_error(code)),
        }
    }

    /// `PROPFIND` for the cards' paths, then a `GET` for each.
    fn propfind_and_get(&self) -> Result<Vec<CardResource>, DirectoryError> {
        let (status, body) = self.send("PROPFIND", &self.base, Some(PROPFIND))?;
        if status != 207 {
            return Err(self.status_error(status));
        }
        let members: Vec<Response> = parse_multistatus(&body)?
            .into_iter()
            .filter(|r| !r.is_collection)
            .collect();
        if members.len() > MAX_CARDS {
            return Err(DirectoryError::TooManyCards { limit: MAX_CARDS });
        }
        let mut cards = Vec::with_capacity(members.len());
        for m in members {
            let url = self
                .base
                .join(&m.href)
                .map_err(|e| DirectoryError::Xml(format!("bad href {:?}: {e}", m.href)))?;
            let (status, vcard) = self.send("GET", &url, None)?;
            if status != 200 {
                return Err(self.status_error(status));
            }
            cards.push(CardResource {
                href: m.href,
                etag: m.etag,
                vcard,
            });
        }
        Ok(cards)
    }

    /// Sends one request; the status and the body (bounded, UTF-8).
    fn send(
        &self,
        method: &str,
        url: &url::Url,
        xml: Option<&str>,
    ) -> Result<(u16, String), DirectoryError> {
        let mut req = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header("Depth", "1");
        if let Some(auth) = &self.authorization {
            req = req.header("Authorization", auth);
        }
        let http_err = |message: String| DirectoryError::Http {
            url: self.base.to_string(),
            message,
        };
        let result = match xml {
            Some(xml) => {
                let req = req
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(xml.to_string())
                    .map_err(|e| http_err(e.to_string()))?;
                self.agent.run(req)
            }
            None => {
                let req = req.body(()).map_err(|e| http_err(e.to_string()))?;
                self.agent.run(req)
            }
        };
        let mut resp = result.map_err(|e| http_err(e.to_string()))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => DirectoryError::TooLarge {
                    limit: MAX_RESPONSE_BYTES,
                },
                other => http_err(other.to_string()),
            })?;
        Ok((status, body))
    }

    fn status_error(&self, code: u16) -> DirectoryError {
        let url = self.base.to_string();
        if code == 401 {
            DirectoryError::Unauthorized { url }
        } else {
            DirectoryError::Status { url, code }
        }
    }
}

/// One `<D:response>` of a multistatus answer, with its 200 properties.
#[derive(Debug, Default, PartialEq, Eq)]
struct Response {
    href: String,
    etag: Option<String>,
    address_data: Option<String>,
    is_collection: bool,
}

/// Deepest nesting read in a CardDAV answer (a multistatus is about 8 deep).
const MAX_XML_DEPTH: usize = 64;

fn parse_multistatus(xml: &str) -> Result<Vec<Response>, DirectoryError> {
    // No DTD (no entity expansion), the node count and the nesting capped.
    let doc = crate::xml::parse(xml, 10_000_000, MAX_XML_DEPTH)
        .map_err(|e| DirectoryError::Xml(e.to_string()))?;
    let mut out = Vec::new();
    for resp in doc
        .descendants()
        .filter(|n| n.has_tag_name((DAV, "response")))
    {
        let mut r = Response {
            href: child_text(resp, DAV, "href").unwrap_or_default(),
            ..Default::default()
        };
        for propstat in resp
            .children()
            .filter(|n| n.has_tag_name((DAV, "propstat")))
        {
            let ok = child_text(propstat, DAV, "status").is_some_and(|s| s.contains(" 200"));
            let Some(prop) = propstat.children().find(|n| n.has_tag_name((DAV, "prop"))) else {
                continue;
            };
            if !ok {
                continue;
            }
            if let Some(etag) = child_text(prop, DAV, "getetag") {
                r.etag = Some(etag);
            }
            if let Some(data) = child_text(prop, CARDDAV, "address-data") {
                r.address_data = Some(data);
            }
            if let Some(rt) = prop
                .children()
                .find(|n| n.has_tag_name((DAV, "resourcetype")))
            {
                r.is_collection = rt.children().any(|n| n.has_tag_name((DAV, "collection")));
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// The text of `node`'s first child element `ns:name` (all its text nodes, trimmed).
fn child_text(node: roxmltree::Node<'_, '_>, ns: &str, name: &str) -> Option<String> {
    let child = node.children().find(|n| n.has_tag_name((ns, name)))?;
    let text: String = child
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    Some(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multistatus_with_cards_and_a_404() {
        let xml = r#"<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <response><href>/u/book/</href>
    <propstat><prop><resourcetype><collection/><CR:addressbook/></resourcetype></prop>
      <status>HTTP/1.1 200 OK</status></propstat></response>
  <response><href>/u/book/a.vcf</href>
    <propstat><prop><getetag>"e1"</getetag><CR:address-data>BEGIN:VCARD
VERSION:3.0
FN:A B
END:VCARD
</CR:address-data></prop><status>HTTP/1.1 200 OK</status></propstat>
    <propstat><prop><CR:other/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
  </response>
</multistatus>"#;
        let r = parse_multistatus(xml).unwrap();
        assert_eq!(r.len(), 2);
        assert!(r[0].is_collection);
        assert_eq!(r[1].href, "/u/book/a.vcf");
        assert_eq!(r[1].etag.as_deref(), Some("\"e1\""));
        assert!(r[1]
            .address_data
            .as_deref()
            .unwrap()
            .starts_with("BEGIN:VCARD\nVERSION:3.0"));
    }

    #[test]
    fn hostile_xml_is_an_error_not_a_hang() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><multistatus xmlns="DAV:">&b;</multistatus>"#;
        assert!(matches!(
            parse_multistatus(bomb),
            Err(DirectoryError::Xml(_))
        ));
        assert!(parse_multistatus("<unterminated").is_err());
        assert!(parse_multistatus("").is_err());
    }

    #[test]
    fn passwords_stay_off_plain_http_except_loopback() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(check_url(&u("https://dav.example.com/book/"), true).is_ok());
        assert!(check_url(&u("http://127.0.0.1:5232/book/"), true).is_ok());
        assert!(check_url(&u("http://localhost/book/"), true).is_ok());
        assert!(check_url(&u("http://dav.example.com/book/"), false).is_ok());
        assert!(matches!(
            check_url(&u("http://dav.example.com/book/"), true),
            Err(DirectoryError::Insecure { .. })
        ));
        assert!(matches!(
            check_url(&u("ftp://dav.example.com/"), false),
            Err(DirectoryError::BadUrl { .. })
        ));
    }
}
