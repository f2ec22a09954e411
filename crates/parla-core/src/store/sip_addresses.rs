//! The contacts' SIP addresses on one domain: whom a line asks the presence of.

use super::numbers::uri_address;
use super::{Store, StoreError};

impl Store {
    /// Up to `limit` distinct `sip:user@domain` addresses of contacts (not blocked) whose SIP
    /// address is on `domain` (case-insensitive, port and parameters dropped).
    pub fn sip_addresses_on(&self, domain: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT p.number FROM contact_phones p JOIN contacts c ON c.id = p.contact_id \
             WHERE c.blocked = 0 AND lower(p.number) LIKE 'sip%' ORDER BY c.id, p.position",
        )?;
        let numbers = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut out: Vec<String> = Vec::new();
        for number in numbers {
            let number = number?;
            let Some(address) = uri_address(&number) else {
                continue;
            };
            let on_domain = address
                .rsplit_once('@')
                .is_some_and(|(_, host)| host.eq_ignore_ascii_case(domain));
            let uri = format!("sip:{address}");
            if on_domain && !out.contains(&uri) {
                out.push(uri);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{ContactFields, Phone, PhoneLabel, Region, Store};

    #[test]
    fn only_sip_addresses_on_the_domain_and_not_blocked() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("parla.db")).unwrap().store;
        let region: Region = "NL".parse().unwrap();
        for (name, number, blocked) in [
            ("a", "sip:bob@pbx.example:5060;transport=udp", false),
            ("b", "sip:carol@other.example", false),
            ("c", "+31201234567", false),
            ("d", "sip:dan@PBX.example", true),
            ("e", "sip:bob@pbx.example", false),
            ("f", "sip:eve@pbx.example", false),
        ] {
            let fields = ContactFields {
                first_name: name.into(),
                phones: vec![Phone::new(PhoneLabel::Work, number)],
                blocked,
                ..Default::default()
            };
            store.add_contact(&fields, region).unwrap();
        }
        assert_eq!(
            store.sip_addresses_on("pbx.example", 10).unwrap(),
            ["sip:bob@pbx.example", "sip:eve@pbx.example"]
        );
        assert_eq!(
            store.sip_addresses_on("pbx.example", 1).unwrap(),
            ["sip:bob@pbx.example"]
        );
    }
}
