//! A person's picture: their initials on a colour derived from their name, so the same person
//! always has the same colour. (The store keeps no photos yet; when it does, the photo goes
//! here.)

use iced::border::Border;
use iced::widget::{container, text};
use iced::{color, Background, Color, Element, Length};

use super::icon::{icon, Glyph};

/// Mid-tone backgrounds that white initials read on at WCAG AA (checked by a test).
const COLOURS: [Color; 8] = [
    color!(0x3949ab), // indigo, the accent
    color!(0x00796b), // teal
    color!(0xad1457), // pink
    color!(0x6a1b9a), // purple
    color!(0x2e7d32), // green
    color!(0xa04000), // burnt orange
    color!(0x1565c0), // blue
    color!(0x5d4037), // brown
];

/// Up to two initials: the first letters of the first and last words that start with a
/// letter. None for a name without letters (a bare number).
pub fn initials(name: &str) -> Option<String> {
    let mut words = name
        .split_whitespace()
        .filter_map(|w| w.chars().next().filter(|c| c.is_alphabetic()));
    let first = words.next()?;
    let mut out: String = first.to_uppercase().collect();
    if let Some(last) = words.next_back() {
        out.extend(last.to_uppercase());
    }
    Some(out)
}

/// The colour of `name`: the same name always gets the same one.
pub fn colour_of(name: &str) -> Color {
    // FNV-1a: stable across runs and builds, unlike the std hasher.
    let hash = name
        .to_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    COLOURS[(hash % COLOURS.len() as u64) as usize]
}

/// A round avatar of `diameter` pixels for `name`: initials on the name's colour, or, for a
/// bare number, a phone on a quiet grey.
pub fn avatar<'a, M: 'a>(name: &str, diameter: f32) -> Element<'a, M> {
    let letters = initials(name);
    let named = letters.as_ref().map(|_| colour_of(name));
    let face: Element<'a, M> = match letters {
        Some(letters) => text(letters).size(diameter * 0.4).into(),
        None => icon(Glyph::Phone, diameter * 0.42).into(),
    };
    container(face)
        .center_x(Length::Fixed(diameter))
        .center_y(Length::Fixed(diameter))
        .style(move |theme: &iced::Theme| {
            let quiet = theme.extended_palette().background.strong;
            let (background, text_color) =
                named.map_or((quiet.color, quiet.text), |c| (c, Color::WHITE));
            container::Style {
                background: Some(Background::Color(background)),
                text_color: Some(text_color),
                border: Border {
                    radius: (diameter / 2.0).into(),
                    ..Border::default()
                },
                ..container::Style::default()
            }
        })
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_and_last_words() {
        assert_eq!(initials("Ada Lovelace").as_deref(), Some("AL"));
        assert_eq!(initials("ada").as_deref(), Some("A"));
        assert_eq!(initials("José María de la Cruz").as_deref(), Some("JC"));
        assert_eq!(initials("  émile   zola ").as_deref(), Some("ÉZ"));
        assert_eq!(initials("+31 20 123 4567"), None);
        assert_eq!(initials(""), None);
    }

    #[test]
    fn a_name_keeps_its_colour_and_names_spread() {
        assert_eq!(colour_of("Ada Lovelace"), colour_of("ada lovelace"));
        let names = [
            "Ada", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
        ];
        let distinct: std::collections::HashSet<String> = names
            .iter()
            .map(|n| format!("{:?}", colour_of(n)))
            .collect();
        assert!(distinct.len() >= 4, "{distinct:?}");
    }

    #[test]
    fn white_initials_read_on_every_colour() {
        for c in COLOURS {
            let ratio = crate::theme::contrast(Color::WHITE, c);
            assert!(ratio >= 4.5, "{c:?}: {ratio:.2}");
        }
    }
}
