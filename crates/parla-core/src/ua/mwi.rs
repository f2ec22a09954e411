//! Message waiting (RFC 3842): per line, a subscription to `message-summary` at the line's
//! server, refreshed before it expires and made again (with a growing wait) when the server
//! ends or refuses it; NOTIFYs, in that subscription or unsolicited from the server (many
//! PBXs send those), become `voicemail` events when the counts change.
//!
//! - [`summary`]: what a `simple-message-summary` body says.
//! - [`plan`]: when to subscribe again, from the answers and NOTIFYs (no I/O; paused-clock
//!   tests).
//! - [`subscriber`]: the SUBSCRIBE exchange over rsipstack (digest auth, in-dialog refresh).
//! - [`task`]: the line's loop that ties them together.

pub mod plan;
pub mod subscriber;
pub mod summary;
pub mod task;
