//! CSV import of contacts.
//!
//! Header row required. Columns are matched by name, ignoring case, spaces and punctuation:
//! first name, last name and at least one phone column are required; up to three phones
//! (`phone`, `phone2`, `phone3`, `mobile`, `work phone`, `home phone`, ...), up to three emails
//! (`email`, `email2`, `email3`), `street`, `city`, `state`, `postal code`, `country`,
//! `company` and `notes` are optional; other columns are listed as ignored. UTF-8 with or
//! without BOM; comma, semicolon or tab separated (sniffed from the header line).
//!
//! A row with the same first and last name and a number already in the contacts (or earlier
//! in the file) is refused as a duplicate, so importing a file twice adds nothing.
//!
//! Every row is checked first and reported (accepted, or refused with a reason); then the
//! accepted rows are written in ONE transaction, so a failed or interrupted import leaves the
//! database exactly as it was.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use rusqlite::OptionalExtension;

use super::contacts::{
    analyse_phones, insert_analysed, Address, ContactFields, ContactId, Phone, PhoneLabel,
};
use super::numbers::{Analysed, Region};
use super::{Store, StoreError, MAX_EMAILS, MAX_PHONES};

mod refusal;

pub(crate) use refusal::{RowProblem, RowRefusal};

/// Files larger than this are refused before reading.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// A row with a field longer than this (in bytes) is refused.
pub const MAX_FIELD_BYTES: usize = 8 * 1024;

/// Why a whole import was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the file is {size} bytes; an import can be at most {MAX_FILE_BYTES} bytes (50 MB)")]
    TooLarge { size: u64 },
    #[error(
        "the file is not UTF-8 text (invalid bytes on line {line}); \
         save it from the spreadsheet as \"CSV UTF-8\" and try again"
    )]
    NotUtf8 { line: u64 },
    #[error("the file is empty")]
    Empty,
    #[error("the file holds no vCard (no BEGIN:VCARD line)")]
    NotVCard,
    #[error("the header row has no column for: {}", .0.join(", "))]
    MissingColumns(Vec<&'static str>),
    #[error("cannot read the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("nothing was imported: {0}")]
    Store(#[from] StoreError),
}

/// What happened to one data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Accepted(ContactId),
    /// Refused, with the reason(s) in plain words.
    Refused(String),
}

/// What the numbers of a report count: CSV rows or vCards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowKind {
    #[default]
    Row,
    Card,
}

/// One data row's (or card's) outcome. For CSV, `row` is the line the row starts on, counting
/// the header as row 1 (as a spreadsheet numbers them); for vCard, the card's position in the
/// file (first card: 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub row: u64,
    pub kind: RowKind,
    pub outcome: RowOutcome,
}

impl fmt::Display for RowReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            RowKind::Row => "row",
            RowKind::Card => "card",
        };
        match &self.outcome {
            RowOutcome::Accepted(_) => write!(f, "{what} {}: imported", self.row),
            RowOutcome::Refused(why) => write!(f, "{what} {}: {why}", self.row),
        }
    }
}

/// The outcome of an import that ran: every data row, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: Vec<RowReport>,
    /// Header columns that were not used (unknown names, or a 4th phone or email).
    pub ignored_columns: Vec<String>,
    /// The separator found in the header line.
    pub separator: char,
}

impl ImportReport {
    pub fn accepted(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Accepted(_)))
            .count()
    }

    pub fn refused(&self) -> impl Iterator<Item = &RowReport> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Refused(_)))
    }
}

