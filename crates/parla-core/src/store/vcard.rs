//! vCard import (2.1, 3.0 and 4.0) and export (3.0 or 4.0).
//!
//! Parsing and writing are the `calcard` crate's (Stalwart Labs, the vCard/iCalendar code of
//! a CardDAV server): it unfolds and folds lines, unescapes and escapes `\,` `\;` `\n`,
//! splits structured values (N, ADR, ORG), and decodes 2.1's QUOTED-PRINTABLE and
//! CHARSET. We split the file into cards ourselves first, so that a card missing its
//! `END:VCARD` is reported with its line and cannot swallow the cards after it.
//!
//! Fields read: N (else FN split at the last space), ORG, TEL with TYPE (cell → mobile, work,
//! home, else other), EMAIL, the first ADR, NOTE. Up to 3 numbers and 3 emails are taken, in
//! file order. A card needs a phone number and a name or company. As with CSV: every card is
//! checked and reported ("card 3: no phone number"), then the accepted ones are written in ONE
//! transaction; cards already in the contacts (same name and number) are refused as duplicates.

use std::io::{Read, Write};
use std::path::Path;

use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty,
    VCardType, VCardValue,
};
use calcard::Entry;

use super::contacts::{Address, ContactFields, ContactId, Phone, PhoneLabel};
use super::export_csv::ExportError;
use super::import_csv::{
    looks_like_email, ImportError, ImportReport, ParsedImport, RowKind, RowOutcome, RowProblem,
    RowRefusal, RowReport, MAX_FIELD_BYTES, MAX_FILE_BYTES,
};
use super::numbers::Region;
use super::search::SearchFilter;
use super::{Store, MAX_EMAILS, MAX_PHONES};

/// A card larger than this (a big PHOTO, say) is refused.
pub const MAX_CARD_BYTES: usize = 1024 * 1024;

/// Which vCard version an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VCardVersion {
    /// RFC 2426, what most address books and phones read.
    #[default]
    V3,
    /// RFC 6350.
    V4,
}

impl Store {
    /// Imports contacts from a vCard file (`.vcf`, one or many cards) as personal contacts;
    /// see the module documentation.
    pub fn import_vcard(
        &mut self,
        path: &Path,
        region: Region,
    ) -> Result<ImportReport, ImportError> {
        let bytes = read_bounded(path)?;
        self.import_vcard_bytes(&bytes, region)
    }

    /// Like [`Store::import_vcard`], from bytes already in memory.
    pub fn import_vcard_bytes(
        &mut self,
        bytes: &[u8],
        region: Region,
    ) -> Result<ImportReport, ImportError> {
        let mut parsed = parse_vcards(bytes)?;
        self.commit_accepted(
            &mut parsed.report.rows,
            &parsed.accepted,
            region,
            "vCard import",
        )?;
        Ok(parsed.report)
    }

    /// Writes the contacts within `filter` as vCards, sorted by last name; returns how many
    /// were written. Importing the file gives the same contacts back (favourite and blocked
    /// marks are not exported).
    pub fn export_vcard(
        &self,
        filter: SearchFilter,
        version: VCardVersion,
        mut out: impl Write,
    ) -> Result<usize, ExportError> {
        let contacts = self.search("", filter, usize::MAX)?;
        let mut text = String::new();
        for c in &contacts {
            text.clear();
            let version = match version {
                VCardVersion::V3 => calcard::vcard::VCardVersion::V3_0,
                VCardVersion::V4 => calcard::vcard::VCardVersion::V4_0,
            };
            to_vcard(&c.fields, c.id)
                .write_to(&mut text, version)
                .map_err(|_| std::io::Error::other("formatting a vCard failed"))?;
            out.write_all(text.as_bytes())?;
        }
        out.flush()?;
        Ok(contacts.len())
    }
}

