//! Why one CSV row or vCard is refused, in plain words: a row can fail several checks at once,
//! and the report shows them all, joined by "; ".

use std::fmt;

use super::MAX_FIELD_BYTES;
use crate::store::contacts::ContactId;
use crate::store::vcard::MAX_CARD_BYTES;

/// One reason a row or card is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RowProblem {
    #[error(
        "has {got} fields but the header has {expected} \
         (a separator too many or too few, or a misplaced quote?)"
    )]
    FieldCount { got: usize, expected: usize },
    #[error("a field is {0} bytes long; the limit is {MAX_FIELD_BYTES}")]
    FieldTooLong(usize),
    #[error(
        "a quote opened on line {0} is never closed, so the rest of the file was read as one field"
    )]
    UnclosedQuote(u64),
    #[error("no first name")]
    NoFirstName,
    #[error("no last name")]
    NoLastName,
    /// A card with neither a name nor a company.
    #[error("no name")]
    NoName,
    #[error("no phone number")]
    NoPhone,
    #[error("phone number {0:?} has no digits")]
    PhoneWithoutDigits(String),
    #[error("{0:?} is not an email address")]
    NotEmail(String),
    #[error("already in the contacts (same name and number as contact {0})")]
    Duplicate(ContactId),
    #[error("BEGIN:VCARD on line {0} has no END:VCARD")]
    CardNotEnded(u64),
    #[error("the card is {0} bytes; the limit is {MAX_CARD_BYTES}")]
    CardTooLarge(usize),
    #[error("cannot be read: invalid line {0:?}")]
    InvalidLine(String),
    #[error("cannot be read as a vCard")]
    NotACard,
}

/// Every reason a row or card is refused (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RowRefusal(pub Vec<RowProblem>);

impl fmt::Display for RowRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RowRefusal {}

impl From<RowProblem> for RowRefusal {
    fn from(problem: RowProblem) -> Self {
        RowRefusal(vec![problem])
    }
}

impl RowRefusal {
    /// `Ok(value)` when nothing was found wrong, else the refusal.
    pub(crate) fn or_ok<T>(self, value: T) -> Result<T, RowRefusal> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}
