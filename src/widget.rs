//! Small widgets the screens share.

pub mod keypad;
