//! Search as you type (SQLite FTS5 with the trigram tokenizer) and caller-name lookup.
//!
//! Each contact has one row in `contact_search` (rowid = contact id) whose text is its
//! lower-cased names, company and emails followed by the digits of each number as typed, in
//! E.164 and in national form. Query words of three or more characters use the trigram index
//! (substring match: `jans` finds `Jansen`, `2345` finds `+31 6 12345678`); shorter words match
//! the start of a word (`ja` finds `Jan` but not `Benjamin`) through `contact_words`, the same
//! text in a word index with prefix indexes. A query made only of number
//! characters (`+31 6 1234`, `06-12`) is searched as one string of digits.

use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::contacts::{load_contact, Contact, ContactFields, ContactId};
use super::numbers::{self, Region};
use super::{Store, StoreError};

/// Which contacts a search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchFilter {
    #[default]
    All,
    Favourites,
    Personal,
    Shared,
    Blocked,
}

impl SearchFilter {
    fn sql(self) -> &'static str {
        match self {
            SearchFilter::All => "1",
            SearchFilter::Favourites => "c.favourite = 1",
            SearchFilter::Personal => "c.source = 'personal'",
            SearchFilter::Shared => "c.source = 'shared'",
            SearchFilter::Blocked => "c.blocked = 1",
        }
    }
}

impl Store {
    /// Contacts matching every word of `query` (empty: all), within `filter`, sorted by last
    /// name then first name, at most `limit`.
    pub fn search(
        &self,
        query: &str,
        filter: SearchFilter,
        limit: usize,
    ) -> Result<Vec<Contact>, StoreError> {
        let terms = query_terms(query);
        let mut sql = format!("SELECT c.id FROM contacts c WHERE {}", filter.sql());
        let mut args: Vec<String> = Vec::new();
        let long: Vec<&String> = terms.iter().filter(|t| t.chars().count() >= 3).collect();
        if !long.is_empty() {
            let expr = long
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND ");
            args.push(expr);
            sql.push_str(&format!(
                " AND c.id IN (SELECT rowid FROM contact_search WHERE contact_search MATCH ?{})",
                args.len()
            ));
        }
        for t in terms.iter().filter(|t| t.chars().count() < 3) {
            if !t.chars().any(char::is_alphanumeric) {
                // Punctuation alone starts no word.
                sql.push_str(" AND 0");
                continue;
            }
            args.push(format!("\"{}\" *", t.replace('"', "\"\"")));
            sql.push_str(&format!(
                " AND c.id IN (SELECT rowid FROM contact_words WHERE contact_words MATCH ?{})",
                args.len()
            ));
        }
        sql.push_str(&format!(
            " ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id LIMIT {}",
            limit.min(i64::MAX as usize)
        ));
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = load_contact(&self.conn, ContactId(id))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The contact owning the number (or SIP/tel URI) `raw`, for showing a caller's name.
    /// Matches on E.164 with `region` as the default country, so `0612345678`,
    /// `+31 6 12345678` and `sip:0031612345678@pbx` are one number in NL; numbers without an
    /// E.164 form (extensions) match on their exact digits. Personal contacts win over shared
    /// ones, then favourites, then the oldest.
    pub fn find_by_number(&self, raw: &str, region: Region) -> Result<Option<Contact>, StoreError> {
        match self.match_caller(raw, region)? {
            Some(id) => load_contact(&self.conn, id),
            None => Ok(None),
        }
    }

    /// The contact a caller (number, `tel:` or SIP URI) is: by number first, else, for a SIP
    /// URI, by one of the contact's addresses (`sip:ana@example.com` -> `ana@example.com`).
    fn match_caller(&self, raw: &str, region: Region) -> Result<Option<ContactId>, StoreError> {
        let user = numbers::uri_user(raw);
        let digits = numbers::digits(user);
        if !digits.is_empty() {
            let e164 = numbers::normalise_number(user, region);
            if let Some(id) = match_contact(&self.conn, e164.as_deref(), &digits)? {
                return Ok(Some(id));
            }
        }
        match numbers::uri_address(raw) {
            Some(address) => match_address(&self.conn, address),
            None => Ok(None),
        }
    }

    /// The name to show for a caller (or callee) and whether their calls are to be refused:
    /// [`Store::find_by_number`] reduced to what an incoming call needs.
    pub fn caller_name(&self, raw: &str, region: Region) -> Result<Option<CallerName>, StoreError> {
        let Some(id) = self.match_caller(raw, region)? else {
            return Ok(None);
        };
        let found = self
            .conn
            .prepare_cached(
                "SELECT first_name, last_name, company, blocked FROM contacts WHERE id = ?1",
            )?
            .query_row([id.0], |r| {
                let fields = ContactFields {
                    first_name: r.get(0)?,
                    last_name: r.get(1)?,
                    company: r.get(2)?,
                    ..Default::default()
                };
                Ok(CallerName {
                    contact: id,
                    name: fields.display_name(),
                    blocked: r.get(3)?,
                })
            })
            .optional()?;
        Ok(found)
    }
}

/// Who a number belongs to, as [`Store::caller_name`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerName {
    pub contact: ContactId,
    /// "First Last", or the company when the contact has no name.
    pub name: String,
    /// Calls from this contact are to be refused (603) without ringing.
    pub blocked: bool,
}

