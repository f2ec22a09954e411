//! Desktop integration: tray icon, notifications, links, single instance.

pub mod handlers;
pub mod instance;
pub mod links;
#[cfg(feature = "gui")]
pub mod notify;
#[cfg(feature = "gui")]
pub mod tray;
