//! A contact's card: who, every number with its call and message buttons, the rest of the
//! details (an address that is also a SIP address can be written to), and the actions.

use super::Msg;
use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, avatar, icon, icon_button, Glyph, Press};
use iced::widget::{column, container, row, text, Space};
use iced::{Alignment, Element, Length};
use parla_core::api::{ContactEntry, PresenceState};
use parla_core::store::Source;

/// What the card shows of presence: the contact's state (a dot by the name) and what the
/// default line watches (a number already watched offers no Watch).
pub(super) struct Lamps<'a> {
    pub presence: Option<PresenceState>,
    pub watched: &'a [String],
}

impl Lamps<'_> {
    /// The Watch button for a number or address, unless the line watches it already.
    fn watch<'a>(&self, address: &str, i18n: &I18n) -> Option<Element<'a, Msg>> {
        let watched = self
            .watched
            .iter()
            .any(|w| crate::screen::lamps::same_party(w, address) || w == address);
        (!watched).then(|| {
            icon_button(
                Glyph::Watch,
                i18n.tr("contact-watch"),
                Tone::Quiet,
                Some(Msg::Watch(address.to_string())),
            )
        })
    }
}

/// A contact's card: who, every number with a call button, the rest of the details, and the
/// actions (edit and delete for personal contacts only).
pub(super) fn card<'a>(
    contact: &'a ContactEntry,
    confirming: bool,
    lamps: Lamps<'_>,
    i18n: &I18n,
) -> Element<'a, Msg> {
    let fields = &contact.fields;
    let id = contact.id;
    let name = fields.display_name();
    let mut who = column![text(name.clone()).size(size::HEADLINE).center()]
        .spacing(space::XS)
        .align_x(Alignment::Center);
    if !fields.company.is_empty() && fields.company != name {
        who = who.push(
            text(fields.company.clone())
                .size(size::BODY)
                .style(text::secondary),
        );
    }
    let mut marks = row![].spacing(space::S).align_y(Alignment::Center);
    if let Some(state) = lamps.presence {
        marks = marks
            .push(crate::screen::lamps::dot(crate::screen::lamps::lamp_of(
                Some(state),
            )))
            .push(
                text(i18n.tr(presence_key(state)))
                    .size(size::CAPTION)
                    .style(text::secondary),
            );
    }
    if fields.favourite {
        marks = marks.push(icon(Glyph::Favourite, size::CAPTION).style(text::warning));
    }
    if fields.blocked {
        marks = marks
            .push(icon(Glyph::Block, size::CAPTION).style(text::danger))
            .push(
                text(i18n.tr("contact-blocked"))
                    .size(size::CAPTION)
                    .style(text::danger),
            );
    }
    let mut content = column![
        row![
            action(Glyph::Back, i18n.tr("back"), Tone::Quiet).press(Msg::Back),
            Space::new().width(Length::Fill),
        ],
        column![avatar(&name, 64.0), who, marks]
            .spacing(space::S)
            .align_x(Alignment::Center)
            .width(Length::Fill),
    ]
    .spacing(space::M);
    if !fields.phones.is_empty() {
        let mut numbers = column![].spacing(space::XS);
        for phone in &fields.phones {
            let watch = lamps.watch(&phone.number, i18n);
            numbers = numbers.push(
                row![
                    column![
                        text(i18n.tr(&format!("label-{}", phone.label.as_str())))
                            .size(size::CAPTION)
                            .style(text::secondary),
                        text(phone.number.clone()).size(size::BODY),
                    ]
                    .spacing(2)
                    .width(Length::Fill),
                    row(watch),
                    icon_button(
                        Glyph::Chat,
                        i18n.tr("contact-message"),
                        Tone::Quiet,
                        Some(Msg::Message(phone.number.clone())),
                    ),
                    icon_button(
                        Glyph::Call,
                        i18n.tr("dialer-call"),
                        Tone::Answer,
                        Some(Msg::Call(phone.number.clone())),
                    ),
                ]
                .spacing(space::S)
                .align_y(Alignment::Center),
            );
        }
        content = content.push(section(numbers));
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
    let mut details = column![].spacing(space::S);
    for email in &fields.emails {
        // An address that is also a SIP address can be written to.
        let sip = crate::screen::chat::sip_address(email);
        let watch = sip
            .as_deref()
            .and_then(|address| lamps.watch(address, i18n));
        let write = sip.map(|address| {
            icon_button(
                Glyph::Chat,
                i18n.tr("contact-message"),
                Tone::Quiet,
                Some(Msg::Message(address)),
            )
        });
        let mut line = row![text(email.clone()).size(size::BODY).width(Length::Fill)]
            .spacing(space::S)
            .align_y(Alignment::Center);
        if let Some(watch) = watch {
            line = line.push(watch);
        }
        if let Some(write) = write {
            line = line.push(write);
        }
        details = details.push(line);
    }
    if !place.is_empty() {
        details = details.push(text(place).size(size::BODY));
    }
    if !fields.notes.is_empty() {
        details = details.push(
            text(fields.notes.clone())
                .size(size::CAPTION)
                .style(text::secondary),
        );
    }
    if !fields.emails.is_empty() || !fields.notes.is_empty() || !address_is_empty(address) {
        content = content.push(section(details));
    }
    let personal = fields.source == Source::Personal;
    let favourite = if fields.favourite {
        action(Glyph::Favourite, i18n.tr("contact-unfavourite"), Tone::On)
    } else {
        action(
            Glyph::Favourite,
            i18n.tr("contact-favourite"),
            Tone::Neutral,
        )
    };
    let block = if fields.blocked {
        action(Glyph::Block, i18n.tr("contact-unblock"), Tone::On)
    } else {
        action(Glyph::Block, i18n.tr("contact-block"), Tone::Neutral)
    };
    content = content.push(
        row![
            favourite.press(Msg::Favourite(id, !fields.favourite)),
            block.press(Msg::Block(id, !fields.blocked)),
        ]
        .spacing(space::S)
        .wrap(),
    );
    if personal {
        let delete = if confirming {
            action(
                Glyph::Delete,
                i18n.tr("contact-delete-confirm"),
                Tone::HangUp,
            )
            .press(Msg::Delete(id))
        } else {
            action(Glyph::Delete, i18n.tr("remove"), Tone::Neutral).press(Msg::AskDelete(id))
        };
        content = content.push(
            row![
                action(Glyph::Edit, i18n.tr("edit"), Tone::Accent).press(Msg::Edit),
                delete,
            ]
            .spacing(space::S),
        );
    } else {
        content = content.push(
            text(i18n.tr("contact-shared"))
                .size(size::CAPTION)
                .style(text::secondary),
        );
    }
    content.padding([0.0, space::XS]).into()
}

/// The word for a contact's state beside the dot.
fn presence_key(state: PresenceState) -> &'static str {
    match state {
        PresenceState::Available => "presence-available",
        PresenceState::Away => "presence-away",
        PresenceState::Busy | PresenceState::Ringing => "presence-busy",
        PresenceState::Offline | PresenceState::Unknown => "lamp-unknown",
    }
}

fn address_is_empty(address: &parla_core::store::Address) -> bool {
    [
        &address.street,
        &address.city,
        &address.state,
        &address.postal_code,
        &address.country,
    ]
    .iter()
    .all(|s| s.trim().is_empty())
}

/// A group of the card's details on a raised surface.
fn section<'a>(content: impl Into<Element<'a, Msg>>) -> Element<'a, Msg> {
    container(content)
        .padding(space::M)
        .width(Length::Fill)
        .style(style::card)
        .into()
}
