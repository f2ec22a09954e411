//! Busy lamps and presence: what `presence` events said of the watched extensions and of
//! people (keyed by line and address), the Phone tab's panel of lamps (one click picks up,
//! calls or transfers), and our own status picker (available, away, busy).

use crate::i18n::I18n;
use crate::style::{self, size, space, Lamp, Tone};
use crate::widget::{tip, Press};
use iced::widget::{button, container, pick_list, row, text, tooltip, Row};
use iced::{Alignment, Element, Length};
use parla_core::api::{OwnPresence, PresenceState};
use parla_core::{AccountId, Event};
use std::collections::BTreeMap;

/// The presence states last reported, by line and address (as the engine resolved them).
#[derive(Debug, Clone, Default)]
pub struct Presence {
    seen: BTreeMap<(AccountId, String), PresenceState>,
}

impl Presence {
    /// Notes a `presence` event; other events are ignored.
    pub fn on_event(&mut self, event: &Event) {
        if let Event::Presence {
            account,
            uri,
            state,
        } = event
        {
            self.seen.insert((account.clone(), uri.clone()), *state);
        }
    }

    /// The state of a line's watch entry (`201` or an address): the entry the engine
    /// resolved it to, with its address as the engine names it.
    pub fn of_entry(&self, account: &AccountId, entry: &str) -> Option<(&str, PresenceState)> {
        self.seen
            .iter()
            .filter(|((line, _), _)| line == account)
            .find(|((_, uri), _)| same_party(entry, uri))
            .map(|((_, uri), state)| (uri.as_str(), *state))
    }

    /// Someone's state on any line, by one of their numbers or addresses; offline and unknown
    /// count as nothing to show.
    pub fn of_address(&self, address: &str) -> Option<PresenceState> {
        self.seen
            .iter()
            .filter(|((_, uri), _)| same_party(address, uri))
            .map(|(_, state)| *state)
            .find(|state| !matches!(state, PresenceState::Offline | PresenceState::Unknown))
    }

    /// A contact's state: the first of their numbers and SIP addresses that has one.
    pub fn of_contact(&self, contact: &parla_core::api::ContactEntry) -> Option<PresenceState> {
        let fields = &contact.fields;
        fields
            .phones
            .iter()
            .map(|p| p.number.as_str())
            .chain(fields.emails.iter().map(String::as_str))
            .find_map(|address| self.of_address(address))
    }
}

/// `sip:201@pbx;user=phone` -> `201@pbx`; `tel:+31 20` -> `+3120`: lower case, no scheme,
/// no parameters, no spaces or dashes.
fn bare(address: &str) -> String {
    let address = address.trim();
    let address = ["sips:", "sip:", "tel:"]
        .iter()
        .find_map(|scheme| {
            address
                .get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .map(|_| &address[scheme.len()..])
        })
        .unwrap_or(address);
    let address = address.split([';', '>', '?']).next().unwrap_or(address);
    address
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')') || address.contains('@'))
        .collect::<String>()
        .to_lowercase()
}

/// Whether a watch entry or a contact's number names the party at `uri`, loosely: two
/// addresses must be the same; an extension or number matches the address's user part.
pub fn same_party(entry: &str, uri: &str) -> bool {
    let (entry, uri) = (bare(entry), bare(uri));
    if entry.is_empty() {
        return false;
    }
    if entry.contains('@') {
        // A port on either side (`bob@pbx:5060`) does not make another party.
        let without_port = |a: &str| match a.split_once('@') {
            Some((user, host)) if !host.starts_with('[') => {
                format!("{user}@{}", host.split(':').next().unwrap_or(host))
            }
            _ => a.to_string(),
        };
        return without_port(&entry) == without_port(&uri);
    }
    uri.split('@').next().is_some_and(|user| user == entry)
}

/// How a lamp (or a person's dot) shows a state.
pub fn lamp_of(state: Option<PresenceState>) -> Lamp {
    match state {
        Some(PresenceState::Available) => Lamp::Idle,
        Some(PresenceState::Ringing) => Lamp::Ringing,
        Some(PresenceState::Busy) => Lamp::Busy,
        Some(PresenceState::Away) => Lamp::Away,
        Some(PresenceState::Offline | PresenceState::Unknown) | None => Lamp::Unknown,
    }
}

/// A small round dot of `lamp`'s colour.
pub fn dot<'a, M: 'a>(lamp: Lamp) -> Element<'a, M> {
    container(text(""))
        .width(10)
        .height(10)
        .style(style::lamp(lamp))
        .into()
}

/// The word for a state, for a lamp's label and tooltip.
fn state_key(state: Option<PresenceState>) -> &'static str {
    match state {
        Some(PresenceState::Available) => "lamp-idle",
        Some(PresenceState::Ringing) => "lamp-ringing",
        Some(PresenceState::Busy) => "lamp-busy",
        Some(PresenceState::Away) => "presence-away",
        Some(PresenceState::Offline | PresenceState::Unknown) | None => "lamp-unknown",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A lamp was clicked: the line and its watch entry.
    Press(AccountId, String),
    /// Our own status, chosen in the top bar.
    Own(OwnPresence),
}

/// What a click on a lamp does, decided from its state and our calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click {
    Pickup,
    Transfer,
    Dial,
}

