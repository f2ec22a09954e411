//! What the diagnostics bundle takes out of every text it holds: credentials in SIP headers,
//! digest parameters, key-like settings, passwords in URLs, and the profile's own passwords
//! wherever they turn up.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

pub const REDACTED: &str = "<redacted>";

fn build(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .multi_line(true)
        .build()
        .ok()
}

/// `Authorization:` and `Proxy-Authorization:` (SIP or HTTP): the rest of the line.
static AUTHORIZATION: LazyLock<Option<Regex>> =
    LazyLock::new(|| build(r"(authorization\s*:)[^\r\n]*"));
/// Digest parameters that prove or replay a password: `response`, `nonce`, `cnonce`,
/// `nextnonce`, `opaque`, `rspauth`, quoted or not.
static DIGEST_PARAM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(r#"\b((?:c|next)?nonce|response|opaque|rspauth)(\s*=\s*)(?:"[^"\r\n]*"?|[^\s,;"]+)"#)
});
/// `name = value` / `name: value` / `name=value` where the name holds `password`, `passwd`,
/// `secret`, `token` or `credential`, or ends in `key`/`keys` (TOML, log fields, JSON with
/// quoted names).
static KEY_LIKE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    build(
        r#"([A-Za-z0-9_.\-]*(?:(?:password|passwd|secret|token|credential)[A-Za-z0-9_.\-]*|keys?)"?)(\s*[=:]\s*)(?:"[^"\r\n]*"?|'[^'\r\n]*'?|[^\s,;]+)"#,
    )
});
/// `scheme://user:password@host`.
static URL_PASSWORD: LazyLock<Option<Regex>> =
    LazyLock::new(|| build(r"([a-z][a-z0-9+.\-]*://[^:/@\s]*:)[^@/\s]+@"));

/// SDES keys in SDP (`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^20`).
static SDES_KEY: LazyLock<Option<Regex>> = LazyLock::new(|| build(r"(inline:)[^\s|]+"));

/// The shortest secret replaced wherever it appears: shorter ones would blank ordinary text.
const MIN_LITERAL: usize = 4;

/// Takes the credentials out of `text`. `secrets` are literal values (the profile's
/// passwords) replaced wherever they occur, whatever surrounds them.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= MIN_LITERAL) {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    if let Some(re) = AUTHORIZATION.as_ref() {
        out = re
            .replace_all(&out, format!("${{1}} {REDACTED}"))
            .into_owned();
    }
    if let Some(re) = DIGEST_PARAM.as_ref() {
        out = re
            .replace_all(&out, format!("${{1}}${{2}}{REDACTED}"))
            .into_owned();
    }
    if let Some(re) = KEY_LIKE.as_ref() {
        out = re
            .replace_all(&out, |caps: &regex::Captures| {
                let value = caps.get(0).map_or("", |m| m.as_str());
                let kept = caps.get(1).map_or(0, |m| m.len()) + caps.get(2).map_or(0, |m| m.len());
                let rest = value.get(kept..).unwrap_or("");
                // Leave booleans and empty values: `password_in_keyring = true` says nothing.
                // Nor a value already taken out (the config copy's `"<redacted>"`).
                if matches!(
                    rest.trim_matches(['"', '\'']),
                    "true" | "false" | "" | REDACTED
                ) {
                    value.to_owned()
                } else {
                    format!("{}{}{REDACTED}", &caps[1], &caps[2])
                }
            })
            .into_owned();
    }
    if let Some(re) = SDES_KEY.as_ref() {
        out = re
            .replace_all(&out, format!("${{1}}{REDACTED}"))
            .into_owned();
    }
    if let Some(re) = URL_PASSWORD.as_ref() {
        out = re
            .replace_all(&out, format!("${{1}}{REDACTED}@"))
            .into_owned();
    }
    out
}

/// The config with every password replaced (`<redacted>` where one was set), as TOML.
pub fn config(config: &parla_core::Config) -> Result<String, toml::ser::Error> {
    let mut copy = config.clone();
    for account in &mut copy.accounts {
        if account.password.is_some() {
            account.password = Some(REDACTED.to_owned());
        }
        if let Some(directory) = account.directory.as_mut() {
            if directory.password.is_some() {
                directory.password = Some(REDACTED.to_owned());
            }
        }
    }
    toml::to_string_pretty(&copy)
}

