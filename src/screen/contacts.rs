//! Contacts: search as you type with filters, a contact card (call or write to any number or
//! SIP address, favourite, block, edit, delete), and the add/edit form (see contact_form.rs). The engine owns the
//! database: this screen sends commands with a `request` id and shows the answers that carry
//! the id it waits for (a slower answer to an older keystroke is dropped).

use super::contact_form::{self, ContactForm};
use super::lamps::{self, Presence};
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{
    action, avatar, empty_state, icon, icon_button, list_header, search_field, Glyph, Press,
};
use iced::widget::{button, column, pick_list, row, scrollable, text, Space};
use iced::{Alignment, Element, Length};
pub use import::ImportPanel;
use parla_core::api::{ContactEntry, ErrorKind, PresenceState, RequestId};
use parla_core::store::{ContactId, SearchFilter, Source};
use parla_core::{Command, Event};

mod card;
pub mod import;

/// How many contacts the list shows at once: enough to scroll, bounded for a huge directory.
const LIST_LIMIT: usize = 200;

/// A filter of the menu: the engine's (`SearchFilter`), or Online, which the engine does not
/// know: presence lives in the window (what `presence` events said), so Online searches all
/// contacts and the list keeps those available, away or busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterChoice {
    Engine(SearchFilter),
    Online,
}

impl FilterChoice {
    const ALL: [FilterChoice; 6] = [
        FilterChoice::Engine(SearchFilter::All),
        FilterChoice::Engine(SearchFilter::Favourites),
        FilterChoice::Online,
        FilterChoice::Engine(SearchFilter::Personal),
        FilterChoice::Engine(SearchFilter::Shared),
        FilterChoice::Engine(SearchFilter::Blocked),
    ];

    fn key(self) -> &'static str {
        match self {
            FilterChoice::Engine(SearchFilter::All) => "filter-all",
            FilterChoice::Engine(SearchFilter::Favourites) => "filter-favourites",
            FilterChoice::Engine(SearchFilter::Personal) => "filter-personal",
            FilterChoice::Engine(SearchFilter::Shared) => "filter-shared",
            FilterChoice::Engine(SearchFilter::Blocked) => "filter-blocked",
            FilterChoice::Online => "filter-online",
        }
    }
}

/// A filter with its translated name, for the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterItem {
    choice: FilterChoice,
    label: String,
}

impl FilterItem {
    /// An entry of the filter menu (its label is filled in by the view; tests need only this).
    #[cfg(test)]
    pub fn new(filter: SearchFilter) -> Self {
        FilterItem {
            choice: FilterChoice::Engine(filter),
            label: String::new(),
        }
    }

    /// The Online entry of the menu.
    #[cfg(test)]
    pub fn online() -> Self {
        FilterItem {
            choice: FilterChoice::Online,
            label: String::new(),
        }
    }
}

impl std::fmt::Display for FilterItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

#[derive(Debug, Default)]
pub struct Contacts {
    pub query: String,
    pub filter: SearchFilter,
    /// The Online filter: only contacts available, away or busy are listed (applied here,
    /// over the engine's answer for all contacts).
    pub online_only: bool,
    pub results: Vec<ContactEntry>,
    pub selected: Option<ContactEntry>,
    pub form: Option<ContactForm>,
    pub error: Option<String>,
    /// The search whose answer the list waits for.
    searching: Option<RequestId>,
    /// The card's re-read, and the form's save.
    reading: Option<RequestId>,
    saving: Option<RequestId>,
    /// The contact whose delete button was pressed once: the next press deletes it.
    confirming: Option<ContactId>,
    /// The import panel, opened by the Import button or a file dropped on the window.
    pub import: Option<ImportPanel>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Query(String),
    Filter(FilterItem),
    Open(ContactId),
    Back,
    Call(String),
    /// Write to a number or SIP address of the open card: the Chat tab opens on it.
    Message(String),
    Favourite(ContactId, bool),
    Block(ContactId, bool),
    New,
    Edit,
    /// Edit from the list, without opening the card first.
    EditContact(ContactId),
    /// The first press on a delete button: the second (`Delete`) deletes.
    AskDelete(ContactId),
    Delete(ContactId),
    /// Opens (or closes) the panel that imports a CSV or vCard file.
    Import,
    /// The import panel's field and buttons.
    ImportPanel(import::Msg),
    Form(contact_form::Msg),
    /// Watch a number or SIP address of the open card (a busy lamp on the default line).
    Watch(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    Dial(String),
    /// Commands for the engine (searches, edits).
    Send(Vec<Command>),
    /// Open the conversation with `to` (a number or `sip:` address), shown as `name`.
    Message {
        to: String,
        name: String,
    },
    /// Watch this number or address on the default line.
    Watch(String),
}

impl Contacts {
    /// Asks for the list again (after typing, a filter change, or a change in the contacts),
    /// and for the open card.
    pub fn refresh(&mut self, next_request: &mut impl FnMut() -> RequestId) -> Vec<Command> {
        let request = next_request();
        self.searching = Some(request);
        let mut commands = vec![Command::SearchContacts {
            query: self.query.clone(),
            filter: self.filter,
            limit: LIST_LIMIT,
            request: Some(request),
        }];
        if let Some(selected) = &self.selected {
            let request = next_request();
            self.reading = Some(request);
            commands.push(Command::GetContact {
                id: selected.id,
                request: Some(request),
            });
        }
        commands
    }