impl Store {
    /// Imports contacts from a CSV file as personal contacts; see the module documentation.
    pub fn import_csv(&mut self, path: &Path, region: Region) -> Result<ImportReport, ImportError> {
        let read_err = |source| ImportError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let size = file.metadata().map_err(read_err)?.len();
        if size > MAX_FILE_BYTES {
            return Err(ImportError::TooLarge { size });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // `take` bounds the read even if the file grows meanwhile.
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        self.import_csv_bytes(&bytes, region)
    }

    /// Like [`Store::import_csv`], from bytes already in memory.
    pub fn import_csv_bytes(
        &mut self,
        bytes: &[u8],
        region: Region,
    ) -> Result<ImportReport, ImportError> {
        let mut parsed = parse_csv(bytes)?;
        self.commit_accepted(
            &mut parsed.report.rows,
            &parsed.accepted,
            region,
            "CSV import",
        )?;
        Ok(parsed.report)
    }
}

/// An import file's bytes as text: bounded, UTF-8 (the line of the first bad byte named),
/// without a byte-order mark, not empty. Shared by the CSV and vCard imports.
pub(crate) fn import_text(bytes: &[u8]) -> Result<&str, ImportError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotUtf8 {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

/// Reads and checks a CSV file's rows (see the module documentation); writes nothing.
pub(crate) fn parse_csv(bytes: &[u8]) -> Result<ParsedImport, ImportError> {
    let text = import_text(bytes)?;
    let separator = sniff_separator(text);
    let open_quote = open_quote_line(text, separator);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(separator as u8)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = rdr.headers()?.clone();
    let (columns, ignored_columns) = map_columns(&header)?;

    let mut rows = Vec::new();
    let mut accepted = Vec::new();
    let mut records = rdr.into_records().peekable();
    // Row numbers are counted here: with CRLF endings the csv crate's own line numbers
    // lag by one (the `\n` of the previous row is read as the start of the next).
    let (mut counted_to, mut line) = (0usize, 1u64);
    while let Some(record) = records.next() {
        let record = record?;
        let mut start = record
            .position()
            .map_or(counted_to, |p| p.byte() as usize)
            .min(text.len());
        while text
            .as_bytes()
            .get(start)
            .is_some_and(|&b| b == b'\n' || b == b'\r')
        {
            start += 1;
        }
        if start > counted_to {
            line += text.as_bytes()[counted_to..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            counted_to = start;
        }
        let row = line;
        let is_last = records.peek().is_none();
        let result = if is_last && open_quote.is_some() {
            Err(RowProblem::UnclosedQuote(open_quote.unwrap_or(row)).into())
        } else {
            read_row(&record, header.len(), &columns)
        };
        match result {
            Ok(fields) => {
                accepted.push((rows.len(), fields));
                rows.push(RowReport {
                    row,
                    kind: RowKind::Row,
                    outcome: RowOutcome::Accepted(ContactId(0)),
                });
            }
            Err(why) => rows.push(RowReport {
                row,
                kind: RowKind::Row,
                outcome: RowOutcome::Refused(why.to_string()),
            }),
        }
    }

    Ok(ParsedImport {
        report: ImportReport {
            rows,
            ignored_columns,
            separator,
        },
        accepted,
    })
}

/// A file read and checked, nothing written yet: the report (accepted rows still carry
/// `ContactId(0)`) and the accepted contacts, each with the index of its report.
#[derive(Debug)]
pub(crate) struct ParsedImport {
    pub report: ImportReport,
    pub accepted: Vec<(usize, ContactFields)>,
}

impl Store {
    /// Writes the `accepted` contacts (each with the index of its report in `rows`) in ONE
    /// transaction, refusing duplicates of contacts already there, and fills in the outcomes.
    pub(crate) fn commit_accepted(
        &mut self,
        rows: &mut [RowReport],
        accepted: &[(usize, ContactFields)],
        region: Region,
        what: &str,
    ) -> Result<(), ImportError> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let mut duplicates = 0usize;
        for (i, fields) in accepted {
            let analysed = analyse_phones(fields, region);
            let Some(report) = rows.get_mut(*i) else {
                continue;
            };
            if let Some(existing) = find_duplicate(&tx, fields, &analysed)? {
                duplicates += 1;
                report.outcome = RowOutcome::Refused(RowProblem::Duplicate(existing).to_string());
                continue;
            }
            let id = insert_analysed(&tx, fields, &analysed)?;
            report.outcome = RowOutcome::Accepted(id);
        }
        tx.commit().map_err(StoreError::from)?;
        tracing::info!(
            accepted = accepted.len() - duplicates,
            duplicates,
            rows = rows.len(),
            "{what}"
        );
        Ok(())
    }
}

/// A contact with the same first and last name (ignoring ASCII case) sharing one of the
/// numbers of `fields`, so that importing the same file twice adds nothing.
fn find_duplicate(
    conn: &rusqlite::Connection,
    fields: &ContactFields,
    analysed: &[Analysed],
) -> Result<Option<ContactId>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
         WHERE (p.e164 = ?3 OR p.digits = ?4)
           AND c.first_name = ?1 COLLATE NOCASE AND c.last_name = ?2 COLLATE NOCASE
         LIMIT 1",
    )?;
    for (phone, a) in fields.phones.iter().zip(analysed) {
        let id: Option<i64> = stmt
            .query_row(
                rusqlite::params![
                    fields.first_name,
                    fields.last_name,
                    a.e164,
                    super::numbers::digits(&phone.number)
                ],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = id {
            return Ok(Some(ContactId(id)));
        }
    }
    Ok(None)
}

/// Where each known field is in a row.
#[derive(Debug, Default)]
struct Columns {
    first: usize,
    last: usize,
    phones: Vec<(usize, PhoneLabel)>,
    /// The label column of the 1st, 2nd and 3rd phone column, if the file has one.
    phone_labels: [Option<usize>; MAX_PHONES],
    emails: Vec<usize>,
    street: Option<usize>,
    city: Option<usize>,
    state: Option<usize>,
    postal_code: Option<usize>,
    country: Option<usize>,
    company: Option<usize>,
    notes: Option<usize>,
}

enum Kind {
    First,
    Last,
    Phone(PhoneLabel),
    /// The label (`work`, `mobile`, `home`, `other`) of the n-th phone column.
    PhoneLabel(usize),
    Email,
    Street,
    City,
    State,
    PostalCode,
    Country,
    Company,
    Notes,
}

fn kind_of(header: &str) -> Option<Kind> {
    let key: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "firstname" | "first" | "givenname" | "forename" => Kind::First,
        "lastname" | "last" | "surname" | "familyname" => Kind::Last,
        "phone" | "phone1" | "phone2" | "phone3" | "phonenumber" | "phonenumber1"
        | "phonenumber2" | "phonenumber3" | "telephone" | "tel" | "number" => {
            Kind::Phone(PhoneLabel::Other)
        }
        "phonelabel" | "phone1label" | "phonetype" | "phone1type" => Kind::PhoneLabel(0),
        "phone2label" | "phone2type" => Kind::PhoneLabel(1),
        "phone3label" | "phone3type" => Kind::PhoneLabel(2),
        "mobile" | "mobilephone" | "cell" | "cellphone" => Kind::Phone(PhoneLabel::Mobile),
        "work" | "workphone" | "businessphone" | "officephone" => Kind::Phone(PhoneLabel::Work),
        "home" | "homephone" => Kind::Phone(PhoneLabel::Home),
        "email" | "email1" | "email2" | "email3" | "emailaddress" | "emailaddress1"
        | "emailaddress2" | "emailaddress3" | "mail" => Kind::Email,
        "street" | "address" | "streetaddress" => Kind::Street,
        "city" | "town" => Kind::City,
        "state" | "province" | "region" => Kind::State,
        "postalcode" | "postcode" | "zip" | "zipcode" => Kind::PostalCode,
        "country" => Kind::Country,
        "company" | "organisation" | "organization" | "org" => Kind::Company,
        "notes" | "note" | "comments" | "comment" => Kind::Notes,
        _ => return None,
    })
}

