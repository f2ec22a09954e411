//! Subscriptions (RFC 6665) of every kind the lines make: message waiting (`message-summary`),
//! presence and busy lamps (`presence`, `dialog`). One SUBSCRIBE exchange and one plan of when
//! to subscribe again, told apart only by their [`Package`].
//!
//! - [`plan`]: when to subscribe again, from the answers and NOTIFYs (no I/O; paused-clock
//!   tests).
//! - [`subscriber`]: the SUBSCRIBE exchange over rsipstack (digest auth, in-dialog refresh,
//!   Expires: 0 to end it).

pub mod plan;
pub mod subscriber;

pub use plan::{termination, Answer, Next, Plan, EXPIRES};
pub use subscriber::Subscriber;

/// An event package: its `Event` and `Accept`, and how to name it to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    pub event: &'static str,
    pub accept: &'static str,
    /// "message waiting": said when the server does not offer it.
    pub what: &'static str,
}

/// Message waiting (RFC 3842).
pub const MESSAGE_SUMMARY: Package = Package {
    event: "message-summary",
    accept: "application/simple-message-summary",
    what: "message waiting",
};

/// Presence (RFC 3856) as PIDF.
pub const PRESENCE: Package = Package {
    event: "presence",
    accept: "application/pidf+xml",
    what: "presence",
};

/// Busy lamps: the dialogs of an extension (RFC 4235).
pub const DIALOG: Package = Package {
    event: "dialog",
    accept: "application/dialog-info+xml",
    what: "busy lamps",
};