    pub fn update(
        &mut self,
        msg: Msg,
        i18n: &I18n,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Outcome {
        self.error = None;
        if !matches!(msg, Msg::AskDelete(_) | Msg::Delete(_)) {
            self.confirming = None;
        }
        match msg {
            Msg::Query(query) => {
                self.query = query.chars().take(100).collect();
                Outcome::Send(self.refresh(next_request))
            }
            Msg::Watch(entry) => Outcome::Watch(entry),
            Msg::Filter(item) => {
                (self.filter, self.online_only) = match item.choice {
                    FilterChoice::Engine(filter) => (filter, false),
                    FilterChoice::Online => (SearchFilter::All, true),
                };
                Outcome::Send(self.refresh(next_request))
            }
            Msg::Open(id) => {
                self.selected = self.results.iter().find(|c| c.id == id).cloned();
                Outcome::None
            }
            Msg::Back => {
                self.selected = None;
                self.form = None;
                Outcome::None
            }
            Msg::Call(number) => Outcome::Dial(number),
            Msg::Message(to) => Outcome::Message {
                to,
                name: self
                    .selected
                    .as_ref()
                    .map(|c| c.fields.display_name())
                    .unwrap_or_default(),
            },
            Msg::Favourite(id, on) => Outcome::Send(vec![Command::SetFavourite {
                id,
                on,
                request: Some(next_request()),
            }]),
            Msg::Block(id, on) => Outcome::Send(vec![Command::SetBlocked {
                id,
                on,
                request: Some(next_request()),
            }]),
            Msg::New => {
                self.form = Some(ContactForm::default());
                Outcome::None
            }
            Msg::Edit => {
                self.form = self.selected.as_ref().map(ContactForm::from_contact);
                Outcome::None
            }
            Msg::EditContact(id) => {
                self.form = self
                    .results
                    .iter()
                    .find(|c| c.id == id)
                    .map(ContactForm::from_contact);
                Outcome::None
            }
            Msg::AskDelete(id) => {
                self.confirming = Some(id);
                Outcome::None
            }
            Msg::Import => {
                self.import = match self.import.take() {
                    Some(_) => None,
                    None => Some(ImportPanel::default()),
                };
                Outcome::None
            }
            Msg::ImportPanel(msg) => {
                let Some(panel) = self.import.as_mut() else {
                    return Outcome::None;
                };
                match panel.update(msg, next_request) {
                    (_, true) => {
                        self.import = None;
                        Outcome::None
                    }
                    (Some(command), false) => Outcome::Send(vec![command]),
                    (None, false) => Outcome::None,
                }
            }
            Msg::Delete(id) => {
                self.confirming = None;
                self.selected = None;
                Outcome::Send(vec![Command::DeleteContact {
                    id,
                    request: Some(next_request()),
                }])
            }
            Msg::Form(contact_form::Msg::Cancel) => {
                self.form = None;
                Outcome::None
            }
            Msg::Form(contact_form::Msg::Save) => {
                let Some(form) = self.form.as_mut() else {
                    return Outcome::None;
                };
                match form.save_command(i18n, Some(next_request())) {
                    Some(command) => {
                        if let Command::SaveContact { request, .. } = &command {
                            self.saving = *request;
                        }
                        Outcome::Send(vec![command])
                    }
                    None => Outcome::None,
                }
            }
            Msg::Form(msg) => {
                if let Some(form) = self.form.as_mut() {
                    form.update(msg);
                }
                Outcome::None
            }
        }
    }

    /// Imports `path` (a file dropped on the window): the panel opens with it and waits for
    /// the answer.
    pub fn import_file(&mut self, path: std::path::PathBuf, request: RequestId) -> Command {
        let (panel, command) = ImportPanel::importing(path, request);
        self.import = Some(panel);
        command
    }

    /// Takes the engine's answers to this screen's requests; returns what to ask next.
    pub fn on_event(
        &mut self,
        event: &Event,
        i18n: &I18n,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Vec<Command> {
        if let Some(panel) = self.import.as_mut() {
            if panel.on_event(event, i18n) {
                return Vec::new();
            }
        }
        match event {
            Event::Contacts { request, contacts } if *request == self.searching => {
                self.searching = None;
                self.results = contacts.clone();
            }
            Event::Contact { request, contact } if *request == self.reading => {
                self.reading = None;
                self.selected = contact.as_deref().cloned();
            }
            Event::ContactSaved { request, id } if *request == self.saving => {
                self.saving = None;
                self.form = None;
                let request = next_request();
                self.reading = Some(request);
                return vec![Command::GetContact {
                    id: *id,
                    request: Some(request),
                }];
            }
            Event::ContactsChanged { .. } => return self.refresh(next_request),
            Event::Error {
                request: Some(request),
                kind,
                message,
                ..
            } if Some(*request) == self.saving => {
                self.saving = None;
                let text = match kind {
                    ErrorKind::InvalidContact => i18n.tr("error-invalid-contact"),
                    _ => crate::app::errors::describe(i18n, *kind, message),
                };
                if let Some(form) = self.form.as_mut() {
                    form.problems = vec![(None, text)];
                }
            }
            Event::Error {
                request: Some(request),
                kind,
                message,
                ..
            } if [self.searching, self.reading].contains(&Some(*request))
                || *kind == ErrorKind::NotFound =>
            {
                self.error = Some(crate::app::errors::describe(i18n, *kind, message));
            }
            _ => {}
        }
        Vec::new()
    }

    /// The contacts the list shows: the engine's answer, kept to those online under the
    /// Online filter.
    pub fn shown<'a>(&'a self, presence: &'a Presence) -> impl Iterator<Item = &'a ContactEntry> {
        self.results
            .iter()
            .filter(move |c| !self.online_only || presence.of_contact(c).is_some())
    }

    pub fn view<'a>(
        &'a self,
        i18n: &I18n,
        presence: &'a Presence,
        watched: &'a [String],
    ) -> Element<'a, Msg> {
        let body = if let Some(form) = &self.form {
            form.view(i18n).map(Msg::Form)
        } else if let Some(contact) = &self.selected {
            scrollable(card::card(
                contact,
                self.confirming == Some(contact.id),
                card::Lamps {
                    presence: presence.of_contact(contact),
                    watched,
                },
                i18n,
            ))
            .height(Length::Fill)
            .spacing(space::XS)
            .into()
        } else {
            self.list(i18n, presence)
        };
        let mut content = column![].spacing(space::S).padding(space::M);
        if let Some(panel) = &self.import {
            content = content.push(panel.view(i18n).map(Msg::ImportPanel));
        }
        if let Some(error) = &self.error {
            content = content.push(text(error.clone()).size(size::CAPTION).style(text::danger));
        }
        content.push(body).into()
    }

