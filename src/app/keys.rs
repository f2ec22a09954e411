//! Keyboard shortcuts: digits dial (or send DTMF in a call), Enter calls or answers, Escape
//! hangs up or declines, Ctrl+M mutes, Ctrl+H holds, Ctrl+K opens the keypad, Ctrl+S swaps
//! calls, Ctrl+T transfers, Ctrl+Shift+T consults first (or completes the consult transfer),
//! Ctrl+D adds a call, Ctrl+N adds a contact, Ctrl+Shift+M calls the line's voicemail (on the
//! dialer; Ctrl+Shift+V would paste into a focused field), Ctrl+1 to Ctrl+6 go to the phone,
//! contacts, history, chat, voicemail and settings (in the navigation's order), Tab and
//! Shift+Tab move the focus.

use super::Tab;
use iced::keyboard::{key::Named, Event, Key, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Digit(char),
    Backspace,
    Enter,
    Escape,
    Mute,
    Hold,
    Keypad,
    /// Ctrl+S: the held call becomes the active one, the active one is held.
    Swap,
    /// Ctrl+T: the transfer field of the call on screen.
    Transfer,
    /// Ctrl+Shift+T: complete the consult transfer of the call on screen; else call the
    /// transfer field's target first (the field opens if it is closed).
    Consult,
    /// Ctrl+D: the add call field (Ctrl+N is taken by a new contact, everywhere).
    AddCall,
    /// Ctrl+N: a new contact.
    NewContact,
    /// Ctrl+Shift+M: call the dialer's line's mailbox (when no call is on screen).
    Voicemail,
    Place(Tab),
    /// Tab and Shift+Tab: the next or previous control in the focus order.
    FocusNext,
    FocusPrevious,
}

pub fn shortcut(event: &Event) -> Option<Shortcut> {
    let Event::KeyPressed {
        key,
        modifiers,
        text,
        ..
    } = event
    else {
        return None;
    };
    shortcut_for(key, *modifiers, text.as_deref())
}

pub fn shortcut_for(key: &Key, modifiers: Modifiers, text: Option<&str>) -> Option<Shortcut> {
    if modifiers.command() {
        return match key.as_ref() {
            Key::Character("m") | Key::Character("M") if modifiers.shift() => {
                Some(Shortcut::Voicemail)
            }
            Key::Character("m") | Key::Character("M") => Some(Shortcut::Mute),
            Key::Character("h") | Key::Character("H") => Some(Shortcut::Hold),
            Key::Character("k") | Key::Character("K") => Some(Shortcut::Keypad),
            Key::Character("n") | Key::Character("N") => Some(Shortcut::NewContact),
            Key::Character("s") | Key::Character("S") => Some(Shortcut::Swap),
            Key::Character("t") | Key::Character("T") if modifiers.shift() => {
                Some(Shortcut::Consult)
            }
            Key::Character("t") | Key::Character("T") => Some(Shortcut::Transfer),
            Key::Character("d") | Key::Character("D") => Some(Shortcut::AddCall),
            Key::Character("1") => Some(Shortcut::Place(Tab::Phone)),
            Key::Character("2") => Some(Shortcut::Place(Tab::Contacts)),
            Key::Character("3") => Some(Shortcut::Place(Tab::History)),
            Key::Character("4") => Some(Shortcut::Place(Tab::Chat)),
            Key::Character("5") => Some(Shortcut::Place(Tab::Voicemail)),
            Key::Character("6") => Some(Shortcut::Place(Tab::Settings)),
            _ => None,
        };
    }
    match key.as_ref() {
        Key::Named(Named::Tab) if modifiers.shift() => Some(Shortcut::FocusPrevious),
        Key::Named(Named::Tab) => Some(Shortcut::FocusNext),
        Key::Named(Named::Enter) => Some(Shortcut::Enter),
        Key::Named(Named::Escape) => Some(Shortcut::Escape),
        Key::Named(Named::Backspace) => Some(Shortcut::Backspace),
        _ => {
            let mut chars = text?.chars();
            let c = chars.next()?;
            (chars.next().is_none() && (c.is_ascii_digit() || "*#+".contains(c)))
                .then_some(Shortcut::Digit(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_phone_actions() {
        let none = Modifiers::empty();
        assert_eq!(
            shortcut_for(&Key::Character("5".into()), none, Some("5")),
            Some(Shortcut::Digit('5'))
        );
        assert_eq!(
            shortcut_for(&Key::Character("#".into()), Modifiers::SHIFT, Some("#")),
            Some(Shortcut::Digit('#'))
        );
        assert_eq!(
            shortcut_for(&Key::Character("a".into()), none, Some("a")),
            None
        );
        assert_eq!(
            shortcut_for(&Key::Named(Named::Escape), none, None),
            Some(Shortcut::Escape)
        );
        assert_eq!(
            shortcut_for(&Key::Character("m".into()), Modifiers::CTRL, None),
            Some(Shortcut::Mute)
        );
        assert_eq!(
            shortcut_for(&Key::Character("h".into()), Modifiers::CTRL, None),
            Some(Shortcut::Hold)
        );
        assert_eq!(
            shortcut_for(&Key::Named(Named::Tab), Modifiers::SHIFT, None),
            Some(Shortcut::FocusPrevious)
        );
        assert_eq!(
            shortcut_for(&Key::Character("3".into()), Modifiers::CTRL, None),
            Some(Shortcut::Place(Tab::History))
        );
        assert_eq!(
            shortcut_for(
                &Key::Character("T".into()),
                Modifiers::CTRL | Modifiers::SHIFT,
                None
            ),
            Some(Shortcut::Consult)
        );
        assert_eq!(
            shortcut_for(&Key::Character("t".into()), Modifiers::CTRL, None),
            Some(Shortcut::Transfer)
        );
        assert_eq!(
            shortcut_for(&Key::Character("d".into()), Modifiers::CTRL, None),
            Some(Shortcut::AddCall)
        );
        assert_eq!(
            shortcut_for(
                &Key::Character("M".into()),
                Modifiers::CTRL | Modifiers::SHIFT,
                None
            ),
            Some(Shortcut::Voicemail)
        );
        assert_eq!(
            shortcut_for(&Key::Character("4".into()), Modifiers::CTRL, None),
            Some(Shortcut::Place(Tab::Chat))
        );
        assert_eq!(
            shortcut_for(&Key::Character("5".into()), Modifiers::CTRL, None),
            Some(Shortcut::Place(Tab::Voicemail))
        );
        assert_eq!(
            shortcut_for(&Key::Character("6".into()), Modifiers::CTRL, None),
            Some(Shortcut::Place(Tab::Settings))
        );
        assert_eq!(
            shortcut_for(&Key::Character("x".into()), Modifiers::CTRL, None),
            None
        );
    }
}
