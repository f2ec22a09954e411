//! Adding or editing a personal contact, with a message next to what is wrong.

use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, Glyph, Press};
use iced::widget::{column, container, pick_list, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::api::{ContactEntry, RequestId};
use parla_core::store::{Address, ContactFields, ContactId, Phone, PhoneLabel};
use parla_core::Command;

const SLOTS: usize = 3;
const MAX_FIELD: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    First,
    Last,
    Company,
    Phone(usize),
    Email(usize),
    Street,
    City,
    State,
    Postal,
    Country,
    Notes,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Edit(Field, String),
    Label(usize, LabelItem),
    /// Shows one more phone number or email slot.
    More(Slot),
    Save,
    Cancel,
}

/// The repeated fields: phone numbers and email addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Phone,
    Email,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelItem {
    label: PhoneLabel,
    text: String,
}

impl std::fmt::Display for LabelItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContactForm {
    pub editing: Option<ContactId>,
    pub first: String,
    pub last: String,
    pub company: String,
    pub phones: [(PhoneLabel, String); SLOTS],
    pub emails: [String; SLOTS],
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal: String,
    pub country: String,
    pub notes: String,
    /// Translated messages, by field (`None`: about the whole contact).
    pub problems: Vec<(Option<Field>, String)>,
    /// Phone and email slots shown beyond the filled ones ("Add number", "Add email").
    more_phones: usize,
    more_emails: usize,
}

impl ContactForm {
    pub fn from_contact(contact: &ContactEntry) -> Self {
        let f = &contact.fields;
        let mut form = ContactForm {
            editing: Some(contact.id),
            first: f.first_name.clone(),
            last: f.last_name.clone(),
            company: f.company.clone(),
            street: f.address.street.clone(),
            city: f.address.city.clone(),
            state: f.address.state.clone(),
            postal: f.address.postal_code.clone(),
            country: f.address.country.clone(),
            notes: f.notes.clone(),
            ..ContactForm::default()
        };
        for (slot, phone) in form.phones.iter_mut().zip(&f.phones) {
            *slot = (phone.label, phone.number.clone());
        }
        for (slot, email) in form.emails.iter_mut().zip(&f.emails) {
            *slot = email.clone();
        }
        form
    }

