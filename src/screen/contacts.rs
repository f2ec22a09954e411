//! Contacts: search as you type with filters, a contact card (call any number, favourite,
//! block, edit, delete), and the add/edit form (see contact_form.rs).

use super::contact_form::{self, ContactForm};
use crate::i18n::I18n;
use iced::widget::{button, column, container, pick_list, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::store::{Contact, ContactId, Region, SearchFilter, Source, Store};

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
    pub results: Vec<Contact>,
    pub selected: Option<Contact>,
    pub form: Option<ContactForm>,
    pub error: Option<String>,
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
}

impl Contacts {
    /// Runs the search again (after typing, a filter change, an edit or an import).
    pub fn refresh(&mut self, store: &Store) {
        match store.search(&self.query, self.filter, LIST_LIMIT) {
            Ok(results) => self.results = results,
            Err(e) => self.error = Some(e.to_string()),
        }
        if let Some(selected) = &self.selected {
            self.selected = store.contact(selected.id).ok().flatten();
        }
    }

    pub fn update(&mut self, msg: Msg, store: &mut Store, region: Region, i18n: &I18n) -> Outcome {
        self.error = None;
        let result = match msg {
            Msg::Query(query) => {
                self.query = query.chars().take(100).collect();
                Ok(())
            }
            Msg::Filter(item) => {
                self.filter = item.choice.0;
                Ok(())
            }
            Msg::Open(id) => {
                self.selected = store.contact(id).ok().flatten();
                Ok(())
            }
            Msg::Back => {
                self.selected = None;
                self.form = None;
                Ok(())
            }
            Msg::Call(number) => return Outcome::Dial(number),
            Msg::Favourite(id, on) => store.set_favourite(id, on),
            Msg::Block(id, on) => store.set_blocked(id, on),
            Msg::New => {
                self.form = Some(ContactForm::default());
                Ok(())
            }
            Msg::Edit => {
                self.form = self.selected.as_ref().map(ContactForm::from_contact);
                Ok(())
            }
            Msg::Delete(id) => store.delete_contact(id).map(|()| self.selected = None),
            Msg::Form(contact_form::Msg::Cancel) => {
                self.form = None;
                Ok(())
            }
            Msg::Form(contact_form::Msg::Save) => {
                let Some(form) = self.form.as_mut() else {
                    return Outcome::None;
                };
                match form.save(store, region, i18n) {
                    Some(id) => {
                        self.form = None;
                        self.selected = store.contact(id).ok().flatten();
                    }
                    None => return Outcome::None,
                }
                Ok(())
            }
            Msg::Form(msg) => {
                if let Some(form) = self.form.as_mut() {
                    form.update(msg);
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            self.error = Some(e.to_string());
        }
        self.refresh(store);
        Outcome::None
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

fn card<'a>(contact: &'a Contact, i18n: &I18n) -> Element<'a, Msg> {
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
