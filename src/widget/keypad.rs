//! The twelve-key phone keypad, for dialling and for DTMF in a call.

use iced::widget::{button, column, row, text};
use iced::{Alignment, Element, Length};

use crate::style::{button_style, size, space, Tone};

const KEYS: [[(char, &str); 3]; 4] = [
    [('1', ""), ('2', "ABC"), ('3', "DEF")],
    [('4', "GHI"), ('5', "JKL"), ('6', "MNO")],
    [('7', "PQRS"), ('8', "TUV"), ('9', "WXYZ")],
    [('*', ""), ('0', "+"), ('#', "")],
];

/// The keypad; `compact` draws smaller keys for the compact window.
pub fn keypad<'a, Message: Clone + 'a>(
    on_key: impl Fn(char) -> Message + 'a,
    compact: bool,
) -> Element<'a, Message> {
    let (width, height, digit_size) = if compact {
        (60.0, 42.0, size::TITLE + 2.0)
    } else {
        (76.0, 56.0, size::DISPLAY)
    };
    let mut rows = column![].spacing(space::S).align_x(Alignment::Center);
    for keys in KEYS {
        let mut line = row![].spacing(space::M);
        for (digit, letters) in keys {
            let face = column![
                text(digit.to_string()).size(digit_size),
                text(letters).size(10).style(text::secondary)
            ]
            .align_x(Alignment::Center)
            .width(Length::Fill);
            line = line.push(
                button(face)
                    .width(width)
                    .height(height)
                    .padding([space::XS / 2.0, 0.0])
                    .style(button_style(Tone::Neutral, Some(height / 2.0)))
                    .on_press(on_key(digit)),
            );
        }
        rows = rows.push(line);
    }
    rows.into()
}

/// A key that may be dialled or sent as DTMF.
pub fn is_key(c: char) -> bool {
    c.is_ascii_digit() || c == '*' || c == '#'
}
