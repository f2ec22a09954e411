//! The twelve-key phone keypad, for dialling and for DTMF in a call.

use iced::widget::{button, column, row, text};
use iced::{Alignment, Element, Length};

const KEYS: [[(char, &str); 3]; 4] = [
    [('1', ""), ('2', "ABC"), ('3', "DEF")],
    [('4', "GHI"), ('5', "JKL"), ('6', "MNO")],
    [('7', "PQRS"), ('8', "TUV"), ('9', "WXYZ")],
    [('*', ""), ('0', "+"), ('#', "")],
];

pub fn keypad<'a, Message: Clone + 'a>(
    on_key: impl Fn(char) -> Message + 'a,
) -> Element<'a, Message> {
    let mut rows = column![].spacing(6).align_x(Alignment::Center);
    for keys in KEYS {
        let mut line = row![].spacing(6);
        for (digit, letters) in keys {
            let face = column![text(digit.to_string()).size(20), text(letters).size(9)]
                .align_x(Alignment::Center)
                .width(Length::Fill);
            line = line.push(
                button(face)
                    .width(64)
                    .height(48)
                    .style(button::secondary)
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
