//! Contacts: the types and their create / read / update / delete.

use std::fmt;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::numbers::{self, Region};
use super::{search, Store, StoreError, MAX_EMAILS, MAX_PHONES};

/// A contact's row id in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(pub i64);

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a phone number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneLabel {
    Work,
    Mobile,
    Home,
    #[default]
    Other,
}

impl PhoneLabel {
    /// The stored (and CSV/vCard friendly) name: `work`, `mobile`, `home`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneLabel::Work => "work",
            PhoneLabel::Mobile => "mobile",
            PhoneLabel::Home => "home",
            PhoneLabel::Other => "other",
        }
    }

    /// Reads a stored label; anything unknown is `Other`.
    pub fn from_str_lossy(s: &str) -> PhoneLabel {
        match s.trim().to_ascii_lowercase().as_str() {
            "work" => PhoneLabel::Work,
            "mobile" | "cell" => PhoneLabel::Mobile,
            "home" => PhoneLabel::Home,
            _ => PhoneLabel::Other,
        }
    }
}

/// Where a contact comes from: the user's own list (editable) or a shared company directory
/// (read-only here; kept up to date by the directory sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    #[default]
    Personal,
    Shared,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Personal => "personal",
            Source::Shared => "shared",
        }
    }
}

/// A phone number as the user typed it, with its normalised form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Phone {
    pub label: PhoneLabel,
    /// As typed; this is what is shown.
    pub number: String,
    /// E.164 (`+31612345678`), filled in by the store when the contact is written (the value
    /// passed in is ignored); `None` for extensions and numbers that are not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
}

impl Phone {
    /// A phone number with a label; `e164` is filled in when it is stored.
    pub fn new(label: PhoneLabel, number: impl Into<String>) -> Phone {
        Phone {
            label,
            number: number.into(),
            e164: None,
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

/// Everything about a contact except its id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    /// At most [`MAX_PHONES`].
    pub phones: Vec<Phone>,
    /// At most [`MAX_EMAILS`].
    pub emails: Vec<String>,
    pub address: Address,
    pub notes: String,
    pub favourite: bool,
    pub blocked: bool,
    pub source: Source,
}

impl ContactFields {
    /// "First Last", or the company when there is no name.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if name.is_empty() {
            self.company.trim().to_string()
        } else {
            name.to_string()
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        if self.phones.len() > MAX_PHONES {
            return Err(StoreError::TooManyPhones(self.phones.len()));
        }
        if self.emails.len() > MAX_EMAILS {
            return Err(StoreError::TooManyEmails(self.emails.len()));
        }
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.first_name)
            && blank(&self.last_name)
            && blank(&self.company)
            && self.phones.iter().all(|p| blank(&p.number))
        {
            return Err(StoreError::EmptyContact);
        }
        Ok(())
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub fields: ContactFields,
}

impl Store {
    /// Adds a contact; numbers are normalised with `region` as the default country.
    pub fn add_contact(
        &mut self,
        fields: &ContactFields,
        region: Region,
    ) -> Result<ContactId, StoreError> {
        fields.validate()?;
        let tx = self.conn.transaction()?;
        let id = insert_contact(&tx, fields, region)?;
        tx.commit()?;
        Ok(id)
    }