/// The contact owning a number given as its E.164 form (`None` for extensions and numbers
/// that are not valid) and its digits; see [`Store::find_by_number`] for the order.
pub(crate) fn match_contact(
    conn: &Connection,
    e164: Option<&str>,
    digits: &str,
) -> Result<Option<ContactId>, StoreError> {
    if e164.is_none() && digits.is_empty() {
        return Ok(None);
    }
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT c.id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
             WHERE p.e164 = ?1 OR (p.e164 IS NULL AND ?1 IS NULL AND p.digits = ?2)
             ORDER BY c.source = 'personal' DESC, c.favourite DESC, c.id
             LIMIT 1",
        )?
        .query_row(rusqlite::params![e164, digits], |r| r.get(0))
        .optional()?;
    Ok(id.map(ContactId))
}

/// The contact with `address` among its addresses (case does not matter), personal first.
fn match_address(conn: &Connection, address: &str) -> Result<Option<ContactId>, StoreError> {
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT c.id FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
             WHERE e.address = ?1 COLLATE NOCASE
             ORDER BY c.source = 'personal' DESC, c.favourite DESC, c.id
             LIMIT 1",
        )?
        .query_row([address], |r| r.get(0))
        .optional()?;
    Ok(id.map(ContactId))
}

/// The words of a query, lower-cased; a query of only number characters becomes its digits.
fn query_terms(query: &str) -> Vec<String> {
    let q = query.trim();
    let numberish = q.chars().any(|c| c.is_ascii_digit())
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    if numberish {
        return vec![numbers::digits(q)];
    }
    q.split_whitespace().map(str::to_lowercase).collect()
}

/// Writes the search row for a contact (caller owns the transaction).
/// `phone_digits` are the search digit strings of all its numbers (see `numbers::analyse`).
pub(crate) fn reindex(
    conn: &Connection,
    id: ContactId,
    f: &ContactFields,
    phone_digits: &[String],
) -> Result<(), StoreError> {
    let mut words = vec![
        f.first_name.as_str(),
        f.last_name.as_str(),
        f.company.as_str(),
    ];
    words.extend(f.emails.iter().map(String::as_str));
    let mut text = words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    for d in phone_digits {
        text.push(' ');
        text.push_str(d);
    }
    remove(conn, id)?;
    conn.prepare_cached("INSERT INTO contact_search (rowid, text) VALUES (?1, ?2)")?
        .execute(rusqlite::params![id.0, text])?;
    conn.prepare_cached("INSERT INTO contact_words (rowid, text) VALUES (?1, ?2)")?
        .execute(rusqlite::params![id.0, text])?;
    Ok(())
}