    fn list<'a>(&'a self, i18n: &I18n, presence: &'a Presence) -> Element<'a, Msg> {
        let filters: Vec<FilterItem> = FilterChoice::ALL
            .into_iter()
            .map(|choice| FilterItem {
                choice,
                label: i18n.tr(choice.key()),
            })
            .collect();
        let selected = filters
            .iter()
            .find(|f| match f.choice {
                FilterChoice::Online => self.online_only,
                FilterChoice::Engine(filter) => !self.online_only && filter == self.filter,
            })
            .cloned();
        let search = search_field(
            &i18n.tr("contacts-search"),
            &self.query,
            "contacts-search",
            Msg::Query,
        );
        let top = list_header(
            search,
            vec![
                pick_list(filters, selected, Msg::Filter)
                    .text_size(size::BODY)
                    .padding(space::S)
                    .width(Length::Fill)
                    .into(),
                action(Glyph::Add, i18n.tr("contacts-add"), Tone::Accent).press(Msg::New),
                icon_button(
                    Glyph::Import,
                    i18n.tr("contacts-import"),
                    Tone::Neutral,
                    Some(Msg::Import),
                ),
            ],
        );
        let content = column![top].spacing(space::M);
        if self.shown(presence).next().is_none() {
            let empty = if self.filter == SearchFilter::All
                && !self.online_only
                && self.query.trim().is_empty()
            {
                empty_state(
                    Glyph::Contacts,
                    i18n.tr("contacts-empty-title"),
                    i18n.tr("contacts-empty-hint"),
                    vec![
                        action(Glyph::Add, i18n.tr("contacts-add"), Tone::Accent).press(Msg::New),
                        action(Glyph::Import, i18n.tr("contacts-import"), Tone::Neutral)
                            .press(Msg::Import),
                    ],
                )
            } else {
                empty_state(
                    Glyph::Search,
                    i18n.tr("contacts-no-match-title"),
                    i18n.tr("contacts-no-match-hint"),
                    Vec::new(),
                )
            };
            return content.push(empty).into();
        }
        let list = column(self.shown(presence).map(|contact| {
            contact_row(
                contact,
                self.confirming == Some(contact.id),
                presence.of_contact(contact),
                i18n,
            )
        }))
        .spacing(2);
        content
            .push(scrollable(list).height(Length::Fill).spacing(space::XS))
            .into()
    }
}

/// Room for an action a row does not have, so the others stay in their columns.
const ICON_BUTTON: f32 = size::ICON + 2.0 * space::S;

/// One contact: avatar, name (a star when a favourite), first number, blocked mark, and its
/// actions as icons; the row opens the card.
fn contact_row<'a>(
    contact: &'a ContactEntry,
    confirming: bool,
    presence: Option<PresenceState>,
    i18n: &I18n,
) -> Element<'a, Msg> {
    let fields = &contact.fields;
    let id = contact.id;
    let name = fields.display_name();
    let number = fields.phones.first().map(|p| p.number.clone());
    let mut title = row![].spacing(space::XS).align_y(Alignment::Center);
    if let Some(state) = presence {
        title = title.push(lamps::dot(lamps::lamp_of(Some(state))));
    }
    title = title.push(
        text(name.clone())
            .size(size::BODY)
            .wrapping(text::Wrapping::None),
    );
    if fields.favourite {
        title = title.push(icon(Glyph::Favourite, size::CAPTION).style(text::warning));
    }
    let mut caption = row![].spacing(space::XS).align_y(Alignment::Center);
    if fields.blocked {
        caption = caption
            .push(icon(Glyph::Block, size::CAPTION).style(text::danger))
            .push(
                text(i18n.tr("contact-blocked"))
                    .size(size::CAPTION)
                    .style(text::danger),
            );
    }
    let detail = number.clone().unwrap_or_else(|| {
        if fields.company != name {
            fields.company.clone()
        } else {
            String::new()
        }
    });
    if !detail.is_empty() {
        caption = caption.push(
            text(detail)
                .size(size::CAPTION)
                .style(text::secondary)
                .wrapping(text::Wrapping::None),
        );
    }
    let personal = fields.source == Source::Personal;
    let slot = |element: Option<Element<'a, Msg>>| {
        element.unwrap_or_else(|| Space::new().width(ICON_BUTTON).into())
    };
    let actions = row![
        icon_button(
            Glyph::Call,
            i18n.tr("dialer-call"),
            Tone::Answer,
            number.map(Msg::Call),
        ),
        favourite_button(id, fields.favourite, i18n),
        slot(personal.then(|| {
            icon_button(
                Glyph::Edit,
                i18n.tr("edit"),
                Tone::Quiet,
                Some(Msg::EditContact(id)),
            )
        })),
        slot(personal.then(|| delete_button(id, confirming, i18n))),
    ]
    .spacing(space::XS)
    .align_y(Alignment::Center);
    button(
        row![
            avatar(&name, 36.0),
            column![title, caption]
                .spacing(2)
                .width(Length::Fill)
                .clip(true),
            actions,
        ]
        .spacing(space::M)
        .align_y(Alignment::Center),
    )
    .width(Length::Fill)
    .padding([space::S, space::S])
    .style(style::list_row)
    .press(Msg::Open(id))
}