fn map_columns(header: &StringRecord) -> Result<(Columns, Vec<String>), ImportError> {
    let mut c = Columns::default();
    let (mut first, mut last) = (None, None);
    let mut ignored = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let slot: Option<&mut Option<usize>> = match kind_of(name) {
            Some(Kind::First) => Some(&mut first),
            Some(Kind::Last) => Some(&mut last),
            Some(Kind::Street) => Some(&mut c.street),
            Some(Kind::City) => Some(&mut c.city),
            Some(Kind::State) => Some(&mut c.state),
            Some(Kind::PostalCode) => Some(&mut c.postal_code),
            Some(Kind::Country) => Some(&mut c.country),
            Some(Kind::Company) => Some(&mut c.company),
            Some(Kind::Notes) => Some(&mut c.notes),
            Some(Kind::PhoneLabel(n)) => c.phone_labels.get_mut(n),
            Some(Kind::Phone(label)) if c.phones.len() < MAX_PHONES => {
                c.phones.push((i, label));
                continue;
            }
            Some(Kind::Email) if c.emails.len() < MAX_EMAILS => {
                c.emails.push(i);
                continue;
            }
            _ => None,
        };
        match slot {
            Some(s) if s.is_none() => *s = Some(i),
            _ => ignored.push(name.trim().to_string()),
        }
    }
    let mut missing = Vec::new();
    if first.is_none() {
        missing.push("first name");
    }
    if last.is_none() {
        missing.push("last name");
    }
    if c.phones.is_empty() {
        missing.push("phone");
    }
    match (first, last) {
        (Some(f), Some(l)) if missing.is_empty() => {
            c.first = f;
            c.last = l;
            Ok((c, ignored))
        }
        _ => Err(ImportError::MissingColumns(missing)),
    }
}

