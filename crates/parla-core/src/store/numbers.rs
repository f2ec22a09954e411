//! Phone number normalisation for matching: E.164 via the `phonenumber` crate (Google's
//! libphonenumber metadata), with a default region for numbers dialled nationally.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::Mode;

use super::StoreError;

/// A default region (ISO 3166 two-letter country code such as `NL`) for reading numbers
/// written without a country code, e.g. `0612345678`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(Id);

impl Region {
    /// The United States: the fallback when neither settings nor locale name a country.
    pub const US: Region = Region(Id::US);
}

impl FromStr for Region {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        Id::from_str(&code)
            .map(Region)
            .map_err(|_| StoreError::UnknownRegion(s.to_string()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

/// The E.164 form (`+31612345678`) of `raw` read with `region` as default, or `None` when it
/// is not a valid public number (internal extensions such as `201`, text, empty).
pub fn normalise_number(raw: &str, region: Region) -> Option<String> {
    parse(raw, region).map(|n| n.format().mode(Mode::E164).to_string())
}

fn parse(raw: &str, region: Region) -> Option<phonenumber::PhoneNumber> {
    let raw = raw.trim();
    if !raw.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = phonenumber::parse(Some(region.0), raw).ok()?;
    phonenumber::is_valid(&n).then_some(n)
}

/// The digits of `raw`, nothing else.
pub(crate) fn digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// A number read once for storing: its E.164 form and the digit strings it can be found by
/// while typing (as typed, E.164 without `+`, and the national form `0612345678`).
pub(crate) struct Analysed {
    pub e164: Option<String>,
    pub search: Vec<String>,
}

pub(crate) fn analyse(raw: &str, region: Region) -> Analysed {
    let mut search = vec![digits(raw)];
    let mut e164 = None;
    if let Some(n) = parse(raw, region) {
        let e = n.format().mode(Mode::E164).to_string();
        search.push(digits(&e));
        search.push(digits(&n.format().mode(Mode::National).to_string()));
        e164 = Some(e);
    }
    search.retain(|d| !d.is_empty());
    search.sort();
    search.dedup();
    Analysed { e164, search }
}

/// The user part of a SIP or tel URI (`sip:+3120123@pbx;user=phone` → `+3120123`), or the
/// input itself when it is not a URI.
pub(crate) fn uri_user(raw: &str) -> &str {
    let s = raw.trim().trim_start_matches('<').trim_end_matches('>');
    let s = ["sips:", "sip:", "tel:"]
        .iter()
        .find_map(|p| {
            s.get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|_| &s[p.len()..])
        })
        .unwrap_or(s);
    let s = s.split('@').next().unwrap_or(s);
    s.split(';').next().unwrap_or(s)
}

/// The `user@host` of a SIP URI (`<sips:Ana@Example.com:5061;transport=tls>` ->
/// `Ana@Example.com`), for matching a caller against a contact's addresses; `None` when
/// there is no user part.
pub(crate) fn uri_address(raw: &str) -> Option<&str> {
    let s = raw.trim().trim_start_matches('<').trim_end_matches('>');
    let s = ["sips:", "sip:"].iter().find_map(|p| {
        s.get(..p.len())
            .filter(|h| h.eq_ignore_ascii_case(p))
            .map(|_| &s[p.len()..])
    })?;
    let s = s.split([';', '?']).next().unwrap_or(s);
    let (user, host) = s.split_once('@')?;
    let host_end = host
        .rfind(':')
        .filter(|_| !host.ends_with(']'))
        .unwrap_or(host.len());
    let address = &s[..user.len() + 1 + host_end];
    (!user.is_empty() && host_end > 0).then_some(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl() -> Region {
        "NL".parse().unwrap()
    }

    #[test]
    fn dutch_mobile_in_every_format_is_one_number() {
        for raw in [
            "0612345678",
            "+31 6 12345678",
            "0031612345678",
            "+31 (0)6-1234 5678",
            "06-12 34 56 78",
        ] {
            assert_eq!(
                normalise_number(raw, nl()).as_deref(),
                Some("+31612345678"),
                "{raw}"
            );
        }
    }

    #[test]
    fn region_decides_national_numbers() {
        let de: Region = "de".parse().unwrap();
        assert_eq!(
            normalise_number("030 1234567", de).as_deref(),
            Some("+49301234567")
        );
        assert_eq!(
            normalise_number("+49 30 1234567", nl()).as_deref(),
            Some("+49301234567")
        );
        assert!("XX".parse::<Region>().is_err());
        assert_eq!(nl().to_string(), "NL");
    }

    #[test]
    fn extensions_and_text_have_no_e164() {
        assert_eq!(normalise_number("201", nl()), None);
        assert_eq!(normalise_number("reception", nl()), None);
        assert_eq!(normalise_number("", nl()), None);
    }

    #[test]
    fn search_digits_cover_typed_international_and_national() {
        let a = analyse("+31 6 12345678", nl());
        assert_eq!(a.e164.as_deref(), Some("+31612345678"));
        let d = a.search;
        assert!(d.contains(&"31612345678".to_string()));
        assert!(d.contains(&"0612345678".to_string()));
    }

    #[test]
    fn uri_user_parts() {
        assert_eq!(
            uri_user("sip:+31612345678@pbx.example;user=phone"),
            "+31612345678"
        );
        assert_eq!(uri_user("<SIPS:201@pbx>"), "201");
        assert_eq!(uri_user("tel:+31612345678"), "+31612345678");
        assert_eq!(uri_user("0612345678"), "0612345678");
    }

    #[test]
    fn sip_addresses_lose_port_and_parameters() {
        assert_eq!(
            uri_address("<sips:Ana@Example.com:5061;transport=tls>"),
            Some("Ana@Example.com")
        );
        assert_eq!(
            uri_address("sip:bob@pbx.example.com"),
            Some("bob@pbx.example.com")
        );
        assert_eq!(uri_address("sip:pbx.example.com"), None);
        assert_eq!(uri_address("tel:+31201234567"), None);
        assert_eq!(uri_address("sip:@host"), None);
    }
}