impl Click {
    pub fn of(state: Option<PresenceState>, in_call: bool) -> Click {
        match state {
            Some(PresenceState::Ringing) => Click::Pickup,
            _ if in_call => Click::Transfer,
            _ => Click::Dial,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Click::Pickup => "lamp-pickup",
            Click::Transfer => "lamp-transfer",
            Click::Dial => "lamp-call",
        }
    }
}

/// One lamp of the panel: the line, its watch entry and the state reported for it.
pub struct LampView<'a> {
    pub account: AccountId,
    pub entry: &'a str,
    pub state: Option<PresenceState>,
}

/// The busy lamps panel: a chip per watched extension (dot, name, and the word while it
/// rings or is in a call), wrapping onto more rows in a narrow window; its tooltip says
/// what a click does.
pub fn panel<'a>(i18n: &I18n, lamps: Vec<LampView<'a>>, in_call: bool) -> Element<'a, Msg> {
    if lamps.is_empty() {
        return Row::new().into();
    }
    let chips = lamps.into_iter().map(|lamp| {
        let name = crate::app::calls::display_number(lamp.entry);
        let click = Click::of(lamp.state, in_call);
        // A call to pick up is the accent chip itself: its dot would vanish on the accent, and
        // its words take the chip's own (contrasting) text colour.
        let pickup = click == Click::Pickup;
        let mut label = Row::new().spacing(space::XS).align_y(Alignment::Center);
        if !pickup {
            label = label.push(dot(lamp_of(lamp.state)));
        }
        label = label.push(text(name.clone()).size(size::CAPTION));
        if matches!(
            lamp.state,
            Some(PresenceState::Ringing | PresenceState::Busy)
        ) {
            let state = text(i18n.tr(state_key(lamp.state))).size(size::CAPTION);
            label = label.push(if pickup {
                state
            } else {
                state.style(text::secondary)
            });
        }
        let tone = if click == Click::Pickup {
            Tone::Accent
        } else {
            Tone::Neutral
        };
        let chip = button(label)
            .padding([space::XS, space::S])
            .style(style::button_style(tone, None))
            .press(Msg::Press(lamp.account, lamp.entry.to_string()));
        let says = format!(
            "{} – {}",
            i18n.tr(state_key(lamp.state)),
            i18n.tr_args(click.key(), &[("who", &name)])
        );
        tip(chip, says, tooltip::Position::Top)
    });
    let chips = Row::with_children(chips)
        .spacing(space::XS)
        .wrap()
        .vertical_spacing(space::XS);
    // In a call the call screen needs the room: the lamps go without their title.
    let mut content = iced::widget::column![].spacing(space::XS);
    if !in_call {
        content = content.push(
            text(i18n.tr("lamps-title"))
                .size(size::CAPTION)
                .style(text::secondary),
        );
    }
    // Many lamps scroll in a few rows rather than push the dialer away.
    let chips = container(iced::widget::scrollable(chips).spacing(space::XS)).max_height(64);
    container(content.push(chips))
        .width(Length::Fill)
        .padding(iced::Padding {
            top: space::XS,
            right: space::M,
            bottom: space::S,
            left: space::M,
        })
        .into()
}

/// An entry of the status picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnChoice {
    pub state: OwnPresence,
    label: String,
}

impl std::fmt::Display for OwnChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// The top bar's status picker: a dot of our state and the menu (Available, Away, Busy).
pub fn own_picker<'a>(i18n: &I18n, own: OwnPresence) -> Element<'a, Msg> {
    let choices: Vec<OwnChoice> = [
        (OwnPresence::Available, "presence-available"),
        (OwnPresence::Away, "presence-away"),
        (OwnPresence::Busy, "presence-busy"),
    ]
    .into_iter()
    .map(|(state, key)| OwnChoice {
        state,
        label: i18n.tr(key),
    })
    .collect();
    let selected = choices.iter().find(|c| c.state == own).cloned();
    let lamp = match own {
        OwnPresence::Available => Lamp::Idle,
        OwnPresence::Away => Lamp::Away,
        OwnPresence::Busy => Lamp::Busy,
    };
    // The tooltip on the dot only: on the menu it would cover the open list.
    row![
        tip(
            dot(lamp),
            i18n.tr("presence-own"),
            tooltip::Position::Bottom
        ),
        pick_list(choices, selected, |c: OwnChoice| Msg::Own(c.state))
            .text_size(size::CAPTION)
            .padding([2.0, space::S])
    ]
    .spacing(space::XS)
    .align_y(Alignment::Center)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_entries_match_loosely() {
        assert!(same_party("201", "sip:201@pbx.example.com"));
        assert!(same_party("201", "sip:201@pbx.example.com;user=phone"));
        assert!(!same_party("201", "sip:2010@pbx.example.com"));
        assert!(same_party(
            "sip:Bob@PBX.example.com",
            "sip:bob@pbx.example.com"
        ));
        assert!(!same_party("bob@other.example", "sip:bob@pbx.example.com"));
        assert!(same_party(
            "sip:bob@pbx.example.com",
            "sip:bob@pbx.example.com:5060"
        ));
        assert!(same_party("+31 20 123-4567", "sip:+31201234567@pbx"));
        assert!(!same_party("", "sip:@pbx"));
    }

    #[test]
    fn a_click_picks_up_a_ringing_lamp_else_transfers_in_a_call_else_calls() {
        assert_eq!(Click::of(Some(PresenceState::Ringing), true), Click::Pickup);
        assert_eq!(
            Click::of(Some(PresenceState::Available), true),
            Click::Transfer
        );
        assert_eq!(Click::of(None, false), Click::Dial);
    }
}