/// Checks one data row; `Err` holds every reason it is refused.
fn read_row(
    record: &StringRecord,
    header_len: usize,
    c: &Columns,
) -> Result<ContactFields, RowRefusal> {
    let extra_filled = record.iter().skip(header_len).any(|f| !f.trim().is_empty());
    if record.len() < header_len || extra_filled {
        return Err(RowProblem::FieldCount {
            got: record.len(),
            expected: header_len,
        }
        .into());
    }
    if let Some(long) = record.iter().find(|f| f.len() > MAX_FIELD_BYTES) {
        return Err(RowProblem::FieldTooLong(long.len()).into());
    }
    let get = |i: usize| record.get(i).unwrap_or("").trim().to_string();
    let opt = |i: Option<usize>| i.map(get).unwrap_or_default();
    let fields = ContactFields {
        first_name: get(c.first),
        last_name: get(c.last),
        company: opt(c.company),
        phones: c
            .phones
            .iter()
            .zip(c.phone_labels)
            .map(|(&(i, label), label_column)| {
                let label = label_column
                    .map(get)
                    .filter(|l| !l.is_empty())
                    .map_or(label, |l| PhoneLabel::from_str_lossy(&l));
                Phone::new(label, get(i))
            })
            .filter(|p| !p.number.is_empty())
            .collect(),
        emails: c
            .emails
            .iter()
            .map(|&i| get(i))
            .filter(|e| !e.is_empty())
            .collect(),
        address: Address {
            street: opt(c.street),
            city: opt(c.city),
            state: opt(c.state),
            postal_code: opt(c.postal_code),
            country: opt(c.country),
        },
        notes: opt(c.notes),
        ..Default::default()
    };
    let mut why = Vec::new();
    if fields.first_name.is_empty() {
        why.push(RowProblem::NoFirstName);
    }
    if fields.last_name.is_empty() {
        why.push(RowProblem::NoLastName);
    }
    if fields.phones.is_empty() {
        why.push(RowProblem::NoPhone);
    }
    for p in &fields.phones {
        if !p.number.bytes().any(|b| b.is_ascii_digit()) {
            why.push(RowProblem::PhoneWithoutDigits(p.number.clone()));
        }
    }
    for e in &fields.emails {
        if !looks_like_email(e) {
            why.push(RowProblem::NotEmail(e.clone()));
        }
    }
    RowRefusal(why).or_ok(fields)
}

/// `local@domain`: one `@`, something on each side, no spaces. Deliberately loose.
pub(crate) fn looks_like_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !e.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The separator of the header line: whichever of `,` `;` and tab occurs most outside quotes
/// (comma on a tie).
fn sniff_separator(text: &str) -> char {
    let line = text.lines().next().unwrap_or("");
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for ch in line.chars() {
        if ch == '"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in &mut counts {
                if ch == *sep {
                    *n += 1;
                }
            }
        }
    }
    let mut best = counts[0];
    for c in &counts[1..] {
        if c.1 > best.1 {
            best = *c;
        }
    }
    best.0
}

/// The line on which a quoted field opens and never closes, if any (RFC 4180 quoting: a
/// quote only opens a field at its start; `""` inside is an escaped quote).
fn open_quote_line(text: &str, sep: char) -> Option<u64> {
    let mut line = 1u64;
    let mut at_start = true;
    let mut open_at: Option<u64> = None;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if open_at.is_some() {
            if ch == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    open_at = None;
                }
            }
        } else if at_start && ch == '"' {
            open_at = Some(line);
        }
        if ch == '\n' {
            line += 1;
        }
        if open_at.is_none() {
            at_start = ch == sep || ch == '\n' || ch == '\r';
        } else {
            at_start = false;
        }
    }
    open_at
}

#[cfg(test)]
mod tests;
