//! Contacts: search as you type with filters, a contact card (call any number, favourite,
//! block, edit, delete), and the add/edit form (see contact_form.rs). The engine owns the
//! database: this screen sends commands with a `request` id and shows the answers that carry
//! the id it waits for (a slower answer to an older keystroke is dropped).

use super::contact_form::{self, ContactForm};
use crate::i18n::I18n;
use iced::widget::{button, column, container, pick_list, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::api::{ContactEntry, ErrorKind, RequestId};
use parla_core::store::{ContactId, SearchFilter, Source};
use parla_core::{Command, Event};

/// How many contacts the list shows at once: enough to scroll, bounded for a huge directory.
const LIST_LIMIT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterChoice(pub SearchFilter);

impl FilterChoice {
    const ALL: [FilterChoice; 5] = [
        FilterChoice(SearchFilter::All),
        FilterChoice(SearchFilter::Favourites),
        FilterChoice(SearchFilter::Personal),
        FilterChoice(SearchFilter::Shared),
        FilterChoice(SearchFilter::Blocked),
    ];

    fn key(self) -> &'static str {
        match self.0 {
            SearchFilter::All => "filter-all",
            SearchFilter::Favourites => "filter-favourites",
            SearchFilter::Personal => "filter-personal",
            SearchFilter::Shared => "filter-shared",
            SearchFilter::Blocked => "filter-blocked",
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
            choice: FilterChoice(filter),
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
    pub results: Vec<ContactEntry>,
    pub selected: Option<ContactEntry>,
    pub form: Option<ContactForm>,
    pub error: Option<String>,
    /// The search whose answer the list waits for.
    searching: Option<RequestId>,
    /// The card's re-read, and the form's save.
    reading: Option<RequestId>,
    saving: Option<RequestId>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Query(String),
    Filter(FilterItem),
    Open(ContactId),
    Back,
    Call(String),
    Favourite(ContactId, bool),
    Block(ContactId, bool),
    New,
    Edit,
    Delete(ContactId),
    Form(contact_form::Msg),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    None,
    Dial(String),
    /// Commands for the engine (searches, edits).
    Send(Vec<Command>),
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
        match msg {
            Msg::Query(query) => {
                self.query = query.chars().take(100).collect();
                Outcome::Send(self.refresh(next_request))
            }
            Msg::Filter(item) => {
                self.filter = item.choice.0;
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
            Msg::Delete(id) => {
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

    /// Takes the engine's answers to this screen's requests; returns what to ask next.
    pub fn on_event(
        &mut self,
        event: &Event,
        i18n: &I18n,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> Vec<Command> {
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

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let body = if let Some(form) = &self.form {
            form.view(i18n).map(Msg::Form)
        } else if let Some(contact) = &self.selected {
            card(contact, i18n)
        } else {
            self.list(i18n)
        };
        let mut content = column![].spacing(8).padding(12);
        if let Some(error) = &self.error {
            content = content.push(text(error.clone()).size(12).style(text::danger));
        }
        content.push(body).into()
    }

    fn list<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let filters: Vec<FilterItem> = FilterChoice::ALL
            .into_iter()
            .map(|choice| FilterItem {
                choice,
                label: i18n.tr(choice.key()),
            })
            .collect();
        let selected = filters.iter().find(|f| f.choice.0 == self.filter).cloned();
        let top = row![
            text_input(&i18n.tr("contacts-search"), &self.query)
                .id("contacts-search")
                .on_input(Msg::Query)
                .padding(8),
            pick_list(filters, selected, Msg::Filter),
            button(text("+")).on_press(Msg::New),
        ]
        .spacing(6)
        .align_y(Alignment::Center);
        let mut list = column![].spacing(2);
        if self.results.is_empty() {
            list = list.push(text(i18n.tr("contacts-none")).size(13));
        }
        for contact in &self.results {
            let fields = &contact.fields;
            let mut name = fields.display_name();
            if fields.favourite {
                name = format!("★ {name}");
            }
            let detail = fields
                .phones
                .first()
                .map(|p| p.number.clone())
                .unwrap_or_default();
            let mut line =
                row![column![text(name).size(14), text(detail).size(11)].width(Length::Fill)]
                    .align_y(Alignment::Center);
            if fields.blocked {
                line = line.push(
                    text(i18n.tr("contact-blocked"))
                        .size(11)
                        .style(text::danger),
                );
            }
            list = list.push(
                button(line)
                    .width(Length::Fill)
                    .style(button::text)
                    .on_press(Msg::Open(contact.id)),
            );
        }
        column![top, scrollable(list).height(Length::Fill)]
            .spacing(8)
            .into()
    }
}

fn card<'a>(contact: &'a ContactEntry, i18n: &I18n) -> Element<'a, Msg> {
    let fields = &contact.fields;
    let id = contact.id;
    let mut content = column![
        button(text(format!("‹ {}", i18n.tr("back"))))
            .style(button::text)
            .on_press(Msg::Back),
        text(fields.display_name()).size(22),
    ]
    .spacing(6);
    if !fields.company.is_empty() && fields.company != fields.display_name() {
        content = content.push(text(fields.company.clone()).size(13));
    }
    for phone in &fields.phones {
        content = content.push(
            row![
                text(i18n.tr(&format!("label-{}", phone.label.as_str())))
                    .size(12)
                    .width(70),
                text(phone.number.clone()).width(Length::Fill),
                button(text(i18n.tr("dialer-call")))
                    .style(button::success)
                    .on_press(Msg::Call(phone.number.clone())),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    }
    for email in &fields.emails {
        content = content.push(text(email.clone()).size(13));
    }
    let address = &fields.address;
    let place = [
        address.street.as_str(),
        address.city.as_str(),
        address.state.as_str(),
        address.postal_code.as_str(),
        address.country.as_str(),
    ]
    .iter()
    .filter(|s| !s.trim().is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(", ");
    if !place.is_empty() {
        content = content.push(text(place).size(13));
    }
    if !fields.notes.is_empty() {
        content = content.push(text(fields.notes.clone()).size(12));
    }
    let personal = fields.source == Source::Personal;
    let mut actions = row![
        button(text(if fields.favourite {
            i18n.tr("contact-unfavourite")
        } else {
            i18n.tr("contact-favourite")
        }))
        .style(button::secondary)
        .on_press(Msg::Favourite(id, !fields.favourite)),
        button(text(if fields.blocked {
            i18n.tr("contact-unblock")
        } else {
            i18n.tr("contact-block")
        }))
        .style(button::secondary)
        .on_press(Msg::Block(id, !fields.blocked)),
    ]
    .spacing(6);
    if personal {
        actions = actions.push(button(text(i18n.tr("edit"))).on_press(Msg::Edit));
        actions = actions.push(
            button(text(i18n.tr("remove")))
                .style(button::danger)
                .on_press(Msg::Delete(id)),
        );
    } else {
        content = content.push(text(i18n.tr("contact-shared")).size(11));
    }
    container(content.push(actions)).padding(4).into()
}
