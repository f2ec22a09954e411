//! Rules for the lines in the settings that the window and the engine share: the embedded
//! Local line, and where a line that has just signed in goes.

use super::{AccountConfig, Config};

/// The id of the embedded "Local" line: with no provider at all Parla listens for direct calls
/// (`sip:user@host`) and can make them.
pub const LOCAL_LINE: &str = "local";

impl Config {
    /// Adds the Local line (port 5060, no registration) when the settings have none; `user`
    /// and `host` name it (`sip:user@host`), and fall back to `parla@localhost` when they are
    /// not usable in a SIP address.
    pub fn with_local_line(mut self, user: Option<&str>, host: Option<&str>) -> Config {
        if self.accounts.iter().any(|a| a.id == LOCAL_LINE) {
            return self;
        }
        let user = user
            .filter(|u| {
                !u.is_empty()
                    && u.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            })
            .unwrap_or("parla");
        let host = host
            .map(str::trim)
            .filter(|h| !h.is_empty() && h.len() < 64)
            .unwrap_or("localhost");
        self.accounts.push(AccountConfig {
            id: LOCAL_LINE.into(),
            username: user.into(),
            domain: host.into(),
            register: false,
            local_port: Some(5060),
            ..AccountConfig::default()
        });
        self
    }

    /// Keeps a line that has just signed in: its password is marked as kept by the keyring
    /// (the file leaves it out); the first provider line becomes the default; a line that
    /// replaces one keeps that one's place and default mark; a new one goes before the Local
    /// line. Returns the line as stored.
    pub fn adopt_signed_in_line(&mut self, mut line: AccountConfig) -> AccountConfig {
        line.password_in_keyring = line.password.is_some();
        if !self.accounts.iter().any(|a| a.register) {
            line.default = true;
        }
        match self.accounts.iter_mut().find(|a| a.id == line.id) {
            Some(existing) => {
                line.default = existing.default;
                *existing = line.clone();
            }
            None => {
                let at = self
                    .accounts
                    .iter()
                    .position(|a| a.id == LOCAL_LINE)
                    .unwrap_or(self.accounts.len());
                self.accounts.insert(at, line.clone());
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str) -> AccountConfig {
        AccountConfig {
            id: id.into(),
            username: "2001".into(),
            domain: "pbx.example.com".into(),
            password: Some("secret".into()),
            ..AccountConfig::default()
        }
    }

    #[test]
    fn the_local_line_is_added_once_with_a_usable_address() {
        let config = Config::default().with_local_line(Some("ana"), Some("desk\n"));
        let local = &config.accounts[0];
        assert_eq!(
            (
                local.id.as_str(),
                local.username.as_str(),
                local.domain.as_str()
            ),
            (LOCAL_LINE, "ana", "desk")
        );
        assert!(!local.register);
        assert_eq!(local.local_port, Some(5060));
        let again = config.with_local_line(Some("bob"), None);
        assert_eq!(again.accounts.len(), 1, "not added twice");
        let odd = Config::default().with_local_line(Some("a b<c>"), Some(""));
        assert_eq!(odd.accounts[0].username, "parla");
        assert_eq!(odd.accounts[0].domain, "localhost");
    }

    #[test]
    fn the_first_signed_in_line_goes_before_local_and_becomes_the_default() {
        let mut config = Config::default().with_local_line(Some("ana"), Some("desk"));
        let kept = config.adopt_signed_in_line(line("work"));
        assert!(kept.default && kept.password_in_keyring);
        let ids: Vec<&str> = config.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["work", LOCAL_LINE]);

        let second = config.adopt_signed_in_line(line("home"));
        assert!(
            !second.default,
            "only the first provider line is the default"
        );
        let ids: Vec<&str> = config.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["work", "home", LOCAL_LINE]);
    }

    #[test]
    fn a_line_signed_in_again_keeps_its_place_and_default_mark() {
        let mut config = Config::default();
        config.adopt_signed_in_line(line("work"));
        config.adopt_signed_in_line(line("home"));
        let mut edited = line("work");
        edited.username = "2002".into();
        edited.password = None;
        let kept = config.adopt_signed_in_line(edited);
        assert!(kept.default, "the default mark stays");
        assert!(
            !kept.password_in_keyring,
            "no password: nothing for the keyring"
        );
        assert_eq!(config.accounts[0].username, "2002");
        assert_eq!(config.accounts.len(), 2);
    }
}
