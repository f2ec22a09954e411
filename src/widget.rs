//! The widgets every screen builds with (see [`crate::style`] for their sizes and colours).

pub mod action;
pub mod avatar;
pub mod empty;
pub mod focus;
pub mod icon;
pub mod keypad;
pub mod nav;
pub mod search;

pub use action::{action, counted_action, icon_button, round, tile, tip};
pub use avatar::avatar;
pub use empty::empty_state;
pub use focus::Press;
pub use icon::{icon, Glyph};
pub use search::{list_header, search_field};
