//! CSV export of contacts (columns the CSV import reads back) and of the call history.

use std::io::Write;

use super::history::{unix_ms, HistoryFilter};
use super::search::SearchFilter;
use super::{rfc3339_utc, Store, StoreError, MAX_EMAILS, MAX_PHONES};

/// Why an export stopped. What was written before the error may be incomplete.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot read the database: {0}")]
    Store(#[from] StoreError),
}

/// The contact export's header: every name is one the import recognises.
pub const CONTACT_CSV_HEADER: [&str; 18] = [
    "First Name",
    "Last Name",
    "Company",
    "Phone 1",
    "Phone 1 Label",
    "Phone 2",
    "Phone 2 Label",
    "Phone 3",
    "Phone 3 Label",
    "Email 1",
    "Email 2",
    "Email 3",
    "Street",
    "City",
    "State",
    "Postal Code",
    "Country",
    "Notes",
];

const HISTORY_CSV_HEADER: [&str; 12] = [
    "Started",
    "Direction",
    "Line",
    "Name",
    "Number",
    "Remote URI",
    "Answered",
    "Ended",
    "Duration (s)",
    "Result",
    "Reason",
    "Display Name",
];

impl Store {
    /// Writes the contacts within `filter` as CSV (UTF-8, comma separated, header row),
    /// sorted by last name; returns how many were written. Importing the file gives the same
    /// contacts back (favourite and blocked marks are not exported).
    pub fn export_contacts_csv(
        &self,
        filter: SearchFilter,
        out: impl Write,
    ) -> Result<usize, ExportError> {
        let contacts = self.search("", filter, usize::MAX)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CONTACT_CSV_HEADER)?;
        for c in &contacts {
            let f = &c.fields;
            let mut record: Vec<&str> = vec![&f.first_name, &f.last_name, &f.company];
            for i in 0..MAX_PHONES {
                match f.phones.get(i) {
                    Some(p) => record.extend([p.number.as_str(), p.label.as_str()]),
                    None => record.extend(["", ""]),
                }
            }
            for i in 0..MAX_EMAILS {
                record.push(f.emails.get(i).map_or("", String::as_str));
            }
            let a = &f.address;
            record.extend([
                a.street.as_str(),
                &a.city,
                &a.state,
                &a.postal_code,
                &a.country,
                &f.notes,
            ]);
            w.write_record(&record)?;
        }
        w.flush()?;
        Ok(contacts.len())
    }

    /// Writes the whole call history as CSV, newest first (times in UTC, RFC 3339); returns
    /// how many calls were written.
    pub fn export_history_csv(&self, out: impl Write) -> Result<usize, ExportError> {
        let entries = self.history(HistoryFilter::All, "", usize::MAX)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HISTORY_CSV_HEADER)?;
        for e in &entries {
            let c = &e.call;
            w.write_record([
                rfc3339_utc(unix_ms(c.started)).as_str(),
                c.direction.as_str(),
                &c.account,
                &e.name,
                &c.number,
                &c.remote_uri,
                &c.answered
                    .map(|t| rfc3339_utc(unix_ms(t)))
                    .unwrap_or_default(),
                &rfc3339_utc(unix_ms(c.ended)),
                &c.duration().as_secs().to_string(),
                c.result.as_str(),
                &c.reason,
                &c.display_name,
            ])?;
        }
        w.flush()?;
        Ok(entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        Address, ContactFields, Phone, PhoneLabel, Region, RowOutcome, SearchFilter, Store,
    };

    fn nl() -> Region {
        "NL".parse().unwrap()
    }

    #[test]
    fn contacts_csv_round_trips_through_the_import() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.db")).unwrap().store;
        let full = ContactFields {
            first_name: "Zoë".into(),
            last_name: "van der Berg".into(),
            company: "Acme, \"B.V.\"".into(),
            phones: vec![
                Phone::new(PhoneLabel::Work, "+31 20 123 4567"),
                Phone::new(PhoneLabel::Mobile, "06-12345678"),
                Phone::new(PhoneLabel::Home, "201"),
            ],
            emails: vec!["a@x.nl".into(), "b@x.nl".into(), "c@x.nl".into()],
            address: Address {
                street: "Keizersgracht 1".into(),
                city: "Amsterdam".into(),
                state: "NH".into(),
                postal_code: "1015 AA".into(),
                country: "NL".into(),
            },
            notes: "two\nlines; with, separators".into(),
            ..Default::default()
        };
        let short = ContactFields {
            first_name: "Piet".into(),
            last_name: "Bos".into(),
            phones: vec![Phone::new(PhoneLabel::Other, "0101234567")],
            ..Default::default()
        };
        store.add_contact(&full, nl()).unwrap();
        store.add_contact(&short, nl()).unwrap();
        let original: Vec<ContactFields> = store
            .search("", SearchFilter::All, 10)
            .unwrap()
            .into_iter()
            .map(|c| c.fields)
            .collect();

        let mut out = Vec::new();
        assert_eq!(
            store
                .export_contacts_csv(SearchFilter::All, &mut out)
                .unwrap(),
            2
        );
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("First Name,Last Name,Company,Phone 1,Phone 1 Label,"));

        let mut fresh = Store::open(&dir.path().join("b.db")).unwrap().store;
        let report = fresh.import_csv_bytes(&out, nl()).unwrap();
        assert!(report.ignored_columns.is_empty(), "{report:?}");
        assert!(report
            .rows
            .iter()
            .all(|r| matches!(r.outcome, RowOutcome::Accepted(_))));
        let back: Vec<ContactFields> = fresh
            .search("", SearchFilter::All, 10)
            .unwrap()
            .into_iter()
            .map(|c| c.fields)
            .collect();
        assert_eq!(back, original);

        // The filter applies.
        store.set_favourite(back_id(&store, "Piet"), true).unwrap();
        let mut favs = Vec::new();
        assert_eq!(
            store
                .export_contacts_csv(SearchFilter::Favourites, &mut favs)
                .unwrap(),
            1
        );
    }

    fn back_id(store: &Store, first: &str) -> super::super::ContactId {
        store.search(first, SearchFilter::All, 1).unwrap()[0].id
    }
}