    fn slot(&mut self, field: Field) -> &mut String {
        match field {
            Field::First => &mut self.first,
            Field::Last => &mut self.last,
            Field::Company => &mut self.company,
            Field::Phone(i) => &mut self.phones[i.min(SLOTS - 1)].1,
            Field::Email(i) => &mut self.emails[i.min(SLOTS - 1)],
            Field::Street => &mut self.street,
            Field::City => &mut self.city,
            Field::State => &mut self.state,
            Field::Postal => &mut self.postal,
            Field::Country => &mut self.country,
            Field::Notes => &mut self.notes,
        }
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Edit(field, value) => {
                *self.slot(field) = value.chars().take(MAX_FIELD).collect();
                self.problems
                    .retain(|(f, _)| *f != Some(field) && f.is_some());
            }
            Msg::Label(i, item) => self.phones[i.min(SLOTS - 1)].0 = item.label,
            Msg::More(Slot::Phone) => self.more_phones = (self.phones_shown() + 1).min(SLOTS),
            Msg::More(Slot::Email) => self.more_emails = (self.emails_shown() + 1).min(SLOTS),
            Msg::Save | Msg::Cancel => {}
        }
    }

    /// The contact the form describes, or what is wrong with it (translation keys by field).
    pub fn fields(&self) -> Result<ContactFields, Vec<(Option<Field>, &'static str)>> {
        let mut problems = Vec::new();
        let mut phones = Vec::new();
        for (i, (label, number)) in self.phones.iter().enumerate() {
            let number = number.trim();
            if number.is_empty() {
                continue;
            }
            let phone_like = number.chars().any(|c| c.is_ascii_digit())
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-.()/*#".contains(c));
            if !phone_like {
                problems.push((Some(Field::Phone(i)), "contact-error-phone"));
            }
            phones.push(Phone::new(*label, number));
        }
        let mut emails = Vec::new();
        for (i, email) in self.emails.iter().enumerate() {
            let email = email.trim();
            if email.is_empty() {
                continue;
            }
            let valid = email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                && !email.chars().any(char::is_whitespace);
            if !valid {
                problems.push((Some(Field::Email(i)), "contact-error-email"));
            }
            emails.push(email.to_string());
        }
        let fields = ContactFields {
            first_name: self.first.trim().to_string(),
            last_name: self.last.trim().to_string(),
            company: self.company.trim().to_string(),
            phones,
            emails,
            address: Address {
                street: self.street.trim().to_string(),
                city: self.city.trim().to_string(),
                state: self.state.trim().to_string(),
                postal_code: self.postal.trim().to_string(),
                country: self.country.trim().to_string(),
            },
            notes: self.notes.trim().to_string(),
            ..ContactFields::default()
        };
        if fields.display_name().is_empty() && fields.phones.is_empty() {
            problems.push((None, "contact-error-empty"));
        }
        if problems.is_empty() {
            Ok(fields)
        } else {
            Err(problems)
        }
    }

    /// The command that saves the contact (the engine keeps an edited contact's favourite and
    /// blocked marks); `None`, with the problems shown, when the form is not right yet.
    pub fn save_command(&mut self, i18n: &I18n, request: Option<RequestId>) -> Option<Command> {
        match self.fields() {
            Ok(fields) => Some(Command::SaveContact {
                id: self.editing,
                contact: Box::new(fields),
                request,
            }),
            Err(problems) => {
                self.problems = problems
                    .into_iter()
                    .map(|(field, key)| (field, i18n.tr(key)))
                    .collect();
                None
            }
        }
    }

    /// How many phone slots the form shows: the filled ones, at least one, and one more after
    /// "Add number".
    fn phones_shown(&self) -> usize {
        let used = self
            .phones
            .iter()
            .rposition(|(_, n)| !n.is_empty())
            .map_or(0, |i| i + 1);
        used.max(self.more_phones).clamp(1, SLOTS)
    }

    fn emails_shown(&self) -> usize {
        let used = self
            .emails
            .iter()
            .rposition(|e| !e.is_empty())
            .map_or(0, |i| i + 1);
        used.max(self.more_emails).clamp(1, SLOTS)
    }

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let problem = |field: Field| {
            self.problems
                .iter()
                .find(|(f, _)| *f == Some(field))
                .map(|(_, m)| m.clone())
        };
        let input = |label: String, field: Field, value: &'a str| {
            let mut col = column![
                text(label).size(size::CAPTION).style(text::secondary),
                text_input("", value)
                    .on_input(move |v| Msg::Edit(field, v))
                    .size(size::BODY)
                    .padding(space::S)
            ]
            .spacing(space::XS);
            if let Some(message) = problem(field) {
                col = col.push(text(message).size(size::CAPTION).style(text::danger));
            }
            col
        };
        // A repeated field under its section's title: its name as the placeholder.
        let bare = |label: String, field: Field, value: &'a str| {
            let mut col = column![text_input(&label, value)
                .on_input(move |v| Msg::Edit(field, v))
                .size(size::BODY)
                .padding(space::S)]
            .spacing(space::XS);
            if let Some(message) = problem(field) {
                col = col.push(text(message).size(size::CAPTION).style(text::danger));
            }
            col
        };
        let labels: Vec<LabelItem> = [
            PhoneLabel::Work,
            PhoneLabel::Mobile,
            PhoneLabel::Home,
            PhoneLabel::Other,
        ]
        .into_iter()
        .map(|label| LabelItem {
            label,
            text: i18n.tr(&format!("label-{}", label.as_str())),
        })
        .collect();
        let name = column![
            row![
                input(i18n.tr("contact-first-name"), Field::First, &self.first),
                input(i18n.tr("contact-last-name"), Field::Last, &self.last),
            ]
            .spacing(space::S),
            input(i18n.tr("contact-company"), Field::Company, &self.company),
        ]
        .spacing(space::S);
        let mut phones = column![].spacing(space::S);
        for (i, (label, number)) in self.phones.iter().enumerate().take(self.phones_shown()) {
            let selected = labels.iter().find(|l| l.label == *label).cloned();
            phones = phones.push(
                row![
                    pick_list(labels.clone(), selected, move |item| Msg::Label(i, item))
                        .text_size(size::BODY)
                        .padding(space::S)
                        .width(110),
                    bare(i18n.tr("contact-phone"), Field::Phone(i), number).width(Length::Fill),
                ]
                .spacing(space::S)
                .align_y(Alignment::Start),
            );
        }
        if self.phones_shown() < SLOTS {
            phones = phones.push(
                action(Glyph::Add, i18n.tr("contact-add-phone"), Tone::Quiet)
                    .press(Msg::More(Slot::Phone)),
            );
        }
        let mut emails = column![].spacing(space::S);
        for (i, email) in self.emails.iter().enumerate().take(self.emails_shown()) {
            emails = emails.push(bare(i18n.tr("contact-email"), Field::Email(i), email));
        }
        if self.emails_shown() < SLOTS {
            emails = emails.push(
                action(Glyph::Add, i18n.tr("contact-add-email"), Tone::Quiet)
                    .press(Msg::More(Slot::Email)),
            );
        }
        let address = column![
            input(i18n.tr("contact-street"), Field::Street, &self.street),
            row![
                input(i18n.tr("contact-city"), Field::City, &self.city),
                input(i18n.tr("contact-state"), Field::State, &self.state),
            ]
            .spacing(space::S),
            row![
                input(i18n.tr("contact-postal-code"), Field::Postal, &self.postal),
                input(i18n.tr("contact-country"), Field::Country, &self.country),
            ]
            .spacing(space::S),
        ]
        .spacing(space::S);
        let form = column![
            text(i18n.tr(if self.editing.is_some() {
                "contact-edit-title"
            } else {
                "contact-new-title"
            }))
            .size(size::TITLE),
            section(None, name),
            section(Some(i18n.tr("contact-section-phones")), phones),
            section(Some(i18n.tr("contact-section-emails")), emails),
            section(Some(i18n.tr("contact-section-address")), address),
            section(
                None,
                input(i18n.tr("contact-notes"), Field::Notes, &self.notes)
            ),
        ]
        .spacing(space::M);
        let mut footer = column![].spacing(space::S);
        for (_, message) in self.problems.iter().filter(|(f, _)| f.is_none()) {
            footer = footer.push(text(message.clone()).size(size::BODY).style(text::danger));
        }
        footer = footer.push(
            row![
                action(Glyph::Save, i18n.tr("sign-in-save"), Tone::Accent).press(Msg::Save),
                action(Glyph::Close, i18n.tr("cancel"), Tone::Neutral).press(Msg::Cancel),
            ]
            .spacing(space::S),
        );
        // Save and Cancel stay in sight below the scrolling fields.
        column![
            scrollable(form.padding(iced::Padding::ZERO.right(space::M))).height(Length::Fill),
            footer,
        ]
        .spacing(space::M)
        .into()
    }
}

/// A group of fields on a card, with its title when it has one.
fn section<'a>(title: Option<String>, content: impl Into<Element<'a, Msg>>) -> Element<'a, Msg> {
    let mut inner = column![].spacing(space::S);
    if let Some(title) = title {
        inner = inner.push(text(title).size(size::BODY));
    }
    container(inner.push(content))
        .padding(space::M)
        .width(Length::Fill)
        .style(style::card)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_what_is_wrong() {
        let mut form = ContactForm::default();
        let problems = form.fields().expect_err("empty");
        assert_eq!(problems, vec![(None, "contact-error-empty")]);
        form.first = "Ada".into();
        form.phones[0].1 = "+31 6 1234 5678".into();
        form.phones[1].1 = "call me".into();
        form.emails[0] = "ada@example".into();
        let problems = form.fields().expect_err("bad phone and email");
        assert!(problems.contains(&(Some(Field::Phone(1)), "contact-error-phone")));
        assert!(problems.contains(&(Some(Field::Email(0)), "contact-error-email")));
        form.phones[1].1.clear();
        form.emails[0] = "ada@example.com".into();
        let fields = form.fields().expect("valid");
        assert_eq!(fields.phones.len(), 1);
        assert_eq!(fields.emails, vec!["ada@example.com"]);
    }

    #[test]
    fn saving_asks_the_engine_with_the_contact_being_edited() {
        let i18n = I18n::new(crate::i18n::Language::English);
        let mut form = ContactForm {
            first: "Ada".into(),
            ..ContactForm::default()
        };
        form.phones[0] = (PhoneLabel::Mobile, "06 12345678".into());
        let Some(Command::SaveContact {
            id,
            contact,
            request,
        }) = form.save_command(&i18n, Some(3))
        else {
            panic!("a valid form saves")
        };
        assert_eq!((id, request), (None, Some(3)));
        assert_eq!(contact.phones[0].number, "06 12345678");
        form.editing = Some(ContactId(9));
        form.phones[0].1 = "no number".into();
        assert!(form.save_command(&i18n, None).is_none());
        assert_eq!(form.problems.len(), 1, "the bad number is named");
        form.phones[0].1 = "06 12345678".into();
        let saved = form.save_command(&i18n, None);
        assert!(matches!(
            saved,
            Some(Command::SaveContact {
                id: Some(ContactId(9)),
                ..
            })
        ));
    }

    #[test]
    fn add_number_shows_one_more_slot_up_to_three() {
        let mut form = ContactForm::default();
        assert_eq!((form.phones_shown(), form.emails_shown()), (1, 1));
        form.phones[1].1 = "123".into();
        assert_eq!(form.phones_shown(), 2, "a filled slot stays in sight");
        form.update(Msg::More(Slot::Phone));
        form.update(Msg::More(Slot::Phone));
        assert_eq!(form.phones_shown(), SLOTS);
        form.update(Msg::More(Slot::Email));
        assert_eq!(form.emails_shown(), 2);
    }
}