/// The passwords a profile's config holds: replaced wherever they appear in the bundle.
pub fn secrets(config: &parla_core::Config) -> Vec<String> {
    let mut out = Vec::new();
    for account in &config.accounts {
        out.extend(account.password.clone());
        if let Some(directory) = &account.directory {
            out.extend(directory.password.clone());
        }
    }
    out.retain(|s| !s.is_empty());
    // Longest first, so that a password holding another is taken out whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sip_authorization_and_digest_parameters() {
        let text = "send to udp:1.2.3.4:5060\r\nREGISTER sip:x SIP/2.0\r\n\
            Authorization: Digest username=\"alice\", realm=\"x\", nonce=\"n0nce1\", response=\"9a8b7c\"\r\n\
            WWW-Authenticate: Digest realm=\"x\", nonce=\"n0nce2\", opaque=\"op4que\", qop=\"auth\"\r\n\
            Authentication-Info: nextnonce=\"n0nce3\", rspauth=\"r5pauth\", cnonce=c0nce\r\n\
            To: <sip:alice@x>\r\n";
        let out = redact(text, &[]);
        for secret in [
            "9a8b7c", "n0nce1", "n0nce2", "n0nce3", "op4que", "r5pauth", "c0nce",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("Authorization: <redacted>\r\n"), "{out}");
        assert!(out.contains("To: <sip:alice@x>"), "{out}");
        assert!(out.contains("realm=\"x\""), "{out}");
    }

    #[test]
    fn key_like_settings_and_fields() {
        let text = "password = \"hunter2\"\n\
            2026-01-01 INFO parla: signing in password=s3cret api_key: 'abc123' token=tok\n\
            {\"private_key\":\"-----BEGIN\",\"name\":\"kept\"}\n\
            password_in_keyring = true\nusername = \"alice\"\nkeyring: unavailable\n\
            password = \"<redacted>\"\n";
        let out = redact(text, &[]);
        for secret in ["hunter2", "s3cret", "abc123", "tok\n", "BEGIN"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("password = <redacted>"), "{out}");
        assert!(out.contains("password_in_keyring = true"), "{out}");
        assert!(out.contains("username = \"alice\""), "{out}");
        assert!(out.contains("\"name\":\"kept\""), "{out}");
        assert!(out.contains("keyring: unavailable"), "{out}");
        assert!(out.contains("password = \"<redacted>\"\n"), "{out}");
    }

    #[test]
    fn passwords_in_urls_and_known_secrets_anywhere() {
        let secrets = vec!["Tr0ub4dor".to_owned(), "ab".to_owned()];
        let text = "url = https://bob:pa55@dav.example.com/book/\n\
            error: login Tr0ub4dor refused\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW|2^20\nab stays: too short to look for\n";
        let out = redact(text, &secrets);
        assert!(!out.contains("pa55") && !out.contains("Tr0ub4dor"), "{out}");
        assert!(
            !out.contains("WVNfX19zZW") && out.contains("inline:<redacted>|2^20"),
            "{out}"
        );
        assert!(
            out.contains("https://bob:<redacted>@dav.example.com/book/"),
            "{out}"
        );
        assert!(out.contains("ab stays"), "{out}");
    }

    #[test]
    fn config_copy_keeps_settings_and_loses_passwords() {
        let config = parla_core::Config::parse(
            "[[accounts]]\nid='a'\nusername='alice'\ndomain='example.com'\npassword='alicepw'\n\
             [accounts.directory]\nurl='https://dav.example.com/'\nusername='u'\npassword='dirpw'\n",
        )
        .expect("config");
        let text = config_text(&config);
        assert!(
            !text.contains("alicepw") && !text.contains("dirpw"),
            "{text}"
        );
        assert!(text.contains("username = \"alice\""), "{text}");
        assert!(text.contains("password = \"<redacted>\""), "{text}");
        assert_eq!(
            secrets(&config),
            vec!["alicepw".to_owned(), "dirpw".to_owned()]
        );
    }

    fn config_text(c: &parla_core::Config) -> String {
        config(c).expect("toml")
    }
}