    /// Replaces every field of a personal contact. Shared contacts are refused with
    /// [`StoreError::ReadOnly`] (use [`Store::set_favourite`] / [`Store::set_blocked`]), and
    /// `fields.source` cannot turn a personal contact into a shared one.
    pub fn update_contact(
        &mut self,
        id: ContactId,
        fields: &ContactFields,
        region: Region,
    ) -> Result<(), StoreError> {
        fields.validate()?;
        let tx = self.conn.transaction()?;
        match source_of(&tx, id)? {
            None => return Err(StoreError::NotFound(id)),
            Some(Source::Shared) => return Err(StoreError::ReadOnly(id)),
            Some(Source::Personal) => {}
        }
        let mut params = field_params(fields).to_vec();
        params.push((":id", &id.0));
        tx.execute(
            "UPDATE contacts SET first_name = :first_name, last_name = :last_name,
                company = :company, street = :street, city = :city, state = :state,
                postal_code = :postal_code, country = :country, notes = :notes,
                favourite = :favourite, blocked = :blocked
             WHERE id = :id",
            params.as_slice(),
        )?;
        tx.execute("DELETE FROM contact_phones WHERE contact_id = ?1", [id.0])?;
        tx.execute("DELETE FROM contact_emails WHERE contact_id = ?1", [id.0])?;
        insert_children(&tx, id, fields, &analyse_phones(fields, region))?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a personal contact (its numbers and emails go with it). Shared contacts are
    /// refused with [`StoreError::ReadOnly`].
    pub fn delete_contact(&mut self, id: ContactId) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        match source_of(&tx, id)? {
            None => return Err(StoreError::NotFound(id)),
            Some(Source::Shared) => return Err(StoreError::ReadOnly(id)),
            Some(Source::Personal) => {}
        }
        tx.execute("DELETE FROM contacts WHERE id = ?1", [id.0])?;
        search::remove(&tx, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Marks or unmarks a contact (personal or shared) as a favourite.
    pub fn set_favourite(&mut self, id: ContactId, favourite: bool) -> Result<(), StoreError> {
        self.set_flag(id, "favourite", favourite)
    }

    /// Blocks or unblocks a contact (personal or shared): calls from a blocked contact's
    /// numbers are to be rejected without ringing.
    pub fn set_blocked(&mut self, id: ContactId, blocked: bool) -> Result<(), StoreError> {
        self.set_flag(id, "blocked", blocked)
    }

    fn set_flag(&mut self, id: ContactId, column: &str, on: bool) -> Result<(), StoreError> {
        // `column` is one of two literals above, never user input.
        let n = self.conn.execute(
            &format!("UPDATE contacts SET {column} = ?2 WHERE id = ?1"),
            params![id.0, on],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// The contact with this id, if there is one.
    pub fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
        load_contact(&self.conn, id)
    }

    /// How many contacts there are.
    pub fn contact_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

fn source_of(conn: &Connection, id: ContactId) -> Result<Option<Source>, StoreError> {
    let s: Option<String> = conn
        .query_row("SELECT source FROM contacts WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(s.map(|s| {
        if s == "shared" {
            Source::Shared
        } else {
            Source::Personal
        }
    }))
}

/// Each phone of `fields` read with `region` as the default country, in order.
pub(crate) fn analyse_phones(fields: &ContactFields, region: Region) -> Vec<numbers::Analysed> {
    fields
        .phones
        .iter()
        .map(|p| numbers::analyse(&p.number, region))
        .collect()
}

/// Inserts a validated contact (caller owns the transaction).
pub(crate) fn insert_contact(
    conn: &Connection,
    fields: &ContactFields,
    region: Region,
) -> Result<ContactId, StoreError> {
    insert_analysed(conn, fields, &analyse_phones(fields, region))
}

/// Inserts a validated contact whose phones were analysed already (`analysed[i]` belongs to
/// `fields.phones[i]`); the caller owns the transaction.
pub(crate) fn insert_analysed(
    conn: &Connection,
    fields: &ContactFields,
    analysed: &[numbers::Analysed],
) -> Result<ContactId, StoreError> {
    let source = fields.source.as_str();
    let mut params = field_params(fields).to_vec();
    params.push((":source", &source));
    conn.prepare_cached(
        "INSERT INTO contacts (first_name, last_name, company, street, city, state, postal_code,
            country, notes, favourite, blocked, source)
         VALUES (:first_name, :last_name, :company, :street, :city, :state, :postal_code,
            :country, :notes, :favourite, :blocked, :source)",
    )?
    .execute(params.as_slice())?;
    let id = ContactId(conn.last_insert_rowid());
    insert_children(conn, id, fields, analysed)?;
    Ok(id)
}

/// The named SQL parameters of a contact's own columns: insert and update both bind exactly
/// these (insert adds `:source`, update `:id`), so the two statements cannot drift apart
/// (binding a name a statement does not have is an error, and the tests read every field back).
fn field_params(fields: &ContactFields) -> [(&'static str, &dyn rusqlite::ToSql); 11] {
    [
        (":first_name", &fields.first_name),
        (":last_name", &fields.last_name),
        (":company", &fields.company),
        (":street", &fields.address.street),
        (":city", &fields.address.city),
        (":state", &fields.address.state),
        (":postal_code", &fields.address.postal_code),
        (":country", &fields.address.country),
        (":notes", &fields.notes),
        (":favourite", &fields.favourite),
        (":blocked", &fields.blocked),
    ]
}

/// Phones, emails and the search index entry for `id`.
fn insert_children(
    conn: &Connection,
    id: ContactId,
    fields: &ContactFields,
    analysed: &[numbers::Analysed],
) -> Result<(), StoreError> {
    let mut phone = conn.prepare_cached(
        "INSERT INTO contact_phones (contact_id, position, label, number, e164, digits)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut phone_digits = Vec::new();
    for (pos, (p, a)) in fields.phones.iter().zip(analysed).enumerate() {
        phone.execute(params![
            id.0,
            pos as i64,
            p.label.as_str(),
            p.number,
            a.e164,
            numbers::digits(&p.number)
        ])?;
        phone_digits.extend(a.search.iter().cloned());
    }
    let mut email = conn.prepare_cached(
        "INSERT INTO contact_emails (contact_id, position, address) VALUES (?1, ?2, ?3)",
    )?;
    for (pos, e) in fields.emails.iter().enumerate() {
        email.execute(params![id.0, pos as i64, e])?;
    }
    search::reindex(conn, id, fields, &phone_digits)
}

pub(crate) fn load_contact(
    conn: &Connection,
    id: ContactId,
) -> Result<Option<Contact>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT first_name, last_name, company, street, city, state, postal_code, country,
                notes, favourite, blocked, source
             FROM contacts WHERE id = ?1",
        )?
        .query_row([id.0], fields_from_row)
        .optional()?;
    let Some(mut fields) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT label, number, e164 FROM contact_phones WHERE contact_id = ?1 ORDER BY position",
    )?;
    fields.phones = stmt
        .query_map([id.0], |r| {
            Ok(Phone {
                label: PhoneLabel::from_str_lossy(&r.get::<_, String>(0)?),
                number: r.get(1)?,
                e164: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT address FROM contact_emails WHERE contact_id = ?1 ORDER BY position",
    )?;
    fields.emails = stmt
        .query_map([id.0], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(Contact { id, fields }))
}

fn fields_from_row(r: &Row<'_>) -> rusqlite::Result<ContactFields> {
    Ok(ContactFields {
        first_name: r.get(0)?,
        last_name: r.get(1)?,
        company: r.get(2)?,
        address: Address {
            street: r.get(3)?,
            city: r.get(4)?,
            state: r.get(5)?,
            postal_code: r.get(6)?,
            country: r.get(7)?,
        },
        notes: r.get(8)?,
        favourite: r.get(9)?,
        blocked: r.get(10)?,
        source: if r.get::<_, String>(11)? == "shared" {
            Source::Shared
        } else {
            Source::Personal
        },
        phones: Vec::new(),
        emails: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl() -> Region {
        "NL".parse().unwrap()
    }

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
        (dir, store)
    }

    fn full() -> ContactFields {
        ContactFields {
            first_name: "Zoë".into(),
            last_name: "van der Berg".into(),
            company: "Acme B.V.".into(),
            phones: vec![
                Phone::new(PhoneLabel::Work, "+31 20 123 4567"),
                Phone::new(PhoneLabel::Mobile, "06-12345678"),
                Phone::new(PhoneLabel::Home, "201"),
            ],
            emails: vec![
                "zoe@acme.nl".into(),
                "z.berg@example.org".into(),
                "zoe@home.nl".into(),
            ],
            address: Address {
                street: "Keizersgracht 1".into(),
                city: "Amsterdam".into(),
                state: "Noord-Holland".into(),
                postal_code: "1015 AA".into(),
                country: "Netherlands".into(),
            },
            notes: "Line one\nline two, with \"quotes\"".into(),
            favourite: true,
            blocked: true,
            source: Source::Personal,
        }
    }

    #[test]
    fn every_field_round_trips() {
        let (dir, mut store) = open();
        let id = store.add_contact(&full(), nl()).unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("parla.db")).unwrap().store;
        let got = store.contact(id).unwrap().unwrap();
        let mut want = full();
        want.phones[0].e164 = Some("+31201234567".into());
        want.phones[1].e164 = Some("+31612345678".into());
        want.phones[2].e164 = None;
        assert_eq!(got, Contact { id, fields: want });
        assert_eq!(got.fields.display_name(), "Zoë van der Berg");
    }

    #[test]
    fn update_replaces_everything_and_delete_removes() {
        let (_dir, mut store) = open();
        let id = store.add_contact(&full(), nl()).unwrap();
        let mut changed = ContactFields {
            first_name: "Piet".into(),
            phones: vec![Phone::new(PhoneLabel::Other, "0101234567")],
            ..Default::default()
        };
        store.update_contact(id, &changed, nl()).unwrap();
        let got = store.contact(id).unwrap().unwrap();
        changed.phones[0].e164 = Some("+31101234567".into());
        assert_eq!(got.fields, changed);
        assert!(store
            .search("zoe", super::super::SearchFilter::All, 10)
            .unwrap()
            .is_empty());
        store.delete_contact(id).unwrap();
        assert!(store.contact(id).unwrap().is_none());
        assert!(matches!(
            store.delete_contact(id),
            Err(StoreError::NotFound(_))
        ));
        let orphans: i64 = store
            .conn
            .query_row("SELECT (SELECT count(*) FROM contact_phones) + (SELECT count(*) FROM contact_emails) + (SELECT count(*) FROM contact_search) + (SELECT count(*) FROM contact_words)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(orphans, 0);
    }

    #[test]
    fn limits_and_read_only_shared_contacts() {
        let (_dir, mut store) = open();
        let mut f = full();
        f.phones.push(Phone::new(PhoneLabel::Other, "1"));
        assert!(matches!(
            store.add_contact(&f, nl()),
            Err(StoreError::TooManyPhones(4))
        ));
        let mut f = full();
        f.emails.push("x@y".into());
        assert!(matches!(
            store.add_contact(&f, nl()),
            Err(StoreError::TooManyEmails(4))
        ));
        assert!(matches!(
            store.add_contact(&ContactFields::default(), nl()),
            Err(StoreError::EmptyContact)
        ));

        let mut shared = full();
        shared.source = Source::Shared;
        let id = store.add_contact(&shared, nl()).unwrap();
        assert!(matches!(
            store.update_contact(id, &full(), nl()),
            Err(StoreError::ReadOnly(_))
        ));
        assert!(matches!(
            store.delete_contact(id),
            Err(StoreError::ReadOnly(_))
        ));
        store.set_favourite(id, false).unwrap();
        store.set_blocked(id, false).unwrap();
        let got = store.contact(id).unwrap().unwrap();
        assert!(!got.fields.favourite && !got.fields.blocked);
        assert_eq!(got.fields.source, Source::Shared);
        assert!(matches!(
            store.set_blocked(ContactId(9999), true),
            Err(StoreError::NotFound(_))
        ));
    }
}