/// Drops the search row for a contact.
pub(crate) fn remove(conn: &Connection, id: ContactId) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM contact_search WHERE rowid = ?1")?
        .execute([id.0])?;
    conn.prepare_cached("DELETE FROM contact_words WHERE rowid = ?1")?
        .execute([id.0])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Phone, PhoneLabel, Source};
    use super::*;

    fn nl() -> Region {
        "NL".parse().unwrap()
    }

    fn person(first: &str, last: &str, company: &str, phone: &str, email: &str) -> ContactFields {
        ContactFields {
            first_name: first.into(),
            last_name: last.into(),
            company: company.into(),
            phones: vec![Phone::new(PhoneLabel::Mobile, phone)],
            emails: if email.is_empty() {
                vec![]
            } else {
                vec![email.into()]
            },
            ..Default::default()
        }
    }

    /// Anna (favourite), Benjamin (shared), Carla (blocked), Dirk (plain).
    fn fixture() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("parla.db")).unwrap().store;
        let mut anna = person(
            "Anna",
            "Jansen",
            "Acme B.V.",
            "+31 6 12345678",
            "anna@acme.nl",
        );
        anna.favourite = true;
        let mut ben = person(
            "Benjamin",
            "Smit",
            "Globex",
            "020 765 4321",
            "ben@globex.com",
        );
        ben.source = Source::Shared;
        let mut carla = person(
            "Carla",
            "José",
            "Initech",
            "0031301112233",
            "carla@initech.io",
        );
        carla.blocked = true;
        let dirk = person("Dirk", "de Vries", "", "201", "");
        for c in [&anna, &ben, &carla, &dirk] {
            store.add_contact(c, nl()).unwrap();
        }
        (dir, store)
    }

    fn firsts(store: &Store, q: &str, f: SearchFilter) -> Vec<String> {
        store
            .search(q, f, 50)
            .unwrap()
            .into_iter()
            .map(|c| c.fields.first_name)
            .collect()
    }

    #[test]
    fn name_company_email_and_digit_fragments() {
        let (_d, store) = fixture();
        use SearchFilter::All;
        assert_eq!(firsts(&store, "jans", All), ["Anna"]);
        assert_eq!(firsts(&store, "ANS", All), ["Anna"]); // case-insensitive substring
        assert_eq!(firsts(&store, "an", All), ["Anna"]); // short: word start only
        assert_eq!(firsts(&store, "ja", All), ["Anna"]); // not benJAmin
        assert_eq!(firsts(&store, "jose", All), ["Carla"]); // diacritics folded
        assert_eq!(firsts(&store, "glob", All), ["Benjamin"]);
        assert_eq!(firsts(&store, "initech.io", All), ["Carla"]);
        assert_eq!(firsts(&store, "anna jansen", All), ["Anna"]);
        assert_eq!(firsts(&store, "anna smit", All), Vec::<String>::new());
        assert_eq!(firsts(&store, "2345", All), ["Anna"]);
        assert_eq!(firsts(&store, "06 123", All), ["Anna"]); // national form
        assert_eq!(firsts(&store, "+31 6 1234", All), ["Anna"]); // international form
        assert_eq!(firsts(&store, "7654", All), ["Benjamin"]);
        assert_eq!(firsts(&store, "20", All), ["Dirk"]); // short digits: start of a number
        assert_eq!(
            firsts(&store, "", All),
            ["Dirk", "Anna", "Carla", "Benjamin"]
        ); // de Vries, Jansen, José, Smit
        assert_eq!(firsts(&store, "\"o'", All), Vec::<String>::new()); // odd input is not an error
        assert_eq!(store.search("", All, 2).unwrap().len(), 2);
    }

    #[test]
    fn each_filter() {
        let (_d, store) = fixture();
        assert_eq!(firsts(&store, "", SearchFilter::Favourites), ["Anna"]);
        assert_eq!(firsts(&store, "", SearchFilter::Shared), ["Benjamin"]);
        assert_eq!(firsts(&store, "", SearchFilter::Blocked), ["Carla"]);
        assert_eq!(
            firsts(&store, "", SearchFilter::Personal),
            ["Dirk", "Anna", "Carla"]
        );
        assert_eq!(firsts(&store, "a", SearchFilter::Personal), ["Anna"]);
        assert_eq!(
            firsts(&store, "glob", SearchFilter::Personal),
            Vec::<String>::new()
        );
        assert_eq!(firsts(&store, "initech", SearchFilter::Blocked), ["Carla"]);
        assert_eq!(firsts(&store, "acme", SearchFilter::Favourites), ["Anna"]);
        assert_eq!(
            firsts(&store, "acme", SearchFilter::Blocked),
            Vec::<String>::new()
        );
    }

    #[test]
    fn caller_lookup_across_formats() {
        let (_d, store) = fixture();
        for raw in [
            "0612345678",
            "+31 6 12345678",
            "0031612345678",
            "sip:+31612345678@pbx.example;user=phone",
        ] {
            let c = store.find_by_number(raw, nl()).unwrap();
            assert_eq!(
                c.map(|c| c.fields.first_name).as_deref(),
                Some("Anna"),
                "{raw}"
            );
        }
        let c = store
            .find_by_number("+31 30 111 2233", nl())
            .unwrap()
            .unwrap();
        assert!(c.fields.blocked);
        assert_eq!(
            store
                .find_by_number("sip:201@pbx", nl())
                .unwrap()
                .unwrap()
                .fields
                .first_name,
            "Dirk"
        );
        assert!(store.find_by_number("2012", nl()).unwrap().is_none());
        assert!(store.find_by_number("0612345679", nl()).unwrap().is_none());
        assert!(store.find_by_number("anonymous", nl()).unwrap().is_none());
        // A German caller with the same national digits is someone else.
        let de: Region = "DE".parse().unwrap();
        assert!(store.find_by_number("0612345678", de).unwrap().is_none());
    }
}
