//! Parla's design system beside the palette in [`crate::theme`]: one spacing and type scale,
//! the corner radius, and the few styles every screen shares (buttons by their meaning, list
//! rows, cards). Screens take sizes and styles from here and never invent their own, so a new
//! screen looks like the rest by construction. The widgets built on these live in
//! [`crate::widget`].

mod buttons;
mod surfaces;

pub use buttons::{button_style, Tone};
pub use surfaces::{
    badge, banner, bubble_ours, bubble_theirs, card, lamp, list_row, selected_row, unread_count,
    unread_dot, Lamp,
};

/// Spacing, in logical pixels: every gap and padding is one of these.
pub mod space {
    pub const XS: f32 = 4.0;
    pub const S: f32 = 8.0;
    pub const M: f32 = 12.0;
    pub const L: f32 = 16.0;
    pub const XL: f32 = 24.0;
}

/// Type sizes, in logical pixels.
pub mod size {
    /// Secondary lines: a number under a name, a date.
    pub const CAPTION: f32 = 12.0;
    /// Labels and list titles.
    pub const BODY: f32 = 14.0;
    /// Section titles.
    pub const TITLE: f32 = 18.0;
    /// The name on the call screen and the incoming popup.
    pub const HEADLINE: f32 = 24.0;
    /// The digits of the dial pad.
    pub const DISPLAY: f32 = 26.0;
    /// An icon beside a label.
    pub const ICON: f32 = 16.0;
}

/// Corner radius of buttons, fields and cards.
pub const RADIUS: f32 = 10.0;

/// The user's `[app] scale`, kept within 0.75 to 2 (1 when absent or not a number).
pub fn user_scale(setting: Option<f32>) -> f32 {
    setting
        .filter(|s| s.is_finite())
        .map_or(1.0, |s| s.clamp(0.75, 2.0))
}

#[cfg(test)]
mod tests {
    use super::user_scale;

    #[test]
    fn the_scale_stays_within_bounds() {
        assert_eq!(user_scale(None), 1.0);
        assert_eq!(user_scale(Some(1.25)), 1.25);
        assert_eq!(user_scale(Some(9.0)), 2.0);
        assert_eq!(user_scale(Some(0.1)), 0.75);
        assert_eq!(user_scale(Some(f32::NAN)), 1.0);
    }
}
