//! The window's screens. Each has its own state, messages and view; the app routes between them.

pub mod call;
pub mod chat;
pub mod contact_form;
pub mod contacts;
pub mod dialer;
pub mod history;
pub mod lamps;
pub mod popup;
pub mod settings;
pub mod sign_in;
pub mod voicemail;