/// Reads a whole import file, refusing anything but a file, and one over [`MAX_FILE_BYTES`]
/// before reading it (and bounding the read should it grow meanwhile).
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, ImportError> {
    let read_err = |source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if !meta.is_file() {
        return Err(read_err(std::io::Error::other("not a file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { size: meta.len() });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

/// Reads and checks every card of a vCard file; writes nothing.
pub(crate) fn parse_vcards(bytes: &[u8]) -> Result<ParsedImport, ImportError> {
    let text = super::import_csv::import_text(bytes)?;
    let chunks = split_cards(text);
    if chunks.is_empty() {
        return Err(ImportError::NotVCard);
    }
    let mut rows = Vec::with_capacity(chunks.len());
    let mut accepted = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let result = if !chunk.terminated {
            Err(RowProblem::CardNotEnded(chunk.begin_line).into())
        } else if chunk.text.len() > MAX_CARD_BYTES {
            Err(RowProblem::CardTooLarge(chunk.text.len()).into())
        } else {
            read_card(chunk.text)
        };
        let outcome = match result {
            Ok(fields) => {
                accepted.push((rows.len(), fields));
                RowOutcome::Accepted(ContactId(0))
            }
            Err(why) => RowOutcome::Refused(why.to_string()),
        };
        rows.push(RowReport {
            row: i as u64 + 1,
            kind: RowKind::Card,
            outcome,
        });
    }
    Ok(ParsedImport {
        report: ImportReport {
            rows,
            ignored_columns: Vec::new(),
            separator: ',',
        },
        accepted,
    })
}

/// One `BEGIN:VCARD` .. `END:VCARD` stretch of the file.
#[derive(Debug)]
struct Chunk<'a> {
    text: &'a str,
    begin_line: u64,
    terminated: bool,
}

/// Splits the file at `BEGIN:VCARD` / `END:VCARD` lines (a folded continuation line starts
/// with a space or tab, so it can never be one). Text outside cards is ignored.
fn split_cards(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut open: Option<(usize, u64)> = None;
    let mut offset = 0usize;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare.starts_with([' ', '\t']) {
            continue;
        }
        let bare = bare.trim();
        if bare.eq_ignore_ascii_case("BEGIN:VCARD") {
            if let Some((from, begin_line)) = open.take() {
                chunks.push(Chunk {
                    text: &text[from..start],
                    begin_line,
                    terminated: false,
                });
            }
            open = Some((start, n as u64 + 1));
        } else if bare.eq_ignore_ascii_case("END:VCARD") {
            if let Some((from, begin_line)) = open.take() {
                chunks.push(Chunk {
                    text: &text[from..offset],
                    begin_line,
                    terminated: true,
                });
            }
        }
    }
    if let Some((from, begin_line)) = open {
        chunks.push(Chunk {
            text: &text[from..],
            begin_line,
            terminated: false,
        });
    }
    chunks
}

/// Checks one card; `Err` holds every reason it is refused.
fn read_card(text: &str) -> Result<ContactFields, RowRefusal> {
    let card = match calcard::Parser::new(text).entry() {
        Entry::VCard(card) => card,
        Entry::InvalidLine(line) => return Err(RowProblem::InvalidLine(clip(&line)).into()),
        _ => return Err(RowProblem::NotACard.into()),
    };
    let fields = fields_from_vcard(&card);
    let mut why = Vec::new();
    let too_long = [
        &fields.first_name,
        &fields.last_name,
        &fields.company,
        &fields.notes,
        &fields.address.street,
        &fields.address.city,
        &fields.address.state,
        &fields.address.postal_code,
        &fields.address.country,
    ]
    .into_iter()
    .chain(fields.emails.iter())
    .chain(fields.phones.iter().map(|p| &p.number))
    .find(|f| f.len() > MAX_FIELD_BYTES);
    if let Some(long) = too_long {
        why.push(RowProblem::FieldTooLong(long.len()));
    }
    if fields.first_name.is_empty() && fields.last_name.is_empty() && fields.company.is_empty() {
        why.push(RowProblem::NoName);
    }
    if fields.phones.is_empty() {
        why.push(RowProblem::NoPhone);
    }
    for p in &fields.phones {
        if !p.number.bytes().any(|b| b.is_ascii_digit()) {
            why.push(RowProblem::PhoneWithoutDigits(clip(&p.number)));
        }
    }
    for e in &fields.emails {
        if !looks_like_email(e) {
            why.push(RowProblem::NotEmail(clip(e)));
        }
    }
    RowRefusal(why).or_ok(fields)
}

/// The fields Parla keeps, read from a parsed card.
pub(crate) fn fields_from_vcard(card: &VCard) -> ContactFields {
    let mut f = ContactFields::default();
    if let Some(n) = card.property(&VCardProperty::N) {
        f.last_name = component(n, 0);
        f.first_name = component(n, 1);
    }
    if f.first_name.is_empty() && f.last_name.is_empty() {
        if let Some(full) = card.property(&VCardProperty::Fn).map(|e| component(e, 0)) {
            match full.rsplit_once(' ') {
                Some((first, last)) => {
                    f.first_name = first.trim().to_string();
                    f.last_name = last.trim().to_string();
                }
                None => f.first_name = full,
            }
        }
    }
    if let Some(org) = card.property(&VCardProperty::Org) {
        f.company = component(org, 0);
    }
    for tel in card.properties(&VCardProperty::Tel) {
        let number = component(tel, 0);
        let number = number
            .strip_prefix("tel:")
            .or_else(|| number.strip_prefix("TEL:"))
            .unwrap_or(&number)
            .trim()
            .to_string();
        if !number.is_empty() && f.phones.len() < MAX_PHONES {
            f.phones.push(Phone::new(phone_label(tel), number));
        }
    }
    for email in card.properties(&VCardProperty::Email) {
        let address = component(email, 0);
        let address = address.strip_prefix("mailto:").unwrap_or(&address).trim();
        if !address.is_empty() && f.emails.len() < MAX_EMAILS {
            f.emails.push(address.to_string());
        }
    }
    if let Some(adr) = card.property(&VCardProperty::Adr) {
        f.address = Address {
            street: component(adr, 2),
            city: component(adr, 3),
            state: component(adr, 4),
            postal_code: component(adr, 5),
            country: component(adr, 6),
        };
    }
    f.notes = card
        .properties(&VCardProperty::Note)
        .map(|n| component(n, 0))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    f
}

/// The `i`-th `;`-separated part of a property's value, its `,`-separated items joined by
/// a space, trimmed.
fn component(entry: &VCardEntry, i: usize) -> String {
    match entry.values.get(i) {
        Some(VCardValue::Text(s)) => s.trim().to_string(),
        Some(VCardValue::Component(items)) => items
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn phone_label(tel: &VCardEntry) -> PhoneLabel {
    let mut label = PhoneLabel::Other;
    for p in tel
        .params
        .iter()
        .filter(|p| p.name == VCardParameterName::Type)
    {
        let this = match &p.value {
            VCardParameterValue::Type(VCardType::Cell) => PhoneLabel::Mobile,
            VCardParameterValue::Type(VCardType::Work) => PhoneLabel::Work,
            VCardParameterValue::Type(VCardType::Home) => PhoneLabel::Home,
            VCardParameterValue::Text(t) => match t.to_ascii_lowercase().as_str() {
                "mobile" | "iphone" | "cell" => PhoneLabel::Mobile,
                _ => PhoneLabel::Other,
            },
            _ => PhoneLabel::Other,
        };
        // `TYPE=work,cell` is a work mobile: mobile says more about how to reach them.
        if this == PhoneLabel::Mobile || label == PhoneLabel::Other {
            label = this;
        }
    }
    label
}

/// The card for a contact.
pub(crate) fn to_vcard(f: &ContactFields, id: ContactId) -> VCard {
    let text = |s: &str| VCardValue::Text(s.to_string());
    let mut entries = vec![
        VCardEntry::new(VCardProperty::Fn).with_value(f.display_name()),
        VCardEntry::new(VCardProperty::N).with_values(vec![
            text(&f.last_name),
            text(&f.first_name),
            text(""),
            text(""),
            text(""),
        ]),
    ];
    if !f.company.is_empty() {
        entries.push(VCardEntry::new(VCardProperty::Org).with_value(f.company.clone()));
    }
    for p in &f.phones {
        let typ = match p.label {
            PhoneLabel::Work => Some(VCardType::Work),
            PhoneLabel::Mobile => Some(VCardType::Cell),
            PhoneLabel::Home => Some(VCardType::Home),
            PhoneLabel::Other => None,
        };
        let mut tel = VCardEntry::new(VCardProperty::Tel).with_value(p.number.clone());
        if let Some(typ) = typ {
            tel = tel.with_param(VCardParameter::typ(typ));
        }
        entries.push(tel);
    }
    for e in &f.emails {
        entries.push(VCardEntry::new(VCardProperty::Email).with_value(e.clone()));
    }
    let a = &f.address;
    if [&a.street, &a.city, &a.state, &a.postal_code, &a.country]
        .iter()
        .any(|s| !s.is_empty())
    {
        entries.push(VCardEntry::new(VCardProperty::Adr).with_values(vec![
            text(""),
            text(""),
            text(&a.street),
            text(&a.city),
            text(&a.state),
            text(&a.postal_code),
            text(&a.country),
        ]));
    }
    if !f.notes.is_empty() {
        entries.push(VCardEntry::new(VCardProperty::Note).with_value(f.notes.clone()));
    }
    entries.push(VCardEntry::new(VCardProperty::Uid).with_value(format!("parla-contact-{id}")));
    VCard { entries }
}

/// At most 60 characters of `s`, for quoting bad input in a report.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