/// The star: filled in the accent when a favourite; pressing it toggles.
fn favourite_button<'a>(id: ContactId, favourite: bool, i18n: &I18n) -> Element<'a, Msg> {
    let (label, tone) = if favourite {
        (i18n.tr("contact-unfavourite"), Tone::On)
    } else {
        (i18n.tr("contact-favourite"), Tone::Quiet)
    };
    icon_button(
        Glyph::Favourite,
        label,
        tone,
        Some(Msg::Favourite(id, !favourite)),
    )
}

/// Delete asks once: the first press turns the bin red, the second deletes.
fn delete_button<'a>(id: ContactId, confirming: bool, i18n: &I18n) -> Element<'a, Msg> {
    if confirming {
        icon_button(
            Glyph::Delete,
            i18n.tr("contact-delete-confirm"),
            Tone::HangUp,
            Some(Msg::Delete(id)),
        )
    } else {
        icon_button(
            Glyph::Delete,
            i18n.tr("remove"),
            Tone::Quiet,
            Some(Msg::AskDelete(id)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parla_core::store::ContactFields;

    fn ada(id: i64) -> ContactEntry {
        let fields = ContactFields {
            first_name: "Ada".into(),
            phones: vec![parla_core::store::Phone::new(
                parla_core::store::PhoneLabel::Work,
                "+31 20 123 4567",
            )],
            ..ContactFields::default()
        };
        ContactEntry {
            id: ContactId(id),
            name: fields.display_name(),
            fields,
        }
    }

    #[test]
    fn a_row_deletes_on_the_second_press_only() {
        let i18n = I18n::new(crate::i18n::Language::English);
        let mut next = 0;
        let mut next_request = || {
            next += 1;
            next
        };
        let mut contacts = Contacts {
            results: vec![ada(1), ada(2)],
            ..Contacts::default()
        };
        let first = contacts.update(Msg::AskDelete(ContactId(1)), &i18n, &mut next_request);
        assert_eq!(first, Outcome::None);
        assert_eq!(contacts.confirming, Some(ContactId(1)));
        // Anything else in between takes the question back.
        contacts.update(Msg::Import, &i18n, &mut next_request);
        assert_eq!(contacts.confirming, None);
        contacts.update(Msg::AskDelete(ContactId(1)), &i18n, &mut next_request);
        let second = contacts.update(Msg::Delete(ContactId(1)), &i18n, &mut next_request);
        assert!(matches!(
            second,
            Outcome::Send(ref c) if matches!(c[..], [Command::DeleteContact { id: ContactId(1), .. }])
        ));
        assert_eq!(contacts.confirming, None);
    }

    #[test]
    fn a_row_opens_the_form_for_its_contact() {
        let i18n = I18n::new(crate::i18n::Language::English);
        let mut next_request = || 1;
        let mut contacts = Contacts {
            results: vec![ada(1), ada(2)],
            ..Contacts::default()
        };
        contacts.update(Msg::EditContact(ContactId(2)), &i18n, &mut next_request);
        let form = contacts.form.as_ref().expect("the form is open");
        assert_eq!(form.editing, Some(ContactId(2)));
        assert_eq!(form.phones[0].1, "+31 20 123 4567");
        assert!(contacts.selected.is_none(), "cancel goes back to the list");
        contacts.update(Msg::Import, &i18n, &mut next_request);
        assert!(contacts.import.is_some());
        contacts.update(Msg::Import, &i18n, &mut next_request);
        assert!(contacts.import.is_none());
    }
}
